"""Property-based tests (hypothesis): fact files generated from the curated one, valid and
broken. Every valid one builds to a graph that passes the shapes and round-trips through
Turtle, N-Triples and JSON-LD; every broken one is rejected and dist/ is left untouched."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from omskg import publish, resources
from omskg.build import build
from omskg.records import InputError
from omskg.vocab import DEFAULT_BASE

SOURCE = resources.resource_root() / "data" / "conditions" / "opsoclonus-myoclonus-syndrome.yaml"
DOCUMENT = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
FACT_IDS = [f["id"] for f in DOCUMENT["facts"]]
PROFILE = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _references(fact: dict[str, object]) -> set[str]:
    refs = {str(fact["subject"])}
    for key in ("object", "population", "diseaseContext", "therapeuticGoal", "purpose"):
        if key in fact:
            refs.add(str(fact[key]))
    return refs


def _fact_file(fact_ids: list[str], folder: Path) -> Path:
    """A fact file with the chosen facts and exactly the entities they name."""
    shutil.copytree(resources.resource_root() / "data" / "sources", folder / "sources", dirs_exist_ok=True)
    facts = [f for f in DOCUMENT["facts"] if f["id"] in fact_ids]
    named = set().union(*(_references(f) for f in facts))
    document = {
        "source": DOCUMENT["source"],
        "entities": [e for e in DOCUMENT["entities"] if e["id"] in named],
        "facts": facts,
    }
    (folder / "conditions").mkdir(exist_ok=True)
    path = folder / "conditions" / "generated.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    return path


@PROFILE
@given(fact_ids=st.lists(st.sampled_from(FACT_IDS), min_size=1, max_size=12, unique=True))
def test_valid_fact_files_build_conform_and_round_trip(tmp_path_factory: object, fact_ids: list[str]) -> None:
    folder = tmp_path_factory.mktemp("valid")  # type: ignore[attr-defined]
    path = _fact_file(fact_ids, folder)
    out = folder / "dist"
    report = build(path.parent, out, DEFAULT_BASE)  # validates against the shapes, or raises
    assert report.assembled.facts == len(fact_ids)
    graphs = []
    for name, rdf_format in ((publish.TURTLE, "turtle"), (publish.NTRIPLES, "nt"), (publish.JSONLD, "json-ld")):
        graph = Graph()
        graph.parse(out / name, format=rdf_format)
        graphs.append(graph)
    assert len(graphs[0]) == len(report.triples)
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[1], graphs[2])


def _drop(key: str) -> object:
    def mutate(document: dict[str, Any], index: int) -> str:
        document["facts"][index].pop(key)
        return f"missing field '{key}'"
    return mutate


def _set(key: str, value: object, message: str) -> object:
    def mutate(document: dict[str, Any], index: int) -> str:
        document["facts"][index][key] = value
        return message
    return mutate


def _quote_drift(document: dict[str, Any], index: int) -> str:
    document["facts"][index]["evidence"]["quote"] += " (sic)"
    return "does not occur in the source; closest passage"


def _offset_drift(document: dict[str, Any], index: int) -> str:
    document["facts"][index]["evidence"]["start"] += 1
    return "do not match the quote, whose first occurrence is at"


def _duplicate_entity(document: dict[str, Any], index: int) -> str:
    document["entities"].append(dict(document["entities"][index % len(document["entities"])]))
    return "is defined twice"


def _unknown_prefix(document: dict[str, Any], index: int) -> str:
    document["entities"][index % len(document["entities"])]["xrefs"] = {"exact": ["HPO:0000001"]}
    return "unknown prefix 'HPO'"


def _typo_field(document: dict[str, Any], index: int) -> str:
    entity = document["entities"][index % len(document["entities"])]
    entity["lable"] = entity.pop("label")
    return "unknown field 'lable'"


MUTATIONS = {
    "missing subject": _drop("subject"),
    "missing evidence": _drop("evidence"),
    "unknown predicate": _set("predicate", "hasSymptoms", "unknown predicate 'hasSymptoms'"),
    "undefined subject": _set("subject", "no-such-entity", "subject 'no-such-entity' is not a defined entity"),
    "proportion out of range": _set("proportion", 5, "proportion 5 is outside 0 to 1"),
    "quote drift": _quote_drift,
    "offset drift": _offset_drift,
    "duplicate entity": _duplicate_entity,
    "unknown prefix": _unknown_prefix,
    "typo in a field": _typo_field,
}


@PROFILE
@given(
    fact_ids=st.lists(st.sampled_from(FACT_IDS), min_size=1, max_size=12, unique=True),
    mutation=st.sampled_from(sorted(MUTATIONS)),
    index=st.integers(min_value=0, max_value=100),
)
def test_broken_fact_files_are_rejected_and_dist_untouched(
    tmp_path_factory: object, built: Path, fact_ids: list[str], mutation: str, index: int
) -> None:
    folder = tmp_path_factory.mktemp("broken")  # type: ignore[attr-defined]
    path = _fact_file(fact_ids, folder)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    message = MUTATIONS[mutation](document, index % len(document["facts"]))  # type: ignore[operator]
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    out = folder / "dist"
    shutil.copytree(built, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    try:
        build(path.parent, out, DEFAULT_BASE)
    except InputError as error:
        assert any(message in str(p) for p in error.problems), (mutation, [str(p) for p in error.problems])
    else:
        raise AssertionError(f"{mutation}: the broken file was published")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
