"""Atomic publication: a build killed while it writes leaves the previous dist/ intact."""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import omskg.publish as publish_module
from omskg.publish import _exchange

# Runs `omskg build` with every fsync slowed down and the small files written one after
# another (not by threads at once), so the test can kill it mid-write.
SLOW_BUILD = """
import sys, time, os
import omskg.publish as publish
real_fsync = os.fsync
def slow_fsync(fd):
    time.sleep(0.4)
    real_fsync(fd)
publish.os.fsync = slow_fsync
def one_by_one(files):
    for path, content in sorted(files.items()):
        publish._write(path, content)
publish._write_all = one_by_one
from omskg.cli import main
sys.argv = ["omskg", *sys.argv[1:]]
main()
"""


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _build(out: Path, base: str, slow: bool = False) -> subprocess.Popen[bytes]:
    code = SLOW_BUILD if slow else "from omskg.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, "build", "--out", str(out), "--base", base],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_build_leaves_previous_dist(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert _build(out, "http://example.org/old/").wait() == 0
    before = _snapshot(out)

    build = _build(out, "http://example.org/new/", slow=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".dist.staging-*")):
        assert build.poll() is None, "the build ended before it started writing"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.0)  # some files written, some not
    staged = list(tmp_path.glob(".dist.staging-*"))[0]
    assert 0 < len(list(staged.iterdir())) < len(before)
    build.send_signal(signal.SIGKILL)
    build.wait()

    assert _snapshot(out) == before
    assert _build(out, "http://example.org/new/").wait() == 0
    after = _snapshot(out)
    assert after != before and sorted(after) == sorted(before)
    assert b"http://example.org/new/entity/" in after["omskg.nt"]
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]  # the killed build's staging folder is gone


def test_folders_are_exchanged_atomically_here(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "mark").write_text("a")
    assert _exchange(first, second), "renameat2(RENAME_EXCHANGE) is not available on this machine"
    assert (second / "mark").read_text() == "a" and not (first / "mark").exists()


# ---------------------------------------------------------------- Staged: large files written by a thread


def _sha(content: bytes) -> tuple[int, str]:
    import hashlib

    return len(content), hashlib.sha256(content).hexdigest()


def _write(files: publish_module.Staged, name: str, chunks: list[bytes]) -> None:
    stream = files.stream(name)
    for chunk in chunks:
        stream.append(chunk)
    stream.close()


def test_staged_writes_large_files_as_they_come_with_their_size_and_sha256(tmp_path: Path) -> None:
    files = publish_module.Staged(tmp_path)
    chunks = [bytes([i]) * (100_000 + i) for i in range(3 * publish_module.IN_FLIGHT)]  # more than in flight
    stream = files.stream("omskg.nt")
    for chunk in chunks:
        stream.append(chunk)
    stream.close()
    large = b"x" * (publish_module.SPILL_FROM + 1)
    files["omskg.ttl"] = large
    files["omskg.context.jsonld"] = b"{}"  # small: kept in memory
    files.finish()
    assert (tmp_path / "omskg.nt").read_bytes() == b"".join(chunks)
    assert files.size_and_sha256("omskg.nt") == _sha(b"".join(chunks))
    assert files["omskg.ttl"] == large and files.size_and_sha256("omskg.ttl") == _sha(large)
    assert list(files) == ["omskg.context.jsonld", "omskg.nt", "omskg.ttl"]
    assert files.in_memory() == {"omskg.context.jsonld": b"{}"}
    assert not (tmp_path / "omskg.context.jsonld").exists()


def test_a_large_file_slow_to_reach_the_disk_holds_up_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    released = threading.Event()
    real_fsync = publish_module.os.fsync

    def fsync(fd: int) -> None:
        if Path(f"/proc/self/fd/{fd}").resolve().name == "omskg.nt":
            assert released.wait(10), "the test never released the slow file"
        real_fsync(fd)

    monkeypatch.setattr(publish_module.os, "fsync", fsync)
    files = publish_module.Staged(tmp_path)
    _write(files, "omskg.nt", [b"a" * 100_000])
    _write(files, "omskg.nq", [b"b" * 100_000, b"c"])
    assert files.size_and_sha256("omskg.nq") == _sha(b"b" * 100_000 + b"c")  # while omskg.nt waits
    released.set()
    files.finish()
    assert files.size_and_sha256("omskg.nt") == _sha(b"a" * 100_000)


def test_staged_without_a_folder_joins_a_stream_in_memory() -> None:
    files = publish_module.Staged()
    stream = files.stream("omskg.nt")
    stream.append(b"a")
    stream.append(b"b")
    stream.close()
    files.finish()
    assert files.in_memory() == {"omskg.nt": b"ab"}
    assert files.size_and_sha256("omskg.nt") == _sha(b"ab")


def test_a_failed_write_is_raised_for_its_file_not_lost(tmp_path: Path) -> None:
    (tmp_path / "omskg.nt").symlink_to("/dev/full")  # every write: No space left on device
    files = publish_module.Staged(tmp_path)
    _write(files, "omskg.nt", [b"x" * 100_000, b"y"])
    with pytest.raises(OSError) as error:
        files.finish()
    assert error.value.errno == errno.ENOSPC


def test_abandon_waits_for_the_writer_whatever_it_met(tmp_path: Path) -> None:
    (tmp_path / "omskg.nq").symlink_to("/dev/full")
    files = publish_module.Staged(tmp_path)
    _write(files, "omskg.nq", [b"x" * 100_000])
    _write(files, "omskg.nt", [b"y" * 100_000])
    files.abandon()  # no error raised: the build has failed already
    assert (tmp_path / "omskg.nt").read_bytes() == b"y" * 100_000  # written and closed before it returned


def test_a_file_that_cannot_be_made_stops_the_spill_once_the_ones_before_are_written(tmp_path: Path) -> None:
    large = b"z" * publish_module.SPILL_FROM

    def files() -> Iterator[tuple[str, bytes]]:
        yield "omskg.kgx.edges.jsonl", large
        raise ValueError("the next file cannot be made")

    with pytest.raises(ValueError, match="cannot be made"):
        publish_module.spill(files(), tmp_path)
    assert (tmp_path / "omskg.kgx.edges.jsonl").read_bytes() == large  # (its thread ended first)


def test_files_spilled_by_another_process_are_adopted(tmp_path: Path) -> None:
    large = b"z" * publish_module.SPILL_FROM
    small, written = publish_module.spill([("omskg.kgx.nodes.jsonl", large), ("omskg.sssom.tsv", b"tsv")], tmp_path)
    assert small == {"omskg.sssom.tsv": b"tsv"}
    assert written == {"omskg.kgx.nodes.jsonl": _sha(large)}
    files = publish_module.Staged(tmp_path)
    files.adopt(written)
    files.update(small)
    assert files["omskg.kgx.nodes.jsonl"] == large
    assert files.size_and_sha256("omskg.kgx.nodes.jsonl") == _sha(large)
    assert files.in_memory() == {"omskg.sssom.tsv": b"tsv"}


# ---------------------------------------------------------------- files written and removed by threads


def test_a_small_file_that_cannot_be_written_leaves_the_previous_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    publish_module.write_atomically({"omskg.nt": b"old\n", "omskg.ttl": b"old\n"}, out)
    real_write = publish_module._write

    def failing(path: Path, content: bytes) -> None:
        if path.name == "omskg.ttl":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, content)

    monkeypatch.setattr(publish_module, "_write", failing)
    with pytest.raises(OSError, match="No space left"):
        publish_module.write_atomically({"omskg.nt": b"new\n", "omskg.ttl": b"new\n"}, out)
    assert _snapshot(out) == {"omskg.nt": b"old\n", "omskg.ttl": b"old\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_the_previous_publication_is_removed_whole_once_replaced(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    old = {name: name.encode() for name in sorted(publish_module.PUBLISHED_NAMES)}
    publish_module.write_atomically(old, out)
    publish_module.write_atomically({"omskg.nt": b"new\n"}, out)
    assert _snapshot(out) == {"omskg.nt": b"new\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]
    folder = tmp_path / "retired"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "a").write_text("a")
    (folder / "b").write_text("b")
    (folder / "link").symlink_to(tmp_path / "dist")
    publish_module._remove(folder)
    assert not folder.exists() and (tmp_path / "dist" / "omskg.nt").exists()
