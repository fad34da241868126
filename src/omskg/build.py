"""The main job: fact files -> graph -> SHACL gate -> files in dist/."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph

from omskg import describe, export, mappings, resources
from omskg.facts import FactFile, fact_file_paths, read_fact_files
from omskg.graph import build_graph
from omskg.metadata import DatasetMetadata, load_metadata
from omskg.validate import Outcome, validate_graph
from omskg.vocab import OMSKG, load_vocabulary

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
    graph: Graph
    fact_files: list[FactFile]
    meta: DatasetMetadata
    targets: dict[str, mappings.Target]

    @property
    def facts(self) -> int:
        return sum(len(f.facts) for f in self.fact_files)

    @property
    def entities(self) -> int:
        return sum(len(f.entities) for f in self.fact_files)


@dataclass(frozen=True)
class BuildReport:
    out_dir: Path
    triples: int
    facts: int
    entities: int
    mappings: int
    files: dict[str, int]  # name -> bytes
    seconds: float


def assemble(facts_dir: Path, base: str, progress: Progress = _quiet) -> Assembled:
    """Read and check the fact files and cross-references, and build the graph (not yet validated)."""
    vocab = load_vocabulary()
    paths = fact_file_paths(facts_dir)
    progress(f"reading {len(paths)} fact file(s) from {facts_dir}")
    fact_files = read_fact_files(paths, vocab)
    targets_path = resources.xref_targets_file()
    targets = mappings.load_targets(targets_path)
    mappings.check_xrefs(fact_files, targets, targets_path)
    meta = load_metadata(resources.dataset_metadata_file())
    assembled = Assembled(build_graph(fact_files, vocab, base, meta), fact_files, meta, targets)
    progress(f"built the graph from {assembled.facts} facts about {assembled.entities} entities")
    return assembled


def build(facts_dir: Path, out_dir: Path, base: str, progress: Progress = _quiet) -> BuildReport:
    started = time.perf_counter()
    assembled = assemble(facts_dir, base, progress)
    graph, meta = assembled.graph, assembled.meta
    progress(f"validating {len(graph)} triples against the SHACL shapes")
    outcome = validate_graph(graph)
    if not outcome.conforms:
        raise ValidationFailed(outcome)

    progress("serialising Turtle, N-Triples, JSON-LD and the SSSOM mapping set")
    files = export.publication(graph, load_vocabulary(), base)
    rows = mappings.mappings(assembled.fact_files, assembled.targets)
    files[export.SSSOM] = mappings.sssom_tsv(
        rows, base, meta.version, meta.title, meta.license, meta.issued.isoformat()
    )

    progress("describing the dataset (HCLS, VoID, DCAT, schema.org)")
    disclaimer = assembled.fact_files[0].source.disclaimer.quote
    description = describe.describe(meta, files, graph, base, disclaimer)
    outcome = validate_graph(description)
    if not outcome.conforms:
        raise ValidationFailed(outcome, "the dataset description")
    sources = sorted(str(s) for s in graph.subjects(RDF.type, OMSKG.SourceDocument))
    files[export.DESCRIPTION] = export.turtle(description)
    files[export.SCHEMA_ORG] = describe.schema_org(meta, files, base, disclaimer, sources)

    export.write_atomically(files, out_dir)
    progress(f"wrote {len(files)} files to {out_dir}")
    return BuildReport(
        out_dir,
        len(graph),
        assembled.facts,
        assembled.entities,
        len(rows),
        {n: len(b) for n, b in sorted(files.items())},
        time.perf_counter() - started,
    )
