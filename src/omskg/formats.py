"""Deterministic serialisations of a graph: sorted N-Triples, Turtle and compact JSON-LD.

The same graph always gives the same bytes: the triples are sorted by their N-Triples
form, Oxigraph writes N-Triples and Turtle from them in that order, and the JSON-LD is one
node object per line, sorted, compacted against our own context. Nothing carries a
timestamp or a path of this machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import compress, repeat
from operator import itemgetter, not_
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import OWL, RDF, XSD, URIRef

from omskg import resources
from omskg.iris import Iris
from omskg.rdf import Triples
from omskg.vocab import OMSKG, RDF_LANGSTRING, XSD_STRING, Vocabulary, local_name, shortener_for


def jsonld_context(vocab: Vocabulary, base: str) -> dict[str, Any]:
    """Prefixes, our ontology's terms by their local names, and the shared terms."""
    context: dict[str, Any] = dict(Iris(base).prefix_map())
    graph = vocab.graph
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty), key=str):
        if isinstance(prop, URIRef) and (name := local_name(prop)):
            context[name] = {"@id": f"omskg:{name}", "@type": "@id"}
    datatype_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    datatype_properties |= set(graph.subjects(RDF.type, OWL.AnnotationProperty))
    for prop in sorted(datatype_properties, key=str):
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
    return ntriples_of_lines(triples.lines)


def nquads(triples: SortedTriples, graph: str) -> bytes:
    return nquads_of_lines(triples.lines, graph)


def ntriples_of_lines(lines: list[str]) -> bytes:
    """Sorted triples in their N-Triples form (``str`` of each, as SortedTriples has them)."""
    if not lines:
        return b""
    return b" .\n".join([line.encode("utf-8") for line in lines]) + b" .\n"  # (no second copy as text)


def nquads_of_lines(lines: list[str], graph: str) -> bytes:
    """The N-Triples lines, each in the named graph ``graph`` (a release's IRI), same order."""
    name = f" {ox.NamedNode(graph)} .\n"
    return (name.join(lines) + name).encode("utf-8") if lines else b""


CHUNK = 5_000  # lines (or nodes, statements) of a large file made and written at a time


def lines_in_chunks(lines: list[str], end: str, size: int = CHUNK) -> Iterator[bytes]:
    """``"".join(line + end for line in lines)`` as UTF-8, in chunks of ``size`` lines (so
    that the whole is never held twice)."""
    for start in range(0, len(lines), size):
        chunk = lines[start : start + size]
        chunk.append("")  # (the join then ends the last line too, with no copy of the whole)
        yield end.join(chunk).encode("utf-8")


class ChunkSink(Protocol):
    def append(self, chunk: bytes) -> None: ...

    def close(self) -> None: ...


def write_ntriples_and_nquads(lines: list[str], graph: str, ntriples: ChunkSink, nquads: ChunkSink) -> None:
    """The lines as N-Triples into ``ntriples`` and, in the named graph ``graph``, as N-Quads
    into ``nquads`` (``nquads_of_lines``), chunk by chunk."""
    quads = lines_in_chunks(lines, f" {ox.NamedNode(graph)} .\n")
    for chunk, quad_chunk in zip(lines_in_chunks(lines, " .\n"), quads, strict=True):
        ntriples.append(chunk)
        nquads.append(quad_chunk)
    ntriples.close()
    nquads.close()


def write_chunks(chunks: Iterable[bytes], sink: ChunkSink) -> None:
    for chunk in chunks:
        sink.append(chunk)
    sink.close()


def turtle_document(statements: list[bytes], prefixes: dict[str, str]) -> bytes:
    """The Turtle of sorted triples from its statements, one per subject (as ``turtle``
    writes the same triples with ``prefixes``)."""
    return b"".join(turtle_chunks(statements, prefixes))


def turtle_chunks(statements: list[bytes], prefixes: dict[str, str], size: int = CHUNK) -> Iterator[bytes]:
    """``turtle_document`` in chunks of ``size`` statements (so that the whole is never held)."""
    if statements:
        yield turtle_prefixes(prefixes)
    for start in range(0, len(statements), size):
        yield b"".join(statements[start : start + size])


def turtle_prefixes(prefixes: dict[str, str]) -> bytes:
    """The @prefix lines Oxigraph's Turtle writer starts with (in its own order)."""
    probe = ox.Triple(ox.NamedNode("urn:omskg:s"), ox.NamedNode("urn:omskg:p"), ox.NamedNode("urn:omskg:o"))
    written = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert written is not None
    return written[: written.rindex(b"<urn:omskg:s>")]


def jsonld(triples: SortedTriples, context: dict[str, Any]) -> bytes:
    """Compact JSON-LD against ``context``: one node object per subject and line, the data's
    nodes first and the ontology's after them, keys named by the context's terms where a term
    fits the value, compact IRIs elsewhere."""
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
    return jsonld_document(nodes, context)


def jsonld_document(nodes: list[tuple[str, str]], context: dict[str, Any]) -> bytes:
    """The JSON-LD document of node objects (compact id, line), one per subject: the data's
    nodes first and the ontology's after them, each group by id."""
    return b"".join(jsonld_chunks(nodes, context))


def jsonld_chunks(
    nodes: list[tuple[str, str]], context: dict[str, Any], size: int = CHUNK
) -> Iterator[bytes]:
    """``jsonld_document`` in chunks of ``size`` nodes (so that the whole is never held)."""
    vocabulary = (_Compactor(context).iri(str(OMSKG) + "x")[:-1], str(OMSKG))  # the ontology's terms
    ontology = list(map(str.startswith, map(itemgetter(0), nodes), repeat(vocabulary)))
    data = sorted(compress(nodes, map(not_, ontology)), key=itemgetter(0))
    data.extend(sorted(compress(nodes, ontology), key=itemgetter(0)))
    head = json.dumps({"@context": context}, indent=2, sort_keys=True, ensure_ascii=False)
    yield (head[: head.rindex("}")].rstrip() + ',\n  "@graph": [\n').encode("utf-8")
    for start in range(0, len(data), size):
        lines = list(map(itemgetter(1), data[start : start + size]))
        if start:
            lines.insert(0, "")  # (the separator before the chunk's first node)
        else:
            lines[0] = "    " + lines[0]
        yield ",\n    ".join(lines).encode("utf-8")
    yield b"\n  ]\n}\n"


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
        self._namespaces = sorted(  # (namespace, prefix), longest first
            self.converter.reverse_prefix_map.items(), key=lambda item: (-len(item[0]), item[0])
        )
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
            compact = self._compact[iri] = self.shorten(iri)
        return compact

    def shorten(self, iri: str) -> str:
        """``vocab.compact`` (the converter's longest namespace that matches), else the IRI:
        found here by the namespaces themselves, longest first (the converter's parser is
        slow for IRIs met once, as most instance IRIs are)."""
        for namespace, prefix in self._namespaces:
            if iri.startswith(namespace):
                return f"{prefix}:{iri[len(namespace):]}" if len(iri) > len(namespace) else iri
        return iri

    def id(self, node: ox.NamedNode | ox.BlankNode) -> str:
        return self.iri(node.value) if isinstance(node, ox.NamedNode) else f"_:{node.value}"

    def vocab_value(self, iri: str) -> str:
        """An IRI as a value of a term with ``@type: @vocab``: the term naming it, if any."""
        named = [name for name, _, _ in self.terms.get(iri, []) if ":" not in name]
        return named[0] if named else self.iri(iri)

    def rule(
        self, predicate: str, kind: str | None, language: str | None, named: bool = True
    ) -> tuple[str, str]:
        """(key, form) for the values of ``predicate`` of one kind: ``kind`` "@id" for an
        IRI (``named``) or blank node, else a literal's datatype (None for a plain string)
        and language. The key is a term of the context whose coercion fits the value where
        there is one; the form says how the value is written: PLAIN (as it is, or the native
        JSON boolean or number), VOCAB (the term naming an IRI) or EXPLICIT (a value object)."""
        terms = self.terms.get(predicate, [])
        if kind == "@id":
            for name, term_kind, _ in terms:
                if term_kind == "@id":
                    return name, PLAIN
                if term_kind == "@vocab" and named:
                    return name, VOCAB
        for name, term_kind, term_language in terms:  # a term whose coercion fits the value
            if (term_kind, term_language) == (kind, language):
                return name, PLAIN
        for name, term_kind, term_language in terms:  # a term with no coercion, explicit value
            if term_kind is None and term_language is None:
                return name, EXPLICIT
        if terms and kind != "@id":  # a value object is read as written, whatever the coercion
            return terms[0][0], EXPLICIT
        key = self.iri(predicate)
        return (predicate if key in self.defined else key), EXPLICIT

    def value(self, predicate: str, obj: Any) -> tuple[str, Any]:
        """(key, JSON value) for one object of ``predicate`` (``rule``); booleans and integers
        are native JSON where that loses nothing."""
        if isinstance(obj, (ox.NamedNode, ox.BlankNode)):
            key, form = self.rule(predicate, "@id", None, isinstance(obj, ox.NamedNode))
            if form == VOCAB:
                return key, self.vocab_value(obj.value)
            return key, self.id(obj) if form == PLAIN else {"id": self.id(obj)}
        kind = None if obj.language or obj.datatype.value == XSD_STRING else obj.datatype.value
        key, form = self.rule(predicate, kind, obj.language)
        if kind is None:
            if form == PLAIN:
                return key, obj.value
            tagged = {"@language": obj.language} if obj.language else {}
            return key, {"@value": obj.value, **tagged}
        number = native(obj.value, kind)
        if form == PLAIN:
            return key, obj.value if number is None else number
        if number is not None and kind in _NATIVE_UNTYPED:  # JSON true or 7 reads back as exactly this
            return key, {"@value": number}
        return key, {"@value": obj.value, "type": self.iri(kind)}

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


PLAIN, VOCAB, EXPLICIT = "plain", "vocab", "explicit"  # how a value is written (_Compactor.rule)
RDF_TYPE = str(RDF.type)
XSD_BOOLEAN, XSD_INTEGER = str(XSD.boolean), str(XSD.integer)
_NATIVE_UNTYPED = frozenset({XSD_BOOLEAN, XSD_INTEGER})  # what JSON-LD reads a JSON true / 7 as
_INTEGER_TYPES = frozenset(str(XSD[name]) for name in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
))
_SAFE_INTEGER = 2**53 - 1  # beyond it a JavaScript reader rounds


def native(lexical: str, datatype: str) -> bool | int | None:
    """The JSON boolean or number that JSON-LD turns back into exactly this literal (its
    canonical form), or None where there is none: decimals stay strings, as JSON-LD requires."""
    if datatype == XSD_BOOLEAN and lexical in ("true", "false"):
        return lexical == "true"
    if datatype in _INTEGER_TYPES:
        try:
            number = int(lexical)
        except ValueError:
            return None
        if str(number) == lexical and abs(number) <= _SAFE_INTEGER:
            return number
    return None


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
