"""`omskg load` and `omskg query --endpoint` against a real Oxigraph server, over HTTP."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from omskg import publish, resources
from omskg.cli import main
from omskg.query import rows, store_from_files

from .servers import free_port, misbehaving_server, oxigraph_server


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store_url() -> Iterator[str]:
    with oxigraph_server() as url:
        yield url


def test_load_replaces_and_counts(store_url: str, built: Path) -> None:
    data = str(built / publish.NTRIPLES)
    lines = len((built / publish.NTRIPLES).read_text(encoding="utf-8").splitlines())
    graph = "http://example.org/omskg/release"
    for _ in range(2):  # the second load must replace, not append
        status, out, _ = invoke("load", "--endpoint", f"{store_url}/store", "--graph", graph, "--data", data)
        assert status == 0
        assert out == f"sent {lines} triples from {data}; the store now holds {lines} triples in graph <{graph}>\n"
    status, out, _ = invoke("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                            "--endpoint", f"{store_url}/query", "--format", "csv")
    assert status == 0 and out.split() == ["n", str(lines)]


def test_competency_queries_answer_the_same_over_http(store_url: str, built: Path) -> None:
    assert invoke("load", "--endpoint", f"{store_url}/store", "--data", str(built / publish.NTRIPLES))[0] == 0
    local = store_from_files([built / publish.NTRIPLES])
    for path in sorted(resources.queries_dir().glob("*.rq")):
        status, out, _ = invoke("query", "--file", str(path), "--endpoint", f"{store_url}/query", "--format", "json")
        assert status == 0, path.name
        remote = json.loads(out)["results"]["bindings"]
        remote_rows = Counter(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in remote)
        local_rows = Counter(tuple(sorted(r.items())) for r in rows(local, path.read_text(encoding="utf-8")))
        assert remote_rows == local_rows, path.name
        assert remote_rows, path.name


def test_remote_table_output(store_url: str, built: Path) -> None:
    invoke("load", "--endpoint", f"{store_url}/store", "--data", str(built / publish.NTRIPLES))
    status, out, _ = invoke("query", "symptoms", "--endpoint", f"{store_url}/query")
    assert status == 0 and "(7 rows)" in out and "developmental regression" in out


@pytest.mark.parametrize(("make_url", "expected"), [
    (lambda: f"http://127.0.0.1:{free_port()}/store", "connection refused (is the store running, and is the port right?)"),
    (lambda: "http://no-such-host.invalid/store", "unknown host"),
    (lambda: "ftp://127.0.0.1/store", "is not an http(s) URL"),
])
def test_load_failures_are_one_line(make_url: object, expected: str, built: Path) -> None:
    status, out, err = invoke("load", "--endpoint", make_url(), "--data", str(built / publish.NTRIPLES))  # type: ignore[operator]
    assert status == 3
    assert len(err.splitlines()) == 1 and err.startswith("omskg load: ") and expected in err
    assert "Traceback" not in err + out


def test_wrong_path_on_a_real_store(store_url: str, built: Path) -> None:
    status, _, err = invoke("load", "--endpoint", f"{store_url}/no-such-endpoint", "--data", str(built / publish.NTRIPLES))
    assert status == 3 and "answered 404" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("status_code", [403, 500, 503])
def test_http_errors_are_one_line(status_code: int, built: Path) -> None:
    with misbehaving_server(status_code) as url:
        status, _, err = invoke("load", "--endpoint", f"{url}/store", "--data", str(built / publish.NTRIPLES))
        assert status == 3 and f"answered {status_code}" in err and "something broke on the far side" in err
        status, _, err = invoke("query", "ASK {}", "--endpoint", f"{url}/query")
        assert status == 3 and f"answered {status_code}" in err


def test_timeout_is_one_line(built: Path) -> None:
    with misbehaving_server(200, delay=3.0) as url:
        status, _, err = invoke("load", "--endpoint", f"{url}/store", "--data", str(built / publish.NTRIPLES), "--timeout", "0.5")
        assert status == 3 and "did not answer within 0.5 s" in err and len(err.splitlines()) == 1


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from omskg.remote import Auth

    monkeypatch.setenv("OMSKG_USER", "curator")
    monkeypatch.setenv("OMSKG_PASSWORD", "s3cret")
    monkeypatch.delenv("OMSKG_TOKEN", raising=False)
    assert Auth.from_environment().headers() == {"Authorization": "Basic Y3VyYXRvcjpzM2NyZXQ="}
    monkeypatch.setenv("OMSKG_TOKEN", "abc")
    assert Auth.from_environment().headers() == {"Authorization": "Bearer abc"}
