"""`xianfeng export KIND [--org CODE] [--unmasked] FILE.xlsx` (PLAT-03).

KIND: one of the kinds the apps register (settings.EXPORTS; `xianfeng export --help`
lists them); the file re-imports with `xianfeng import`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from xianfeng.core.actor import current_actor
from xianfeng.core.exports import export, export_kinds
from xianfeng.core.hooks import hook


class Command(BaseCommand):
    help = (
        "按导入格式导出一类数据到 Excel（KIND 见下），可用 xianfeng import 原样再导入；"
        "身份证号默认脱敏，--unmasked 导出完整号码（会记录）"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        kinds = "，".join(f"{kind}={title}" for kind, title in export_kinds().items())
        parser.add_argument("kind", choices=list(export_kinds()), help=kinds)
        parser.add_argument("file", help="输出文件 .xlsx")
        parser.add_argument("--org", help="只导出该组织（含下级）")
        parser.add_argument("--unmasked", action="store_true", help="导出完整身份证号")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        actor = current_actor()
        user = actor.user if actor else None
        org = None
        if options["org"]:
            try:
                org = hook("find_org")(user, options["org"])
            except Exception:
                raise CommandError(
                    f"没有编码为 {options['org']} 的党组织（或不在管辖范围内）", returncode=2
                ) from None
        try:
            record = export(
                kind=options["kind"],
                target=Path(options["file"]),
                user=user,
                org=org,
                unmasked=options["unmasked"],
            )
        except PermissionDenied as error:
            raise CommandError(str(error), returncode=2) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from None
        masked = "完整" if record.unmasked else "脱敏"
        self.stdout.write(f"已导出 {record.rows} 行到 {options['file']}（身份证号{masked}）")
