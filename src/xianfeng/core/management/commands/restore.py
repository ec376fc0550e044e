"""`xianfeng restore FILE [--passphrase-file F | --passphrase-env VAR] [--force]` (issue 13).

Replaces the configured database, the uploaded files and the key files with a backup's;
checks the archive, the keys and a sample of ID numbers before writing anything, and
refuses a target that holds data unless --force.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xianfeng.core.backup import BackupError, restore

from .backup import add_passphrase_arguments, read_passphrase


class Command(BaseCommand):
    help = (
        "从 xianfeng backup 的备份文件恢复数据库、上传文件和密钥；"
        "目标已有数据时须加 --force（请先停止网页服务和后台任务进程）"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="备份文件")
        add_passphrase_arguments(parser)
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库和上传文件")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            outcome = restore(
                Path(options["file"]),
                passphrase=read_passphrase(options),
                force=options["force"],
            )
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from None
        for note in outcome.notes:
            self.stdout.write(note)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"已从 {options['file']} 恢复（备份时间 {outcome.manifest['created_at']}，"
            f"用时 {seconds:.1f} 秒）。程序版本较新时请再运行 xianfeng migrate，然后启动服务。"
        )
