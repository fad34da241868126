"""The one pipeline: fact files -> records -> graph -> SHACL gate -> files.

``publish`` is the only function that turns fact files into a validated publication;
``omskg build`` writes it into dist/, ``omskg serve`` serves it, and ``omskg query``
without --data queries it.

Many fact files are read and turned into triples by forked workers, one chunk each. On a
large graph the SHACL gate runs in a forked child process while the parent writes the
serialisations (nothing is published until the gate has passed). Below ``PARALLEL_FILES``
files and ``PARALLEL_FROM`` triples a fork costs more than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from omskg import condition_json, condition_schema, describe, formats, kgx, mappings, publish, resources
from omskg.facts import fact_file_paths, problems_across, read_fact_files
from omskg.graph import file_triples, shared_triples
from omskg.iris import Iris
from omskg.metadata import DatasetMetadata, load_metadata
from omskg.rdf import Triples, parse_ntriples
from omskg.records import FactFile, InputError, Problem
from omskg.validate import Engine, Outcome, validate_triples
from omskg.vocab import load_vocabulary

PARALLEL_FROM = 50_000  # triples
PARALLEL_FILES = 16  # fact files read and built by a pool of forked workers from this many
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()  # not on Windows: all in one process

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class ValidationFailed(Exception):
    def __init__(self, outcome: Outcome, what: str = "the graph") -> None:
        self.outcome = outcome
        self.what = what
        super().__init__(f"{what}: {len(outcome.violations)} SHACL violation(s)")


@dataclass(frozen=True)
class Assembled:
    """The graph built from checked fact files, not yet validated."""

    triples: Triples
    fact_files: list[FactFile]
    meta: DatasetMetadata
    targets: dict[str, mappings.Target]
    base: str

    @property
    def facts(self) -> int:
        return sum(len(f.facts) for f in self.fact_files)

    @property
    def entities(self) -> int:
        return sum(len(f.entities) for f in self.fact_files)


@dataclass(frozen=True)
class Publication:
    """A validated graph and every file of the publication, by name."""

    assembled: Assembled
    files: dict[str, bytes]
    mappings: int
    seconds: float

    @property
    def triples(self) -> Triples:
        return self.assembled.triples

    @property
    def base(self) -> str:
        return self.assembled.base


def assemble(
    facts_dir: Path, base: str, progress: Progress = _quiet, metadata_file: Path | None = None
) -> Assembled:
    """Read and check the fact files and cross-references, and build the graph (not yet validated).
    ``metadata_file`` defaults to the shipped data/dataset.yaml."""
    Iris(base)  # an invalid base is refused before any work
    paths = fact_file_paths(facts_dir)
    progress(f"reading {len(paths)} fact file(s) from {facts_dir} and building their triples")
    began = time.perf_counter()
    if len(paths) >= PARALLEL_FILES and _CAN_FORK:
        fact_files, problems, triples = _read_and_build_in_parallel(paths, base)
    else:
        fact_files, problems, triples = _read_and_build_here(paths, base)
    problems.extend(problems_across(fact_files))
    if problems:
        raise InputError(problems)
    targets_path = resources.xref_targets_file()
    targets = mappings.load_targets(targets_path)
    mappings.check_xrefs(fact_files, targets, targets_path)
    triples |= mappings.label_triples(fact_files, targets)
    meta = load_metadata(metadata_file or resources.dataset_metadata_file())
    triples |= shared_triples(fact_files, load_vocabulary(), base, meta)
    assembled = Assembled(triples, fact_files, meta, targets, base)
    progress(_rate(
        f"read {len(paths):,} fact file(s) and built {len(triples):,} triples from {assembled.facts:,} "
        f"facts about {assembled.entities:,} entities", len(triples), "triples", began,
    ))
    return assembled


def _read_and_build_here(paths: list[Path], base: str) -> tuple[list[FactFile], list[Problem], Triples]:
    """Read fact files and build their triples; the problems of the files that fail."""
    vocab = load_vocabulary()
    fact_files, problems = read_fact_files(paths, vocab)
    triples: Triples = set()
    for fact_file in fact_files:
        triples |= file_triples(fact_file, vocab, base)
    return fact_files, problems, triples


def _read_and_build(paths: list[Path], base: str) -> tuple[list[FactFile], list[Problem], bytes]:
    """In a worker: ``_read_and_build_here``, the triples handed back as N-Triples
    (parsing them is ten times cheaper than pickling the triples)."""
    fact_files, problems, triples = _read_and_build_here(paths, base)
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return fact_files, problems, data


def _read_and_build_in_parallel(
    paths: list[Path], base: str
) -> tuple[list[FactFile], list[Problem], Triples]:
    workers = max(1, min(os.cpu_count() or 1, 8))
    size = -(-len(paths) // (workers * 4))  # a few chunks per worker, to even out the load
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    fact_files: list[FactFile] = []
    problems: list[Problem] = []
    triples: Triples = set()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for files, found, data in pool.map(_read_and_build, chunks, [base] * len(chunks)):
            fact_files.extend(files)
            problems.extend(found)
            triples |= parse_ntriples(data)
    return fact_files, problems, triples


def _rate(message: str, count: int, unit: str, began: float) -> str:
    seconds = time.perf_counter() - began
    return f"{message} in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} {unit}/s)"


_PENDING: Triples = set()  # what a forked validator inherits


def _validate_pending(engine: Engine) -> Outcome:
    return validate_triples(_PENDING, engine=engine)


def _start_validation(triples: Triples, engine: Engine) -> Future[Outcome]:
    global _PENDING
    if len(triples) < PARALLEL_FROM or not _CAN_FORK:
        done: Future[Outcome] = Future()
        done.set_result(validate_triples(triples, engine=engine))
        return done
    _PENDING = triples
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(_validate_pending, engine)  # the worker is forked here
    _PENDING = set()
    pool.shutdown(wait=False)  # the worker finishes its one task, then exits
    return future


def publish_graph(
    facts_dir: Path,
    base: str,
    progress: Progress = _quiet,
    engine: Engine = "fast",
    metadata_file: Path | None = None,
) -> Publication:
    """Fact files -> a validated publication: the graph and the bytes of every file.
    Raises InputError for bad input and ValidationFailed when a graph violates the shapes."""
    # The build allocates millions of objects and frees almost none until it ends, so the
    # cycle collector's full passes over them find nothing (and took a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _publish(facts_dir, base, progress, engine, metadata_file)
    finally:
        if collecting:
            gc.enable()


def _publish(
    facts_dir: Path, base: str, progress: Progress, engine: Engine, metadata_file: Path | None
) -> Publication:
    started = time.perf_counter()
    assembled = assemble(facts_dir, base, progress, metadata_file)
    triples, meta = assembled.triples, assembled.meta
    progress(f"validating {len(triples):,} triples against the SHACL shapes ({engine} engine)")
    began = time.perf_counter()
    validation = _start_validation(triples, engine)

    serialising = time.perf_counter()
    ordered = formats.SortedTriples(triples)
    files = _graph_files(ordered, base)
    files[publish.NQUADS] = formats.nquads(ordered, str(Iris(base).release(meta.version)))
    files |= _reader_files(assembled, ordered)
    rows = mappings.mappings(assembled.fact_files, assembled.targets)
    files[publish.SSSOM] = mappings.sssom_tsv(
        rows, base, meta.version, meta.title, meta.license, meta.issued.isoformat()
    )
    stats = describe.statistics(ordered.triples, base)
    progress(_rate("serialised Turtle, N-Triples, JSON-LD and SSSOM", len(triples), "triples", serialising))

    outcome = validation.result()
    progress(_rate("validated", len(triples), "triples", began))
    if not outcome.conforms:
        raise ValidationFailed(outcome)

    disclaimer = assembled.fact_files[0].source.disclaimer.quote
    sources = [f.source for f in assembled.fact_files]
    description = describe.describe(meta, files, stats, base, disclaimer, sources)
    outcome = validate_triples(description, engine=engine)
    if not outcome.conforms:
        raise ValidationFailed(outcome, "the dataset description")
    files[publish.DESCRIPTION] = formats.turtle(formats.SortedTriples(description), describe.prefix_map(base))
    files[publish.SCHEMA_ORG] = describe.schema_org(meta, files, base, disclaimer, stats.sources)
    return Publication(assembled, files, len(rows), time.perf_counter() - started)


def _graph_files(ordered: formats.SortedTriples, base: str) -> dict[str, bytes]:
    """The graph in every format, with its context, and the ontology and shapes it was built
    and validated with."""
    context = formats.jsonld_context(load_vocabulary(), base)
    return {
        publish.TURTLE: formats.turtle(ordered, Iris(base).prefix_map()),
        publish.NTRIPLES: formats.ntriples(ordered),
        publish.JSONLD: formats.jsonld(ordered, context),
        publish.CONTEXT: formats.context_document(context),
        publish.ONTOLOGY: resources.ontology_file().read_bytes(),
        publish.SHAPES: (resources.shapes_dir() / "omskg-shapes.ttl").read_bytes(),
        publish.DATASET_SHAPES: (resources.shapes_dir() / "dataset-shapes.ttl").read_bytes(),
    }


def _reader_files(assembled: Assembled, ordered: formats.SortedTriples) -> dict[str, bytes]:
    """The same facts for readers without RDF: nested JSON per condition (with its JSON
    Schema), and KGX nodes and edges for the Biolink world."""
    vocab = load_vocabulary()
    base = assembled.base
    nodes, edges = kgx.kgx_files(assembled.fact_files, vocab, base, assembled.meta.infores)
    return {
        publish.CONDITIONS: condition_json.conditions_document(
            assembled.fact_files, assembled.targets, vocab, base
        ),
        publish.CONDITIONS_SCHEMA: condition_schema.conditions_schema(vocab, base, publish.CONDITIONS_SCHEMA),
        publish.KGX_NODES: nodes,
        publish.KGX_EDGES: edges,
    }


def build(
    facts_dir: Path,
    out_dir: Path,
    base: str,
    progress: Progress = _quiet,
    engine: Engine = "fast",
    metadata_file: Path | None = None,
) -> Publication:
    """``publish_graph``, then the files written into ``out_dir`` in one atomic step."""
    publication = publish_graph(facts_dir, base, progress, engine, metadata_file)
    publish.write_atomically(publication.files, out_dir)
    progress(f"wrote {len(publication.files)} files to {out_dir}")
    return publication
