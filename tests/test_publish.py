"""Atomic publication: a build killed while it writes leaves the previous dist/ intact."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from omskg.publish import _exchange

# Runs `omskg build` with every fsync slowed down, so the test can kill it mid-write.
SLOW_BUILD = """
import sys, time, os
import omskg.publish as publish
real_fsync = os.fsync
def slow_fsync(fd):
    time.sleep(0.4)
    real_fsync(fd)
publish.os.fsync = slow_fsync
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
