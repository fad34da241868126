"""The publication: three formats of one graph, byte-identical from build to build, and
identical to the committed dist/ (the golden files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from omskg import publish

REPO = Path(__file__).resolve().parents[1]
FORMATS = {publish.TURTLE: "turtle", publish.NTRIPLES: "nt", publish.JSONLD: "json-ld"}
OX_FORMATS = {publish.TURTLE: ox.RdfFormat.TURTLE, publish.NTRIPLES: ox.RdfFormat.N_TRIPLES, publish.JSONLD: ox.RdfFormat.JSON_LD}


def _rdflib(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format=FORMATS[path.name])
    return graph


def _oxigraph(path: Path) -> Graph:
    """Parse with Oxigraph, then hand the triples to rdflib for comparison."""
    graph = Graph()
    quads = ox.parse(path=str(path), format=OX_FORMATS[path.name])
    nt = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=nt, format="nt")
    return graph


def test_three_formats_one_graph_two_parsers(built: Path, graph: Graph) -> None:
    parsed = [parse(built / name) for name in FORMATS for parse in (_rdflib, _oxigraph)]
    assert all(len(g) == len(graph) for g in parsed)
    assert all(isomorphic(g, graph) for g in parsed)


def test_ntriples_are_sorted_and_unique(built: Path) -> None:
    lines = (built / publish.NTRIPLES).read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines))


def test_jsonld_embeds_the_published_context_and_keys_read_as_words(built: Path) -> None:
    document = json.loads((built / publish.JSONLD).read_text(encoding="utf-8"))
    context = json.loads((built / publish.CONTEXT).read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]
    oms = next(n for n in document["@graph"] if n["id"] == "entity:opsoclonus-myoclonus-syndrome")
    assert oms["label"] == "Opsoclonus myoclonus syndrome"
    assert "entity:opsoclonus" in oms["hasSymptom"]
    keys = {key for node in document["@graph"] for key in node}
    assert not [k for k in keys if k.startswith("http")]


def test_jsonld_expands_in_the_reference_processor_to_the_same_graph(built: Path, graph: Graph) -> None:
    """omskg writes its compact JSON-LD itself (pyld took minutes per million triples);
    pyld, the reference JSON-LD processor, must read it back as the published graph."""
    from pyld import jsonld

    document = json.loads((built / publish.JSONLD).read_text(encoding="utf-8"))
    parsed = Graph()
    parsed.parse(data=jsonld.to_rdf(document, {"format": "application/n-quads"}), format="nt")
    assert len(parsed) == len(graph) and isomorphic(parsed, graph)


def test_jsonld_is_one_node_per_line_sorted(built: Path) -> None:
    lines = (built / publish.JSONLD).read_text(encoding="utf-8").splitlines()
    nodes = [json.loads(line.rstrip(",")) for line in lines if line.startswith('    {"id": ')]
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids)) == len(json.loads("\n".join(lines))["@graph"]) > 100
    ontology = [i.startswith(("omskg:", "https://w3id.org/omskg/vocab/")) for i in ids]
    assert ontology == sorted(ontology) and 0 < sum(ontology) < len(ids)  # the data first, then the ontology
    assert ids == sorted(ids, key=lambda i: (i.startswith(("omskg:", "https://w3id.org/omskg/vocab/")), i))


def test_turtle_declares_prefixes(built: Path) -> None:
    text = (built / publish.TURTLE).read_text(encoding="utf-8")
    for prefix in ("omskg", "biolink", "oa", "prov", "skos", "obo", "schema"):
        assert f"@prefix {prefix}: " in text


def test_build_matches_committed_dist(built: Path) -> None:
    """dist/ is the golden publication: a fresh build must reproduce it byte for byte."""
    committed = REPO / "dist"
    if not committed.is_dir():
        pytest.skip("no committed dist/ (run `omskg build` and commit it)")
    assert sorted(p.name for p in committed.iterdir()) == sorted(p.name for p in built.iterdir())
    for path in sorted(built.iterdir()):
        assert (committed / path.name).read_bytes() == path.read_bytes(), f"dist/{path.name} is out of date"


def test_bytes_do_not_depend_on_hash_seed(tmp_path: Path, built: Path) -> None:
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "omskg.cli", "build", "--out", str(out)],
                       check=True, env=env, cwd=tmp_path, capture_output=True)
        for path in sorted(built.iterdir()):
            assert (out / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs with seed {seed}"


def test_reference_engine_publishes_the_same_bytes(tmp_path: Path, built: Path) -> None:
    """`omskg build --engine pyshacl` gates with pySHACL and publishes exactly what the fast engine does."""
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "omskg.cli", "build", "--engine", "pyshacl", "--out", str(out)],
                   check=True, cwd=tmp_path, capture_output=True)
    for path in sorted(built.iterdir()):
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name
