"""The quick check's data graph: each term as its N-Triples text (``str()`` of the Oxigraph
term, so two terms are equal exactly when their texts are), indexed by predicate and subject
from the lines of a graph; the ontology indexed once and shared by every graph built on it.

Two views of the same triples. The Core constraints see the terms as written. The SPARQL
constraints see what an Oxigraph store holds: a literal by its value ("68"^^xsd:nonNegativeInteger
as "68"^^xsd:integer, "0.50"^^xsd:decimal as "0.5"), as the engine's queries do; each literal's
stored form is asked of Oxigraph itself (``stored``), once per process."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD

from omskg.shacl.terms import SortKey, Term, _sort_key

Index = dict[str, dict[str, list[str]]]  # predicate -> subject -> objects (distinct)
EMPTY: list[str] = []
RDF_TYPE = f"<{RDF.type}>"
SUB_CLASS_OF = f"<{RDFS.subClassOf}>"
XSD_STRING = f"<{XSD.string}>"
RDF_LANGSTRING = f"<{RDF.langString}>"
V = TypeVar("V")
_CACHE_LIMIT = 200_000  # entries in each per-process cache of literals, before it starts afresh


class Unsure(Exception):
    """The quick check cannot decide here: the engine must."""


# ---------------------------------------------------------------- terms as text


def is_iri(term: str) -> bool:
    return term[0] == "<" and term[1] != "<"  # "<<(" starts a triple term, never an IRI


def datatype(literal: str) -> str:
    """The datatype of a literal, as SPARQL's DATATYPE gives it (an IRI in N-Triples syntax)."""
    tail = literal[literal.rfind('"') + 1:]  # (a quote inside the lexical form is escaped)
    if not tail:
        return XSD_STRING
    if tail[0] != "@":
        return tail[2:]
    if "--" in tail:
        raise Unsure("the datatype of a literal with a base direction")
    return RDF_LANGSTRING


def language(literal: str) -> str | None:
    """The language tag of a literal (without its base direction, as Oxigraph's ``language``)."""
    tail = literal[literal.rfind('"') + 1:]
    return tail[1:].partition("--")[0] if tail[:1] == "@" else None


def string_value(term: str) -> str | None:
    """The IRI or the lexical form (SHACL's string constraints); None for other terms."""
    if term[0] == '"':
        lexical = term[1:term.rfind('"')]
        return to_ox(term).value if "\\" in lexical else lexical  # type: ignore[union-attr]
    return term[1:-1] if is_iri(term) else None


_TERMS: dict[str, Term] = {}


def to_ox(term: str) -> Term:
    """The Oxigraph term of a text."""
    found = _TERMS.get(term)
    if found is None:
        if len(_TERMS) > _CACHE_LIMIT:
            _TERMS.clear()
        line = f"<urn:omskg:s> <urn:omskg:p> {term} .".encode()
        try:
            found = _TERMS[term] = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).object
        except SyntaxError:  # a term Oxigraph makes but does not read back (^^rdf:langString, no tag)
            raise Unsure(f"the term {term}") from None
    return found


_STORED: dict[str, str] = {}
_PROBE = ox.Store()
_S, _P = ox.NamedNode("urn:omskg:probe"), ox.NamedNode("urn:omskg:value")


def stored(term: str) -> str:
    """The term as an Oxigraph store gives it back: a literal by its value."""
    if term[0] != '"' or term[-1] != ">":
        return term  # IRIs, blank nodes, strings and language-tagged strings are kept as written
    found = _STORED.get(term)
    if found is None:
        if len(_STORED) > _CACHE_LIMIT:
            _STORED.clear()
        quad = ox.Quad(_S, _P, to_ox(term))
        _PROBE.add(quad)
        found = _STORED[term] = str(next(iter(_PROBE.quads_for_pattern(_S, _P, None))).object)
        _PROBE.remove(quad)
    return found


def memo(compute: Callable[[str], bool]) -> Callable[[str], bool]:
    """``compute`` remembered for each term (up to a limit, then afresh)."""
    known: dict[str, bool] = {}

    def cached(term: str) -> bool:
        found = known.get(term)
        if found is None:
            if len(known) > _CACHE_LIMIT:
                known.clear()
            found = known[term] = compute(term)
        return found

    return cached


def memo_all(compute: Callable[[str], bool]) -> Callable[[QuickGraph, Collection[str]], bool]:
    """A test of each of a graph's terms that ``compute`` passes (true of the term alone,
    whatever the graph): the terms that passed remembered (up to a limit, then afresh), so
    a set of them is passed at once."""
    passed: set[str] = set()

    def each(g: QuickGraph, values: Collection[str]) -> bool:
        if passed.issuperset(values):
            return True
        for value in values:
            if value not in passed:
                if not compute(value):
                    return False
                if len(passed) > _CACHE_LIMIT:
                    passed.clear()
                passed.add(value)
        return True

    return each


_KEYS: dict[str, SortKey] = {}


def sort_key(term: str) -> SortKey:
    """The term's ``terms._sort_key`` (how SPARQL orders it)."""
    if term in _KEYS:
        return _KEYS[term]
    if len(_KEYS) > _CACHE_LIMIT:
        _KEYS.clear()
    found = _KEYS[term] = _sort_key(to_ox(term)) if term[0] == '"' else None
    return found


# ---------------------------------------------------------------- the graph


@dataclass
class Indexed:
    forward: Index  # of the lines' triples and the base's
    own: set[str]  # the predicates whose entries were copied from the base (the rest are shared)
    incoming: dict[str, list[str]]  # the lines' own, by object (not a literal): the lines
    literal: set[str]  # the predicates of the lines' triples whose object is a literal or a triple term


#: Lines (``str()`` of a triple, once each), or each line's terms by line where they are at
#: hand (as ``ntriples.TripleLines.rows``: not split again)
Lines = Iterable[str] | Mapping[str, tuple[str, str, str]]


def index(lines: Lines, base: Index) -> Indexed:
    """The triples of ``lines`` over those of ``base``. (A subject's triples are asked of a
    few subjects: found by predicate when asked.)"""
    forward = dict(base)
    own: Index = {}
    incoming: dict[str, list[str]] = {}
    literal: set[str] = set()
    rows = lines.items() if isinstance(lines, Mapping) else ((line, line.split(" ", 2)) for line in lines)
    for line, (subject, predicate, obj) in rows:
        by_subject = own.get(predicate)
        if by_subject is None:
            by_subject = own[predicate] = forward[predicate] = dict(base.get(predicate, {}))
        objects = by_subject.get(subject)
        if objects is None:
            by_subject[subject] = [obj]
        elif (shared := base.get(predicate)) is None or subject not in shared:
            objects.append(obj)
        elif obj not in objects:  # (the base's list is copied, not changed; its triples counted once)
            by_subject[subject] = [*objects, obj]
        if obj[0] == '"':
            literal.add(predicate)
        else:
            into = incoming.get(obj)
            if into is None:
                incoming[obj] = [line]
            else:
                into.append(line)
            if obj[1] == "<":
                literal.add(predicate)
    return Indexed(forward, set(own), incoming, literal)


class Ontology:
    """The triples every graph is checked with, indexed once."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.triples = index(lines, {})
        self.subclasses: dict[str, set[str]] = {}
        # each graph's entries of a predicate it has no triple of: the ontology's, as made once here
        self.backward = Lazy(partial(_inverse, self.triples.forward))
        self.stored_forward = Lazy(partial(_stored_forward, self.triples.forward, self.triples.literal))


class Lazy(dict[str, V]):
    """A dict that makes each missing entry once, when it is first asked for. (``make`` must
    not refer to what refers to this dict: a build runs with the cycle collector off.)"""

    def __init__(self, make: Callable[[str], V]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> V:
        value = self[key] = self.make(key)
        return value


class QuickGraph:
    def __init__(self, lines: Lines, ontology: Ontology) -> None:
        self.triples = index(lines, ontology.triples.forward)
        self.forward, self.own = self.triples.forward, self.triples.own
        self.ontology = ontology
        self._instances: dict[str, set[str]] = {}
        self.active: set[tuple[int, str]] = set()  # (shape, focus) being checked, against recursion
        # predicate -> object -> subjects; the same as stored: predicate -> subject -> objects,
        # predicate -> object -> subjects, subject -> object -> predicates
        self.backward = Lazy(partial(_backward, self.forward, self.own, ontology.backward))
        literal = self.triples.literal | ontology.triples.literal
        self.stored_forward = Lazy(
            partial(_own_stored_forward, self.forward, self.own, ontology.stored_forward, literal)
        )
        self.stored_backward = Lazy(
            partial(_stored_backward, self.forward, self.stored_forward, self.backward)
        )
        self.stored_out = Lazy(partial(_stored_out, self.forward))
        self._reached: dict[tuple[Callable[[QuickGraph, str], list[str]], str], list[str]] = {}

    # ------------------------------------------------------------ the terms as written

    def objects(self, subject: str, predicate: str) -> list[str]:
        by_subject = self.forward.get(predicate)
        return EMPTY if by_subject is None else by_subject.get(subject, EMPTY)

    def subjects(self, obj: str, predicate: str) -> list[str]:
        return self.backward[predicate].get(obj, EMPTY)

    def outgoing(self, subject: str) -> list[tuple[str, str]]:
        return [(p, o) for p, by_subject in self.forward.items() for o in by_subject.get(subject, EMPTY)]

    def subclasses(self, cls: str) -> set[str]:
        """``cls`` and every class below it by rdfs:subClassOf."""
        shared = SUB_CLASS_OF not in self.own  # the ontology's classes alone: known already
        found = self.ontology.subclasses.get(cls) if shared else None
        if found is None:
            found, todo = {cls}, [cls]
            while todo:
                for sub in self.subjects(todo.pop(), SUB_CLASS_OF):
                    if sub not in found:
                        found.add(sub)
                        todo.append(sub)
            if shared:
                self.ontology.subclasses[cls] = found
        return found

    def instances(self, cls: str) -> set[str]:
        found = self._instances.get(cls)
        if found is None:
            found = self._instances[cls] = set()
            for sub in self.subclasses(cls):
                found.update(self.subjects(sub, RDF_TYPE))
        return found

    # ------------------------------------------------------------ the terms as stored (SPARQL)

    def stored_in(self, obj: str) -> list[tuple[str, str]]:
        """The triples with this object: (subject, predicate)."""
        if obj[0] == '"':
            return [(s, p) for s, p, o in self.stored_triples() if o == obj]
        own, shared = self.triples.incoming.get(obj), self.ontology.triples.incoming.get(obj)
        if own is None or shared is None:
            lines = own or shared or EMPTY
        else:
            lines = list(dict.fromkeys(shared + own))  # (a triple of the ontology is not counted twice)
        return [(s, p) for s, p, _ in (line.split(" ", 2) for line in lines)]

    def reached(self, follow: Callable[[QuickGraph, str], list[str]], node: str) -> list[str]:
        """``follow(self, node)`` (a path followed from a node, as stored), made once."""
        key = (follow, node)
        found = self._reached.get(key)
        if found is None:
            found = self._reached[key] = follow(self, node)
        return found

    def stored_triples(self) -> Iterator[tuple[str, str, str]]:
        for predicate in self.forward:
            for subject, objects in self.stored_forward[predicate].items():
                for obj in objects:
                    yield subject, predicate, obj


def _backward(forward: Index, own: set[str], shared: Index, predicate: str) -> dict[str, list[str]]:
    if predicate not in own and predicate in forward:
        return shared[predicate]  # the ontology's alone
    return _inverse(forward, predicate)


def _inverse(forward: Index, predicate: str) -> dict[str, list[str]]:
    return _inverted(forward.get(predicate, {}))


def _own_stored_forward(
    forward: Index, own: set[str], shared: Index, literal: set[str], predicate: str
) -> dict[str, list[str]]:
    if predicate not in own:
        return shared[predicate] if predicate in forward else {}  # the ontology's alone
    return _stored_forward(forward, literal, predicate)


def _stored_forward(forward: Index, literal: set[str], predicate: str) -> dict[str, list[str]]:
    """A predicate's entries as stored; ``literal``: the predicates with a literal or triple
    term among their objects (where the base's are, the base's table is not asked here)."""
    by_subject = forward.get(predicate, {})
    if predicate not in literal:
        return by_subject  # IRIs and blank nodes only: stored as written
    changed = False
    for objects in by_subject.values():
        for o in objects:
            if o[0] == '"':
                changed = changed or stored(o) != o
            elif o[1] == "<" and o[0] == "<":  # a triple term: stored with its literals' values
                raise Unsure("a triple term as object")
    if changed:
        return {s: list(dict.fromkeys(map(stored, objects))) for s, objects in by_subject.items()}
    return by_subject


def _stored_backward(
    forward: Index, stored_forward: Index, backward: Index, predicate: str
) -> dict[str, list[str]]:
    by_subject = stored_forward[predicate]
    if by_subject is forward.get(predicate):  # no literal stored otherwise: as written
        return backward[predicate]
    return _inverted(by_subject)


def _stored_out(forward: Index, subject: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for predicate, by_subject in forward.items():
        for obj in by_subject.get(subject, EMPTY):
            if obj[0] == "<" and obj[1] == "<":
                raise Unsure("a triple term as object")
            found.setdefault(stored(obj), []).append(predicate)
    return found


def _inverted(by_subject: dict[str, list[str]]) -> dict[str, list[str]]:
    backward: dict[str, list[str]] = {}
    for subject, objects in by_subject.items():
        for obj in objects:
            found = backward.get(obj)
            if found is None:
                backward[obj] = [subject]
            else:
                found.append(subject)
    return backward
