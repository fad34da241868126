"""Deterministic serialisations of a graph: sorted N-Triples, Turtle and compact JSON-LD.

The same graph always gives the same bytes: the triples are sorted by their N-Triples
form, Oxigraph writes N-Triples and Turtle from them in that order, and the JSON-LD is one
node object per line, sorted, compacted against our own context. Nothing carries a
timestamp or a path of this machine.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, URIRef

from omskg import resources
from omskg.iris import Iris
from omskg.rdf import Triples
from omskg.vocab import RDF_LANGSTRING, XSD_STRING, Vocabulary, local_name, shortener_for
from omskg.vocab import compact as vocab_compact


def jsonld_context(vocab: Vocabulary, base: str) -> dict[str, Any]:
    """Prefixes, our ontology's terms by their local names, and the shared terms."""
    context: dict[str, Any] = dict(Iris(base).prefix_map())
    graph = vocab.graph
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty), key=str):
        if isinstance(prop, URIRef) and (name := local_name(prop)):
            context[name] = {"@id": f"omskg:{name}", "@type": "@id"}
    for prop in sorted(graph.subjects(RDF.type, OWL.DatatypeProperty), key=str):
        if not (isinstance(prop, URIRef) and (name := local_name(prop))):
            continue
        rng = vocab.ranges.get(name)
        if str(rng) == RDF_LANGSTRING:
            context[name] = {"@id": f"omskg:{name}", "@language": "en"}
        elif rng is not None and str(rng) != XSD_STRING:
            context[name] = {"@id": f"omskg:{name}", "@type": f"xsd:{str(rng).split('#')[1]}"}
        else:
            context[name] = f"omskg:{name}"
    shared = json.loads(resources.jsonld_terms_file().read_text(encoding="utf-8"))
    clashes = set(shared) & set(context)
    if clashes:
        raise ValueError(f"ontology/context.json redefines terms of the ontology: {sorted(clashes)}")
    context.update(shared)
    return context


class SortedTriples:
    """The triples in the order every writer uses: by their N-Triples form."""

    def __init__(self, triples: Triples) -> None:
        keyed = sorted((str(t), t) for t in triples)  # no ties: the triples are a set
        self.lines = [line for line, _ in keyed]
        self.triples = [t for _, t in keyed]

    def __len__(self) -> int:
        return len(self.triples)


def turtle(triples: SortedTriples, prefixes: dict[str, str]) -> bytes:
    written = ox.serialize(triples.triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert written is not None  # None only when writing to a file
    return written


def ntriples(triples: SortedTriples) -> bytes:
    return "".join(line + " .\n" for line in triples.lines).encode("utf-8")


def jsonld(triples: SortedTriples, context: dict[str, Any]) -> bytes:
    """Compact JSON-LD against ``context``: one node object per subject and line, keys named
    by the context's terms where a term fits the value, compact IRIs elsewhere."""
    compactor = _Compactor(context)
    nodes: list[tuple[str, str]] = []  # (id, the node as one line of JSON)
    subject: ox.NamedNode | ox.BlankNode | None = None
    group: list[ox.Triple] = []
    for triple in triples.triples:
        if triple.subject != subject and group:
            nodes.append(compactor.node(group))
            group = []
        subject = triple.subject  # type: ignore[assignment]
        group.append(triple)
    if group:
        nodes.append(compactor.node(group))
    nodes.sort()
    head = json.dumps({"@context": context}, indent=2, sort_keys=True, ensure_ascii=False)
    body = ",\n".join("    " + node for _, node in nodes)
    return (head[: head.rindex("}")].rstrip() + ',\n  "@graph": [\n' + body + "\n  ]\n}\n").encode("utf-8")


class _Compactor:
    """Just the compaction rules our context needs: prefixes, and terms with @type @id,
    a datatype, or @language (ontology/context.json and the ontology's properties)."""

    def __init__(self, context: dict[str, Any]) -> None:
        prefixes = {
            name: iri for name, iri in context.items()
            if isinstance(iri, str) and ":" not in name and iri.endswith(("/", "#"))
        }
        self.prefixes = prefixes
        self.converter = shortener_for(prefixes)
        self.terms: dict[str, list[tuple[str, str | None, str | None]]] = {}  # IRI -> terms
        for name, definition in sorted(context.items()):
            if isinstance(definition, str):
                if definition.startswith("@") or (":" not in name and definition.endswith(("/", "#"))):
                    continue  # a keyword alias or a prefix
                iri, coercion, language = self.expand(definition), None, None
            else:
                iri = self.expand(definition.get("@id", name))
                coercion, language = definition.get("@type"), definition.get("@language")
            kind = self.expand(coercion) if coercion not in (None, "@id") else coercion
            self.terms.setdefault(iri, []).append((name, kind, language))
        self.defined = set(context)
        self._compact: dict[str, str] = {}  # IRI -> compact IRI: most IRIs recur

    def expand(self, name: str) -> str:
        prefix, _, local = name.partition(":")
        return self.prefixes[prefix] + local if prefix in self.prefixes and local else name

    def iri(self, iri: str) -> str:
        compact = self._compact.get(iri)
        if compact is None:
            compact = self._compact[iri] = vocab_compact(iri, self.converter) or iri
        return compact

    def id(self, node: ox.NamedNode | ox.BlankNode) -> str:
        return self.iri(node.value) if isinstance(node, ox.NamedNode) else f"_:{node.value}"

    def value(self, predicate: str, obj: Any) -> tuple[str, Any]:
        """(key, JSON value) for one object of ``predicate``."""
        if isinstance(obj, (ox.NamedNode, ox.BlankNode)):
            kind, language, plain = "@id", None, self.id(obj)
            explicit: dict[str, str] = {"id": plain}
        elif obj.language:
            kind, language, plain = None, obj.language, obj.value
            explicit = {"@value": obj.value, "@language": obj.language}
        elif obj.datatype.value == XSD_STRING:
            kind, language, plain = None, None, obj.value
            explicit = {"@value": obj.value}
        else:
            kind, language, plain = obj.datatype.value, None, obj.value
            explicit = {"@value": obj.value, "type": self.iri(obj.datatype.value)}
        terms = self.terms.get(predicate, [])
        for name, term_kind, term_language in terms:  # a term whose coercion fits the value
            if (term_kind, term_language) == (kind, language):
                return name, plain
        for name, term_kind, term_language in terms:  # a term with no coercion, explicit value
            if term_kind is None and term_language is None:
                return name, explicit
        key = self.iri(predicate)
        return (predicate if key in self.defined else key), explicit

    def node(self, triples: list[ox.Triple]) -> tuple[str, str]:
        """(id, node object as one line of JSON) for the triples of one subject."""
        node: dict[str, Any] = {"id": self.id(triples[0].subject)}  # type: ignore[arg-type]
        values: dict[str, list[Any]] = {}
        for triple in triples:
            if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
                values.setdefault("type", []).append(self.iri(triple.object.value))
                continue
            key, value = self.value(triple.predicate.value, triple.object)
            values.setdefault(key, []).append(value)
        for key in sorted(values, key=lambda k: (k != "type", k)):  # id, type, then the rest by name
            items = values[key]
            node[key] = items[0] if len(items) == 1 else _sorted(items)
        return node["id"], json.dumps(node, ensure_ascii=False)


RDF_TYPE = str(RDF.type)


def context_document(context: dict[str, Any]) -> bytes:
    return _json_bytes({"@context": context})


def _sorted(value: Any) -> Any:
    """Sort every JSON array (RDF values are unordered), recursively, for stable bytes."""
    if isinstance(value, dict):
        return {key: _sorted(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
