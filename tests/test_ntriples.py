"""Triples written as text (omskg.ntriples): every line is the one pyoxigraph writes for the
same triple (``str(Triple)``), on hostile literals too, and every term pyoxigraph refuses is
refused."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omskg import ntriples

XSD = "http://www.w3.org/2001/XMLSchema#"
SUBJECT, PREDICATE = "https://w3id.org/omskg/entity/s", "https://w3id.org/omskg/vocab/p"
DATATYPES = [XSD + name for name in ("string", "integer", "boolean", "decimal", "date", "duration")] + [
    "http://example.org/é/type", "urn:x:y",
]
HOSTILE = st.lists(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),  # any code point but a surrogate, non-BMP ones too
        st.sampled_from('"\\\n\r\t\b\f\x00\x0b\x1f\x7f\ufffe\uffff\u2028\U0001f600'),
        st.sampled_from(["\\u00", "\\u000B", "\\\\"]),  # what looks like an escape already
    )
).map("".join)
LANGUAGES = st.from_regex(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,2}", fullmatch=True)


def _oxigraph_line(obj: ox.Literal) -> str:
    return str(ox.Triple(ox.NamedNode(SUBJECT), ox.NamedNode(PREDICATE), obj))


def _line(lines: ntriples.TripleLines, obj: str) -> str:
    lines.add(lines.node(SUBJECT), lines.node(PREDICATE), obj)
    return list(lines.rows)[-1]


def test_every_character_alone_is_escaped_as_oxigraph_escapes_it() -> None:
    """Both escape a string character by character, so this covers every string."""
    for code in range(0x110000):
        if not 0xD800 <= code <= 0xDFFF:
            char = chr(code)
            assert ntriples.text(char)[0] == str(ox.Literal(char)), hex(code)
            assert ntriples._escape(char) == str(ox.Literal(char)), hex(code)  # (the rare strings' way)


@settings(max_examples=400, deadline=None)
@given(value=HOSTILE, language=LANGUAGES)
def test_text_literals_are_written_as_oxigraph_writes_them(value: str, language: str) -> None:
    lines = ntriples.TripleLines()
    assert _line(lines, lines.text(value)) == _oxigraph_line(ox.Literal(value))
    assert ntriples.text(value)[1] == json.dumps(value, ensure_ascii=False)  # (the node objects' string)
    try:
        expected = ox.Literal(value, language=language)
    except ValueError:  # a tag pyoxigraph refuses ("A", "abcd") is refused
        with pytest.raises(ValueError):
            lines.text(value, language)
        return
    assert _line(lines, lines.text(value, language)) == _oxigraph_line(expected)
    assert ntriples.text(value, language)[3] == expected.language  # as pyoxigraph writes the tag


@settings(max_examples=300, deadline=None)
@given(value=HOSTILE, datatype=st.sampled_from(DATATYPES))
def test_typed_literals_are_written_as_oxigraph_writes_them(value: str, datatype: str) -> None:
    lines = ntriples.TripleLines()
    expected = ox.Literal(value, datatype=ox.NamedNode(datatype))
    assert _line(lines, lines.typed(value, datatype)) == _oxigraph_line(expected)
    assert lines.triples() == {ox.Triple(ox.NamedNode(SUBJECT), ox.NamedNode(PREDICATE), expected)}


def test_numbers_and_booleans_are_written_as_oxigraph_writes_them() -> None:
    from decimal import Decimal

    from omskg.rdf import boolean, decimal, integer

    for made, expected in [
        (ntriples.integer(-12), integer(-12)), (ntriples.boolean(True), boolean(True)),
        (ntriples.decimal(Decimal("0.00000020")), decimal(Decimal("0.00000020"))),
        (ntriples.decimal(Decimal("18")), decimal(Decimal("18"))),
    ]:
        assert made[0] == str(expected)


@pytest.mark.parametrize("iri", ["http://x.org/a b", "http://x.org/a>b", "relative", "http://x.org/\n", ""])
def test_an_iri_pyoxigraph_refuses_is_refused(iri: str) -> None:
    with pytest.raises(ValueError):
        ox.NamedNode(iri)
    with pytest.raises(ValueError):
        ntriples.TripleLines().node(iri)


@pytest.mark.parametrize("language", ["en gb", "", "-en", "en_GB"])
def test_a_language_tag_pyoxigraph_refuses_is_refused(language: str) -> None:
    if language:
        with pytest.raises(ValueError):
            ox.Literal("x", language=language)
        with pytest.raises(ValueError):
            ntriples.text("x", language)
    else:  # no tag: a plain string, as rdf.text makes it
        assert ntriples.text("x", language)[0] == '"x"'


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(HOSTILE, max_size=6),
    blank=st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}", fullmatch=True),
)
def test_pyoxigraph_triples_are_taken_and_given_back_unchanged(values: list[str], blank: str) -> None:
    s, p = ox.NamedNode(SUBJECT), ox.NamedNode(PREDICATE)
    triples = {ox.Triple(s, p, ox.Literal(v)) for v in values}
    triples |= {ox.Triple(ox.BlankNode(blank), p, s), ox.Triple(s, p, ox.BlankNode(blank))}
    lines = ntriples.TripleLines()
    for triple in triples:
        lines.add_triple(triple)
    assert set(lines.rows) == {str(t) for t in triples}
    assert lines.triples() == triples
    lines.add_triple(next(iter(triples)))  # a triple added twice is kept once
    assert len(lines.rows) == len(triples)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(HOSTILE, max_size=6), language=st.sampled_from([None, "en", "EN-gb"]))
def test_a_triple_given_again_gives_the_same_row_and_literal(values: list[str], language: str | None) -> None:
    """add_triple remembers each triple's row: another TripleLines given the same triples
    (their rows found, not made again) holds the same rows and literals, those that the
    literal methods make."""
    s, p = ox.NamedNode(SUBJECT), ox.NamedNode(PREDICATE)
    triples = [ox.Triple(s, p, ox.Literal(v, language=language) if language else ox.Literal(v)) for v in values]
    first, second, made = ntriples.TripleLines(), ntriples.TripleLines(), ntriples.TripleLines()
    for triple in triples:
        first.add_triple(triple)
    for triple in triples:
        second.add_triple(triple)
        made.add(made.node(SUBJECT), made.node(PREDICATE), made.text(triple.object.value, language))
    assert list(second.rows.items()) == list(first.rows.items()) == list(made.rows.items())
    assert list(second.literals.items()) == list(first.literals.items()) == list(made.literals.items())
    assert list(first.rows) == list(dict.fromkeys(str(t) for t in triples))
