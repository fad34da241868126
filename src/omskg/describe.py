"""The dataset's description of itself: W3C HCLS summary, version and distribution levels,
VoID statistics and linksets, DCAT distributions, and a schema.org Dataset.

Every figure (byte sizes, SHA-256 checksums, triple and entity counts, link counts) is
computed from the files and the graph being published; the rest comes from
data/dataset.yaml.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress
from typing import Any

import pyoxigraph as ox
from rdflib import RDF
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, VOID, XSD

from omskg.iris import Iris
from omskg.metadata import DatasetMetadata
from omskg.rdf import Triples, TripleSet, integer, text, typed
from omskg.records import Source
from omskg.vocab import (
    DCTYPES,
    DESCRIPTION_NAMESPACES,
    IANA_MEDIA_TYPES,
    MATCH_PROPERTIES,
    OMSKG,
    PAV,
    SCHEMA,
    SPDX,
    xref_converter,
)


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
    entity_space = str(Iris(base).entity(""))
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
    ontology = str(OMSKG)  # the vocabulary's own terms are not entities of the data
    entities = sum(
        1 for s in subjects
        if isinstance(s, ox.NamedNode) and s.value.startswith(base) and not s.value.startswith(ontology)
    )
    return Statistics(
        len(triples), entities, len(subjects), len(objects), properties, classes, sorted(sources), by_prefix
    )


@dataclass
class Counts:
    """What VoID counts of some triples, from their N-Triples lines: adds up over parts
    (``add``; ``add(other, -1)`` takes a part's lines off again), objects as a set."""

    properties: Counter[str] = field(default_factory=Counter)  # by predicate (N-Triples form)
    classes: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    links: Counter[tuple[str, str]] = field(default_factory=Counter)
    objects: set[str] = field(default_factory=set)

    def add(self, other: Counts, times: int = 1) -> None:
        """Add ``other`` ``times`` times (a negative ``times`` takes it off again; objects,
        a set, are only ever added)."""
        for mine, theirs in ((self.properties, other.properties), (self.classes, other.classes),
                             (self.sources, other.sources)):
            _add_times(mine, theirs, times)
        _add_times(self.links, other.links, times)
        if times > 0:
            self.objects |= other.objects


def _add_times(mine: Counter[Any], theirs: Counter[Any], times: int) -> None:
    if times == 1:
        mine.update(theirs)
    elif times == -1:
        mine.subtract(theirs)
    else:
        mine.update({key: count * times for key, count in theirs.items()})


def count_lines(lines: list[str], base: str) -> Counts:
    """The counts of ``statistics`` over triples given by their N-Triples lines."""
    return count_rows([line.split(" ", 2) for line in lines], base)


def count_rows(rows: Sequence[Sequence[str]], base: str) -> Counts:
    """``count_lines`` of rows (subject, predicate, object), each in its N-Triples form."""
    rdf_type, source_class, match_properties, entity_space = _counted_terms(base)
    counts = Counts()
    if not rows:
        return counts
    subjects, predicates, objects = zip(*rows, strict=True)
    counts.objects.update(objects)
    counts.properties.update(predicates)
    typed = list(map(rdf_type.__eq__, predicates))
    classes = Counter(compress(objects, typed))
    if source_class in classes:
        for subject, obj in compress(zip(subjects, objects, strict=True), typed):
            if obj == source_class:
                counts.sources[_value(subject)] += 1
    counts.links.update([
        (predicate[1:-1], _value(obj))
        for subject, predicate, obj in compress(rows, map(match_properties.__contains__, predicates))
        if subject.startswith(entity_space)
    ])
    for obj, number in classes.items():
        counts.classes[_value(obj)] += number
    return counts


@cache
def _counted_terms(base: str) -> tuple[str, str, frozenset[str], str]:
    """rdf:type, omskg:SourceDocument and the match properties (N-Triples forms), and how
    an entity's IRI under ``base`` starts."""
    match_properties = frozenset(f"<{p}>" for p in MATCH_PROPERTIES.values())
    return f"<{RDF.type}>", f"<{OMSKG.SourceDocument}>", match_properties, f"<{Iris(base).entity('')}"


def statistics_of_counts(counts: Counts, subjects: list[str], triples: int, base: str) -> Statistics:
    """``statistics`` of a graph of ``triples`` triples with these counts and ``subjects``
    (N-Triples forms, each once, sorted): the same figures without a Python object per triple."""
    converter = xref_converter()
    by_prefix: dict[str, Counter[str]] = {}
    for (predicate_iri, target), number in sorted(counts.links.items()):
        if number > 0:
            prefix = converter.compress(target, strict=True).split(":", 1)[0]
            by_prefix.setdefault(prefix, Counter())[predicate_iri] += number
    ontology = f"<{OMSKG}"
    start, end = _starting_with(subjects, f"<{base}", 0, len(subjects))
    inner, outer = _starting_with(subjects, ontology, start, end)
    entities = end - start - (outer - inner)
    properties = Counter({p[1:-1]: n for p, n in sorted(counts.properties.items()) if n > 0})
    classes = Counter({c: n for c, n in sorted(counts.classes.items()) if n > 0})
    sources = sorted(counts.sources.elements())
    return Statistics(
        triples, entities, len(subjects), len(counts.objects), properties, classes, sources, by_prefix
    )


def _starting_with(ordered: Sequence[str], prefix: str, low: int, high: int) -> tuple[int, int]:
    """Where the strings that start with ``prefix`` are in ``ordered[low:high]`` (sorted: together)."""
    start = bisect_left(ordered, prefix, low, high)
    return start, bisect_left(ordered, True, start, high, key=lambda s: not s.startswith(prefix))


def statistics_of_lines(lines: list[str], base: str) -> Statistics:
    """``statistics`` of the triples whose N-Triples forms (``str`` of each) are ``lines``."""
    subjects = sorted({line.split(" ", 1)[0] for line in lines})
    return statistics_of_counts(count_lines(lines, base), subjects, len(lines), base)


def _value(term: str) -> str:
    """The ``value`` of a term in its N-Triples form (an IRI's, a blank node's or a literal's)."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith("_:"):
        return term[2:]
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {term} .", format=ox.RdfFormat.N_TRIPLES)))
    return str(quad.object.value)


def size_and_sha256(files: Mapping[str, bytes], name: str) -> tuple[int, str]:
    """A file's byte size and SHA-256 (hex), without reading it again where ``files`` knows them."""
    known = getattr(files, "size_and_sha256", None)
    if known is not None:
        found: tuple[int, str] = known(name)
        return found
    content = files[name]
    return len(content), hashlib.sha256(content).hexdigest()


def prefix_map(base: str) -> dict[str, str]:
    """The prefixes of the description's Turtle: the graph's, and DCMI types, PAV, SPDX, FOAF."""
    return {**Iris(base).prefix_map(), **{p: str(ns) for p, ns in DESCRIPTION_NAMESPACES.items()}}


class Description(TripleSet):
    """The dataset description as it is made (``describe_release``, ``with_distributions``)."""

    def __init__(self, meta: DatasetMetadata, base: str) -> None:
        super().__init__()
        self.meta = meta
        self.iris = Iris(base)

    def levels_common(self, node: str, title: str) -> None:
        self.add(node, DCTERMS.title, text(title, "en"))
        self.add(node, DCTERMS.description, text(self.meta.description, "en"))
        self.add(node, DCTERMS.publisher, self.iris.agent())
        self.add(node, DCTERMS.license, self.meta.license)


def describe_release(
    meta: DatasetMetadata, stats: Statistics, base: str, disclaimer: str, sources: Sequence[Source] = ()
) -> Description:
    """The dataset description but for the release's files (``with_distributions`` adds
    them): a build makes this while the files are still being written."""
    g = Description(meta, base)
    iris, version = g.iris, meta.version
    agent = iris.agent()
    g.add(agent, RDF.type, FOAF.Organization)
    g.add(agent, FOAF.name, text(meta.publisher))

    summary, release = iris.dataset(), iris.release(version)
    g.add(summary, RDF.type, DCTYPES.Dataset)
    g.levels_common(summary, meta.title)
    for keyword in meta.keywords:
        g.add(summary, DCAT.keyword, text(keyword, "en"))
    g.add(summary, DCTERMS.identifier, text(meta.infores))  # what KGX edges name as their source

    g.add(release, RDF.type, DCTYPES.Dataset)
    g.add(release, RDF.type, VOID.Dataset)
    g.levels_common(release, f"{meta.title}, version {version}")
    g.add(release, DCTERMS.creator, agent)
    g.add(release, PAV.version, text(version))
    g.add(release, DCTERMS.isVersionOf, summary)
    g.add(release, DCTERMS.issued, typed(meta.issued.isoformat(), XSD.date))
    g.add(release, DCTERMS.modified, typed(meta.modified.isoformat(), XSD.date))
    g.add(release, OMSKG.disclaimer, text(disclaimer, "en"))
    g.add(release, VOID.uriSpace, text(base))
    for source in stats.sources:
        g.add(release, DCTERMS.source, source)
        g.add(release, PROV.wasDerivedFrom, source)
    if meta.previous_version is not None:
        previous = iris.release(meta.previous_version)
        g.add(release, PAV.previousVersion, previous)
        g.add(release, PROV.wasRevisionOf, previous)
    _source_versions(g, release, sources, version)
    _statistics(g, release, stats, version)
    _linksets(g, release, stats, version)
    return g


def with_distributions(g: Description, files: Mapping[str, bytes], stats: Statistics) -> Triples:
    """The description ``g`` with each file of the release: its size, checksum and where to
    download it."""
    iris, meta = g.iris, g.meta
    version = meta.version
    agent, release = iris.agent(), iris.release(version)
    for d in meta.distributions:
        node = iris.distribution(version, d.name)
        size, sha256 = size_and_sha256(files, d.name)
        g.add(release, DCAT.distribution, node)
        g.add(node, RDF.type, DCAT.Distribution)
        g.levels_common(node, d.title)
        g.add(node, DCTERMS.creator, agent)
        g.add(node, DCTERMS["format"], text(d.media_type))
        if d.iana_registered:  # else dct:format alone says the type
            g.add(node, DCAT.mediaType, IANA_MEDIA_TYPES[d.media_type])
        g.add(node, DCTERMS.conformsTo, d.conforms_to)
        g.add(node, DCAT.byteSize, typed(str(size), XSD.nonNegativeInteger))
        g.add(node, DCAT.downloadURL, iris.download(version, d.name))
        g.add(node, PAV.version, text(version))
        checksum = f"{node}/sha256"
        g.add(node, SPDX.checksum, checksum)
        g.add(checksum, RDF.type, SPDX.Checksum)
        g.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        g.add(checksum, SPDX.checksumValue, typed(sha256, XSD.hexBinary))
        if d.rdf:
            g.add(node, RDF.type, VOID.Dataset)
            g.add(node, VOID.triples, integer(stats.triples))
            g.add(release, VOID.dataDump, iris.download(version, d.name))
    return g.triples


def _source_versions(g: Description, release: str, sources: Sequence[Source], version: str) -> None:
    """Which version of each source the release was made from: its date (the source has no
    version number; its date is its version) and the SHA-256 of its text."""
    for source in sorted(sources, key=lambda s: s.id):
        node = g.iris.release_source(version, source.id)
        g.add(release, PROV.wasDerivedFrom, node)
        g.add(node, RDF.type, PROV.Entity)
        g.add(node, PROV.specializationOf, g.iris.source(source))
        g.add(node, PAV.version, text(source.last_updated.isoformat()))
        g.add(node, DCTERMS.modified, typed(source.last_updated.isoformat(), XSD.date))
        checksum = f"{node}/sha256"
        g.add(node, SPDX.checksum, checksum)
        g.add(checksum, RDF.type, SPDX.Checksum)
        g.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        g.add(checksum, SPDX.checksumValue, typed(source.sha256, XSD.hexBinary))


def _statistics(g: Description, release: str, stats: Statistics, version: str) -> None:
    g.add(release, VOID.triples, integer(stats.triples))
    g.add(release, VOID.entities, integer(stats.entities))
    g.add(release, VOID.distinctSubjects, integer(stats.subjects))
    g.add(release, VOID.distinctObjects, integer(stats.objects))
    g.add(release, VOID.properties, integer(len(stats.properties)))
    g.add(release, VOID.classes, integer(len(stats.classes)))
    for cls, count in sorted(stats.classes.items()):
        part = g.iris.partition(version, "class", cls)
        g.add(release, VOID.classPartition, part)
        g.add(part, VOID["class"], cls)
        g.add(part, VOID.entities, integer(count))
    for prop, count in sorted(stats.properties.items()):
        part = g.iris.partition(version, "property", prop)
        g.add(release, VOID.propertyPartition, part)
        g.add(part, VOID.property, prop)
        g.add(part, VOID.triples, integer(count))


def _linksets(g: Description, release: str, stats: Statistics, version: str) -> None:
    converter = xref_converter()
    for prefix, counts in sorted(stats.links.items()):
        linkset = g.iris.linkset(version, prefix)
        target = f"{linkset}/target"
        g.add(linkset, RDF.type, VOID.Linkset)
        g.add(linkset, VOID.subset, release)
        g.add(linkset, VOID.subjectsTarget, release)
        g.add(linkset, VOID.objectsTarget, target)
        g.add(linkset, VOID.triples, integer(sum(counts.values())))
        g.add(linkset, DCTERMS.title, text(f"omskg links to {prefix}", "en"))
        for predicate in sorted(counts):
            g.add(linkset, VOID.linkPredicate, predicate)
        g.add(target, RDF.type, VOID.Dataset)
        g.add(target, DCTERMS.title, text(prefix))
        g.add(target, VOID.uriSpace, text(converter.prefix_map[prefix]))


def schema_org(
    meta: DatasetMetadata, files: Mapping[str, bytes], base: str, disclaimer: str, sources: list[str]
) -> bytes:
    """A schema.org Dataset, as dataset search engines read it (the http schema.org vocabulary,
    with its context inline so that it parses offline)."""
    iris, version = Iris(base), meta.version
    document: dict[str, Any] = {
        "@context": {"@vocab": str(SCHEMA)},
        "@type": "Dataset",
        "@id": str(iris.release(version)),
        "name": meta.title,
        "description": f"{meta.description} {disclaimer}",
        "version": meta.version,
        "identifier": str(iris.release(version)),
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
                "contentUrl": str(iris.download(version, d.name)),
                "contentSize": f"{size_and_sha256(files, d.name)[0]} B",
                "sha256": size_and_sha256(files, d.name)[1],
            }
            for d in meta.distributions
        ],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
