"""`omskg serve` over real HTTP, and its pages in a real browser (Debian's Chromium,
driven by Playwright)."""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from .servers import omskg_server

OMS = "entity/opsoclonus-myoclonus-syndrome"
SYMPTOMS = ["opsoclonus", "myoclonus", "ataxia", "behavioral changes", "irritability", "sleep disturbances",
            "developmental regression"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "tests" / "screenshots"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str, accept: str | None = None, method: str = "GET", body: bytes | None = None,
          content_type: str | None = None, follow: bool = True) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", content_type)) if v}
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body, method=method, headers=headers), timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with omskg_server(tmp_path_factory.mktemp("serve")) as url:
        yield url


def sparql_url(server: str, query: str) -> str:
    return f"{server}/sparql?" + urllib.parse.urlencode({"query": query})


LABELS = "SELECT ?l WHERE { ?s a omskg:Symptom ; rdfs:label ?l } ORDER BY ?l"


@pytest.mark.parametrize(("accept", "media", "check"), [
    ("application/sparql-results+json", "application/sparql-results+json", lambda b: len(json.loads(b)["results"]["bindings"]) == 7),
    ("application/sparql-results+xml", "application/sparql-results+xml", lambda b: b.count(b"<result>") == 7),
    ("text/csv", "text/csv", lambda b: b.decode().splitlines() == ["l", *sorted(SYMPTOMS)]),
    ("text/tab-separated-values", "text/tab-separated-values", lambda b: b.decode().splitlines()[0] == "?l"),
    (None, "application/sparql-results+json", lambda b: "results" in json.loads(b)),
])
def test_sparql_get_negotiates_result_formats(server: str, accept: str | None, media: str, check: object) -> None:
    status, headers, body = fetch(sparql_url(server, LABELS), accept)
    assert status == 200 and headers["Content-Type"].startswith(media)
    assert check(body)  # type: ignore[operator]


def test_sparql_post_query(server: str) -> None:
    status, _, body = fetch(f"{server}/sparql", "application/sparql-results+json", "POST", LABELS.encode(), "application/sparql-query")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 7
    form = urllib.parse.urlencode({"query": LABELS}).encode()
    status, _, body = fetch(f"{server}/sparql", "text/csv", "POST", form, "application/x-www-form-urlencoded")
    assert status == 200 and len(body.decode().splitlines()) == 8


def test_malformed_query_is_a_readable_400(server: str) -> None:
    status, headers, body = fetch(sparql_url(server, "SELECT ?s WHERE { ?s ?p"))
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("Malformed query: error at 1:")


def test_updates_are_refused(server: str) -> None:
    update = b"INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert fetch(f"{server}/sparql", method="POST", body=update, content_type="application/sparql-update")[0] == 403
    form = urllib.parse.urlencode({"update": update.decode()}).encode()
    assert fetch(f"{server}/sparql", method="POST", body=form, content_type="application/x-www-form-urlencoded")[0] == 403
    assert fetch(f"{server}/sparql?" + urllib.parse.urlencode({"update": update.decode()}))[0] == 403
    assert fetch(f"{server}/{OMS}", method="PUT", body=b"x")[0] == 405
    status, _, body = fetch(sparql_url(server, "ASK { <http://example.org/a> ?p ?o }"), "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is False


@pytest.mark.parametrize(("accept", "location", "media"), [
    ("text/html", f"/page/{OMS}", "text/html"),
    ("text/turtle", f"/data/{OMS}.ttl", "text/turtle"),
    ("application/ld+json", f"/data/{OMS}.jsonld", "application/ld+json"),
])
def test_entity_iris_303_to_the_document_the_client_asked_for(server: str, accept: str, location: str, media: str) -> None:
    status, headers, _ = fetch(f"{server}/{OMS}", accept, follow=False)
    assert status == 303 and headers["Location"] == location
    status, headers, body = fetch(f"{server}/{OMS}", accept)
    assert status == 200 and headers["Content-Type"].startswith(media)


def test_turtle_and_jsonld_describe_the_same_triples_with_evidence(server: str) -> None:
    turtle, jsonld = Graph(), Graph()
    turtle.parse(data=fetch(f"{server}/{OMS}", "text/turtle")[2], format="turtle")
    jsonld.parse(data=fetch(f"{server}/{OMS}", "application/ld+json")[2], format="json-ld")
    assert len(turtle) > 100 and isomorphic(turtle, jsonld)
    sentences = [str(o) for o in turtle.objects(None, URIRef("https://w3id.org/biolink/vocab/supporting_text"))]
    assert any("triad of symptoms" in s for s in sentences)


def test_unknown_resources_and_paths_are_404(server: str) -> None:
    assert fetch(f"{server}/entity/no-such-thing", "text/html")[0] == 404
    assert fetch(f"{server}/page/entity/no-such-thing")[0] == 404
    assert fetch(f"{server}/files/omskg.nt")[0] == 200
    for path in ("/files/../../../etc/passwd", "/files/%2e%2e%2fpyproject.toml", "/page/../../etc/passwd", "/nothing"):
        assert fetch(f"{server}{path}")[0] == 404, path


def test_landing_page_lists_files_queries_and_the_condition(server: str) -> None:
    status, _, body = fetch(f"{server}/", "text/html")
    page = body.decode()
    assert status == 200
    assert f'href="{server}/{OMS}"' in page and 'href="/files/omskg.ttl"' in page and "/sparql?query=" in page


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser test
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            yield browser
        finally:
            browser.close()


def test_oms_page_in_chromium(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/{OMS}")
    assert page.inner_text("h1") == "Opsoclonus myoclonus syndrome"
    facts = page.inner_text("table.facts")
    for symptom in SYMPTOMS:
        assert f"has symptom {symptom}" in facts
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "oms.png"), full_page=True)

    embedded = page.locator('script[type="application/ld+json"]').text_content()
    from_page, from_turtle = Graph(), Graph()
    from_page.parse(data=embedded, format="json-ld")
    from_turtle.parse(data=fetch(f"{server}/{OMS}", "text/turtle")[2], format="turtle")
    assert isomorphic(from_page, from_turtle)

    page.locator(f'table.facts a[href="{server}/entity/myoclonus"]').first.click()
    page.wait_for_load_state()
    assert page.url == f"{server}/page/entity/myoclonus"
    assert page.inner_text("h1") == "myoclonus"
    assert "Opsoclonus myoclonus syndrome has symptom this" in page.inner_text("body")
    page.close()


def test_queries_are_bounded_in_time_and_result_size(tmp_path: Path) -> None:
    with omskg_server(tmp_path, "--query-timeout", "1", "--max-result-mb", "0.01") as bounded:
        endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        status, _, body = fetch(sparql_url(bounded, endless))
        assert status == 503 and body.decode().startswith("The query ran longer than 1 s and was stopped")
        status, _, body = fetch(sparql_url(bounded, "SELECT * WHERE { ?s ?p ?o }"), "text/csv")
        assert status == 400 and "The result is over 10000 bytes; add a LIMIT" in body.decode()
        status, _, body = fetch(sparql_url(bounded, "SELECT * WHERE { ?s ?p ?o } LIMIT 5"), "text/csv")
        assert status == 200 and len(body.decode().splitlines()) == 6
        assert fetch(f"{bounded}/", "text/html")[0] == 200  # still up


def test_request_body_is_bounded(server: str) -> None:
    status, _, body = fetch(f"{server}/sparql", method="POST", body=b"#" * 1_000_001, content_type="application/sparql-query")
    assert status == 413 and b"at most 1000000 bytes" in body


def test_binds_to_loopback_by_default() -> None:
    from click.testing import CliRunner

    from omskg.cli import main

    (host,) = [p for p in main.commands["serve"].params if p.name == "host"]
    assert host.default == "127.0.0.1"
    assert "127.0.0.1" in CliRunner().invoke(main, ["serve", "--help"]).stdout


def test_load_test_script_runs_clean() -> None:
    """The load-test script itself (its full run is 50 clients for 30 s; see the closing note)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "load_test.py"
    result = subprocess.run([sys.executable, str(script), "--clients", "4", "--seconds", "2"],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    report = {line.rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1].strip() for line in result.stdout.splitlines()}
    assert report["failed"] == "0" and int(report["requests"]) > 0


def test_files_are_the_publication_of_a_build_with_the_same_base(server: str, tmp_path: Path) -> None:
    """serve and build share one pipeline: /files/ offers every file of dist/, byte for byte."""
    from omskg import publish, resources
    from omskg.build import build

    built = tmp_path / "dist"
    build(resources.conditions_dir(), built, server + "/")
    assert sorted(p.name for p in built.iterdir()) == sorted(publish.PUBLISHED_NAMES)
    for path in sorted(built.iterdir()):
        status, _, body = fetch(f"{server}/files/{path.name}")
        assert (status, body) == (200, path.read_bytes()), path.name


def test_serve_refuses_a_graph_that_violates_the_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from omskg import build as build_module
    from omskg.cli import main
    from omskg.validate import Outcome, Violation

    violation = Violation("<x>", "rdfs:label", "MinCountConstraintComponent", "m", "", "Violation")
    monkeypatch.setattr(build_module, "validate_triples", lambda *a, **k: Outcome(False, (violation,)))
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "omskg serve: the graph violates the SHACL shapes (1 result(s)); nothing is served" in result.stderr
