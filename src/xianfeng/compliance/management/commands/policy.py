"""`xianfeng policy`: attach, detach and show an org's policy from the command line (PLAT-04).

    xianfeng policy attach ORG CODE [--copy]   a shipped policy, by reference or as a copy
    xianfeng policy attach ORG --file FILE     a policy file (TOML) of the org's own
    xianfeng policy detach ORG
    xianfeng policy show ORG [--date DATE] [--format table|json]

Acts with full rights (the root's policy too); with `--as USERNAME` as that user, under the
same rule as the web page: only admins of an org above ORG change its policy. Exit status
0 on success, 1 when refused or invalid, 2 on bad arguments or an org not found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from xianfeng.compliance.domain import adopt_policy, detach_policy, save_policy
from xianfeng.compliance.models import Policy
from xianfeng.compliance.queries import effective_parameters
from xianfeng.core.actor import current_actor
from xianfeng.lib.dates import parse_date, today
from xianfeng.orgs.models import Org


class Command(BaseCommand):
    help = "政策参数：给组织挂接、解除政策，查看组织现行的参数及其来源"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        actions = parser.add_subparsers(dest="action", required=True, title="操作")
        attach = actions.add_parser("attach", help="挂接政策（内置政策的编码，或 --file）")
        attach.add_argument("org", help="组织编码")
        attach.add_argument("code", nargs="?", default="", help="内置政策编码，如 004-gaibei")
        attach.add_argument("--copy", action="store_true", help="作为本地副本（不随文件更新）")
        attach.add_argument("--file", default="", help="本组织的政策文件（TOML）")
        detach = actions.add_parser("detach", help="解除组织自己的政策")
        detach.add_argument("org", help="组织编码")
        show = actions.add_parser("show", help="组织现行的参数及每个值的来源")
        show.add_argument("org", help="组织编码")
        show.add_argument("--date", default=None, help="YYYY-MM-DD，默认今天")
        show.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        actor = current_actor()
        user = actor.user if actor else None
        org = _org(options["org"], user)
        action = options["action"]
        if action == "show":
            self._show(org, options)
            return
        try:
            policy = self._change(action, org, options, user)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(_reason(error), returncode=1) from None
        verb = "已解除" if action == "detach" else "已挂接"
        mode = f"（引用 {policy.follows.code}）" if policy.follows else ""
        self.stdout.write(f"{verb}“{org.name}”（{org.code}）的政策“{policy.title}”{mode}")

    @staticmethod
    def _change(action: str, org: Org, options: dict[str, Any], user: Any) -> Policy:
        if action == "detach":
            return detach_policy(org=org, by=user)
        if options["file"]:
            if options["code"]:
                raise CommandError("请只给出内置政策编码或 --file 之一", returncode=2)
            try:
                text = Path(options["file"]).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"无法读取 {options['file']}：{error}", returncode=2) from None
            return save_policy(text=text, org=org, by=user)
        if not options["code"]:
            raise CommandError("请给出内置政策编码或 --file", returncode=2)
        return adopt_policy(org=org, code=options["code"], copy=options["copy"], by=user)

    def _show(self, org: Org, options: dict[str, Any]) -> None:
        try:
            day = parse_date(options["date"]) if options["date"] else today()
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        report = policy_report(org, day)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        own = report["own"]
        self.stdout.write(f"{org.name}（{org.code}）  日期：{report['date']}")
        self.stdout.write(f"本组织的政策：{_own_text(own)}")
        for row in report["parameters"]:
            value = json.dumps(row["value"], ensure_ascii=False)
            unit = f" {row['unit']}" if row["unit"] else ""
            layer = f"{row['policy']} @ {row['layer'] or '全国'}"
            self.stdout.write(f"{row['key']}\t{value}{unit}\t{layer}\t{row['source']}")


def policy_report(org: Org, day: Any) -> dict[str, Any]:
    """The effective policy of `org` on `day`: each value with its source layer."""
    own = Policy.objects.filter(org=org).select_related("follows").first()
    rows = []
    for row in effective_parameters(org, day):
        entry = row["entry"] or {}
        rows.append(
            {
                "key": row["key"],
                "value": entry.get("value"),
                "unit": entry.get("unit", row["unit"]),
                "policy": entry.get("policy", ""),
                "layer": row["layer"].code if row["layer"] is not None else "",
                "source": entry.get("source", ""),
            }
        )
    return {
        "org": org.code,
        "date": day.isoformat(),
        "own": None
        if own is None
        else {
            "code": own.code,
            "title": own.title,
            "follows": own.follows.code if own.follows else None,
        },
        "parameters": rows,
    }


def _own_text(own: dict[str, Any] | None) -> str:
    if own is None:
        return "无（适用上级组织的政策和全国默认值）"
    if own["follows"]:
        return f"{own['code']}（引用内置政策 {own['follows']}，随文件更新）"
    return f"{own['code']} {own['title']}"


def _org(code: str, user: Any) -> Org:
    from xianfeng.orgs.queries import orgs_for_user

    base = orgs_for_user(user) if user else Org.objects.all()
    org = base.filter(code=code).first()
    if org is None:
        raise CommandError(f"没有编码为 {code} 的党组织（或不在管辖范围内）", returncode=2)
    return org


def _reason(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "无权修改该组织的政策"
