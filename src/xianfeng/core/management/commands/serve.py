"""`xianfeng serve`: gunicorn on 127.0.0.1:8000 (static files by whitenoise), optionally
with the background worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页服务（默认 http://127.0.0.1:8000），可同时启动后台任务进程"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--bind", default=os.environ.get("XIANFENG_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--with-worker", action="store_true", help="同时启动后台任务进程")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "xianfeng.cli", "worker"])
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "xianfeng.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"先锋已启动：http://{options['bind']}/  （Ctrl+C 停止）")
        try:
            subprocess.run(command, check=False)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
