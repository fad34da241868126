"""Every store the README names as tested, for real: an Oxigraph server from PyPI and Debian's
Virtuoso, each started once per test run from an empty database on free loopback ports.
For each: `omskg load` twice into a named graph and into the default graph, the count read
back, every shipped query over HTTP against the embedded store's answers, the shipped query
files sent as they are, the README's examples and bulk-load recipes as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from omskg import publish, resources
from omskg.cli import main
from omskg.query import run, store_from_files

from .conftest import REPO, STARTED
from .servers import Virtuoso, oxigraph_binary, oxigraph_server, virtuoso_binaries, virtuoso_server

# All of this file runs in one worker (conftest.TOGETHER), so each store starts once per run.
GRAPH = "http://example.org/omskg/named"
README_GRAPH = "https://w3id.org/omskg/dataset/0.1.0"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger")}


@dataclass(frozen=True)
class Store:
    name: str
    gsp: str  # the Graph Store Protocol endpoint
    sparql: str  # the SPARQL Protocol endpoint
    user: str | None = None
    password: str | None = None
    virtuoso: Virtuoso | None = None

    def scoped(self, scope: str) -> Store:
        """The store as reached for its default graph: Virtuoso has one only by the host name
        it was configured for."""
        if scope != "default graph" or self.virtuoso is None:
            return self
        return replace(self, gsp=self.gsp.replace(self.virtuoso.url, self.virtuoso.url_with_default_graph),
                       sparql=self.sparql.replace(self.virtuoso.url, self.virtuoso.url_with_default_graph))

    def env(self) -> dict[str, str | None]:
        return {"OMSKG_USER": None, "OMSKG_PASSWORD": self.password, "OMSKG_TOKEN": None}

    def auth(self) -> list[str]:
        return ["--user", self.user] if self.user else []


def omskg(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def oxigraph() -> Iterator[Store]:
    with oxigraph_server() as url:
        yield Store("oxigraph", f"{url}/store", f"{url}/query")


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[Store]:
    if virtuoso_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is not installed, and CI must test Virtuoso (.ci/run installs it)")
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource); its tests are skipped")
    with virtuoso_server() as server:
        STARTED["Virtuoso"] = server.seconds_to_start
        yield Store("virtuoso", f"{server.url}/sparql-graph-crud-auth", f"{server.url}/sparql", "dba",
                    server.password, server)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def ntriples_count(built: Path) -> int:
    return len((built / publish.NTRIPLES).read_text(encoding="utf-8").splitlines())


def load(store: Store, data: Path, *graph: str) -> tuple[int, str, str]:
    return omskg("load", "--endpoint", store.gsp, *store.auth(), "--data", str(data), *graph, env=store.env())


def test_load_twice_into_a_named_graph_and_the_default_graph(store: Store, built: Path) -> None:
    data = built / publish.NTRIPLES
    lines = ntriples_count(built)
    for target, graph, scope in ((f"graph <{GRAPH}>", ["--graph", GRAPH], "named graph"),
                                 ("the default graph", [], "default graph")):
        for _ in range(2):  # the second load must replace, not append
            status, out, err = load(store.scoped(scope), data, *graph)
            assert (status, err) == (0, "")
            assert out == f"sent {lines} triples from {data}; the store now holds {lines} triples in {target}\n"
        assert count(store.scoped(scope), *graph) == lines


def count(store: Store, *graph: str, query: str = "SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o }") -> int:
    status, out, err = omskg("query", query, "--endpoint", store.sparql, *graph, "--format", "json")
    assert (status, err) == (0, ""), store.name
    (row,) = json.loads(out)["results"]["bindings"]
    return int(row["n"]["value"])


def canonical(term: dict[str, str]) -> tuple[str, object, str | None]:
    """An RDF term of SPARQL JSON results, by value: 1 and true are the same boolean, 18.0 and
    18 the same number, a plain literal the same as an xsd:string."""
    kind = "literal" if term["type"] == "typed-literal" else term["type"]
    value: object = term["value"]
    datatype = term.get("datatype")
    if datatype == XSD + "string":
        datatype = None
    if datatype == XSD + "boolean":
        value = {"1": "true", "0": "false"}.get(term["value"], term["value"])
    elif datatype in NUMERIC:  # Oxigraph gives xsd:nonNegativeInteger back as xsd:integer
        try:
            value, datatype = Decimal(term["value"]), "number"
        except InvalidOperation:
            pass
    return kind, value, datatype or term.get("xml:lang")


def answers(text: str) -> Counter[tuple[tuple[str, tuple[str, object, str | None]], ...]]:
    bindings = json.loads(text)["results"]["bindings"]
    return Counter(tuple(sorted((name, canonical(term)) for name, term in b.items())) for b in bindings)


#: What Virtuoso 7.2 changes as it stores a value: xsd:duration "P1Y" is kept as "12" (months).
VIRTUOSO_CHANGES = {("epidemiology", "period"): ("P1Y", "12")}


def virtuoso_as_stored(name: str, local: str) -> str:
    """The embedded store's answer with the values Virtuoso is known to change, changed."""
    results = json.loads(local)
    changed = False
    for binding in results["results"]["bindings"]:
        for variable, term in binding.items():
            if (name, variable) in VIRTUOSO_CHANGES and term["value"] == VIRTUOSO_CHANGES[(name, variable)][0]:
                term["value"] = VIRTUOSO_CHANGES[(name, variable)][1]
                changed = True
    return json.dumps(results) if changed else local


@pytest.mark.parametrize("scope", ["named graph", "default graph"])
def test_shipped_queries_answer_as_the_embedded_store(store: Store, built: Path, scope: str) -> None:
    graph = ["--graph", GRAPH] if scope == "named graph" else []
    store = store.scoped(scope)
    assert load(store, built / publish.NTRIPLES, *graph)[0] == 0
    local = store_from_files([built / publish.NTRIPLES])
    changed = set()
    for path in sorted(resources.queries_dir().glob("*.rq")):
        status, out, err = omskg("query", "--file", str(path), "--endpoint", store.sparql, *graph, "--format", "json")
        assert (status, err) == (0, ""), path.name
        expected = run(local, path.read_text(encoding="utf-8"), "json")
        if store.name == "virtuoso":
            if virtuoso_as_stored(path.stem, expected) != expected:
                changed.add(path.stem)
            expected = virtuoso_as_stored(path.stem, expected)
        assert answers(out) == answers(expected), (store.name, path.name)
        assert answers(out), path.name
    # the known change is there (if Virtuoso stops making it, the README must say so)
    assert changed == ({"epidemiology"} if store.name == "virtuoso" else set())


def test_shipped_query_files_run_as_they_are(store: Store, built: Path) -> None:
    """Each file, byte for byte, as a user would paste it into the store's query page: no
    prefix added by omskg."""
    assert load(store, built / publish.NTRIPLES, "--graph", GRAPH)[0] == 0
    for path in sorted(resources.queries_dir().glob("*.rq")):
        form = {"query": path.read_text(encoding="utf-8"), "default-graph-uri": GRAPH}
        response = httpx.post(store.sparql, data=form, headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert response.status_code == 200, (path.name, response.text[:300])
        assert response.json()["results"]["bindings"], path.name


def test_empty_answer_says_why(store: Store, built: Path) -> None:
    assert load(store, built / publish.NTRIPLES, "--graph", GRAPH)[0] == 0
    status, out, err = omskg("query", "symptoms", "--endpoint", store.sparql, "--graph", "http://example.org/nothing")
    assert status == 0 and out.endswith("(0 rows)\n")
    assert err == (
        "omskg query: no answers in graph <http://example.org/nothing>; is that the graph `omskg load --graph` "
        "wrote? (check: SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } })\n"
    )
    status, out, err = omskg("query", "symptoms", "--endpoint", store.sparql, "--graph", GRAPH)
    assert status == 0 and "(9 rows)" in out and err == ""


def console_blocks(after: str) -> list[list[str]]:
    """The ```console blocks of the README's section `after`, as lines."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(after):]
    section = section[: section.index("\n## ", 1)]
    return [block.splitlines() for block in re.findall(r"```console\n(.*?)```", section, re.S)]


def commands_and_outputs(block: list[str]) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    for line in block:
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        else:
            steps[-1] = (steps[-1][0], steps[-1][1] + line + "\n")
    return steps


def run_readme_omskg(command: str, port_of: dict[str, str], env: dict[str, str | None]) -> tuple[int, str, str]:
    for address, here in port_of.items():
        command = command.replace(address, here)
    words = shlex.split(command.split("#")[0])
    assert words[0] == "omskg"
    return omskg(*words[1:], env=env)


def test_readme_oxigraph_example_word_for_word(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Oxigraph example, run as written (only the port is a free one), with the
    published dist/ in the repository; each command prints exactly what the README shows."""
    monkeypatch.chdir(REPO)
    oxigraph_block = console_blocks("## Into your triple store")[0]
    (serve, _), *steps = commands_and_outputs(oxigraph_block)
    words = shlex.split(serve.split("&")[0])
    assert words[:2] == ["oxigraph", "serve"]
    with oxigraph_server(*words[1:], cwd=tmp_path) as url:
        port_of = {"http://localhost:7878": url}
        assert len(steps) == 2
        for command, shown in steps:
            status, out, err = run_readme_omskg(command, port_of, {"OMSKG_PASSWORD": None, "OMSKG_TOKEN": None})
            assert (status, out, err) == (0, shown, ""), command
        # the same query without --graph sees Oxigraph's default graph, which is empty: said on stderr
        status, out, err = omskg("query", "symptoms", "--endpoint", f"{url}/query")
        assert status == 0 and out.endswith("(0 rows)\n")
        assert "no answers in the store's default graph" in err and "add --graph IRI" in err
    assert (tmp_path / "store").is_dir()


def test_readme_virtuoso_example_word_for_word(virtuoso: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    (block_oxigraph, block_virtuoso) = console_blocks("## Into your triple store")
    table = commands_and_outputs(block_oxigraph)[-1][1]
    (export_line, _), (load_command, load_shown), (query_command, query_shown) = commands_and_outputs(block_virtuoso)
    assert export_line.startswith("export OMSKG_PASSWORD=")
    assert virtuoso.virtuoso is not None
    port_of = {"http://localhost:8890": virtuoso.virtuoso.url}
    env: dict[str, str | None] = {"OMSKG_PASSWORD": virtuoso.password, "OMSKG_USER": None, "OMSKG_TOKEN": None}
    monkeypatch.chdir(REPO)
    assert run_readme_omskg(load_command, port_of, env) == (0, load_shown, "")
    assert query_shown == ""  # the README says: the same 9 rows
    assert run_readme_omskg(query_command, port_of, env) == (0, table, "")


def bulk_recipe(store: str) -> str:
    """The README's bulk-load recipe for a store: the code in its row of the table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith(f"| {store} | ") and "recipe" not in line]
    code = re.findall(r"`([^`]*)`", row.split(" | ")[1])
    return code[-1]


def readme_count_query() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    (query,) = re.findall(r"Check a load with `([^`]*)`", text)
    return query


def void_triples(built: Path) -> int:
    text = (built / "omskg.dataset.ttl").read_text(encoding="utf-8")
    return max(int(n) for n in re.findall(r"void:triples (\d+)", text))


def test_oxigraph_bulk_load_recipe(tmp_path: Path, built: Path) -> None:
    recipe = shlex.split(bulk_recipe("Oxigraph"))
    assert recipe[0] == "oxigraph"
    (tmp_path / "dist").mkdir()
    shutil.copy(built / publish.NTRIPLES, tmp_path / "dist" / publish.NTRIPLES)
    subprocess.run([oxigraph_binary(), *recipe[1:]], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    with oxigraph_server("serve-read-only", "--location", "store", cwd=tmp_path) as url:
        assert count(Store("oxigraph", "", f"{url}/query"), query=readme_count_query()) == void_triples(built)
    assert void_triples(built) == ntriples_count(built)


def test_virtuoso_bulk_load_recipe(virtuoso: Store, built: Path) -> None:
    assert virtuoso.virtuoso is not None
    server = virtuoso.virtuoso
    recipe = bulk_recipe("Virtuoso")
    assert recipe.startswith("ld_dir('/data/omskg', 'omskg.nt', ")
    graph = re.findall(r"'(https?://[^']*)'", recipe)[0]
    server.isql(f"SPARQL CLEAR GRAPH <{graph}>;")
    assert count(virtuoso, query=readme_count_query()) == 0
    shutil.copy(built / publish.NTRIPLES, server.load_dir / publish.NTRIPLES)  # a folder in DirsAllowed
    server.isql(recipe.replace("/data/omskg", str(server.load_dir)))
    assert count(virtuoso, query=readme_count_query()) == void_triples(built)


def test_virtuoso_digest_credentials_refused_or_missing(virtuoso: Store, built: Path) -> None:
    data = str(built / publish.NTRIPLES)
    wrong = "not-" + (virtuoso.password or "")
    status, out, err = omskg("load", "--endpoint", virtuoso.gsp, "--user", "dba", "--data", data, "--graph", GRAPH,
                             env={"OMSKG_PASSWORD": wrong, "OMSKG_TOKEN": None})
    assert status == 3 and out == ""
    assert err.endswith("answered 401 Unauthorized: the store refused the Digest credentials of user 'dba'\n")
    assert wrong not in err and len(err.splitlines()) == 1
    status, _, err = omskg("load", "--endpoint", virtuoso.gsp, "--data", data, "--graph", GRAPH,
                           env={"OMSKG_USER": None, "OMSKG_PASSWORD": None, "OMSKG_TOKEN": None})
    assert status == 3 and err.endswith(
        "answered 401 Unauthorized: the store asks for credentials (Digest): give --user with OMSKG_PASSWORD, "
        "or OMSKG_TOKEN\n")


def test_virtuoso_without_a_default_graph_is_one_line(virtuoso: Store, built: Path) -> None:
    """Virtuoso's own words, once, when its Graph Store endpoint has no default graph (here:
    reached by 127.0.0.1, a host name it has no default graph for)."""
    status, _, err = omskg("load", "--endpoint", virtuoso.gsp, "--user", "dba", "--data", str(built / publish.NTRIPLES),
                           env=virtuoso.env())
    assert status == 3 and len(err.splitlines()) == 1
    assert "answered 500" in err and "not configured to have default graph" in err and "<" not in err.split("answered")[1]


def test_a_wrong_path_on_a_real_store_is_one_line(store: Store, built: Path) -> None:
    wrong = store.gsp.rsplit("/", 1)[0] + "/no-such-endpoint"
    status, _, err = load(Store(store.name, wrong, store.sparql, store.user, store.password), built / publish.NTRIPLES,
                          "--graph", GRAPH)
    answer = {"oxigraph": "answered 404 Not Found", "virtuoso": "answered 501 Method Not Implemented"}[store.name]
    assert status == 3 and answer in err and len(err.splitlines()) == 1
