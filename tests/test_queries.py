"""The competency questions, each with the answer the source gives, checked on the
published N-Triples in an embedded Oxigraph store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from omskg import publish, resources
from omskg.query import QueryError, rows, run, store_from_files

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


def test_symptoms(store: ox.Store) -> None:
    assert answer(store, "symptoms", ["label", "hedge", "population", "core", "hpo"]) == Counter({
        ("opsoclonus", "typically", "", "true", OBO + "HP_0010543"): 1,
        ("myoclonus", "typically", "", "true", OBO + "HP_0001336"): 1,
        ("ataxia", "typically", "", "true", OBO + "HP_0001251"): 1,
        ("behavioral changes", "may", "", "", OBO + "HP_0000708"): 1,
        ("irritability", "may", "", "", OBO + "HP_0000737"): 1,
        ("sleep disturbances", "may", "", "", OBO + "HP_0002360"): 1,
        ("developmental regression", "may", "children", "", OBO + "HP_0002376"): 1,
    })


def test_body_systems(store: ox.Store) -> None:
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert answer(store, "body-systems", ["relation", "label", "match", "term"]) == Counter({
        (V + "affects", "central nervous system", skos + "exactMatch", OBO + "UBERON_0001017"): 1,
        (V + "affects", "cerebellum", skos + "exactMatch", OBO + "UBERON_0002037"): 1,
        (V + "affects", "brainstem areas that control eye movement and motor coordination", skos + "broadMatch", OBO + "UBERON_0002298"): 1,
        (V + "hasAutoimmuneTarget", "neurons in the cerebellum", skos + "exactMatch", OBO + "CL_1001611"): 1,
    })


def test_triggers_with_populations_and_proportions(store: ox.Store) -> None:
    got = answer(store, "triggers", ["predicate", "trigger", "population", "proportion", "approximate", "hedge", "context"])
    assert got == Counter({
        (V + "triggeredBy", "post-viral immune response", "", "", "", "often", ""): 1,
        (V + "triggeredBy", "tumor", "children", "", "", "often", ""): 1,
        (V + "triggeredBy", "tumor", "children", "", "", "particularly", ""): 1,
        (V + "triggeredBy", "neuroblastoma", "children", "", "", "often", ""): 1,
        (V + "triggeredBy", "neuroblastoma", "children", "", "", "particularly", ""): 1,
        (V + "associatedWith", "neuroblastoma", "children", "0.5", "true", "research indicates", ""): 1,
        (V + "associatedWith", "malignancy", "adults", "", "", "less frequently", ""): 1,
        (V + "associatedWith", "breast cancer", "adults", "", "", "", "paraneoplastic syndrome"): 1,
        (V + "associatedWith", "lung cancer", "adults", "", "", "", "paraneoplastic syndrome"): 1,
    })


def test_treatments(store: ox.Store) -> None:
    goal = "suppression of the overactive immune response"
    assert answer(store, "treatments", ["treatment", "goal", "hedge", "term"]) == Counter({
        ("corticosteroids", goal, "typically", OBO + "CHEBI_50858"): 1,
        ("corticosteroids", goal, "typically", OBO + "MAXO_0000640"): 1,
        ("intravenous immunoglobulin", goal, "typically", OBO + "MAXO_0001480"): 1,
        ("other immunosuppressive therapies", goal, "typically", OBO + "MAXO_0000297"): 1,
    })


def test_incidence_and_age_of_onset(store: ox.Store) -> None:
    # Oxigraph stores decimals by value and writes them back canonically: 18.0 -> "18"
    columns = ["measure", "cases", "outOf", "period", "rate", "statistic", "minValue", "maxValue", "unit", "approximate"]
    assert answer(store, "epidemiology", columns) == Counter({
        ("incidence", "1", "5000000", "P1Y", "0.0000002", "", "", "", "", "true"): 1,
        ("age of onset", "", "", "", "", "median", "18", "20", "month", "true"): 1,
    })


def test_evidence_behind_every_fact(store: ox.Store, source_text: str) -> None:
    text = (resources.queries_dir() / "evidence.rq").read_text(encoding="utf-8")
    found = rows(store, text)
    assert len(found) == 48
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
