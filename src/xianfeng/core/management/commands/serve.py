"""`xianfeng serve`: gunicorn on 127.0.0.1:8000 (static files by whitenoise), optionally
with the background worker beside it, restarted whenever it exits (core.supervise)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand

from xianfeng.core.serving import WORKERS_ENV, default_workers
from xianfeng.core.supervise import Supervisor


class Command(BaseCommand):
    help = "启动网页服务（默认 http://127.0.0.1:8000），可同时启动后台任务进程"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--bind", default=os.environ.get("XIANFENG_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help=f"网页服务进程数，默认取环境变量 {WORKERS_ENV}，未设置时等于本机可用核数",
        )
        parser.add_argument("--with-worker", action="store_true", help="同时启动后台任务进程")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        _warn_on_key_mismatch(self.stderr.write)
        workers = options["workers"] or default_workers()
        supervisor = Supervisor(
            [sys.executable, "-m", "xianfeng.cli", "worker"], log=self.stderr.write
        )
        keeper = threading.Thread(target=supervisor.run, name="worker-supervisor")
        if options["with_worker"]:
            keeper.start()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "xianfeng.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(
            f"先锋已启动：http://{options['bind']}/  （{workers} 个网页服务进程，Ctrl+C 停止）"
        )
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        server = None
        try:
            server = subprocess.Popen(command)
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            supervisor.stop()
            _end(server)
            if keeper.is_alive():
                keeper.join()


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return int(text)


def _stop_on_sigterm(signum, frame):  # type: ignore[no-untyped-def]
    raise KeyboardInterrupt  # stopped by systemd or kill: end the server and the worker


def _end(server: subprocess.Popen[bytes] | None) -> None:
    """Gunicorn stops gracefully on SIGTERM (Ctrl+C has already reached it)."""
    if server is None:
        return
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _warn_on_key_mismatch(write: Any) -> None:
    """Say at startup when the ID-number keys do not fit the database (moved without them)."""
    from django.db import DatabaseError

    from xianfeng.core.backup import BackupError, verify_live_keys

    try:
        verify_live_keys()
    except BackupError as error:
        write(f"警告：{error}")
    except DatabaseError:  # not migrated yet: nothing to check
        pass
