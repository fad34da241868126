"""The parallel build (forked workers read, build and validate fact files; a process forked
before them writes the files for readers while the parent merges and serialises) publishes
the same bytes as the serial one, and fails the same way: every problem reported, nothing
published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from omskg import build as build_module
from omskg import processes, publish, resources
from omskg.build import ValidationFailed, build
from omskg.records import InputError
from omskg.validate import Outcome, Violation
from omskg.vocab import DEFAULT_BASE

DIST = Path(__file__).resolve().parents[1] / "dist"


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fact file in its own worker's chunk, and the split SHACL gate, whatever the size."""
    monkeypatch.setattr(build_module, "PARALLEL_FILES", 1)


def _two_conditions(tmp_path: Path) -> Path:
    """The curated facts and a synthetic second condition, as a folder of fact files."""
    from benchmarks.corpus import generate

    folder = generate(1, tmp_path / "corpus")
    shutil.copy(resources.conditions_dir() / "opsoclonus-myoclonus-syndrome.yaml", folder)
    for source in resources.conditions_dir().parent.joinpath("sources").iterdir():
        shutil.copy(source, folder.parent / "sources")
    return folder


def test_parallel_build_publishes_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = _two_conditions(tmp_path)
    build(facts, tmp_path / "serial", DEFAULT_BASE)
    monkeypatch.setattr(build_module, "PARALLEL_FILES", 1)
    report = build(facts, tmp_path / "parallel", DEFAULT_BASE)
    assert report.assembled.facts == 2 * 54
    for path in sorted((tmp_path / "serial").iterdir()):
        assert (tmp_path / "parallel" / path.name).read_bytes() == path.read_bytes(), path.name


def test_parallel_build_reports_every_bad_file(tmp_path: Path, parallel: None) -> None:
    facts = _two_conditions(tmp_path)
    for path in facts.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "predicate: hasSymptom\n" in text
        path.write_text(text.replace("predicate: hasSymptom\n", "predicate: hasSymptoms\n", 1), encoding="utf-8")
    out = tmp_path / "dist"
    with pytest.raises(InputError) as error:
        build(facts, out, DEFAULT_BASE)
    assert sorted({p.path.name for p in error.value.problems}) == sorted(p.name for p in facts.glob("*.yaml"))
    assert all(p.line and "unknown predicate 'hasSymptoms'" in p.message for p in error.value.problems)
    assert not out.exists()


def test_a_violation_in_one_file_of_a_parallel_build_gets_the_whole_graphs_report(
    tmp_path: Path, parallel: None
) -> None:
    """Nothing stubbed: the worker's quick check says no, and the engine's report of the
    whole graph is the build's."""
    facts = _two_conditions(tmp_path)
    path = facts / "opsoclonus-myoclonus-syndrome.yaml"
    text = path.read_text(encoding="utf-8")
    fact = "  - id: oms-symptom-myoclonus\n    subject: "
    assert fact + "opsoclonus-myoclonus-syndrome" in text
    path.write_text(text.replace(fact + "opsoclonus-myoclonus-syndrome", fact + "ataxia"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as error:
        build(facts, tmp_path / "dist", DEFAULT_BASE)
    assert error.value.what == "the graph"
    assert [(v.focus, v.path, v.component) for v in error.value.outcome.violations] == [
        ("<https://w3id.org/omskg/entity/ataxia>", "omskg:hasSymptom", "SPARQLConstraintComponent")
    ]
    assert not (tmp_path / "dist").exists()


def _failing(*args: object, **kwargs: object) -> Outcome:
    return Outcome(False, (Violation("<x>", "rdfs:label", "MinCountConstraintComponent", "m", "", "Violation"),))


def test_violations_found_in_the_forked_validator_stop_the_build(
    tmp_path: Path, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "part_conforms", lambda *a, **k: False)  # inherited by the fork
    monkeypatch.setattr(build_module, "validate_triples", _failing)  # the whole graph's report
    monkeypatch.setattr(publish, "SPILL_FROM", 1)  # the readers' process writes into the staging folder
    out = tmp_path / "dist"
    out.mkdir()
    (out / "omskg.ttl").write_bytes(b"previous")
    with pytest.raises(ValidationFailed) as error:
        build(resources.conditions_dir(), out, DEFAULT_BASE)
    assert error.value.what == "the graph"  # (the whole graph's report, by the engine)
    assert [v.component for v in error.value.outcome.violations] == ["MinCountConstraintComponent"]
    assert [p.name for p in out.iterdir()] == ["omskg.ttl"]
    assert (out / "omskg.ttl").read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]  # no staging folder left behind


def test_a_build_that_fails_after_the_readers_process_started_leaves_nothing_behind(
    tmp_path: Path, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The readers' process writes into the staging folder: the build waits for it before the
    folder is removed, whichever step fails."""
    monkeypatch.setattr(publish, "SPILL_FROM", 1)

    def broken_merge(*args: object, **kwargs: object) -> None:
        raise RuntimeError("merge failed")

    monkeypatch.setattr(build_module.parts, "merge", broken_merge)
    out = tmp_path / "dist"
    with pytest.raises(RuntimeError, match="merge failed"):
        build(resources.conditions_dir(), out, DEFAULT_BASE)
    assert [p.name for p in tmp_path.iterdir()] == []  # neither dist nor a staging folder


def test_the_workers_parts_come_back_through_a_folder_in_the_staging_folder_removed_after(
    tmp_path: Path, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the staging folder (a build killed midway leaves it there: the next build removes
    it); where there is none (serve), in the system's temporary folder; never left behind."""
    import tempfile

    from omskg.build import publish_graph

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    given: list[object] = []  # what the workers gave back for their parts
    unspooled = processes.unspooled
    monkeypatch.setattr(processes, "unspooled", lambda result: given.append(result) or unspooled(result))
    build(resources.conditions_dir(), tmp_path / "dist", DEFAULT_BASE)
    staging = publish.staging_folder(tmp_path / "dist")
    assert given and all(isinstance(p, processes.Spooled) and p.path.parent.parent == staging for p in given)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "tmp"] and not any((tmp_path / "tmp").iterdir())
    for path in DIST.iterdir():
        assert (tmp_path / "dist" / path.name).read_bytes() == path.read_bytes(), path.name
    given.clear()
    publish_graph(resources.conditions_dir(), DEFAULT_BASE)
    assert given and all(p.path.parent.parent == tmp_path / "tmp" for p in given)  # type: ignore[attr-defined]
    assert not any((tmp_path / "tmp").iterdir())
    facts = _two_conditions(tmp_path)
    (facts / "opsoclonus-myoclonus-syndrome.yaml").write_text("facts: [", encoding="utf-8")
    with pytest.raises(InputError):
        build(facts, tmp_path / "failed", DEFAULT_BASE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "dist", "tmp"]  # a failed build: neither


def test_without_a_temporary_folder_the_parts_come_back_through_the_pipe(
    tmp_path: Path, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def no_folder(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_folder)
    build(resources.conditions_dir(), tmp_path / "dist", DEFAULT_BASE)
    for path in DIST.iterdir():
        assert (tmp_path / "dist" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_result_that_cannot_be_written_to_the_folder_is_given_back_itself(tmp_path: Path) -> None:
    result = [{"lines": ["<a> <b> <c>"]}, "x" * 10]
    assert processes.spooled(result, None, "0.pickle") is result
    assert processes.spooled(result, tmp_path / "missing", "0.pickle") is result
    assert processes.unspooled(result) is result
    spooled = processes.spooled(result, tmp_path, "0.pickle")
    assert spooled == processes.Spooled(tmp_path / "0.pickle") and spooled.path.exists()  # type: ignore[union-attr]
    assert processes.unspooled(spooled) == result and not (tmp_path / "0.pickle").exists()


@pytest.mark.parametrize("files", [1, 2, 16, 79, 789, 1000])
@pytest.mark.parametrize("workers", [1, 2, 8])
def test_chunks_keep_the_order_and_shrink_towards_the_end(files: int, workers: int) -> None:
    paths = [Path(f"{i:04}.yaml") for i in range(files)]
    chunks = processes.chunks(paths, workers)
    sizes = [len(chunk) for chunk in chunks]
    assert [p for chunk in chunks for p in chunk] == paths
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    assert max(sizes) == -(-files // (workers * 16))
    assert sizes.count(1) >= min(files, 2 * workers - 1)  # the last ones end together


def test_the_readers_process_writes_nothing_unless_it_was_handed_every_fact_file(tmp_path: Path) -> None:
    import pickle

    from omskg import mappings, reader_files
    from omskg.facts import read_fact_files
    from omskg.iris import Iris
    from omskg.metadata import load_metadata
    from omskg.vocab import load_vocabulary

    fact_files, problems = read_fact_files([resources.conditions_dir() / "opsoclonus-myoclonus-syndrome.yaml"],
                                           load_vocabulary())
    assert not problems
    targets = mappings.load_targets(resources.xref_targets_file())
    meta = load_metadata(resources.dataset_metadata_file())
    iris = Iris(DEFAULT_BASE)
    statements = [[iris.statement_iri(fact) for fact in fact_file.facts] for fact_file in fact_files]
    reader_files.keep(pickle.dumps(fact_files), pickle.dumps(statements))
    with pytest.raises(RuntimeError, match="handed 1 fact files, not 2"):
        reader_files.of_kept(2, targets, meta, DEFAULT_BASE, tmp_path)
    assert list(tmp_path.iterdir()) == []
    reader_files.keep(pickle.dumps(fact_files), pickle.dumps(statements))  # (the failed call let the first ones go)
    in_memory, written = reader_files.of_kept(1, targets, meta, DEFAULT_BASE, tmp_path)
    assert all((tmp_path / name).stat().st_size == size for name, (size, _) in written.items())
    expected = reader_files.readers_share(fact_files, targets, meta, DEFAULT_BASE)
    assert {**in_memory, **{name: (tmp_path / name).read_bytes() for name in written}} == expected
    # the statements' IRIs it was handed are the ones it names (minted where the triples were)
    renamed = [[iri.replace("/statement/", "/statement/x") for iri in file_iris] for file_iris in statements]
    reader_files.keep(pickle.dumps(fact_files), pickle.dumps(renamed))
    in_memory, _ = reader_files.of_kept(1, targets, meta, DEFAULT_BASE)
    document = in_memory[publish.CONDITIONS]
    assert document.count(b"/statement/x") == document.count(b"/statement/") >= sum(map(len, statements))


def test_the_two_shares_of_the_files_for_readers_are_all_of_them() -> None:
    """Where a process of their own writes the files for readers, the building process
    writes the SSSOM mappings: together, the same files as the build of one process."""
    from omskg import mappings, reader_files
    from omskg.facts import read_fact_files
    from omskg.metadata import load_metadata
    from omskg.vocab import load_vocabulary

    fact_files, _ = read_fact_files(sorted(resources.conditions_dir().glob("*.yaml")), load_vocabulary())
    targets = mappings.load_targets(resources.xref_targets_file())
    meta = load_metadata(resources.dataset_metadata_file())
    whole, rows = reader_files.files_and_sssom(fact_files, targets, meta, DEFAULT_BASE)
    theirs = reader_files.readers_share(fact_files, targets, meta, DEFAULT_BASE)
    ours, our_rows = reader_files.sssom(fact_files, targets, meta, DEFAULT_BASE)
    assert whole == {**theirs, publish.SSSOM: ours} and publish.SSSOM not in theirs
    assert rows == our_rows == 50 and len(whole) == 5
    for name in whole:
        assert (DIST / name).read_bytes() == whole[name], name


def test_fact_files_kept_in_the_building_process_do_not_reach_its_readers_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: None
) -> None:
    from omskg import reader_files

    monkeypatch.setattr(reader_files, "_KEPT", [object()])  # as if a fact file were left over
    facts = _two_conditions(tmp_path)
    build(facts, tmp_path / "dist", DEFAULT_BASE)
    assert (tmp_path / "dist" / publish.KGX_NODES).exists()
