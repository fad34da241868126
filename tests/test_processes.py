"""The build's processes keep freed memory for reuse, and end with the build, even a killed
one (omskg.processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

FAULTS_OF_REPEATED_BLOCKS = """
import resource, sys
from omskg import processes
if sys.argv[1] == "reuse":
    processes.reuse_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
before = faults()
for megabytes in range(8, 32, 2):  # each larger than the last, as a build's joins and pickles grow
    block = bytearray(megabytes * 1024 * 1024)  # (its pages touched: bytearray zeroes them)
    del block
print(faults() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_blocks_are_reused_instead_of_faulted_in_again() -> None:
    def faults(mode: str) -> int:
        shown = subprocess.run(
            [sys.executable, "-c", FAULTS_OF_REPEATED_BLOCKS, mode], capture_output=True, text=True, check=True
        )
        return int(shown.stdout)

    pages = sum(range(8, 32, 2)) * 1024 * 1024 // 4096
    assert faults("default") > pages * 0.9  # each block mapped anew, and its pages faulted in
    assert faults("reuse") < pages * 0.2  # the largest block's pages, once


def _forked_by(parent: int) -> set[int]:
    """The processes whose parent is ``parent``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """``pid`` runs (a zombie has ended: only its exit status is left to collect)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_a_killed_build_takes_its_forked_processes_with_it(tmp_path: Path) -> None:
    """SIGKILL runs no code in the build, so it cannot stop its pools: their processes end
    by themselves instead of waiting for work for ever."""
    from benchmarks.corpus import generate

    facts = generate(24, tmp_path / "corpus")  # (more files than a build forks workers for)
    command = [sys.executable, "-m", "omskg.cli", "build", "--facts", str(facts), "--out", str(tmp_path / "dist")]
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    forked: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(forked) < 2:  # the process that writes the files for readers, and a worker
            assert build.poll() is None, "the build ended before it forked its workers"
            assert time.monotonic() < deadline, "the build forked no workers within 60 s"
            forked |= _forked_by(build.pid)
            time.sleep(0.005)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 10
        while any(map(_running, forked)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in forked if _running(pid)] == []
    finally:
        build.kill()
        for pid in forked:  # (left by a failure: not left running)
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
