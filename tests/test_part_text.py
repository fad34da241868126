"""A part written from its rows (omskg.part_text) is the part written from pyoxigraph
triples: the same sorted lines, JSON-LD node objects (formats._Compactor.node), Turtle
statements (Oxigraph's writer, cut per subject) and VoID counts, on hostile graphs: IRIs
whose local names need escaping or cannot be written after a prefix, blank nodes, literals
with quotes, control and non-BMP characters, language tags, and typed literals whose
lexical forms are and are not canonical, under a context whose terms overlap."""

from __future__ import annotations

import json
from functools import partial

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from omskg import build, describe, formats, parts
from omskg.part_text import Subjects, Writers, escape_local_name, make_part
from omskg.vocab import DEFAULT_BASE, MATCH_PROPERTIES, OMSKG

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EX = "http://ex.org/"
CONTEXT = {  # terms that overlap: one IRI, several coercions; a term named by a compact IRI
    "ex": EX, "exa": EX + "a/", "exh": EX + "a#", "xsd": XSD, "rdf": RDF,
    "id": "@id", "type": "@type",
    "name": {"@id": "ex:name", "@language": "en"},
    "nameAny": "ex:name",
    "count": {"@id": "ex:count", "@type": "xsd:integer"},
    "flag": {"@id": "ex:flag", "@type": "xsd:boolean"},
    "when": {"@id": "exa:when", "@type": "xsd:date"},
    "link": {"@id": "ex:link", "@type": "@id"},
    "kind": {"@id": "ex:kind", "@type": "@vocab"},
    "kindA": "ex:kindA",
    "kindOrLink": {"@id": "ex:either", "@type": "@vocab"},
    "linkOrKind": {"@id": "ex:either", "@type": "@id"},
    "ex:compact": {"@type": "@id"},
}
PREFIXES = {"ex": EX, "exa": EX + "a/", "exh": EX + "a#", "rdf": RDF, "xsd": XSD, "long": EX + "a/b/"}
NAMESPACES = [EX, EX + "a/", EX + "a#", EX + "a/b/", "urn:x:", RDF, XSD]
LOCAL_CHARS = list("aZ09_-.:~!$&'()*+,;=/?#@%") + ["é", "中", "·", "\u0300", "\u203f", "\U00010000", "\ufffd"]
PREDICATES = [EX + name for name in ("name", "count", "flag", "link", "kind", "either", "compact", "other")]
PREDICATES += [EX + "a/when", RDF + "type", "urn:x:p"]
DATATYPES = [XSD + n for n in ("string", "integer", "boolean", "decimal", "double", "date", "int", "nonNegativeInteger")]
DATATYPES += [EX + "type", EX + "a/b/type"]
LEXICAL = ["1", "01", "-0", "+5", "1.0", ".5", "5.", "1e3", "1.5E-2", "true", "false", "9007199254740993", "x", ""]
HOSTILE = st.text(st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from('"\\\n\r\t\x00\x0b\x7f\ufffe\U0001f600')), max_size=8)


def _valid(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


IRIS = st.builds(
    lambda namespace, local: namespace + local,
    st.sampled_from(NAMESPACES), st.text(st.sampled_from(LOCAL_CHARS), max_size=5),
).filter(_valid)
NAMED = st.one_of(IRIS, st.sampled_from([EX + "kindA", EX + "name", RDF + "type", EX])).map(ox.NamedNode)
BLANK = st.from_regex(r"[a-z][a-z0-9]{0,3}", fullmatch=True).map(ox.BlankNode)
LITERALS = st.one_of(
    HOSTILE.map(ox.Literal),
    st.builds(lambda v, tag: ox.Literal(v, language=tag), HOSTILE, st.sampled_from(["en", "EN-gb", "fr"])),
    st.builds(
        lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(dt)),
        st.one_of(st.sampled_from(LEXICAL), HOSTILE), st.sampled_from(DATATYPES),
    ),
)
TRIPLES = st.sets(
    st.builds(
        ox.Triple,
        st.one_of(NAMED, BLANK, st.sampled_from(["s1", "s2"]).map(lambda s: ox.NamedNode(EX + s))),
        st.sampled_from(PREDICATES).map(ox.NamedNode),
        st.one_of(NAMED, BLANK, LITERALS),
    ),
    max_size=25,
)
WIDE = st.sets(  # one subject, few predicates: many values per key, to be sorted
    st.builds(
        ox.Triple, st.just(ox.NamedNode(EX + "wide")),
        st.sampled_from([EX + "name", EX + "other", EX + "count", RDF + "type"]).map(ox.NamedNode),
        st.one_of(NAMED, BLANK, LITERALS),
    ),
    max_size=12,
)


def _writers(context: dict[str, object], prefixes: dict[str, str]) -> Writers:
    compactor = formats._Compactor(context)  # type: ignore[arg-type]
    return Writers(
        compactor.node, prefixes, partial(describe.count_lines, base=DEFAULT_BASE),
        Subjects(compactor, prefixes), partial(describe.count_rows, base=DEFAULT_BASE),
    )


def _assert_as_from_pyoxigraph(triples: set[ox.Triple], writers: Writers) -> None:
    """make_part's part equals the one written from pyoxigraph triples by the slow writers."""
    part = make_part(triples, writers)
    keyed = sorted((str(t), t) for t in triples)
    assert part.lines == [line for line, _ in keyed]
    ordered = [t for _, t in keyed]
    subjects = list(dict.fromkeys(str(t.subject) for t in ordered))
    assert list(part.blocks) == subjects
    for subject, (start, end) in part.blocks.items():
        assert {str(t.subject) for t in ordered[start:end]} == {subject}
        assert part.nodes[subject] == writers.node(ordered[start:end])
    statements = parts.turtle_statements(ordered, writers.prefixes)
    assert statements is not None
    assert list(part.turtle.values()) == statements
    assert part.counts == writers.count(part.lines)
    terms = {str(term) for t in triples for term in (t.subject, t.predicate, t.object) if not isinstance(term, ox.Literal)}
    assert part.terms == terms


@settings(max_examples=300, deadline=None)
@given(triples=TRIPLES, wide=WIDE)
def test_a_hostile_part_is_written_as_from_pyoxigraph_triples(triples: set[ox.Triple], wide: set[ox.Triple]) -> None:
    _assert_as_from_pyoxigraph(triples | wide, _writers(CONTEXT, PREFIXES))


OMSKG_IRIS = st.builds(
    lambda namespace, local: namespace + local,
    st.sampled_from(sorted(set(build._writers(DEFAULT_BASE).prefixes.values()))),
    st.text(st.sampled_from(LOCAL_CHARS), max_size=5),
).filter(_valid).map(ox.NamedNode)
OMSKG_PREDICATES = sorted(build._writers(DEFAULT_BASE).subjects.nodes.compactor.terms)


@settings(max_examples=200, deadline=None)
@given(
    triples=st.sets(
        st.builds(
            ox.Triple, st.one_of(OMSKG_IRIS, BLANK), st.sampled_from(OMSKG_PREDICATES).map(ox.NamedNode),
            st.one_of(OMSKG_IRIS, BLANK, LITERALS),
        ),
        max_size=25,
    )
)
def test_a_part_under_the_published_context_is_written_as_from_pyoxigraph_triples(
    triples: set[ox.Triple],
) -> None:
    _assert_as_from_pyoxigraph(triples, build._writers(DEFAULT_BASE))


@settings(max_examples=500, deadline=None)
@given(local=st.text(st.one_of(st.sampled_from(LOCAL_CHARS), st.characters(exclude_categories=["Cs"])), min_size=1, max_size=6))
def test_local_names_are_escaped_as_oxigraph_escapes_them(local: str) -> None:
    iri = EX + local
    if not _valid(iri):
        return
    written = ox.serialize([ox.Triple(ox.NamedNode(iri), ox.NamedNode(iri), ox.NamedNode(iri))],
                           format=ox.RdfFormat.TURTLE, prefixes={"ex": EX})
    assert written is not None
    expected = written.decode().split("\n", 1)[1].split(" ", 1)[0]
    escaped = escape_local_name(local)
    assert expected == (f"<{iri}>" if escaped is None else f"ex:{escaped}")


SEGMENTED = st.builds(  # IRIs whose last segments are and are not written as they are
    lambda namespace, local: namespace + local,
    st.sampled_from(NAMESPACES + [EX + "a/b/", EX + "z/", "urn:y/"]),
    st.text(st.sampled_from(LOCAL_CHARS + ["/", "#", "-", "x", "9"]), max_size=8),
).filter(_valid)


@settings(max_examples=500, deadline=None)
@given(iri=SEGMENTED, prefixes=st.sampled_from([PREFIXES, {**PREFIXES, "ab": EX + "a/b"}]))
def test_an_iri_written_from_its_head_is_written_as_in_full(iri: str, prefixes: dict[str, str]) -> None:
    """Subjects.iri, by the IRI's head where it can (not where a prefix ends otherwise than
    with / or #), gives the id and Turtle written from the whole IRI."""
    subjects = Subjects(formats._Compactor(CONTEXT), prefixes)  # type: ignore[arg-type]
    for written in (iri, iri + "y", iri + "-0"):  # (the last two under the same head, where it is one)
        compact = subjects.nodes.compactor.shorten(written)
        expected = (compact, json.dumps(compact, ensure_ascii=False), subjects.turtle.shorten(written))
        assert subjects.iri(f"<{written}>") == expected


def test_an_iri_is_written_from_its_head_where_every_namespace_ends_with_a_slash_or_hash() -> None:
    subjects = Subjects(formats._Compactor(CONTEXT), PREFIXES)  # type: ignore[arg-type]
    assert subjects._by_head
    assert subjects.iri(f"<{EX}a/b/c-1>") == ("exa:b/c-1", '"exa:b/c-1"', "long:c-1")
    assert list(subjects._heads) == [f"{EX}a/b/"]
    assert not Subjects(formats._Compactor(CONTEXT), {"ab": EX + "a/b"})._by_head  # type: ignore[arg-type]


ENTITY = f"<{DEFAULT_BASE}entity/"
COUNTED_TERMS = [f"{ENTITY}a>", f"{ENTITY}b>", f"<{DEFAULT_BASE}statement/c>", f"<{EX}d>", "_:e"]
COUNTED_PREDICATES = [f"<{RDF}type>", f"<{EX}other>"] + sorted(f"<{p}>" for p in MATCH_PROPERTIES.values())
COUNTED_OBJECTS = COUNTED_TERMS + [f"<{OMSKG.SourceDocument}>", f"<{OMSKG.Statement}>", '"x"', '"1"^^<urn:t>']


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(
    st.sampled_from(COUNTED_TERMS), st.sampled_from(COUNTED_PREDICATES), st.sampled_from(COUNTED_OBJECTS),
), max_size=30))
def test_void_counts_of_rows_are_counted_row_by_row(rows: list[tuple[str, str, str]]) -> None:
    """count_rows (C-level counting of the rows' columns) counts as a loop over each row
    does, each count in the same order."""
    expected = describe.Counts()
    for subject, predicate, obj in rows:
        expected.objects.add(obj)
        expected.properties[predicate] += 1
        if predicate == f"<{RDF}type>":
            expected.classes[describe._value(obj)] += 1
            if obj == f"<{OMSKG.SourceDocument}>":
                expected.sources[describe._value(subject)] += 1
        elif predicate[1:-1] in map(str, MATCH_PROPERTIES.values()) and subject.startswith(ENTITY):
            expected.links[(predicate[1:-1], describe._value(obj))] += 1
    counts = describe.count_rows(rows, DEFAULT_BASE)
    assert counts == expected
    for mine, theirs in ((counts.properties, expected.properties), (counts.classes, expected.classes),
                         (counts.sources, expected.sources), (counts.links, expected.links)):
        assert list(mine.items()) == list(theirs.items())
