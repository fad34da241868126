"""Fact records + the ontology -> one RDF graph. Pure: no I/O, no randomness.

Each fact gives a statement node, whose IRI is a hash of the fact's content, that carries
the qualifiers and points at a W3C Web Annotation of the evidence sentence. A fact that no
qualifier restricts, makes inexact or reports without asserting (see
``asserts_plain_triple``) also gives a plain triple (``<condition> omskg:hasSymptom
<symptom>``) for simple queries. Super-classes and super-properties that the ontology
asserts (Biolink, RO, schema.org) are written out, so those vocabularies can be queried
without a reasoner.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID, XSD

from omskg.iris import Iris
from omskg.metadata import DatasetMetadata
from omskg.rdf import Triples, TripleSet, boolean, decimal, integer, of_rdflib, text, typed
from omskg.records import (
    AgeRange,
    Boolean,
    Entity,
    EntityRef,
    Evidence,
    Fact,
    FactFile,
    FactObject,
    Incidence,
    QualifierValue,
    Source,
    Text,
)
from omskg.vocab import BIOLINK, MATCH_PROPERTIES, OA, OMSKG, SCHEMA, Vocabulary


class _Terms:
    """A namespace whose terms are each made once (rdflib makes a new URIRef at every access,
    which a graph of a million triples feels)."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        term = URIRef(str(getattr(self._namespace, name)))
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = URIRef(str(self._namespace[name]))
        return term


_RDF = _Terms(RDF)
_RDFS = _Terms(RDFS)
_DCAT = _Terms(DCAT)
_DCTERMS = _Terms(DCTERMS)
_PROV = _Terms(PROV)
_VOID = _Terms(VOID)
_XSD = _Terms(XSD)
_BIOLINK = _Terms(BIOLINK)
_OA = _Terms(OA)
_OMSKG = _Terms(OMSKG)
_SCHEMA = _Terms(SCHEMA)

KNOWLEDGE_LEVEL = "knowledge_assertion"  # a reviewed summary's own statements
AGENT_TYPE = "manual_agent"  # every fact was curated by a person


RATE_PLACES = Decimal("1e-18")  # Oxigraph, like XSD's minimum, keeps 18 digits after the point


def incidence_rate(cases: int, out_of: int) -> Decimal:
    """cases / out_of, exact where the division ends within 18 decimal places (1 in 5,000,000
    is 0.0000002), else rounded to 18 places (1 in 3 is 0.333333333333333333)."""
    return (Decimal(cases) / Decimal(out_of)).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN).normalize()


def withholding_names(vocab: Vocabulary) -> frozenset[str]:
    """The qualifiers and controlled values that the ontology marks with
    ``omskg:withholdsPlainTriple true``, by local name."""
    marked = vocab.graph.subjects(OMSKG.withholdsPlainTriple, Literal(True))
    return frozenset(str(s)[len(str(OMSKG)) :] for s in marked if str(s).startswith(str(OMSKG)))


def asserts_plain_triple(fact: Fact, withholding: frozenset[str]) -> bool:
    """The "truthy" policy: a fact gets its plain triple (and the materialised super-property
    triples) unless a qualifier of it, or a controlled value of one, withholds it: a
    population, a disease context, a proportion, an approximate number, or a hedge such as
    "believed", "estimated" or "research indicates"."""
    return not any(
        name in withholding or any(isinstance(v, str) and v in withholding for v in values)
        for name, values in fact.qualifiers
    )


class _Builder(TripleSet):
    def __init__(self, vocab: Vocabulary, iris: Iris) -> None:
        super().__init__()
        self.vocab = vocab
        self.iris = iris
        self._supers: dict[tuple[str, str], list[ox.NamedNode]] = {}
        self.withholding = withholding_names(vocab)

    def _closure(self, kind: str, term: URIRef) -> list[ox.NamedNode]:
        key = (kind, str(term))
        found = self._supers.get(key)
        if found is None:
            terms = self.vocab.superclasses(term) if kind == "class" else self.vocab.superproperties(term)
            found = self._supers[key] = [self.node(t) for t in terms]
        return found

    def typed(self, node: str, cls: URIRef) -> None:
        subject, rdf_type = self.node(node), self.node(_RDF.type)
        for super_class in self._closure("class", cls):
            self.triples.add(ox.Triple(subject, rdf_type, super_class))

    def asserted(self, s: str, p: URIRef, o: str | ox.Literal) -> None:
        subject, obj = self.node(s), self.term(o)
        for super_property in self._closure("property", p):
            self.triples.add(ox.Triple(subject, super_property, obj))

    # -------------------------------------------------------------- nodes

    def entity(self, entity: Entity) -> None:
        node = self.iris.entity(entity.id)
        self.typed(node, _OMSKG[entity.kind])
        self.add(node, _RDFS.label, text(entity.label, "en"))
        for xref in entity.xrefs:
            self.add(node, MATCH_PROPERTIES[xref.match], xref.iri)

    def source(self, source: Source) -> URIRef:
        node = self.iris.source(source)
        self.typed(node, _OMSKG.SourceDocument)
        self.add(node, _DCTERMS.title, text(source.title, "en"))
        self.add(node, _OMSKG.documentKind, text(source.kind, "en"))
        self.add(node, _DCTERMS.modified, typed(source.last_updated.isoformat(), _XSD.date))
        self.add(node, _OMSKG.disclaimer, text(source.disclaimer.quote, "en"))
        self.add(node, _OMSKG.sha256, text(source.sha256))
        self.add(node, _DCTERMS["format"], text("text/plain"))
        self.add(node, _DCTERMS.language, text("en"))
        for evidence in (source.header, source.disclaimer):
            self.add(self.annotation(source, evidence), _OA.hasBody, node)
        return node

    def annotation(self, source: Source, evidence: Evidence) -> URIRef:
        node = self.iris.evidence(source, evidence)
        target = f"{node}/target"
        quote = f"{node}/quote"
        position = f"{node}/position"
        self.add(node, _RDF.type, _OA.Annotation)
        self.add(node, _OA.motivatedBy, _OA.describing)
        self.add(node, _OA.hasTarget, target)
        self.add(target, _RDF.type, _OA.SpecificResource)
        self.add(target, _OA.hasSource, self.iris.source(source))
        self.add(target, _OA.hasSelector, quote)
        self.add(target, _OA.hasSelector, position)
        self.add(quote, _RDF.type, _OA.TextQuoteSelector)
        self.add(quote, _OA.exact, text(evidence.quote))
        self.add(quote, _OA.prefix, text(evidence.prefix))
        self.add(quote, _OA.suffix, text(evidence.suffix))
        self.add(position, _RDF.type, _OA.TextPositionSelector)
        self.add(position, _OA.start, typed(str(evidence.start), _XSD.nonNegativeInteger))
        self.add(position, _OA.end, typed(str(evidence.end), _XSD.nonNegativeInteger))
        return node

    def object_node(self, obj: FactObject) -> str | ox.Literal:
        if isinstance(obj, EntityRef):
            return self.iris.entity(obj.id)
        if isinstance(obj, Text):
            return text(obj.value, "en")
        if isinstance(obj, Boolean):
            return boolean(obj.value)
        node = self.iris.value(obj)
        if isinstance(obj, Incidence):
            self.typed(node, _OMSKG.IncidenceRate)
            self.add(node, _OMSKG.cases, integer(obj.cases))
            self.add(node, _OMSKG.outOf, integer(obj.out_of))
            self.add(node, _OMSKG.period, typed(obj.period, _XSD.duration))
            self.add(node, _OMSKG.rate, decimal(incidence_rate(obj.cases, obj.out_of)))
        elif isinstance(obj, AgeRange):
            self.typed(node, _OMSKG.AgeRange)
            self.add(node, _OMSKG.statistic, _OMSKG[obj.statistic])
            self.add(node, _SCHEMA.minValue, decimal(obj.min_value))
            self.add(node, _SCHEMA.maxValue, decimal(obj.max_value))
            self.add(node, _SCHEMA.unitText, text(obj.unit_text))
        return node

    def qualifier(self, value: QualifierValue) -> str | ox.Literal:
        if isinstance(value, EntityRef):
            return self.iris.entity(value.id)
        if isinstance(value, bool):
            return boolean(value)
        if isinstance(value, Decimal):
            return decimal(value)
        return _OMSKG[value]

    def fact(self, fact: Fact, source: Source, source_node: URIRef) -> None:
        subject = self.iris.entity(fact.subject)
        predicate = _OMSKG[fact.predicate]
        obj = self.object_node(fact.object)
        if asserts_plain_triple(fact, self.withholding):
            self.asserted(subject, predicate, obj)

        statement = self.iris.statement(fact)
        self.typed(statement, _OMSKG.Statement)
        self.add(statement, _RDF.subject, subject)
        self.add(statement, _RDF.predicate, predicate)
        self.add(statement, _RDF.object, obj)
        self.add(statement, _DCTERMS.identifier, text(fact.id))
        for name, values in fact.qualifiers:
            for value in values:
                self.add(statement, _OMSKG[name], self.qualifier(value))
        self.add(statement, _BIOLINK.supporting_text, text(fact.evidence.quote))
        self.add(statement, _BIOLINK.knowledge_level, text(KNOWLEDGE_LEVEL))
        self.add(statement, _BIOLINK.agent_type, text(AGENT_TYPE))
        self.add(statement, _DCTERMS.source, source_node)
        annotation = self.annotation(source, fact.evidence)
        self.add(annotation, _OA.hasBody, statement)
        self.add(statement, _PROV.wasDerivedFrom, annotation)

    def dataset(self, meta: DatasetMetadata, sources: Iterable[URIRef]) -> None:
        """The dataset node, so that title, licence and disclaimer travel inside the data;
        omskg.dataset.ttl describes the same IRI at length."""
        node = self.iris.dataset()
        self.add(node, _RDF.type, _DCAT.Dataset)
        self.add(node, _RDF.type, _VOID.Dataset)
        self.add(node, _DCTERMS.title, text(meta.title, "en"))
        self.add(node, _DCTERMS.license, meta.license)
        self.add(node, _VOID.uriSpace, text(self.iris.base))
        for source_node in sources:
            self.add(node, _DCTERMS.source, source_node)
            self.add(node, _PROV.wasDerivedFrom, source_node)


_ONTOLOGIES: dict[int, tuple[Graph, frozenset[ox.Triple]]] = {}  # (the graph kept, so its id stays its own)


def ontology_triples(vocab: Vocabulary) -> frozenset[ox.Triple]:
    found = _ONTOLOGIES.get(id(vocab.graph))
    if found is None:
        found = _ONTOLOGIES[id(vocab.graph)] = (vocab.graph, frozenset(of_rdflib(vocab.graph)))
    return found[1]


def file_triples(fact_file: FactFile, vocab: Vocabulary, base: str) -> Triples:
    """What one fact file contributes: its source, entities, facts and their evidence."""
    builder = _Builder(vocab, Iris(base))
    source_node = builder.source(fact_file.source)
    for entity in fact_file.entities:
        builder.entity(entity)
    for fact in fact_file.facts:
        builder.fact(fact, fact_file.source, source_node)
    return builder.triples


def shared_triples(
    fact_files: list[FactFile], vocab: Vocabulary, base: str, meta: DatasetMetadata
) -> Triples:
    """The ontology itself, so that the labels of predicates, hedges and statistics travel
    with the data, and the dataset node with its sources and their disclaimers."""
    builder = _Builder(vocab, Iris(base))
    builder.triples |= ontology_triples(vocab)
    for fact_file in fact_files:
        disclaimer = text(fact_file.source.disclaimer.quote, "en")
        builder.add(builder.iris.dataset(), _OMSKG.disclaimer, disclaimer)
    builder.dataset(meta, [builder.iris.source(f.source) for f in fact_files])
    return builder.triples
