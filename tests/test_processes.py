"""The build's processes keep freed memory for reuse (omskg.processes)."""

from __future__ import annotations

import subprocess
import sys

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
