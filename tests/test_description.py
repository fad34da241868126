"""The dataset description: every figure matches the files it describes."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, VOID

from omskg import publish
from omskg.vocab import SPDX

RELEASE = URIRef("https://w3id.org/omskg/dataset/0.1.0")
DESCRIBED = sorted(publish.PUBLISHED_NAMES - {publish.DESCRIPTION, publish.SCHEMA_ORG})


@pytest.fixture(scope="module")
def description(built: Path) -> Graph:
    graph = Graph()
    graph.parse(built / publish.DESCRIPTION, format="turtle")
    return graph


@pytest.fixture(scope="module")
def data(built: Path) -> Graph:
    graph = Graph()
    graph.parse(built / publish.NTRIPLES, format="nt")
    return graph


def test_every_distribution_has_its_files_size_and_checksum(description: Graph, built: Path) -> None:
    distributions = set(description.objects(RELEASE, DCAT.distribution))
    assert {str(d).rsplit("/", 1)[1] for d in distributions} == set(DESCRIBED)
    for node in distributions:
        content = (built / str(node).rsplit("/", 1)[1]).read_bytes()
        assert description.value(node, DCAT.byteSize).toPython() == len(content)
        checksum = description.value(node, SPDX.checksum)
        assert str(description.value(checksum, SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()


def test_void_statistics_are_computed_from_the_graph(description: Graph, data: Graph, built: Path) -> None:
    lines = (built / publish.NTRIPLES).read_text(encoding="utf-8").splitlines()
    assert description.value(RELEASE, VOID.triples) == Literal(len(lines))
    assert description.value(RELEASE, VOID.distinctSubjects) == Literal(len(set(data.subjects())))
    assert description.value(RELEASE, VOID.distinctObjects) == Literal(len(set(data.objects())))
    assert description.value(RELEASE, VOID.properties) == Literal(len(set(data.predicates())))
    instances = {s for s in data.subjects() if str(s).startswith("https://w3id.org/omskg/") and "/vocab/" not in str(s)}
    assert description.value(RELEASE, VOID.entities) == Literal(len(instances))
    for rdf_file in (publish.TURTLE, publish.NTRIPLES, publish.JSONLD):
        node = URIRef(f"{RELEASE}/{rdf_file}")
        assert description.value(node, VOID.triples) == Literal(len(lines))


def test_class_and_property_partitions(description: Graph, data: Graph) -> None:
    classes = Counter(o for o in data.objects(None, RDF.type))
    for part in description.objects(RELEASE, VOID.classPartition):
        cls = description.value(part, VOID["class"])
        assert description.value(part, VOID.entities) == Literal(classes.pop(cls))
    assert classes == Counter()
    properties = Counter(p for p in data.predicates())
    for part in description.objects(RELEASE, VOID.propertyPartition):
        assert description.value(part, VOID.triples) == Literal(properties.pop(description.value(part, VOID.property)))
    assert properties == Counter()


def test_a_linkset_per_target_with_its_link_count(description: Graph, built: Path) -> None:
    skos = "<http://www.w3.org/2004/02/skos/core#"
    counted: Counter[str] = Counter()
    for line in (built / publish.NTRIPLES).read_text(encoding="utf-8").splitlines():
        subject, predicate, obj = line.split(" ", 2)
        if subject.startswith("<https://w3id.org/omskg/entity/") and predicate.startswith(skos) and "Match>" in predicate:
            prefix = {"purl.obolibrary.org": obj.split("/obo/")[-1].split("_")[0]}.get(obj.split("/")[2], obj.split("/")[2])
            counted[prefix] += 1
    hosts = {"www.orpha.net": "ORPHA", "id.nlm.nih.gov": "MESH", "identifiers.org": "UMLS", "snomed.info": "SNOMEDCT"}
    expected = {hosts.get(k, k): v for k, v in counted.items()}
    found = {
        str(linkset).rsplit("/", 1)[1]: description.value(linkset, VOID.triples).toPython()
        for linkset in description.subjects(RDF.type, VOID.Linkset)
    }
    assert found == expected
    assert sum(found.values()) == 50


def test_schema_org_dataset(built: Path) -> None:
    document = json.loads((built / publish.SCHEMA_ORG).read_text(encoding="utf-8"))
    assert document["@type"] == "Dataset"
    assert document["name"] and document["description"].endswith("regarding a medical condition.")
    assert document["license"] == "https://creativecommons.org/licenses/by/4.0/"
    downloads = {d["contentUrl"].rsplit("/", 1)[1]: d for d in document["distribution"]}
    assert sorted(downloads) == DESCRIBED
    for name, download in downloads.items():
        content = (built / name).read_bytes()
        assert download["contentSize"] == f"{len(content)} B"
        assert download["sha256"] == hashlib.sha256(content).hexdigest()
    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    assert (URIRef(document["@id"]), RDF.type, URIRef("http://schema.org/Dataset")) in graph


def test_media_types_name_iana_pages_only_for_registered_types(description: Graph) -> None:
    """dcat:mediaType is an IANA IRI; JSON Lines, which IANA has not registered, is given by
    dct:format alone rather than by an IANA address that does not exist."""
    from rdflib.namespace import DCTERMS

    formats = {str(d).rsplit("/", 1)[1]: str(description.value(d, DCTERMS["format"]))
               for d in description.objects(RELEASE, DCAT.distribution)}
    for name, media_type in formats.items():
        node = RELEASE + "/" + name
        iana = list(description.objects(URIRef(node), DCAT.mediaType))
        if media_type == "application/jsonl":
            assert iana == [], name
        else:
            assert iana == [URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")], name
    assert "application/jsonl" in formats.values()
