"""Deterministic serialisations of the graph, and their atomic publication into a folder.

The same graph always gives the same bytes: N-Triples lines are sorted, the Turtle
writer orders subjects and predicates, and the JSON-LD is compacted against our own
context and then sorted. Nothing carries a timestamp or a path of this machine.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, Graph, URIRef

from omskg import resources
from omskg.graph import Iris
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


def turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def ntriples(graph: Graph) -> bytes:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def jsonld(graph: Graph, context: dict[str, Any]) -> bytes:
    from pyld import jsonld as pyld  # heavy: imported only when JSON-LD is written

    expanded = json.loads(graph.serialize(format="json-ld", encoding="utf-8"))
    compacted = pyld.compact(expanded, {"@context": context}, {"compactArrays": True})
    nodes = compacted.get("@graph", [compacted])
    document = {"@context": context, "@graph": sorted((_sorted(n) for n in nodes), key=lambda n: n["id"])}
    return _json_bytes(document)


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


def publication(graph: Graph, vocab: Vocabulary, base: str) -> dict[str, bytes]:
    """Every file of dist/, by name."""
    context = jsonld_context(vocab, base)
    return {
        TURTLE: turtle(graph),
        NTRIPLES: ntriples(graph),
        JSONLD: jsonld(graph, context),
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
