"""The graph: content-derived IRIs under one base, no blank nodes, provenance on every fact."""

from __future__ import annotations

import dataclasses

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import BNode

from omskg.iris import Iris
from omskg.metadata import DatasetMetadata
from omskg.records import FactFile
from omskg.vocab import BIOLINK, OA, OBO, OMSKG, SCHEMA, Vocabulary
from tests.conftest import build_graph

OMS = URIRef("https://w3id.org/omskg/entity/opsoclonus-myoclonus-syndrome")


def test_no_blank_nodes(graph: Graph) -> None:
    assert not [t for t in graph if any(isinstance(term, BNode) for term in t)]


def test_every_fact_has_a_statement_with_its_sentence(graph: Graph, fact_file: FactFile) -> None:
    statements = set(graph.subjects(RDF.type, OMSKG.Statement))
    assert len(statements) == len(fact_file.facts)
    iris = Iris("https://w3id.org/omskg/")
    for fact in fact_file.facts:
        node = iris.statement(fact)
        assert node in statements
        assert graph.value(node, BIOLINK.supporting_text) == Literal(fact.evidence.quote)
        annotation = graph.value(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        assert str(annotation).endswith(f"/{fact.evidence.start}-{fact.evidence.end}")
        assert (annotation, OA.hasBody, node) in graph


def test_simple_questions_are_simple_triples(graph: Graph) -> None:
    symptoms = {str(o).rsplit("/", 1)[1] for o in graph.objects(OMS, OMSKG.hasSymptom)}
    # developmental regression only "in pediatric cases": no plain triple (see the truthy tests)
    assert symptoms == {"opsoclonus", "myoclonus", "ataxia", "behavioral-changes", "irritability",
                        "sleep-disturbances"}


def test_aligned_vocabularies_are_materialised(graph: Graph) -> None:
    ataxia = URIRef("https://w3id.org/omskg/entity/ataxia")
    for predicate in (BIOLINK.has_phenotype, OBO.RO_0002452, SCHEMA.signOrSymptom):
        assert (OMS, predicate, ataxia) in graph
    assert (OMS, RDF.type, BIOLINK.Disease) in graph
    assert (OMS, RDF.type, SCHEMA.MedicalCondition) in graph
    assert (ataxia, RDF.type, BIOLINK.PhenotypicFeature) in graph


def test_statement_iris_survive_renaming_and_reordering(fact_file: FactFile, vocab: Vocabulary, meta: DatasetMetadata) -> None:
    original = set(build_graph([fact_file], vocab, "https://w3id.org/omskg/", meta).subjects(RDF.type, OMSKG.Statement))
    renamed = dataclasses.replace(
        fact_file,
        facts=tuple(reversed([dataclasses.replace(f, id=f.id + "-renamed") for f in fact_file.facts])),
    )
    again = set(build_graph([renamed], vocab, "https://w3id.org/omskg/", meta).subjects(RDF.type, OMSKG.Statement))
    assert again == original


def test_statement_iri_changes_when_the_fact_changes(fact_file: FactFile) -> None:
    iris = Iris("https://w3id.org/omskg/")
    fact = next(f for f in fact_file.facts if f.id == "oms-neuroblastoma-in-half-of-pediatric-cases")
    other = dataclasses.replace(fact, qualifiers=tuple(q for q in fact.qualifiers if q[0] != "proportion"))
    assert iris.statement(fact) != iris.statement(other)


def test_one_configurable_base(fact_file: FactFile, vocab: Vocabulary, meta: DatasetMetadata) -> None:
    base = "http://example.org/kg/"
    rebased = build_graph([fact_file], vocab, base, meta)
    instance = {t for triple in rebased for t in triple if isinstance(t, URIRef) and "/omskg/" in str(t)
                and not str(t).startswith(str(OMSKG))}
    assert instance == set()
    assert URIRef(base + "entity/opsoclonus-myoclonus-syndrome") in set(rebased.subjects())


def test_base_must_end_with_a_separator() -> None:
    import pytest

    with pytest.raises(ValueError, match="must end with"):
        Iris("https://w3id.org/omskg")


def _object_of(graph: Graph, predicate: URIRef) -> object:
    (statement,) = [s for s in graph.subjects(RDF.predicate, predicate) if (s, RDF.subject, OMS) in graph]
    return graph.value(statement, RDF.object)


def test_numbers_are_typed_and_exact(graph: Graph) -> None:
    incidence = _object_of(graph, OMSKG.hasIncidence)
    assert graph.value(incidence, OMSKG.cases) == Literal(1)
    assert graph.value(incidence, OMSKG.outOf) == Literal(5000000)
    rate = graph.value(incidence, OMSKG.rate)
    assert isinstance(rate, Literal) and str(rate) == "0.0000002"
    age = _object_of(graph, OMSKG.hasOnsetAge)
    assert (str(graph.value(age, SCHEMA.minValue)), str(graph.value(age, SCHEMA.maxValue))) == ("18.0", "20.0")
    assert str(graph.value(age, SCHEMA.unitText)) == "month"


def test_an_incidence_rate_is_exact_or_rounded_to_18_places_and_reads_back_in_oxigraph() -> None:
    from decimal import Decimal

    import pyoxigraph as ox

    from omskg.graph import incidence_rate
    from omskg.rdf import decimal

    assert incidence_rate(1, 5_000_000) == Decimal("0.0000002")
    assert incidence_rate(1, 3) == Decimal("0.333333333333333333")
    assert incidence_rate(2, 3) == Decimal("0.666666666666666667")
    assert incidence_rate(1, 999_999_999_999_999_999) == Decimal("1e-18")  # the largest outOf the reader takes
    store = ox.Store()
    for cases, out_of in ((1, 3), (1, 7), (1, 5_000_000), (3, 4)):
        literal = decimal(incidence_rate(cases, out_of))
        (row,) = store.query(f"SELECT (?r + 0 AS ?n) WHERE {{ BIND({literal} AS ?r) }}")
        assert row["n"] is not None and Decimal(row["n"].value) == incidence_rate(cases, out_of)
