"""The one home of every name: namespaces, the prefix map, IRI shortening, and what the
ontology declares.

The vocabulary's own terms live in ``ontology/omskg.ttl``; this module reads them from
there, and a test checks that every ``OMSKG.term`` the code uses is declared in it.
Cross-reference prefixes live in ``ontology/prefixes.json`` (a ``curies`` extended prefix
map). IRIs minted for instance data are in ``omskg.iris``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, SKOS, VOID, XSD
from rdflib.term import Node

from omskg import resources

if TYPE_CHECKING:
    import curies  # (imported where a converter is made: with pydantic it is a fifth of a build's start-up)

OMSKG = Namespace("https://w3id.org/omskg/vocab/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
SCHEMA = Namespace("http://schema.org/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCTYPES = Namespace("http://purl.org/dc/dcmitype/")
PAV = Namespace("http://purl.org/pav/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
IANA_MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")
#: The namespace of the SPARQL 1.1 query results XML format (what a store answers).
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"
JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"  # the dialect of our JSON Schemas
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")  # SPARQL service descriptions
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

DEFAULT_BASE = "https://w3id.org/omskg/"

#: The namespaces bound in every serialisation of the graph, in the order they are declared.
NAMESPACES: dict[str, Namespace] = {
    "omskg": OMSKG,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dct": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
    "prov": Namespace(str(PROV)),
    "oa": OA,
    "biolink": BIOLINK,
    "schema": SCHEMA,
    "obo": OBO,
}

#: The further namespaces of the dataset description.
DESCRIPTION_NAMESPACES: dict[str, Namespace] = {
    "dctypes": DCTYPES,
    "pav": PAV,
    "spdx": SPDX,
    "foaf": Namespace(str(FOAF)),
}

#: The one prefix map of the shared vocabularies: SPARQL prefixes, Turtle, JSON-LD, reports.
PREFIXES: dict[str, str] = {prefix: str(namespace) for prefix, namespace in NAMESPACES.items()}

XSD_STRING = str(XSD.string)
RDF_LANGSTRING = str(RDF.langString)

#: skos mapping property for each closeness the fact files may state.
MATCH_PROPERTIES: dict[str, URIRef] = {
    "exact": SKOS.exactMatch,
    "close": SKOS.closeMatch,
    "broad": SKOS.broadMatch,
    "narrow": SKOS.narrowMatch,
    "related": SKOS.relatedMatch,
}


@cache
def xref_converter(path: Path | None = None) -> curies.Converter:
    """The cross-reference prefixes (MONDO, HP, ORPHA, ...) with their IRIs and id patterns."""
    import curies

    records = json.loads((path or resources.prefix_map_file()).read_text(encoding="utf-8"))
    return curies.Converter.from_extended_prefix_map(records)


@cache
def shortener(extra: tuple[tuple[str, str], ...] = ()) -> curies.Converter:
    """A converter over PREFIXES and ``extra`` (prefix, IRI) pairs: the one IRI shortener."""
    import curies

    prefix_map = {**PREFIXES, **dict(extra)}
    return curies.Converter.from_prefix_map(prefix_map)


def compact(iri: str, converter: curies.Converter | None = None) -> str | None:
    """``prefix:local`` for an IRI under a known namespace (the longest that matches), else None."""
    found = (converter or shortener()).compress(iri)
    return found if found is not None and not found.endswith(":") else None


def shorten(iri: str, converter: curies.Converter | None = None) -> str:
    """``prefix:local`` for an IRI under a known namespace, else ``<iri>``: for people to read."""
    return compact(iri, converter) or f"<{iri}>"


def shortener_for(prefix_map: dict[str, str]) -> curies.Converter:
    """The shortener over the shared prefixes and those of ``prefix_map`` (cached)."""
    return shortener(tuple(sorted(prefix_map.items())))


def local_name(iri: URIRef) -> str | None:
    text = str(iri)
    return text[len(str(OMSKG)) :] if text.startswith(str(OMSKG)) else None


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology declares, by local name, for checking fact files against it."""

    graph: Graph
    terms: frozenset[str]  # every local name the ontology declares
    entity_kinds: frozenset[str]
    fact_predicates: frozenset[str]
    qualifiers: frozenset[str]
    individuals: dict[str, str]  # local name of a controlled value -> local name of its class
    ranges: dict[str, URIRef]

    _closures: dict[tuple[URIRef, URIRef], list[URIRef]] = field(
        default_factory=dict, compare=False, repr=False
    )  # (term, rdfs:subClassOf or rdfs:subPropertyOf) -> the closure (the graph is not changed)

    def _closure(self, term: URIRef, relation: URIRef) -> list[URIRef]:
        found = self._closures.get((term, relation))
        if found is None:
            found = self._closures[(term, relation)] = sorted(
                {c for c in self.graph.transitive_objects(term, relation) if isinstance(c, URIRef)}
            )
        return list(found)

    def superclasses(self, cls: URIRef) -> list[URIRef]:
        """``cls`` and every class it is a subclass of, as the ontology asserts, sorted."""
        return self._closure(cls, RDFS.subClassOf)

    def superproperties(self, prop: URIRef) -> list[URIRef]:
        return self._closure(prop, RDFS.subPropertyOf)

    def is_a(self, kind: str, cls: URIRef) -> bool:
        return cls in self.superclasses(OMSKG[kind])


def read_turtle(path: Path) -> Graph:
    """A Turtle file as rdflib's parser reads it (the same triples and prefixes; literals
    normalised as rdflib does), parsed by Oxigraph in a third of the time. Oxigraph applies
    two of RDF 1.1's equivalences that rdflib does not: language tags in lower case, and
    ``"x"^^xsd:string`` as ``"x"``."""
    graph = Graph(store="SimpleMemory", bind_namespaces="none")  # (read only, no contexts: faster to fill)
    terms: dict[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, Node] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        found = terms.get(node)
        if found is None:
            if isinstance(node, ox.NamedNode):
                found = URIRef(node.value)
            elif isinstance(node, ox.BlankNode):
                found = BNode()  # a new one per label, as rdflib's parser makes them
            elif isinstance(node, ox.Literal):
                datatype = None if node.language or node.datatype.value == XSD_STRING else node.datatype.value
                found = Literal(node.value, lang=node.language, datatype=datatype)
            else:
                raise ValueError(f"{path}: RDF-star triples are not supported")
            terms[node] = found
        return found

    parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in parser)
    for prefix, namespace in parser.prefixes.items():
        graph.bind(prefix, namespace)
    return graph


@cache
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    graph = read_turtle(path or resources.ontology_file())

    def own(subjects: object) -> frozenset[str]:
        return frozenset(n for s in subjects if (n := local_name(s)))  # type: ignore[attr-defined]

    classes = own(graph.subjects(RDF.type, OWL.Class))
    properties = own(graph.subjects(RDF.type, OWL.ObjectProperty)) | own(
        graph.subjects(RDF.type, OWL.DatatypeProperty)
    )
    entity_kinds = own(graph.subjects(RDFS.subClassOf, OMSKG.Entity))
    fact_predicates = own(graph.subjects(RDF.type, OMSKG.FactPredicate))
    qualifiers = own(graph.subjects(RDFS.domain, OMSKG.Statement))
    individuals = {
        name: cls_name
        for cls_name in classes
        for s in graph.subjects(RDF.type, OMSKG[cls_name])
        if (name := local_name(s))  # type: ignore[arg-type]
    }
    ranges = {
        name: rng for name in properties if isinstance(rng := graph.value(OMSKG[name], RDFS.range), URIRef)
    }
    terms = own(graph.subjects(RDF.type, None))
    return Vocabulary(graph, terms, entity_kinds, fact_predicates, qualifiers, individuals, ranges)
