"""The quick check's short cuts agree with its general path and with the engine: a SPARQL
variable that nothing after its pattern reads bound to one term, an OPTIONAL whose rows a
FILTER (!BOUND(...)) rejects searched to its first solution, a path followed once per node
and graph, a test of a value alone remembered per term; the index of a part's lines over
the ontology's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omskg import shacl
from omskg.shacl import quick_sparql
from omskg.shacl.quick_graph import Ontology, QuickGraph, Unsure
from omskg.shacl.quick_parse import parse
from omskg.shacl.quick_paths import path_function

from .test_shacl_engine import _shapes, _triples
from .test_shacl_quick import TRIPLES, _compiled, _decide, _lines

PREFIXES = "PREFIX ex: <http://example.org/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
SHORT_CUT_QUERIES = [
    "SELECT DISTINCT $this WHERE { $this ?p ?v . ?p a ex:C . FILTER NOT EXISTS { $this a ex:C } }",
    "SELECT $this WHERE { $this ex:p ?v . $this ex:q ?w . FILTER (isIRI(?v)) }",
    "SELECT $this WHERE { $this ex:p ?v . ?w ex:q ?v }",
    "SELECT $this WHERE { $this ex:p ?v . ?v ex:p/ex:q* ?w }",
    "SELECT $this WHERE { $this ex:p ?v . ?w ex:p ?v . ?w (ex:q|^ex:p)* ?x . ?v ex:q+ ?x . FILTER (isBlank(?x)) }",
    "SELECT $this WHERE { ?w ex:p $this . ?x a ex:C }",
    "SELECT $this WHERE { $this ex:p ?v . ?x ?q ?v . FILTER (isIRI(?v)) }",
    "SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?s ex:q ?v . FILTER (!isBlank(?s)) } FILTER (!BOUND(?s)) }",
    "SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?s ex:q ?v } FILTER (isIRI(?v)) FILTER (!BOUND(?s)) }",
    "SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?s ex:q ?v } ?s ex:p ?x . FILTER (!BOUND(?s)) }",
    "SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?s ex:q ?v } FILTER (?v = 1) FILTER (!BOUND(?s)) }",
    "SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?v ex:q ?w } FILTER (!BOUND(?w) || isLiteral(?w)) }",
    "SELECT $this WHERE { $this ex:p ?v . FILTER NOT EXISTS { $this ?q ?w . ?q a ex:C . ?w ex:p ?x } }",
    "SELECT $this WHERE { $this ex:q ?v . FILTER EXISTS { ?v ex:p ?w . ?x ex:q ?w . FILTER (isBlank(?x)) } }",
]
COMPILED = [_compiled(q) for q in SHORT_CUT_QUERIES]


@contextmanager
def _general() -> Iterator[None]:
    """The quick SPARQL evaluation with no short cut: every variable read after, no OPTIONAL
    rejected early, each path followed each time."""
    with pytest.MonkeyPatch.context() as patch:
        group = quick_sparql._group
        patch.setattr(quick_sparql, "_group", lambda g, bound, live=None: group(g, bound, None))  # (EXISTS too)
        patch.setattr(quick_sparql, "_rejects", lambda group, optional: False)
        patch.setattr(QuickGraph, "reached", lambda graph, follow, node: follow(graph, node))
        yield


def _answer(select: str, lines: list[str]) -> bool | None:
    """Has the query a row for a subject of the graph (None: unsure)?"""
    query = quick_sparql.compile_query(PREFIXES + select)
    assert query is not None, select
    graph = QuickGraph(lines, Ontology([]))
    try:
        return query(graph, {line.split(" ", 1)[0] for line in lines})
    except Unsure:
        return None


def test_the_short_cuts_are_taken() -> None:
    for compiled in COMPILED:
        (sparql,) = compiled[0].shape.sparql
        assert sparql.bulk and sparql.quick is not None, sparql.query
    query = parse(PREFIXES + SHORT_CUT_QUERIES[0])
    assert quick_sparql._read_group(query.where) == set(query.slots.values())
    rejecting = parse(PREFIXES + SHORT_CUT_QUERIES[7]).where
    optional = next(part for part in rejecting.parts if not isinstance(part, list))
    assert quick_sparql._rejects(rejecting, optional)
    keeping = parse(PREFIXES + SHORT_CUT_QUERIES[11]).where
    assert not quick_sparql._rejects(keeping, next(p for p in keeping.parts if not isinstance(p, list)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRIPLES)
def test_the_short_cuts_agree_with_the_general_path_and_the_engine(rows: list[tuple[str, str, str]]) -> None:
    """Random small graphs (many objects per subject, literals, a blank node): where the
    general path decides, the short cuts give its answer; where they decide, the engine's."""
    triples = _triples("".join(f"{s} {p} {o} .\n" for s, p, o in rows))
    lines = _lines(triples)
    for select, compiled in zip(SHORT_CUT_QUERIES, COMPILED, strict=True):
        fast = _answer(select, lines)
        with _general():
            general = _answer(select, lines)
        assert general is None or fast is general, select
        engine, quick = _decide(triples, compiled)
        assert quick is None or quick is engine, select


def test_the_short_cuts_decide_where_the_general_path_does() -> None:
    triples = _triples("""ex:a ex:p ex:b , ex:c , true ; ex:q ex:b , ex:c , "x" ; a ex:C .
        ex:b ex:q ex:a , ex:c ; ex:p ex:a . ex:c a ex:C ; ex:q ex:a . ex:p a ex:C . _:n ex:q ex:b .""")
    lines = _lines(triples)
    for select, compiled in zip(SHORT_CUT_QUERIES, COMPILED, strict=True):
        with _general():
            general = _answer(select, lines)
        assert _answer(select, lines) is general or general is None, select
        engine, quick = _decide(triples, compiled)
        assert quick is None or quick is engine, select


@pytest.mark.parametrize(("index", "turtle"), [
    (1, 'ex:a ex:p "x" , ex:b ; ex:q ex:c .'),  # ?v read by the FILTER: each value, not the first
    (13, "ex:a ex:q ex:b , ex:c . ex:b ex:p ex:c . _:n ex:q ex:c ."),  # ?x read by the EXISTS' FILTER
])
def test_a_variable_a_filter_reads_is_bound_to_each_term(index: int, turtle: str) -> None:
    """The graph's one row is found at a term after the first (the lines' order)."""
    triples = _triples(turtle)
    assert _answer(SHORT_CUT_QUERIES[index], _lines(triples)) is True
    assert _decide(triples, COMPILED[index]) == (False, False)


def test_a_rejected_optional_is_not_searched_past_its_first_solution() -> None:
    """Where the general path is unsure (literals compared by value in a FILTER), the row an
    OPTIONAL extends is rejected all the same: no row, as SPARQL has it."""
    select = SHORT_CUT_QUERIES[10]
    triples = _triples("ex:a ex:p 2 . ex:b ex:q 2 .")
    with _general():
        assert _answer(select, _lines(triples)) is None
    assert _answer(select, _lines(triples)) is False
    assert _decide(triples, COMPILED[10]) == (True, True)
    kept = _triples('ex:a ex:p ex:b . ex:b ex:q "x" .')  # its one row extended by the OPTIONAL
    assert _answer(SHORT_CUT_QUERIES[11], _lines(kept)) is True
    assert _decide(kept, COMPILED[11]) == (False, False)


def test_a_graph_finds_a_subjects_triples_and_an_objects_from_its_lines_and_the_ontologys() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    ontology = Ontology([f'<urn:o> <urn:p> "01"^^<{xsd}integer>', "<urn:o> <urn:q> <urn:b>"])
    graph = QuickGraph(["<urn:a> <urn:p> <urn:b>", "<urn:o> <urn:q> <urn:b>", '<urn:a> <urn:r> "x"'], ontology)
    # an own predicate whose table has the ontology's literal: stored by its value
    assert graph.stored_forward["<urn:p>"] == {"<urn:o>": [f'"1"^^<{xsd}integer>'], "<urn:a>": ["<urn:b>"]}
    assert graph.stored_forward["<urn:q>"] is graph.forward["<urn:q>"]
    assert graph.stored_forward["<urn:none>"] == {} and graph.backward["<urn:none>"] == {}
    assert sorted(graph.stored_in("<urn:b>")) == [("<urn:a>", "<urn:p>"), ("<urn:o>", "<urn:q>")]
    assert graph.stored_in('"x"') == [("<urn:a>", "<urn:r>")]
    assert graph.stored_out["<urn:o>"] == {f'"1"^^<{xsd}integer>': ["<urn:p>"], "<urn:b>": ["<urn:q>"]}
    alone = QuickGraph(['<urn:a> <urn:r> "x"'], ontology)  # the ontology's tables, shared
    assert alone.stored_forward["<urn:p>"] is ontology.stored_forward["<urn:p>"]
    assert alone.backward["<urn:q>"] is ontology.backward["<urn:q>"] == {"<urn:b>": ["<urn:o>"]}
    term = "<< <urn:a> <urn:p> <urn:b> >>"
    with pytest.raises(shacl.Unsure):
        _ = QuickGraph([f"<urn:a> <urn:s> {term}"], ontology).stored_forward["<urn:s>"]


def test_a_path_is_followed_once_per_node_and_graph() -> None:
    follow = path_function(("*", ("p", "<urn:p>")), stored=True)
    first = QuickGraph(["<urn:a> <urn:p> <urn:b>", "<urn:b> <urn:p> <urn:a>"], Ontology([]))
    second = QuickGraph(["<urn:a> <urn:p> <urn:c>"], Ontology([]))
    assert follow(first, "<urn:a>") == ["<urn:a>", "<urn:b>"] and follow(second, "<urn:a>") == ["<urn:a>", "<urn:c>"]
    assert follow(first, "<urn:a>") is follow(first, "<urn:a>")
    assert follow(first, "<urn:b>") == ["<urn:b>", "<urn:a>"]


# ---------------------------------------------------------------- value tests remembered per term

VALUE_SHAPES = shacl.compile_shapes(_shapes("""ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ;
    sh:minLength 2 ; sh:maxLength 4 ; sh:pattern "^a.$" ; sh:languageIn ( "en" "fr-CA" ) ] ."""))
TAGS = st.sampled_from([None, "en", "EN", "en-GB", "en-gb", "fr", "fr-CA", "fr-ca-x-ab", "english"])
TEXTS = st.text(alphabet=st.sampled_from(["a", "b", '"', "\\", "\n", "@", "é", "\U0001f600", ">", " "]), max_size=5)
TERMS = st.one_of(
    st.builds(lambda text, tag: ox.Literal(text, language=tag) if tag else ox.Literal(text), TEXTS, TAGS),
    st.builds(lambda text: ox.Literal(text, datatype=ox.NamedNode("http://example.org/t")), TEXTS),
    st.builds(lambda tail: ox.NamedNode(f"http://a{tail}"), st.sampled_from(["", "b", "é", "%20", "x/y"])),
    st.just(ox.BlankNode("n")),
)


@settings(max_examples=120, deadline=None)
@given(st.lists(TERMS, max_size=6))
def test_remembered_value_tests_agree_with_the_engine_on_any_term(values: list[ox.NamedNode | ox.BlankNode | ox.Literal]) -> None:
    """Each term alone and all together, with what earlier examples left remembered."""
    data, graph = shacl.DataGraph(set()), QuickGraph([], Ontology([]))
    focus = ox.NamedNode("http://example.org/a")
    (prop,) = VALUE_SHAPES[0].shape.properties
    assert [c.component for c in prop.constraints] == [
        "MinLengthConstraintComponent", "MaxLengthConstraintComponent", "PatternConstraintComponent",
        "LanguageInConstraintComponent"]
    for constraint in prop.constraints:
        assert constraint.each is not None
        verdicts = [not list(constraint.check(data, focus, [value])) for value in values]
        for value, verdict in zip(values, verdicts, strict=True):
            assert constraint.each(graph, [str(value)]) is verdict, (constraint.component, value)
        assert constraint.each(graph, {str(v) for v in values}) is all(verdicts)
