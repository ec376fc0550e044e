"""Reading a large workbook in a second process while the importer validates (PLAT-03).

Reading holds the GIL (python-calamine parses a sheet, then every cell becomes a Python
object; openpyxl, still the fallback, parses XML in pure Python); validation and database
writes need the CPU too. On a machine with two cores, parsing in a child process that streams rows
through a pipe lets both run at once. Sheets arrive in file order and must be read in that
order (as the importer does); memory stays bounded by the pipe.

The child is a fresh interpreter (`python -m xianfeng.lib.prefetch`), not a fork: it
imports this module and the readers only, never Django or the caller's main module, so
its memory is the reader's own (python-calamine holds the whole sheet) and no page of the
parent's is counted twice. It writes pickled batches of rows to its stdout.

The child never outlives its parent (issue 13): on Linux it asks the kernel for SIGKILL
when the parent dies; everywhere a write into the pipe fails once the parent is gone
(nobody holds its reading end), which ends the child.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .tabular import Sheet, TabularError, open_workbook

BATCH = 2000
WORTH_IT_BYTES = 4 * 1024 * 1024  # smaller files are read in-process
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PIPE_BUFFER = 1 << 20
AHEAD = 48  # batches read from the pipe ahead of the importer (≈100,000 rows, ≈30 MB)
_FRAME = struct.Struct("<I")  # each item: its pickle's length, then the pickle
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding xianfeng/


def _die_with_parent(parent: int, death_signal: int) -> bool:
    """In the child: end with the parent. False when the parent is already gone.

    The child follows its parent's fate only: it ignores SIGINT and SIGTERM (Ctrl+C, or
    systemd stopping the worker's whole group, let the worker finish its running import
    gracefully) and is killed when the parent dies or closes the reader. The death signal
    follows the thread that started the child, which reads its rows until it closes the
    reader.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux") and death_signal:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(death_signal, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the broken pipe remains
            pass
    return os.getppid() == parent  # the parent may have died before prctl


def _stream(path: str, filename: str | None, out: IO[bytes], batch_size: int) -> None:
    """Write the workbook's sheets and rows as pickled items, then ("done",)."""

    def put(item: tuple[Any, ...]) -> None:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_FRAME.pack(len(data)))
        out.write(data)

    try:
        with open_workbook(path, filename=filename) as sheets:
            for sheet in sheets:
                put(("sheet", sheet.name, sheet.total_rows, sheet.hidden))
                batch: list[tuple[int, list[Any]]] = []
                for row in sheet.rows:
                    batch.append(row)
                    if len(batch) >= batch_size:
                        put(("rows", batch))
                        batch = []
                put(("rows", batch))
                put(("end",))
    except TabularError as error:
        put(("error", str(error)))
    except Exception as error:  # an unreadable file must not hang the importer
        put(("error", f"文件无法读取：{type(error).__name__}"))
    else:
        put(("done",))
    out.flush()


def main(argv: list[str]) -> int:
    """The child: `python -m xianfeng.lib.prefetch PATH FILENAME PARENT BATCH DEATHSIG`."""
    path, filename, parent, batch, death_signal = argv
    if not _die_with_parent(int(parent), int(death_signal)):
        return 1
    out = os.fdopen(sys.stdout.fileno(), "wb", buffering=PIPE_BUFFER, closefd=False)
    try:
        _stream(path, filename or None, out, int(batch))
    except BrokenPipeError:  # the parent is gone or closed the reader
        os._exit(1)
    return 0


class _Reader:
    def __init__(self, path: Path, filename: str | None):
        command = [
            sys.executable,
            "-P",  # no working directory on the path: this package, from _PACKAGE_ROOT
            "-m",
            "xianfeng.lib.prefetch",
            str(path),
            filename or "",
            str(os.getpid()),
            str(BATCH),
            str(PR_SET_PDEATHSIG),
        ]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, bufsize=PIPE_BUFFER
        )
        self.ahead: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
        self.closed = threading.Event()
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _drain(self) -> None:
        """A thread emptying the pipe while the importer works (reading releases the GIL),
        so that the child keeps parsing while the importer loads what it compares with;
        None after the last item or when the child ended early."""
        pipe = self.process.stdout
        assert pipe is not None
        while not self.closed.is_set():
            head = pipe.read(_FRAME.size)
            if len(head) < _FRAME.size:
                break
            size = _FRAME.unpack(head)[0]
            data = pipe.read(size)
            if len(data) < size:  # the child died while writing it
                break
            self._put(data)
        self._put(None)

    def _put(self, data: bytes | None) -> None:
        while not self.closed.is_set():
            try:
                self.ahead.put(data, timeout=1)
                return
            except queue.Full:
                continue

    def _next(self) -> tuple[Any, ...]:
        data = self.ahead.get()
        if data is None:
            self.ahead.put(None)  # every later read ends too
            raise TabularError("读取文件的进程意外退出，请重试")
        item = pickle.loads(data)
        if item[0] == "error":
            raise TabularError(item[1])
        return item  # type: ignore[no-any-return]

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

    @property
    def pid(self) -> int:
        return self.process.pid

    def close(self) -> None:
        self.closed.set()
        if self.process.poll() is None:
            self.process.kill()  # it ignores SIGTERM (see _die_with_parent)
        self.drain.join(timeout=5)  # the pipe ends with the child
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.process.wait(timeout=5)


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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
