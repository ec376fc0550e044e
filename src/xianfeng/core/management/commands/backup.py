"""`xianfeng backup FILE [--passphrase-file F | --passphrase-env VAR]` (issue 13).

One archive with the database (SQLite: online backup API; PostgreSQL: pg_dump), the
uploaded files and the key files of var/ (see core.backup).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xianfeng.core.backup import BackupError, backup


def add_passphrase_arguments(parser) -> None:  # type: ignore[no-untyped-def]
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--passphrase-file", help="从文件（第一行）读取加密密钥用的口令")
    group.add_argument("--passphrase-env", help="从该环境变量读取加密密钥用的口令")


def read_passphrase(options: dict) -> str | None:  # type: ignore[type-arg]
    import os

    if options.get("passphrase_file"):
        try:
            lines = Path(options["passphrase_file"]).read_text().splitlines()
        except OSError as error:
            raise CommandError(f"无法读取口令文件：{error}", returncode=2) from None
        phrase = lines[0].strip() if lines else ""
    elif options.get("passphrase_env"):
        phrase = os.environ.get(options["passphrase_env"], "")
        if not phrase:
            raise CommandError(f"环境变量 {options['passphrase_env']} 未设置或为空", returncode=2)
    else:
        return None
    if not phrase:
        raise CommandError("口令为空", returncode=2)
    return phrase


class Command(BaseCommand):
    help = (
        "备份：数据库、上传文件和密钥文件打包成一个文件（.tar；文件名以 .tar.gz 结尾时压缩）；"
        "网站运行中也可备份"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="备份文件，如 /backup/xianfeng-$(date +%%F).tar.gz")
        add_passphrase_arguments(parser)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            outcome = backup(Path(options["file"]), passphrase=read_passphrase(options))
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from None
        database = outcome.manifest["database"]
        seconds = time.perf_counter() - started
        for note in outcome.notes:
            self.stdout.write(note)
        self.stdout.write(
            f"已备份到 {options['file']}：{database['vendor']} 数据库 {len(database['tables'])} 张表"
            f" {database['rows']} 行，{outcome.manifest['media_files']} 个上传文件"
            f"（用时 {seconds:.1f} 秒）"
        )
