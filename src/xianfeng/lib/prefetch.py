"""Reading a large workbook in a second process while the importer validates (PLAT-03).

Reading holds the GIL (python-calamine parses a sheet, then every cell becomes a Python
object; openpyxl, still the fallback, parses XML in pure Python); validation and database
writes need the CPU too. On a machine with two cores, parsing in a child process that streams rows
through a bounded queue lets both run at once. Sheets arrive in file order and must be
read in that order (as the importer does); memory stays bounded by the queue.

The child never outlives its parent (issue 13): on Linux it asks the kernel for SIGKILL
when the parent dies; everywhere it checks the parent while it waits on a full queue or
for the parent to finish reading, and then exits without waiting for its queued rows to
drain into a pipe nobody reads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .tabular import Sheet, TabularError, open_workbook

BATCH = 2000
QUEUE_BATCHES = 32  # at most ≈64,000 rows in flight
WORTH_IT_BYTES = 4 * 1024 * 1024  # smaller files are read in-process
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> bool:
    """In the child: end with the parent. False when the parent is already gone.

    The child follows its parent's fate only: it ignores SIGINT and SIGTERM (Ctrl+C, or
    systemd stopping the worker's whole group, let the worker finish its running import
    gracefully; a handler inherited through fork would do anything) and is killed when the
    parent dies or closes the reader. The death signal follows the thread that started the
    child, which reads its rows until it closes the reader.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the checks below remain
            pass
    return os.getppid() == parent  # the parent may have died before prctl


def _put(out: Any, item: Any, parent: int) -> bool:
    """Put with a timeout, giving up when the parent is gone (killed import).

    Giving up also drops the rows still buffered for the pipe: otherwise the child's exit
    would wait forever for its feeder thread to write them into a pipe nobody reads.
    """
    while True:
        try:
            out.put(item, timeout=1)
            return True
        except queue.Full:
            if os.getppid() != parent:
                out.cancel_join_thread()
                return False


def _produce(path: str, filename: str | None, out: Any, closed: Any, parent: int) -> None:
    """The child: stream the workbook, then stay until the parent has read it all."""
    if _die_with_parent(parent) and _stream(path, filename, out, parent):
        _linger(out, closed, parent)
    else:
        out.cancel_join_thread()


def _stream(path: str, filename: str | None, out: Any, parent: int) -> bool:
    """Put the workbook's sheets and rows; False when the parent went away meanwhile."""
    try:
        with open_workbook(path, filename=filename) as sheets:
            for sheet in sheets:
                if not _put(out, ("sheet", sheet.name, sheet.total_rows, sheet.hidden), parent):
                    return False
                batch: list[tuple[int, list[Any]]] = []
                for row in sheet.rows:
                    batch.append(row)
                    if len(batch) >= BATCH:
                        if not _put(out, ("rows", batch), parent):
                            return False
                        batch = []
                if not _put(out, ("rows", batch), parent) or not _put(out, ("end",), parent):
                    return False
    except TabularError as error:
        return _put(out, ("error", str(error)), parent)
    except Exception as error:  # an unreadable file must not hang the importer
        return _put(out, ("error", f"文件无法读取：{type(error).__name__}"), parent)
    return _put(out, ("done",), parent)


def _linger(out: Any, closed: Any, parent: int) -> None:
    """Wait for the parent's close (it has read everything) or its death.

    Exiting earlier would wait on the rows still in the pipe anyway; exiting after the
    parent died must not, as nobody will read them.
    """
    while not closed.wait(1):
        if os.getppid() != parent:
            out.cancel_join_thread()
            return


class _Reader:
    def __init__(self, path: Path, filename: str | None):
        context = multiprocessing.get_context("fork")
        self.queue = context.Queue(maxsize=QUEUE_BATCHES)
        self.closed = context.Event()
        self.process = context.Process(
            target=_produce,
            daemon=True,
            args=(str(path), filename, self.queue, self.closed, os.getpid()),
        )
        self.process.start()

    def _next(self) -> tuple[Any, ...]:
        while True:
            try:
                item = self.queue.get(timeout=5)
            except queue.Empty:
                if not self.process.is_alive():
                    raise TabularError("读取文件的进程意外退出，请重试") from None
                continue
            if item[0] == "error":
                raise TabularError(item[1])
            return item

    def sheets(self) -> Iterator[Sheet]:
        while True:
            item = self._next()
            if item[0] == "done":
                return
            _kind, name, total, hidden = item
            yield Sheet(name, self._rows(), total, hidden)

    def _rows(self) -> Iterator[tuple[int, list[Any]]]:
        while True:
            item = self._next()
            if item[0] == "end":
                return
            yield from item[1]

    def close(self) -> None:
        self.closed.set()
        if self.process.is_alive():
            self.process.kill()  # it ignores SIGTERM (see _die_with_parent)
        self.process.join(timeout=5)


@contextmanager
def read_workbook(source: Any, *, filename: str | None = None) -> Iterator[Iterator[Sheet]]:
    """Sheets of `source`, parsed in a child process when it is a large file on disk."""
    path = Path(source) if isinstance(source, str | Path) else None
    if path is None or not path.is_file() or path.stat().st_size < WORTH_IT_BYTES:
        with open_workbook(source, filename=filename) as sheets:
            yield sheets
        return
    reader = _Reader(path, filename)
    try:
        yield reader.sheets()
    finally:
        reader.close()
