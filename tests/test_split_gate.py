"""The split SHACL gate (omskg.parts): the checks of one fact file run where it is built,
those spanning files over a small graph, and the gate passes a graph only when the whole
graph conforms. When it cannot show that, the whole graph is validated and its report is
the build's, so the report is always the one of the whole graph (which tests/test_shapes.py
shows equal to pyshacl's)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from omskg import build, parts, reach
from omskg.graph import ontology_triples
from omskg.rdf import Triples, of_rdflib
from omskg.validate import validate_graph, validate_triples
from omskg.vocab import DEFAULT_BASE, SH, Vocabulary

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

    found = reach.forward_only(shapes_graph())
    assert found.forward  # the omskg shapes: the gate is split
    assert {str(s).rsplit("/", 1)[-1] for s in found.backward_shapes} == {"EntityShape"}
    inverse = Graph()
    for triple in shapes_graph():
        inverse.add(triple)
    inverse.update("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        INSERT DATA { <urn:x:shape> sh:targetClass <urn:x:C> ;
                      sh:property [ sh:path [ sh:inversePath <urn:x:p> ] ; sh:minCount 1 ] }""")
    assert not reach.forward_only(inverse).forward
    assert reach.pattern_reach("SELECT $this WHERE { $this <urn:x:p> ?v . ?v <urn:x:q> ?w }") == "forward"
    assert reach.pattern_reach("SELECT $this WHERE { ?s <urn:x:p> $this }") == "backward"
    assert reach.pattern_reach("SELECT $this WHERE { $this <urn:x:p> ?v . ?other <urn:x:p> ?v }") == "none"
    assert reach.pattern_reach("SELECT $this WHERE { $this a ?c . ?x a ?c }") == "none"


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



QUERIES = [  # (no EXISTS, no OPTIONAL: rdflib's algebra translates every pattern into a BGP)
    "SELECT $this WHERE { $this <urn:x:p> ?v . ?v <urn:x:q> ?w }",
    "SELECT $this WHERE { ?s <urn:x:p> $this }",
    "SELECT $this WHERE { ?s ?p $this . ?s <urn:x:q> ?w }",
    "SELECT $this WHERE { $this <urn:x:p> ?v . ?other <urn:x:p> ?v }",
    "SELECT $this WHERE { $this a ?c . ?x a ?c }",
    "SELECT $this WHERE { $this <urn:x:p>/<urn:x:q>* ?v . ?v <urn:x:r> ?w }",
    "SELECT $this WHERE { $this (<urn:x:p>|<urn:x:q>)+ ?v }",
    "SELECT $this WHERE { $this ^<urn:x:p> ?v }",
    "SELECT $this WHERE { $this <urn:x:p>/^<urn:x:q> ?v }",
    "SELECT $this WHERE { ?v ^<urn:x:p> $this }",
    "PREFIX x: <urn:x:> SELECT DISTINCT $this ?v WHERE { $this x:p ?v ; x:q ?w . ?w x:r 1 }",
    "SELECT $this WHERE { <urn:x:s> <urn:x:p> $this }",
    "SELECT $this WHERE { <urn:x:s> <urn:x:p> ?v }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_quick_reading_of_a_query_reaches_as_rdflibs_does(query: str) -> None:
    reach.quick_parse.parse(query)  # (read by the quick parser, not handed on to rdflib)
    assert reach.pattern_reach(query) == reach.pattern_reach_by_rdflib(query)


EXISTS = {  # a filter's group: under NOT EXISTS anything (fewer triples, fewer matches), else forward
    "FILTER NOT EXISTS { ?x <urn:x:q> ?v }": "forward",
    "FILTER (!EXISTS { ?x <urn:x:q> ?v })": "forward",
    "FILTER (NOT EXISTS { ?x <urn:x:q> ?v } || bound(?v))": "forward",
    "FILTER NOT EXISTS { ?s <urn:x:p> $this }": "forward",
    "FILTER EXISTS { ?x <urn:x:q> ?v }": "none",
    "FILTER EXISTS { ?v <urn:x:q> ?x }": "forward",
    "FILTER EXISTS { ?s <urn:x:p> $this }": "backward",
    "FILTER (!(NOT EXISTS { ?x <urn:x:q> ?v }))": "none",
    "FILTER (IF(EXISTS { ?x <urn:x:q> ?v }, true, false))": "none",
    "FILTER (NOT EXISTS { ?x <urn:x:q> ?v } = false)": "none",
    "FILTER NOT EXISTS { ?x <urn:x:q> ?v . FILTER NOT EXISTS { ?y <urn:x:r> ?x } }": "none",
    "FILTER NOT EXISTS { ?x <urn:x:q> ?v . FILTER NOT EXISTS { ?x <urn:x:r> ?y } }": "forward",
    "FILTER NOT EXISTS { ?x <urn:x:q> ?v . FILTER EXISTS { ?y <urn:x:r> ?x } }": "forward",
    "OPTIONAL { ?v <urn:x:q> ?w FILTER NOT EXISTS { ?x <urn:x:r> ?w } }": "none",
    "OPTIONAL { ?v <urn:x:q> ?w FILTER NOT EXISTS { ?w <urn:x:r> ?x } }": "forward",
}


@pytest.mark.parametrize("group", EXISTS)
def test_a_pattern_under_not_exists_needs_no_reach_and_under_anything_else_it_does(group: str) -> None:
    query = f"SELECT $this WHERE {{ $this <urn:x:p> ?v . {group} }}"
    reach.quick_parse.parse(query)
    assert reach.pattern_reach(query) == EXISTS[group]
    assert reach.pattern_reach_by_rdflib(query) == "none"  # (it does not read EXISTS: never split)


def test_a_query_beyond_the_quick_parser_is_read_by_rdflib() -> None:
    query = "SELECT $this WHERE { $this !<urn:x:p> ?v . VALUES ?v { 1 } }"
    with pytest.raises(reach.quick_parse.Unsupported):
        reach.quick_parse.parse(query)
    assert reach.pattern_reach(query) == reach.pattern_reach_by_rdflib(query) == "forward"
    assert reach.pattern_reach("SELECT $this WHERE { ?s <urn:x:p> $this . VALUES ?s { 1 } }") == "backward"
    assert reach.pattern_reach("SELECT $this WHERE { ?s <urn:x:p> ?v . VALUES ?s { 1 } }") == "none"
    assert reach.pattern_reach("SELECT $this WHERE { this is not SPARQL }") == "none"


def test_the_shipped_shapes_reach_without_rdflibs_sparql_parser() -> None:
    code = (
        "import sys; from omskg import reach; found = reach.shapes_reach(); assert found.forward\n"
        "print(sorted(m for m in sys.modules if m.startswith('rdflib.plugins.sparql')))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
    from omskg.validate import shapes_graph

    graph = shapes_graph()
    for _, sparql in graph.subject_objects(SH.sparql):
        reach.quick_parse.parse(reach._prefixes(graph, sparql) + str(graph.value(sparql, SH.select)))


def test_shapes_whose_sparql_reads_backward_under_exists_are_not_split() -> None:
    """rdflib's algebra leaves an EXISTS group untranslated; the check once skipped it."""
    from omskg.validate import shapes_graph

    def with_constraint(group: str) -> Graph:
        graph = Graph()
        for triple in shapes_graph():
            graph.add(triple)
        graph.update(f"""PREFIX sh: <http://www.w3.org/ns/shacl#>
            INSERT DATA {{ <urn:x:shape> sh:targetClass <urn:x:C> ; sh:sparql [ sh:select \"\"\"
                SELECT $this WHERE {{ $this <urn:x:p> ?v . FILTER {group} }}\"\"\" ] }}""")
        return graph

    assert not reach.forward_only(with_constraint("EXISTS { ?other <urn:x:p> ?v }")).forward
    assert reach.forward_only(with_constraint("NOT EXISTS { ?other <urn:x:p> ?v }")).forward


OPTIONAL_READS = {  # a variable only an OPTIONAL binds may stay unbound: nothing is reached from it
    "SELECT $this WHERE { OPTIONAL { $this <urn:x:p> ?y } ?y <urn:x:q> ?z }": "none",
    "SELECT $this WHERE { ?y <urn:x:q> ?z OPTIONAL { $this <urn:x:p> ?y } }": "none",
    "SELECT $this WHERE { $this <urn:x:k> ?x . OPTIONAL { $this <urn:x:p> ?y } FILTER EXISTS { ?y <urn:x:q> ?z } }":
        "none",
    "SELECT $this WHERE { $this <urn:x:k> ?x . OPTIONAL { ?x <urn:x:p> ?y } FILTER (!BOUND(?y)) }": "forward",
    "SELECT $this WHERE { $this <urn:x:k> ?x . OPTIONAL { ?x <urn:x:p> ?y FILTER EXISTS { ?y <urn:x:q> ?z } } }":
        "forward",
    "SELECT $this WHERE { $this <urn:x:k> ?x . OPTIONAL { ?w <urn:x:p> ?x } }": "none",
    "SELECT $this WHERE { $this <urn:x:p> ?v . OPTIONAL { ?v <urn:x:q> ?w } }": "forward",
    "SELECT $this WHERE { $this <urn:x:p> ?v . OPTIONAL { ?x <urn:x:q> ?w } }": "none",
}


@pytest.mark.parametrize("query", OPTIONAL_READS)
def test_a_variable_bound_only_by_an_optional_is_not_reached(query: str) -> None:
    reach.quick_parse.parse(query)
    assert reach.pattern_reach(query) == OPTIONAL_READS[query]


def test_rdflibs_reading_of_an_optional_is_never_split() -> None:
    query = "SELECT $this WHERE { OPTIONAL { $this <urn:x:p> ?y } ?y <urn:x:q> ?z . VALUES ?z { 1 } }"
    with pytest.raises(reach.quick_parse.Unsupported):
        reach.quick_parse.parse(query)
    assert reach.pattern_reach(query) == "none"


def test_a_result_only_the_whole_graph_has_through_an_optional_is_not_split() -> None:
    """The whole graph has a result that neither part has: the shapes must not be split."""
    from omskg import shacl
    from omskg.shacl.compile import compile_shapes

    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass <urn:x:C> ; sh:sparql [ sh:message "m" ;
            sh:select "SELECT $this WHERE { OPTIONAL { $this <urn:x:p> ?y } ?y <urn:x:q> ?z }" ] .""")
    first = "<urn:x:a1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:x:C> .\n"
    second = "<urn:x:b> <urn:x:q> <urn:x:c> .\n"
    compiled = compile_shapes(shapes)

    def results(text: str) -> int:
        triples = {q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)}
        return len(shacl.validate(shacl.DataGraph(triples), compiled))

    assert results(first) == results(second) == 0 and results(first + second) == 1
    assert not reach.forward_only(shapes).forward
