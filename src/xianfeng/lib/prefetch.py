"""Reading a large workbook in a second process while the importer validates (PLAT-03).

openpyxl parses XML in pure Python, holding the GIL; validation and database writes need
the CPU too. On a machine with two cores, parsing in a child process that streams rows
through a bounded queue lets both run at once. Sheets arrive in file order and must be
read in that order (as the importer does); memory stays bounded by the queue.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .tabular import Sheet, TabularError, open_workbook

BATCH = 2000
QUEUE_BATCHES = 32  # at most ≈64,000 rows in flight
WORTH_IT_BYTES = 4 * 1024 * 1024  # smaller files are read in-process


def _put(out: Any, item: Any, parent: int) -> bool:
    """Put with a timeout, giving up when the parent is gone (killed import)."""
    while True:
        try:
            out.put(item, timeout=1)
            return True
        except queue.Full:
            if os.getppid() != parent:
                return False


def _produce(path: str, filename: str | None, out: Any, parent: int) -> None:
    try:
        with open_workbook(path, filename=filename) as sheets:
            for sheet in sheets:
                if not _put(out, ("sheet", sheet.name, sheet.total_rows, sheet.hidden), parent):
                    return
                batch: list[tuple[int, list[Any]]] = []
                for row in sheet.rows:
                    batch.append(row)
                    if len(batch) >= BATCH:
                        if not _put(out, ("rows", batch), parent):
                            return
                        batch = []
                if not _put(out, ("rows", batch), parent) or not _put(out, ("end",), parent):
                    return
    except TabularError as error:
        _put(out, ("error", str(error)), parent)
        return
    except Exception as error:  # an unreadable file must not hang the importer
        _put(out, ("error", f"文件无法读取：{type(error).__name__}"), parent)
        return
    _put(out, ("done",), parent)


class _Reader:
    def __init__(self, path: Path, filename: str | None):
        context = multiprocessing.get_context("fork")
        self.queue = context.Queue(maxsize=QUEUE_BATCHES)
        self.process = context.Process(
            target=_produce, daemon=True, args=(str(path), filename, self.queue, os.getpid())
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
        if self.process.is_alive():
            self.process.terminate()
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
