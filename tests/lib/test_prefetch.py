"""The child-process reader gives the same sheets and rows, and the same errors, and never
outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from xianfeng.lib import prefetch
from xianfeng.lib.tabular import TabularError, open_workbook


@pytest.fixture(autouse=True)
def _always_prefetch(monkeypatch):
    monkeypatch.setattr(prefetch, "WORTH_IT_BYTES", 0)
    monkeypatch.setattr(prefetch, "BATCH", 3)


def _book(path, sheets):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _read(reader):
    return [(s.name, list(s.rows)) for s in reader]


def test_plat_03_prefetch_reads_like_open_workbook(tmp_path):
    rows = [["a", "b"], *[[i, f"x{i}"] for i in range(10)]]
    path = _book(tmp_path / "b.xlsx", {"党组织": rows, "党员": rows[:4]})
    with open_workbook(path) as direct:
        expected = _read(direct)
    with prefetch.read_workbook(path) as sheets:
        assert _read(sheets) == expected


def test_plat_03_prefetch_reports_unreadable_files(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook" * 100)
    with pytest.raises(TabularError), prefetch.read_workbook(path) as sheets:
        _read(sheets)


def test_reader_child_is_a_fresh_interpreter_without_django(tmp_path):
    """The child imports the readers only (its memory is the reader's own, issue 15)."""
    path = _book(tmp_path / "b.xlsx", {"党员": [["a", "b"], [1, 2]]})
    probe = (
        "import runpy, sys; sys.argv[1:] = sys.argv[2:]\n"
        "try:\n    runpy.run_module('xianfeng.lib.prefetch', run_name='__main__')\n"
        "finally:\n    print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'),"
        " file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "-", str(path), "", str(os.getpid()), "3", "0"],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(prefetch.__file__).parents[2])},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().strip() == "[]"
    assert done.stdout  # the sheet, its rows and the end, framed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="读 /proc 仅限 Linux")
def test_reader_child_killed_midway_is_an_error_not_a_hang(large_workbook):
    expected = pytest.raises(TabularError, match="读取文件的进程意外退出")
    with expected, prefetch.read_workbook(large_workbook) as sheets:
        rows = next(sheets).rows
        next(rows)
        with open(f"/proc/self/task/{os.getpid()}/children") as children:
            os.kill(int(children.read().split()[0]), signal.SIGKILL)
        for _row in rows:
            pass


def test_plat_03_small_uploads_stay_in_process(tmp_path, monkeypatch):
    monkeypatch.setattr(prefetch, "WORTH_IT_BYTES", 10**9)
    path = _book(tmp_path / "s.xlsx", {"党员": [["a", "b"], [1, 2]]})
    with prefetch.read_workbook(path) as sheets:
        assert _read(sheets) == [("党员", [(1, ["a", "b"]), (2, [1, 2])])]


PARENT = """
import os, signal, sys, time
from xianfeng.lib import prefetch
signal.signal(signal.SIGTERM, lambda *args: None)  # as the worker's handler during a task
if sys.argv[2] == "parent-check":
    prefetch.PR_SET_PDEATHSIG = 0  # an invalid prctl: only the child's own checks remain
with prefetch.read_workbook(sys.argv[1]) as sheets:
    next(iter(next(sheets).rows))
    with open(f"/proc/self/task/{os.getpid()}/children") as children:
        print(children.read().split()[0], flush=True)
    time.sleep(60)
"""


@pytest.fixture(scope="module")
def large_workbook(tmp_path_factory):
    """A workbook just above the size read in a child process (random text: no compression)."""
    path = tmp_path_factory.mktemp("large") / "large.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员")
    sheet.append(["姓名", "备注"])
    for n in range(40_000):
        sheet.append([f"党员{n}", os.urandom(80).hex()])
    book.save(path)
    assert path.stat().st_size >= prefetch.WORTH_IT_BYTES
    return path


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for an init that may not reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
    except FileNotFoundError:
        return False


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="读 /proc、父进程死亡信号仅限 Linux"
)
@pytest.mark.parametrize("mode", ["death-signal", "parent-check"])
def test_reader_child_ends_when_its_parent_is_killed(large_workbook, mode):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(large_workbook), mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        assert _running(child)
    finally:
        parent.kill()
        parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _running(child):
        os.kill(child, signal.SIGKILL)
        pytest.fail(f"读取进程 {child} 在父进程被杀后仍在运行")
