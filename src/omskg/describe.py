"""The dataset's description of itself: W3C HCLS summary, version and distribution levels,
VoID statistics and linksets, DCAT distributions, and a schema.org Dataset.

Every figure (byte sizes, SHA-256 checksums, triple and entity counts, link counts) is
computed from the files and the graph being published; the rest comes from
data/dataset.yaml.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, VOID, XSD

from omskg.graph import Iris
from omskg.metadata import DatasetMetadata
from omskg.vocab import MATCH_PROPERTIES, NAMESPACES, OMSKG, xref_converter

DCTYPES = Namespace("http://purl.org/dc/dcmitype/")
PAV = Namespace("http://purl.org/pav/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DESCRIPTION_NAMESPACES = {"dctypes": DCTYPES, "pav": PAV, "spdx": SPDX, "foaf": Namespace(str(FOAF))}


@dataclass(frozen=True)
class Statistics:
    """The figures VoID gives of the published graph, counted in one pass over it."""

    triples: int
    entities: int  # what the data mints under the base, not the vocabulary's own terms
    subjects: int
    objects: int
    properties: Counter[str]
    classes: Counter[str]
    sources: list[str]
    links: dict[str, Counter[str]]  # target prefix -> link predicate -> count


def statistics(triples: list[ox.Triple], base: str) -> Statistics:
    rdf_type, source_class = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OMSKG.SourceDocument))
    match_properties = {ox.NamedNode(str(p)) for p in MATCH_PROPERTIES.values()}
    entity_space = Iris(base).prefixes()["entity"]
    subjects: set[ox.NamedNode | ox.BlankNode] = set()
    objects: set[object] = set()
    properties: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    links: list[tuple[str, str]] = []
    sources: list[str] = []
    for triple in triples:
        subject, predicate, obj = triple.subject, triple.predicate, triple.object
        subjects.add(subject)  # type: ignore[arg-type]
        objects.add(obj)
        properties[predicate.value] += 1
        if predicate == rdf_type:
            classes[obj.value] += 1  # type: ignore[union-attr]
            if obj == source_class:
                sources.append(subject.value)  # type: ignore[union-attr]
        elif predicate in match_properties and subject.value.startswith(entity_space):  # type: ignore[union-attr]
            # (the ontology's own skos mappings to Biolink and RO are not links of the data)
            links.append((predicate.value, obj.value))  # type: ignore[union-attr]
    converter = xref_converter()
    by_prefix: dict[str, Counter[str]] = {}
    for predicate_iri, target in links:
        prefix = converter.compress(target, strict=True).split(":", 1)[0]
        by_prefix.setdefault(prefix, Counter())[predicate_iri] += 1
    ontology = str(OMSKG)
    entities = sum(
        1 for s in subjects
        if isinstance(s, ox.NamedNode) and s.value.startswith(base) and not s.value.startswith(ontology)
    )
    return Statistics(
        len(triples), entities, len(subjects), len(objects), properties, classes, sorted(sources), by_prefix
    )


@dataclass(frozen=True)
class DatasetIris:
    base: str
    version: str

    @property
    def summary(self) -> URIRef:
        return URIRef(f"{self.base}dataset")

    @property
    def release(self) -> URIRef:
        return URIRef(f"{self.base}dataset/{self.version}")

    def distribution(self, name: str) -> URIRef:
        return URIRef(f"{self.release}/{name}")

    def download(self, name: str) -> URIRef:
        return URIRef(f"{self.base}release/{self.version}/{name}")

    def part(self, kind: str, key: str) -> URIRef:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        return URIRef(f"{self.release}/{kind}/{digest}")

    def linkset(self, prefix: str) -> URIRef:
        return URIRef(f"{self.release}/linkset/{prefix}")

    @property
    def agent(self) -> URIRef:
        return URIRef(f"{self.base}agent/omskg-project")


def _levels_common(g: Graph, node: URIRef, meta: DatasetMetadata, iris: DatasetIris, title: str) -> None:
    g.add((node, DCTERMS.title, Literal(title, lang="en")))
    g.add((node, DCTERMS.description, Literal(meta.description, lang="en")))
    g.add((node, DCTERMS.publisher, iris.agent))
    g.add((node, DCTERMS.license, URIRef(meta.license)))


def describe(
    meta: DatasetMetadata, files: dict[str, bytes], stats: Statistics, base: str, disclaimer: str
) -> Graph:
    iris = DatasetIris(base, meta.version)
    g = Graph(bind_namespaces="none")
    for prefix, namespace in {**NAMESPACES, **DESCRIPTION_NAMESPACES}.items():
        g.bind(prefix, namespace)

    g.add((iris.agent, RDF.type, FOAF.Organization))
    g.add((iris.agent, FOAF.name, Literal(meta.publisher)))

    summary, release = iris.summary, iris.release
    g.add((summary, RDF.type, DCTYPES.Dataset))
    _levels_common(g, summary, meta, iris, meta.title)
    for keyword in meta.keywords:
        g.add((summary, DCAT.keyword, Literal(keyword, lang="en")))

    g.add((release, RDF.type, DCTYPES.Dataset))
    g.add((release, RDF.type, VOID.Dataset))
    _levels_common(g, release, meta, iris, f"{meta.title}, version {meta.version}")
    g.add((release, DCTERMS.creator, iris.agent))
    g.add((release, PAV.version, Literal(meta.version)))
    g.add((release, DCTERMS.isVersionOf, summary))
    g.add((release, DCTERMS.issued, Literal(meta.issued.isoformat(), datatype=XSD.date)))
    g.add((release, DCTERMS.modified, Literal(meta.modified.isoformat(), datatype=XSD.date)))
    g.add((release, OMSKG.disclaimer, Literal(disclaimer, lang="en")))
    g.add((release, VOID.uriSpace, Literal(base)))
    for source in stats.sources:
        g.add((release, DCTERMS.source, URIRef(source)))
        g.add((release, PROV.wasDerivedFrom, URIRef(source)))

    for d in meta.distributions:
        node = iris.distribution(d.name)
        content = files[d.name]
        g.add((release, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        _levels_common(g, node, meta, iris, d.title)
        g.add((node, DCTERMS.creator, iris.agent))
        g.add((node, DCTERMS["format"], Literal(d.media_type)))
        g.add((node, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + d.media_type)))
        g.add((node, DCTERMS.conformsTo, URIRef(d.conforms_to)))
        g.add((node, DCAT.byteSize, Literal(len(content), datatype=XSD.nonNegativeInteger)))
        g.add((node, DCAT.downloadURL, iris.download(d.name)))
        g.add((node, PAV.version, Literal(meta.version)))
        checksum = URIRef(f"{node}/sha256")
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add(
            (
                checksum,
                SPDX.checksumValue,
                Literal(hashlib.sha256(content).hexdigest(), datatype=XSD.hexBinary),
            )
        )
        if d.rdf:
            g.add((node, RDF.type, VOID.Dataset))
            g.add((node, VOID.triples, Literal(stats.triples)))
            g.add((release, VOID.dataDump, iris.download(d.name)))

    _statistics(g, release, stats, iris)
    _linksets(g, release, stats, iris)
    return g


def _statistics(g: Graph, release: URIRef, stats: Statistics, iris: DatasetIris) -> None:
    g.add((release, VOID.triples, Literal(stats.triples)))
    g.add((release, VOID.entities, Literal(stats.entities)))
    g.add((release, VOID.distinctSubjects, Literal(stats.subjects)))
    g.add((release, VOID.distinctObjects, Literal(stats.objects)))
    g.add((release, VOID.properties, Literal(len(stats.properties))))
    g.add((release, VOID.classes, Literal(len(stats.classes))))
    for cls, count in sorted(stats.classes.items()):
        part = iris.part("class", cls)
        g.add((release, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(stats.properties.items()):
        part = iris.part("property", prop)
        g.add((release, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))


def _linksets(g: Graph, release: URIRef, stats: Statistics, iris: DatasetIris) -> None:
    converter = xref_converter()
    for prefix, counts in sorted(stats.links.items()):
        linkset = iris.linkset(prefix)
        target = URIRef(f"{linkset}/target")
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subset, release))
        g.add((linkset, VOID.subjectsTarget, release))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.triples, Literal(sum(counts.values()))))
        g.add((linkset, DCTERMS.title, Literal(f"omskg links to {prefix}", lang="en")))
        for predicate in sorted(counts):
            g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(prefix)))
        g.add((target, VOID.uriSpace, Literal(converter.prefix_map[prefix])))


def schema_org(
    meta: DatasetMetadata, files: dict[str, bytes], base: str, disclaimer: str, sources: list[str]
) -> bytes:
    """A schema.org Dataset, as dataset search engines read it (the http schema.org vocabulary,
    with its context inline so that it parses offline)."""
    iris = DatasetIris(base, meta.version)
    document: dict[str, Any] = {
        "@context": {"@vocab": str(NAMESPACES["schema"])},
        "@type": "Dataset",
        "@id": str(iris.release),
        "name": meta.title,
        "description": f"{meta.description} {disclaimer}",
        "version": meta.version,
        "identifier": str(iris.release),
        "license": meta.license,
        "keywords": list(meta.keywords),
        "datePublished": meta.issued.isoformat(),
        "dateModified": meta.modified.isoformat(),
        "creator": {"@type": "Organization", "name": meta.creator},
        "publisher": {"@type": "Organization", "name": meta.publisher},
        "isBasedOn": sorted(sources),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "encodingFormat": d.media_type,
                "contentUrl": str(iris.download(d.name)),
                "contentSize": f"{len(files[d.name])} B",
                "sha256": hashlib.sha256(files[d.name]).hexdigest(),
            }
            for d in meta.distributions
        ],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
