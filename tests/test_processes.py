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

from omskg import processes

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


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (the 3rd field first)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _forked_by(parent: int) -> dict[int, str]:
    """The processes whose parent is ``parent``, with when each started (so that a process
    that later has the same id is not taken for it)."""
    found = {}
    for path in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(path.name)) if path.name.isdigit() else None
        if fields is not None and int(fields[1]) == parent:
            found[int(path.name)] = fields[19]
    return found


def _running(pid: int, started: str) -> bool:
    """The process ``pid`` that started then runs (a zombie has ended: only its exit status
    is left to collect)."""
    fields = _stat(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_a_killed_build_takes_its_forked_processes_with_it(tmp_path: Path) -> None:
    """SIGKILL runs no code in the build, so it cannot stop its pools: their processes (the
    readers' process and every worker) end by themselves instead of waiting for work for ever."""
    from benchmarks.corpus import generate
    from omskg.build import PARALLEL_FILES

    facts = generate(PARALLEL_FILES + 8, tmp_path / "corpus")  # (enough files for the workers)
    expected = 1 + processes.worker_count()  # the readers' process and the workers
    command = [sys.executable, "-m", "omskg.cli", "build", "--facts", str(facts), "--out", str(tmp_path / "dist")]
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    forked: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 60
        while len(forked) < expected:
            assert build.poll() is None, f"the build ended before it forked {expected} processes"
            assert time.monotonic() < deadline, f"the build did not fork {expected} processes within 60 s"
            forked |= _forked_by(build.pid)
            time.sleep(0.005)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 10
        while any(_running(*item) for item in forked.items()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid, started in forked.items() if _running(pid, started)] == []
    finally:
        build.kill()
        build.wait()
        for pid, started in forked.items():  # (left running by a failure: stopped)
            if _running(pid, started):
                with suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
