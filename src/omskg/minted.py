"""The instance IRIs of one build's records as strings, each minted once.

The files for readers without RDF (the nested condition document, KGX) name the same
entities, statements, sources and evidence many times over, and a statement's IRI is a
hash of its content. One ``Minted`` per build hands each out from its first minting (the
IRIs themselves come from ``omskg.iris``, unchanged).

Records are looked up by identity: a frozen dataclass hashes every field on every lookup,
which costs about as much as minting the IRI again. Each entry holds its records, so that
their ``id()`` cannot pass to another object while the cache lives.
"""

from __future__ import annotations

from omskg.iris import Iris
from omskg.records import Evidence, Fact, FactObject, Source


class Minted:
    def __init__(self, base: str) -> None:
        self.iris = Iris(base)
        self._entities: dict[str, str] = {}
        self._values: dict[FactObject, str] = {}
        self._statements: dict[int, tuple[Fact, str]] = {}
        self._sources: dict[int, tuple[Source, str]] = {}
        self._evidence: dict[int, tuple[Evidence, Source, str]] = {}

    def entity(self, entity_id: str) -> str:
        found = self._entities.get(entity_id)
        if found is None:
            found = self._entities[entity_id] = self.iris.entity_iri(entity_id)
        return found

    def value(self, obj: FactObject) -> str:
        found = self._values.get(obj)
        if found is None:
            found = self._values[obj] = self.iris.value_iri(obj)
        return found

    def statement(self, fact: Fact) -> str:
        found = self._statements.get(id(fact))
        if found is None or found[0] is not fact:
            found = self._statements[id(fact)] = (fact, self.iris.statement_iri(fact))
        return found[1]

    def remember(self, fact: Fact, statement: str) -> None:
        """A statement's IRI minted where the fact's triples were built (by a worker of the
        same build: the same ``Iris``), handed out from here on."""
        self._statements[id(fact)] = (fact, statement)

    def source(self, source: Source) -> str:
        found = self._sources.get(id(source))
        if found is None or found[0] is not source:
            found = self._sources[id(source)] = (source, self.iris.source_iri(source))
        return found[1]

    def evidence(self, source: Source, evidence: Evidence) -> str:
        found = self._evidence.get(id(evidence))
        if found is None or found[0] is not evidence or found[1] is not source:
            minted = self.iris.evidence_iri(source, evidence)
            found = self._evidence[id(evidence)] = (evidence, source, minted)
        return found[2]
