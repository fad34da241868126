"""The one pipeline: fact files -> records -> graph -> SHACL gate -> files.

``publish`` is the only function that turns fact files into a validated publication;
``omskg build`` writes it into dist/, ``omskg serve`` serves it, and ``omskg query``
without --data queries it.

Many fact files are read by forked workers, one chunk each; a worker builds each file's
part of the graph as text (sorted N-Triples lines, JSON-LD node objects) and validates it
with the ontology, and the parent merges the parts and runs the checks that span files
(omskg.parts: the split SHACL gate, whose report is always the whole graph's). Below
``PARALLEL_FILES`` files a fork costs more than it saves: the files are read here and the
whole graph is shown to conform by the quick check (omskg.shacl.quick), else validated by
the engine. With the workers, a process forked before them (while this one is small, so that
the two share little) writes the files for readers without RDF but the SSSOM mappings while
this one merges, validates and writes the graph's formats and the mappings.
"""

from __future__ import annotations

import gc
import pickle
import shutil
import time
from collections.abc import Callable
from concurrent import futures as cf
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import count, repeat
from pathlib import Path

from omskg import describe, formats, mappings, parts, processes, publish, reader_files, resources
from omskg.facts import fact_file_paths, problems_across, read_fact_files
from omskg.graph import file_lines, ontology_triples, shared_triples
from omskg.iris import Iris
from omskg.metadata import DatasetMetadata, load_metadata
from omskg.minted import Minted
from omskg.rdf import Triples, parse_ntriples
from omskg.records import FactFile, InputError, Problem
from omskg.validate import (
    Engine,
    Outcome,
    _compiled_default_shapes,
    part_conforms,
    shown_to_conform,
    validate_triples,
)
from omskg.vocab import Vocabulary, load_vocabulary

PARALLEL_FILES = 16  # fact files read and built by a pool of forked workers from this many

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
    """The graph built from checked fact files, not yet validated: its N-Triples lines
    (sorted), its JSON-LD node objects, and the records it was built from."""

    lines: list[str]
    nodes: list[tuple[str, str]]
    turtle: list[bytes]  # a Turtle statement per subject
    statistics: describe.Statistics
    fact_files: list[FactFile]
    meta: DatasetMetadata
    targets: dict[str, mappings.Target]
    base: str
    gate: Callable[[], bool] = field(default=lambda: False, compare=False, repr=False)
    readers: cf.Future[reader_files.Spilled] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def triples(self) -> Triples:
        if not self.lines and self.count:
            # publish lets the lines go once the files are written; an empty set here would lie
            raise RuntimeError("the assembled lines were let go once written: read Publication.triples")
        return parts.parse_all(self.lines)

    @property
    def count(self) -> int:
        return self.statistics.triples

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
    files: publish.Staged
    mappings: int
    seconds: float

    @cached_property
    def triples(self) -> Triples:
        return parse_ntriples(self.files[publish.NTRIPLES])

    @property
    def base(self) -> str:
        return self.assembled.base


def assemble(
    facts_dir: Path, base: str, progress: Progress = _quiet, metadata_file: Path | None = None,
    split: bool = True, spill: Path | None = None,
) -> Assembled:
    """Read and check the fact files and cross-references, and build the graph (not yet
    validated). ``metadata_file`` defaults to the shipped data/dataset.yaml. With ``split``,
    the parallel workers validate each file's triples for the split SHACL gate (omskg.parts).
    With ``spill``, the process that writes the files for readers puts the large ones there."""
    Iris(base)  # an invalid base is refused before any work
    paths = fact_file_paths(facts_dir)
    progress(f"reading {len(paths)} fact file(s) from {facts_dir} and building their triples")
    began = time.perf_counter()
    parallel = len(paths) >= PARALLEL_FILES and processes.can_fork()
    readers: cf.Future[reader_files.Spilled] | None = None
    if parallel:
        processes.reuse_freed_memory()
        # forked now, while this process is small: it writes the files for readers later
        reader = processes.pool(1)
        reader.submit(reader_files.start).result()
        try:
            def hand_on(blob: bytes, statements: bytes) -> None:  # (it reads them while the workers go on)
                reader.submit(reader_files.keep, blob, statements)

            fact_files, problems, built = _read_and_build_in_parallel(paths, base, split, hand_on, spill)
        except BaseException:
            reader.shutdown(cancel_futures=True)
            raise
    else:
        fact_files, problems, built = _read_and_build(paths, base)
    checked = False
    try:
        problems.extend(problems_across(fact_files))
        if problems:
            raise InputError(problems)
        targets_path = resources.xref_targets_file()
        targets = mappings.load_targets(targets_path)
        mappings.check_xrefs(fact_files, targets, targets_path)
        meta = load_metadata(metadata_file or resources.dataset_metadata_file())
        checked = True
    finally:
        if parallel:
            if checked:
                readers = reader.submit(reader_files.of_kept, len(fact_files), targets, meta, base, spill)
            reader.shutdown(wait=False, cancel_futures=not checked)
    try:
        vocab = load_vocabulary()
        shared = shared_triples(fact_files, vocab, base, meta)
        ontology = set(ontology_triples(vocab))
        merged = parts.merge(built, ontology, shared, _writers(base))
        gate: Callable[[], bool] = lambda: False  # noqa: E731
        if parallel and split:
            summary = parts.gate_summary(built)
            gate = partial(parts.split_gate, summary, merged.local, merged.gate_graph, ontology)
        elif not parallel:  # one graph: the quick check of it
            gate = partial(shown_to_conform, merged.lines)
        del built  # (the merged graph holds what is kept of the parts)
        stats = describe.statistics_of_counts(merged.counts, merged.subjects, len(merged.lines), base)
        assembled = Assembled(
            merged.lines, merged.nodes, merged.turtle, stats, fact_files, meta, targets, base, gate, readers
        )
    except BaseException:  # (it writes into the staging folder that the caller removes)
        if readers is not None:
            cf.wait([readers])
        raise
    progress(_rate(
        f"read {len(paths):,} fact file(s) and built {assembled.count:,} triples from {assembled.facts:,} "
        f"facts about {assembled.entities:,} entities", assembled.count, "triples", began,
    ))
    return assembled


_WRITERS: dict[str, parts.Writers] = {}


def _writers(base: str) -> parts.Writers:
    """The JSON-LD node and Turtle writers for ``base`` (one per process: caches pay off)."""
    found = _WRITERS.get(base)
    if found is None:
        context = formats.jsonld_context(load_vocabulary(), base)
        found = _WRITERS[base] = parts.writers(context, Iris(base).prefix_map(), base)
    return found


def _read_and_build(
    paths: list[Path], base: str, validate: bool = False, minted: Minted | None = None
) -> tuple[list[FactFile], list[Problem], list[parts.Part]]:
    """Read fact files and build each one's part of the graph (validated with the ontology
    when ``validate``); the problems of the files that fail. Their statements' IRIs are kept
    in ``minted``, where given."""
    vocab = load_vocabulary()
    fact_files, problems = read_fact_files(paths, vocab)
    writers = _writers(base)
    targets = _targets()
    built: list[parts.Part] = []
    for fact_file in fact_files:
        # a target's label travels with each file that refers to it, as a value node does
        lines = file_lines(fact_file, vocab, base, mappings.label_triples([fact_file], targets), minted)
        part = parts.make_part(lines, writers)
        if validate:  # with the ontology; as N-Triples only where the engine must decide
            part.conforms = part_conforms(lines.rows, partial(_with_ontology, part.lines, vocab))
        built.append(part)
    return fact_files, problems, built


def _targets() -> dict[str, mappings.Target]:
    """The verified cross-reference targets, for their labels; none where the table cannot be
    read (the parent reports that, with everything else about the input)."""
    try:
        return mappings.load_targets(resources.xref_targets_file())
    except InputError:
        return {}


_ONTOLOGY_TEXT: dict[int, tuple[Vocabulary, bytes]] = {}  # (the vocabulary kept: its id stays its own)


def _ontology_ntriples(vocab: Vocabulary) -> bytes:
    found = _ONTOLOGY_TEXT.get(id(vocab))
    if found is None or found[0] is not vocab:
        text = formats.ntriples_of_lines(sorted(str(t) for t in ontology_triples(vocab)))
        found = _ONTOLOGY_TEXT[id(vocab)] = (vocab, text)
    return found[1]


def _with_ontology(lines: list[str], vocab: Vocabulary) -> bytes:
    return formats.ntriples_of_lines(lines) + _ontology_ntriples(vocab)


def _in_worker(
    paths: list[Path], base: str, validate: bool, spool: Path | None, chunk: int
) -> tuple[bytes, bytes, list[Problem], list[parts.Part] | processes.Spooled]:
    """The fact files come back pickled once, as bytes, and their statements' IRIs (minted
    here for the triples, and named again by the files for readers): the parent reads the
    fact files, and hands both on to the process that writes those files. The parts, the
    bulk of it, come back through a file in ``spool`` (processes.spooled)."""
    minted = Minted(base)
    fact_files, problems, built = _read_and_build(paths, base, validate, minted)
    statements = [[minted.statement(fact) for fact in fact_file.facts] for fact_file in fact_files]
    blob, iris = (pickle.dumps(x, pickle.HIGHEST_PROTOCOL) for x in (fact_files, statements))
    return blob, iris, problems, processes.spooled(built, spool, f"{chunk}.pickle")


def _read_and_build_in_parallel(
    paths: list[Path], base: str, validate: bool, hand_on: Callable[[bytes, bytes], None],
    staging: Path | None,
) -> tuple[list[FactFile], list[Problem], list[parts.Part]]:
    """Chunks of fact files in forked workers, a part of the graph per file; each chunk's
    fact files, pickled, handed on as they come. What the workers hand back goes through a
    folder in ``staging`` where there is one (a build killed midway leaves it there, and the
    next build removes it with the staging folder)."""
    workers = processes.worker_count()
    chunks = processes.chunks(paths, workers)
    fact_files: list[FactFile] = []
    problems: list[Problem] = []
    built: list[parts.Part] = []
    if validate:
        _compiled_default_shapes()  # compiled once, before the workers are forked
    with processes.spool(staging) as spool, processes.pool(workers) as pool:
        results = pool.map(_in_worker, chunks, repeat(base), repeat(validate), repeat(spool), count())
        for blob, iris, found, part in results:
            fact_files.extend(pickle.loads(blob))
            hand_on(blob, iris)
            problems.extend(found)
            built.extend(processes.unspooled(part))
    return fact_files, problems, built


def _rate(message: str, count: int, unit: str, began: float) -> str:
    seconds = time.perf_counter() - began
    return f"{message} in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} {unit}/s)"


def publish_graph(
    facts_dir: Path,
    base: str,
    progress: Progress = _quiet,
    engine: Engine = "fast",
    metadata_file: Path | None = None,
    spill: Path | None = None,
) -> Publication:
    """Fact files -> a validated publication: the graph and the bytes of every file (the
    large ones written into the folder ``spill`` as they are made, where given).
    Raises InputError for bad input and ValidationFailed when a graph violates the shapes."""
    # The build allocates millions of objects and frees almost none until it ends, so the
    # cycle collector's full passes over them find nothing (and took a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _publish(facts_dir, base, progress, engine, metadata_file, spill)
    finally:
        if collecting:
            gc.freeze()  # what it made stays out of sight: a first pass over it took 0.6 s at 1M
            gc.enable()


def _publish(
    facts_dir: Path, base: str, progress: Progress, engine: Engine, metadata_file: Path | None,
    spill: Path | None,
) -> Publication:
    started = time.perf_counter()
    assembled = assemble(facts_dir, base, progress, metadata_file, engine == "fast", spill)
    files = publish.Staged(spill)  # each large file written to the staging folder once made
    try:
        _validate(assembled, engine, progress)
        rows = _files(assembled, files, engine, progress)
    except BaseException:
        files.abandon()  # the writers stop before the caller removes the staging folder
        if assembled.readers is not None:
            cf.wait([assembled.readers])
        raise
    return Publication(assembled, files, rows, time.perf_counter() - started)


def _validate(assembled: Assembled, engine: Engine, progress: Progress) -> None:
    count = assembled.count
    progress(f"validating {count:,} triples against the SHACL shapes ({engine} engine)")
    began = time.perf_counter()
    if not (engine == "fast" and assembled.gate()):  # the quick gate, else the engine (and its report)
        outcome = validate_triples(assembled.triples, engine=engine)
        if not outcome.conforms:
            raise ValidationFailed(outcome)
    assembled.__dict__.pop("triples", None)  # (Publication.triples reads them from the N-Triples)
    progress(_rate("validated", count, "triples", began))


def _files(assembled: Assembled, files: publish.Staged, engine: Engine, progress: Progress) -> int:
    """Every file of the publication into ``files``; the number of mappings."""
    count, meta, base = assembled.count, assembled.meta, assembled.base
    serialising = time.perf_counter()
    readers = assembled.readers  # (another process writes them meanwhile, on many fact files)
    _graph_files(assembled, base, files, str(Iris(base).release(meta.version)))
    stats = assembled.statistics
    disclaimer = assembled.fact_files[0].source.disclaimer.quote
    sources = [f.source for f in assembled.fact_files]
    release = describe.describe_release(meta, stats, base, disclaimer, sources)  # (all but the files)
    if readers is not None:  # (the large ones written into the staging folder by that process)
        files[publish.SSSOM], rows = reader_files.sssom(assembled.fact_files, assembled.targets, meta, base)
        in_memory, spilled = readers.result()
        files.adopt(spilled)
    else:
        in_memory, rows = reader_files.files_and_sssom(assembled.fact_files, assembled.targets, meta, base)
    files.update(in_memory)
    del in_memory
    progress(_rate("serialised Turtle, N-Triples, JSON-LD and SSSOM", count, "triples", serialising))

    description = describe.with_distributions(release, files, stats)
    outcome = validate_triples(description, engine=engine)
    if not outcome.conforms:
        raise ValidationFailed(outcome, "the dataset description")
    files[publish.DESCRIPTION] = formats.turtle(formats.SortedTriples(description), describe.prefix_map(base))
    files[publish.SCHEMA_ORG] = describe.schema_org(meta, files, base, disclaimer, stats.sources)
    files.finish()
    return rows


def _graph_files(assembled: Assembled, base: str, files: publish.Staged, release: str) -> None:
    """The graph in every format (N-Quads in the named graph ``release``), with its context,
    and the ontology and shapes it was built and validated with. What is written is held
    once: the lines, JSON-LD nodes and Turtle statements are let go as their files are made."""
    context = formats.jsonld_context(load_vocabulary(), base)
    lines = assembled.lines
    streams = files.stream(publish.NTRIPLES), files.stream(publish.NQUADS)
    formats.write_ntriples_and_nquads(lines, release, *streams)
    lines.clear()  # (Publication.triples reads the graph from the N-Triples)
    turtle = formats.turtle_chunks(assembled.turtle, Iris(base).prefix_map())
    formats.write_chunks(turtle, files.stream(publish.TURTLE))
    assembled.turtle.clear()
    formats.write_chunks(formats.jsonld_chunks(assembled.nodes, context), files.stream(publish.JSONLD))
    assembled.nodes.clear()
    files[publish.CONTEXT] = formats.context_document(context)
    files[publish.ONTOLOGY] = resources.ontology_file().read_bytes()
    files[publish.SHAPES] = (resources.shapes_dir() / "omskg-shapes.ttl").read_bytes()
    files[publish.DATASET_SHAPES] = (resources.shapes_dir() / "dataset-shapes.ttl").read_bytes()


def build(
    facts_dir: Path,
    out_dir: Path,
    base: str,
    progress: Progress = _quiet,
    engine: Engine = "fast",
    metadata_file: Path | None = None,
) -> Publication:
    """``publish_graph``, then the files written into ``out_dir`` in one atomic step (the
    large ones into its staging folder as they are made)."""
    staging = publish.start_staging(out_dir)
    try:
        publication = publish_graph(facts_dir, base, progress, engine, metadata_file, staging)
        publish.write_atomically(publication.files, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress(f"wrote {len(publication.files)} files to {out_dir}")
    return publication
