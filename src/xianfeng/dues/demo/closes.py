"""Closing the months and handing the dues up.

Every branch closes each ended month in the first days of the next one, well before the
15th (dues.close.days_after), except in each block: one branch leaves October of the
last full year unclosed, and the month two before the as-of date's (its deadline passed;
from January 16 on, last December counts with this year), another closes August of the
last full year and the month before this year's unclosed one late (DUES-01).

Each town party committee hands up what its branches collected (党费上缴): the last full
year in January, and this year each quarter in the month after it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from xianfeng.core.demo import DemoContext
from xianfeng.orgs.models import Org

from ..domain.remittances import record_remittance
from ..models import MonthClose
from .common import month_after, month_label, save_tracked
from .records import Plan
from .world import World

DEADLINE_DAY = 15  # the national dues.close.days_after: closed by the 15th of the next month


class ClosesBuilder:
    def __init__(
        self,
        ctx: DemoContext,
        rng: random.Random,
        world: World,
        plan: Plan,
        owed: set[tuple[int, dt.date]],
    ):
        self.ctx, self.rng, self.world, self.plan = ctx, rng, world, plan
        self.owed = owed
        self.y1, self.y2 = world.years
        self.current = world.as_of.replace(day=1)

    def save(self) -> int:
        """The month closes; their count."""
        unclosed, late = self._cases()
        rows = []
        for org, month in sorted(self.owed, key=lambda pair: (pair[1], pair[0])):
            if month >= self.current or (org, month) in unclosed:
                continue
            closed_on = late.get((org, month))
            if closed_on is None:
                closed_on = month_after(month) + dt.timedelta(days=self.rng.randint(0, 10))
            if closed_on <= self.world.as_of:
                rows.append((org, month, closed_on))
        return save_tracked(self.ctx, MonthClose, ["org", "month", "closed_on"], rows)

    def _cases(self) -> tuple[set[tuple[int, dt.date]], dict[tuple[int, dt.date], dt.date]]:
        """(org, month) left unclosed, and those closed late with the day."""
        unclosed: set[tuple[int, dt.date]] = set()
        late: dict[tuple[int, dt.date], dt.date] = {}
        months = {dt.date(self.y1, 10, 1): dt.date(self.y1, 8, 1)}
        # a month whose deadline has passed on the as-of date, judged with this year (DUES-01
        # counts last December with this year)
        this_year = month_after(self.current, -2)
        if this_year.year == self.y2 or this_year == dt.date(self.y1, 12, 1):
            months[this_year] = month_after(this_year, -1)
        owing = defaultdict(set)
        for org, month in self.owed:
            owing[org].add(month)
        for block in self.world.blocks:
            branches = [
                b for b in block.branches if set(months) | set(months.values()) <= owing[b.pk]
            ]
            if len(branches) < 2:
                continue
            left, slow = self.rng.sample(branches, 2)
            for month, late_month in months.items():
                unclosed.add((left.pk, month))
                self.plan.cases.append((left.code, f"{month_label(month)}党费未结账"))
                if late_month.year != month.year:
                    continue
                deadline = month_after(late_month).replace(day=DEADLINE_DAY)
                day = deadline + dt.timedelta(days=self.rng.randint(8, 25))
                if day <= self.world.as_of:
                    late[(slow.pk, late_month)] = day
                    what = f"{month_label(late_month)}党费逾期结账（{day:%Y-%m-%d}）"
                else:
                    unclosed.add((slow.pk, late_month))
                    what = f"{month_label(late_month)}党费未结账"
                self.plan.cases.append((slow.code, what))
        return unclosed, late


def save_remittances(
    world: World, rng: random.Random, collected: dict[tuple[int, dt.date], Decimal]
) -> int:
    """Each town's remittances, recorded through the domain (a few hundred in a city);
    their count."""
    y1, y2 = world.years
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    towns: dict[int, Any] = {}
    for (org, month), amount in collected.items():
        if org not in towns:
            towns[org] = world.town_of(org)
        if towns[org] is not None:
            period = str(y1) if month.year == y1 else f"{y2}-Q{(month.month - 1) // 3 + 1}"
            totals[(towns[org].pk, period)] += amount
    orgs = Org.objects.in_bulk([town for town, _period in totals])
    made = 0
    for (town, period), amount in sorted(totals.items()):
        after = dt.date(y2, 1, 1) if "-Q" not in period else _quarter_after(period)
        remitted = after + dt.timedelta(days=rng.randint(9, 24))
        if amount > 0 and remitted <= world.as_of:
            record_remittance(
                org=orgs[town], period=period, amount=amount, remitted_on=remitted, note="党费上缴"
            )
            made += 1
    return made


def _quarter_after(period: str) -> dt.date:
    year, quarter = int(period[:4]), int(period[-1])
    return month_after(dt.date(year, 3 * quarter, 1))
