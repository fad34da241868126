"""The shapes as compiled (constraints, SPARQL constraints, shapes, node shapes with their
targets) and the validation results they give."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from rdflib import Node

from omskg.shacl.data import DataGraph
from omskg.shacl.paths import Path, PathFn
from omskg.shacl.quick_graph import QuickGraph
from omskg.shacl.quick_sparql import QuickQuery
from omskg.shacl.terms import Term, Values


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the data and of the shapes graph."""

    focus: Term
    path: Node | None
    component: str  # the local name of a sh: component, else the component's full IRI
    message: str
    value: Term | None
    severity: Node
    shape: Node | None = None
    source: Node | None = None  # the SPARQL constraint or validator, where there is one


# ---------------------------------------------------------------- the shapes, compiled

Target = Callable[[DataGraph], set[Term]]
QuickTarget = Callable[[QuickGraph], set[str]]
QuickCheck = Callable[[QuickGraph, str, list[str]], bool]
"""The quick check of a constraint (omskg.shacl.quick): (graph, focus node, value nodes) ->
does it give no result? Terms in N-Triples syntax."""
QuickEach = Callable[[QuickGraph, Collection[str]], bool]  # for a test of each value node alone: all pass?
Check = Callable[[DataGraph, Term, Values], Iterator["Term | None | Hit"]]
"""Yields one item per result: the offending value node, None where SHACL gives none, or a
``Hit`` where the result has a path of its own (sh:closed)."""


@dataclass(frozen=True)
class Hit:
    value: Term
    path: Node


@dataclass
class Constraint:
    component: str
    check: Check
    default_message: str
    quick: QuickCheck | None = None
    each: QuickEach | None = None  # where ``quick`` tests each value node alone: that test
    count: tuple[int, int] | None = None  # where ``quick`` counts the value nodes: the bounds


@dataclass(eq=False)
class Sparql:
    """A SPARQL-based constraint, or one use of a SPARQL-based constraint component."""

    node: Node
    query: str
    ask: bool
    message: str | None
    component: str
    bindings: dict[str, Term]  # parameters, pre-bound with $this
    bulk: bool  # may run once over the whole graph (see the docstring of omskg.shacl)
    quick: QuickQuery | None = None  # for a bulk query the quick check can evaluate


@dataclass(eq=False)
class Shape:
    node: Node
    path: Path | None
    value_nodes: PathFn
    message: str | None
    severity: Node
    deactivated: bool = False
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[Sparql] = field(default_factory=list)


@dataclass
class NodeShape:
    shape: Shape
    targets: list[Target]
    quick_targets: list[QuickTarget] = field(default_factory=list)
