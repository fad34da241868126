"""KGX for the Biolink world: the entities as nodes and the facts between entities as edges,
in KGX's JSON Lines format (one JSON object a line, sorted by id).

* A node per entity: its Biolink category (the Biolink classes the ontology makes its kind
  a subclass of; biolink:NamedThing where there is none), name, IRI, exact matches as
  ``xref``, names as ``synonym``; other matches, and every fact whose object is text, a
  boolean or a number, under ``omskg:`` keys.
* An edge per statement whose object is an entity: id = the statement's IRI; predicate = the
  Biolink property the ontology makes the omskg predicate a sub-property of
  (biolink:related_to where there is none), the omskg predicate as ``original_predicate``;
  knowledge level, agent type, ``primary_knowledge_source`` (the dataset's infores id), the
  evidence sentence as ``supporting_text``. Qualifiers go into Biolink's own slots where the
  edge's association class has one (population, disease context, proportion); the rest
  (hedges, approximate, core feature, therapeutic goal, ...) stay under ``omskg:`` keys.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from omskg.graph import AGENT_TYPE, KNOWLEDGE_LEVEL
from omskg.mappings import SSSOM_SUBJECT_PREFIX
from omskg.minted import Minted
from omskg.records import (
    AgeRange,
    Boolean,
    Entity,
    EntityRef,
    Fact,
    FactFile,
    Incidence,
    QualifierValue,
    Text,
)
from omskg.vocab import BIOLINK, OMSKG, Vocabulary

NAMED_THING = "biolink:NamedThing"
RELATED_TO = "biolink:related_to"
ASSOCIATION = "biolink:Association"
#: The association class of an edge by the categories of its subject and object and its
#: predicate; any other edge is a plain biolink:Association.
ASSOCIATIONS = {
    ("biolink:Disease", "biolink:has_phenotype", "biolink:PhenotypicFeature"):
        "biolink:DiseaseToPhenotypicFeatureAssociation",
}
#: omskg qualifier -> (Biolink slot, the association classes that have it).
QUALIFIER_SLOTS = {
    "population": ("population_context_qualifier", {"biolink:DiseaseToPhenotypicFeatureAssociation"}),
    "diseaseContext": ("disease_context_qualifier", {"biolink:DiseaseToPhenotypicFeatureAssociation"}),
    "proportion": ("has_quotient", {"biolink:DiseaseToPhenotypicFeatureAssociation"}),
}
#: Fact predicates whose text objects are names of the subject (Biolink ``synonym``).
NAME_PREDICATES = frozenset({"abbreviation", "synonym"})


def _biolink(iri: str) -> str | None:
    return f"biolink:{iri[len(str(BIOLINK)):]}" if iri.startswith(str(BIOLINK)) else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class _Kgx:
    def __init__(self, fact_files: list[FactFile], vocab: Vocabulary, minted: Minted, infores: str) -> None:
        self.vocab = vocab
        self.minted = minted
        self.infores = infores
        self.entities: dict[str, Entity] = {e.id: e for f in fact_files for e in f.entities}
        self.categories: dict[str, str] = {}  # entity kind -> its Biolink category
        self.predicates: dict[str, str] = {}  # omskg predicate -> its Biolink predicate

    def curie(self, entity_id: str) -> str:
        return f"{SSSOM_SUBJECT_PREFIX}:{entity_id}"

    def category(self, kind: str) -> str:
        category = self.categories.get(kind)
        if category is None:
            found = [c for cls in self.vocab.superclasses(OMSKG[kind]) if (c := _biolink(str(cls)))]
            category = min(found, key=lambda c: (c == NAMED_THING, c)) if found else NAMED_THING
            self.categories[kind] = category
        return category

    def predicate(self, name: str) -> str:
        predicate = self.predicates.get(name)
        if predicate is None:
            found = sorted(p for sup in self.vocab.superproperties(OMSKG[name]) if (p := _biolink(str(sup))))
            predicate = self.predicates[name] = found[0] if found else RELATED_TO
        return predicate

    def qualifier_value(self, value: QualifierValue) -> Any:
        if isinstance(value, EntityRef):
            return self.curie(value.id)
        if isinstance(value, Decimal):
            return _number(value)
        if isinstance(value, bool):
            return value
        return f"omskg:{value}"

    def literal(self, fact: Fact) -> Any:
        obj = fact.object
        if isinstance(obj, Text):
            return obj.value
        if isinstance(obj, Boolean):
            return obj.value
        if isinstance(obj, Incidence):
            return {"cases": obj.cases, "outOf": obj.out_of, "period": obj.period,
                    "rate": _number(Decimal(obj.cases) / Decimal(obj.out_of))}
        assert isinstance(obj, AgeRange)
        return {"statistic": f"omskg:{obj.statistic}", "min": _number(obj.min_value),
                "max": _number(obj.max_value), "unitText": obj.unit_text}

    def evidence(self, fact: Fact, fact_file: FactFile) -> dict[str, Any]:
        return {
            "omskg:source": self.minted.source(fact_file.source),
            "omskg:annotation": self.minted.evidence(fact_file.source, fact.evidence),
        }

    def qualifiers(self, fact: Fact, association: str = "") -> dict[str, Any]:
        """Qualifiers in the Biolink slot of ``association`` where it has one, else under
        ``omskg:{name}`` (hedges always a list, others a list only when they are several)."""
        out: dict[str, Any] = {}
        for name, values in fact.qualifiers:
            converted = [self.qualifier_value(v) for v in values]
            slot, classes = QUALIFIER_SLOTS.get(name, ("", set()))
            if association in classes and len(converted) == 1:
                out[slot] = converted[0]
            else:
                out[f"omskg:{name}"] = converted if len(converted) > 1 or name == "hedge" else converted[0]
        return out

    def node(self, entity: Entity, facts: list[tuple[Fact, FactFile]]) -> dict[str, Any]:
        node: dict[str, Any] = {
            "id": self.curie(entity.id),
            "category": [self.category(entity.kind)],
            "name": entity.label,
            "iri": self.minted.entity(entity.id),
            "provided_by": [self.infores],
        }
        exact = [x.curie for x in entity.xrefs if x.match == "exact"]
        if exact:
            node["xref"] = exact
        names = [
            f.object.value for f, _ in facts if f.predicate in NAME_PREDICATES and isinstance(f.object, Text)
        ]
        if names:
            node["synonym"] = names
        for match in ("close", "broad", "narrow", "related"):
            targets = [x.curie for x in entity.xrefs if x.match == match]
            if targets:
                node[f"omskg:{match}_match"] = targets
        if facts:
            node["omskg:facts"] = [  # facts whose object is not an entity, so not an edge
                {"id": self.minted.statement(f), "original_predicate": f"omskg:{f.predicate}",
                 "value": self.literal(f), "supporting_text": [f.evidence.quote],
                 **self.qualifiers(f), "omskg:fact": f.id, **self.evidence(f, ff)}
                for f, ff in facts
            ]
        return node

    def edge(self, fact: Fact, fact_file: FactFile) -> dict[str, Any]:
        assert isinstance(fact.object, EntityRef)
        subject, obj = self.entities[fact.subject], self.entities[fact.object.id]
        predicate = self.predicate(fact.predicate)
        key = (self.category(subject.kind), predicate, self.category(obj.kind))
        association = ASSOCIATIONS.get(key, ASSOCIATION)
        return {
            "id": self.minted.statement(fact),
            "category": [association],
            "subject": self.curie(fact.subject),
            "predicate": predicate,
            "object": self.curie(fact.object.id),
            "original_predicate": f"omskg:{fact.predicate}",
            "knowledge_level": KNOWLEDGE_LEVEL,
            "agent_type": AGENT_TYPE,
            "primary_knowledge_source": self.infores,
            "supporting_text": [fact.evidence.quote],
            **self.qualifiers(fact, association),
            "omskg:fact": fact.id,
            **self.evidence(fact, fact_file),
        }


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # (json.dumps makes one a call)


def _lines(records: list[dict[str, Any]]) -> bytes:
    ordered = sorted(records, key=lambda r: str(r["id"]))
    return "".join([_ENCODER.encode(r) + "\n" for r in ordered]).encode("utf-8")


def kgx_files(
    fact_files: list[FactFile], vocab: Vocabulary, base: str, infores: str, minted: Minted | None = None
) -> tuple[bytes, bytes]:
    """(nodes, edges) as KGX JSON Lines, sorted by id: byte-identical from build to build.
    ``minted``: the IRIs minted so far under ``base`` (the condition document's too)."""
    minted = minted or Minted(base)
    assert minted.iris.base == base
    kgx = _Kgx(fact_files, vocab, minted, infores)
    literal_facts: dict[str, list[tuple[Fact, FactFile]]] = {}
    edges = []
    for fact_file in fact_files:
        for fact in fact_file.facts:
            if isinstance(fact.object, EntityRef):
                edges.append(kgx.edge(fact, fact_file))
            else:
                literal_facts.setdefault(fact.subject, []).append((fact, fact_file))
    nodes = [kgx.node(entity, literal_facts.get(entity.id, [])) for entity in kgx.entities.values()]
    return _lines(nodes), _lines(edges)
