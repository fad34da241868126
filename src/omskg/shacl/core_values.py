"""The Core constraint components that look at the value nodes alone: cardinality, value
type, string-based, sh:in, sh:hasValue, value range."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib import RDF, XSD, Node

from omskg.shacl.data import DataGraph
from omskg.shacl.shapes import Constraint, Shape
from omskg.shacl.terms import ShapesError, Term, UnsupportedShape, Values, _ox, compare, to_rdflib
from omskg.vocab import SH

if TYPE_CHECKING:
    from omskg.shacl.compile import _Compiler


Parameter = Callable[["_Compiler", Shape, Node], "Constraint | list[Constraint]"]


def _min_count(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.minCount, argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) < limit:
            yield None

    return Constraint("MinCountConstraintComponent", check, f"Fewer than {limit} values")


def _max_count(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.maxCount, argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) > limit:
            yield None

    return Constraint("MaxCountConstraintComponent", check, f"More than {limit} values")


def _each(component: str, ok: Callable[[DataGraph, Term], bool], message: str) -> Constraint:
    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        for value in values:
            if not ok(data, value):
                yield value

    return Constraint(component, check, message)


_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.string): (str, bytes),
    str(RDF.langString): (str, bytes),
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.dateTime): datetime,
}


_TEXT_TYPES = frozenset({str(XSD.string), str(RDF.langString)})


def _datatype(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    """Same datatype IRI, and a lexical form rdflib can read as one (as pyshacl decides)."""
    if not isinstance(argument, rdflib.URIRef):
        raise ShapesError(f"{shape.node}: sh:datatype must be an IRI")
    rule = str(argument)
    expected = _VALUE_TYPES.get(rule)

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal):
            return False
        datatype = str(RDF.langString) if value.language else value.datatype.value
        if datatype != rule:
            return False
        if rule in _TEXT_TYPES:
            return True  # rdflib reads every string as itself: never ill-typed
        literal = to_rdflib(value)
        if getattr(literal, "ill_typed", None) is True:
            return False
        return expected is None or isinstance(literal.value, expected)  # type: ignore[attr-defined]

    return _each("DatatypeConstraintComponent", ok, f"Value is not a literal of datatype {argument}")


_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


def _node_kind(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    kinds = _NODE_KINDS.get(argument)  # type: ignore[call-overload]
    if kinds is None:
        raise ShapesError(f"{shape.node}: {argument} is not a node kind")
    return _each("NodeKindConstraintComponent", lambda data, value: isinstance(value, kinds),
                 f"Value is not of node kind {argument}")


def _class(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    cls = _ox(argument)

    def ok(data: DataGraph, value: Term) -> bool:
        return not isinstance(value, ox.Literal) and data.is_instance(value, cls)

    return _each("ClassConstraintComponent", ok, f"Value is not an instance of {argument}")


def _string(value: Term) -> str | None:
    """The string SHACL's string constraints test: the IRI or lexical form; None for a blank node."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value.value
    return None


def _min_length(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.minLength, argument)

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and len(text) >= limit

    return _each("MinLengthConstraintComponent", ok, f"Value is shorter than {limit} characters")


def _max_length(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.maxLength, argument)

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and len(text) <= limit

    return _each("MaxLengthConstraintComponent", ok, f"Value is longer than {limit} characters")


def _pattern(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    flags_node = compiler.one(shape.node, SH.flags)
    flags = 0
    for letter in str(flags_node or ""):
        flag = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(letter)
        if flag is None:
            raise UnsupportedShape(f"{shape.node}: the regular-expression flag {letter!r} is not supported")
        flags |= flag
    try:
        regex = re.compile(str(argument), flags)
    except re.error as error:
        raise ShapesError(f"{shape.node}: sh:pattern {str(argument)!r}: {error}") from None

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and regex.search(text) is not None

    return _each("PatternConstraintComponent", ok, f"Value does not match {str(argument)!r}")


def _language_in(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    ranges = [str(tag).lower() for tag in compiler.items(shape.node, argument, SH.languageIn)]

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal) or not value.language:
            return False
        tag = value.language.lower()
        return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)

    return _each("LanguageInConstraintComponent", ok, f"Language tag not in {ranges}")


def _unique_lang(compiler: _Compiler, shape: Shape, argument: Node) -> list[Constraint]:
    if not isinstance(argument, rdflib.Literal) or argument.datatype != XSD.boolean:
        raise ShapesError(f"{shape.node}: sh:uniqueLang must be an xsd:boolean")
    if shape.path is None:
        raise ShapesError(f"{shape.node}: sh:uniqueLang on a node shape")
    if str(argument) != "true":  # "1"^^xsd:boolean is not true (core/property/uniqueLang-002)
        return []

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        seen: dict[str, int] = {}
        for value in values:
            if isinstance(value, ox.Literal) and value.language:
                tag = value.language.lower()
                seen[tag] = seen.get(tag, 0) + 1
        for count in seen.values():
            if count > 1:
                yield None

    return [Constraint("UniqueLangConstraintComponent", check, "Language tag used more than once")]


def _in(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    allowed = {_ox(member) for member in compiler.items(shape.node, argument, SH["in"])}
    return _each(
        "InConstraintComponent", lambda data, value: value in allowed, "Value is not among the allowed values"
    )


def _has_value(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    expected = _ox(argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if expected not in values:
            yield None

    return Constraint("HasValueConstraintComponent", check, f"Missing the value {argument}")


def _range(component: str, argument: Node, holds: Callable[[int], bool], what: str) -> Constraint:
    if not isinstance(argument, rdflib.Literal):
        raise ShapesError(f"sh:{what} must be a literal, not {argument}")
    bound = _ox(argument)

    def ok(data: DataGraph, value: Term) -> bool:
        order = compare(value, bound)
        return order is not None and holds(order)

    return _each(component, ok, f"Value is not {what} {argument}")


def _min_inclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MinInclusiveConstraintComponent", argument, lambda order: order >= 0, "minInclusive")


def _max_inclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MaxInclusiveConstraintComponent", argument, lambda order: order <= 0, "maxInclusive")


def _min_exclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MinExclusiveConstraintComponent", argument, lambda order: order > 0, "minExclusive")


def _max_exclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MaxExclusiveConstraintComponent", argument, lambda order: order < 0, "maxExclusive")
