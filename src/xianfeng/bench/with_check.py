"""`xianfeng bench load --with-check`: a full compliance check (`xianfeng check`, every
root, last year) runs in its own process while the clients load the site (issue 13 §2:
a check never blocks the site). The report gains the check's exit code and duration and
whether it ended inside the load's window; run the load long enough to cover it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_WAIT_SECONDS = 3600.0


@dataclass
class CheckProcess:
    """The `xianfeng check` child and its timing; `report()` waits for it."""

    process: subprocess.Popen[bytes]
    log: Path | None
    started: float = field(default_factory=time.monotonic)
    load_ended: float | None = None

    def report(self) -> dict[str, Any]:
        self.load_ended = self.load_ended or time.monotonic()
        try:
            code = self.process.wait(timeout=MAX_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        ended = time.monotonic()
        return {
            "command": "xianfeng check",
            "returncode": code,
            "seconds": round(ended - self.started, 2),
            "ended_within_load": ended <= self.load_ended,
            "log": str(self.log) if self.log else None,
        }


def check_command() -> list[str]:
    return [sys.executable, "-m", "xianfeng.cli", "check"]


@contextmanager
def checking(enabled: bool, log: Path | None = None) -> Iterator[CheckProcess | None]:
    """While the block runs, a full check runs beside it (when `enabled`); its output goes
    to `log` (or nowhere)."""
    if not enabled:
        yield None
        return
    out = log.open("wb") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(check_command(), stdout=out, stderr=subprocess.STDOUT)
        check = CheckProcess(process, log)
        try:
            yield check
        finally:
            check.load_ended = time.monotonic()
            if sys.exc_info()[0] is not None and process.poll() is None:
                process.kill()
                process.wait()
    finally:
        if log:
            out.close()  # type: ignore[union-attr]


def loaded(run: Any, *, check: bool, **arguments: Any) -> dict[str, Any]:
    """`run(**arguments)` (the load), with a full check beside it when `check`; the check's
    output is kept in var/bench/load-check.log."""
    from django.conf import settings

    log = Path(settings.VAR_DIR) / "bench" / "load-check.log" if check else None
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    with checking(check, log) as process:
        report: dict[str, Any] = run(**arguments)
    if process is not None:
        report["check"] = process.report()
    return report
