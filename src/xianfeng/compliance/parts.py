"""Helpers the rule modules share: the sub-periods of an evaluated period, whether an org
existed through one, their Chinese names, evidence citing a policy entry, and the members
placed in the subtree on a day (the shared fact `placements_on`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xianfeng.lib.dates import Period, parse_period
from xianfeng.members.queries import FEW, PlacedRow

ONE_DAY = dt.timedelta(days=1)
FEW_MEMBERS = FEW  # a scope with this many members at most names them in its reads
LABELS = {
    "month": lambda y: [f"{y}-{m:02d}" for m in range(1, 13)],
    "quarter": lambda y: [f"{y}-Q{q}" for q in range(1, 5)],
    "half": lambda y: [f"{y}-H1", f"{y}-H2"],
    "year": lambda y: [str(y)],
}


def parts_of(period: Period, size: str) -> list[Period]:
    """The months, quarters, halves or years inside `period` (not only the ended ones)."""
    years = range(period.start.year, (period.end - ONE_DAY).year + 1)
    parts = [parse_period(label) for y in years for label in LABELS[size](y)]
    return [p for p in parts if period.start <= p.start and p.end <= period.end]


def existed(org: dict[str, Any], part: Period) -> bool:
    """Founded by the part's first day and not dissolved before its last day."""
    founded, dissolved = org["founded_on"], org["dissolved_on"]
    return (founded is None or founded <= part.start) and (
        dissolved is None or dissolved >= part.end
    )


def month_name(part: Period) -> str:
    return f"{part.start.year}年{part.start.month}月"


def quarter_name(part: Period) -> str:
    return f"{part.start.year}年第{(part.start.month - 1) // 3 + 1}季度"


def cited(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Evidence citing the policy entry whose value is the threshold."""
    return {
        **evidence,
        "threshold": entry["value"],
        "policy": entry["policy"],
        "source": entry["source"],
    }


def placed_on(ctx: Any, day: dt.date) -> list[PlacedRow]:
    """(member, org, placed since, joined, leading cadre) of the members full or
    probationary on `day` and placed in the subtree then: the shared fact
    `placements_on` (members.facts), read once per day for every rule group."""
    return ctx.fact("placements_on", day=day)


def placed_since(ctx: Any, first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(member, org on `last`) of the members placed in the subtree on `last` (full or
    probationary then) who were placed in some org (any) on `first`."""
    earlier = ctx.fact("placed_anywhere_on", day=first, among=last)
    return [(row[0], row[1]) for row in placed_on(ctx, last) if row[0] in earlier]
