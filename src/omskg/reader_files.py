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
    """``readers_share`` of the ``expected`` fact files kept so far (then let go): the files
    kept in memory, and the large ones written into ``folder`` (by size and SHA-256), where
    given, rather than sent back whole."""
    fact_files = _KEPT[:]
    _KEPT.clear()
    if len(fact_files) != expected:
        raise RuntimeError(f"the readers' process was handed {len(fact_files)} fact files, not {expected}")
    files = _readers_share(fact_files, targets, meta, base, Minted(base))
    if folder is None:
        return dict(files), {}
    return publish.spill(files, folder)  # (each written while the next is made)


def files_and_sssom(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str
) -> tuple[dict[str, bytes], int]:
    """The files for readers without RDF, and the SSSOM mappings; the number of mappings."""
    minted = Minted(base)  # (both shares name every entity and statement)
    files = readers_share(fact_files, targets, meta, base, minted)
    rest, rows = nodes_and_sssom(fact_files, targets, meta, base, minted)
    written = {**files, **rest}
    return {name: written[name] for name in READER_FILES}, rows


# Where the files for readers are written by a process of their own (on many fact files), it
# writes its share while the building process writes the graph's files; then the building
# process writes the rest, the cheaper share, rather than wait for that process.
READER_FILES = (
    publish.CONDITIONS, publish.CONDITIONS_SCHEMA, publish.KGX_NODES, publish.KGX_EDGES, publish.SSSOM,
)


def readers_share(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str,
    minted: Minted | None = None,
) -> dict[str, bytes]:
    """The nested JSON per condition (with its JSON Schema), and the KGX edges."""
    return dict(_readers_share(fact_files, targets, meta, base, minted or Minted(base)))


def _readers_share(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str,
    minted: Minted,
) -> Iterator[tuple[str, bytes]]:
    vocab = load_vocabulary()
    yield publish.CONDITIONS, condition_json.conditions_document(fact_files, targets, vocab, base, minted)
    schema = publish.CONDITIONS_SCHEMA
    yield schema, condition_schema.conditions_schema(vocab, base, schema)
    yield publish.KGX_EDGES, kgx.kgx_edges(fact_files, vocab, base, meta.infores, minted)


def nodes_and_sssom(
    fact_files: list[FactFile], targets: dict[str, mappings.Target], meta: DatasetMetadata, base: str,
    minted: Minted | None = None,
) -> tuple[dict[str, bytes], int]:
    """The KGX nodes and the SSSOM mappings; the number of mappings."""
    vocab, minted = load_vocabulary(), minted or Minted(base)
    rows = mappings.mappings(fact_files, targets)
    sssom = mappings.sssom_tsv(rows, base, meta.version, meta.title, meta.license, meta.issued.isoformat())
    nodes = kgx.kgx_nodes(fact_files, vocab, base, meta.infores, minted)
    return {publish.KGX_NODES: nodes, publish.SSSOM: sssom}, len(rows)
