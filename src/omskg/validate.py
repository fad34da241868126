"""The SHACL gate: pyshacl over a graph, with the ontology mixed in, as a readable outcome."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, Graph, Node, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode

from omskg import resources
from omskg.vocab import NAMESPACES, SH, load_vocabulary


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
        for prefix, namespace in (*NAMESPACES.items(), ("sh", SH)):
            if str(node).startswith(str(namespace)) and str(node) != str(namespace):
                return f"{prefix}:{str(node)[len(str(namespace)) :]}"
        return f"<{node}>"
    if isinstance(node, BNode):
        # a complex path (e.g. sh:alternativePath) in the shapes graph
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "|".join(_short(graph, n) for n in Collection(graph, alternatives))
        return "[blank node]"
    text = str(node)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def validate_graph(data: Graph, shapes: Graph | None = None) -> Outcome:
    import pyshacl  # heavy: imported only when validation runs

    shapes = shapes if shapes is not None else shapes_graph()
    # The ontology is mixed in by hand: sh:class and the SPARQL constraints need its
    # classes, ranges and controlled values in the graph they query.
    conforms, report, _ = pyshacl.validate(
        data + load_vocabulary().graph,
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


def validate_files(paths: list[Path]) -> Outcome:
    data = Graph(bind_namespaces="none")
    for path in paths:
        data.parse(path, format=rdf_format(path))
    return validate_graph(data)


FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".nq": "nquads",
    ".trig": "trig",
}


def rdf_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"{path}: unknown RDF format {path.suffix!r} (known endings: {known})") from None
