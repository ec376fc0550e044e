"""Members in arrears (DUES-02's list): the members of an org's subtree with consecutive
unpaid months, counted as the rule counts them (`dues.rules.arrears`: the streak runs back
from last month — for a member paying quarterly by the branch's consent, from the last
quarter ended — through unsettled lines; a paid month or one not owed ends it), with what
they owe and the policy's level. Read set-wise: the unsettled lines of the window of the
members unsettled at the streak's end, with their names and orgs, in one query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import add_months, today
from xianfeng.orgs.models import Org

from ..models import Due
from ..rules.arrears import LAPSE, WARNING, WINDOW, owed, quarter_end_before, quarterly_members
from ..rules.arrears import streak as unpaid_streak


@dataclass
class Arrears:
    member_id: int
    code: str
    name: str
    org_code: str
    org_name: str
    org_path: str
    months: list[dt.date] = field(default_factory=list)  # newest first
    owed: Decimal | None = None  # None: no month's amount is known (no base declared)
    level: str = ""  # "", "warning", "error" (the policy's months)
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


def _lines(org: Org, day: dt.date) -> dict[int, list[tuple]]:
    """{member: [(month, org, amount, paid, org code, org name, org path, member code,
    member name)]}, newest first, of the members of the subtree unsettled at the end of a
    streak (last month, or the last quarter ended)."""
    last, quarter = last_month(day), quarter_end_before(day)
    at_end = Due.objects.filter(
        Q(month=last) | Q(month=quarter), settled=False, org__path__startswith=org.path
    ).values("member_id")
    rows = Due.objects.filter(
        settled=False,
        month__gte=add_months(last, 1 - WINDOW),
        month__lte=last,
        member_id__in=at_end,
    ).order_by("member_id", "-month")
    found: dict[int, list[tuple]] = defaultdict(list)
    for member, *line in rows.values_list(
        "member_id",
        "month",
        "org_id",
        "amount",
        "paid",
        "org__code",
        "org__name",
        "org__path",
        "member__code",
        "member__name",
    ):
        found[member].append(tuple(line))
    return found


def arrears_of(org: Org, *, day: dt.date | None = None, min_months: int = 1) -> list[Arrears]:
    """The subtree's members with at least `min_months` consecutive unpaid months, the
    longest runs first."""
    day = day or today()
    lines = _lines(org, day)
    quarterly = quarterly_members(list(lines), day) if lines else set()
    policy = resolver(day=day)
    found = []
    for member, member_lines in lines.items():
        is_quarterly = member in quarterly
        end = quarter_end_before(day) if is_quarterly else last_month(day)
        run = unpaid_streak(member_lines, end)
        if len(run) < min_months or not run:
            continue
        newest = run[0]
        row = Arrears(member, newest[7], newest[8], newest[4], newest[5], newest[6])
        row.months, row.owed, row.quarterly = [line[0] for line in run], owed(run), is_quarterly
        at = policy.at(row.org_path)
        if row.count >= at.value(LAPSE):
            row.level = "error"
        elif row.count >= at.value(WARNING):
            row.level = "warning"
        found.append(row)
    found.sort(key=lambda row: (-row.count, row.org_code, row.code))
    return found
