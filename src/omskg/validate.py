"""The SHACL gate: the shapes of shapes/ over a graph with the ontology mixed in, as a
readable outcome. Two engines give the same outcome: "fast" (omskg.shacl, the default)
and "pyshacl" (the reference)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal as OneOf

import pyoxigraph as ox
from rdflib import RDF, Graph, Node, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode

from omskg import resources, shacl
from omskg.graph import ontology_triples
from omskg.rdf import DEFAULT_MAX_BYTES, as_rdflib, of_rdflib, read_rdf
from omskg.vocab import SH, load_vocabulary, shorten, shortener_for

Engine = OneOf["fast", "pyshacl"]


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, reduced to what a curator needs to find and fix it."""

    focus: str
    path: str
    component: str
    message: str
    value: str
    severity: str

    def __str__(self) -> str:
        value = f" value={self.value}" if self.value else ""
        return f"{self.severity}: {self.focus} {self.path} [{self.component}]{value}: {self.message}"


@dataclass(frozen=True)
class Outcome:
    conforms: bool
    violations: tuple[Violation, ...]


@cache
def shapes_graph(directory: Path | None = None) -> Graph:
    graph = Graph(bind_namespaces="none")
    for path in sorted((directory or resources.shapes_dir()).glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return shorten(str(node), shortener_for({"sh": str(SH)}))
    if isinstance(node, BNode):
        # a complex path (e.g. sh:alternativePath) in the shapes graph
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "|".join(_short(graph, n) for n in Collection(graph, alternatives))
        return "[blank node]"
    text = str(node)
    return repr(text if len(text) <= 60 else text[:57] + "...")


@cache
def _compiled_default_shapes() -> list[shacl.NodeShape]:
    return shacl.compile_shapes(shapes_graph())


def validate_triples(
    triples: Set[ox.Triple], shapes: Graph | None = None, engine: Engine = "fast"
) -> Outcome:
    """Validate a set of triples (the ontology is added where it is missing)."""
    ontology = ontology_triples(load_vocabulary())
    if not ontology <= triples:
        triples = triples | ontology
    if engine == "pyshacl":
        return _pyshacl(as_rdflib(triples), shapes)
    compiled = _compiled_default_shapes() if shapes is None else shacl.compile_shapes(shapes)
    results = shacl.validate(shacl.DataGraph(triples), compiled)
    shapes = shapes if shapes is not None else shapes_graph()
    violations = {
        Violation(
            focus=_short(shapes, shacl.to_rdflib(r.focus)),
            path=_short(shapes, r.path),
            component=r.component,
            message=r.message,
            value=_short(shapes, shacl.to_rdflib(r.value) if r.value is not None else None),
            severity=_short(shapes, r.severity).removeprefix("sh:"),
        )
        for r in results
    }
    return Outcome(not violations, tuple(sorted(violations)))


def validate_graph(data: Graph, shapes: Graph | None = None, engine: Engine = "fast") -> Outcome:
    """Validate an rdflib Graph (the ontology is mixed in)."""
    if engine == "pyshacl":
        return _pyshacl(data + load_vocabulary().graph, shapes)
    return validate_triples(of_rdflib(data), shapes)


def _pyshacl(data: Graph, shapes: Graph | None) -> Outcome:
    import pyshacl  # heavy: imported only when this engine runs

    shapes = shapes if shapes is not None else shapes_graph()
    # The ontology is mixed in by hand: sh:class and the SPARQL constraints need its
    # classes, ranges and controlled values in the graph they query.
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    assert isinstance(report, Graph)
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=_short(report, report.value(result, SH.focusNode)),
                path=_short(report + shapes, report.value(result, SH.resultPath)),
                component=_short(report, component).removeprefix("sh:"),
                message=str(report.value(result, SH.resultMessage) or ""),
                value=_short(report, report.value(result, SH.value)),
                severity=_short(report, severity).removeprefix("sh:"),
            )
        )
    return Outcome(bool(conforms), tuple(sorted(set(violations))))


def validate_files(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES, engine: Engine = "fast") -> Outcome:
    return validate_triples(read_rdf(paths, max_bytes), engine=engine)
