"""Terms: the errors, RDF terms between rdflib and Oxigraph (lexical forms as written), and
literals compared as SPARQL orders them."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import XSD, Node

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Values = list[Term]


class ShapesError(ValueError):
    """The shapes cannot be checked: ill-formed, or a SHACL failure while validating."""


class UnsupportedShape(ShapesError):
    """The shapes use a SHACL feature this engine does not implement."""


@contextlib.contextmanager
def as_written() -> Iterator[None]:
    """rdflib keeps every literal's lexical form while this is open ("yes"^^xsd:boolean
    stays "yes" instead of becoming "false"; "01"^^xsd:integer stays "01")."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


# ---------------------------------------------------------------- terms


def _ox(node: Node) -> Term:
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))
    raise ShapesError(f"not an RDF term: {node!r}")


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """The rdflib term for ``term``, its lexical form as written."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdflib warns about every ill-typed literal
            if term.language:
                return rdflib.Literal(term.value, lang=term.language, normalize=False)
            if term.datatype.value == str(XSD.string):
                return rdflib.Literal(term.value, normalize=False)
            return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)
    raise UnsupportedShape("RDF-star triples are not supported by the fast engine")


# ---------------------------------------------------------------- comparing literals

_INTEGERS = {
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
}
_XSD = str(XSD)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_FLOAT = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN")
_TEMPORAL = {
    "dateTime": re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
    "date": re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)()()()()(Z|[+-]\d\d:\d\d)?"),
    "time": re.compile(r"()()()(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
}
_FOURTEEN_HOURS = timedelta(hours=14)


def _temporal(kind: str, lexical: str) -> tuple[datetime, timedelta | None] | None:
    """A date, time or dateTime as (local time, its time-zone offset or None)."""
    match = _TEMPORAL[kind].fullmatch(lexical)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year or 1972), int(month or 12), int(day or 31),
            0 if hour == "24" else int(hour or 0), int(minute or 0), int(second or 0),
            int(Decimal(fraction or "0") * 1_000_000),
        )
    except ValueError:
        return None  # a year outside 1..9999, or no such day
    if hour == "24":
        if minute != "00" or second != "00" or (fraction or ".0").strip(".0"):
            return None
        moment += timedelta(days=1)
    if zone is None:
        return moment, None
    if zone == "Z":
        return moment, timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    return moment, sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))


SortKey = tuple[str, Any] | None


def _sort_key(term: Term) -> SortKey:
    """A literal as SPARQL's < compares it: (its kind, its value); None where it has no
    order (an IRI, a blank node, a language-tagged string, an ill-typed or unordered literal)."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    datatype, lexical = term.datatype.value, term.value
    if not datatype.startswith(_XSD):
        return None
    local = datatype[len(_XSD):]
    if local == "string":
        return "string", lexical
    if local == "boolean":
        truth = {"true": True, "1": True, "false": False, "0": False}.get(lexical)
        return None if truth is None else ("boolean", truth)
    if local in _INTEGERS or local == "decimal":
        literal = to_rdflib(term)
        if getattr(literal, "ill_typed", False) or not _NUMBER.fullmatch(lexical) or (
            local != "decimal" and "." in lexical
        ):
            return None
        return "number", Decimal(lexical)
    if local in ("float", "double"):
        if not _FLOAT.fullmatch(lexical) or lexical == "NaN":
            return None
        return "number", Decimal(lexical.replace("INF", "Infinity"))
    if local in _TEMPORAL:
        moment = _temporal(local, lexical)
        return None if moment is None else (local, moment)
    return None


def compare(a: Term, b: Term) -> int | None:
    """-1, 0 or 1 as SPARQL's operators order ``a`` and ``b``; None where they are
    incomparable (which SHACL's range and property-pair constraints count as a violation).
    A time zone against none is ordered only when they differ by more than 14 hours (XSD)."""
    return compare_keys(_sort_key(a), _sort_key(b))


def compare_keys(key_a: SortKey, key_b: SortKey) -> int | None:
    """``compare`` of two terms by their ``_sort_key``."""
    if key_a is None or key_b is None or key_a[0] != key_b[0]:
        return None
    x, y = key_a[1], key_b[1]
    if key_a[0] in _TEMPORAL:
        (local_x, zone_x), (local_y, zone_y) = x, y
        if (zone_x is None) == (zone_y is None):
            x = local_x - (zone_x or timedelta(0))
            y = local_y - (zone_y or timedelta(0))
        elif zone_x is None:
            instant = local_y - zone_y
            if local_x + _FOURTEEN_HOURS < instant:
                return -1
            if local_x - _FOURTEEN_HOURS > instant:
                return 1
            return None
        else:
            order = compare_keys(key_b, key_a)
            return None if order is None else -order
    try:
        return int(x > y) - int(x < y)
    except (TypeError, InvalidOperation):
        return None
