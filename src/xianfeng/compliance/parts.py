"""Helpers the rule modules share: the sub-periods of an evaluated period, whether an org
existed through one, their Chinese names, evidence citing a policy entry, and the members
placed in the subtree on a day (read once per check)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xianfeng.lib.dates import Period, parse_period
from xianfeng.members.queries import FEW as FEW_MEMBERS  # a scope this small names its members
from xianfeng.members.queries import (
    PlacedRow,
    active_placements_on,
    members_placed_anywhere_on,
)

ONE_DAY = dt.timedelta(days=1)
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
    probationary on `day` and placed in the subtree then: one read per day, shared by the
    LIFE and STUDY rules (each took 1.4 s on SQLite at city scale)."""
    return ctx.memo(("placed_on", day), lambda: active_placements_on(ctx.path_q("org__path"), day))


def placed_since(ctx: Any, first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(member, org on `last`) of the members placed in the subtree on `last` (full or
    probationary then) who were placed in some org (any) on `first`."""
    placed = placed_on(ctx, last)
    members = [row[0] for row in placed] if len(placed) <= FEW_MEMBERS else None
    earlier = ctx.memo(
        ("placed_anywhere", first, last), lambda: members_placed_anywhere_on(first, members)
    )
    return [(row[0], row[1]) for row in placed if row[0] in earlier]
