"""The data graph, indexed for the checks, with its Oxigraph store for SPARQL constraints."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD

from omskg.shacl.terms import Term, Values


class DataGraph:
    """The triples, indexed by predicate and subject (and, when needed, object and subject)."""

    def __init__(self, triples: Iterable[ox.Triple], ntriples: bytes | None = None) -> None:
        """``ntriples``: the same triples as N-Triples, if at hand (the store loads them faster)."""
        self.triples = triples if isinstance(triples, (set, frozenset)) else set(triples)
        self._ntriples = ntriples
        self.forward: dict[ox.NamedNode, dict[Term, Values]] = {}
        for triple in self.triples:
            by_subject = self.forward.get(triple.predicate)
            if by_subject is None:
                by_subject = self.forward[triple.predicate] = {}
            objects = by_subject.get(triple.subject)
            if objects is None:
                by_subject[triple.subject] = [triple.object]
            else:
                objects.append(triple.object)
        self._backward: dict[ox.NamedNode, dict[Term, Values]] = {}
        self._instances: dict[Term, set[Term]] = {}
        self._outgoing: dict[Term, list[tuple[ox.NamedNode, Term]]] | None = None
        self._store: ox.Store | None = None
        self._written: dict[ox.Literal, ox.Literal | None] | None = None
        self.active: set[tuple[int, Term]] = set()  # (shape, focus) being checked, against recursion

    def objects(self, subject: Term, predicate: ox.NamedNode) -> Values:
        return self.forward.get(predicate, {}).get(subject, [])

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> Values:
        backward = self._backward.get(predicate)
        if backward is None:
            backward = self._backward[predicate] = {}
            for subject, objects in self.forward.get(predicate, {}).items():
                for o in objects:
                    backward.setdefault(o, []).append(subject)
        return backward.get(obj, [])

    def outgoing(self, subject: Term) -> list[tuple[ox.NamedNode, Term]]:
        if self._outgoing is None:
            self._outgoing = {}
            for triple in self.triples:
                self._outgoing.setdefault(triple.subject, []).append((triple.predicate, triple.object))
        return self._outgoing.get(subject, [])

    def subclasses(self, cls: Term) -> set[Term]:
        """``cls`` and every class below it by rdfs:subClassOf, as the data states it."""
        found: set[Term] = {cls}
        todo: list[Term] = [cls]
        sub_class_of = ox.NamedNode(str(RDFS.subClassOf))
        while todo:
            for sub in self.subjects(sub_class_of, todo.pop()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def instances(self, cls: Term) -> set[Term]:
        """SHACL's instances of ``cls``: nodes with an rdf:type/rdfs:subClassOf* of it."""
        found = self._instances.get(cls)
        if found is None:
            rdf_type = ox.NamedNode(str(RDF.type))
            found = set()
            for sub in self.subclasses(cls):
                found.update(self.subjects(rdf_type, sub))
            self._instances[cls] = found
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        return node in self.instances(cls)

    @property
    def store(self) -> ox.Store:
        """An Oxigraph store of the same triples, loaded once, for SPARQL constraints."""
        if self._store is None:
            self._store = ox.Store()
            if self._ntriples is not None:
                self._store.bulk_load(self._ntriples, format=ox.RdfFormat.N_TRIPLES)
            else:
                self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        return self._store

    def as_written(self, term: Term) -> Term:
        """The data's own literal for a literal Oxigraph gives back by its value ("18" for
        "18.0"^^xsd:decimal); the term itself when there is none or more than one."""
        if not isinstance(term, ox.Literal) or term.language or term.datatype.value == str(XSD.string):
            return term
        if self._written is None:
            typed = {
                o for t in self.triples
                if isinstance(o := t.object, ox.Literal)
                and not o.language and o.datatype.value != str(XSD.string)
            }
            probe = ox.Store()
            subject, predicate = ox.NamedNode("urn:omskg:probe"), ox.NamedNode("urn:omskg:value")
            written: dict[ox.Literal, ox.Literal | None] = {}
            for literal in typed:
                probe.add(ox.Quad(subject, predicate, literal))
                stored = next(iter(probe.quads_for_pattern(subject, predicate, None))).object
                probe.remove(ox.Quad(subject, predicate, literal))
                assert isinstance(stored, ox.Literal)
                if stored != literal:
                    written[stored] = None if stored in written else literal
            self._written = written
        return self._written.get(term) or term
