"""The subtree overview of organizational life by meeting kind (LIFE-02, LIFE-03,
LIFE-05): per child org (or per branch below) and kind, the held meetings against the
meetings the yearly plans of its subtree require for a period, computed set-wise from the
policy (`planning.due_items`) and one grouped query of held meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import Resolver
from xianfeng.lib.dates import Period, parse_period
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from .planning import (
    ORG_FIELDS,
    PLANNED_KINDS,
    DueItem,
    held_counts,
    items_for,
    org_rows,
    plan_context,
)
from .rules import ONE_DAY

K = OrgKind


@dataclass
class Cell:
    held: int = 0  # held meetings counting for the period's items
    required: int = 0  # meetings due by as_of
    total: int = 0  # meetings due in the whole period
    short: int = 0  # meetings missing from the items due by as_of

    @property
    def behind(self) -> bool:
        return self.short > 0


@dataclass
class OverviewRow:
    org: dict[str, Any]
    cells: dict[str, Cell]

    @property
    def short(self) -> int:
        return sum(cell.short for cell in self.cells.values())


def row_orgs(root: Org, period: Period, *, branches: bool) -> list[dict[str, Any]]:
    """The rows of the overview: every branch below `root` (`branches`), else its
    children other than party groups, or `root` itself when it has none."""
    existing = (
        Q(founded_on__isnull=True) | Q(founded_on__lt=period.end),
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.start),
    )
    below = Org.objects.filter(*existing, path__startswith=root.path)
    if branches:
        rows = below.filter(kind__in=list(MEMBER_KINDS))
    else:
        rows = below.filter(depth=root.depth + 1).exclude(kind=K.PARTY_GROUP)
    found = list(rows.order_by("path").values(*ORG_FIELDS))
    if not found and not branches:
        found = list(Org.objects.filter(pk=root.pk).values(*ORG_FIELDS))
    return found


def _period_items(
    orgs: list[dict[str, Any]], period: Period, policy: Resolver, calendar: Calendar, as_of: dt.date
) -> list[DueItem]:
    """The due items of `orgs` whose sub-period lies inside `period`."""
    items: list[DueItem] = []
    for year in range(period.start.year, (period.end - ONE_DAY).year + 1):
        ctx = plan_context(policy=policy, calendar=calendar, year=year, as_of=as_of)
        for item in items_for(ctx, orgs, committee_day=min(as_of, period.end - ONE_DAY)):
            part = parse_period(item.period)
            if period.start <= part.start and part.end <= period.end:
                items.append(item)
    return items


def overview(
    root: Org,
    period: Period,
    *,
    branches: bool,
    policy: Resolver,
    calendar: Calendar,
    as_of: dt.date,
) -> list[OverviewRow]:
    """Per row org (see `row_orgs`), per meeting kind, the held and required meetings of
    the period summed over the row's subtree: one query for the orgs, one for their
    committees' seats, one for the held meetings; the items are computed from the policy."""
    rows = row_orgs(root, period, branches=branches)
    orgs = org_rows(Q(path__startswith=root.path), period.start, period.end)
    items = _period_items(orgs, period, policy, calendar, as_of)
    held = held_counts(items, Q(org__path__startswith=root.path))
    paths = {
        row["path"]: OverviewRow(row, {kind: Cell() for kind in PLANNED_KINDS}) for row in rows
    }
    owner = {org["id"]: _row_of(org["path"], paths) for org in orgs}
    for item in items:
        row = owner.get(item.org_id)
        if row is None:
            continue
        cell, count = row.cells[item.kind], held[item.key]
        cell.held += count
        cell.total += item.need
        if item.due < as_of:
            cell.required += item.need
            cell.short += max(0, item.need - count)
    return list(paths.values())


def _row_of(path: str, rows: dict[str, OverviewRow]) -> OverviewRow | None:
    for end in range(len(path), 0, -Org.steplen):
        if path[:end] in rows:
            return rows[path[:end]]
    return None


def sort_rows(rows: list[OverviewRow], sort: str) -> list[OverviewRow]:
    """By `name`, by a meeting kind's shortfall (then held), or in tree order; a leading
    "-" reverses."""
    name = sort.lstrip("-")
    if name == "name":
        key: Any = lambda row: row.org["name"]  # noqa: E731
    elif name in PLANNED_KINDS:
        key = lambda row: (row.cells[name].short, -row.cells[name].held)  # noqa: E731
    elif name == "short":
        key = lambda row: row.short  # noqa: E731
    else:
        return rows
    return sorted(rows, key=key, reverse=sort.startswith("-"))
