"""SHACL property paths: compiled from the shapes graph, followed either way, written as SPARQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import RDF, Graph, Node
from rdflib.collection import Collection

from omskg.shacl.data import DataGraph
from omskg.shacl.quick_paths import PathSpec, closure
from omskg.shacl.terms import ShapesError, Term, Values
from omskg.vocab import SH

PathFn = Callable[["DataGraph", Term], Values]


def _unique(values: Iterable[Term]) -> Values:
    return list(dict.fromkeys(values))


@dataclass
class Path:
    """A SHACL property path: its node in the shapes graph, both directions, SPARQL syntax,
    and its steps for the quick check (``quick_graph.walk``)."""

    node: Node
    forward: PathFn
    backward: PathFn
    sparql: str
    spec: PathSpec


def _compile_path(g: Graph, node: Node, depth: int = 0) -> Path:
    if depth > 50:
        raise ShapesError(f"path {node}: nested too deeply (a cycle?)")
    if isinstance(node, rdflib.URIRef):
        predicate = ox.NamedNode(str(node))
        return Path(
            node,
            lambda data, focus: data.objects(focus, predicate),
            lambda data, value: data.subjects(predicate, value),
            f"<{node}>",
            ("p", str(predicate)),
        )
    if not isinstance(node, rdflib.BNode):
        raise ShapesError(f"sh:path {node}: a path must be an IRI or a blank node")
    if (node, RDF.first, None) in g:
        steps = [_compile_path(g, p, depth + 1) for p in Collection(g, node)]
        if len(steps) < 2:
            raise ShapesError(f"path {node}: a sequence path needs at least two members")

        def forward(data: DataGraph, focus: Term) -> Values:
            nodes = [focus]
            for step in steps:
                nodes = _unique(v for n in nodes for v in step.forward(data, n))
            return nodes

        def backward(data: DataGraph, value: Term) -> Values:
            nodes = [value]
            for step in reversed(steps):
                nodes = _unique(v for n in nodes for v in step.backward(data, n))
            return nodes

        sparql = "(" + "/".join(s.sparql for s in steps) + ")"
        return Path(node, forward, backward, sparql, ("/", tuple(s.spec for s in steps)))
    kinds = {
        SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath
    } & set(g.predicates(node))
    if len(kinds) != 1 or len(list(g.predicate_objects(node))) != 1:
        raise ShapesError(f"path {node}: not a SHACL property path")
    kind = kinds.pop()
    argument = g.value(node, kind)
    assert argument is not None
    if kind == SH.alternativePath:
        if (argument, RDF.first, None) not in g:
            raise ShapesError(f"path {node}: sh:alternativePath needs a list")
        options = [_compile_path(g, p, depth + 1) for p in Collection(g, argument)]
        if len(options) < 2:
            raise ShapesError(f"path {node}: sh:alternativePath needs at least two members")
        return Path(
            node,
            lambda data, focus: _unique(v for p in options for v in p.forward(data, focus)),
            lambda data, value: _unique(v for p in options for v in p.backward(data, value)),
            "(" + "|".join(p.sparql for p in options) + ")",
            ("|", tuple(p.spec for p in options)),
        )
    inner = _compile_path(g, argument, depth + 1)
    if kind == SH.inversePath:
        return Path(node, inner.backward, inner.forward, f"(^{inner.sparql})", ("^", inner.spec))
    if kind == SH.zeroOrOnePath:
        return Path(
            node,
            lambda data, focus: _unique([focus, *inner.forward(data, focus)]),
            lambda data, value: _unique([value, *inner.backward(data, value)]),
            f"({inner.sparql})?",
            ("?", inner.spec),
        )
    with_start = kind == SH.zeroOrMorePath
    return Path(
        node,
        lambda data, focus: closure(inner.forward, data, focus, with_start),
        lambda data, value: closure(inner.backward, data, value, with_start),
        f"({inner.sparql}){'*' if with_start else '+'}",
        ("*" if with_start else "+", inner.spec),
    )
