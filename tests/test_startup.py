"""Start-up: each command imports what it uses and no more (checked in a fresh process), the
ontology read by Oxigraph is the graph rdflib's parser reads, and a command's process ends
without a last walk of the cycle collector over what it made."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph
from rdflib.compare import isomorphic

from omskg import publish, resources
from omskg.vocab import read_turtle

#: Runs the command line in this process, then prints the modules it imported.
RUN_AND_LIST_MODULES = """
import json, runpy, sys
sys.argv = ["omskg", *sys.argv[1:]]
try:
    runpy.run_module("omskg.cli", run_name="__main__")
except SystemExit as stop:
    assert not stop.code, stop.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

#: What no command below needs: the server, the remote store's client, drawings, the
#: reference SHACL engine and rdflib's SPARQL (pyparsing).
NEVER = {"hypercorn", "httpx", "drawsvg", "pyshacl", "rdflib.plugins.sparql", "pyparsing",
         "omskg.serve", "omskg.site", "omskg.remote", "omskg.query", "omskg.diff", "omskg.draft"}


def imported(*args: str, cwd: Path | None = None) -> set[str]:
    ran = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
                         capture_output=True, text=True, timeout=300, cwd=cwd)
    assert ran.returncode == 0, ran.stderr
    modules: list[str] = json.loads(ran.stderr.splitlines()[-1])
    return set(modules)


def test_help_imports_no_rdf_library() -> None:
    modules = imported("--help")
    heavy = {"rdflib", "pyoxigraph", "curies", "pydantic", "yaml", "omskg.build", "omskg.vocab"}
    assert not modules & (heavy | NEVER)


def test_a_build_of_one_file_imports_only_what_it_uses(tmp_path: Path) -> None:
    modules = imported("build", "--out", str(tmp_path / "dist"), cwd=tmp_path)
    assert {"omskg.build", "rdflib", "pyoxigraph", "curies"} <= modules  # (the check checks)
    # below PARALLEL_FILES fact files there are no workers: no process pool
    assert not modules & (NEVER | {"concurrent.futures.process", "multiprocessing"})


def test_validate_of_a_conforming_graph_needs_no_shortener(tmp_path: Path, built: Path) -> None:
    """curies (and pydantic with it) is imported where a converter is first made: a graph
    that conforms has no result to shorten."""
    modules = imported("validate", str(built / publish.TURTLE), cwd=tmp_path)
    assert "omskg.validate" in modules
    assert not modules & ({"curies", "pydantic"} | NEVER)


def test_the_shortener_is_made_and_curies_imported_on_first_use() -> None:
    code = (
        "import sys\n"
        "from omskg import vocab\n"
        "before = 'curies' in sys.modules or 'pydantic' in sys.modules\n"
        "short = vocab.shorten(str(vocab.OMSKG.Symptom))\n"
        "print(before, short, 'curies' in sys.modules, vocab.shortener() is vocab.shortener())\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert ran.stdout.split() == ["False", "omskg:Symptom", "True", "True"]


def test_a_command_process_ends_with_the_collector_frozen(tmp_path: Path) -> None:
    """The exit handler registered first runs last: by then the command's objects are
    frozen out of the interpreter's final collections."""
    code = (
        "import atexit, gc, runpy, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "sys.argv = ['omskg', 'queries']\n"
        "runpy.run_module('omskg.cli', run_name='__main__')\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.splitlines()[-1] == "frozen True"


# ---------------------------------------------------------------- the ontology by Oxigraph


def _rdflib(path: Path) -> Graph:
    graph = Graph(bind_namespaces="none")
    graph.parse(path, format="turtle")
    return graph


def test_the_ontology_read_by_oxigraph_is_what_rdflib_reads() -> None:
    path = resources.ontology_file()
    ours, theirs = read_turtle(path), _rdflib(path)
    assert len(ours) == len(theirs) > 300
    assert set(ours) == set(theirs)
    assert sorted(ours.namespaces()) == sorted(theirs.namespaces())


def test_blank_nodes_relative_iris_and_shorthand_literals_read_as_rdflib_reads(tmp_path: Path) -> None:
    path = tmp_path / "sample.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<relative> ex:p _:a , [ ex:q ( 1 2.50 3e0 true ) ] .\n"
        "_:a ex:r \"01\"^^xsd:integer , \"1.0\"^^xsd:double , \"yes\"^^xsd:boolean , \"x\\ty\\u00e9\"@en-gb ,\n"
        "    \"\"\"two\nlines\"\"\" , \"2024-02-30\"^^xsd:date , \"\" .\n",
        encoding="utf-8",
    )
    ours, theirs = read_turtle(path), _rdflib(path)
    assert isomorphic(ours, theirs)
    assert sorted(ours.namespaces()) == sorted(theirs.namespaces())

    def blank_nodes(graph: Graph) -> set[BNode]:
        return {term for triple in graph for term in triple if isinstance(term, BNode)}

    assert blank_nodes(ours) and not blank_nodes(ours) & blank_nodes(read_turtle(path))  # new ones per read


LEXICAL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
DATATYPES = st.sampled_from(["integer", "decimal", "double", "boolean", "date", "dateTime", "string",
                             "nonNegativeInteger", "token", "anyURI"])


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or c in '"\\' else c for c in text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(LEXICAL, st.one_of(DATATYPES, st.sampled_from(["@en", "@de-ch", ""]))),
                min_size=1, max_size=8))
def test_literals_are_normalised_as_rdflib_normalises_them(tmp_path_factory: pytest.TempPathFactory,
                                                           literals: list[tuple[str, str]]) -> None:
    lines = ["@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ."]
    for number, (lexical, kind) in enumerate(literals):
        tail = kind if kind.startswith("@") or not kind else f"^^xsd:{kind}"
        if kind == "string":
            tail = ""  # rdflib keeps "x"^^xsd:string apart from "x"; RDF 1.1 and Oxigraph do not
        lines.append(f'<http://example.org/s> <http://example.org/p{number}> "{_escaped(lexical)}"{tail} .')
    path = tmp_path_factory.mktemp("literals") / "literals.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert set(read_turtle(path)) == set(_rdflib(path))
