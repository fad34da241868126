"""`omskg load` and `omskg query --endpoint` when the store is down, unknown, failing or slow.
(Real stores: test_stores.py; the client's own bounds: test_remote.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from omskg import publish
from omskg.cli import main

from .servers import free_port, misbehaving_server


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("make_url", "expected"), [
    (lambda: f"http://127.0.0.1:{free_port()}/store", "connection refused (is the store running, and is the port right?)"),
    (lambda: "http://no-such-host.invalid/store", "unknown host"),
])
def test_load_failures_are_one_line(make_url: object, expected: str, built: Path) -> None:
    status, out, err = invoke("load", "--endpoint", make_url(), "--data", str(built / publish.NTRIPLES))  # type: ignore[operator]
    assert status == 3
    assert len(err.splitlines()) == 1 and err.startswith("omskg load: ") and expected in err
    assert "Traceback" not in err + out


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
    auth = Auth.from_environment()
    assert (auth.user, auth.password, auth.token) == ("curator", "s3cret", None)
    assert auth.basic() == "Basic Y3VyYXRvcjpzM2NyZXQ="
    assert "s3cret" not in repr(auth)
    monkeypatch.setenv("OMSKG_TOKEN", "abc")
    assert Auth.from_environment().token == "abc"
    assert Auth.from_environment("other").user == "other"
