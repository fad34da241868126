"""The main job: fact files -> graph -> SHACL gate -> files in dist/."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from omskg import export
from omskg.facts import fact_file_paths, read_fact_files
from omskg.graph import build_graph
from omskg.validate import Outcome, validate_graph
from omskg.vocab import load_vocabulary

Progress = Callable[[str], None]


class ValidationFailed(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        super().__init__(f"{len(outcome.violations)} SHACL violation(s)")


@dataclass(frozen=True)
class BuildReport:
    out_dir: Path
    triples: int
    facts: int
    entities: int
    files: dict[str, int]  # name -> bytes
    seconds: float


def assemble(facts_dir: Path, base: str, progress: Progress = lambda _: None) -> tuple[Graph, int, int]:
    """Read and check the fact files, and build the graph (not yet validated)."""
    vocab = load_vocabulary()
    paths = fact_file_paths(facts_dir)
    progress(f"reading {len(paths)} fact file(s) from {facts_dir}")
    fact_files = read_fact_files(paths, vocab)
    facts = sum(len(f.facts) for f in fact_files)
    entities = sum(len(f.entities) for f in fact_files)
    progress(f"building the graph from {facts} facts about {entities} entities")
    return build_graph(fact_files, vocab, base), facts, entities


def build(facts_dir: Path, out_dir: Path, base: str, progress: Progress = lambda _: None) -> BuildReport:
    started = time.perf_counter()
    graph, facts, entities = assemble(facts_dir, base, progress)
    progress(f"validating {len(graph)} triples against the SHACL shapes")
    outcome = validate_graph(graph)
    if not outcome.conforms:
        raise ValidationFailed(outcome)
    progress("serialising Turtle, N-Triples and JSON-LD")
    files = export.publication(graph, load_vocabulary(), base)
    export.write_atomically(files, out_dir)
    progress(f"wrote {len(files)} files to {out_dir}")
    return BuildReport(
        out_dir,
        len(graph),
        facts,
        entities,
        {n: len(b) for n, b in sorted(files.items())},
        time.perf_counter() - started,
    )
