"""The same facts for readers without RDF: nested JSON per condition (with its JSON Schema),
KGX nodes and edges for the Biolink world, and the SSSOM mappings, all from the records."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

from omskg import condition_json, condition_schema, kgx, mappings, publish
from omskg.metadata import DatasetMetadata
from omskg.minted import Minted
from omskg.records import FactFile
from omskg.vocab import load_vocabulary

Spilled = tuple[dict[str, bytes], dict[str, tuple[int, str]]]


# in the readers' process: the fact files handed to it so far, each with its facts'
# statement IRIs (minted by the workers)
_KEPT: list[tuple[FactFile, list[str]]] = []


def start() -> None:
    """The readers' process's first task: nothing kept from the process it was forked from."""
    _KEPT.clear()


def keep(blob: bytes, statements: bytes) -> None:
    """In the readers' process: a chunk of fact files pickled by a worker, and their
    statements' IRIs, read while the other workers go on (``of_kept`` writes the files once
    every chunk is in)."""
    _KEPT.extend(zip(pickle.loads(blob), pickle.loads(statements), strict=True))


def of_kept(
    expected: int, targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str,
    folder: Path | None = None,
) -> Spilled:
    """``readers_share`` of the ``expected`` fact files kept so far (then let go): the files
    kept in memory, and the large ones written into ``folder`` (by size and SHA-256), where
    given, rather than sent back whole."""
    kept = _KEPT[:]
    _KEPT.clear()
    if len(kept) != expected:
        raise RuntimeError(f"the readers' process was handed {len(kept)} fact files, not {expected}")
    minted = Minted(base)
    for fact_file, statements in kept:
        for fact, statement in zip(fact_file.facts, statements, strict=True):
            minted.remember(fact, statement)
    fact_files = [fact_file for fact_file, _ in kept]
    files = _readers_share(fact_files, targets, meta, base, minted)
    if folder is None:
        return dict(files), {}
    return publish.spill(files, folder)  # (each written while the next is made)


def files_and_sssom(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str
) -> tuple[dict[str, bytes], int]:
    """The files for readers without RDF, and the SSSOM mappings; the number of mappings."""
    files = readers_share(fact_files, targets, meta, base)
    files[publish.SSSOM], rows = sssom(fact_files, targets, meta, base)
    return files, rows


def readers_share(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str
) -> dict[str, bytes]:
    """The nested JSON per condition (with its JSON Schema), and the KGX nodes and edges."""
    return dict(_readers_share(fact_files, targets, meta, base, Minted(base)))


def _readers_share(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str,
    minted: Minted,  # (both files name every entity and statement)
) -> Iterator[tuple[str, bytes]]:
    vocab = load_vocabulary()
    yield publish.CONDITIONS, condition_json.conditions_document(fact_files, targets, vocab, base, minted)
    schema = publish.CONDITIONS_SCHEMA
    yield schema, condition_schema.conditions_schema(vocab, base, schema)
    nodes, edges = kgx.kgx_files(fact_files, vocab, base, meta.infores, minted)
    yield publish.KGX_NODES, nodes
    yield publish.KGX_EDGES, edges


def sssom(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str
) -> tuple[bytes, int]:
    """The SSSOM mapping set, and the number of mappings. (Where the files for readers are
    written by a process of their own, on many fact files, the building process writes this
    one while it would otherwise wait for that process.)"""
    rows = mappings.mappings(fact_files, targets)
    issued = meta.issued.isoformat()
    return mappings.sssom_tsv(rows, base, meta.version, meta.title, meta.license, issued), len(rows)
