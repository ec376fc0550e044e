"""The periods a monthly base is declared for (DUES-01): a year (`2025`), a quarter for the
self-employed (`2025-Q1`), or a month (`2025-07`): the base from that month to the end of
its year, unless a declaration starting later holds — the pension declared from the month a
member retires, the allowance from the month they lose their job.

Periods are compared by where they start and, starting together, the narrower one last
(`2025` < `2025-Q1` < `2025-01`): the order in which the latest declaration before a
month is found (a base carried over)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

YEAR, QUARTER, MONTH = "year", "quarter", "month"


def shape(period: str) -> str:
    """YEAR, QUARTER or MONTH of a well-formed declared period."""
    if len(period) == 4:
        return YEAR
    return QUARTER if period[5] == "Q" else MONTH


def is_month(period: str) -> bool:
    return len(period) == 7 and period[5] != "Q"


def month_period(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def start(period: str) -> dt.date:
    """The first day of the first month the period's base applies to."""
    year, kind = int(period[:4]), shape(period)
    if kind == YEAR:
        return dt.date(year, 1, 1)
    if kind == QUARTER:
        return dt.date(year, 3 * (int(period[-1]) - 1) + 1, 1)
    return dt.date(year, int(period[5:]), 1)


def last_month(period: str) -> dt.date:
    """The first day of the last month the period's base may apply to (a month's: December)."""
    first = start(period)
    if shape(period) == QUARTER:
        return dt.date(first.year, first.month + 2, 1)
    return dt.date(first.year, 12, 1)


_RANK = {YEAR: 0, QUARTER: 1, MONTH: 2}


def order(period: str) -> tuple[dt.date, int]:
    """Sort key: by start, the narrower period after the wider one starting with it."""
    return start(period), _RANK[shape(period)]


def name(period: str) -> str:
    """2025 → 2025年, 2025-Q1 → 2025年第1季度, 2025-07 → 自2025年7月起."""
    if not period:
        return ""
    kind, year = shape(period), period[:4]
    if kind == YEAR:
        return _("%(year)s年") % {"year": year}
    if kind == QUARTER:
        return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": period[-1]}
    return _("自%(year)s年%(month)d月起") % {"year": year, "month": int(period[5:])}
