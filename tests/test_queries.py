"""The competency questions, each with the answer the source gives, checked on the
published N-Triples in an embedded Oxigraph store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from omskg import publish, resources
from omskg.query import QueryError, rows, run, store_from_files
from omskg.rdf import of_rdflib

E = "https://w3id.org/omskg/entity/"
OBO = "http://purl.obolibrary.org/obo/"
V = "https://w3id.org/omskg/vocab/"


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return store_from_files([built / publish.NTRIPLES])


def answer(store: ox.Store, name: str, columns: list[str]) -> Counter[tuple[str, ...]]:
    text = (resources.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    return Counter(tuple(row.get(c, "") for c in columns) for row in rows(store, text))


def test_every_shipped_query_is_checked() -> None:
    shipped = {p.stem for p in resources.queries_dir().glob("*.rq")}
    assert shipped == {"symptoms", "body-systems", "triggers", "treatments", "epidemiology", "evidence"}


def _joined(value: str, separator: str = ", ") -> frozenset[str]:
    """A GROUP_CONCAT cell as a set (SPARQL leaves the order of joined values open)."""
    return frozenset(value.split(separator)) if value else frozenset()


def answer_per_fact(store: ox.Store, name: str, columns: list[str], joined: set[str]) -> dict[str, tuple[object, ...]]:
    """fact id -> the row's cells (joined cells as sets); fails if a fact has two rows."""
    text = (resources.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    found: dict[str, tuple[object, ...]] = {}
    for row in rows(store, text):
        assert row["fact"] not in found, f"{name}: two rows for {row['fact']}"
        found[row["fact"]] = tuple(
            _joined(row.get(c, ""), "; " if c == "xrefs" else ", ") if c in joined else row.get(c, "") for c in columns
        )
    return found


def test_shipped_queries_declare_their_prefixes(graph: Graph) -> None:
    """Each query runs unmodified where nothing is predeclared: in a bare Oxigraph store, and
    it parses in rdflib's SPARQL parser (another implementation), which knows no prefixes."""
    from rdflib.plugins.sparql import prepareQuery

    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in of_rdflib(graph))
    for path in sorted(resources.queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{path.name}: starts with a comment saying what it asks"
        assert list(store.query(text)), path.name  # no prefixes= : they must be declared in the file
        prepareQuery(text)
    with pytest.raises(Exception, match="Unknown namespace prefix"):
        prepareQuery("SELECT ?s WHERE { ?s omskg:hasSymptom ?o }")


# "Opsoclonus myoclonus syndrome (OMS) ... is a rare, immune-mediated neurological disorder
# characterized by involuntary, erratic eye movements (opsoclonus) and sudden, brief muscle jerks
# (myoclonus)." / "Patients typically experience a triad of symptoms: ... (opsoclonus), ...
# (myoclonus), and ... (ataxia)." / "Beyond these core neurological features, individuals with
# Opsoclonus myoclonus syndrome may also experience significant behavioral changes, irritability,
# sleep disturbances, and developmental regression in pediatric cases."
def test_symptoms(store: ox.Store) -> None:
    got = answer_per_fact(store, "symptoms", ["symptom", "hedges", "populations", "core", "xrefs"], {"hedges", "populations", "xrefs"})
    s = frozenset
    assert got == {
        "oms-characterized-by-opsoclonus": ("opsoclonus", s(), s(), "true", s({"exact HP:0010543 (Opsoclonus)"})),
        "oms-characterized-by-myoclonus": ("myoclonus", s(), s(), "true", s({"exact HP:0001336 (Myoclonus)"})),
        "oms-symptom-opsoclonus": ("opsoclonus", s({"typically"}), s(), "true", s({"exact HP:0010543 (Opsoclonus)"})),
        "oms-symptom-myoclonus": ("myoclonus", s({"typically"}), s(), "true", s({"exact HP:0001336 (Myoclonus)"})),
        "oms-symptom-ataxia": ("ataxia", s({"typically"}), s(), "true", s({"exact HP:0001251 (Ataxia)"})),
        "oms-symptom-behavioral-changes": ("behavioral changes", s({"may", "significant"}), s(), "false", s({"exact HP:0000708 (Atypical behavior)"})),
        "oms-symptom-irritability": ("irritability", s({"may"}), s(), "false", s({"exact HP:0000737 (Irritability)"})),
        "oms-symptom-sleep-disturbances": ("sleep disturbances", s({"may"}), s(), "false", s({"exact HP:0002360 (Sleep abnormality)"})),
        "oms-symptom-developmental-regression": ("developmental regression", s({"may"}), s({"children"}), "false", s({"exact HP:0002376 (Developmental regression)"})),
    }


# "Opsoclonus myoclonus syndrome primarily affects the central nervous system, specifically the
# cerebellum and the brainstem areas that control eye movement and motor coordination." /
# "The body mistakenly produces antibodies that target neurons in the cerebellum."
def test_body_systems(store: ox.Store) -> None:
    got = answer_per_fact(store, "body-systems", ["relation", "bodySystem", "hedges", "xrefs"], {"hedges", "xrefs"})
    s = frozenset
    assert got == {
        "oms-affects-cns": (V + "affects", "central nervous system", s({"primarily"}), s({"exact UBERON:0001017 (central nervous system)"})),
        "oms-affects-cerebellum": (V + "affects", "cerebellum", s({"specifically"}), s({"exact UBERON:0002037 (cerebellum)"})),
        "oms-affects-brainstem-areas": (V + "affects", "brainstem areas that control eye movement and motor coordination", s({"specifically"}), s({"broad UBERON:0002298 (brainstem)"})),
        "oms-autoimmune-target": (V + "hasAutoimmuneTarget", "neurons in the cerebellum", s(), s({"exact CL:1001611 (cerebellar neuron)"})),
    }


TUMOR = frozenset({"exact MONDO:0005070 (neoplasm)", "exact NCIT:C3262", "exact MESH:D009369", "exact UMLS:C0027651"})
NEUROBLASTOMA = frozenset({"exact MONDO:0005072 (neuroblastoma)", "exact ORPHA:635 (Neuroblastoma)", "exact MESH:D009447",
                           "exact NCIT:C3270", "exact UMLS:C0027819"})


# "It is often triggered by an underlying post-viral immune response or, particularly in children,
# an associated tumor such as a neuroblastoma." / "Research indicates that approximately 50% of
# pediatric cases ... are associated with an underlying neuroblastoma ..." / "In adults, the
# condition is less frequently linked to malignancy and is more often considered a paraneoplastic
# syndrome (associated with breast or lung cancer) or a post-viral inflammatory response." /
# "This "molecular mimicry" often begins when the immune system attempts to fight off a viral
# infection or, in some cases, a tumor."
def test_triggers_associations_and_what_adult_cases_are_considered(store: ox.Store) -> None:
    columns = ["subject", "predicate", "factor", "populations", "proportion", "approximate", "hedges", "contexts", "xrefs"]
    got = answer_per_fact(store, "triggers", columns, {"populations", "hedges", "contexts", "xrefs"})
    s, oms, mimicry = frozenset, "Opsoclonus myoclonus syndrome", "molecular mimicry"
    adults, children, paraneoplastic = s({"adults"}), s({"children"}), s({"paraneoplastic syndrome"})
    assert got == {
        "oms-triggered-by-post-viral-immune-response": (oms, V + "triggeredBy", "post-viral immune response", s(), "", "", s({"often"}), s(), s()),
        "oms-triggered-by-tumor-in-children": (oms, V + "triggeredBy", "tumor", children, "", "", s({"often", "particularly"}), s(), TUMOR),
        "oms-triggered-by-neuroblastoma-in-children": (oms, V + "triggeredBy", "neuroblastoma", children, "", "", s({"often", "particularly"}), s(), NEUROBLASTOMA),
        "oms-neuroblastoma-in-half-of-pediatric-cases": (oms, V + "associatedWith", "neuroblastoma", children, "0.5", "true", s({"research indicates"}), s(), NEUROBLASTOMA),
        "oms-adults-malignancy": (oms, V + "associatedWith", "malignancy", adults, "", "", s({"less frequently"}), s(), s({"broad MONDO:0005070 (neoplasm)"})),
        "oms-adults-paraneoplastic": (oms, V + "inCategory", "paraneoplastic syndrome", adults, "", "", s({"more often"}), s(),
                                      s({"exact MONDO:0021073 (paraneoplastic syndrome)", "exact NCIT:C3311 (Paraneoplastic Syndrome)", "exact MESH:D010257", "exact UMLS:C0030472"})),
        "oms-adults-breast-cancer": (oms, V + "associatedWith", "breast cancer", adults, "", "", s({"more often"}), paraneoplastic,
                                     s({"exact MONDO:0007254 (breast cancer)", "exact NCIT:C9335 (Malignant Breast Neoplasm)", "exact UMLS:C0006142"})),
        "oms-adults-lung-cancer": (oms, V + "associatedWith", "lung cancer", adults, "", "", s({"more often"}), paraneoplastic,
                                   s({"exact MONDO:0008903 (lung cancer)", "exact NCIT:C7377 (Malignant Lung Neoplasm)", "exact UMLS:C0242379"})),
        "oms-adults-post-viral-inflammatory": (oms, V + "inCategory", "post-viral inflammatory response", adults, "", "", s({"more often"}), s(), s()),
        "molecular-mimicry-viral-infection": (mimicry, V + "triggeredBy", "viral infection", s(), "", "", s({"often"}), s(),
                                              s({"close MONDO:0005108 (viral infectious disease)", "close NCIT:C3439 (Viral Infection)"})),
        "molecular-mimicry-tumor": (mimicry, V + "triggeredBy", "tumor", s(), "", "", s({"often", "in some cases"}), s(), TUMOR),
    }


# "Because this is an immune-mediated condition, the goal of medical intervention is typically to
# suppress the overactive immune response using corticosteroids, intravenous immunoglobulin
# (IVIG), or other immunosuppressive therapies."
def test_treatments(store: ox.Store) -> None:
    got = answer_per_fact(store, "treatments", ["treatment", "hedges", "goals", "xrefs"], {"hedges", "goals", "xrefs"})
    s, goal = frozenset, frozenset({"suppression of the overactive immune response"})
    assert got == {
        "oms-corticosteroids": ("corticosteroids", s({"typically"}), goal,
                                s({"close CHEBI:50858 (corticosteroid)", "close MAXO:0000640 (corticosteroid agent therapy)"})),
        "oms-ivig": ("intravenous immunoglobulin", s({"typically"}), goal, s({"close MAXO:0001480 (immunoglobulin infusion therapy)"})),
        "oms-other-immunosuppressive-therapies": ("other immunosuppressive therapies", s({"typically"}), goal,
                                                  s({"broad MAXO:0000297 (immune suppressant agent therapy)", "related CHEBI:35705 (immunosuppressive agent)"})),
    }


# "Opsoclonus myoclonus syndrome is exceptionally rare, with an estimated incidence of approximately
# 1 in 5,000,000 people per year." / "While it can occur at any age, it is most frequently diagnosed
# in young children, with a median age of onset around 18 to 20 months."
def test_incidence_and_age_of_onset(store: ox.Store) -> None:
    # Oxigraph stores decimals by value and writes them back canonically: 18.0 -> "18"
    columns = ["measure", "cases", "outOf", "period", "rate", "statistic", "minValue", "maxValue", "unit", "approximate", "hedges"]
    assert answer_per_fact(store, "epidemiology", columns, {"hedges"}) == {
        "oms-incidence": ("incidence", "1", "5000000", "P1Y", "0.0000002", "", "", "", "", "true", frozenset({"estimated"})),
        "oms-median-age-of-onset": ("age of onset", "", "", "", "", "median", "18", "20", "month", "true", frozenset()),
    }


def test_evidence_behind_every_fact(store: ox.Store, source_text: str) -> None:
    text = (resources.queries_dir() / "evidence.rq").read_text(encoding="utf-8")
    found = rows(store, text)
    assert len(found) == 54
    assert len({r["fact"] for r in found}) == 54  # one row per fact
    for row in found:
        assert source_text[int(row["start"]):int(row["end"])] == row["sentence"]
        assert row["updated"] == "2026-04-07"
    (incidence,) = [r for r in found if r["fact"] == "oms-incidence"]
    assert "1 in 5,000,000 people per year" in incidence["sentence"]


def test_result_formats(store: ox.Store) -> None:
    query = "SELECT ?label WHERE { ?s a omskg:Condition ; rdfs:label ?label }"
    assert run(store, query, "csv").splitlines() == ["label", "Opsoclonus myoclonus syndrome"]
    assert run(store, query, "tsv").splitlines() == ["?label", '"Opsoclonus myoclonus syndrome"@en']
    assert '"value":"Opsoclonus myoclonus syndrome"' in run(store, query, "json")
    assert "Opsoclonus myoclonus syndrome" in run(store, query, "table")
    assert run(store, "ASK { ?s omskg:hasSymptom ?o }") == "true\n"


def test_malformed_query_names_the_problem(store: ox.Store) -> None:
    with pytest.raises(QueryError, match="malformed query"):
        run(store, "SELECT ?s WHERE { ?s ?p }")
