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

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID, XSD

from omskg.iris import Iris
from omskg.metadata import DatasetMetadata
from omskg.minted import Minted
from omskg.ntriples import TripleLines, boolean, decimal, integer, iri, text
from omskg.rdf import Triples, of_rdflib
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


class _Terms(dict[str, str]):
    """A namespace's terms in their N-Triples form, each made (and checked) once: by
    attribute, and by name (a dict, so that a term made before is found without a call)."""

    def __init__(self, namespace: Any) -> None:
        super().__init__()
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        term = iri(str(getattr(self._namespace, name)))
        setattr(self, name, term)
        return term

    def __missing__(self, name: str) -> str:
        term = self[name] = iri(str(self._namespace[name]))
        return term


_RDF = _Terms(RDF)
_RDFS = _Terms(RDFS)
_DCAT = _Terms(DCAT)
_DCTERMS = _Terms(DCTERMS)
_PROV = _Terms(PROV)
_VOID = _Terms(VOID)
_BIOLINK = _Terms(BIOLINK)
_OA = _Terms(OA)
_OMSKG = _Terms(OMSKG)
_SCHEMA = _Terms(SCHEMA)
_MATCH = {match: iri(str(prop)) for match, prop in MATCH_PROPERTIES.items()}
_DATE, _DURATION, _NON_NEGATIVE = (str(XSD[name]) for name in ("date", "duration", "nonNegativeInteger"))

KNOWLEDGE_LEVEL = "knowledge_assertion"  # a reviewed summary's own statements
AGENT_TYPE = "manual_agent"  # every fact was curated by a person
_KNOWLEDGE_LEVEL, _AGENT_TYPE = text(KNOWLEDGE_LEVEL), text(AGENT_TYPE)


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
    for name, values in fact.qualifiers:
        if name in withholding:
            return False
        for value in values:
            if isinstance(value, str) and value in withholding:
                return False
    return True


class _Supers(dict[str, list[str]]):
    """A term's super-classes or super-properties (``closure``), in N-Triples form, by the
    term's (each worked out once, then found without a call)."""

    def __init__(self, closure: Callable[[URIRef], list[URIRef]]) -> None:
        super().__init__()
        self.closure = closure

    def __missing__(self, term: str) -> list[str]:
        found = self[term] = [iri(str(t)) for t in self.closure(URIRef(term[1:-1]))]
        return found


class _Closures:
    """A vocabulary's super-classes and super-properties of a term, in N-Triples form, and
    its withholding names (one per process: every builder asks)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab  # (kept, so that its id stays its own)
        self.withholding = withholding_names(vocab)
        self.classes = _Supers(vocab.superclasses)
        self.properties = _Supers(vocab.superproperties)


_CLOSURES: dict[int, _Closures] = {}


class _Builder(TripleLines):
    """The triples of fact files, as lines; every term in its N-Triples form."""

    def __init__(self, vocab: Vocabulary, iris: Iris) -> None:
        super().__init__()
        self.vocab = vocab
        self.iris = iris
        closures = _CLOSURES.get(id(vocab))
        if closures is None:
            closures = _CLOSURES[id(vocab)] = _Closures(vocab)
        self._classes, self._properties = closures.classes, closures.properties
        self.withholding = closures.withholding
        self._annotations: dict[Evidence, str] = {}
        self.statement_iri: Callable[[Fact], str] = iris.statement_iri

    def typed_node(self, node: str, cls: str) -> None:
        rdf_type = _RDF.type
        for super_class in self._classes[cls]:
            self.add(node, rdf_type, super_class)

    def asserted(self, s: str, p: str, o: str) -> None:
        for super_property in self._properties[p]:
            self.add(s, super_property, o)

    # -------------------------------------------------------------- nodes

    def entity(self, entity: Entity) -> None:
        node = self.node(self.iris.entity_iri(entity.id))
        self.typed_node(node, _OMSKG[entity.kind])
        self.add(node, _RDFS.label, self.text(entity.label, "en"))
        for xref in entity.xrefs:
            self.add(node, _MATCH[xref.match], self.node(xref.iri))

    def source(self, source: Source) -> str:
        node = self.node(self.iris.source_iri(source))
        self.typed_node(node, _OMSKG.SourceDocument)
        self.add(node, _DCTERMS.title, self.text(source.title, "en"))
        self.add(node, _OMSKG.documentKind, self.text(source.kind, "en"))
        self.add(node, _DCTERMS.modified, self.typed(source.last_updated.isoformat(), _DATE))
        self.add(node, _OMSKG.disclaimer, self.text(source.disclaimer.quote, "en"))
        self.add(node, _OMSKG.sha256, self.text(source.sha256))
        self.add(node, _DCTERMS["format"], self.text("text/plain"))
        self.add(node, _DCTERMS.language, self.text("en"))
        for evidence in (source.header, source.disclaimer):
            self.add(self.annotation(source, evidence), _OA.hasBody, node)
        return node

    def annotation(self, source: Source, evidence: Evidence) -> str:
        """The annotation of a sentence (written once, however many facts it supports)."""
        found = self._annotations.get(evidence)
        if found is not None:
            return found
        iri_text = self.iris.evidence_iri(source, evidence)
        node = self._annotations[evidence] = self.node(iri_text)
        target = self.node(f"{iri_text}/target")
        quote = self.node(f"{iri_text}/quote")
        position = self.node(f"{iri_text}/position")
        add, rdf_type = self.add, _RDF.type
        add(node, rdf_type, _OA.Annotation)
        add(node, _OA.motivatedBy, _OA.describing)
        add(node, _OA.hasTarget, target)
        add(target, rdf_type, _OA.SpecificResource)
        add(target, _OA.hasSource, self.node(self.iris.source_iri(source)))
        add(target, _OA.hasSelector, quote)
        add(target, _OA.hasSelector, position)
        add(quote, rdf_type, _OA.TextQuoteSelector)
        add(quote, _OA.exact, self.text(evidence.quote))
        add(quote, _OA.prefix, self.text(evidence.prefix))
        add(quote, _OA.suffix, self.text(evidence.suffix))
        add(position, rdf_type, _OA.TextPositionSelector)
        add(position, _OA.start, self.typed(str(evidence.start), _NON_NEGATIVE))
        add(position, _OA.end, self.typed(str(evidence.end), _NON_NEGATIVE))
        return node

    def object_node(self, obj: FactObject) -> str:
        if isinstance(obj, EntityRef):
            return self.node(self.iris.entity_iri(obj.id))
        if isinstance(obj, Text):
            return self.text(obj.value, "en")
        if isinstance(obj, Boolean):
            return self.literal(boolean(obj.value))
        node = self.node(self.iris.value_iri(obj))
        if isinstance(obj, Incidence):
            self.typed_node(node, _OMSKG.IncidenceRate)
            self.add(node, _OMSKG.cases, self.literal(integer(obj.cases)))
            self.add(node, _OMSKG.outOf, self.literal(integer(obj.out_of)))
            self.add(node, _OMSKG.period, self.typed(obj.period, _DURATION))
            self.add(node, _OMSKG.rate, self.literal(decimal(incidence_rate(obj.cases, obj.out_of))))
        elif isinstance(obj, AgeRange):
            self.typed_node(node, _OMSKG.AgeRange)
            self.add(node, _OMSKG.statistic, _OMSKG[obj.statistic])
            self.add(node, _SCHEMA.minValue, self.literal(decimal(obj.min_value)))
            self.add(node, _SCHEMA.maxValue, self.literal(decimal(obj.max_value)))
            self.add(node, _SCHEMA.unitText, self.text(obj.unit_text))
        return node

    def qualifier(self, value: QualifierValue) -> str:
        if isinstance(value, EntityRef):
            return self.node(self.iris.entity_iri(value.id))
        if isinstance(value, bool):
            return self.literal(boolean(value))
        if isinstance(value, Decimal):
            return self.literal(decimal(value))
        return _OMSKG[value]

    def fact(self, fact: Fact, source: Source, source_node: str) -> None:
        subject = self.node(self.iris.entity_iri(fact.subject))
        predicate = _OMSKG[fact.predicate]
        obj = self.object_node(fact.object)
        if asserts_plain_triple(fact, self.withholding):
            self.asserted(subject, predicate, obj)

        statement = self.node(self.statement_iri(fact))
        add = self.add
        self.typed_node(statement, _OMSKG.Statement)
        add(statement, _RDF.subject, subject)
        add(statement, _RDF.predicate, predicate)
        add(statement, _RDF.object, obj)
        add(statement, _DCTERMS.identifier, self.text(fact.id))
        for name, values in fact.qualifiers:
            for value in values:
                add(statement, _OMSKG[name], self.qualifier(value))
        add(statement, _BIOLINK.supporting_text, self.text(fact.evidence.quote))
        add(statement, _BIOLINK.knowledge_level, self.literal(_KNOWLEDGE_LEVEL))
        add(statement, _BIOLINK.agent_type, self.literal(_AGENT_TYPE))
        add(statement, _DCTERMS.source, source_node)
        annotation = self.annotation(source, fact.evidence)
        add(annotation, _OA.hasBody, statement)
        add(statement, _PROV.wasDerivedFrom, annotation)

    def dataset(self, meta: DatasetMetadata, sources: Iterable[str]) -> None:
        """The dataset node, so that title, licence and disclaimer travel inside the data;
        omskg.dataset.ttl describes the same IRI at length."""
        node = self.node(str(self.iris.dataset()))
        self.add(node, _RDF.type, _DCAT.Dataset)
        self.add(node, _RDF.type, _VOID.Dataset)
        self.add(node, _DCTERMS.title, self.text(meta.title, "en"))
        self.add(node, _DCTERMS.license, self.node(meta.license))
        self.add(node, _VOID.uriSpace, self.text(self.iris.base))
        for source_node in sources:
            self.add(node, _DCTERMS.source, source_node)
            self.add(node, _PROV.wasDerivedFrom, source_node)


_ONTOLOGIES: dict[int, tuple[Graph, frozenset[ox.Triple]]] = {}  # (the graph kept, so its id stays its own)


def ontology_triples(vocab: Vocabulary) -> frozenset[ox.Triple]:
    found = _ONTOLOGIES.get(id(vocab.graph))
    if found is None:
        found = _ONTOLOGIES[id(vocab.graph)] = (vocab.graph, frozenset(of_rdflib(vocab.graph)))
    return found[1]


def file_lines(
    fact_file: FactFile, vocab: Vocabulary, base: str, extra: Iterable[ox.Triple] = (),
    minted: Minted | None = None,
) -> TripleLines:
    """What one fact file contributes: its source, entities, facts and their evidence (and
    the ``extra`` triples given); its statements' IRIs kept in ``minted``, where given."""
    builder = _Builder(vocab, Iris(base))
    if minted is not None:
        assert minted.iris.base == base
        builder.statement_iri = minted.statement
    source_node = builder.source(fact_file.source)
    for entity in fact_file.entities:
        builder.entity(entity)
    for fact in fact_file.facts:
        builder.fact(fact, fact_file.source, source_node)
    for triple in extra:
        builder.add_triple(triple)
    return builder


def file_triples(fact_file: FactFile, vocab: Vocabulary, base: str) -> Triples:
    """``file_lines`` as pyoxigraph triples."""
    return file_lines(fact_file, vocab, base).triples()


def shared_triples(
    fact_files: list[FactFile], vocab: Vocabulary, base: str, meta: DatasetMetadata
) -> Triples:
    """The ontology itself, so that the labels of predicates, hedges and statistics travel
    with the data, and the dataset node with its sources and their disclaimers."""
    builder = _Builder(vocab, Iris(base))
    dataset = builder.node(str(builder.iris.dataset()))
    for fact_file in fact_files:
        builder.add(dataset, _OMSKG.disclaimer, builder.text(fact_file.source.disclaimer.quote, "en"))
    builder.dataset(meta, [builder.node(builder.iris.source_iri(f.source)) for f in fact_files])
    return builder.triples() | ontology_triples(vocab)
