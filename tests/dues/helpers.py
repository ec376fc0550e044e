"""Shared set-up of the dues page and API tests: the tree's members with their ledgers of
last year and this year computed, MA1 declared at 3000.00 (salaried: 15.00 a month)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xianfeng.dues import ledger
from xianfeng.dues.domain.common import month_label
from xianfeng.dues.domain.declarations import declare_base
from xianfeng.lib.dates import add_months, today

Y = today().year
THIS = today().replace(day=1)
LAST = add_months(THIS, -1)
M = Decimal


def label(month: dt.date) -> str:
    return month_label(month)


def with_ledgers(tree) -> None:
    """Last year's and this year's lines of everyone; MA1's base of both years declared."""
    for year in (Y - 1, Y):
        declare_base(member=tree.member_a, period=str(year), monthly_base="3000")
        ledger.refresh(year)


def kept_totals_mismatches() -> list[tuple]:
    """(org, month, kept, from the lines) wherever the kept sums (`MonthTotal`) differ from
    the lines' own sums; empty when they agree."""
    from xianfeng.dues.models import Due, MonthTotal

    summed: dict[tuple[int, dt.date], list] = {}
    for org, month, amount, paid, settled in Due.objects.values_list(
        "org_id", "month", "amount", "paid", "settled"
    ):
        row = summed.setdefault((org, month), [M(0), M(0), M(0), 0, 0, 0])
        row[0] += amount or 0
        row[1] += paid
        row[2] += 0 if settled or amount is None else amount - paid
        row[3] += amount is None
        row[4] += not settled
        row[5] += 1
    kept = {
        (t.org_id, t.month): [t.due, t.paid, t.owed, t.undeclared, t.unsettled, t.lines]
        for t in MonthTotal.objects.all()
    }
    return [
        (org, month, kept.get((org, month)), summed.get((org, month)))
        for org, month in sorted(set(summed) | set(kept))
        if kept.get((org, month)) != summed.get((org, month))
    ]
