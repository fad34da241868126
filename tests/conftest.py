"""Shared fixtures: the curated facts, the graph built from them, and one real build."""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from xdist.scheduler import LoadScopeScheduling

from omskg import mappings, resources
from omskg.build import build
from omskg.facts import fact_file_paths, read_fact_file
from omskg.graph import file_triples, shared_triples
from omskg.iris import Iris
from omskg.metadata import DatasetMetadata, load_metadata
from omskg.rdf import as_rdflib
from omskg.records import EntityRef, FactFile
from omskg.vocab import DEFAULT_BASE, Vocabulary, load_vocabulary

REPO = Path(__file__).resolve().parents[1]

def _cache_rdflib_sparql_translation() -> None:
    """pySHACL, the reference engine, re-parses each SPARQL constraint for every focus node:
    four fifths of its time on our shapes went to rdflib's SPARQL parser. Parsing and
    translating a query is a pure function of its text, base and prefixes, and rdflib's own
    prepared queries are made to be evaluated again and again, so the tests keep each
    translation (the answers are the same; a test run is about twice as fast)."""
    from rdflib.plugins.sparql import processor

    if getattr(processor.SPARQLProcessor.query, "cached", False):
        return
    translate = functools.lru_cache(maxsize=4096)(
        lambda text, base, prefixes: processor.translateQuery(processor.parseQuery(text), base, dict(prefixes))
    )
    evaluate = processor.SPARQLProcessor.query

    def query(self: Any, strOrQuery: Any, initBindings: Any = None, initNs: Any = None,  # noqa: N803
              base: Any = None, DEBUG: bool = False) -> Any:  # noqa: N803
        if isinstance(strOrQuery, str):
            prefixes = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = translate(strOrQuery, base, prefixes)
        return evaluate(self, strOrQuery, initBindings, initNs, base, DEBUG)

    query.cached = True  # type: ignore[attr-defined]
    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]


_cache_rdflib_sparql_translation()


#: Test files that share servers started once per worker: each runs whole in one worker.
TOGETHER = ("tests/test_stores.py",)


class StoresTogether(LoadScopeScheduling):
    """`--dist load`, except that each file of TOGETHER goes to one worker, so the real stores
    it starts (Virtuoso takes seconds) start once per run. (xdist's own `loadgroup` stopped
    grouping with pytest 9.2: pytest-xdist issue 1386.)"""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::")[0]
        return path if path in TOGETHER else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
    if config.getvalue("dist") != "load":
        return None
    return StoresTogether(config, log)  # type: ignore[arg-type]


#: Start-up times of the servers the tests started (name -> seconds), reported at the end.
STARTED: dict[str, float] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the times to the controller
        workeroutput["started"] = json.dumps(STARTED)


def pytest_testnodedown(node: object, error: object) -> None:
    STARTED.update(json.loads(getattr(node, "workeroutput", {}).get("started", "{}")))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, seconds in sorted(STARTED.items()):
        terminalreporter.write_line(f"{name} started in {seconds:.1f} s")

#: A handful of facts that between them use every kind of object, qualifier and value node.
MINI_FACTS = frozenset({
    "oms-abbreviation",
    "oms-symptom-ataxia",
    "oms-incidence",
    "oms-median-age-of-onset",
    "oms-neuroblastoma-in-half-of-pediatric-cases",
    "oms-adults-breast-cancer",
    "oms-corticosteroids",
})


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="session")
def meta() -> DatasetMetadata:
    return load_metadata(resources.dataset_metadata_file())


@pytest.fixture(scope="session")
def fact_file(vocab: Vocabulary) -> FactFile:
    (only,) = fact_file_paths(resources.conditions_dir())
    return read_fact_file(only, vocab)


@pytest.fixture(scope="session")
def source_text(fact_file: FactFile) -> str:
    return fact_file.source.path.read_text(encoding="utf-8")


def build_graph(fact_files: list[FactFile], vocab: Vocabulary, base: str, meta: DatasetMetadata) -> Graph:
    """The graph of already-read fact files (the pipeline's two graph functions, unvalidated),
    as an rdflib Graph for the tests that change or inspect it."""
    triples = shared_triples(fact_files, vocab, base, meta)
    for fact_file in fact_files:
        triples |= file_triples(fact_file, vocab, base)
    return as_rdflib(triples, Iris(base).prefix_map())


@pytest.fixture(scope="session")
def graph(fact_file: FactFile, vocab: Vocabulary, meta: DatasetMetadata) -> Graph:
    """The published graph: the facts' triples and the labels of their cross-reference targets."""
    targets = mappings.load_targets(resources.xref_targets_file())
    triples = shared_triples([fact_file], vocab, DEFAULT_BASE, meta) | file_triples(fact_file, vocab, DEFAULT_BASE)
    triples |= mappings.label_triples([fact_file], targets)
    return as_rdflib(triples, Iris(DEFAULT_BASE).prefix_map())


def mini_fact_file(fact_file: FactFile) -> FactFile:
    facts = [f for f in fact_file.facts if f.id in MINI_FACTS]
    referenced = {f.subject for f in facts}
    for fact in facts:
        if isinstance(fact.object, EntityRef):
            referenced.add(fact.object.id)
        referenced |= {v.id for _, values in fact.qualifiers for v in values if isinstance(v, EntityRef)}
    entities = [e for e in fact_file.entities if e.id in referenced]
    return dataclasses.replace(fact_file, facts=tuple(facts), entities=tuple(entities))


@pytest.fixture(scope="session")
def mini_graph(fact_file: FactFile, vocab: Vocabulary, meta: DatasetMetadata) -> Graph:
    """A small valid graph, fast to validate, for the one-constraint-at-a-time tests."""
    return build_graph([mini_fact_file(fact_file)], vocab, DEFAULT_BASE, meta)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real build of the curated facts, into a fresh folder."""
    out = tmp_path_factory.mktemp("build") / "dist"
    build(resources.conditions_dir(), out, DEFAULT_BASE)
    return out

