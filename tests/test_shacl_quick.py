"""The quick check (omskg.shacl.quick) against the engine: on every graph the engine's
tests use it gives the engine's answer (conforms or not) or says it is unsure, and on the
omskg shapes it is never unsure of the graphs a build makes. A build's workers use it
(validate.part_conforms), so it must never say "conforms" where the engine reports."""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from omskg import mappings, parts, resources, shacl
from omskg import validate as validate_module
from omskg.facts import fact_file_paths, read_fact_files
from omskg.graph import file_triples, ontology_triples
from omskg.ntriples import TripleLines
from omskg.rdf import Triples, of_rdflib
from omskg.shacl.quick_graph import Ontology, QuickGraph, stored
from omskg.shacl.quick_sparql import compile_query
from omskg.validate import (
    _compiled_default_shapes,
    _quick_default,
    part_conforms,
    shown_to_conform,
    validate_triples,
)
from omskg.vocab import DEFAULT_BASE, Vocabulary, load_vocabulary
from tests import w3c_suite

from .test_shacl_engine import SUITE, SUITE_CASES, _shapes, _triples
from .test_shapes import CASES, DESCRIPTION_CASES, Case, _mutate, description  # noqa: F401 (a fixture)
from .test_split_gate import _split


def _lines(triples: Triples) -> list[str]:
    return sorted(str(t) for t in triples)


def _rows(triples: Triples) -> dict[str, tuple[str, str, str]]:
    """Each triple's terms by its line, as a build's worker has them at hand."""
    lines = TripleLines()
    for triple in triples:
        lines.add_triple(triple)
    return lines.rows


def _text(triples: Triples) -> bytes:
    """The triples and the ontology's as N-Triples (as a build's worker writes them)."""
    return ox.serialize(triples | ontology_triples(load_vocabulary()), format=ox.RdfFormat.N_TRIPLES)


def _quick(triples: Triples) -> bool:
    """The quick check of the omskg shapes (the ontology added), which must decide."""
    checker = _quick_default()
    assert checker is not None, "the omskg shapes are beyond the quick check"
    return checker(_lines(triples))


def _engine(triples: Triples) -> bool:
    return validate_triples(triples).conforms


# ---------------------------------------------------------------- the omskg shapes


def test_the_omskg_shapes_are_checked_quickly() -> None:
    shapes = _compiled_default_shapes()
    assert _quick_default() is not None
    assert all(s.quick is not None for node_shape in shapes for s in node_shape.shape.sparql)


def test_good_graphs_conform_quickly(graph: Graph, mini_graph: Graph) -> None:
    for good in (graph, mini_graph):
        assert _quick(of_rdflib(good)) is True


def test_each_part_of_the_shipped_facts_conforms_quickly(vocab: Vocabulary) -> None:
    """A part as a build's worker makes it: one fact file's triples with its targets' labels."""
    fact_files, problems = read_fact_files(fact_file_paths(resources.conditions_dir()), vocab)
    assert not problems
    targets = mappings.load_targets(resources.xref_targets_file())
    for fact_file in fact_files:
        triples = file_triples(fact_file, vocab, DEFAULT_BASE) | mappings.label_triples([fact_file], targets)
        part = parts.make_part(triples, None)
        assert _quick(triples) is True
        assert part_conforms(part.lines, _text(triples)) is True
        assert part_conforms(_rows(triples), _text(triples)) is True


def test_a_build_of_one_file_is_shown_to_conform_without_the_engine(
    tmp_path: Path, mini_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph of a build that is not split is shown to conform by the quick check; the
    engine validates it (for its report) only where the quick check cannot show it."""
    from omskg import build as build_module

    assert shown_to_conform(_lines(of_rdflib(mini_graph))) is True
    assert shown_to_conform(_lines(of_rdflib(_mutate(mini_graph, CASES[0])[0]))) is False
    validated: list[int] = []

    def counted(triples: Triples, *args: object, **kwargs: object) -> validate_module.Outcome:
        validated.append(len(triples))
        return validate_triples(triples, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "validate_triples", counted)
    publication = build_module.build(resources.conditions_dir(), tmp_path / "a", DEFAULT_BASE)
    assert len(validated) == 1 and validated[0] < publication.assembled.count  # the description alone

    def unsure(lines: object) -> bool:
        raise shacl.Unsure("cannot tell")

    monkeypatch.setattr(validate_module, "_quick_default", lambda: unsure)
    assert shown_to_conform(_lines(of_rdflib(mini_graph))) is False
    validated.clear()
    build_module.build(resources.conditions_dir(), tmp_path / "b", DEFAULT_BASE)
    assert validated[0] == publication.assembled.count  # the whole graph, by the engine


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_quick_check_rejects_every_constraint_case(mini_graph: Graph, vocab: Vocabulary, case: Case) -> None:
    """The whole mutated graph, and the part a build's worker would check (as the split gate's
    tests split it): the quick check decides, and as the engine does."""
    mutated, _ = _mutate(mini_graph, case)
    whole = of_rdflib(mutated)
    assert _quick(whole) is False, case.name
    # as a build that is not split asks it, of its lines as the build writes them
    assert shown_to_conform(parts.make_part(whole, None).lines) is False, case.name
    ontology = set(ontology_triples(vocab))
    present = ontology & whole  # a case may take a triple off the ontology
    data, shared = _split(whole, present)
    for piece in (data, data | shared):
        engine = validate_triples(piece | present, ontology=False).conforms
        assert _quick(piece | present) is engine, case.name
        assert part_conforms(_lines(piece), _text(piece)) is _engine(piece), case.name
        assert part_conforms(_rows(piece), _text(piece)) is _engine(piece), case.name  # (as a worker asks)


@pytest.mark.parametrize("case", DESCRIPTION_CASES, ids=[c.name for c in DESCRIPTION_CASES])
def test_the_quick_check_rejects_every_description_case(description: Graph, case: Case) -> None:  # noqa: F811
    mutated, _ = _mutate(description, case)
    assert _quick(of_rdflib(mutated)) is False, case.name
    assert _quick(of_rdflib(description)) is True


# ---------------------------------------------------------------- any shapes


def _decide(triples: Triples, compiled: list[shacl.NodeShape]) -> tuple[bool, bool | None]:
    """(the engine's answer, the quick check's or None where it is unsure)."""
    engine = not shacl.validate(shacl.DataGraph(triples), compiled)
    checker = shacl.quick_checker(compiled, [])
    assert checker is not None
    try:
        return engine, checker(_lines(triples))
    except shacl.Unsure:
        return engine, None


@pytest.mark.skipif(SUITE is None, reason=f"set {w3c_suite.SUITE} to the W3C SHACL suite's tests/ folder")
@pytest.mark.parametrize("case", SUITE_CASES, ids=[c.name for c in SUITE_CASES])
def test_w3c_suite_the_quick_check_agrees_with_the_engine(case: w3c_suite.Case) -> None:
    data = w3c_suite._parse(case.data)
    shapes = data if case.shapes == case.data else w3c_suite._parse(case.shapes)
    try:
        compiled = shacl.compile_shapes(shapes)
        shacl.validate(shacl.DataGraph(of_rdflib(data)), compiled)
    except shacl.ShapesError:
        return  # the engine refuses these shapes: so does a build
    if shacl.quick_checker(compiled, []) is None:
        assert case.section == "sparql", "every Core constraint has a quick test"
        return
    engine, quick = _decide(of_rdflib(data), compiled)
    assert quick is engine


# Queries of the bulk form, each with the constructs the quick check evaluates.
QUERIES = [
    "SELECT $this WHERE { $this ex:p ?o . FILTER NOT EXISTS { ?o ex:q ?x } }",
    "SELECT $this WHERE { $this ex:p ?o . ?o ex:q* ?x . FILTER (isLiteral(?x)) }",
    "SELECT $this ?v WHERE { $this ex:p ?v . OPTIONAL { ?v ex:q ?w . FILTER (?w != ex:a) } FILTER (!BOUND(?w)) }",
    "SELECT $this WHERE { $this ex:p ?v . FILTER (IF(isLiteral(?v), datatype(?v) != xsd:integer, NOT EXISTS { ?v a ex:C })) }",
    "SELECT $this WHERE { $this ?p ?v . ?p a ex:C . FILTER (isIRI(?v) && ?v = ex:a || isBlank(?v)) }",
    "SELECT $this WHERE { $this ex:p ?v . ?v ex:p/ex:q ?w . FILTER (sameTerm(?v, ?w)) }",
    "SELECT $this WHERE { $this ex:p true . $this ex:q 1 }",
    'SELECT $this WHERE { $this ex:p "x"@en }',
    "SELECT $this WHERE { $this ex:p ?v . $this (ex:p|^ex:q)+ ?w . FILTER (sameTerm(?w, $this)) }",
    "SELECT $this WHERE { $this ex:p ?v . ?w ex:q ?v . FILTER EXISTS { ?w a ex:C } }",
    "SELECT DISTINCT $this WHERE { $this ex:p ?v ; ex:q ?v }",
    "SELECT $this WHERE { $this ex:q ?v . ?v ex:p? ?w . FILTER (datatype(?w) = xsd:integer) }",
    "SELECT $this WHERE { $this ?p ?v . FILTER NOT EXISTS { $this ?p2 ?v . FILTER (?p2 != ?p) } }",
    "SELECT $this WHERE { $this ex:q ?v . ?s ex:p ?v ; a ex:C . FILTER (?s != $this) }",
    "SELECT $this WHERE { $this ex:p ?v . ?v (^ex:p/ex:q)* ?w . ?w ex:q ?x . FILTER (isLiteral(?x)) }",
]
TERMS = ["ex:a", "ex:b", "ex:c", "ex:C", "ex:p", "ex:q", "_:n"]
OBJECTS = TERMS + ['"1"^^xsd:integer', '"01"^^xsd:integer', '"1.0"^^xsd:decimal', "true", '"1"^^xsd:boolean',
                   '"x"', '"x"@en', '"x"@EN-gb', '"x"@en--ltr', '"68"^^xsd:nonNegativeInteger', '"a"^^xsd:integer']
TRIPLES = st.lists(
    st.tuples(st.sampled_from(TERMS[:4] + ["_:n"]), st.sampled_from(["ex:p", "ex:q", "a", "ex:p", "ex:q"]),
              st.sampled_from(OBJECTS)),
    max_size=12,
)


def _compiled(select: str) -> list[shacl.NodeShape]:
    shapes = f'ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p, ex:q ; sh:sparql [ sh:prefixes ex:decl ; sh:select """{select}""" ] .\n'
    declarations = ", ".join(f'[ sh:prefix "{p}" ; sh:namespace "{n}"^^xsd:anyURI ]' for p, n in (
        ("ex", "http://example.org/"), ("xsd", "http://www.w3.org/2001/XMLSchema#")))
    return shacl.compile_shapes(_shapes(shapes + f"ex:decl sh:declare {declarations} .\n"))


COMPILED = [_compiled(q) for q in QUERIES]


def test_the_queries_are_of_the_bulk_form_and_quick() -> None:
    for compiled in COMPILED:
        (sparql,) = compiled[0].shape.sparql
        assert sparql.bulk and sparql.quick is not None, sparql.query


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRIPLES)
def test_the_quick_sparql_constraints_agree_with_oxigraph(rows: list[tuple[str, str, str]]) -> None:
    """Random small graphs (literals as written and as Oxigraph stores them, a blank node):
    each query's quick answer is the engine's, where the quick check decides."""
    triples = _triples("".join(f"{s} {p} {o} .\n" for s, p, o in rows))
    for select, compiled in zip(QUERIES, COMPILED, strict=True):
        engine, quick = _decide(triples, compiled)
        assert quick is None or quick is engine, select


def test_the_quick_check_decides_the_queries_on_a_graph_that_has_their_rows() -> None:
    """Not unsure of everything: each query, on a graph with rows and without."""
    triples = _triples("""ex:a ex:p ex:b , true , "x"@en ; ex:q 1 , ex:b ; a ex:C .
        ex:b ex:p ex:a , "01"^^xsd:integer ; ex:q ex:c , "x" . ex:c a ex:C ; ex:p ex:c .
        ex:p a ex:C .""")
    for select, compiled in zip(QUERIES, COMPILED, strict=True):
        engine, quick = _decide(triples, compiled)
        assert quick is engine, select
        engine, quick = _decide(_triples("ex:z ex:p ex:z ."), compiled)
        assert quick is engine, select


# ---------------------------------------------------------------- what the quick check leaves to the engine


@pytest.mark.parametrize("select", [
    "SELECT $this WHERE { $this ex:p ?v . FILTER (?v > 1) }",  # an operator it does not evaluate
    'SELECT $this WHERE { $this ex:p "a\\"b" }',  # a string with an escape
    "SELECT $this WHERE { $this ex:p [ ex:q ?v ] }",  # a blank node in a pattern
    "SELECT $this WHERE { $this ex:p ?v . FILTER (regex(?v, \"a\")) }",  # a function
    "SELECT $this WHERE { $this !ex:p ?v }",  # a negated property set
])
def test_queries_beyond_the_quick_check_are_left_to_the_engine(select: str) -> None:
    assert compile_query("PREFIX ex: <http://example.org/>\n" + select) is None


def test_what_sparql_would_call_an_error_leaves_the_quick_check_unsure() -> None:
    compiled = _compiled("SELECT $this WHERE { $this ex:p ?v . FILTER (?v = 1) }")
    assert _decide(_triples("ex:a ex:p 2 ."), compiled)[1] is None  # literals compared by value
    assert _decide(_triples("ex:a ex:p ex:b ."), compiled)[1] is None


def test_a_recursive_shape_leaves_the_quick_check_unsure() -> None:
    compiled = shacl.compile_shapes(_shapes("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:S ."))
    checker = shacl.quick_checker(compiled, [])
    assert checker is not None
    with pytest.raises(shacl.Unsure):
        checker(_lines(_triples("ex:a ex:p ex:b .")))
    with pytest.raises(shacl.UnsupportedShape):  # (the engine refuses it)
        shacl.validate(shacl.DataGraph(_triples("ex:a ex:p ex:b .")), compiled)


def test_a_constraint_run_per_focus_node_is_left_to_the_engine() -> None:
    compiled = shacl.compile_shapes(_shapes(
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { FILTER (isIRI($this)) }" ] .'
    ))
    assert shacl.quick_checker(compiled, []) is None


def test_a_triple_term_is_checked_by_the_core_and_leaves_sparql_unsure() -> None:
    term = ox.Triple(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), ox.Literal("1"))
    triples = {ox.Triple(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), term)}
    core = shacl.compile_shapes(_shapes("ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ] ."))
    assert _decide(triples, core) == (False, False)
    sparql = _compiled("SELECT $this WHERE { $this ex:p ?v }")
    assert _decide(triples, sparql) == (False, None)
    assert part_conforms(_lines(triples), _text(triples)) is validate_triples(triples).conforms


def test_literals_are_read_as_oxigraph_stores_them() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert stored(f'"01"^^<{xsd}integer>') == f'"1"^^<{xsd}integer>'
    assert stored(f'"68"^^<{xsd}nonNegativeInteger>') == f'"68"^^<{xsd}integer>'
    assert stored('"x"@en') == '"x"@en'
    graph = QuickGraph([f'<urn:a> <urn:p> "1.0"^^<{xsd}decimal>', f'<urn:a> <urn:p> "1"^^<{xsd}decimal>'], Ontology([]))
    assert graph.objects("<urn:a>", "<urn:p>") == [f'"1.0"^^<{xsd}decimal>', f'"1"^^<{xsd}decimal>']
    assert graph.stored_forward["<urn:p>"]["<urn:a>"] == [f'"1"^^<{xsd}decimal>']


def test_a_quick_check_leaves_nothing_for_the_cycle_collector(mini_graph: Graph) -> None:
    """A build runs with the cycle collector off: a check's graph must go with its last reference."""
    good = _lines(of_rdflib(mini_graph))
    bad = [line for line in good if "rdf-schema#label" not in line]
    checker = _quick_default()
    assert checker is not None
    checker(good)
    gc.collect()
    assert (checker(good), checker(bad)) == (True, False)
    unsure = shacl.quick_checker(_compiled("SELECT $this WHERE { $this ex:p ?v . FILTER (?v = 1) }"), [])
    assert unsure is not None
    gc.collect()
    with pytest.raises(shacl.Unsure):
        unsure(_lines(_triples("ex:a ex:p 2 .")))
    assert gc.collect() == 0


LANG_STRING = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


@pytest.mark.parametrize("shape", [
    *(f"sh:property [ sh:path ex:p ; {constraint} ]" for constraint in (
        "sh:datatype rdf:langString", "sh:datatype xsd:string", 'sh:languageIn ( "en" )', "sh:uniqueLang true",
        'sh:languageIn ( "en-gb" )', "sh:minLength 2", 'sh:in ( "x"@en )', "sh:datatype rdf:dirLangString",
        "sh:minInclusive 1",
    )),
    'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?v . FILTER (isLiteral(?v)) }" ]',
])
@pytest.mark.parametrize("values", [
    [ox.Literal("x", language="en", direction=ox.BaseDirection.LTR), ox.Literal("y", language="en")],
    [ox.Literal("x", datatype=LANG_STRING)],  # (Oxigraph makes it; no syntax writes it)
    [ox.Literal("x", language="EN-GB", direction=ox.BaseDirection.RTL)],
    [ox.Literal("x")], [ox.Literal("x", language="en")], [ox.NamedNode("http://example.org/b")],
], ids=str)
def test_literals_of_every_form_are_read_as_the_engine_reads_them(shape: str, values: list[ox.Literal]) -> None:
    compiled = shacl.compile_shapes(_shapes(
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        f"ex:S sh:targetSubjectsOf ex:p ; {shape} ."
    ))
    a, p = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p")
    engine, quick = _decide({ox.Triple(a, p, value) for value in values}, compiled)
    assert quick is None or quick is engine
    assert quick is engine or values == [ox.Literal("x", datatype=LANG_STRING)]


def test_the_datatype_of_a_literal_with_a_base_direction_is_left_to_oxigraph() -> None:
    """SPARQL's DATATYPE of "x"@en--ltr is rdf:dirLangString where the Core's sh:datatype sees
    rdf:langString: the quick check does not guess."""
    compiled = _compiled(
        "SELECT $this WHERE { $this ex:p ?v . FILTER (datatype(?v) = <http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>) }"
    )
    a, p = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p")
    directed = {ox.Triple(a, p, ox.Literal("x", language="en", direction=ox.BaseDirection.LTR))}
    assert _decide(directed, compiled) == (True, None)
    assert _decide({ox.Triple(a, p, ox.Literal("x", language="en"))}, compiled) == (False, False)


def test_a_graph_adds_to_the_ontology_without_changing_it_and_counts_a_shared_triple_once() -> None:
    ontology = Ontology(["<urn:a> <urn:p> <urn:b>", "<urn:a> <urn:q> <urn:b>"])
    graph = QuickGraph(["<urn:a> <urn:p> <urn:b>", "<urn:a> <urn:p> <urn:c>", "<urn:d> <urn:q> <urn:b>"], ontology)
    assert graph.objects("<urn:a>", "<urn:p>") == ["<urn:b>", "<urn:c>"]
    assert graph.subjects("<urn:b>", "<urn:q>") == ["<urn:a>", "<urn:d>"]
    assert sorted(graph.outgoing("<urn:a>")) == [("<urn:p>", "<urn:b>"), ("<urn:p>", "<urn:c>"), ("<urn:q>", "<urn:b>")]
    assert sorted(graph.stored_in("<urn:b>")) == [("<urn:a>", "<urn:p>"), ("<urn:a>", "<urn:q>"), ("<urn:d>", "<urn:q>")]
    assert graph.stored_out["<urn:a>"] == {"<urn:b>": ["<urn:p>", "<urn:q>"], "<urn:c>": ["<urn:p>"]}
    alone = QuickGraph([], ontology)
    assert alone.objects("<urn:a>", "<urn:p>") == ["<urn:b>"] and alone.subjects("<urn:b>", "<urn:q>") == ["<urn:a>"]


def test_part_conforms_makes_the_text_only_where_the_engine_must_decide(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build hands part_conforms what makes the text (made per part only if needed)."""
    triples = of_rdflib(graph)
    asked: list[bool] = []

    def text() -> bytes:
        asked.append(True)
        return _text(triples)

    assert part_conforms(_lines(triples), text) is True
    assert asked == []  # the quick check decided

    def unsure(lines: object) -> bool:
        raise shacl.Unsure("as where the quick check cannot decide")

    monkeypatch.setattr(validate_module, "_quick_default", lambda: unsure)
    assert part_conforms(_lines(triples), text) is True  # the engine, on the text
    assert asked == [True]
