"""The parts merged (omskg.parts.merge) are the graph written as one part: the same sorted
lines, JSON-LD node objects, Turtle statements and VoID figures, on hostile graphs spread
over parts in every way (a subject in one part, the same block in several parts as a value
node is, different triples of one subject in several parts, a subject of the ontology or of
the shared triples); and the split gate's conditions (``local``, Gg) are those its docstring
states, computed here from the triples themselves."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from omskg import describe, parts
from omskg.part_text import Writers, make_part
from omskg.vocab import DEFAULT_BASE, OMSKG

from .test_part_text import CONTEXT, PREFIXES, TRIPLES, _writers

PARTS = 3
WHERE = st.frozensets(st.integers(0, PARTS + 1), min_size=1)  # the parts, PARTS: O, PARTS + 1: S


def _terms(triples: set[ox.Triple]) -> set[str]:
    return {str(term) for t in triples for term in (t.subject, t.predicate, t.object) if not isinstance(term, ox.Literal)}


def _local_and_gate(pieces: list[set[ox.Triple]], ontology: set[ox.Triple], shared: set[ox.Triple]) -> tuple[bool, set[ox.Triple]]:
    """Conditions 1-3 of omskg.parts and Gg, from their statement."""
    common = ontology | shared
    terms = [_terms(piece) for piece in pieces]
    mentions = {term: sum(term in found for found in terms) for term in set().union(*terms)}
    common_terms = _terms(common)

    def private(term: str) -> bool:
        return mentions.get(term, 0) == 1 and term not in common_terms

    def about(triples: set[ox.Triple], subject: str) -> set[ox.Triple]:
        return {t for t in triples if str(t.subject) == subject}

    whole = common.union(*pieces)
    local = all(t in ontology for piece in pieces for t in piece if str(t.subject) in _terms(ontology))  # 1
    gate = set(common)
    for subject in {str(t.subject) for t in whole} - _terms(ontology):
        if private(subject):
            continue
        holding = [piece for piece in pieces if about(piece, subject)]
        local &= all(about(piece, subject) == about(whole, subject) for piece in holding)  # 2
        local &= len(holding) == mentions.get(subject, 0)
        gate |= about(whole, subject)
    subjects = {str(t.subject) for t in whole}
    local &= not any(  # 3
        not isinstance(t.object, ox.Literal) and private(str(t.object)) and str(t.object) in subjects for t in gate
    )
    return local, gate


def _assert_merged_as_one_part(
    pieces: list[set[ox.Triple]], ontology: set[ox.Triple], shared: set[ox.Triple], writers: Writers
) -> None:
    merged = parts.merge([make_part(piece, writers) for piece in pieces], ontology, shared, writers)
    whole = make_part(ontology | shared | set().union(*pieces), writers)
    assert merged.lines == whole.lines
    assert merged.subjects == list(whole.blocks)
    assert merged.nodes == list(whole.nodes.values())
    assert merged.turtle == list(whole.turtle.values())
    figures = describe.statistics_of_counts(merged.counts, merged.subjects, len(merged.lines), DEFAULT_BASE)
    assert figures == describe.statistics_of_lines(whole.lines, DEFAULT_BASE)
    local, gate = _local_and_gate(pieces, ontology, shared)
    assert merged.local == local
    if local:
        assert merged.gate_graph == gate


@settings(max_examples=300, deadline=None)
@given(triples=TRIPLES, data=st.data())
def test_merged_parts_are_the_graph_as_one_part(triples: set[ox.Triple], data: st.DataObject) -> None:
    """Each subject's triples go to some of the parts, the ontology and the shared triples:
    all together (the same block everywhere) or each triple on its own way."""
    pieces: list[set[ox.Triple]] = [set() for _ in range(PARTS + 2)]
    by_subject: dict[str, list[ox.Triple]] = {}
    for triple in sorted(triples, key=str):
        by_subject.setdefault(str(triple.subject), []).append(triple)
    for subject_triples in by_subject.values():
        together = data.draw(st.booleans())
        where = data.draw(WHERE)
        for triple in subject_triples:
            for index in where if together else data.draw(WHERE):
                pieces[index].add(triple)
    *in_parts, ontology, shared = pieces
    _assert_merged_as_one_part(in_parts, ontology, shared, _writers(CONTEXT, PREFIXES))


def test_a_value_node_in_every_part_is_written_once() -> None:
    ex = "http://ex.org/"
    value = ox.BlankNode("v")
    node = {ox.Triple(value, ox.NamedNode(ex + "name"), ox.Literal("x", language="en"))}
    pieces = [
        node | {ox.Triple(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(ex + "link"), value)} for i in range(4)
    ]
    writers = _writers(CONTEXT, PREFIXES)
    merged = parts.merge([make_part(piece, writers) for piece in pieces], set(), set(), writers)
    assert merged.lines.count(str(next(iter(node)))) == 1
    assert merged.local
    assert merged.counts.properties[f"<{ex}name>"] == 1
    _assert_merged_as_one_part(pieces, set(), set(), writers)


SUBJECT_STARTS = [f"<{DEFAULT_BASE}", f"<{OMSKG}", f"<{DEFAULT_BASE[:-1]}", f"<{str(OMSKG)[:-1]}", "<http://ex.org/", "_:", "<"]


@settings(max_examples=300, deadline=None)
@given(
    subjects=st.sets(st.builds(str.__add__, st.sampled_from(SUBJECT_STARTS), st.text(st.sampled_from("/#a0~\x7f\U0010ffff>"), max_size=3))),
    base=st.sampled_from([DEFAULT_BASE, "http://ex.org/", str(OMSKG), "https://w3id.org/"]),
)
def test_the_entities_are_the_subjects_under_the_base_but_not_the_ontologys(subjects: set[str], base: str) -> None:
    ordered = sorted(subjects)
    figures = describe.statistics_of_counts(describe.Counts(), ordered, 0, base)
    assert figures.entities == sum(1 for s in ordered if s.startswith(f"<{base}") and not s.startswith(f"<{OMSKG}"))
