"""Releases: a made-up next version of the source goes through reanchor, build, release
and diff; the patch moves a real Oxigraph server from the old release to the new one.

Each test works in a copy of the ontology, shapes, data and queries (``omskg.resources``
pointed at it), so that the curated files of the repository are never touched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shlex
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, PROV

from omskg import diff, publish, reanchor, release, resources
from omskg.cli import main
from omskg.iris import Iris
from omskg.records import Fact, FactFile
from omskg.vocab import DEFAULT_BASE, PAV, SPDX

from . import releasing
from .servers import oxigraph_server

README = Path(__file__).resolve().parents[1] / "README.md"
FACTS = Path("data/conditions/opsoclonus-myoclonus-syndrome.yaml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the resources, with omskg pointed at it and the current folder in it."""
    releasing.copy_resources(tmp_path)
    monkeypatch.setattr(resources, "resource_root", lambda: tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass
class Flow:
    root: Path
    expected: releasing.Expected
    old_facts: FactFile  # before
    dry_run: tuple[int, str, str]
    yaml_before: str
    yaml_reanchored: str
    written: tuple[int, str, str]
    refused: tuple[int, str, str]
    released: tuple[int, str, str]


def run_flow(root: Path) -> Flow:
    """0.1.0 in dist/; the made-up next version reanchored, curated and released as 0.2.0."""
    assert invoke("build")[0] == 0
    old_facts = releasing.read(root)
    expected = releasing.next_version(old_facts)
    (root / "new-summary.txt").write_text(expected.new_text, encoding="utf-8")
    dry_run = invoke("reanchor", "oms-summary", "new-summary.txt")
    before = (root / FACTS).read_text(encoding="utf-8")
    written = invoke("reanchor", "oms-summary", "new-summary.txt", "--write", "--checksum",
                     "--last-updated", releasing.NEW_DATE.isoformat())
    reanchored = (root / FACTS).read_text(encoding="utf-8")
    refused = invoke("build", "--out", "check")
    releasing.curate(root / FACTS, old_facts, expected)
    released = invoke("release", "0.2.0", "--date", "2026-10-02")
    return Flow(root, expected, old_facts, dry_run, before, reanchored, written, refused, released)


@pytest.fixture
def flow(repo: Path) -> Flow:
    return run_flow(repo)


# ---------------------------------------------------------------------- reanchor


def test_the_review_list_of_the_next_version(repo: Path) -> None:
    old = releasing.read(repo)
    expected = releasing.next_version(old)
    (repo / "new.txt").write_text(expected.new_text, encoding="utf-8")
    before = {p: p.read_bytes() for p in (repo / "data").rglob("*") if p.is_file()}

    found = reanchor.plan("oms-summary", repo / "new.txt", [repo / FACTS])
    statuses = {c.name: f.status for f in found.findings for c in f.quote.citing}
    assert statuses == {
        **{f"fact {f.id!r}": expected.status(f) for f in old.facts},
        "source header": "changed",  # its date changed
        "source disclaimer": "unchanged" if expected.new_text.find(old.source.disclaimer.quote)
        == old.source.disclaimer.start else "moved",
    }
    assert {s for s in statuses.values()} == {"unchanged", "moved", "changed", "vanished"}

    status, out, _ = invoke("reanchor", "oms-summary", "new.txt")
    assert status == 0 and out.endswith("dry run: nothing written (--write to apply)\n")
    review = out.split("to review", 1)[1].split("moved (new offsets", 1)[0]
    assert f"fact {expected.removed.id!r} ({FACTS}:" in review and "    vanished; evidence at" in review
    assert f"fact {expected.reworded.id!r} ({FACTS}:" in review
    assert f"now {expected.new_text.find(expected.reworded_sentence)}-" in review
    assert repr(expected.reworded_sentence) in review
    listed = re.findall(r"^  (fact '[^']+'|source \w+) \(", review, re.MULTILINE)
    assert sorted(listed) == sorted(n for n, s in statuses.items() if s in ("changed", "vanished"))
    assert {p: p.read_bytes() for p in (repo / "data").rglob("*") if p.is_file()} == before  # a dry run


def test_an_untouched_file_stays_byte_identical(repo: Path) -> None:
    source = repo / "data" / "sources" / "oms-summary.txt"
    (repo / "same.txt").write_bytes(source.read_bytes())
    before = {p: p.read_bytes() for p in (repo / "data").rglob("*") if p.is_file()}
    status, out, _ = invoke("reanchor", "oms-summary", "same.txt", "--write", "--checksum")
    assert status == 0 and "0 moved, 0 changed, 0 vanished" in out and out.endswith("wrote nothing (no change)\n")
    assert {p: p.read_bytes() for p in (repo / "data").rglob("*") if p.is_file()} == before


def test_the_written_file_differs_only_where_it_was_edited(flow: Flow) -> None:
    """Only evidence blocks and the source's sha256 and date change; every comment and
    every other line stays, and the edited file still reads as YAML."""
    assert flow.written[0] == 0 and flow.written[1].endswith(f"wrote data/sources/oms-summary.txt, {FACTS}\n")
    before, after = flow.yaml_before.splitlines(), flow.yaml_reanchored.splitlines()
    assert len(before) == len(after)  # every evidence block here is one line
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed
    for old, new in changed:
        key = old.split(":", 1)[0].strip()
        assert key in {"evidence", "header", "disclaimer", "sha256", "last_updated"}, old
        assert new.split(":", 1)[0] == old.split(":", 1)[0]  # same key, same indentation
        assert re.sub(r"\{.*\}", "{}", old) == re.sub(r"\{.*\}", "{}", new) or key in {"sha256", "last_updated"}
    assert [line for line in after if line.lstrip().startswith("#")] == [
        line for line in before if line.lstrip().startswith("#")
    ]


def test_the_build_refuses_every_review_mark_with_file_and_line(flow: Flow) -> None:
    status, _, err = flow.refused
    assert status == 2
    marked = [line for line in err.splitlines() if "marked for review" in line]
    names = {re.search(r": (fact '[^']+'|source \w+): ", line).group(1) for line in marked}  # type: ignore[union-attr]
    assert names == {f"fact {flow.expected.removed.id!r}", f"fact {flow.expected.reworded.id!r}", "source header"}
    assert len(marked) == len(names)
    assert all(re.match(re.escape(str(flow.root / FACTS)) + r":\d+: ", line) for line in marked)
    assert err.rstrip().endswith("check left as it was")


# ---------------------------------------------------------------------- diff


def _diff_json(old: str, new: str) -> dict[str, object]:
    status, out, _ = invoke("diff", old, new, "--format", "json")
    assert status == 0
    document: dict[str, object] = json.loads(out)
    return document


def _iri(iri: str) -> str:
    return f"<{iri}>"


def _anchored(fact: Fact) -> tuple[str, int, int]:
    return fact.evidence.quote, fact.evidence.start, fact.evidence.end


def test_the_diff_lists_exactly_the_expected_changes(flow: Flow) -> None:
    assert flow.released[0] == 0, flow.released
    expected = flow.expected
    new = releasing.read(flow.root)
    old_by_statement = {releasing.statement(f): f for f in flow.old_facts.facts}
    new_by_statement = {releasing.statement(f): f for f in new.facts}
    changed = {
        s for s in set(old_by_statement) & set(new_by_statement)
        if _anchored(old_by_statement[s]) != _anchored(new_by_statement[s])
    }
    document = _diff_json("0.1.0", "0.2.0")
    assert {f["statement"] for f in document["facts_removed"]} == {_iri(releasing.statement(expected.removed))}  # type: ignore[attr-defined]
    assert {f["statement"] for f in document["facts_added"]} == {  # type: ignore[attr-defined]
        _iri(s) for s in set(new_by_statement) - set(old_by_statement)
    } and len(document["facts_added"]) == 1  # type: ignore[arg-type]
    assert {f["new_statement"] for f in document["facts_changed"]} == {_iri(s) for s in changed}  # type: ignore[attr-defined]
    assert _iri(releasing.statement(expected.reworded)) in {f["new_statement"] for f in document["facts_changed"]}  # type: ignore[attr-defined]
    assert [e["entity"] for e in document["entities_added"]] == [_iri(releasing.entity(expected.added_entity))]  # type: ignore[attr-defined]
    assert [e["entity"] for e in document["entities_retired"]] == [_iri(releasing.entity(expected.retired))]  # type: ignore[attr-defined]
    retired = next(e for e in flow.old_facts.entities if e.id == expected.retired)
    assert [x["target"] for x in document["xrefs_removed"]] == [_iri(x.iri) for x in retired.xrefs]  # type: ignore[attr-defined]
    assert [x["entity"] for x in document["xrefs_added"]] == [_iri(releasing.entity(expected.added_entity))]  # type: ignore[attr-defined]
    (retyped,) = document["xrefs_retyped"]  # type: ignore[misc]
    assert retyped["entity"] == _iri(releasing.entity(expected.retyped[0]))

    status, out, _ = invoke("diff", "0.1.0", "0.2.0")
    assert status == 0
    assert f"facts: 1 added, 1 removed, {len(changed)} changed\n" in out
    assert "entities: 1 added, 1 retired\n" in out
    assert f"cross-references: 1 added, {len(retired.xrefs)} removed, 1 retyped\n" in out
    notes = (flow.root / "releases" / "0.2.0" / release.NOTES).read_text(encoding="utf-8")
    assert out.split("\n", 1)[1] in notes  # the notes hold the same list


def test_a_release_diffed_with_itself_is_empty(flow: Flow) -> None:
    for spec in ("0.1.0", "0.2.0", "dist", "dist/omskg.nt", "releases/0.1.0/omskg.nt.gz"):
        document = _diff_json(spec, spec)
        assert document["empty"] is True and document["facts_changed"] == [] and document["triples_added"] == []
        assert invoke("diff", spec, spec)[1].startswith("no changes: ")
    # the kept N-Triples of 0.2.0 are those of dist/
    assert _diff_json("0.2.0", "dist")["empty"] is True


def test_the_diff_is_symmetric(flow: Flow) -> None:
    forward, backward = _diff_json("0.1.0", "0.2.0"), _diff_json("0.2.0", "0.1.0")
    assert forward["facts_added"] == backward["facts_removed"] and forward["facts_removed"] == backward["facts_added"]
    assert forward["entities_added"] == backward["entities_retired"]
    assert forward["xrefs_added"] == backward["xrefs_removed"]
    assert forward["triples_added"] == backward["triples_removed"]
    swapped = [
        {**c, "old_statement": c["new_statement"], "new_statement": c["old_statement"],
         "changes": [{**x, "old": x["new"], "new": x["old"]} for x in c["changes"]]}
        for c in forward["facts_changed"]  # type: ignore[attr-defined]
    ]
    assert swapped == backward["facts_changed"]


def test_diff_refuses_what_it_cannot_read(flow: Flow) -> None:
    status, _, err = invoke("diff", "9.9.9", "0.2.0")
    assert status == 2 and err.startswith("omskg diff: 9.9.9: neither a file") and len(err.splitlines()) == 1
    (flow.root / "broken.nt").write_text("<a> <b> .\n", encoding="utf-8")
    status, _, err = invoke("diff", "broken.nt", "0.2.0")
    assert status == 2 and err.startswith("omskg diff: broken.nt:1:")


# ---------------------------------------------------------------------- the patch, on a real store


def _as_stored(store: str, path: Path) -> set[ox.Triple]:
    """The triples of an N-Triples file as the store holds them: Oxigraph keeps literals in
    canonical form ("0.50"^^xsd:decimal as "0.5", xsd:nonNegativeInteger as xsd:integer)."""
    graph = "http://example.org/as-stored"
    assert invoke("load", "--endpoint", f"{store}/store", "--graph", graph, "--data", str(path))[0] == 0
    return _graph_in(store, graph)


def _graph_in(store: str, graph: str) -> set[ox.Triple]:
    url = f"{store}/store?graph={graph}"
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {q.triple for q in ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES)}


def test_the_patch_moves_a_store_from_old_to_exactly_new(flow: Flow) -> None:
    old = flow.root / "old.nt"
    old.write_bytes(gzip.decompress((flow.root / "releases" / "0.1.0" / diff.ARCHIVE).read_bytes()))
    graph = "https://w3id.org/omskg/dataset"
    with oxigraph_server() as store:
        new = _as_stored(store, flow.root / "dist" / publish.NTRIPLES)
        assert len(new) == len(diff.read_release("0.2.0", flow.root / "releases", flow.root / "dist").triples)
        status, out, _ = invoke("load", "--endpoint", f"{store}/store", "--graph", graph, "--data", str(old))
        assert status == 0, out
        other = "http://example.org/other"  # another graph, which the patch must leave alone
        assert invoke("load", "--endpoint", f"{store}/store", "--graph", other, "--data", str(old))[0] == 0
        assert _graph_in(store, graph) != new
        status, text, _ = invoke("diff", "0.1.0", "0.2.0", "--format", "patch", "--graph", graph)
        assert status == 0 and "DELETE DATA {\n  GRAPH <https://w3id.org/omskg/dataset> {\n" in text
        (flow.root / "update.ru").write_text(text, encoding="utf-8")
        status, out, _ = invoke("load", "--patch", "update.ru", "--endpoint", f"{store}/update")
        removed, added = len(_diff_json("0.1.0", "0.2.0")["triples_removed"]), len(_diff_json("0.1.0", "0.2.0")["triples_added"])  # type: ignore[arg-type]
        assert status == 0
        assert out == f"applied update.ru ({removed} triple(s) deleted, {added} inserted) at {store}/update\n"
        assert _graph_in(store, graph) == new
        assert _graph_in(store, other) == _as_stored(store, old)
        # and back again
        status, text, _ = invoke("diff", "0.2.0", "0.1.0", "--format", "patch", "--graph", graph)
        (flow.root / "back.ru").write_text(text, encoding="utf-8")
        assert invoke("load", "--patch", "back.ru", "--endpoint", f"{store}/update")[0] == 0
        assert _graph_in(store, graph) == _graph_in(store, other)
        # a patch to the wrong place fails in one line, exit 3
        status, _, err = invoke("load", "--patch", "update.ru", "--endpoint", f"{store}/no-such-endpoint")
        assert status == 3 and "answered 404" in err and len(err.splitlines()) == 1


# ---------------------------------------------------------------------- release


def test_the_release_is_described_and_kept(flow: Flow) -> None:
    root = flow.root
    description = Graph().parse(root / "dist" / publish.DESCRIPTION, format="turtle")
    iris = Iris(DEFAULT_BASE)
    new, old = URIRef(str(iris.release("0.2.0"))), URIRef(str(iris.release("0.1.0")))
    assert description.value(new, PAV.previousVersion) == old
    assert description.value(new, PROV.wasRevisionOf) == old
    source_version = URIRef(str(iris.release_source("0.2.0", "oms-summary")))
    assert (new, PROV.wasDerivedFrom, source_version) in description
    assert description.value(source_version, PAV.version) == Literal(releasing.NEW_DATE.isoformat())
    checksum = description.value(source_version, SPDX.checksum)
    text = (root / "data" / "sources" / "oms-summary.txt").read_bytes()
    assert text == flow.expected.new_text.encode("utf-8")
    assert str(description.value(checksum, SPDX.checksumValue)) == hashlib.sha256(text).hexdigest()
    downloads = {str(d).rsplit("/", 1)[1] for d in description.objects(new, DCAT.distribution)}
    assert publish.NQUADS in downloads

    metadata = (root / "data" / "dataset.yaml").read_text(encoding="utf-8")
    assert "version: '0.2.0'\npreviousVersion: '0.1.0'\n" in metadata and "issued: 2026-10-02\n" in metadata
    assert metadata.startswith("# What the published dataset says about itself")  # comments kept
    for version in ("0.1.0", "0.2.0"):
        kept = (root / "releases" / version / diff.ARCHIVE).read_bytes()
        assert kept[4:8] == b"\0\0\0\0" and kept[3] & 0x08 == 0  # gzip: time 0, no file name
    assert gzip.decompress((root / "releases" / "0.2.0" / diff.ARCHIVE).read_bytes()) == (root / "dist" / publish.NTRIPLES).read_bytes()


def test_every_release_file_is_byte_deterministic(flow: Flow, tmp_path_factory: pytest.TempPathFactory,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    again = tmp_path_factory.mktemp("again")
    releasing.copy_resources(again)
    monkeypatch.setattr(resources, "resource_root", lambda: again)
    monkeypatch.chdir(again)
    second = run_flow(again)
    assert second.released == flow.released, second.released
    for folder in ("dist", "releases", "data"):
        first_files = {p.relative_to(flow.root): p.read_bytes() for p in sorted((flow.root / folder).rglob("*")) if p.is_file()}
        second_files = {p.relative_to(again): p.read_bytes() for p in sorted((again / folder).rglob("*")) if p.is_file()}
        assert first_files == second_files, folder
    assert release.compress(b"x\n") == release.compress(b"x\n")


def test_nquads_hold_the_graph_in_the_release_graph(built: Path) -> None:
    quads = list(ox.parse(path=str(built / publish.NQUADS), format=ox.RdfFormat.N_QUADS))
    triples = {q.triple for q in ox.parse(path=str(built / publish.NTRIPLES), format=ox.RdfFormat.N_TRIPLES)}
    assert {str(q.graph_name) for q in quads} == {f"<{Iris(DEFAULT_BASE).release('0.1.0')}>"}
    assert [q.triple for q in quads] == sorted(triples, key=str) and len(quads) == len(triples)


def test_a_release_refuses_bad_requests_and_changes_nothing(repo: Path) -> None:
    assert invoke("build")[0] == 0
    metadata = (repo / "data" / "dataset.yaml").read_bytes()
    status, _, err = invoke("release", "0.1.0")
    assert status == 2 and "already gives version 0.1.0" in err
    status, _, err = invoke("release", "0.2.0", "--out", "elsewhere")
    assert status == 2 and "neither kept in releases/0.1.0/omskg.nt.gz nor in elsewhere/" in err
    status, _, err = invoke("release", "bad version")
    assert status == 2 and "use letters, digits" in err
    old = releasing.read(repo)
    expected = releasing.next_version(old)
    (repo / "new.txt").write_text(expected.new_text, encoding="utf-8")
    assert invoke("reanchor", "oms-summary", "new.txt", "--write", "--checksum")[0] == 0
    status, _, err = invoke("release", "0.2.0", "--date", "2026-10-02")  # review marks left: refused
    assert status == 2 and "marked for review" in err and err.rstrip().endswith("nothing was released")
    assert (repo / "data" / "dataset.yaml").read_bytes() == metadata
    assert not (repo / "releases").exists()


# ---------------------------------------------------------------------- the README's examples


def _readme_examples() -> list[str]:
    section = README.read_text(encoding="utf-8").split("\n## Releases\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in section.splitlines() if line.startswith("$ omskg ")]


def test_the_readme_release_examples_run(repo: Path) -> None:
    commands = _readme_examples()
    assert len(commands) == 9
    assert invoke("build")[0] == 0
    old = releasing.read(repo)
    expected = releasing.next_version(old)
    (repo / "new-summary.txt").write_text(expected.new_text, encoding="utf-8")
    check_builds = 0
    with oxigraph_server() as store:
        graph = re.search(r"--graph (\S+)", next(c for c in commands if "--format patch" in c)).group(1)  # type: ignore[union-attr]
        assert invoke("load", "--endpoint", f"{store}/store", "--graph", graph, "--data", "dist/omskg.nt")[0] == 0
        for command in commands:
            words = shlex.split(command.replace("http://localhost:7878", store))[1:]
            target = None
            if ">" in words:
                target = Path(words[words.index(">") + 1])
                words = words[: words.index(">")]
            status, out, err = invoke(*words)
            if words[:3] == ["build", "--out", "check"]:
                check_builds += 1
                if check_builds == 1:  # refused, then the curator's review
                    assert status == 2 and "marked for review" in err
                    releasing.curate(repo / FACTS, old, expected)
                    continue
            assert status == 0, (command, err)
            if target is not None:
                target.write_text(out, encoding="utf-8")
        assert _graph_in(store, graph) == _as_stored(store, Path("dist") / publish.NTRIPLES)
    assert json.loads(Path("changes.json").read_text(encoding="utf-8"))["facts_added"]
