"""Members in arrears (DUES-02's list): each member with an unpaid line last month and the
run of consecutive unpaid months that ends there, with what they owe; read set-wise from
the unpaid lines (`settled` False) of the members unpaid last month, in one query.

The run stops at a paid month and at a month the member did not owe (before joining,
while suspended). A quarterly arrangement is shown beside the run: the arrears rule counts
a quarter's months only after the quarter's payment day (the rule decides, not this list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import add_months, today
from xianfeng.orgs.models import Org

from ..models import Arrangement, Due
from .lines import ZERO

WINDOW = 24  # months looked back at most


@dataclass
class Arrears:
    member_id: int
    code: str
    name: str
    org_code: str
    org_name: str
    org_path: str
    months: list[dt.date] = field(default_factory=list)  # newest first
    owed: Decimal | None = ZERO  # None: some month waits for a declared base
    level: str = ""  # "", "warning", "error" (policy months)
    quarterly: bool = False
    url: str = ""  # the member's dues page, where a list sets it

    @property
    def count(self) -> int:
        return len(self.months)

    @property
    def first(self) -> dt.date:
        return self.months[-1]

    @property
    def last(self) -> dt.date:
        return self.months[0]


def last_month(day: dt.date | None = None) -> dt.date:
    return add_months((day or today()).replace(day=1), -1)


def _unpaid_last(org: Org, last: dt.date) -> QuerySet[Due]:
    return Due.objects.filter(settled=False, month=last, org__path__startswith=org.path)


def _rows(org: Org, last: dt.date) -> list[tuple]:
    unpaid_last = _unpaid_last(org, last).values("member_id")
    rows = Due.objects.filter(
        settled=False,
        month__gte=add_months(last, 1 - WINDOW),
        month__lte=last,
        member_id__in=unpaid_last,
    )
    return list(
        rows.order_by("member_id", "-month").values_list(
            "member_id",
            "month",
            "amount",
            "paid",
            "member__code",
            "member__name",
            "org__code",
            "org__name",
            "org__path",
        )
    )


def _runs(rows: list[tuple], last: dt.date) -> list[Arrears]:
    runs: dict[int, Arrears] = {}
    for member, month, amount, paid, code, name, org_code, org_name, path in rows:
        run = runs.get(member)
        if run is None:
            if month != last:
                continue
            run = runs[member] = Arrears(member, code, name, org_code, org_name, path)
        elif month != add_months(run.months[-1], -1):
            continue  # the run ended at a paid or unowed month
        run.months.append(month)
        run.owed = None if amount is None or run.owed is None else run.owed + amount - paid
    return list(runs.values())


def arrears_of(org: Org, *, day: dt.date | None = None, min_months: int = 1) -> list[Arrears]:
    """The org subtree's members unpaid last month, with their consecutive unpaid months
    (at least `min_months`), the longest runs first."""
    last = last_month(day)
    runs = [run for run in _runs(_rows(org, last), last) if run.count >= min_months]
    policy = resolver(day=day or today())
    for run in runs:
        at = policy.at(run.org_path)
        if run.count >= at.value("dues.arrears.lapse_months"):
            run.level = "error"
        elif run.count >= at.value("dues.arrears.warning_months"):
            run.level = "warning"
    quarterly = set(
        Arrangement.objects.filter(
            Q(last_month__isnull=True) | Q(last_month__gte=last),
            member_id__in=_unpaid_last(org, last).values("member_id"),
            first_month__lte=last,
        ).values_list("member_id", flat=True)
    )
    for run in runs:
        run.quarterly = run.member_id in quarterly
    runs.sort(key=lambda run: (-run.count, run.org_code, run.code))
    return runs
