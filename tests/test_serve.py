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
from email.message import Message
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from .servers import omskg_server

OMS = "entity/opsoclonus-myoclonus-syndrome"
SYMPTOMS = ["opsoclonus", "myoclonus", "ataxia", "behavioral changes", "irritability", "sleep disturbances",
            "developmental regression"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("OMSKG_SCREENSHOTS", "/tmp/omskg-screens"))  # never in the repository


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str, accept: str | None = None, method: str = "GET", body: bytes | None = None,
          content_type: str | None = None, follow: bool = True,
          headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """One request; the answer's status, headers (case-insensitive, as HTTP has them) and body."""
    sent = {k: v for k, v in (("Accept", accept), ("Content-Type", content_type)) if v} | (headers or {})
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body, method=method, headers=sent), timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "oms.png"), full_page=True)
    assert "does not constitute medical advice" in page.inner_text("aside.disclaimer")
    assert page.is_visible("aside.disclaimer")

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


def test_request_body_is_bounded(server: str) -> None:
    status, _, body = fetch(f"{server}/sparql", method="POST", body=b"#" * 1_000_001, content_type="application/sparql-query")
    assert status == 413 and b"at most 1000000 bytes" in body


def test_binds_to_loopback_by_default() -> None:
    from click.testing import CliRunner

    from omskg.cli import main

    (host,) = [p for p in main.commands["serve"].params if p.name == "host"]
    assert host.default == "127.0.0.1"
    assert "127.0.0.1" in CliRunner().invoke(main, ["serve", "--help"]).stdout


def test_load_test_script_runs_clean_on_another_facts_folder(tmp_path: Path) -> None:
    """The load-test script itself, briefly, on a generated corpus served with --facts (its full runs,
    50 clients for 30 s on the OMS graph and on the 1M-triple corpus, are in benchmarks/README.md)."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, str(repo / "benchmarks" / "corpus.py"), "2", str(tmp_path)], check=True,
                   capture_output=True, timeout=60)
    result = subprocess.run([sys.executable, str(repo / "benchmarks" / "load_test.py"), "--clients", "4",
                             "--seconds", "2", "--facts", str(tmp_path / "conditions"), "--max-failed", "0",
                             "--max-p99-ms", "0.001"], capture_output=True, text=True, timeout=180)
    report = dict(line.split(None, 1) for line in result.stdout.splitlines() if line and not line.startswith(" "))
    assert report["failed"] == "0  (target 0: met)" and int(report["requests"]) > 0, result.stdout + result.stderr
    assert "-00001" in report["pages"]  # it served the other folder's graph
    assert report["all_p99_ms"].endswith("(target 0.001: MISSED)") and report["result"] == "MISSED a target"
    assert result.returncode == 1  # a missed target fails the run


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
    monkeypatch.setattr(build_module, "shown_to_conform", lambda lines: False)  # (the engine decides)
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "omskg serve: the graph violates the SHACL shapes (1 result(s)); nothing is served" in result.stderr


# ---------------------------------------------------------------------- protocol manners


def test_sparql_cors_for_get_post_and_preflight(server: str) -> None:
    status, headers, _ = fetch(sparql_url(server, LABELS), "application/sparql-results+json", headers={"Origin": "https://example.org"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(f"{server}/sparql", "text/csv", "POST", LABELS.encode(), "application/sparql-query")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = fetch(f"{server}/sparql", method="OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and body == b""
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in headers["Access-Control-Allow-Methods"].split(",")}
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_405_says_what_is_allowed(server: str) -> None:
    status, headers, _ = fetch(f"{server}/{OMS}", method="PUT", body=b"x")
    assert status == 405 and set(headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    status, headers, _ = fetch(f"{server}/sparql", method="DELETE")
    assert status == 405 and "POST" in headers["Allow"]


@pytest.mark.parametrize("path", ["/files/omskg.ttl", f"/page/{OMS}", f"/data/{OMS}.ttl", "/"])
def test_etag_last_modified_304_and_head(server: str, path: str) -> None:
    status, headers, body = fetch(server + path)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert fetch(server + path, headers={"If-None-Match": headers["ETag"]})[:1] == (304,)
    assert fetch(server + path, headers={"If-Modified-Since": headers["Last-Modified"]})[:1] == (304,)
    assert fetch(server + path, headers={"If-None-Match": '"something-else"'})[0] == 200
    status, head, empty = fetch(server + path, method="HEAD")
    assert (status, empty) == (200, b"") and head["Content-Length"] == str(len(body)) and head["ETag"] == headers["ETag"]


def test_head_and_nosniff_everywhere(server: str) -> None:
    for path in ("/", f"/{OMS}", "/sparql", sparql_url(server, LABELS).removeprefix(server), "/nothing"):
        status, headers, body = fetch(server + path, method="HEAD", follow=False)
        assert body == b"" and status in (200, 303, 404), path
        assert headers["X-Content-Type-Options"] == "nosniff", path


def test_service_description_answers_a_plain_get_with_rdf(server: str) -> None:
    status, headers, body = fetch(f"{server}/sparql", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    described = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(f"{server}/sparql")
    assert (endpoint, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(sd + "Service")) in described
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in described
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in described
    assert fetch(f"{server}/sparql", "text/html")[2].startswith(b"<!DOCTYPE html>")  # a browser gets the form


def test_no_traceback_for_odd_requests(server: str) -> None:
    for path, accept in [("/page/%ff%fe", None), ("/sparql?query=%ff%fe", None), (f"/data/{OMS}", None),
                         (f"/{OMS}", ";;;q=abc, */*;q=x"), ("/sparql?query=SELECT", "nothing/known"),
                         ("/files/", None), ("/%00", None)]:
        status, _, body = fetch(server + path, accept)
        assert 400 <= status < 500 and b"Traceback" not in body, (path, status, body[:200])


def test_landing_page_says_what_size_version_source_date_and_disclaimer(server: str) -> None:
    page = fetch(f"{server}/", "text/html")[2].decode()
    count = json.loads(fetch(sparql_url(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))[2])
    triples = int(count["results"]["bindings"][0]["n"]["value"])
    assert f"{triples:,} triples" in page
    assert "Version</dt><dd>0.1.0" in page and "last updated 2026-04-07" in page
    assert "does not constitute medical advice" in page and "evidence-traced knowledge graph" in page


# ---------------------------------------------------------------------- pages in Chromium


def _neuroblastoma_statement(server: str) -> tuple[str, str]:
    query = f"""SELECT ?statement ?population WHERE {{
        ?statement rdf:object <{server}/entity/neuroblastoma> ; omskg:proportion ?p ; omskg:population ?who .
        ?who rdfs:label ?population }}"""
    (row,) = json.loads(fetch(sparql_url(server, query))[2])["results"]["bindings"]
    return row["statement"]["value"], row["population"]["value"]


def test_statement_and_source_pages_show_the_nuance_in_chromium(server: str, browser: object) -> None:
    statement, population = _neuroblastoma_statement(server)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(statement)
    section = page.inner_text("section.statement")
    assert "approximately" in section and "50%" in section and population in section
    assert "research indicates" in section.lower()  # the hedge
    assert page.is_visible("section.statement blockquote.evidence")
    assert "neuroblastoma" in page.inner_text("section.statement blockquote.evidence")
    assert "characters 2088–2261" in page.inner_text("section.statement .where")
    assert page.is_visible("aside.disclaimer")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "statement.png"), full_page=True)

    page.click("section.statement .where a:text('annotation')")  # the annotation: its quote and offsets
    page.wait_for_load_state()
    assert "/page/evidence/" in page.url and "neuroblastoma" in page.inner_text("section.annotation mark")
    assert "characters 2088–2261" in page.inner_text("section.annotation")

    page.goto(f"{server}/source/oms-summary")
    assert page.is_visible("aside.disclaimer")
    assert "does not constitute medical advice" in page.inner_text("aside.disclaimer")
    properties = page.inner_text("table.properties")
    assert "Medically reviewed summary" in properties and "omskg:sha256" in properties
    page.goto(f"{server}/{OMS}")
    incidence = page.inner_text("table.facts")
    assert "5000000" in incidence and "P1Y" in incidence and "0.0000002" in incidence  # every number of the value
    xrefs = page.inner_text("ul.xrefs")
    assert "exact match: ORPHA:1183 Opsoclonus-myoclonus syndrome" in xrefs  # the target's label
    page.close()


@pytest.mark.parametrize(("width", "shown"), [(1280, "wide"), (390, "narrow")])
def test_condition_page_opens_with_a_legible_diagram(server: str, browser: object, width: int, shown: str) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{server}/{OMS}")
    svg = page.locator(f"figure.diagram .{shown} svg")
    assert svg.is_visible() and not page.locator(f"figure.diagram .{'narrow' if shown == 'wide' else 'wide'} svg").is_visible()
    first = page.evaluate("document.querySelector('h1').nextElementSibling.nextElementSibling.tagName")
    assert first == "FIGURE"  # the page opens with it
    text = page.evaluate(f"document.querySelector('figure.diagram .{shown} svg').textContent")
    for symptom in SYMPTOMS:
        assert symptom in text
    assert "typically" in text and "≈50%" in text
    box = svg.bounding_box()
    scale = box["width"] / float(page.evaluate(f"document.querySelector('figure.diagram .{shown} svg').viewBox.baseVal.width"))
    assert box["width"] <= width and 14 * scale >= 11, scale  # labels drawn at 11 px or more
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"oms-diagram-{width}.png"))
    page.close()


def test_query_form_in_chromium(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/sparql")
    page.fill("textarea#query", LABELS)
    page.click("form.query button")
    page.wait_for_selector("table.results")
    cells = page.locator("table.results td").all_inner_texts()
    assert sorted(cells) == sorted(SYMPTOMS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "query-form.png"), full_page=True)

    page.fill("textarea#query", "SELECT ?s WHERE { ?s ?p")
    page.click("form.query button")
    assert "Malformed query" in page.inner_text(".problem")

    page.goto(f"{server}/")
    page.locator('a[href^="/sparql?query="]').first.click()  # a landing-page example opens in the form
    page.wait_for_selector("table.results")
    assert page.locator("table.results tr").count() > 1
    assert page.input_value("textarea#query").startswith("#")
    page.close()
