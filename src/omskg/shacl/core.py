"""The Core constraint components that look beyond the value nodes (property pairs, logical,
shape-based, qualified, closed), and the table of every Core parameter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib import XSD, Node

from omskg.shacl.core_values import (
    Parameter,
    _class,
    _datatype,
    _each,
    _has_value,
    _in,
    _language_in,
    _max_count,
    _max_exclusive,
    _max_inclusive,
    _max_length,
    _min_count,
    _min_exclusive,
    _min_inclusive,
    _min_length,
    _node_kind,
    _pattern,
    _unique_lang,
)
from omskg.shacl.data import DataGraph
from omskg.shacl.engine import _conforms
from omskg.shacl.quick import quick_conforms
from omskg.shacl.quick_graph import QuickGraph, sort_key
from omskg.shacl.shapes import Constraint, Hit, Shape
from omskg.shacl.terms import ShapesError, Term, Values, compare, compare_keys
from omskg.vocab import SH

if TYPE_CHECKING:
    from omskg.shacl.compile import _Compiler


def _predicate(shape: Shape, parameter: str, argument: Node) -> ox.NamedNode:
    if not isinstance(argument, rdflib.URIRef):
        raise ShapesError(f"{shape.node}: sh:{parameter} must be an IRI")
    return ox.NamedNode(str(argument))


def _pair(
    component: str, shape: Shape, argument: Node, holds: Callable[[int], bool], what: str
) -> Constraint:
    other = _predicate(shape, what, argument)
    if shape.path is None:
        raise ShapesError(f"{shape.node}: sh:{what} on a node shape")

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            for compared in others:
                order = compare(value, compared)
                if order is None or not holds(order):
                    yield value

    text = str(other)

    def quick(g: QuickGraph, focus: str, values: list[str]) -> bool:
        others = g.objects(focus, text)
        for value in values:
            key = sort_key(value)
            for compared in others:
                order = compare_keys(key, sort_key(compared))
                if order is None or not holds(order):
                    return False
        return True

    return Constraint(component, check, f"Value is not {what} the values of {argument}", quick)


def _less_than(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _pair("LessThanConstraintComponent", shape, argument, lambda order: order < 0, "lessThan")


def _less_than_or_equals(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _pair(
        "LessThanOrEqualsConstraintComponent", shape, argument, lambda order: order <= 0, "lessThanOrEquals"
    )


def _equals(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    other = _predicate(shape, "equals", argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            if value not in others:
                yield value
        for value in others:
            if value not in values:
                yield value

    text = str(other)
    return Constraint("EqualsConstraintComponent", check, f"Values differ from the values of {argument}",
                      lambda g, focus, values: set(values) == set(g.objects(focus, text)))


def _disjoint(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    other = _predicate(shape, "disjoint", argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            if value in others:
                yield value

    text = str(other)
    return Constraint("DisjointConstraintComponent", check, f"Value is also a value of {argument}",
                      lambda g, focus, values: set(values).isdisjoint(g.objects(focus, text)))


def _conforming(compiler: _Compiler, component: str, argument: Node, message: str) -> Constraint:
    nested = compiler.shape(argument)
    wanted = component != "NotConstraintComponent"
    return _each(component, lambda data, value: _conforms(data, nested, value) == wanted, message,
                 lambda g, value: quick_conforms(g, nested, value) == wanted)


def _node(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _conforming(compiler, "NodeConstraintComponent", argument, f"Value does not conform to {argument}")


def _not(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _conforming(compiler, "NotConstraintComponent", argument, f"Value conforms to {argument}")


def _logical(component: str, count_ok: Callable[[int, int], bool], message: str) -> Parameter:
    def build(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
        parameter = SH[component.removesuffix("ConstraintComponent").lower()]
        members = [compiler.shape(m) for m in compiler.items(shape.node, argument, parameter)]

        def ok(data: DataGraph, value: Term) -> bool:
            if component == "XoneConstraintComponent":
                return count_ok(sum(_conforms(data, m, value) for m in members), len(members))
            if component == "OrConstraintComponent":
                return any(_conforms(data, m, value) for m in members)
            return all(_conforms(data, m, value) for m in members)

        def quick_ok(g: QuickGraph, value: str) -> bool:
            if component == "XoneConstraintComponent":
                return count_ok(sum(quick_conforms(g, m, value) for m in members), len(members))
            if component == "OrConstraintComponent":
                return any(quick_conforms(g, m, value) for m in members)
            return all(quick_conforms(g, m, value) for m in members)

        return _each(component, ok, message, quick_ok)

    return build


def _qualified(compiler: _Compiler, shape: Shape, argument: Node) -> list[Constraint]:
    if shape.path is None:
        raise ShapesError(f"{shape.node}: sh:qualifiedValueShape on a node shape")
    nested = compiler.shape(argument)
    siblings: list[Shape] = []
    if compiler.boolean(shape.node, SH.qualifiedValueShapesDisjoint):
        for parent in compiler.g.subjects(SH.property, shape.node):
            for sibling_property in compiler.g.objects(parent, SH.property):
                for sibling in compiler.g.objects(sibling_property, SH.qualifiedValueShape):
                    if sibling != argument:
                        siblings.append(compiler.shape(sibling))
    constraints = []
    for parameter, component, fails in (
        (SH.qualifiedMinCount, "QualifiedMinCountConstraintComponent", lambda n, limit: n < limit),
        (SH.qualifiedMaxCount, "QualifiedMaxCountConstraintComponent", lambda n, limit: n > limit),
    ):
        limit_node = compiler.one(shape.node, parameter)
        if limit_node is None:
            continue
        limit = compiler.integer(shape.node, parameter, limit_node)

        def check(
            data: DataGraph, focus: Term, values: Values,
            limit: int = limit, fails: Callable[[int, int], bool] = fails,
        ) -> Iterator[Term | None]:
            count = sum(
                1 for value in values
                if _conforms(data, nested, value) and not any(_conforms(data, s, value) for s in siblings)
            )
            if fails(count, limit):
                yield None

        def quick(
            g: QuickGraph, focus: str, values: list[str],
            limit: int = limit, fails: Callable[[int, int], bool] = fails,
        ) -> bool:
            count = sum(
                1 for value in values
                if quick_conforms(g, nested, value) and not any(quick_conforms(g, s, value) for s in siblings)
            )
            return not fails(count, limit)

        side = "below" if "Min" in component else "above"
        constraints.append(Constraint(component, check, f"Qualified count {side} {limit}", quick))
    return constraints


def _closed(compiler: _Compiler, shape: Shape, argument: Node) -> list[Constraint]:
    if not isinstance(argument, rdflib.Literal) or argument.datatype != XSD.boolean:
        raise ShapesError(f"{shape.node}: sh:closed must be an xsd:boolean")
    if str(argument) != "true":
        return []
    allowed = {
        ox.NamedNode(str(p))
        for prop in compiler.g.objects(shape.node, SH.property)
        for p in compiler.g.objects(prop, SH.path)
        if isinstance(p, rdflib.URIRef)
    }
    for ignored in compiler.g.objects(shape.node, SH.ignoredProperties):
        allowed |= {ox.NamedNode(str(p)) for p in compiler.items(shape.node, ignored, SH.ignoredProperties)}

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Hit]:
        for value in values:
            for predicate, obj in data.outgoing(value):
                if predicate not in allowed:
                    yield Hit(obj, rdflib.URIRef(predicate.value))

    texts = {str(predicate) for predicate in allowed}

    def quick(g: QuickGraph, focus: str, values: list[str]) -> bool:
        return all(predicate in texts for value in values for predicate, _ in g.outgoing(value))

    return [Constraint("ClosedConstraintComponent", check, "Predicate is not allowed (closed shape)", quick)]


_PARAMETERS: dict[Node, Parameter] = {
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.datatype: _datatype,
    SH.nodeKind: _node_kind,
    SH["class"]: _class,
    SH.minLength: _min_length,
    SH.maxLength: _max_length,
    SH.pattern: _pattern,
    SH.languageIn: _language_in,
    SH.uniqueLang: _unique_lang,
    SH["in"]: _in,
    SH.hasValue: _has_value,
    SH.minInclusive: _min_inclusive,
    SH.maxInclusive: _max_inclusive,
    SH.minExclusive: _min_exclusive,
    SH.maxExclusive: _max_exclusive,
    SH.lessThan: _less_than,
    SH.lessThanOrEquals: _less_than_or_equals,
    SH.equals: _equals,
    SH.disjoint: _disjoint,
    SH.node: _node,
    SH["not"]: _not,
    SH["and"]: _logical(
        "AndConstraintComponent", lambda n, total: n == total, "Value does not conform to every shape"
    ),
    SH["or"]: _logical(
        "OrConstraintComponent", lambda n, total: n > 0, "Value conforms to none of the shapes"
    ),
    SH.xone: _logical(
        "XoneConstraintComponent", lambda n, total: n == 1, "Value does not conform to exactly one shape"
    ),
    SH.qualifiedValueShape: _qualified,
    SH.closed: _closed,
}
