"""The large files made in chunks (omskg.formats): N-Triples, N-Quads, Turtle and JSON-LD
are, chunk boundaries wherever they fall, the bytes of the whole document made at once."""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from omskg import build, formats, parts
from omskg.vocab import DEFAULT_BASE, OMSKG, load_vocabulary

from .test_part_text import TRIPLES

SIZES = st.integers(1, 7)


class _Chunks:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.closed = False

    def append(self, chunk: bytes) -> None:
        assert not self.closed
        self.chunks.append(chunk)

    def close(self) -> None:
        self.closed = True


@settings(max_examples=100, deadline=None)
@given(triples=TRIPLES, size=SIZES)
def test_ntriples_and_nquads_in_chunks_are_the_whole_documents(triples: set[ox.Triple], size: int) -> None:
    lines = sorted(str(t) for t in triples)
    graph = "https://w3id.org/omskg/release/1"
    ntriples, nquads = _Chunks(), _Chunks()
    formats.write_ntriples_and_nquads(lines, graph, ntriples, nquads)
    assert ntriples.closed and nquads.closed
    assert b"".join(ntriples.chunks) == formats.ntriples_of_lines(lines)
    assert b"".join(nquads.chunks) == formats.nquads_of_lines(lines, graph)
    whole = ox.serialize([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in sorted(triples, key=str)], format=ox.RdfFormat.N_QUADS)
    assert b"".join(nquads.chunks) == whole
    ends = [b"".join(formats.lines_in_chunks(lines, end, size)) for end in (" .\n", " x\n")]
    assert ends == [formats.ntriples_of_lines(lines), "".join(line + " x\n" for line in lines).encode()]
    assert all(len(chunk.splitlines()) <= size for chunk in formats.lines_in_chunks(lines, " .\n", size))


@settings(max_examples=100, deadline=None)
@given(triples=TRIPLES, size=SIZES)
def test_turtle_in_chunks_is_the_whole_document(triples: set[ox.Triple], size: int) -> None:
    prefixes = build._writers(DEFAULT_BASE).prefixes
    ordered = formats.SortedTriples(triples)
    statements = parts.turtle_statements(ordered.triples, prefixes)
    assert statements is not None
    written = formats.turtle(ordered, prefixes) if triples else b""
    assert b"".join(formats.turtle_chunks(statements, prefixes, size)) == written
    assert formats.turtle_document(statements, prefixes) == written


def _jsonld_at_once(nodes: list[tuple[str, str]], context: dict[str, Any]) -> bytes:
    """The JSON-LD document as one string (the data's nodes, then the ontology's, by id)."""
    vocabulary = ("omskg:", str(OMSKG))
    data = sorted((n for n in nodes if not n[0].startswith(vocabulary)), key=itemgetter(0))
    terms = sorted((n for n in nodes if n[0].startswith(vocabulary)), key=itemgetter(0))
    ordered = [line for _, line in data + terms]
    head = json.dumps({"@context": context}, indent=2, sort_keys=True, ensure_ascii=False)
    body = ("    " + ",\n    ".join(ordered)) if ordered else ""
    start = head[: head.rindex("}")].rstrip() + ',\n  "@graph": [\n'
    return (start + body + "\n  ]\n}\n").encode("utf-8")


IDS = st.builds(
    lambda prefix, local: prefix + local,
    st.sampled_from(["omskg:", str(OMSKG), "obo:", "http://ex.org/", "_:", "ent:"]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=4),
)


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(IDS, unique=True, max_size=20), size=SIZES)
def test_jsonld_in_chunks_is_the_whole_document(ids: list[str], size: int) -> None:
    context = formats.jsonld_context(load_vocabulary(), DEFAULT_BASE)
    assert formats._Compactor(context).iri(str(OMSKG) + "x") == "omskg:x"
    nodes = [(i, json.dumps({"id": i, "n": n}, ensure_ascii=False)) for n, i in enumerate(ids)]
    whole = _jsonld_at_once(nodes, context)
    assert b"".join(formats.jsonld_chunks(nodes, context, size)) == whole
    assert formats.jsonld_document(nodes, context) == whole
    document = json.loads(whole)
    assert [node["id"] for node in document["@graph"]] == [i for i, _ in sorted(
        nodes, key=lambda n: (n[0].startswith(("omskg:", str(OMSKG))), n[0])
    )]
