"""The same facts for readers without RDF: nested JSON per condition (with its JSON Schema),
KGX nodes and edges for the Biolink world, and the SSSOM mappings, all from the records."""

from __future__ import annotations

import pickle
from pathlib import Path

from omskg import condition_json, condition_schema, kgx, mappings, publish
from omskg.metadata import DatasetMetadata
from omskg.minted import Minted
from omskg.records import FactFile
from omskg.vocab import load_vocabulary

Spilled = tuple[dict[str, bytes], dict[str, tuple[int, str]], int]


_KEPT: list[FactFile] = []  # in the readers' process: the fact files handed to it so far


def start() -> None:
    """The readers' process's first task: nothing kept from the process it was forked from."""
    _KEPT.clear()


def keep(blob: bytes) -> None:
    """In the readers' process: a chunk of fact files pickled by a worker, read while the
    other workers go on (``of_kept`` writes the files once every chunk is in)."""
    _KEPT.extend(pickle.loads(blob))


def of_kept(
    expected: int, targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str,
    folder: Path | None = None,
) -> Spilled:
    """``files_and_sssom`` of the ``expected`` fact files kept so far (then let go): the files
    kept in memory, the large ones written into ``folder`` (by size and SHA-256), where given,
    rather than sent back whole, and the number of mappings."""
    fact_files = _KEPT[:]
    _KEPT.clear()
    if len(fact_files) != expected:
        raise RuntimeError(f"the readers' process was handed {len(fact_files)} fact files, not {expected}")
    files, rows = files_and_sssom(fact_files, targets, meta, base)
    if folder is None:
        return files, {}, rows
    in_memory, written = publish.spill(files, folder)
    return in_memory, written, rows


def files_and_sssom(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str
) -> tuple[dict[str, bytes], int]:
    """The files for readers without RDF, and the SSSOM mappings; the number of mappings."""
    files = reader_files(fact_files, targets, meta, base)
    rows = mappings.mappings(fact_files, targets)
    files[publish.SSSOM] = mappings.sssom_tsv(
        rows, base, meta.version, meta.title, meta.license, meta.issued.isoformat()
    )
    return files, len(rows)


def reader_files(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str
) -> dict[str, bytes]:
    """The nested JSON per condition (with its JSON Schema), and the KGX nodes and edges."""
    vocab, minted = load_vocabulary(), Minted(base)  # (both files name every entity and statement)
    nodes, edges = kgx.kgx_files(fact_files, vocab, base, meta.infores, minted)
    return {
        publish.CONDITIONS: condition_json.conditions_document(fact_files, targets, vocab, base, minted),
        publish.CONDITIONS_SCHEMA: condition_schema.conditions_schema(vocab, base, publish.CONDITIONS_SCHEMA),
        publish.KGX_NODES: nodes,
        publish.KGX_EDGES: edges,
    }
