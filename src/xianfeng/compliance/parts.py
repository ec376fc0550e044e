"""Helpers the rule modules share: the sub-periods of an evaluated period, whether an org
existed through one, their Chinese names, and evidence citing a policy entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xianfeng.lib.dates import Period, parse_period

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
