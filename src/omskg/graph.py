"""Fact records + the ontology -> one RDF graph. Pure: no I/O, no randomness.

The graph is a set of pyoxigraph triples: at a million triples they take a third of the
memory and time of an rdflib Graph. ``as_rdflib`` gives an rdflib Graph of the same
triples, for pyshacl and for code that walks small graphs.

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

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
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


Triples = set[ox.Triple]

_XSD_STRING = ox.NamedNode(str(XSD.string))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_BOOLEAN = ox.NamedNode(str(XSD.boolean))
_XSD_DECIMAL = ox.NamedNode(str(XSD.decimal))


def _text(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value, datatype=_XSD_STRING)


def _typed(value: str, datatype: URIRef) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(str(datatype)))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def _boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=_XSD_BOOLEAN)


def _decimal(value: Decimal) -> ox.Literal:
    """An xsd:decimal in its canonical form: fixed-point, with a decimal point ('18.0',
    '0.0000002'), which Turtle writers keep as it is."""
    text = format(value.normalize(), "f")
    return ox.Literal(text if "." in text else text + ".0", datatype=_XSD_DECIMAL)


class _Builder:
    def __init__(self, vocab: Vocabulary, iris: Iris) -> None:
        self.vocab = vocab
        self.iris = iris
        self.triples: Triples = set()
        self._nodes: dict[str, ox.NamedNode] = {}
        self._supers: dict[tuple[str, str], list[ox.NamedNode]] = {}

    def node(self, iri: str) -> ox.NamedNode:
        """One NamedNode per IRI: creating one checks the IRI, which costs more than a lookup."""
        found = self._nodes.get(iri)
        if found is None:
            found = self._nodes[iri] = ox.NamedNode(iri)
        return found

    def add(self, s: str, p: str, o: str | ox.Literal) -> None:
        self.triples.add(ox.Triple(self.node(s), self.node(p), self.term(o)))

    def term(self, o: str | ox.Literal) -> ox.NamedNode | ox.Literal:
        return o if isinstance(o, ox.Literal) else self.node(o)

    def _closure(self, kind: str, term: URIRef) -> list[ox.NamedNode]:
        key = (kind, str(term))
        found = self._supers.get(key)
        if found is None:
            terms = self.vocab.superclasses(term) if kind == "class" else self.vocab.superproperties(term)
            found = self._supers[key] = [self.node(t) for t in terms]
        return found

    def typed(self, node: str, cls: URIRef) -> None:
        subject, rdf_type = self.node(node), self.node(RDF.type)
        for super_class in self._closure("class", cls):
            self.triples.add(ox.Triple(subject, rdf_type, super_class))

    def asserted(self, s: str, p: URIRef, o: str | ox.Literal) -> None:
        subject, obj = self.node(s), self.term(o)
        for super_property in self._closure("property", p):
            self.triples.add(ox.Triple(subject, super_property, obj))

    # -------------------------------------------------------------- nodes

    def entity(self, entity: Entity) -> None:
        node = self.iris.entity(entity.id)
        self.typed(node, OMSKG[entity.kind])
        self.add(node, RDFS.label, _text(entity.label, "en"))
        for xref in entity.xrefs:
            self.add(node, MATCH_PROPERTIES[xref.match], xref.iri)

    def source(self, source: Source) -> URIRef:
        node = self.iris.source(source)
        self.typed(node, OMSKG.SourceDocument)
        self.add(node, DCTERMS.title, _text(source.title, "en"))
        self.add(node, OMSKG.documentKind, _text(source.kind, "en"))
        self.add(node, DCTERMS.modified, _typed(source.last_updated.isoformat(), XSD.date))
        self.add(node, OMSKG.disclaimer, _text(source.disclaimer.quote, "en"))
        self.add(node, OMSKG.sha256, _text(source.sha256))
        self.add(node, DCTERMS["format"], _text("text/plain"))
        self.add(node, DCTERMS.language, _text("en"))
        for evidence in (source.header, source.disclaimer):
            self.add(self.annotation(source, evidence), OA.hasBody, node)
        return node

    def annotation(self, source: Source, evidence: Evidence) -> URIRef:
        node = self.iris.evidence(source, evidence)
        target = f"{node}/target"
        quote = f"{node}/quote"
        position = f"{node}/position"
        self.add(node, RDF.type, OA.Annotation)
        self.add(node, OA.motivatedBy, OA.describing)
        self.add(node, OA.hasTarget, target)
        self.add(target, RDF.type, OA.SpecificResource)
        self.add(target, OA.hasSource, self.iris.source(source))
        self.add(target, OA.hasSelector, quote)
        self.add(target, OA.hasSelector, position)
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, _text(evidence.quote))
        self.add(quote, OA.prefix, _text(evidence.prefix))
        self.add(quote, OA.suffix, _text(evidence.suffix))
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, _typed(str(evidence.start), XSD.nonNegativeInteger))
        self.add(position, OA.end, _typed(str(evidence.end), XSD.nonNegativeInteger))
        return node

    def object_node(self, obj: FactObject) -> str | ox.Literal:
        if isinstance(obj, EntityRef):
            return self.iris.entity(obj.id)
        if isinstance(obj, Text):
            return _text(obj.value, "en")
        if isinstance(obj, Boolean):
            return _boolean(obj.value)
        node = self.iris.value(obj)
        if isinstance(obj, Incidence):
            self.typed(node, OMSKG.IncidenceRate)
            self.add(node, OMSKG.cases, _integer(obj.cases))
            self.add(node, OMSKG.outOf, _integer(obj.out_of))
            self.add(node, OMSKG.period, _typed(obj.period, XSD.duration))
            self.add(node, OMSKG.rate, _decimal(Decimal(obj.cases) / Decimal(obj.out_of)))
        elif isinstance(obj, AgeRange):
            self.typed(node, OMSKG.AgeRange)
            self.add(node, OMSKG.statistic, OMSKG[obj.statistic])
            self.add(node, SCHEMA.minValue, _decimal(obj.min_value))
            self.add(node, SCHEMA.maxValue, _decimal(obj.max_value))
            self.add(node, SCHEMA.unitText, _text(obj.unit_text))
        return node

    def qualifier(self, value: QualifierValue) -> str | ox.Literal:
        if isinstance(value, EntityRef):
            return self.iris.entity(value.id)
        if isinstance(value, bool):
            return _boolean(value)
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
        self.add(statement, DCTERMS.identifier, _text(fact.id))
        for name, values in fact.qualifiers:
            for value in values:
                self.add(statement, OMSKG[name], self.qualifier(value))
        self.add(statement, BIOLINK.supporting_text, _text(fact.evidence.quote))
        self.add(statement, BIOLINK.knowledge_level, _text(KNOWLEDGE_LEVEL))
        self.add(statement, BIOLINK.agent_type, _text(AGENT_TYPE))
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
        self.add(node, DCTERMS.title, _text(meta.title, "en"))
        self.add(node, DCTERMS.license, meta.license)
        self.add(node, VOID.uriSpace, _text(self.iris.base))
        for source_node in sources:
            self.add(node, DCTERMS.source, source_node)
            self.add(node, PROV.wasDerivedFrom, source_node)


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
        disclaimer = _text(fact_file.source.disclaimer.quote, "en")
        builder.add(builder.iris.dataset(), OMSKG.disclaimer, disclaimer)
    builder.dataset(meta, [builder.iris.source(f.source) for f in fact_files])
    return builder.triples


def build_triples(fact_files: list[FactFile], vocab: Vocabulary, base: str, meta: DatasetMetadata) -> Triples:
    """The published graph: every fact file's triples and the shared ones."""
    triples = shared_triples(fact_files, vocab, base, meta)
    for fact_file in fact_files:
        triples |= file_triples(fact_file, vocab, base)
    return triples


def as_rdflib(triples: Iterable[ox.Triple], base: str | None = None) -> Graph:
    """An rdflib Graph of the same triples, with the published prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in NAMESPACES.items():
        graph.bind(prefix, namespace)
    if base is not None:
        for prefix, iri in Iris(base).prefixes().items():
            graph.bind(prefix, iri)
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def of_rdflib(graph: Graph) -> Triples:
    """The triples of an rdflib Graph (for small graphs: it goes through N-Triples)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return {quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


def build_graph(fact_files: list[FactFile], vocab: Vocabulary, base: str, meta: DatasetMetadata) -> Graph:
    """``build_triples`` as an rdflib Graph."""
    return as_rdflib(build_triples(fact_files, vocab, base, meta), base)
