"""The graph in parts, one per fact file, and the SHACL gate split along them.

A worker that builds a fact file's triples also writes what the rest of the build needs of
them as text: their sorted N-Triples lines, by subject, and each subject's JSON-LD node
object; and it validates them (with the ontology) against the shapes. The parent merges
the parts with the shared triples (the ontology, the dataset node) without making a Python
object per triple.

**The split gate.** The graph G is the union of the ontology O, the shared part S and the
parts T1..Tn. A term (IRI or blank node) is *private* to Ti when it occurs in Ti and in no
other part, nor in S or O. The split gate validates each Gi = Ti + O in its worker, and the
small graph Gg = O + S + every triple of a part whose subject is a non-private term, in the
parent. If any of them reports anything, or the conditions below do not hold, the whole
graph is validated instead and its report is the gate's: the report is always the whole
graph's. What must be shown is that the split gate finds a result whenever G has one.

Conditions, checked on every build (``Split.local``):

1. no part states anything about a term of O that O does not state;
2. a non-private term that is a subject anywhere has the same triples as subject in every
   part that holds it (a value node minted from its content, in every file that uses it),
   and every part that mentions it holds them;
3. in Gg no triple points at a private term that has triples of its own;
4. the shapes read forward only (omskg.reach): every path is made of predicates,
   sequences, alternatives and repetitions, no sh:targetObjectsOf, no SPARQL-based
   constraint component or nested shape with a SPARQL constraint; each SPARQL constraint
   reaches every triple pattern forward from $this or from a node reached so, or, from
   $this only, backward by one plain predicate; a pattern under NOT EXISTS need not be
   reached (Gi holds a subset of G's triples: what has no match in G has none in Gi),
   but its variables are bound to terms of Gi, from which a pattern under a second NOT
   EXISTS must again be reached forward; a variable that only an OPTIONAL binds may stay
   unbound, so nothing counts as reached from it;
5. no focus node of Gg is a target of a shape whose SPARQL constraint needs the backward
   step from $this, and no part uses a predicate of a sh:targetObjectsOf (so every
   triple that makes a node such a target is in O + S).

Why that suffices. By 1 and 2 every term of Gi has the same triples as subject in Gi as in
G ("complete"), and a triple that mentions a private term of Ti is in Ti. Reading forward
from a complete term reaches only terms of Gi, so complete ones; reading one step backward
from a private focus reads only triples of Ti. So every check of a private focus node reads
the same triples in Gi as in G (targets included: a class target follows rdf:type and
rdfs:subClassOf forward from the node), and gives the same results. A focus node that is
not private is in Gg with its triples; by 3 what it reaches forward is complete in Gg; by 5
no check of it reads backward. So every result of G is a result of some Gi or of Gg.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, compress, repeat, starmap
from operator import getitem

import pyoxigraph as ox

from omskg.describe import Counts
from omskg.part_text import Part as Part
from omskg.part_text import Writers as Writers
from omskg.part_text import make_part as make_part
from omskg.part_text import writers as writers
from omskg.rdf import Triples
from omskg.reach import shapes_reach

_SUBJECT_START = re.compile(rb"\n(?=[^\t])")  # Oxigraph indents every line but a subject's first


def turtle_statements(triples: list[ox.Triple], prefixes: dict[str, str]) -> list[bytes] | None:
    """The Turtle of sorted triples as one statement per subject (formats.turtle's bytes,
    without the prefixes, cut where a subject starts); None where it cannot be cut so."""
    if not triples:
        return []
    written = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert written is not None
    body = written.split(b"\n", len(prefixes))[-1]
    statements = [chunk + b"\n" for chunk in _SUBJECT_START.split(body.removesuffix(b"\n"))]
    subjects = sum(1 for i, t in enumerate(triples) if i == 0 or t.subject != triples[i - 1].subject)
    return statements if len(statements) == subjects else None


def _terms_of(triples: Iterable[ox.Triple]) -> set[str]:
    found: set[str] = set()
    for t in triples:
        found.add(str(t.subject))
        found.add(str(t.predicate))
        if not isinstance(t.object, ox.Literal):
            found.add(str(t.object))
    return found


@dataclass
class Merged:
    """The parts and the shared triples as one graph: its sorted lines and JSON-LD nodes,
    and what the split gate needs (``local``: conditions 1-3 hold; ``gate_graph``: Gg)."""

    lines: list[str]
    nodes: list[tuple[str, str]]
    turtle: list[bytes]  # a Turtle statement per subject, in order
    subjects: list[str]  # in order
    counts: Counts  # VoID's counts of the lines
    local: bool
    gate_graph: Triples = field(default_factory=set)


def merge(parts: list[Part], ontology: Triples, shared: Triples, writers: Writers) -> Merged:
    """One graph of the parts, the ontology and the shared triples (``shared`` need not
    repeat the ontology): lines sorted and unique, a JSON-LD node per subject."""
    common = make_part(ontology | shared, None)  # small: O and S (written below)
    ontology_terms = _terms_of(ontology)
    ontology_lines = {str(t) for t in ontology}
    mentions: Counter[str] = Counter()  # how many parts mention each term
    for part in parts:
        mentions.update(part.terms)
    # not private: in more than one part, or in O or S (every subject of a part is in its terms)
    public = set(compress(mentions, map((1).__lt__, mentions.values()))) | common.terms

    def private(term: str) -> bool:  # in one part only, not in O or S
        return mentions[term] == 1 and term not in common.terms
    blocks: dict[str, tuple[list[str], slice]] = {}  # subject -> its lines in the merged graph
    chosen: dict[str, tuple[str, str]] = {}  # subject -> its node (none: written here)
    turtle: dict[str, bytes] = {}  # subject -> its Turtle (none: written here)
    for part in reversed(parts):  # a subject of several parts: the first one's
        chosen.update(part.nodes)
        turtle.update(part.turtle)
    held: dict[str, list[list[str]]] = {}  # a subject that is not private -> its parts' blocks
    counts = Counts()
    for part in parts:
        lines, spans = part.lines, part.blocks
        blocks.update(zip(spans, zip(repeat(lines), starmap(slice, spans.values())), strict=True))
        for subject in filter(public.__contains__, spans):
            start, end = spans[subject]
            held.setdefault(subject, []).append(lines[start:end])
        counts.add(part.counts)
    local = True
    gate: list[str] = list(common.lines)
    rewritten: list[str] = []  # subjects whose node and Turtle are written here
    taken_off: dict[int, list[str]] = {}  # times -> the lines of blocks counted that many times too often
    unions: list[str] = []
    for subject in held.keys() | common.blocks.keys():
        own = held.get(subject, [])
        if subject in common.blocks:
            start, end = common.blocks[subject]
            given = [*own, common.lines[start:end]]
        else:
            given = own
        same = all(b == given[0] for b in given)
        union = given[0] if same else sorted({line for b in given for line in b})
        blocks[subject] = union, _WHOLE
        # counted in its parts' counts: once, as merged, instead
        for block, times in [(own[0], len(own))] if same and own else _distinct(own):
            taken_off.setdefault(times, []).extend(block)
        unions.extend(union)
        if not same:  # (else the first part's node is the merged block's; O's or S's alone: none yet)
            rewritten.append(subject)  # written here from the merged block
        if subject in ontology_terms:
            if any(not set(b) <= ontology_lines for b in own):
                local = False  # condition 1: a part adds to the ontology's terms
        elif own:
            if not same and any(b != union for b in own) or mentions[subject] != len(own):
                local = False  # condition 2
            gate.extend(union)
    for times, removed in taken_off.items():
        counts.add(writers.count(removed), -times)
    counts.add(writers.count(unions))
    for term in common.blocks:  # condition 2: mentioned, its triples elsewhere
        if term not in held and term not in ontology_terms and mentions[term]:
            local = False
    ordered = sorted(blocks)
    lines = list(_lines_of(blocks, ordered))
    missing = sorted({*rewritten, *(blocks.keys() - chosen.keys()), *(blocks.keys() - turtle.keys())})
    if missing:
        parsed = _parse_lines(list(_lines_of(blocks, missing)))
        triples = [t for subject in missing for t in parsed[subject]]
        statements = turtle_statements(triples, writers.prefixes)
        assert statements is not None, "a literal the Turtle writer writes over several lines"
        for subject, statement in zip(missing, statements, strict=True):
            chosen[subject] = writers.node(parsed[subject])
            turtle[subject] = statement
    nodes = list(map(chosen.__getitem__, ordered))
    written = list(map(turtle.__getitem__, ordered))
    if not local:
        return Merged(lines, nodes, written, ordered, counts, False)
    gate_graph = set(_parse_triples(sorted(set(gate))))
    for triple in gate_graph:  # condition 3: Gg points at no private term with triples
        obj = triple.object
        if not isinstance(obj, ox.Literal) and private(str(obj)) and str(obj) in blocks:
            return Merged(lines, nodes, written, ordered, counts, False)
    return Merged(lines, nodes, written, ordered, counts, True, gate_graph)


_WHOLE = slice(None)


def _lines_of(blocks: dict[str, tuple[list[str], slice]], subjects: list[str]) -> Iterable[str]:
    """The lines of these subjects' blocks, in order (each block a slice of a part's lines,
    taken only here: a line is touched once)."""
    return chain.from_iterable(starmap(getitem, map(blocks.__getitem__, subjects)))


def _distinct(blocks: list[list[str]]) -> list[tuple[list[str], int]]:
    """Each distinct block once, with how many times it occurs (a value node's block is the
    same in every file that uses it)."""
    found: dict[tuple[str, ...], tuple[list[str], int]] = {}
    for block in blocks:
        key = tuple(block)
        seen = found.get(key)
        found[key] = (block, 1) if seen is None else (seen[0], seen[1] + 1)
    return list(found.values())


def _parse_triples(lines: list[str]) -> Iterable[ox.Triple]:
    if not lines:
        return []
    data = (" .\n".join(lines) + " .\n").encode("utf-8")
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def _parse_lines(lines: list[str]) -> dict[str, list[ox.Triple]]:
    by_subject: dict[str, list[ox.Triple]] = {}
    for triple in _parse_triples(lines):
        by_subject.setdefault(str(triple.subject), []).append(triple)
    return by_subject


def parse_all(lines: list[str]) -> Triples:
    """The triples of N-Triples lines (``str`` of each triple)."""
    return set(_parse_triples(lines))


# ---------------------------------------------------------------- the split gate


@dataclass(frozen=True)
class GateSummary:
    """What the split gate needs of the parts once they are merged."""

    conforms: bool  # every part conforms with the ontology
    terms: frozenset[str]  # the terms of sh:targetObjectsOf predicates the parts use


def gate_summary(built: list[Part]) -> GateSummary:
    reach = shapes_reach()
    used = frozenset(t for t in reach.object_targets if any(t in part.terms for part in built))
    return GateSummary(all(part.conforms for part in built), used)


def split_gate(summary: GateSummary, local: bool, gate_graph: Triples, ontology: Triples) -> bool:
    """True when the split gate shows the merged graph conforms to the default shapes;
    False when it cannot (the whole graph must then be validated, for its report).
    ``local`` and ``gate_graph``: those of the merged graph (``Merged``)."""
    from omskg import shacl
    from omskg.validate import _compiled_default_shapes

    if not local or not summary.conforms:
        return False
    reach = shapes_reach()
    if not reach.forward or summary.terms:
        return False
    data = shacl.DataGraph(gate_graph | ontology)
    compiled = _compiled_default_shapes()
    for node_shape in compiled:  # condition 5
        if node_shape.shape.node in reach.backward_shapes and any(t(data) for t in node_shape.targets):
            return False
    return not shacl.validate(data, compiled)
