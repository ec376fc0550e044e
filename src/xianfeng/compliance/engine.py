"""Evaluating rules over subtrees and storing the findings (PLAT-04)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min

from xianfeng.core.history import current_via
from xianfeng.lib.dates import Period

from .calendar import Calendar
from .models import Finding, Run
from .policy import resolver
from .registry import Context, Found, Rule, load_rules

CALENDAR_RULE = "PLAT-04"


@dataclass
class Result:
    run: Run
    findings: list[Finding]
    rules: dict[str, Rule]


def _calendar_notes(ctx: Context) -> list[Found]:
    years = ctx.calendar.unconfirmed_years(ctx.period.start, ctx.period.end)
    if not years:
        return []
    names = "、".join(str(y) for y in years)
    message = (
        f"{names}年的法定节假日安排尚未核对国务院办公厅通知，节假日与调休按程序推算，"
        "涉及节假日的检查结果可能不准确；请管理员核对后确认该年份。"
    )
    return [
        Found(
            org_id=root.pk,
            period=ctx.period.label,
            severity="info",
            message=message,
            evidence={"unconfirmed_years": years},
        )
        for root in ctx.roots
    ]


def evaluate(
    *,
    roots: list[Any],
    period: Period,
    as_of: dt.date,
    rule_ids: Iterable[str] = (),
    overrides: dict[str, Any] | None = None,
) -> tuple[list[tuple[Rule | None, Found]], int]:
    """Run the chosen (default: all) rules; returns (rule, found) pairs and the org count."""
    rules = load_rules()
    chosen = [rules[r] for r in rule_ids] if rule_ids else list(rules.values())
    ctx = Context(
        roots=roots,
        period=period,
        as_of=as_of,
        policy=resolver(day=min(as_of, period.end - dt.timedelta(days=1)), overrides=overrides),
        calendar=Calendar(),
    )
    found: list[tuple[Rule | None, Found]] = [(None, f) for f in _calendar_notes(ctx)]
    for rule in chosen:
        found += [(rule, f) for f in rule.fn(ctx)]
    return found, len(ctx.orgs())


@transaction.atomic
def run_check(
    *,
    roots: list[Any],
    period: Period,
    as_of: dt.date,
    rule_ids: Iterable[str] = (),
    overrides: dict[str, Any] | None = None,
    by: Any = None,
) -> Result:
    """Evaluate and store a run with its findings (first-seen dates carried over)."""
    started = time.perf_counter()
    pairs, orgs = evaluate(
        roots=roots, period=period, as_of=as_of, rule_ids=rule_ids, overrides=overrides
    )
    run = Run.objects.create(
        scope=[r.code for r in roots],
        period=period.label,
        as_of=as_of,
        rules=list(rule_ids),
        overrides={k: v["value"] for k, v in (overrides or {}).items()},
        orgs_evaluated=orgs,
        by=by if getattr(by, "pk", None) else None,
        via=current_via(),
    )
    seen = _first_seen({(p[0].id if p[0] else CALENDAR_RULE, p[1].org_id) for p in pairs})
    findings = [
        Finding(
            run=run,
            rule=rule.id if rule else CALENDAR_RULE,
            org_id=f.org_id,
            member_id=f.member_id,
            period=f.period,
            severity=f.severity,
            message=f.message,
            evidence=f.evidence,
            first_seen=seen.get(
                (rule.id if rule else CALENDAR_RULE, f.org_id, f.member_id, f.period), as_of
            ),
        )
        for rule, f in pairs
    ]
    Finding.objects.bulk_create(findings, batch_size=2000)
    run.seconds = time.perf_counter() - started
    run.save(update_fields=["seconds"])
    return Result(run=run, findings=findings, rules=load_rules())


def _first_seen(keys: set[tuple[str, int]]) -> dict[tuple[str, int, int | None, str], dt.date]:
    if not keys:
        return {}
    rules = {k[0] for k in keys}
    orgs = {k[1] for k in keys}
    rows = (
        Finding.objects.filter(rule__in=rules, org_id__in=orgs)
        .values("rule", "org_id", "member_id", "period")
        .annotate(first=Min("first_seen"))
    )
    return {(r["rule"], r["org_id"], r["member_id"], r["period"]): r["first"] for r in rows}
