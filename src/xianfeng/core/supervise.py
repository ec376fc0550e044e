"""Keeping the background worker running beside the web server (`serve --with-worker`).

A worker that exits is started again after a pause that doubles from `first_delay` up to
`max_delay` (a worker that keeps crashing does not spin), and goes back to `first_delay`
once a worker has run for `steady_after` seconds. Each exit is logged. For production,
systemd's `Restart=always` does the same (docs/deploy.md).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence

STOP_GRACE = 0.3  # an exit this close to a stop (Ctrl+C reaches both) is not a crash


class Supervisor:
    def __init__(
        self,
        command: Sequence[str],
        *,
        log: Callable[[str], object] = print,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        steady_after: float = 60.0,
        poll: float = 0.2,
    ):
        self.command = list(command)
        self.log = log
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.steady_after = steady_after
        self.poll = poll
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts: list[float] = []  # the pause before each restart, in order
        self.stopping = threading.Event()

    def run(self) -> None:
        """Start the worker and keep it running until `stop()` (blocks; run in a thread)."""
        delay = self.first_delay
        while not self.stopping.is_set():
            started = time.monotonic()
            outcome = self._run_once()
            if self.stopping.wait(STOP_GRACE if self._ended() else 0):
                break
            if time.monotonic() - started >= self.steady_after:
                delay = self.first_delay
            self.log(f"后台任务进程{outcome}，{delay:g} 秒后重启")
            self.restarts.append(delay)
            if self.stopping.wait(delay):
                break
            delay = min(delay * 2, self.max_delay)
        self._end_worker()

    def _run_once(self) -> str:
        """Start the worker and wait for its exit (or a stop); says how it ended."""
        try:
            self.process = subprocess.Popen(self.command)
        except OSError as error:
            self.process = None
            return f"无法启动（{error}）"
        while self.process.poll() is None and not self.stopping.wait(self.poll):
            pass
        return f"已退出（退出码 {self.process.returncode}）"

    def _ended(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def stop(self) -> None:
        self.stopping.set()

    def _end_worker(self, timeout: float = 30) -> None:
        """SIGTERM lets a running task finish (the worker's own handler); then SIGKILL."""
        if self.process is None or self._ended():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
