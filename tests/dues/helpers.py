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
