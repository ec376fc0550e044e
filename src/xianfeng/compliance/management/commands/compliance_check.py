"""`xianfeng check`: the compliance check (PLAT-04). The rule registry and findings arrive
with the compliance engine; until rules are registered this validates the arguments and
reports the scope with no findings, in the JSON contract scripts rely on."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from xianfeng.lib.dates import parse_date, parse_period, today
from xianfeng.orgs.models import Org


class Command(BaseCommand):
    help = "合规检查：按规则检查组织（及下级）在某一期间的履职情况"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--org", action="append", default=[], help="组织编码，可重复")
        parser.add_argument("--period", default=None, help="2025、2025-H1、2025-Q2 或 2025-06")
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD，默认今天")
        parser.add_argument("--rule", action="append", default=[], help="规则编号，可重复")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--policy-override",
            action="append",
            default=[],
            dest="overrides",
            help="KEY=VALUE（TOML 值）",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else today()
            period = parse_period(options["period"] or str(as_of.year - 1))
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        scope = self._scope(options["org"])
        if options["rule"]:
            raise CommandError(
                f"未知的规则编号：{', '.join(options['rule'])}（尚未登记任何规则）", returncode=2
            )
        orgs = sum(Org.objects.filter(path__startswith=o.path).count() for o in scope)
        report = {
            "scope": [o.code for o in scope],
            "period": period.label,
            "as_of": as_of.isoformat(),
            "findings": [],
            "summary": {"by_rule": {}, "orgs_evaluated": orgs},
        }
        self._print(report, options["format"], as_of)

    @staticmethod
    def _scope(codes: list[str]) -> list[Org]:
        if not codes:
            return list(Org.objects.get_root_nodes())
        found = {o.code: o for o in Org.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise CommandError(f"没有编码为 {', '.join(missing)} 的党组织", returncode=2)
        return [found[c] for c in codes]

    def _print(self, report: dict, fmt: str, as_of: dt.date) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"范围：{', '.join(report['scope']) or '（无组织）'}  期间：{report['period']}"
            f"  截至：{as_of}  检查组织数：{report['summary']['orgs_evaluated']}"
        )
        self.stdout.write("尚未登记任何合规规则：没有发现问题可报告。")
