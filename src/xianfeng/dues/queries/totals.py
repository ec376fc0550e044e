"""Totals of the ledger (DUES-01 item 7): per month of a year for an org's subtree, and per
child org for the year or one month — due, paid, outstanding, lines without a declared
base, and members in arrears (with an unpaid line in a month already ended).

Read set-wise from the sums kept per org and month (`MonthTotal`, see `kept_totals`): one
query grouped by child org and month, rolled up in Python to the months; members in
arrears over a year are counted once each from the unpaid lines only (few, and indexed),
so a member transferred mid-year counts once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Substr

from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org

from ..models import Due, MonthTotal
from .lines import ZERO


@dataclass
class Sums:
    due: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    undeclared: int = 0  # lines whose amount waits for a declared base
    in_arrears: int = 0
    lines: int = 0  # one per member and month: members owing, for a month

    def add(self, other: Sums) -> None:
        self.due += other.due
        self.paid += other.paid
        self.outstanding += other.outstanding
        self.undeclared += other.undeclared
        self.in_arrears += other.in_arrears
        self.lines += other.lines


@dataclass
class Totals:
    org: Org
    year: int
    month: dt.date | None  # the children's period: one month, or the year when None
    months: list[tuple[dt.date, Sums]]
    total: Sums
    children: list[tuple[Org, Sums]] = field(default_factory=list)
    own: Sums | None = None  # the org's own lines (a branch) beside its children's


def this_month() -> dt.date:
    return today().replace(day=1)


def _grouped(org: Org, year: int) -> list[tuple[str, dt.date, Sums]]:
    """(head, month, sums) of the subtree's kept sums of `year`, where the head is the path
    of the org's child holding them, or the org's own path for its own lines."""
    cut = len(org.path) + Org.steplen
    rows = (
        MonthTotal.objects.filter(
            org__path__startswith=org.path,
            month__gte=dt.date(year, 1, 1),
            month__lte=dt.date(year, 12, 1),
        )
        .annotate(head=Substr("org__path", 1, cut))
        .values("head", "month")
        .annotate(
            due_sum=Sum("due"),
            paid_sum=Sum("paid"),
            owed_sum=Sum("owed"),
            undeclared_sum=Sum("undeclared"),
            unsettled_sum=Sum("unsettled"),
            lines_sum=Sum("lines"),
        )
        .order_by()
    )
    ended = this_month()
    return [
        (
            row["head"],
            row["month"],
            Sums(
                row["due_sum"] or ZERO,
                row["paid_sum"] or ZERO,
                row["owed_sum"] or ZERO,
                row["undeclared_sum"] or 0,
                (row["unsettled_sum"] or 0) if row["month"] < ended else 0,
                row["lines_sum"] or 0,
            ),
        )
        for row in rows
    ]


def _members_in_arrears(org: Org, year: int) -> list[tuple[int, str]]:
    """(member, org path) of every unpaid line of the year in a month already ended."""
    rows = Due.objects.filter(
        org__path__startswith=org.path,
        month__year=year,
        month__lt=this_month(),
        settled=False,
    )
    return list(rows.values_list("member_id", "org__path").distinct().order_by())


def org_totals(org: Org, year: int, month: dt.date | None = None) -> Totals:
    """The subtree's sums per month of `year`, for the whole year, and per child org (for
    `month` when given, else the year)."""
    grouped = _grouped(org, year)
    by_month: dict[dt.date, Sums] = defaultdict(Sums)
    for _path, day, sums in grouped:
        by_month[day].add(sums)
    months = [
        (dt.date(year, m, 1), by_month.get(dt.date(year, m, 1), Sums())) for m in range(1, 13)
    ]
    total = Sums()
    for _day, sums in months:
        total.add(sums)
    arrears = _members_in_arrears(org, year)
    total.in_arrears = len({member for member, _path in arrears})
    totals = Totals(org, year, month, months, total)
    _children(totals, grouped, arrears)
    return totals


def _children(totals: Totals, grouped: list, arrears: list[tuple[int, str]]) -> None:
    """Roll the lines up to the org's children (and its own lines, for a branch)."""
    org = totals.org
    cut = len(org.path) + Org.steplen
    sums: dict[str, Sums] = defaultdict(Sums)
    for path, day, found in grouped:
        if totals.month is None or day == totals.month:
            sums[path[:cut]].add(found)
    if totals.month is None:
        members: dict[str, set[int]] = defaultdict(set)
        for member, path in arrears:
            members[path[:cut]].add(member)
        for key, found in sums.items():
            found.in_arrears = len(members.get(key, ()))
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1))
    children.sort(key=lambda child: child.path)
    totals.children = [(child, sums.get(child.path, Sums())) for child in children]
    if org.path in sums or org.holds_members:
        totals.own = sums.get(org.path, Sums())
