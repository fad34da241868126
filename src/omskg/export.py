"""Deterministic serialisations of the graph, and their atomic publication into a folder.

The same graph always gives the same bytes: the triples are sorted by their N-Triples
form, Oxigraph writes N-Triples and Turtle from them in that order, and the JSON-LD is one
node object per line, sorted, compacted against our own context. Nothing carries a
timestamp or a path of this machine.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, Graph, URIRef

from omskg import resources
from omskg.graph import Iris, Triples, of_rdflib
from omskg.vocab import NAMESPACES, Vocabulary, local_name

TURTLE = "omskg.ttl"
NTRIPLES = "omskg.nt"
JSONLD = "omskg.jsonld"
CONTEXT = "omskg.context.jsonld"
ONTOLOGY = "omskg-ontology.ttl"
SHAPES = "omskg-shapes.ttl"
DATASET_SHAPES = "omskg-dataset-shapes.ttl"
SSSOM = "omskg.sssom.tsv"
DESCRIPTION = "omskg.dataset.ttl"
SCHEMA_ORG = "omskg.schema.jsonld"


def jsonld_context(vocab: Vocabulary, base: str) -> dict[str, Any]:
    """Prefixes, our ontology's terms by their local names, and the shared terms."""
    context: dict[str, Any] = {prefix: str(ns) for prefix, ns in NAMESPACES.items()}
    context.update(Iris(base).prefixes())
    graph = vocab.graph
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty), key=str):
        if isinstance(prop, URIRef) and (name := local_name(prop)):
            context[name] = {"@id": f"omskg:{name}", "@type": "@id"}
    for prop in sorted(graph.subjects(RDF.type, OWL.DatatypeProperty), key=str):
        if not (isinstance(prop, URIRef) and (name := local_name(prop))):
            continue
        rng = vocab.ranges.get(name)
        if rng == RDF.langString:
            context[name] = {"@id": f"omskg:{name}", "@language": "en"}
        elif rng is not None and str(rng) != str(NAMESPACES["xsd"]) + "string":
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

    @classmethod
    def of_graph(cls, graph: Graph) -> SortedTriples:
        return cls(of_rdflib(graph))


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
        self.prefixes = sorted(
            ((iri, name) for name, iri in context.items()
             if isinstance(iri, str) and ":" not in name and iri.endswith(("/", "#"))),
            key=lambda item: -len(item[0]),
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
        for iri, candidate in self.prefixes:
            if candidate == prefix and local:
                return iri + local
        return name

    def iri(self, iri: str) -> str:
        compact = self._compact.get(iri)
        if compact is None:
            compact = self._compact[iri] = self._compact_iri(iri)
        return compact

    def _compact_iri(self, iri: str) -> str:
        for namespace, name in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace):]}"
        return iri

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


XSD_STRING = str(NAMESPACES["xsd"]) + "string"
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


def turtle_prefixes(base: str) -> dict[str, str]:
    return {**{prefix: str(ns) for prefix, ns in NAMESPACES.items()}, **Iris(base).prefixes()}


def publication(triples: SortedTriples, vocab: Vocabulary, base: str) -> dict[str, bytes]:
    """Every file of dist/, by name."""
    context = jsonld_context(vocab, base)
    return {
        TURTLE: turtle(triples, turtle_prefixes(base)),
        NTRIPLES: ntriples(triples),
        JSONLD: jsonld(triples, context),
        CONTEXT: context_document(context),
        ONTOLOGY: resources.ontology_file().read_bytes(),
        SHAPES: (resources.shapes_dir() / "omskg-shapes.ttl").read_bytes(),
        DATASET_SHAPES: (resources.shapes_dir() / "dataset-shapes.ttl").read_bytes(),
    }


PUBLISHED_NAMES = frozenset(
    {TURTLE, NTRIPLES, JSONLD, CONTEXT, ONTOLOGY, SHAPES, DATASET_SHAPES, SSSOM, DESCRIPTION, SCHEMA_ORG}
)


class PublishError(Exception):
    pass


def write_atomically(files: dict[str, bytes], out_dir: Path) -> None:
    """Replace ``out_dir`` with exactly ``files``, or leave it as it was.

    The files are written and flushed to disk in a sibling folder first; then the two
    folders are swapped in one atomic step (Linux renameat2 RENAME_EXCHANGE), so a build
    killed at any moment leaves either the old publication or the new one, never a mix.
    A folder holding anything omskg does not write is never replaced, so that a mistyped
    --out cannot delete someone's files.
    """
    out_dir = out_dir.resolve()
    if out_dir.exists():
        if not out_dir.is_dir():
            raise PublishError(f"{out_dir} exists and is not a folder")
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in PUBLISHED_NAMES)
        if foreign:
            raise PublishError(
                f"refusing to replace {out_dir}: it holds files omskg does not write "
                f"({', '.join(foreign[:5])}); choose another --out or move them"
            )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out_dir)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name, content in sorted(files.items()):
            with open(staging / name, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        if not out_dir.exists():
            staging.rename(out_dir)
        elif _exchange(staging, out_dir):
            shutil.rmtree(staging)  # now holds the previous publication
        else:  # no atomic exchange on this system: two renames, with a moment between them
            retired = out_dir.parent / f".{out_dir.name}.retired-{os.getpid()}"
            out_dir.rename(retired)
            staging.rename(out_dir)
            shutil.rmtree(retired)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_abandoned_staging(out_dir: Path) -> None:
    """Remove staging folders left by builds that were killed (their process is gone)."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
