"""DUES-01: a branch keeps its collection — each month closed (its payments recorded) by
the policy's day of the next month, and every member paying from a declared base has
declared it for the year (by the end of dues.declaration.due_month; the self-employed for
the quarter, by the end of its first month).

Judged for the branches (党支部、联合党支部) of the subtree on `day`: the months of the
period's year whose closing deadline (dues.close.days_after of the next month) has passed
by `day` and that had lines of the branch but no `MonthClose` by then, or one
dated after the deadline (closed late); the lines of the month of `day` whose base comes
from no declaration of the year (its quarter, or one of its months up to then), once the
declaration deadline has passed. One read of the branches' months with lines, one of the closings,
one of the lines of the month of `day` lacking a declaration.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import add_months
from xianfeng.orgs.models import MEMBER_KINDS

from ..models import BASED_KINDS, Due, DuesKind, MonthClose

CLOSE = "dues.close.days_after"
DECLARATION = "dues.declaration.due_month"


def close_deadline(month: dt.date, days_after: int) -> dt.date:
    """The last day to close `month`: day `days_after` of the next month."""
    return add_months(month, 1).replace(day=days_after)


def declaration_deadline(day: dt.date, kind: str, due_month: int) -> dt.date:
    """The last day to declare the base that applies on `day`: the end of the year's
    due month, or for the self-employed the end of the quarter's first month."""
    first = dt.date(day.year, due_month, 1)
    if kind == DuesKind.SELF_EMPLOYED:
        first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return add_months(first, 1) - dt.timedelta(days=1)


def months_with_lines(ctx: Context, first: dt.date, last: dt.date) -> dict[int, set[dt.date]]:
    rows = Due.objects.filter(ctx.path_q("org__path"), month__gte=first, month__lte=last)
    found: dict[int, set[dt.date]] = defaultdict(set)
    for org, month in rows.order_by().values_list("org_id", "month").distinct():
        found[org].add(month)
    return found


def closed_months(
    ctx: Context, first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], dt.date]:
    """{(org, month): closed on} of the subtree's closings of the months."""
    rows = MonthClose.objects.filter(ctx.path_q("org__path"), month__gte=first, month__lte=last)
    return {(org, month): on for org, month, on in rows.values_list("org_id", "month", "closed_on")}


def undeclared(ctx: Context, month: dt.date) -> dict[int, list[tuple[int, str]]]:
    """{org: [(member, kind)]} of the month's lines of based kinds whose base comes from
    no declaration of the month's year (for the self-employed: of its quarter either), nor
    from one of a month of the year (a month's declaration holds from then on)."""
    year, quarter = str(month.year), f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    declared = Q(base_period=year) | Q(kind=DuesKind.SELF_EMPLOYED, base_period=quarter)
    declared |= Q(base_period__gte=f"{year}-01", base_period__lte=f"{year}-12")
    rows = Due.objects.filter(ctx.path_q("org__path"), month=month, kind__in=BASED_KINDS)
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for org, member, kind in (
        rows.exclude(declared).order_by().values_list("org_id", "member_id", "kind")
    ):
        found[org].append((member, kind))
    return found


@rule(
    "DUES-01",
    title="党费收缴按月结账、按时申报基数",
    text="党支部按月收缴党费，设立党费集中交纳日，每月收缴情况应在次月规定日期前登记结账；"
    "以工资、离退休费或经营收入为基数的党员，应按时申报月缴费基数。",
    source="seed 003 §4.4；中组部《关于中国共产党党费收缴、使用和管理的规定》（2008）",
    severity="warning",
    kinds=tuple(MEMBER_KINDS),
    local=True,
)
def dues_01_collection(ctx: Context) -> Iterator[Found]:
    day = ctx.day
    year = ctx.period.start.year
    first, last = dt.date(year - 1, 12, 1), add_months(day.replace(day=1), -1)
    branches = ctx.orgs(MEMBER_KINDS)
    if not branches:
        return
    with_lines = months_with_lines(ctx, first, last)
    closed = closed_months(ctx, first, last)
    missing = undeclared(ctx, day.replace(day=1))
    for org in branches:
        found = _judge(
            ctx, org, with_lines.get(org["id"], set()), closed, missing.get(org["id"], [])
        )
        if found is not None:
            yield found


def _judge(
    ctx: Context,
    org: dict[str, Any],
    months: set[dt.date],
    closed: dict[tuple[int, dt.date], dt.date],
    missing: list[tuple[int, str]],
) -> Found | None:
    policy = ctx.policy.at(org["path"])
    close, due = policy.entry(CLOSE), policy.entry(DECLARATION)
    year, day = ctx.period.start.year, ctx.day
    unclosed, closed_late = [], []
    for month in sorted(months):
        deadline = close_deadline(month, close["value"])
        if (month.year != year and month != dt.date(year - 1, 12, 1)) or deadline >= day:
            continue
        on = closed.get((org["id"], month))
        if on is None or on > day:
            unclosed.append(month)
        elif on > deadline:
            closed_late.append(month)
    late = sorted(
        member for member, kind in missing if declaration_deadline(day, kind, due["value"]) < day
    )
    if not unclosed and not closed_late and not late:
        return None
    return Found(
        org["id"], ctx.period.label, "warning", *_told(ctx, unclosed, closed_late, late, close, due)
    )


def _told(
    ctx: Context,
    unclosed: list[dt.date],
    closed_late: list[dt.date],
    late: list[int],
    close: dict[str, Any],
    due: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    """The finding's message and evidence."""
    parts: list[str] = []
    evidence: dict[str, Any] = {"as_of": ctx.day.isoformat()}
    if unclosed:
        parts.append(f"{len(unclosed)}个月的党费收缴逾期未结账")
        evidence["unclosed_months"] = [f"{m.year}-{m.month:02d}" for m in unclosed]
    if closed_late:
        parts.append(f"{len(closed_late)}个月的党费收缴未按时结账")
        evidence["late_closed_months"] = [f"{m.year}-{m.month:02d}" for m in closed_late]
    if unclosed or closed_late:
        evidence["close_days_after"] = close["value"]
    if late:
        parts.append(f"{len(late)}名党员未申报{ctx.period.start.year}年党费基数")
        evidence["undeclared_members"] = late
        evidence["declaration_due_month"] = due["value"]
    entries = [e for e, used in ((close, unclosed or closed_late), (due, late)) if used]
    evidence["policy"] = list(dict.fromkeys(e["policy"] for e in entries))
    evidence["source"] = list(dict.fromkeys(e["source"] for e in entries))
    return "；".join(parts), evidence
