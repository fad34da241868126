"""The W3C SHACL test suite (github.com/w3c/data-shapes, data-shapes-test-suite/tests/), read
at run time from the folder named by OMSKG_SHACL_SUITE; it is not part of this repository.

Each test is judged as "pass" (the expected report: conforms, and the set of focus node,
path, component, severity and value; or a failure where the test expects one), "refused"
(the engine declined the shapes: for the fast engine, UnsupportedShape; for pyshacl, any
error) or "wrong" (anything else, including an error the fast engine raises for a shapes
graph the test calls valid).

    OMSKG_SHACL_SUITE=/path/to/data-shapes-test-suite/tests python tests/w3c_suite.py
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Identifier, Node

from omskg import shacl
from omskg.graph import of_rdflib
from omskg.validate import Outcome, _pyshacl, validate_triples
from omskg.vocab import SH

SUITE = "OMSKG_SHACL_SUITE"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

Key = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Case:
    name: str  # e.g. core/node/minInclusive-003
    section: str  # core or sparql
    data: Path
    shapes: Path
    failure: bool  # the test expects a failure (an ill-formed shapes graph)
    conforms: bool
    expected: tuple[Key, ...]


def suite_folder() -> Path | None:
    folder = os.environ.get(SUITE)
    return Path(folder) if folder and (Path(folder) / "manifest.ttl").is_file() else None


def _parse(path: Path) -> Graph:
    graph = Graph(bind_namespaces="none")
    with shacl.as_written():
        graph.parse(path, format="turtle", publicID=path.resolve().as_uri())
    return graph


def _term(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "[]"
    if isinstance(node, Literal):
        return str(shacl._ox(node))
    return f"<{node}>"


def _path(graph: Graph, node: Node | None) -> str:
    """A path as text, whatever graph holds its blank nodes."""
    if node is None:
        return ""
    if not isinstance(node, BNode):
        return _term(node)
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(_path(graph, n) for n in Collection(graph, node)) + ")"
    for kind, mark in ((SH.inversePath, "^"), (SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                       (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, kind)
        if inner is not None:
            return f"{mark}{_path(graph, inner)}"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(graph, n) for n in Collection(graph, alternatives)) + ")"
    return "[]"


def cases(folder: Path) -> list[Case]:
    found: list[Case] = []
    todo = [folder / "manifest.ttl"]
    while todo:
        manifest_path = todo.pop(0)
        graph = _parse(manifest_path)
        for manifest in graph.subjects(RDF.type, MF.Manifest):
            for include in graph.objects(manifest, MF.include):
                todo.append(Path(str(include).removeprefix("file://")))
            for entries in graph.objects(manifest, MF.entries):
                for entry in Collection(graph, entries):
                    found.append(_case(folder, graph, entry))
    return found


def _case(folder: Path, graph: Graph, entry: Node) -> Case:
    action = graph.value(entry, MF.action)
    data = Path(str(graph.value(action, SHT.dataGraph)).removeprefix("file://"))
    shapes = Path(str(graph.value(action, SHT.shapesGraph)).removeprefix("file://"))
    name = str(Path(str(entry).removeprefix("file://")).relative_to(folder.resolve()))
    result = graph.value(entry, MF.result)
    if result == SHT.Failure:
        return Case(name, name.split("/")[0], data, shapes, True, False, ())
    expected = tuple(
        (
            _term(graph.value(r, SH.focusNode)),
            _path(graph, graph.value(r, SH.resultPath)),
            _term(graph.value(r, SH.sourceConstraintComponent)),
            _term(graph.value(r, SH.resultSeverity)),
            _term(graph.value(r, SH.value)),
        )
        for r in graph.objects(result, SH.result)
    )
    conforms = str(graph.value(result, SH.conforms)) == "true"
    return Case(name, name.split("/")[0], data, shapes, False, conforms, expected)


def _keys(outcome: Outcome) -> Counter[Key]:
    graph = outcome.shapes if outcome.shapes is not None else Graph()
    # A multiset: a report may hold two results alike in these five (two sh:class of one
    # shape, one pair each of sh:lessThan), and the tests list both.
    return Counter(
        (_term(r.focus), _path(graph, r.path), _term(r.component), _term(r.severity), _term(r.value))
        for r in outcome.results
    )


def run(case: Case, engine: str) -> tuple[str, str]:
    """("pass" | "refused" | "wrong", what happened)."""
    data_graph = _parse(case.data)
    shapes_graph = data_graph if case.shapes == case.data else _parse(case.shapes)
    try:
        if engine == "fast":
            outcome = validate_triples(of_rdflib(data_graph), shapes_graph, "fast", ontology=False, full=True)
        else:
            outcome = _pyshacl(data_graph, shapes_graph, full=True)
    except shacl.UnsupportedShape as error:
        return ("pass" if case.failure else "refused"), str(error)
    except shacl.ShapesError as error:
        if case.failure:
            return "pass", str(error)
        return ("refused" if engine == "pyshacl" else "wrong"), str(error)
    except Exception as error:  # noqa: BLE001 - an engine's crash is a refusal, reported
        if engine == "fast":
            return "wrong", f"{type(error).__name__}: {error}"
        return ("pass" if case.failure else "refused"), f"{type(error).__name__}: {error}"
    if case.failure:
        return "wrong", "a report where the test expects a failure"
    got, expected = _keys(outcome), Counter(case.expected)
    if outcome.conforms == case.conforms and got == expected:
        return "pass", ""
    return "wrong", (
        f"conforms {outcome.conforms} (expected {case.conforms}); "
        f"extra {sorted((got - expected).elements())}; missing {sorted((expected - got).elements())}"
    )


def tally(engine: str, folder: Path, verbose: bool = False) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {"core": Counter(), "sparql": Counter()}
    for case in cases(folder):
        verdict, detail = run(case, engine)
        counts[case.section][verdict] += 1
        if verbose and verdict != "pass":
            print(f"{engine} {verdict}: {case.name}: {detail[:400]}")
    return counts


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)  # rdflib logs a traceback for every ill-typed literal
    warnings.simplefilter("ignore")
    root = suite_folder()
    if root is None:
        sys.exit(f"set {SUITE} to the suite's tests/ folder (holding manifest.ttl)")
    for engine in sys.argv[1:] or ["fast", "pyshacl"]:
        for section, count in tally(engine, root, verbose=True).items():
            print(f"{engine} {section}: pass {count['pass']}, refused {count['refused']}, wrong {count['wrong']}")


__all__ = ["Case", "URIRef", "Identifier", "cases", "run", "suite_folder", "tally"]
