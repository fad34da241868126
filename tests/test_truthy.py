"""The plain-triple ("truthy") policy, over the whole graph: a reader of the plain triples
alone (``<oms> omskg:hasSymptom <ataxia>``, and their RO, Biolink, schema.org and SKOS
super-properties) is never told something the source does not say.

A plain triple means: the source states this, of the subject as a whole and as a finding,
saying nothing of how often. So a fact gets one exactly when no qualifier of it, and no
controlled value of one, is marked ``omskg:withholdsPlainTriple`` in the ontology (a
population, a disease context, a proportion, an approximate number; the hedges "believed",
"estimated", "research indicates")."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Node, URIRef

from omskg.graph import asserts_plain_triple, withholding_names
from omskg.records import FactFile
from omskg.vocab import BIOLINK, DEFAULT_BASE, OBO, OMSKG, SCHEMA, Vocabulary

OMS = URIRef(DEFAULT_BASE + "entity/opsoclonus-myoclonus-syndrome")
ENTITY = DEFAULT_BASE + "entity/"
TRUE = Literal(True)


def _withheld(graph: Graph, statement: Node) -> bool:
    return any(
        (p, OMSKG.withholdsPlainTriple, TRUE) in graph or (o, OMSKG.withholdsPlainTriple, TRUE) in graph
        for p, o in graph.predicate_objects(statement)
    )


def _supers(graph: Graph, prop: Node) -> set[Node]:
    return set(graph.transitive_objects(prop, RDFS.subPropertyOf))


def plain_triple_problems(graph: Graph) -> list[str]:
    """Every way the graph breaks the policy, read from the graph alone (the ontology is in it)."""
    problems: list[str] = []
    fact_predicates = set(graph.subjects(RDF.type, OMSKG.FactPredicate))
    plain_predicates = {sup for p in fact_predicates for sup in _supers(graph, p)}
    backing: dict[tuple[Node, Node, Node], bool] = {}  # (s, p, o) -> some backing statement asserts it
    for statement in graph.subjects(RDF.type, OMSKG.Statement):
        s, p, o = (graph.value(statement, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        asserted = not _withheld(graph, statement)
        for sup in _supers(graph, p):
            backing[(s, sup, o)] = backing.get((s, sup, o), False) or asserted
            if asserted and (s, sup, o) not in graph:
                problems.append(f"{statement}: asserted, but its triple with {sup} is missing")
    for s, p, o in graph:
        if p in plain_predicates and str(s).startswith(ENTITY) and not backing.get((s, p, o), False):
            problems.append(f"plain triple {s} {p} {o}: no statement asserts it unqualified")
    return problems


def test_the_published_graph_keeps_the_policy(graph: Graph) -> None:
    assert plain_triple_problems(graph) == []


def test_a_plain_triple_of_a_withheld_fact_is_caught(graph: Graph) -> None:
    regression = URIRef(ENTITY + "developmental-regression")  # "in pediatric cases"
    for predicate in (OMSKG.hasSymptom, BIOLINK.has_phenotype, OBO.RO_0002452, SCHEMA.signOrSymptom):
        broken = Graph()
        broken += graph
        broken.add((OMS, predicate, regression))
        (problem,) = plain_triple_problems(broken)
        assert problem.startswith(f"plain triple {OMS} {predicate} {regression}")


def test_a_missing_plain_triple_of_an_asserted_fact_is_caught(graph: Graph) -> None:
    broken = Graph()
    broken += graph
    broken.remove((OMS, BIOLINK.has_phenotype, URIRef(ENTITY + "ataxia")))
    (problem,) = plain_triple_problems(broken)
    assert problem.endswith(f"its triple with {BIOLINK.has_phenotype} is missing")


def test_which_facts_are_withheld_and_why(fact_file: FactFile, vocab: Vocabulary) -> None:
    """Reviewed fact by fact: each withheld fact, and what withholds it."""
    withholding = withholding_names(vocab)
    assert withholding == {"population", "diseaseContext", "proportion", "approximate",
                           "Believed", "Estimated", "ResearchIndicates"}
    withheld = {f.id for f in fact_file.facts if not asserts_plain_triple(f, withholding)}
    assert withheld == {
        "oms-symptom-developmental-regression",  # "in pediatric cases"
        "oms-triggered-by-tumor-in-children",  # "particularly in children"
        "oms-triggered-by-neuroblastoma-in-children",
        "oms-neuroblastoma-in-half-of-pediatric-cases",  # research indicates, ~50% of pediatric cases
        "oms-adults-malignancy",  # "In adults, ..."
        "oms-adults-paraneoplastic",
        "oms-adults-breast-cancer",  # ... and in a paraneoplastic syndrome
        "oms-adults-lung-cancer",
        "oms-adults-post-viral-inflammatory",
        "oms-incidence",  # estimated, approximately
        "oms-median-age-of-onset",  # around 18 to 20 months
        "oms-autoimmune-process",  # "is believed to be"
    }


def test_withheld_facts_keep_their_statements(graph: Graph, fact_file: FactFile) -> None:
    """Withholding the plain triple loses nothing: the statement, with its qualifiers, is there."""
    identifiers = {str(i) for i in graph.objects(None, URIRef("http://purl.org/dc/terms/identifier"))}
    assert {f.id for f in fact_file.facts} <= identifiers
    assert (OMS, OMSKG.hasMechanism, URIRef(ENTITY + "autoimmune-process")) not in graph
    assert (OMS, BIOLINK.associated_with, URIRef(ENTITY + "breast-cancer")) not in graph
    assert (OMS, OMSKG.hasSymptom, URIRef(ENTITY + "ataxia")) in graph
