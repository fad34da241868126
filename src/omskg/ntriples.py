"""Triples written as N-Triples text from IRIs and literal values, without a pyoxigraph
object per term: each line exactly as ``str(pyoxigraph.Triple)`` writes it.

Every IRI is still checked by pyoxigraph (once per builder, or per process for the
vocabularies' terms and datatypes), and every language tag, so nothing is written that a
pyoxigraph triple would have refused.
``tests/test_ntriples.py`` shows the lines equal to pyoxigraph's on hostile literals.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from json.encoder import encode_basestring

import pyoxigraph as ox
from rdflib.namespace import XSD

from omskg.rdf import decimal_lexical, parse_ntriples
from omskg.vocab import RDF_LANGSTRING, XSD_STRING

Row = tuple[str, str, str]  # (subject, predicate, object), each in its N-Triples form


#: A literal as text: (N-Triples form, value as a JSON string, value, language tag ('' if
#: none), datatype IRI).
Literal = tuple[str, str, str, str, str]


# Oxigraph writes a string as JSON does, character by character, but for the control
# characters without a short escape ("\u000B" where JSON has "\u000b"), DEL and U+FFFE,
# U+FFFF (which JSON leaves as they are).
_ODD = re.compile("[\x00-\x07\x0b\x0e-\x1f\x7f\ufffe\uffff]")
_SHORT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _escape(value: str) -> str:
    """``value`` quoted as Oxigraph quotes it (its ``print_quoted_str``)."""
    out = ['"']
    for char in value:
        short = _SHORT.get(char)
        if short is not None:
            out.append(short)
        elif _ODD.match(char):
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _literal(value: str, suffix: str, language: str, datatype: str) -> Literal:
    written = encode_basestring(value)
    if "\\u00" in written or "\x7f" in value or "\ufffe" in value or "\uffff" in value:  # (rare)
        return (_escape(value) + suffix, written, value, language, datatype)
    return (written + suffix, written, value, language, datatype)


@cache
def _language_suffix(language: str) -> tuple[str, str]:
    """('@tag', tag) as pyoxigraph writes the tag (checked, lower-cased)."""
    tag = ox.Literal("", language=language).language
    assert tag is not None
    return "@" + tag, tag


@cache
def _datatype_suffix(datatype: str) -> str:
    return "^^" + str(ox.NamedNode(datatype))


def text(value: str, lang: str | None = None) -> Literal:
    if lang:
        suffix, tag = _language_suffix(lang)
        return _literal(value, suffix, tag, RDF_LANGSTRING)
    return _literal(value, "", "", XSD_STRING)


def typed(value: str, datatype: str) -> Literal:
    if datatype == XSD_STRING:
        return _literal(value, "", "", XSD_STRING)
    return _literal(value, _datatype_suffix(datatype), "", datatype)


_XSD_INTEGER, _XSD_BOOLEAN, _XSD_DECIMAL = str(XSD.integer), str(XSD.boolean), str(XSD.decimal)


def integer(value: int) -> Literal:
    return typed(str(value), _XSD_INTEGER)


def boolean(value: bool) -> Literal:
    return typed("true" if value else "false", _XSD_BOOLEAN)


def decimal(value: Decimal) -> Literal:
    return typed(decimal_lexical(value), _XSD_DECIMAL)


@cache
def iri(value: str) -> str:
    """An IRI's N-Triples form, checked by pyoxigraph (for the vocabularies' terms)."""
    return str(ox.NamedNode(value))


class TripleLines:
    """A set of triples as N-Triples lines: ``rows`` by line (a triple added twice is kept
    once), each term in its N-Triples form, and the literals by their N-Triples form. Every
    term is made by ``node``, ``iri`` or a literal method, which check it."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.literals: dict[str, Literal] = {}
        self._nodes: dict[str, str] = {}

    def node(self, value: str) -> str:
        """An IRI's N-Triples form, checked by pyoxigraph (once per IRI)."""
        found = self._nodes.get(value)
        if found is None:
            found = self._nodes[value] = str(ox.NamedNode(value))
        return found

    def add(self, s: str, p: str, o: str) -> None:
        self.rows[f"{s} {p} {o}"] = (s, p, o)

    def literal(self, written: Literal) -> str:
        self.literals[written[0]] = written
        return written[0]

    def text(self, value: str, lang: str | None = None) -> str:
        written = text(value, lang)
        self.literals[written[0]] = written  # (``literal``, without the call)
        return written[0]

    def typed(self, value: str, datatype: str) -> str:
        written = typed(value, datatype)
        self.literals[written[0]] = written
        return written[0]

    def add_triple(self, triple: ox.Triple) -> None:
        found = _TRIPLES.get(triple)
        if found is None:
            if len(_TRIPLES) > _CACHE_LIMIT:
                _TRIPLES.clear()
            found = _TRIPLES[triple] = _row_of(triple)
        row, written = found
        if written is not None:
            self.literals[row[2]] = written
        self.add(*row)

    def triples(self) -> set[ox.Triple]:
        """The same triples as pyoxigraph triples."""
        return parse_ntriples("".join([line + " .\n" for line in self.rows]).encode("utf-8"), checked=True)


def _row_of(triple: ox.Triple) -> tuple[Row, Literal | None]:
    """A pyoxigraph triple's row, and its object as a literal (None if it is not one)."""
    s, p, o = triple.subject, triple.predicate, triple.object
    if isinstance(o, ox.Literal):
        written = text(o.value, o.language) if o.language else typed(o.value, o.datatype.value)
        return (str(s), str(p), written[0]), written
    return (str(s), str(p), str(o)), None


#: pyoxigraph triples -> ``_row_of`` them, once per process (the same targets' labels recur in
#: file after file), up to a limit, then afresh
_TRIPLES: dict[ox.Triple, tuple[Row, Literal | None]] = {}
_CACHE_LIMIT = 50_000
