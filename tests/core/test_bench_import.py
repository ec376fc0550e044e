"""`xianfeng bench import`: the peak memory of an import's processes together."""

from __future__ import annotations

import subprocess
import sys

from xianfeng.bench.importing import PeakMemory

# A parent and the child it forks each hold 60 MB for a while, as an import and its reader.
TWO_PROCESSES = """
import os, time
held = b"x" * (60 * 2**20)
pid = os.fork()
if pid == 0:
    mine = b"y" * (60 * 2**20)
    time.sleep(1.0)
    os._exit(0)
time.sleep(1.0)
os.waitpid(pid, 0)
"""


def test_peak_memory_sums_the_process_and_its_children():
    process = subprocess.Popen([sys.executable, "-c", TWO_PROCESSES])
    memory = PeakMemory(process.pid)
    process.wait()
    memory.stop()
    assert len(memory.peaks) == 2
    assert memory.peak_mb() >= 120
