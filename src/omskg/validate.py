"""The SHACL gate: the shapes of shapes/ over a graph with the ontology mixed in, as a
readable outcome. Two engines give the same outcome: "fast" (omskg.shacl, the default)
and "pyshacl" (the reference). ``part_conforms``: the yes/no a build's workers need, by
the quick check where it decides; ``shown_to_conform``: its yes alone (a build of a few files
asks it of the whole graph, and has the engine's report otherwise)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal as OneOf

import pyoxigraph as ox
from rdflib import RDF, XSD, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode, Identifier

from omskg import resources, shacl
from omskg.graph import ontology_triples
from omskg.rdf import DEFAULT_MAX_BYTES, as_rdflib, of_rdflib, parse_ntriples, read_rdf
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
class ReportResult:
    """One result as the standard report has it: data terms (focus, value) as written; the
    path, shape and source constraint as nodes of ``Outcome.shapes``."""

    focus: Identifier
    path: Node | None
    component: URIRef
    severity: URIRef
    value: Identifier | None
    message: str
    shape: Node | None
    source: Node | None


@dataclass(frozen=True)
class Outcome:
    conforms: bool
    violations: tuple[Violation, ...]
    # With ``full=True`` only: every result, and the graph that describes their blank nodes.
    results: tuple[ReportResult, ...] = field(default=(), compare=False)
    shapes: Graph | None = field(default=None, compare=False)


def parse_shapes(paths: list[Path]) -> Graph:
    """Shapes files (Turtle, N-Triples, JSON-LD...) as one graph, literals as written."""
    graph = Graph(store="SimpleMemory", bind_namespaces="none")  # (read only, no contexts: faster to fill)
    terms: dict[shacl.Term, Node] = {}

    def term(node: shacl.Term) -> Node:  # (most terms recur)
        found = terms.get(node)
        if found is None:
            found = terms[node] = shacl.to_rdflib(node)
        return found

    with shacl.as_written():
        graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in read_rdf(paths))
    return graph


@cache
def shapes_graph(directory: Path | None = None) -> Graph:
    return parse_shapes(sorted((directory or resources.shapes_dir()).glob("*.ttl")))


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


def _compiled_default_shapes() -> list[shacl.NodeShape]:
    """The omskg shapes, compiled once (a build does it before it forks its workers)."""
    return _default_shapes()[0]


def _quick_default() -> shacl.Checker | None:
    """The quick check of the omskg shapes, the ontology indexed (made with them)."""
    return _default_shapes()[1]


@cache
def _default_shapes() -> tuple[list[shacl.NodeShape], shacl.Checker | None]:
    compiled = shacl.compile_shapes(shapes_graph())
    ontology = sorted(str(t) for t in ontology_triples(load_vocabulary()))
    return compiled, shacl.quick_checker(compiled, ontology)


def _quick_answer(lines: shacl.Lines) -> bool | None:
    """The quick check's yes or no for the lines (``str()`` of each triple, once each, or
    their terms by line) with the ontology; None where it cannot tell."""
    quick = _quick_default()
    try:
        return None if quick is None else quick(lines)
    except shacl.Unsure:
        return None


def shown_to_conform(lines: Iterable[str]) -> bool:
    """True where the quick check shows that the lines with the ontology conform to the
    omskg shapes; False where they do not, or where it cannot tell (the engine decides
    then, and gives the report)."""
    return _quick_answer(lines) is True


def part_conforms(lines: shacl.Lines, ntriples: bytes | Callable[[], bytes]) -> bool:
    """Do a part's triples, with the ontology, conform to the omskg shapes? ``lines``: str()
    of each triple, once each, or their terms by line (``TripleLines.rows``); ``ntriples``:
    the same triples and the ontology's as N-Triples, or what makes them when asked. The
    quick check (omskg.shacl.quick) answers from the lines where it can, else the engine
    (``validate_triples(triples, ntriples=ntriples).conforms``, the text made and its
    triples read only then)."""
    answer = _quick_answer(lines)
    if answer is not None:
        return answer
    text = ntriples() if callable(ntriples) else ntriples
    return validate_triples(parse_ntriples(text), ntriples=text).conforms


def validate_triples(
    triples: Set[ox.Triple], shapes: Graph | None = None, engine: Engine = "fast",
    ontology: bool = True, full: bool = False, ntriples: bytes | None = None,
) -> Outcome:
    """Validate a set of triples against ``shapes`` (default: the omskg shapes). With
    ``ontology`` the omskg ontology is added where it is missing; with ``full`` the outcome
    keeps every result for a report (``report_turtle``). ``ntriples``: the same triples
    (the ontology included, where it is added) as N-Triples, if at hand, for the fast
    engine's SPARQL store."""
    if ontology:
        vocabulary = ontology_triples(load_vocabulary())
        if not vocabulary <= triples:
            triples = triples | vocabulary
    if engine == "pyshacl":
        with shacl.as_written():
            data = as_rdflib(triples)
        return _pyshacl(data, shapes, full)
    compiled = _compiled_default_shapes() if shapes is None else shacl.compile_shapes(shapes)
    results = shacl.validate(shacl.DataGraph(triples, ntriples), compiled)
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
    report: tuple[ReportResult, ...] = ()
    if full:
        report = tuple(
            ReportResult(
                shacl.to_rdflib(r.focus), r.path,
                URIRef(r.component) if ":" in r.component else SH[r.component],
                URIRef(str(r.severity)), shacl.to_rdflib(r.value) if r.value is not None else None,
                r.message, r.shape, r.source,
            )
            for r in results
        )
    return Outcome(not results, tuple(sorted(violations)), report, shapes if full else None)


def validate_graph(data: Graph, shapes: Graph | None = None, engine: Engine = "fast") -> Outcome:
    """Validate an rdflib Graph (the ontology is mixed in)."""
    if engine == "pyshacl":
        return _pyshacl(data + load_vocabulary().graph, shapes)
    return validate_triples(of_rdflib(data), shapes)


def _pyshacl(data: Graph, shapes: Graph | None, full: bool = False) -> Outcome:
    import pyshacl  # heavy: imported only when this engine runs

    shapes = shapes if shapes is not None else shapes_graph()
    # The ontology is mixed in by hand: sh:class and the SPARQL constraints need its
    # classes, ranges and controlled values in the graph they query.
    try:
        conforms, report, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=False,
        )
    except Exception as error:  # pyshacl's own errors share no public base class
        raise shacl.ShapesError(f"pyshacl: {error}") from None
    assert isinstance(report, Graph)
    described = report + shapes
    violations = []
    results = []
    # the report's own results (not the sh:detail results of nested shapes under them)
    for result in report.objects(report.value(None, RDF.type, SH.ValidationReport), SH.result):
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        message = str(report.value(result, SH.resultMessage) or "")
        violations.append(
            Violation(
                focus=_short(report, report.value(result, SH.focusNode)),
                path=_short(described, report.value(result, SH.resultPath)),
                component=_short(report, component).removeprefix("sh:"),
                message=message,
                value=_short(report, report.value(result, SH.value)),
                severity=_short(report, severity).removeprefix("sh:"),
            )
        )
        if full:
            focus = report.value(result, SH.focusNode)
            assert isinstance(focus, Identifier)
            assert isinstance(component, URIRef) and isinstance(severity, URIRef)
            value = report.value(result, SH.value)
            results.append(ReportResult(
                focus, report.value(result, SH.resultPath), component, severity,
                value if isinstance(value, Identifier) else None, message,
                report.value(result, SH.sourceShape), report.value(result, SH.sourceConstraint),
            ))
    return Outcome(
        bool(conforms), tuple(sorted(set(violations))), tuple(results), described if full else None
    )


# ---------------------------------------------------------------- the standard report, as Turtle


def _nt(term: Identifier, labels: dict[str, str]) -> str:
    """A data term in N-Triples syntax, as written; a blank node by its label in the report."""
    if isinstance(term, BNode):
        return labels.setdefault(str(term), f"_:b{len(labels) + 1}")
    return str(shacl._ox(term))


_SHORT = {str(SH): "sh:", str(XSD): "xsd:", str(RDF): "rdf:"}


def _describe(graph: Graph, node: Node, indent: str, seen: frozenset[Node] = frozenset()) -> str:
    """A node of the shapes graph, its blank nodes written out (lists as lists), sorted."""
    if isinstance(node, URIRef):
        for namespace, prefix in _SHORT.items():
            local = str(node)[len(namespace):]
            if str(node).startswith(namespace) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", local):
                return prefix + local
        return f"<{node}>"
    if not isinstance(node, BNode):
        return str(shacl._ox(node))
    if node in seen:
        return "[]"  # a cycle of blank nodes: not written twice
    seen = seen | {node}
    if (node, RDF.first, None) in graph:
        items = (_describe(graph, item, indent, seen) for item in Collection(graph, node))
        return "( " + " ".join(items) + " )"
    pairs = sorted(
        (_describe(graph, p, indent, seen), _describe(graph, o, indent + "    ", seen))
        for p, o in graph.predicate_objects(node)
    )
    if not pairs:
        return "[]"
    inner = indent + "    "
    return "[\n" + " ;\n".join(f"{inner}{p} {o}" for p, o in pairs) + f"\n{indent}]"


def report_turtle(outcome: Outcome) -> str:
    """The outcome as a standard sh:ValidationReport in Turtle: the same results always give
    the same bytes (results sorted; blank nodes of the data relabelled in that order)."""
    graph = outcome.shapes if outcome.shapes is not None else Graph()
    indent = " " * 8

    def body(result: ReportResult, labels: dict[str, str]) -> list[tuple[str, str]]:
        lines = [("sh:focusNode", _nt(result.focus, labels))]
        if result.path is not None:
            lines.append(("sh:resultPath", _describe(graph, result.path, indent)))
        lines.append(("sh:resultSeverity", _describe(graph, result.severity, indent)))
        lines.append(("sh:sourceConstraintComponent", _describe(graph, result.component, indent)))
        if result.shape is not None:
            lines.append(("sh:sourceShape", _describe(graph, result.shape, indent)))
        if result.value is not None:
            lines.append(("sh:value", _nt(result.value, labels)))
        if result.message:
            lines.append(("sh:resultMessage", str(shacl._ox(Literal(result.message)))))
        if result.source is not None:
            lines.append(("sh:sourceConstraint", _describe(graph, result.source, indent)))
        return lines

    def key(result: ReportResult) -> list[tuple[str, str]]:
        return [(p, re.sub(r"_:b\d+", "_:", o)) for p, o in body(result, {})]

    labels: dict[str, str] = {}
    blocks: list[str] = []
    for result in sorted(outcome.results, key=key):
        lines = body(result, labels)
        blocks.append(
            "    [\n        a sh:ValidationResult ;\n"
            + " ;\n".join(f"        {p} {o}" for p, o in lines)
            + "\n    ]"
        )
    head = (
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        "[] a sh:ValidationReport ;\n"
        f"    sh:conforms {'true' if outcome.conforms else 'false'}"
    )
    if not blocks:
        return head + " .\n"
    return head + " ;\n    sh:result\n" + " ,\n".join(blocks) + " .\n"


def validate_files(
    paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES, engine: Engine = "fast",
    shapes: list[Path] | None = None, full: bool = False,
) -> Outcome:
    """Validate RDF files against the omskg shapes (the ontology mixed in), or against the
    shapes in ``shapes`` (the data alone)."""
    data = read_rdf(paths, max_bytes)
    if shapes:
        return validate_triples(data, parse_shapes(shapes), engine, ontology=False, full=full)
    return validate_triples(data, engine=engine, full=full)
