"""Fact records + the ontology -> one RDF graph. Pure: no I/O, no randomness.

Each fact gives a plain triple (``<condition> omskg:hasSymptom <symptom>``) for simple
queries, plus a statement node, whose IRI is a hash of the fact's content, that carries
the qualifiers and points at a W3C Web Annotation of the evidence sentence. Super-classes
and super-properties that the ontology asserts (Biolink, RO, schema.org) are written out,
so those vocabularies can be queried without a reasoner.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID, XSD

from omskg.facts import (
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
from omskg.metadata import DatasetMetadata
from omskg.vocab import BIOLINK, MATCH_PROPERTIES, NAMESPACES, OA, OMSKG, SCHEMA, Vocabulary

KNOWLEDGE_LEVEL = "knowledge_assertion"  # a reviewed summary's own statements
AGENT_TYPE = "manual_agent"  # every fact was curated by a person


class InvalidBase(ValueError):
    pass


@dataclass(frozen=True)
class Iris:
    """Every IRI minted for instance data, under one configurable base."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            raise InvalidBase(f"base IRI {self.base!r} must end with '/' or '#'")

    @property
    def ns(self) -> Namespace:
        return Namespace(self.base)

    def entity(self, entity_id: str) -> URIRef:
        return self.ns[f"entity/{entity_id}"]

    def statement(self, fact: Fact) -> URIRef:
        return self.ns[f"statement/{_digest(fact_content(fact))}"]

    def value(self, obj: FactObject) -> URIRef:
        return self.ns[f"value/{_digest(_object_content(obj))}"]

    def source(self, source: Source) -> URIRef:
        return self.ns[f"source/{source.id}"]

    def evidence(self, source: Source, evidence: Evidence) -> URIRef:
        return self.ns[f"evidence/{source.id}/{evidence.start}-{evidence.end}"]

    def dataset(self) -> URIRef:
        return self.ns["dataset"]

    def prefixes(self) -> dict[str, str]:
        """Short prefixes for the IRIs minted above, for Turtle and JSON-LD."""
        return {name: self.base + path for name, path in INSTANCE_PATHS.items()}


#: The folders of the base under which each kind of instance IRI is minted.
INSTANCE_PATHS = {
    "entity": "entity/",
    "statement": "statement/",
    "evidence": "evidence/",
    "value": "value/",
    "sourceDocument": "source/",
}


def _digest(content: object) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _object_content(obj: FactObject) -> list[object]:
    if isinstance(obj, EntityRef):
        return ["entity", obj.id]
    if isinstance(obj, Text):
        return ["text", obj.value]
    if isinstance(obj, Boolean):
        return ["boolean", obj.value]
    if isinstance(obj, Incidence):
        return ["incidence", obj.cases, obj.out_of, obj.period]
    return ["ageRange", obj.statistic, str(obj.min_value), str(obj.max_value), obj.unit_text]


def fact_content(fact: Fact) -> list[object]:
    """What a statement's IRI is derived from: subject, predicate, object and qualifiers.

    The fact's id and its evidence are not part of it, so that renaming a fact or moving
    its quote keeps the IRI, and changing what it says gives a new one.
    """
    qualifiers = [[name, [_qualifier_content(v) for v in values]] for name, values in fact.qualifiers]
    return [fact.subject, fact.predicate, _object_content(fact.object), qualifiers]


def _qualifier_content(value: QualifierValue) -> object:
    if isinstance(value, EntityRef):
        return ["entity", value.id]
    if isinstance(value, Decimal):
        return ["decimal", str(value.normalize())]
    return value


def _decimal(value: Decimal) -> Literal:
    """An xsd:decimal in its canonical form: fixed-point, with a decimal point ('18.0',
    '0.0000002'), which Turtle writers keep as it is."""
    text = format(value.normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


class _Builder:
    def __init__(self, vocab: Vocabulary, iris: Iris) -> None:
        self.vocab = vocab
        self.iris = iris
        self.graph = Graph(bind_namespaces="none")
        for prefix, namespace in NAMESPACES.items():
            self.graph.bind(prefix, namespace)
        for prefix, iri in iris.prefixes().items():
            self.graph.bind(prefix, iri)

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def typed(self, node: URIRef, cls: URIRef) -> None:
        for super_class in self.vocab.superclasses(cls):
            self.add(node, RDF.type, super_class)

    def asserted(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        for super_property in self.vocab.superproperties(p):
            self.add(s, super_property, o)

    # -------------------------------------------------------------- nodes

    def entity(self, entity: Entity) -> None:
        node = self.iris.entity(entity.id)
        self.typed(node, OMSKG[entity.kind])
        self.add(node, RDFS.label, Literal(entity.label, lang="en"))
        for xref in entity.xrefs:
            self.add(node, MATCH_PROPERTIES[xref.match], URIRef(xref.iri))

    def source(self, source: Source) -> URIRef:
        node = self.iris.source(source)
        self.typed(node, OMSKG.SourceDocument)
        self.add(node, DCTERMS.title, Literal(source.title, lang="en"))
        self.add(node, OMSKG.documentKind, Literal(source.kind, lang="en"))
        self.add(node, DCTERMS.modified, Literal(source.last_updated.isoformat(), datatype=XSD.date))
        self.add(node, OMSKG.disclaimer, Literal(source.disclaimer.quote, lang="en"))
        self.add(node, OMSKG.sha256, Literal(source.sha256))
        self.add(node, DCTERMS["format"], Literal("text/plain"))
        self.add(node, DCTERMS.language, Literal("en"))
        for evidence in (source.header, source.disclaimer):
            self.add(self.annotation(source, evidence), OA.hasBody, node)
        return node

    def annotation(self, source: Source, evidence: Evidence) -> URIRef:
        node = self.iris.evidence(source, evidence)
        target = URIRef(f"{node}/target")
        quote = URIRef(f"{node}/quote")
        position = URIRef(f"{node}/position")
        self.add(node, RDF.type, OA.Annotation)
        self.add(node, OA.motivatedBy, OA.describing)
        self.add(node, OA.hasTarget, target)
        self.add(target, RDF.type, OA.SpecificResource)
        self.add(target, OA.hasSource, self.iris.source(source))
        self.add(target, OA.hasSelector, quote)
        self.add(target, OA.hasSelector, position)
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(evidence.quote))
        self.add(quote, OA.prefix, Literal(evidence.prefix))
        self.add(quote, OA.suffix, Literal(evidence.suffix))
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(evidence.start, datatype=XSD.nonNegativeInteger))
        self.add(position, OA.end, Literal(evidence.end, datatype=XSD.nonNegativeInteger))
        return node

    def object_node(self, obj: FactObject) -> URIRef | Literal:
        if isinstance(obj, EntityRef):
            return self.iris.entity(obj.id)
        if isinstance(obj, Text):
            return Literal(obj.value, lang="en")
        if isinstance(obj, Boolean):
            return Literal(obj.value)
        node = self.iris.value(obj)
        if isinstance(obj, Incidence):
            self.typed(node, OMSKG.IncidenceRate)
            self.add(node, OMSKG.cases, Literal(obj.cases))
            self.add(node, OMSKG.outOf, Literal(obj.out_of))
            self.add(node, OMSKG.period, Literal(obj.period, datatype=XSD.duration))
            self.add(node, OMSKG.rate, _decimal(Decimal(obj.cases) / Decimal(obj.out_of)))
        elif isinstance(obj, AgeRange):
            self.typed(node, OMSKG.AgeRange)
            self.add(node, OMSKG.statistic, OMSKG[obj.statistic])
            self.add(node, SCHEMA.minValue, _decimal(obj.min_value))
            self.add(node, SCHEMA.maxValue, _decimal(obj.max_value))
            self.add(node, SCHEMA.unitText, Literal(obj.unit_text))
        return node

    def qualifier(self, value: QualifierValue) -> URIRef | Literal:
        if isinstance(value, EntityRef):
            return self.iris.entity(value.id)
        if isinstance(value, bool):
            return Literal(value)
        if isinstance(value, Decimal):
            return _decimal(value)
        return OMSKG[value]

    def fact(self, fact: Fact, source: Source, source_node: URIRef) -> None:
        subject = self.iris.entity(fact.subject)
        predicate = OMSKG[fact.predicate]
        obj = self.object_node(fact.object)
        self.asserted(subject, predicate, obj)

        statement = self.iris.statement(fact)
        self.typed(statement, OMSKG.Statement)
        self.add(statement, RDF.subject, subject)
        self.add(statement, RDF.predicate, predicate)
        self.add(statement, RDF.object, obj)
        self.add(statement, DCTERMS.identifier, Literal(fact.id))
        for name, values in fact.qualifiers:
            for value in values:
                self.add(statement, OMSKG[name], self.qualifier(value))
        self.add(statement, BIOLINK.supporting_text, Literal(fact.evidence.quote))
        self.add(statement, BIOLINK.knowledge_level, Literal(KNOWLEDGE_LEVEL))
        self.add(statement, BIOLINK.agent_type, Literal(AGENT_TYPE))
        self.add(statement, DCTERMS.source, source_node)
        annotation = self.annotation(source, fact.evidence)
        self.add(annotation, OA.hasBody, statement)
        self.add(statement, PROV.wasDerivedFrom, annotation)

    def dataset(self, meta: DatasetMetadata, sources: Iterable[URIRef]) -> None:
        """The dataset node, so that title, licence and disclaimer travel inside the data;
        omskg.dataset.ttl describes the same IRI at length."""
        node = self.iris.dataset()
        self.add(node, RDF.type, DCAT.Dataset)
        self.add(node, RDF.type, VOID.Dataset)
        self.add(node, DCTERMS.title, Literal(meta.title, lang="en"))
        self.add(node, DCTERMS.license, URIRef(meta.license))
        self.add(node, VOID.uriSpace, Literal(self.iris.base))
        for source_node in sources:
            self.add(node, DCTERMS.source, source_node)
            self.add(node, PROV.wasDerivedFrom, source_node)


def build_graph(fact_files: list[FactFile], vocab: Vocabulary, base: str, meta: DatasetMetadata) -> Graph:
    """The published graph: the facts, their evidence, and the ontology itself, so that
    the labels of predicates, hedges and statistics travel with the data."""
    builder = _Builder(vocab, Iris(base))
    for triple in vocab.graph:
        builder.graph.add(triple)
    source_nodes: list[URIRef] = []
    for fact_file in fact_files:
        source_node = builder.source(fact_file.source)
        source_nodes.append(source_node)
        disclaimer = Literal(fact_file.source.disclaimer.quote, lang="en")
        builder.add(builder.iris.dataset(), OMSKG.disclaimer, disclaimer)
        for entity in fact_file.entities:
            builder.entity(entity)
        for fact in fact_file.facts:
            builder.fact(fact, fact_file.source, source_node)
    builder.dataset(meta, source_nodes)
    return builder.graph
