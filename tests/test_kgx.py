"""KGX nodes and edges: valid against the Biolink Model (pinned 4.4.6: the classes the
biolink-model package generates from its LinkML schema, which refuse unknown keys, and the
predicate hierarchy of the schema itself), and counted against the RDF."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, Graph, URIRef

from omskg import publish

BIOLINK_VERSION = "4.4.6"
BIOLINK = "https://w3id.org/biolink/vocab/"
OMSKG = "https://w3id.org/omskg/vocab/"


def _records(built: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (built / name).read_text(encoding="utf-8").splitlines()]


@cache
def _schema() -> dict[str, Any]:
    text = (files("biolink_model") / "schema" / "biolink_model.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def _class(category: str) -> Any:
    from biolink_model.datamodel import pydanticmodel_v2 as model

    return getattr(model, category.removeprefix("biolink:"))


def _is_predicate(curie: str) -> bool:
    """A Biolink slot under ``related to`` (a predicate), by the schema's is_a chain."""
    slots = _schema()["slots"]
    name = curie.removeprefix("biolink:").replace("_", " ")
    while name in slots:
        if name == "related to":
            return True
        name = slots[name].get("is_a")
    return False


def validate(record: dict[str, Any]) -> list[str]:
    """What Biolink says is wrong with one KGX record: its Biolink keys (every key not under
    ``omskg:``) as an instance of its category's class; for an edge, its predicate."""
    import pydantic

    problems = []
    (category,) = record["category"]
    biolink = {k: v for k, v in record.items() if not k.startswith("omskg:")}
    try:
        _class(category).model_validate(biolink)
    except (pydantic.ValidationError, AttributeError) as error:
        problems.append(f"{record['id']}: {error}")
    if "predicate" in record and not _is_predicate(record["predicate"]):
        problems.append(f"{record['id']}: {record['predicate']} is not a Biolink predicate")
    return problems


def test_the_pinned_biolink_model_is_the_one_installed() -> None:
    from importlib.metadata import version

    assert version("biolink-model") == BIOLINK_VERSION == _schema()["version"]


def test_every_node_and_edge_is_valid_biolink(built: Path) -> None:
    nodes, edges = _records(built, publish.KGX_NODES), _records(built, publish.KGX_EDGES)
    problems = [p for record in nodes + edges for p in validate(record)]
    assert problems == []
    print(f"validated {len(nodes)} nodes and {len(edges)} edges against Biolink Model {BIOLINK_VERSION}: "
          f"{len(problems)} problems")


BROKEN = {
    "a category that is not a class": ("node", lambda r: r.__setitem__("category", ["biolink:Symptom"])),
    "an unknown Biolink key": ("node", lambda r: r.__setitem__("severity", "high")),
    "a predicate that is not Biolink's": ("edge", lambda r: r.__setitem__("predicate", "biolink:has_symptom")),
    "a knowledge level not in the enum": ("edge", lambda r: r.__setitem__("knowledge_level", "assertion")),
    "a qualifier slot the class lacks": ("edge", lambda r: r.__setitem__("sex_qualifier", "PATO:0000383")
                                         if r["category"] == ["biolink:Association"] else r.__setitem__("foo", 1)),
    "no subject": ("edge", lambda r: r.pop("subject")),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_the_validation_refuses_a_broken_record(built: Path, breakage: str) -> None:
    kind, breaking = BROKEN[breakage]
    record = _records(built, publish.KGX_NODES if kind == "node" else publish.KGX_EDGES)[1]
    breaking(record)
    assert validate(record) != []


def _graph(built: Path) -> Graph:
    graph = Graph()
    graph.parse(built / publish.NTRIPLES, format="nt")
    return graph


def test_counts_and_facts_agree_with_the_rdf(built: Path) -> None:
    graph = _graph(built)
    entities = set(graph.subjects(RDF.type, URIRef(OMSKG + "Entity")))
    nodes, edges = _records(built, publish.KGX_NODES), _records(built, publish.KGX_EDGES)
    assert len(nodes) == len(entities) and {n["iri"] for n in nodes} == {str(e) for e in entities}
    entity_statements = {
        s for s in graph.subjects(RDF.type, RDF.Statement) if graph.value(s, RDF.object) in entities
    }
    assert len(edges) == len(entity_statements) and {e["id"] for e in edges} == {str(s) for s in entity_statements}
    iri_of = {n["id"]: n["iri"] for n in nodes}
    supporting_text = URIRef(BIOLINK + "supporting_text")
    for edge in edges:
        statement = URIRef(edge["id"])
        assert str(graph.value(statement, RDF.subject)) == iri_of[edge["subject"]]
        assert str(graph.value(statement, RDF.object)) == iri_of[edge["object"]]
        assert str(graph.value(statement, RDF.predicate)) == OMSKG + edge["original_predicate"].removeprefix("omskg:")
        assert edge["supporting_text"] == [str(graph.value(statement, supporting_text))]
    literal_facts = [f for n in nodes for f in n.get("omskg:facts", [])]
    assert len(literal_facts) + len(edges) == len(set(graph.subjects(RDF.type, RDF.Statement)))


def test_qualifiers_go_to_biolink_slots_where_the_class_has_one_and_are_kept_otherwise(built: Path) -> None:
    edges = {e["omskg:fact"]: e for e in _records(built, publish.KGX_EDGES)}
    regression = edges["oms-symptom-developmental-regression"]
    assert regression["category"] == ["biolink:DiseaseToPhenotypicFeatureAssociation"]
    assert regression["predicate"] == "biolink:has_phenotype"
    assert regression["population_context_qualifier"] == "OMSKG:children" and "omskg:population" not in regression
    neuroblastoma = edges["oms-neuroblastoma-in-half-of-pediatric-cases"]
    assert neuroblastoma["category"] == ["biolink:Association"]  # no population or frequency slot there
    assert (neuroblastoma["omskg:population"], neuroblastoma["omskg:proportion"], neuroblastoma["omskg:approximate"]) == (
        "OMSKG:children", 0.5, True)
    assert neuroblastoma["omskg:hedge"] == ["omskg:ResearchIndicates"]
    assert edges["oms-symptom-ataxia"]["omskg:coreFeature"] is True
    assert edges["oms-corticosteroids"]["predicate"] == "biolink:related_to"  # no Biolink super-property
    assert edges["oms-corticosteroids"]["original_predicate"] == "omskg:treatedWith"


def test_every_edge_names_the_infores_the_dataset_description_declares(built: Path) -> None:
    description = Graph()
    description.parse(built / publish.DESCRIPTION, format="turtle")
    declared = {str(o) for o in description.objects(URIRef("https://w3id.org/omskg/dataset"),
                                                    URIRef("http://purl.org/dc/terms/identifier"))}
    assert declared == {"infores:omskg"}
    edges = _records(built, publish.KGX_EDGES)
    assert {e["primary_knowledge_source"] for e in edges} == declared
    assert {s for n in _records(built, publish.KGX_NODES) for s in n["provided_by"]} == declared


def test_nodes_carry_their_category_name_and_exact_matches(built: Path) -> None:
    nodes = {n["id"]: n for n in _records(built, publish.KGX_NODES)}
    oms = nodes["OMSKG:opsoclonus-myoclonus-syndrome"]
    assert oms["category"] == ["biolink:Disease"] and "MONDO:0015247" in oms["xref"]
    assert oms["synonym"] == ["OMS", "dancing eye syndrome"]
    assert nodes["OMSKG:ataxia"]["category"] == ["biolink:PhenotypicFeature"]
    assert "HP:0002360" in nodes["OMSKG:sleep-disturbances"]["xref"]  # an exact match
    assert nodes["OMSKG:viral-infection"]["omskg:close_match"] == ["MONDO:0005108", "NCIT:C3439"]
    assert nodes["OMSKG:rare-disease"]["category"] == ["biolink:NamedThing"]  # no Biolink class for its kind
    lines = (built / publish.KGX_NODES).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(nodes)


def test_every_line_is_json_dumps_own_text_in_id_order(built: Path) -> None:
    for name in (publish.KGX_NODES, publish.KGX_EDGES):
        lines = (built / name).read_text(encoding="utf-8").splitlines()
        assert lines == [json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True) for line in lines]
        assert [json.loads(line)["id"] for line in lines] == sorted(json.loads(line)["id"] for line in lines)


_KEY_TEXT = st.text(st.characters() | st.sampled_from('{}"\\\n:é%s'), max_size=6)
_FIELDS = st.lists(
    st.tuples(st.sampled_from(["id", "omskg:fact", "{0}", "}{", "é", "%s", "%%"]) | _KEY_TEXT,
              st.none() | st.booleans() | st.integers() | st.floats() | _KEY_TEXT
              | st.lists(_KEY_TEXT, max_size=2) | st.dictionaries(_KEY_TEXT, st.integers(), max_size=2)),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(fields=st.lists(_FIELDS, min_size=1, max_size=3), inline=st.lists(st.booleans(), min_size=8, max_size=8))
def test_a_record_written_from_its_fields_json_is_the_encoders_text(
    fields: list[list[tuple[str, Any]]], inline: list[bool]
) -> None:
    """Keys with braces, quotes and percent signs, a key given twice (its last value kept, as
    in a dict), values in the template or put in: the record is what the JSON encoder writes
    of its dict."""
    from omskg.kgx import _ENCODER, _filled, _json, _Kgx
    from omskg.minted import Minted
    from omskg.vocab import DEFAULT_BASE, load_vocabulary

    kgx = _Kgx([], load_vocabulary(), Minted(DEFAULT_BASE), "infores:omskg")
    for given_fields in fields + fields:  # (the second time with the keys' texts known)
        keys = [key for key, _ in given_fields]
        values = [_json(value) for _, value in given_fields]
        arguments = [value for value, put_in in zip(values, inline, strict=False) if not put_in]
        numbers = iter(range(len(arguments)))
        template = kgx.template(keys, [value if put_in else next(numbers)
                                       for value, put_in in zip(values, inline + [False] * 8, strict=False)])
        written = _filled(template, *arguments)
        assert written == _ENCODER.encode(dict(given_fields))
        assert written == json.dumps(dict(given_fields), ensure_ascii=False, sort_keys=True)


def test_records_made_from_a_template_made_for_equal_facts_are_each_facts_own(fact_file: Any, vocab: Any) -> None:
    """A fact's record comes from the template made for its qualifiers (equal ones) and kind of
    edge: equal qualifiers whose values differ in type (True == Decimal(1)) are told apart,
    and each record is the one a new writer makes of the fact alone."""
    import dataclasses
    from decimal import Decimal

    from omskg.kgx import _Kgx
    from omskg.minted import Minted
    from omskg.records import EntityRef, Text
    from omskg.vocab import DEFAULT_BASE

    edge = next(f for f in fact_file.facts if isinstance(f.object, EntityRef) and f.qualifiers)
    literal = next(f for f in fact_file.facts if isinstance(f.object, Text) and f.subject == edge.subject)
    variants = [(), (("proportion", (Decimal(1),)),), (("proportion", (True,)),), (("proportion", (Decimal("1.0"),)),),
                (("approximate", (False,)), ("hedge", ("May", "Often"))), (("approximate", (Decimal(0),)),),
                (("population", (EntityRef("children"),)),), (("population", (EntityRef("adults"),)),)]
    facts = [dataclasses.replace(fact, id=f"{fact.id}-{i}", qualifiers=qualifiers)
             for fact in (edge, literal) for i, qualifiers in enumerate(variants + variants)]

    def written(kgx: _Kgx, fact: Any) -> str:
        if isinstance(fact.object, EntityRef):
            return kgx.edge(fact, fact_file)[1]
        entity = kgx.entities[fact.subject]
        return kgx.node(entity, [(fact, fact_file)])

    kgx = _Kgx([fact_file], vocab, Minted(DEFAULT_BASE), "infores:omskg")
    records = [written(kgx, fact) for fact in facts]
    assert records == [written(_Kgx([fact_file], vocab, Minted(DEFAULT_BASE), "infores:omskg"), f) for f in facts]
    proportions = [json.loads(r).get("omskg:proportion", json.loads(r).get("has_quotient")) for r in records[1:4]]
    assert [(p, type(p)) for p in proportions] == [(1, int), (True, bool), (1, int)]
    approximate = [json.loads(r)["omskg:approximate"] for r in records[4:6]]
    assert [(a, type(a)) for a in approximate] == [(False, bool), (0, int)]
