"""Every IRI minted for instance data and for the dataset, under one configurable base.

Entity IRIs are curated slugs; statement and value IRIs are hashes of their content, so a
fact keeps its IRI across rebuilds, renames and reorderings, and a changed fact gets a
new one. Nothing is random.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox
from rdflib import URIRef

from omskg.bounds import excerpt, hidden_character_problem
from omskg.records import (
    AgeRange,
    Boolean,
    EntityRef,
    Evidence,
    Fact,
    FactObject,
    Incidence,
    QualifierValue,
    Source,
    Text,
)
from omskg.vocab import PREFIXES

#: The folders of the base under which each kind of instance IRI is minted, by the
#: prefix that Turtle and JSON-LD use for them.
INSTANCE_PATHS = {
    "entity": "entity/",
    "statement": "statement/",
    "evidence": "evidence/",
    "value": "value/",
    "sourceDocument": "source/",
}


class InvalidBase(ValueError):
    pass


@dataclass(frozen=True)
class Iris:
    base: str

    def __post_init__(self) -> None:
        _check_base(self.base)

    def _mint(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    # ------------------------------------------------------------------ the data
    # (each as a URIRef, and as a plain string for the graph's builder)

    def entity(self, entity_id: str) -> URIRef:
        return URIRef(self.entity_iri(entity_id))

    def entity_iri(self, entity_id: str) -> str:
        return f"{self.base}entity/{entity_id}"

    def statement(self, fact: Fact) -> URIRef:
        return URIRef(self.statement_iri(fact))

    def statement_iri(self, fact: Fact) -> str:
        return f"{self.base}statement/{digest(fact_content(fact))}"

    def value(self, obj: FactObject) -> URIRef:
        return URIRef(self.value_iri(obj))

    def value_iri(self, obj: FactObject) -> str:
        return f"{self.base}value/{digest(object_content(obj))}"

    def source(self, source: Source) -> URIRef:
        return URIRef(self.source_iri(source))

    def source_iri(self, source: Source) -> str:
        return f"{self.base}source/{source.id}"

    def evidence(self, source: Source, evidence: Evidence) -> URIRef:
        return URIRef(self.evidence_iri(source, evidence))

    def evidence_iri(self, source: Source, evidence: Evidence) -> str:
        return f"{self.base}evidence/{source.id}/{evidence.start}-{evidence.end}"

    # ------------------------------------------------------------------ the dataset

    def dataset(self) -> URIRef:
        """The dataset across its versions (HCLS summary level)."""
        return self._mint("dataset")

    def release(self, version: str) -> URIRef:
        """One version of the dataset (HCLS version level)."""
        return self._mint(f"dataset/{version}")

    def distribution(self, version: str, name: str) -> URIRef:
        return URIRef(f"{self.release(version)}/{name}")

    def download(self, version: str, name: str) -> URIRef:
        return self._mint(f"release/{version}/{name}")

    def partition(self, version: str, kind: str, key: str) -> URIRef:
        key_digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        return URIRef(f"{self.release(version)}/{kind}/{key_digest}")

    def release_source(self, version: str, source_id: str) -> URIRef:
        """A source as one release used it: its version (date) and checksum."""
        return URIRef(f"{self.release(version)}/source/{source_id}")

    def linkset(self, version: str, prefix: str) -> URIRef:
        return URIRef(f"{self.release(version)}/linkset/{prefix}")

    def agent(self) -> URIRef:
        return self._mint("agent/omskg-project")

    def mapping_set(self) -> str:
        return f"{self.base}omskg.sssom.tsv"

    # ------------------------------------------------------------------ prefixes

    def prefixes(self) -> dict[str, str]:
        """Short prefixes for the instance IRIs."""
        return {name: self.base + path for name, path in INSTANCE_PATHS.items()}

    def prefix_map(self) -> dict[str, str]:
        """The published graph's prefixes, for Turtle, JSON-LD, pages and reports: the shared
        vocabularies' and the instance IRIs'."""
        return {**PREFIXES, **self.prefixes()}


@lru_cache(maxsize=16)
def _check_base(base: str) -> None:
    """Refuse a base that is not an absolute IRI ending in '/' or '#', as RDF (and Oxigraph,
    which checks every IRI it is given) requires, before any IRI is minted under it."""
    shown = excerpt(base)
    try:
        ox.NamedNode(base + "entity/x")
    except ValueError as error:
        raise InvalidBase(f"base IRI {shown} is not an absolute IRI: {error}") from None
    if not base.endswith(("/", "#")):
        raise InvalidBase(f"base IRI {shown} must end with '/' or '#'")
    problem = hidden_character_problem(base)
    if problem is not None:
        raise InvalidBase(f"base IRI: {problem}")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # (made once)


def digest(content: object) -> str:
    return hashlib.sha256(_CANONICAL.encode(content).encode("utf-8")).hexdigest()[:16]


def object_content(obj: FactObject) -> list[object]:
    if isinstance(obj, EntityRef):
        return ["entity", obj.id]
    if isinstance(obj, Text):
        return ["text", obj.value]
    if isinstance(obj, Boolean):
        return ["boolean", obj.value]
    if isinstance(obj, Incidence):
        return ["incidence", obj.cases, obj.out_of, obj.period]
    assert isinstance(obj, AgeRange)
    return ["ageRange", obj.statistic, str(obj.min_value), str(obj.max_value), obj.unit_text]


def fact_content(fact: Fact) -> list[object]:
    """What a statement's IRI is derived from: subject, predicate, object and qualifiers.

    The fact's id and its evidence are not part of it, so that renaming a fact or moving
    its quote keeps the IRI, and changing what it says gives a new one.
    """
    qualifiers = [[name, [_qualifier_content(v) for v in values]] for name, values in fact.qualifiers]
    return [fact.subject, fact.predicate, object_content(fact.object), qualifiers]


def _qualifier_content(value: QualifierValue) -> object:
    if isinstance(value, EntityRef):
        return ["entity", value.id]
    if isinstance(value, Decimal):
        return ["decimal", str(value.normalize())]
    return value
