"""The Core constraint components that look at the value nodes alone: cardinality, value
type, string-based, sh:in, sh:hasValue, value range."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib import RDF, XSD, Node

from omskg.shacl.data import DataGraph
from omskg.shacl.quick_graph import (
    QuickGraph,
    is_iri,
    language,
    memo,
    memo_all,
    sort_key,
    string_value,
    to_ox,
)
from omskg.shacl.shapes import Constraint, QuickEach, Shape
from omskg.shacl.terms import (
    ShapesError,
    Term,
    UnsupportedShape,
    Values,
    _ox,
    _sort_key,
    compare,
    compare_keys,
    to_rdflib,
)
from omskg.vocab import SH

if TYPE_CHECKING:
    from omskg.shacl.compile import _Compiler


Parameter = Callable[["_Compiler", Shape, Node], "Constraint | list[Constraint]"]
QuickOk = Callable[[QuickGraph, str], bool]  # the quick test of one value node


def _min_count(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.minCount, argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) < limit:
            yield None

    return Constraint("MinCountConstraintComponent", check, f"Fewer than {limit} values",
                      lambda g, focus, values: len(values) >= limit, count=(limit, sys.maxsize))


def _max_count(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.maxCount, argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) > limit:
            yield None

    return Constraint("MaxCountConstraintComponent", check, f"More than {limit} values",
                      lambda g, focus, values: len(values) <= limit, count=(0, limit))


def _each(
    component: str, ok: Callable[[DataGraph, Term], bool], message: str,
    quick_ok: QuickOk | None = None, quick_all: QuickEach | None = None,
) -> Constraint:
    """A constraint that tests each value node alone with ``ok``; the same test of a value
    node in the quick check is ``quick_ok``, or ``quick_all`` of all value nodes at once."""
    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        for value in values:
            if not ok(data, value):
                yield value

    each = quick_all or (_every(quick_ok) if quick_ok is not None else None)
    if each is None:
        return Constraint(component, check, message)
    return Constraint(component, check, message, lambda g, focus, values: each(g, values), each)


def _every(quick_ok: QuickOk) -> QuickEach:
    def each(g: QuickGraph, values: Collection[str]) -> bool:
        for value in values:
            if not quick_ok(g, value):
                return False
        return True

    return each


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
        return _well_typed(value, expected)

    return _each("DatatypeConstraintComponent", ok, f"Value is not a literal of datatype {argument}",
                 quick_all=_quick_datatype(rule, expected))


def _well_typed(value: ox.Literal, expected: type | tuple[type, ...] | None) -> bool:
    literal = to_rdflib(value)
    if getattr(literal, "ill_typed", None) is True:
        return False
    return expected is None or isinstance(literal.value, expected)  # type: ignore[attr-defined]


def _quick_datatype(rule: str, expected: type | tuple[type, ...] | None) -> QuickEach:
    # In N-Triples a string ends with its quote, a language-tagged one with its tag, any
    # other literal with ^^<datatype>.
    if rule == str(XSD.string):
        return lambda g, values: all(v[0] == '"' and v[-1] == '"' for v in values)
    if rule == str(RDF.langString):  # (a literal may be typed so with no tag)
        typed = f'"^^<{rule}>'
        return lambda g, values: all(v[0] == '"' and (v[-1] not in '">' or v.endswith(typed)) for v in values)
    suffix = f'"^^<{rule}>'
    valid = memo(lambda value: _well_typed(to_ox(value), expected))  # type: ignore[arg-type]
    return lambda g, values: all(v[0] == '"' and v.endswith(suffix) and valid(v) for v in values)


_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


def _kind(value: str) -> type:
    if value[0] == '"':
        return ox.Literal
    if value[0] == "_":
        return ox.BlankNode
    return ox.NamedNode if is_iri(value) else ox.Triple


def _node_kind(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    kinds = _NODE_KINDS.get(argument)  # type: ignore[call-overload]
    if kinds is None:
        raise ShapesError(f"{shape.node}: {argument} is not a node kind")
    if kinds == (ox.NamedNode,):  # (the usual one, tested inline)
        def quick(g: QuickGraph, values: Collection[str]) -> bool:
            return all(v[0] == "<" and v[1] != "<" for v in values)
    else:
        def quick(g: QuickGraph, values: Collection[str]) -> bool:
            return all(_kind(v) in kinds for v in values)
    return _each("NodeKindConstraintComponent", lambda data, value: isinstance(value, kinds),
                 f"Value is not of node kind {argument}", quick_all=quick)


def _class(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    cls = _ox(argument)

    def ok(data: DataGraph, value: Term) -> bool:
        return not isinstance(value, ox.Literal) and data.is_instance(value, cls)

    text = str(cls)  # (an instance is a subject: never a literal)
    return _each("ClassConstraintComponent", ok, f"Value is not an instance of {argument}",
                 quick_all=lambda g, values: g.instances(text).issuperset(values))


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

    def quick_ok(value: str) -> bool:
        text = string_value(value)
        return text is not None and len(text) >= limit

    return _each("MinLengthConstraintComponent", ok, f"Value is shorter than {limit} characters",
                 quick_all=memo_all(quick_ok))


def _max_length(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.maxLength, argument)

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and len(text) <= limit

    def quick_ok(value: str) -> bool:
        text = string_value(value)
        return text is not None and len(text) <= limit

    return _each("MaxLengthConstraintComponent", ok, f"Value is longer than {limit} characters",
                 quick_all=memo_all(quick_ok))


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

    def quick_ok(value: str) -> bool:
        text = string_value(value)
        return text is not None and regex.search(text) is not None

    return _each("PatternConstraintComponent", ok, f"Value does not match {str(argument)!r}",
                 quick_all=memo_all(quick_ok))


def _language_in(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    ranges = [str(tag).lower() for tag in compiler.items(shape.node, argument, SH.languageIn)]

    def in_ranges(tag: str) -> bool:
        return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal) or not value.language:
            return False
        return in_ranges(value.language.lower())

    def quick_ok(value: str) -> bool:
        tag = language(value) if value[0] == '"' else None
        return tag is not None and in_ranges(tag.lower())

    return _each("LanguageInConstraintComponent", ok, f"Language tag not in {ranges}",
                 quick_all=memo_all(quick_ok))


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

    def quick(g: QuickGraph, focus: str, values: list[str]) -> bool:
        tags = [tag.lower() for value in values if value[0] == '"' and (tag := language(value))]
        return len(tags) == len(set(tags))

    return [Constraint("UniqueLangConstraintComponent", check, "Language tag used more than once", quick)]


def _in(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    allowed = {_ox(member) for member in compiler.items(shape.node, argument, SH["in"])}
    texts = {str(member) for member in allowed}
    return _each(
        "InConstraintComponent", lambda data, value: value in allowed,
        "Value is not among the allowed values", quick_all=lambda g, values: texts.issuperset(values),
    )


def _has_value(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    expected = _ox(argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if expected not in values:
            yield None

    text = str(expected)
    return Constraint("HasValueConstraintComponent", check, f"Missing the value {argument}",
                      lambda g, focus, values: text in values)


def _range(component: str, argument: Node, holds: Callable[[int], bool], what: str) -> Constraint:
    if not isinstance(argument, rdflib.Literal):
        raise ShapesError(f"sh:{what} must be a literal, not {argument}")
    bound = _ox(argument)

    def ok(data: DataGraph, value: Term) -> bool:
        order = compare(value, bound)
        return order is not None and holds(order)

    key = _sort_key(bound)

    def quick_ok(term: str) -> bool:
        order = compare_keys(sort_key(term), key)
        return order is not None and holds(order)

    remembered = memo(quick_ok)
    return _each(component, ok, f"Value is not {what} {argument}", lambda g, value: remembered(value))


def _min_inclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MinInclusiveConstraintComponent", argument, lambda order: order >= 0, "minInclusive")


def _max_inclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MaxInclusiveConstraintComponent", argument, lambda order: order <= 0, "maxInclusive")


def _min_exclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MinExclusiveConstraintComponent", argument, lambda order: order > 0, "minExclusive")


def _max_exclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MaxExclusiveConstraintComponent", argument, lambda order: order < 0, "maxExclusive")
