"""`xianfeng import FILE`: import orgs and members all-or-nothing (PLAT-03).

On errors: exit status 1 and one line per error, `sheet<TAB>row<TAB>column<TAB>message`
(`--format json`: a JSON list); nothing is written. `--template FILE.xlsx` writes the
import template instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xianfeng.core.actor import current_actor
from xianfeng.core.importing import ImportFailed, error_lines, run_import


class Command(BaseCommand):
    help = "导入 xianfeng export 导出的各类数据或导入模板（.xlsx/.xls/.ods/.csv/.json，见 docs/import-format.md）；有任何错误则全部不写入"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", nargs="?", help="要导入的文件")
        parser.add_argument("--template", metavar="FILE.xlsx", help="生成导入模板")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--progress", action="store_true", help="在标准错误输出逐行报告进度")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["template"]:
            from xianfeng.core.workbooks import write_template

            write_template(Path(options["template"]))
            self.stdout.write(f"已生成导入模板：{options['template']}")
            return
        if not options["file"]:
            raise CommandError("请指定要导入的文件，或用 --template 生成模板", returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        actor = current_actor()
        try:
            result = run_import(
                path,
                filename=path.name,
                by=actor.user if actor else None,
                progress=self._progress if options["progress"] else None,
            )
        except ImportFailed as failure:
            self._print_errors(failure, options["format"])
            sys.exit(1)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"ok": True, "counts": result.counts}, ensure_ascii=False))
        else:
            self.stdout.write(f"导入完成。{result.summary()}")

    def _progress(self, done: int, total: int, message: str) -> None:
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()

    def _print_errors(self, failure: ImportFailed, fmt: str) -> None:
        if fmt == "json":
            payload = [error.as_dict() for error in failure.errors]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(error_lines(failure.errors))
        self.stderr.write(f"导入失败：共 {len(failure.errors)} 处错误，未写入任何数据。")
