"""`xianfeng check`: evaluate the compliance rules over subtrees for a period (PLAT-04).

    xianfeng check [--org CODE]... [--period 2025|2025-H1|2025-Q2|2025-06] [--as-of DATE]
                   [--rule ID]... [--format table|json] [--policy-override KEY=VALUE]...
                   [--jobs N]

`--org` defaults to every root (with `--as`, to the user's scope), `--period` to the last
full year, `--as-of` to today, `--jobs` to the number of cores (a large scope is split
into shards evaluated in that many processes, compliance.parallel; 1: in this process).
Exit status 0 with or without findings; 2 on bad arguments.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xianfeng.compliance.engine import run_check
from xianfeng.compliance.parallel import ShardFailed
from xianfeng.compliance.policy import PolicyError, parse_value
from xianfeng.compliance.registry import load_rules
from xianfeng.core.actor import current_actor
from xianfeng.lib.dates import parse_date, parse_period, today
from xianfeng.orgs.models import Org


class Command(BaseCommand):
    help = "合规检查：按规则检查组织（含下级）在某一期间的履职情况"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--org", action="append", default=[], help="组织编码，可重复")
        parser.add_argument("--period", default=None, help="2025、2025-H1、2025-Q2 或 2025-06")
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD，默认今天")
        parser.add_argument("--rule", action="append", default=[], help="规则编号，可重复")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="并行进程数（默认等于CPU核数；1 为不并行）",
        )
        parser.add_argument(
            "--policy-override",
            action="append",
            default=[],
            dest="overrides",
            help="KEY=VALUE（VALUE 为 TOML 值）",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        actor = current_actor()
        user = actor.user if actor else None
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else today()
            period = parse_period(options["period"] or str(as_of.year - 1))
            overrides = self._overrides(options["overrides"])
            jobs = _jobs(options["jobs"])
        except (ValueError, PolicyError) as error:
            raise CommandError(str(error), returncode=2) from None
        rules = load_rules()
        unknown = [r for r in options["rule"] if r not in rules]
        if unknown:
            raise CommandError(
                f"未知的规则编号：{', '.join(unknown)}；已登记：{', '.join(sorted(rules))}",
                returncode=2,
            )
        roots = self._roots(options["org"], user)
        try:
            result = run_check(
                roots=roots,
                period=period,
                as_of=as_of,
                rule_ids=options["rule"],
                overrides=overrides,
                by=user,
                jobs=jobs,
            )
        except ShardFailed as error:
            raise CommandError(str(error)) from error
        report = self._report(result, roots)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._table(report)

    @staticmethod
    def _overrides(items: list[str]) -> dict[str, Any]:
        overrides = {}
        for item in items:
            if "=" not in item:
                raise ValueError(f"--policy-override 应写成 KEY=VALUE，收到：{item}")
            key, text = item.split("=", 1)
            overrides[key.strip()] = parse_value(key.strip(), text.strip())
        return overrides

    @staticmethod
    def _roots(codes: list[str], user: Any) -> list[Org]:
        from xianfeng.orgs.queries import orgs_for_user, scope_roots

        if not codes:
            return list(scope_roots(user) if user else Org.objects.get_root_nodes())
        base = orgs_for_user(user) if user else Org.objects.all()
        found = {o.code: o for o in base.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise CommandError(
                f"没有编码为 {', '.join(missing)} 的党组织（或不在管辖范围内）", returncode=2
            )
        return [found[c] for c in codes]

    @staticmethod
    def _report(result: Any, roots: list[Org]) -> dict[str, Any]:
        codes = dict(
            Org.objects.filter(pk__in={f.org_id for f in result.findings}).values_list("pk", "code")
        )
        members = _member_codes({f.member_id for f in result.findings if f.member_id})
        findings = [
            {
                "rule": f.rule,
                "org": codes[f.org_id],
                "member": members.get(f.member_id) if f.member_id else None,
                "period": f.period,
                "severity": f.severity,
                "message": f.message,
                "source": result.rules[f.rule].source if f.rule in result.rules else "",
                "evidence": f.evidence,
            }
            for f in result.findings
        ]
        return {
            "scope": [r.code for r in roots],
            "period": result.run.period,
            "as_of": result.run.as_of.isoformat(),
            "findings": findings,
            "summary": {
                "by_rule": dict(Counter(f["rule"] for f in findings)),
                "orgs_evaluated": result.run.orgs_evaluated,
            },
        }

    def _table(self, report: dict[str, Any]) -> None:
        self.stdout.write(
            f"范围：{', '.join(report['scope']) or '（无组织）'}  期间：{report['period']}"
            f"  截至：{report['as_of']}  检查组织数：{report['summary']['orgs_evaluated']}"
        )
        for f in report["findings"]:
            who = f["org"] + (f" / {f['member']}" if f["member"] else "")
            self.stdout.write(f"{f['rule']}\t{f['severity']}\t{f['period']}\t{who}\t{f['message']}")
        by_rule = "，".join(f"{k} {v} 条" for k, v in sorted(report["summary"]["by_rule"].items()))
        self.stdout.write(
            f"共 {len(report['findings'])} 条发现" + (f"（{by_rule}）" if by_rule else "")
        )


def _jobs(given: int | None) -> int:
    if given is None:
        return os.cpu_count() or 1
    if given < 1:
        raise ValueError(f"--jobs 应为不小于 1 的整数，收到：{given}")
    return given


def _member_codes(ids: set[int]) -> dict[int, str]:
    from xianfeng.members.models import Member

    return dict(Member.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}
