"""Namespaces, the cross-reference prefix map, and what the ontology declares.

The vocabulary's terms live in ``ontology/omskg.ttl``; this module reads them from there
(a misspelt term is an error, not a new IRI). Cross-reference prefixes live in
``ontology/prefixes.json`` (a ``curies`` extended prefix map).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import curies
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, SKOS, VOID, XSD

from omskg import resources

OMSKG = Namespace("https://w3id.org/omskg/vocab/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
SCHEMA = Namespace("http://schema.org/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")

DEFAULT_BASE = "https://w3id.org/omskg/"

#: The namespaces bound in every serialisation, in the order they are declared.
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
    records = json.loads((path or resources.prefix_map_file()).read_text(encoding="utf-8"))
    return curies.Converter.from_extended_prefix_map(records)


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology declares, by local name, for checking fact files against it."""

    graph: Graph
    entity_kinds: frozenset[str]
    fact_predicates: frozenset[str]
    qualifiers: frozenset[str]
    individuals: dict[str, str]  # local name of a controlled value -> local name of its class
    ranges: dict[str, URIRef]

    def superclasses(self, cls: URIRef) -> list[URIRef]:
        """``cls`` and every class it is a subclass of, as the ontology asserts, sorted."""
        return sorted(
            {c for c in self.graph.transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)}
        )

    def superproperties(self, prop: URIRef) -> list[URIRef]:
        found = self.graph.transitive_objects(prop, RDFS.subPropertyOf)
        return sorted({p for p in found if isinstance(p, URIRef)})

    def is_a(self, kind: str, cls: URIRef) -> bool:
        return cls in self.superclasses(OMSKG[kind])


def shorten(iri: str, namespaces: dict[str, Namespace] = NAMESPACES) -> str:
    """``prefix:local`` for an IRI in one of the namespaces, else ``<iri>``."""
    for prefix, namespace in namespaces.items():
        if iri.startswith(str(namespace)) and iri != str(namespace):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return f"<{iri}>"


def local_name(iri: URIRef) -> str | None:
    text = str(iri)
    return text[len(str(OMSKG)) :] if text.startswith(str(OMSKG)) else None


@cache
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    graph = Graph(bind_namespaces="none")
    graph.parse(path or resources.ontology_file(), format="turtle")

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
    return Vocabulary(graph, entity_kinds, fact_predicates, qualifiers, individuals, ranges)
