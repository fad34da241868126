"""The split SHACL gate (omskg.parts): the checks of one fact file run where it is built,
those spanning files over a small graph, and the gate passes a graph only when the whole
graph conforms. When it cannot show that, the whole graph is validated and its report is
the build's, so the report is always the one of the whole graph (which tests/test_shapes.py
shows equal to pyshacl's)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from omskg import build, parts
from omskg.graph import ontology_triples
from omskg.rdf import Triples, of_rdflib
from omskg.validate import validate_graph, validate_triples
from omskg.vocab import DEFAULT_BASE, Vocabulary

from .test_shapes import CASES, Case, _mutate

DATASET = f"<{DEFAULT_BASE}dataset>"


def _split(graph: Triples, ontology: Triples, renamed: int | None = None) -> tuple[Triples, Triples]:
    """(the data of ``graph``, the dataset node's triples), its IRIs renamed with ``renamed``."""
    data = graph - ontology
    if renamed is not None:
        text = ox.serialize(data, format=ox.RdfFormat.N_TRIPLES).decode()
        for folder in ("entity/", "statement/", "evidence/", "value/", "source/", "dataset>"):
            text = text.replace(f"<{DEFAULT_BASE}{folder}", f"<{DEFAULT_BASE}c{renamed}/{folder}")
        data = {q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)}
    shared = {t for t in data if str(t.subject) == DATASET}
    return data - shared, shared


def _gate(pieces: list[Triples], shared: Triples, ontology: Triples) -> bool:
    """The split gate over these parts, each validated with ``ontology`` as a worker does."""
    writers = build._writers(DEFAULT_BASE)
    built = []
    for triples in pieces:
        part = parts.make_part(triples, writers)
        part.conforms = validate_triples(triples | ontology, ontology=False).conforms
        built.append(part)
    merged = parts.merge(built, ontology, shared, writers)
    return parts.split_gate(parts.gate_summary(built), merged.local, merged.gate_graph, ontology)


@pytest.fixture(scope="module")
def clean(mini_graph: Graph, vocab: Vocabulary) -> tuple[Triples, Triples, Triples]:
    """A second condition (the mini graph under other IRIs), its dataset node, the ontology."""
    ontology = set(ontology_triples(vocab))
    data, shared = _split(of_rdflib(mini_graph), ontology, renamed=1)
    return data, shared, ontology


def test_the_split_gate_passes_a_conforming_graph_of_two_parts(
    mini_graph: Graph, clean: tuple[Triples, Triples, Triples]
) -> None:
    other, other_shared, ontology = clean
    data, shared = _split(of_rdflib(mini_graph), ontology)
    assert _gate([data, other], shared | other_shared, ontology)
    assert validate_triples(data | other | shared | other_shared).conforms


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_split_gate_never_passes_a_graph_that_violates_the_shapes(
    mini_graph: Graph, clean: tuple[Triples, Triples, Triples], case: Case
) -> None:
    """Each constraint case in one part, a clean condition in the other: the whole graph
    violates the shapes, so the gate must not pass it (the build then validates the whole
    graph and reports its results)."""
    mutated, _ = _mutate(mini_graph, case)
    other, other_shared, ontology = clean
    whole = of_rdflib(mutated)
    present = ontology & whole  # a case may take a triple off the ontology
    data, shared = _split(whole, present)
    assert not validate_triples(data | shared | other | other_shared | present, ontology=False).conforms
    assert not _gate([data, other], shared | other_shared, present), case.name


def test_a_fact_about_another_parts_node_is_checked_over_the_whole_graph(
    mini_graph: Graph, clean: tuple[Triples, Triples, Triples]
) -> None:
    """A part that says something about a node of another part: the parts are no longer
    apart, the gate says so, and the whole graph decides (here: two labels, a violation)."""
    other, other_shared, ontology = clean
    data, shared = _split(of_rdflib(mini_graph), ontology)
    entity = next(t.subject for t in other if str(t.subject).startswith(f"<{DEFAULT_BASE}c1/entity/"))
    label = ox.Triple(entity, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("x", language="en"))
    assert not _gate([data | {label}, other], shared | other_shared, ontology)
    assert not validate_triples(data | {label} | other | shared | other_shared).conforms


def test_a_part_that_adds_to_the_ontology_is_checked_over_the_whole_graph(
    mini_graph: Graph, clean: tuple[Triples, Triples, Triples]
) -> None:
    other, other_shared, ontology = clean
    data, shared = _split(of_rdflib(mini_graph), ontology)
    statement = ox.NamedNode("https://w3id.org/omskg/vocab/Statement")
    extra = ox.Triple(statement, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("x"))
    assert not _gate([data | {extra}, other], shared | other_shared, ontology)


def test_shapes_that_read_backward_are_not_split(mini_graph: Graph) -> None:
    from omskg.validate import shapes_graph

    reach = parts.forward_only(shapes_graph())
    assert reach.forward  # the omskg shapes: the gate is split
    assert {str(s).rsplit("/", 1)[-1] for s in reach.backward_shapes} == {"EntityShape"}
    inverse = Graph()
    for triple in shapes_graph():
        inverse.add(triple)
    inverse.update("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        INSERT DATA { <urn:x:shape> sh:targetClass <urn:x:C> ;
                      sh:property [ sh:path [ sh:inversePath <urn:x:p> ] ; sh:minCount 1 ] }""")
    assert not parts.forward_only(inverse).forward
    assert parts._pattern_reach("SELECT $this WHERE { $this <urn:x:p> ?v . ?v <urn:x:q> ?w }") == "forward"
    assert parts._pattern_reach("SELECT $this WHERE { ?s <urn:x:p> $this }") == "backward"
    assert parts._pattern_reach("SELECT $this WHERE { $this <urn:x:p> ?v . ?other <urn:x:p> ?v }") == "none"
    assert parts._pattern_reach("SELECT $this WHERE { $this a ?c . ?x a ?c }") == "none"


def test_the_parallel_build_uses_the_split_gate_and_agrees_with_pyshacl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corpus of the curated facts and a synthetic condition (which share value nodes):
    the split gate passes it, and pyshacl finds the whole graph conforming too."""
    from benchmarks.corpus import generate
    from omskg import resources

    folder = generate(1, tmp_path / "corpus")
    shutil.copy(resources.conditions_dir() / "opsoclonus-myoclonus-syndrome.yaml", folder)
    for source in resources.conditions_dir().parent.joinpath("sources").iterdir():
        shutil.copy(source, folder.parent / "sources")
    monkeypatch.setattr(build, "PARALLEL_FILES", 1)
    passed: list[bool] = []
    split_gate = parts.split_gate

    def spy(*args: object) -> bool:
        passed.append(split_gate(*args))  # type: ignore[arg-type]
        return passed[-1]

    monkeypatch.setattr(parts, "split_gate", spy)
    publication = build.publish_graph(folder, DEFAULT_BASE)
    assert passed == [True]
    graph = Graph()
    graph.parse(data=publication.files["omskg.nt"].decode(), format="nt")
    assert validate_graph(graph, engine="pyshacl").conforms


def test_the_json_ld_writer_shortens_iris_as_the_shared_shortener_does(built: Path, vocab: Vocabulary) -> None:
    """The JSON-LD writer finds an IRI's prefix itself (the converter is slow on IRIs met
    once): the same compact IRI as vocab.compact for every IRI of the graph and namespace."""
    from omskg import formats
    from omskg.vocab import compact

    compactor = formats._Compactor(formats.jsonld_context(vocab, DEFAULT_BASE))
    iris = {ns for ns, _ in compactor._namespaces} | {"http://example.org/x", "urn:x:y"}
    for quad in ox.parse(path=str(built / "omskg.nt"), format=ox.RdfFormat.N_TRIPLES):
        iris |= {t.value for t in (quad.subject, quad.predicate, quad.object) if isinstance(t, ox.NamedNode)}
    assert len(iris) > 300
    assert {i: compactor.shorten(i) for i in iris} == {i: compact(i, compactor.converter) or i for i in iris}
