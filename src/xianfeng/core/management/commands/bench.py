"""`xianfeng bench import [--members N]`: performance measurements, printed as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "性能测试：import（市级党员名册导入）、check（市级全量合规检查）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("what", choices=["import", "check"])
        parser.add_argument(
            "--scale",
            choices=["city"],
            default="city",
            help="check：在当前数据库上复用或生成市级示范数据",
        )
        parser.add_argument("--rule", default="", help="check：只测规则编号以此开头的规则")
        parser.add_argument("--period", default="", help="check：期间，默认上一年")
        parser.add_argument("--members", type=int, default=300_000)
        parser.add_argument("--workbook", help="复用或生成的工作簿路径")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from xianfeng.core.bench import check, importing

        if options["what"] == "check":
            report = check.run(rule_prefix=options["rule"], period=options["period"])
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        if options["members"] < 1:
            raise CommandError("--members 应为正整数", returncode=2)
        default = Path(settings.VAR_DIR) / "bench" / f"city-{options['members']}.xlsx"
        workbook = Path(options["workbook"]) if options["workbook"] else default
        report = importing.run(members=options["members"], workbook=workbook)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
