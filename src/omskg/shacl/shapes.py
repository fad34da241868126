"""The shapes as compiled (constraints, SPARQL constraints, shapes, node shapes with their
targets) and the validation results they give."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rdflib import Node

from omskg.shacl.data import DataGraph
from omskg.shacl.paths import Path, PathFn
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
