"""DUES-02: a member with consecutive unpaid months (warning at
dues.arrears.warning_months, error at dues.arrears.lapse_months with the Charter's text on
自行脱党).

A month counts once it has ended (its dues were due during it); for a member the branch
agreed pays quarterly (`Arrangement`), a quarter's months count once the quarter has
ended. A month is unpaid when its line is not settled: nothing or too little paid, no base
known and nothing paid. An approved waiver or reduction paid in full settles the month (a
good reason: no finding). The streak runs back from the last counted month through
consecutive unsettled lines; a month without a line (not yet a member, suspended) ends it.
One read of the unsettled lines of the window (a partial index holds them), one of the
arrangements of the members found.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import add_months

from ..models import Arrangement, Due

WARNING = "dues.arrears.warning_months"
LAPSE = "dues.arrears.lapse_months"
WINDOW = 24  # months read back: the longest streak a policy may set (parameters: ≤ 24)
LAPSE_TEXT = "连续6个月不交纳党费，被认为是自行脱党"


def quarter_end_before(day: dt.date) -> dt.date:
    """The last month of the latest quarter ended before `day`'s month."""
    month = add_months(day.replace(day=1), -1)
    while month.month % 3:
        month = add_months(month, -1)
    return month


def unsettled_lines(ctx: Context, first: dt.date, last: dt.date) -> dict[int, list[tuple]]:
    """{member: [(month, org, amount, paid)]} of the unsettled lines of the subtree from
    `first` to `last`, newest first."""
    rows = Due.objects.filter(
        ctx.path_q("org__path"), settled=False, month__gte=first, month__lte=last
    ).order_by()
    found: dict[int, list[tuple]] = defaultdict(list)
    for member, month, org, amount, paid in rows.values_list(
        "member_id", "month", "org_id", "amount", "paid"
    ):
        found[member].append((month, org, amount, paid))
    for lines in found.values():
        lines.sort(reverse=True)
    return found


def quarterly_members(members: list[int], day: dt.date) -> set[int]:
    """Members paying quarterly by the branch's consent in the month before `day`."""
    month = add_months(day.replace(day=1), -1)
    rows = Arrangement.objects.filter(member_id__in=members, first_month__lte=month).exclude(
        last_month__lt=month
    )
    return set(rows.values_list("member_id", flat=True))


def streak(lines: list[tuple], last: dt.date) -> list[tuple]:
    """The consecutive unsettled lines ending at `last` (newest first)."""
    found, expected = [], last
    for line in lines:
        if line[0] > expected:
            continue
        if line[0] != expected:
            break
        found.append(line)
        expected = add_months(expected, -1)
    return found


def owed(lines: list[tuple]) -> Decimal | None:
    amounts = [line[2] - line[3] for line in lines if line[2] is not None]
    return sum(amounts, Decimal(0)) if amounts else None


@rule(
    "DUES-02",
    title="连续不交纳党费预警",
    text="党员连续数月不交纳党费的，提前预警（默认3个月）；连续6个月不交纳党费又无正当理由的，"
    "按党章规定被认为是自行脱党，为严重问题。经批准减免、按季交纳的不计。",
    source="党章第九条；中组部《关于中国共产党党费收缴、使用和管理的规定》（2008）",
    severity="warning",
    local=True,
)
def dues_02_arrears(ctx: Context) -> Iterator[Found]:
    day = ctx.day
    last = add_months(day.replace(day=1), -1)
    lines = unsettled_lines(ctx, add_months(last, -WINDOW + 1), last)
    if not lines:
        return
    quarterly = quarterly_members(list(lines), day)
    orgs = {org["id"]: org for org in ctx.orgs()}
    for member, member_lines in lines.items():
        end = quarter_end_before(day) if member in quarterly else last
        unpaid = streak(member_lines, end)
        org = orgs.get(unpaid[0][1]) if unpaid else None
        if org is None:
            continue
        found = _finding(ctx, member, org, unpaid)
        if found is not None:
            yield found


def _finding(ctx: Context, member: int, org: dict[str, Any], unpaid: list[tuple]) -> Found | None:
    policy = ctx.policy.at(org["path"])
    warning, lapse = policy.entry(WARNING), policy.entry(LAPSE)
    months = len(unpaid)
    if months < min(warning["value"], lapse["value"]):
        return None
    severity = "error" if months >= lapse["value"] else "warning"
    first, last = unpaid[-1][0], unpaid[0][0]
    total = owed(unpaid)
    message = (
        f"自{first.year}年{first.month}月至{last.year}年{last.month}月连续{months}个月未交纳党费"
    )
    if severity == "error":
        message += f"，已达{lapse['value']}个月（{LAPSE_TEXT}，党章第九条）"
    evidence = {
        "unpaid_months": [f"{m.year}-{m.month:02d}" for m, *_ in reversed(unpaid)],
        "months_unpaid": months,
        "warning_months": warning["value"],
        "lapse_months": lapse["value"],
        "as_of": ctx.day.isoformat(),
        "policy": list(dict.fromkeys([warning["policy"], lapse["policy"]])),
        "source": list(dict.fromkeys([warning["source"], lapse["source"]])),
    }
    if total is not None:
        evidence["owed_total"] = str(total)
    return Found(org["id"], ctx.period.label, severity, message, evidence, member_id=member)
