"""The fast SHACL engine against the standard: the W3C test suite (when OMSKG_SHACL_SUITE
names its tests/ folder), and omskg's own small case for each wrong answer it once gave."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from omskg import shacl
from omskg.cli import main
from omskg.validate import Outcome, report_turtle, shapes_graph, validate_triples
from tests import w3c_suite
from tests.quick_check import agrees

X = "http://www.w3.org/2001/XMLSchema#"
HEAD = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def _triples(turtle: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(HEAD + turtle, format=ox.RdfFormat.TURTLE)}


def _shapes(turtle: str) -> Graph:
    graph = Graph()
    with shacl.as_written():
        graph.parse(data=HEAD + turtle, format="turtle")
    return graph


def _check(data: str, shapes: str, engine: str = "fast") -> Outcome:
    triples, graph = _triples(data), _shapes(shapes)
    outcome = validate_triples(triples, graph, engine, ontology=False, full=True)  # type: ignore[arg-type]
    if engine == "fast":
        agrees(triples, graph, ontology=False, conforms=outcome.conforms)
    return outcome


def _found(outcome: Outcome) -> set[tuple[str, str, str]]:
    """(focus, component, value) of each result, terms in N-Triples syntax."""
    return {
        (str(shacl._ox(r.focus)), r.component.split("#")[-1], str(shacl._ox(r.value)) if r.value is not None else "")
        for r in outcome.results
    }


# ---------------------------------------------------------------- the W3C suite

SUITE = w3c_suite.suite_folder()
SUITE_CASES = w3c_suite.cases(SUITE) if SUITE is not None else []
#: What the fast engine refuses, and why (each a feature SHACL calls optional or it lacks).
REFUSED = {"sparql/pre-binding/shapesGraph-001": "$shapesGraph"}


@pytest.mark.skipif(SUITE is None, reason=f"set {w3c_suite.SUITE} to the W3C SHACL suite's tests/ folder "
                    "(github.com/w3c/data-shapes, data-shapes-test-suite/tests) to run it")
@pytest.mark.parametrize("case", SUITE_CASES, ids=[c.name for c in SUITE_CASES])
def test_w3c_suite_fast_engine_gives_the_expected_report_or_refuses(case: w3c_suite.Case) -> None:
    verdict, detail = w3c_suite.run(case, "fast")
    if case.name in REFUSED:
        assert verdict == "refused" and REFUSED[case.name] in detail, detail
    else:
        assert verdict == "pass", detail


def test_the_suite_runner_says_why_it_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(w3c_suite.SUITE, raising=False)
    assert w3c_suite.suite_folder() is None
    monkeypatch.setenv(w3c_suite.SUITE, str(tmp_path))  # a folder without manifest.ttl
    assert w3c_suite.suite_folder() is None


# ---------------------------------------------------------------- comparisons (core/node/minInclusive-003)


@pytest.mark.parametrize(("a", "b", "order"), [
    ("2002-10-10T12:00:00-05:00", "2002-10-10T12:00:00", None),  # a time zone against none: within 14 h
    ("2002-10-10T02:00:00-14:00", "2002-10-10T12:00:00", None),
    ("2002-10-09T12:00:00-05:00", "2002-10-10T12:00:00", -1),  # more than 14 h apart: ordered
    ("2002-10-12T12:00:00Z", "2002-10-10T12:00:00", 1),
    ("2002-10-10T12:00:00-05:00", "2002-10-10T17:00:00Z", 0),
    ("2002-10-10T12:00:00", "2002-10-10T12:00:01", -1),
])
def test_date_times_with_and_without_time_zone_compare_as_xsd_says(a: str, b: str, order: int | None) -> None:
    def literal(text: str) -> ox.Literal:
        return ox.Literal(text, datatype=ox.NamedNode(X + "dateTime"))

    assert shacl.compare(literal(a), literal(b)) == order


@pytest.mark.parametrize(("a", "b"), [
    ('"1"^^xsd:integer', '"1"'),  # a number and a string
    ('"true"^^xsd:boolean', '"1"^^xsd:integer'),
    ('"12:00:00"^^xsd:time', '"0"^^xsd:integer'),
    ('"2020-01-01"^^xsd:date', '"2020-01-01T00:00:00"^^xsd:dateTime'),
    ('"NaN"^^xsd:double', '"0"^^xsd:integer'),
    ('"abc"^^xsd:integer', '"0"^^xsd:integer'),  # ill-typed
    ('"P1Y"^^xsd:duration', '"P2Y"^^xsd:duration'),
    ('"a"@en', '"b"@en'),
])
def test_incomparable_values_are_incomparable(a: str, b: str) -> None:
    (x,), (y,) = ([t.object for t in _triples(f"ex:s ex:p {v} .")] for v in (a, b))
    assert shacl.compare(x, y) is None


def test_an_incomparable_value_violates_a_range_minInclusive_003() -> None:
    """The engine once ordered these with rdflib's >, so a value a day early conformed."""
    outcome = _check("ex:a ex:when \"2002-10-09T12:00:00-05:00\"^^xsd:dateTime .", """
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:when ;
            sh:property [ sh:path ex:when ; sh:minInclusive "2002-10-10T12:00:00"^^xsd:dateTime ] .""")
    assert _found(outcome) == {
        ("<http://example.org/a>", "MinInclusiveConstraintComponent", f'"2002-10-09T12:00:00-05:00"^^<{X}dateTime>')
    }


# ---------------------------------------------------------------- SPARQL: pre-binding, refusals, components

PREBOUND_SHAPES = """
ex:P sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:S a sh:NodeShape ; sh:targetNode ex:bad , ex:good ;
    sh:sparql [ sh:prefixes ex:P ; sh:message "m" ; sh:select \"\"\"%s\"\"\" ] .
"""


@pytest.mark.parametrize("select", [
    "SELECT $this WHERE { FILTER ($this = ex:bad) }",  # $this only in a FILTER
    "SELECT $this WHERE { { FILTER (false) } UNION { FILTER ($this = ex:bad) } }",
    "SELECT $this WHERE { { { FILTER ($this = ex:bad) } FILTER bound($this) } FILTER (true) }",
    "SELECT $this WHERE { BIND ($this AS ?that) FILTER (?that = ex:bad) }",
    "SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = ex:bad) } } }",
    "SELECT $this WHERE { $this ex:p 1 }",  # the allowlisted form, run once over the graph
])
def test_this_is_pre_bound_wherever_it_occurs(select: str) -> None:
    """The engine once ran each query once over the graph: $this outside the outer pattern
    was never bound, and these conformed."""
    outcome = _check("ex:bad ex:p 1 . ex:good ex:p 2 .", PREBOUND_SHAPES % select)
    assert _found(outcome) == {("<http://example.org/bad>", "SPARQLConstraintComponent", "<http://example.org/bad>")}


def test_only_the_proven_form_runs_once_over_the_graph() -> None:
    bulk = {
        "SELECT $this ?value WHERE { $this ex:p ?value . FILTER NOT EXISTS { $this a ex:C } }": True,
        "SELECT DISTINCT $this WHERE { $this ex:p ?v OPTIONAL { ?v ex:q ?w } FILTER (!BOUND(?w)) }": True,
        "SELECT $this WHERE { $this ex:p/ex:q* ?v }": False,  # a path can bind nodes not in the graph
        "SELECT $this WHERE { ?x ex:p ?v FILTER ($this = ?x) }": False,
        "SELECT $this WHERE { $this ex:p ?v { ?v ex:q ?w FILTER (?w != $this) } }": False,
        "SELECT ?value WHERE { $this ex:p ?value }": False,  # $this not selected
    }
    for query, expected in bulk.items():
        prefixed = "PREFIX ex: <http://example.org/>\n" + query
        assert shacl._analyse(prefixed, {"this"}, ask=False, where="q") is expected, query


SIMPLE = [
    "SELECT $this ?value WHERE { $this ex:p ?value . FILTER NOT EXISTS { $this a ex:C } }",
    "SELECT DISTINCT $this WHERE { $this ex:p ?v ; a ex:C . OPTIONAL { ?v ex:q ?w FILTER (?w != $this) } FILTER (!BOUND(?w)) }",
    "SELECT $this ?path ?value WHERE { $this ?path ?value . ?path a ex:P . OPTIONAL { ?s ex:s $this ; ex:p/ex:q* ?path } "
    "FILTER (!BOUND(?s)) }",
    "SELECT $this ?value WHERE { ?x ex:p 1.5, $this . $this ex:q ?value FILTER (IF(isLiteral(?value), "
    "datatype(?value) != ex:D, NOT EXISTS { ?value a ex:C FILTER EXISTS { ?value a ex:E } })) }",
    "SELECT $this WHERE { ?x ex:p 1. ?x ex:q $this }",  # "1." is the number 1, then the end of a triple
]
NOT_SIMPLE = [
    "SELECT $this WHERE { $this ex:p/ex:q ?v }",  # bound only by a path
    "SELECT $this WHERE { ?x ex:p ?v FILTER ($this = ?x) }",
    "SELECT $this WHERE { $this ex:p ?v { ?v ex:q ?w } }",
    "SELECT $this WHERE { $this ex:p ?v OPTIONAL { ?v ex:q ?w OPTIONAL { ?w ex:r ?z } } }",
    "SELECT $this WHERE { $this ex:p ?v } LIMIT 1",
    "SELECT $this (1 AS ?one) WHERE { $this ex:p ?v }",
    "SELECT $this WHERE { $this ex:p [ ex:q ?v ] }",
    "SELECT ?value WHERE { $this ex:p ?value }",
]


@pytest.mark.parametrize("select", SIMPLE + NOT_SIMPLE)
def test_the_quick_proof_of_the_bulk_form_agrees_with_the_full_analysis(select: str) -> None:
    """The build proves the simple form without loading a SPARQL parser; what it accepts,
    the full analysis (rdflib's algebra) accepts too."""
    query = "PREFIX ex: <http://example.org/>\n" + select
    assert shacl._simple_bulk_form(query) is (select in SIMPLE)
    if select in SIMPLE:
        assert shacl._analyse(query, {"this"}, ask=False, where="q", quick=False) is True


def test_a_build_does_not_load_a_sparql_parser() -> None:
    import subprocess
    import sys

    code = ("import sys; from omskg.validate import _compiled_default_shapes; _compiled_default_shapes(); "
            "print('rdflib.plugins.sparql.parser' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


@pytest.mark.parametrize(("select", "error"), [
    ("SELECT $this WHERE { $this ?p ?o . MINUS { $this ?p 1 } }", "MINUS"),
    ("SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }", "VALUES"),
    ("SELECT $this WHERE { $this ?p ?o SERVICE <http://example.org/s> { ?a ?b ?c } }", "SERVICE"),
    ("SELECT $this WHERE { BIND (ex:x AS $this) }", "AS $this"),
    ("SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?o ?q ?r } } }", "subquery to return $this"),
    ("SELECT $this WHERE { { SELECT * WHERE { FILTER ($this = ex:bad) } } }", "subquery to return $this"),
])
def test_sparql_that_shacl_forbids_is_refused(select: str, error: str) -> None:
    with pytest.raises(shacl.ShapesError, match=error.replace("$", r"\$")):
        _check("ex:bad ex:p 1 .", PREBOUND_SHAPES % select)


@pytest.mark.parametrize("select", [
    "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }",
    "SELECT $this WHERE { $this ?p $currentShape }",
])
def test_shapes_graph_and_current_shape_are_refused(select: str) -> None:
    with pytest.raises(shacl.UnsupportedShape, match="is not supported"):
        _check("ex:bad ex:p 1 .", PREBOUND_SHAPES % select)


COMPONENT = """
ex:P sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:MaxWords a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:maxWords ] ;
    sh:validator [ a sh:SPARQLAskValidator ; sh:message "{$value} has more than {$maxWords} words" ;
        sh:ask "ASK { FILTER (STRLEN(REPLACE(STR($value), '[^ ]', '')) < $maxWords) }" ] .
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:title ;
    sh:property [ sh:path ex:title ; ex:maxWords 2 ] .
"""


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_sparql_based_constraint_component_is_evaluated(engine: str) -> None:
    """The engine once ignored these: their parameters are not in the sh: namespace."""
    outcome = _check('ex:a ex:title "one two three" . ex:b ex:title "one two" .', COMPONENT, engine)
    # (pyshacl leaves out the value node, which SHACL gives as sh:value)
    value = '"one two three"' if engine == "fast" else ""
    assert _found(outcome) == {('<http://example.org/a>', "http://example.org/MaxWords", value)}
    assert [v.message for v in outcome.violations] == ["one two three has more than 2 words"]


def test_a_component_without_a_validator_for_the_shape_is_refused() -> None:
    shapes = COMPONENT.replace("sh:validator", "sh:nodeValidator")
    with pytest.raises(shacl.UnsupportedShape, match="no validator for property shapes"):
        _check('ex:a ex:title "one two three" .', shapes)


def test_a_blank_node_focus_is_pre_bound_only_for_the_proven_form() -> None:
    data = "[] ex:p 1 ."
    outcome = _check(data, PREBOUND_SHAPES.replace("sh:targetNode ex:bad , ex:good", "sh:targetSubjectsOf ex:p")
                     % "SELECT $this WHERE { $this ex:p 1 }")
    assert len(outcome.results) == 1
    with pytest.raises(shacl.UnsupportedShape, match="blank node"):
        validate_triples(_triples(data), _shapes(
            PREBOUND_SHAPES.replace("sh:targetNode ex:bad , ex:good", "sh:targetSubjectsOf ex:p")
            % "SELECT $this WHERE { ?x ex:p 1 FILTER (?x = $this) }"), ontology=False)


def test_the_omskg_sparql_constraints_give_the_same_rows_once_or_per_focus_node() -> None:
    """Every SPARQL constraint of shapes/ is of the form that runs once over the graph; run
    per focus node instead, each gives the same results (on a graph that breaks each)."""
    compiled = shacl.compile_shapes(shapes_graph())
    queries = [q for node_shape in compiled for q in node_shape.shape.sparql]
    assert queries and all(q.bulk for q in queries)
    data = shacl.DataGraph(_triples("""
        @prefix omskg: <https://w3id.org/omskg/vocab/> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix biolink: <https://w3id.org/biolink/vocab/> .
        omskg:hasSymptom a omskg:FactPredicate ; rdfs:domain omskg:Condition ; rdfs:range omskg:Symptom .
        ex:c a omskg:Entity , omskg:Condition ; omskg:hasSymptom ex:s , ex:t .
        ex:s a omskg:Entity , omskg:Symptom .
        ex:t a omskg:Entity ; omskg:hasSymptom ex:s .
        ex:st a omskg:Statement ; rdf:subject ex:c ; rdf:predicate omskg:hasSymptom ; rdf:object ex:u ;
            biolink:supporting_text "no annotation" .
    """))
    for node_shape in compiled:
        shape = node_shape.shape
        focus_nodes: set[shacl.Term] = set().union(*(t(data) for t in node_shape.targets))
        for query in shape.sparql:
            once = set(shacl._sparql_bulk(data, shape, query, focus_nodes))
            each = {r for f in focus_nodes for r in shacl._sparql_per_focus(data, shape, query, f, [f])}
            assert once == each
    results = shacl.validate(data, compiled)
    assert {r.component for r in results} >= {"SPARQLConstraintComponent"}
    assert len({r.message for r in results if r.component == "SPARQLConstraintComponent"}) == 5


# ---------------------------------------------------------------- values as written, and the report


def test_a_value_is_reported_as_written_by_both_engines() -> None:
    """Both engines once reported "yes"^^xsd:boolean as false."""
    data = 'ex:a ex:flag "yes"^^xsd:boolean .'
    shapes = 'ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:flag ; sh:property [ sh:path ex:flag ; sh:datatype xsd:boolean ] .'
    for engine in ("fast", "pyshacl"):
        outcome = _check(data, shapes, engine)
        assert [v.value for v in outcome.violations] == ["'yes'"], engine
        assert f'sh:value "yes"^^<{X}boolean>' in report_turtle(outcome), engine


def test_a_sparql_result_value_is_mapped_back_to_the_term_as_written() -> None:
    outcome = _check('ex:a ex:n "18.0"^^xsd:decimal , "+7"^^xsd:nonNegativeInteger .', PREBOUND_SHAPES.replace(
        "sh:targetNode ex:bad , ex:good", "sh:targetSubjectsOf ex:n") % "SELECT $this ?value WHERE { $this ex:n ?value }")
    assert {v for _, _, v in _found(outcome)} == {f'"18.0"^^<{X}decimal>', f'"+7"^^<{X}nonNegativeInteger>'}


PROPORTION = 'ex:s a omskg:Statement ; omskg:proportion {} .'


@pytest.mark.parametrize("value", [
    '"0.5"^^xsd:decimal', '"2"^^xsd:decimal', '"-1"^^xsd:integer', '"+3"^^xsd:nonNegativeInteger', '"1E0"^^xsd:double',
    '"0.5"^^xsd:float', '"5"', '"5"@en', "ex:iri",
    '"2020-01-01T00:00:00"^^xsd:dateTime', '"2020-01-01T00:00:00Z"^^xsd:dateTime',
    '"12:00:00"^^xsd:time', '"12:00:00+01:00"^^xsd:time',
])
def test_engines_agree_on_the_range_of_a_proportion_of_every_datatype(value: str) -> None:
    """On the omskg shapes (sh:datatype, sh:minInclusive 0, sh:maxInclusive 1): the same report."""
    data = _triples("@prefix omskg: <https://w3id.org/omskg/vocab/> ." + PROPORTION.format(value))
    fast, reference = validate_triples(data), validate_triples(data, engine="pyshacl")
    assert fast == reference, (fast.violations, reference.violations)


@pytest.mark.parametrize("value", ['"true"^^xsd:boolean', '"2020-01-01"^^xsd:date', '"P1Y"^^xsd:duration', '"NaN"^^xsd:double'])
def test_a_proportion_that_cannot_be_compared_with_0_or_1_violates_both_bounds(value: str) -> None:
    """SHACL: a value its bound cannot be compared with is a violation (pyshacl lets some of
    these through the upper bound: Python orders True and 1)."""
    data = _triples("@prefix omskg: <https://w3id.org/omskg/vocab/> ." + PROPORTION.format(value))
    components = {v.component for v in validate_triples(data).violations if v.path == "omskg:proportion"}
    assert {"MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent"} <= components


REPORT_DATA = """
ex:a a ex:Thing ; ex:name "A" , "B" ; ex:knows [ ex:name "anonymous" ] ; ex:born "2020-13-01"^^xsd:date .
ex:b a ex:Thing ; ex:name "C" .
"""
REPORT_SHAPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:maxCount 1 ; sh:message "one name" ] ,
                [ sh:path ex:born ; sh:datatype xsd:date ] ,
                [ sh:path ( ex:knows ex:name ) ; sh:pattern "^[A-Z]" ] ,
                [ sh:path [ sh:inversePath ex:knows ] ; sh:maxCount 0 ] .
"""


def _report_keys(text: str) -> Counter[tuple[str, ...]]:
    graph = Graph().parse(data=text, format="turtle")
    SH = shacl.SH
    return Counter(
        (
            w3c_suite._term(graph.value(r, SH.focusNode)), w3c_suite._path(graph, graph.value(r, SH.resultPath)),
            w3c_suite._term(graph.value(r, SH.sourceConstraintComponent)),
            w3c_suite._term(graph.value(r, SH.resultSeverity)), w3c_suite._term(graph.value(r, SH.value)),
        )
        for r in graph.objects(None, SH.result)
    )


def test_the_report_is_standard_turtle_the_same_bytes_every_time_and_the_same_from_both_engines() -> None:
    fast = report_turtle(_check(REPORT_DATA, REPORT_SHAPES))
    reference = report_turtle(_check(REPORT_DATA, REPORT_SHAPES, "pyshacl"))
    assert fast == report_turtle(_check(REPORT_DATA, REPORT_SHAPES))
    assert _report_keys(fast) == _report_keys(reference)
    assert sum(_report_keys(fast).values()) == 3
    assert "sh:conforms false" in fast and "( <http://example.org/knows> <http://example.org/name> )" in fast
    assert report_turtle(_check('ex:b a ex:Thing ; ex:name "C" .', REPORT_SHAPES)).endswith("sh:conforms true .\n")


# ---------------------------------------------------------------- the command line


def _omskg(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_validate_any_data_against_any_shapes_with_a_report(tmp_path: Path, engine: str) -> None:
    (tmp_path / "shapes.ttl").write_text(HEAD + REPORT_SHAPES)
    (tmp_path / "bad.ttl").write_text(HEAD + REPORT_DATA)
    (tmp_path / "good.ttl").write_text(HEAD + 'ex:b a ex:Thing ; ex:name "C" .')
    shapes, report = tmp_path / "shapes.ttl", tmp_path / "r.ttl"
    code, stderr = _omskg("validate", "--engine", engine, "--shapes", shapes, "--report", report, tmp_path / "bad.ttl")
    assert code == 1, stderr
    assert "Violation: <http://example.org/a> <http://example.org/name> [MaxCountConstraintComponent]" in stderr
    first = report.read_bytes()
    assert b"a sh:ValidationReport" in first
    code, _ = _omskg("validate", "--engine", engine, "--shapes", shapes, "--report", report, tmp_path / "bad.ttl")
    assert code == 1 and report.read_bytes() == first
    code, stderr = _omskg("validate", "--engine", engine, "--shapes", shapes, "--report", tmp_path / "g.ttl",
                          tmp_path / "good.ttl")
    assert code == 0, stderr
    assert (tmp_path / "g.ttl").read_text().endswith("sh:conforms true .\n")


def test_validate_refuses_shapes_it_cannot_check_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "shapes.ttl").write_text(HEAD + PREBOUND_SHAPES % "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }")
    (tmp_path / "data.ttl").write_text(HEAD + "ex:bad ex:p 1 .")
    code, stderr = _omskg("validate", "--shapes", tmp_path / "shapes.ttl", tmp_path / "data.ttl")
    assert code == 2
    assert stderr.startswith("omskg validate: the fast engine cannot check the shapes: ")
    assert "SHACL forbids MINUS" in stderr and len(stderr.splitlines()) == 1


def test_a_recursive_shape_is_refused() -> None:
    with pytest.raises(shacl.UnsupportedShape, match="recursive"):
        _check("ex:a ex:p ex:a .", "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:node ex:S ] .")


def test_a_report_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    (tmp_path / "shapes.ttl").write_text(HEAD + REPORT_SHAPES)
    (tmp_path / "good.ttl").write_text(HEAD + 'ex:b a ex:Thing ; ex:name "C" .')
    code, stderr = _omskg("validate", "--shapes", tmp_path / "shapes.ttl", "--report", tmp_path / "no" / "r.ttl",
                          tmp_path / "good.ttl")
    assert code == 2 and stderr.startswith("omskg validate: cannot write the report ")
