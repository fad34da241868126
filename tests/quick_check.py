"""The quick check held to the engine's answer, for the tests that validate a graph with
shapes of their own (test_shacl_engine, test_shapes): on the same graph and shapes it
gives the engine's answer, or is unsure, or the shapes are beyond it."""

from __future__ import annotations

from rdflib import Graph

from omskg import shacl
from omskg.graph import ontology_triples
from omskg.rdf import Triples
from omskg.vocab import load_vocabulary


def agrees(triples: Triples, shapes: Graph, ontology: bool, conforms: bool) -> None:
    """``conforms``: the engine's answer for ``triples`` (with the ontology, if ``ontology``)."""
    mixed = ontology_triples(load_vocabulary()) if ontology else frozenset()
    checker = shacl.quick_checker(shacl.compile_shapes(shapes), sorted(str(t) for t in mixed))
    if checker is None:
        return
    try:
        quick = checker(sorted(str(t) for t in triples - mixed))
    except shacl.Unsure:
        return
    assert quick is conforms, "the quick check and the engine disagree"
