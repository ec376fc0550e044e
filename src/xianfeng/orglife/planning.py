"""The yearly plan of organizational life (LIFE-02, LIFE-03, LIFE-05): the meetings an org
owes in a year, each with its period, due date and the window in which a held meeting
counts, derived from the policy parameters and helpers the LIFE rules read; how many of
them are held or planned; and planned Meeting rows for the ones still open.

What is due, per org kind (as the rules judge it):

- 党员大会 per quarter (branches), due on the quarter's last day (LIFE-02 a);
- 支委会 per month (branches and general branches with a committee), due on the month's
  last day (LIFE-02 b); 党小组会 per month (party groups), likewise (LIFE-02 c);
- the secretary's 党课 per year (branches, general branches), due on 31 December (LIFE-02 d);
- 主题党日 per month (branches), due on the policy's fixed day, moved to a workday inside
  the shift window and the month when it is not one; on the month's last scheduled weekday
  where the policy names weekdays; else on the month's last day (LIFE-03);
- 组织生活会 (branches) and 民主生活会 (party committees, general branches) per year, due
  on the last day of the grace months of the next year (LIFE-05).

A meeting counts for an item when it is of the item's kind, at the item's org and dated in
its window; a yearly meeting counts for the year of its `for_period` (or of its date when
that is empty), as in `queries.yearly_meetings`. The plan counts held meetings only; it
does not judge a general meeting's quorum nor who gave a lesson (the rules do).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, DateField, Q
from django.db.models.functions import Coalesce, TruncMonth

from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.parts import existed, month_name, quarter_name
from xianfeng.compliance.policy import Resolver
from xianfeng.compliance.registry import Context
from xianfeng.lib.dates import Period, parse_period, today
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from . import domain
from .models import YEARLY_KINDS, Meeting, MeetingKind, MeetingStatus
from .queries import seats_during
from .rules.life_meetings import YEARLY, life_meeting_due
from .rules.parts import COMMITTEE_KINDS, ONE_DAY, is_seated_on, sub_periods
from .rules.theme_days import WEEKDAY_NAMES, theme_day_schedule

K = OrgKind
M = MeetingKind
ORG_FIELDS = ("id", "code", "name", "path", "kind", "sector", "founded_on", "dissolved_on")

# kind: (org kinds that owe it, sub-period, parameter, requirement ID)
PERIODIC: dict[str, tuple[frozenset[str], str, str, str]] = {
    M.GENERAL_MEETING: (
        MEMBER_KINDS,
        "quarter",
        "life.general_meeting.min_per_quarter",
        "LIFE-02",
    ),
    M.COMMITTEE_MEETING: (
        COMMITTEE_KINDS,
        "month",
        "life.committee_meeting.min_per_month",
        "LIFE-02",
    ),
    M.PARTY_GROUP_MEETING: (
        frozenset({K.PARTY_GROUP}),
        "month",
        "life.party_group_meeting.min_per_month",
        "LIFE-02",
    ),
    M.THEME_DAY: (MEMBER_KINDS, "month", "life.theme_day.min_per_month", "LIFE-03"),
    M.PARTY_LESSON: (
        COMMITTEE_KINDS,
        "year",
        "life.party_lesson.secretary_min_per_year",
        "LIFE-02",
    ),
}
# The kinds a plan lists, in the order its columns show them.
PLANNED_KINDS = (
    M.GENERAL_MEETING,
    M.COMMITTEE_MEETING,
    M.PARTY_GROUP_MEETING,
    M.THEME_DAY,
    M.PARTY_LESSON,
    M.LIFE_MEETING,
    M.LEADERSHIP_LIFE_MEETING,
)
PLAN_ORG_KINDS = frozenset(k for kinds, *_ in PERIODIC.values() for k in kinds) | frozenset(
    k for kinds, _key, _name in YEARLY.values() for k in kinds
)


@dataclass(frozen=True)
class DueItem:
    """One duty of an org: `need` meetings of `kind` in the window [start, end)."""

    org_id: int
    kind: str
    period: str  # "2025-06", "2025-Q2" or "2025"
    due: dt.date
    start: dt.date
    end: dt.date  # exclusive
    need: int
    rule: str

    @property
    def key(self) -> str:
        return f"{self.org_id}:{self.kind}:{self.period}"

    @property
    def kind_label(self) -> str:
        return str(MeetingKind(self.kind).label)

    @property
    def period_name(self) -> str:
        part = parse_period(self.period)
        if len(self.period) == 4:
            return f"{self.period}年度"
        return quarter_name(part) if "Q" in self.period else month_name(part)

    def counts(self, meeting: dict[str, Any]) -> bool:
        """Whether a row of `meeting_rows` (org_id, kind, month, for_period) counts."""
        if meeting["org_id"] != self.org_id or meeting["kind"] != self.kind:
            return False
        if self.kind in YEARLY_KINDS:
            year = meeting["for_period"][:4] or str(meeting["month"].year)
            return year == self.period
        return self.start <= meeting["month"] < self.end


# --- pure: policy + org + year -> due items ----------------------------------------------


def plan_context(*, policy: Resolver, calendar: Calendar, year: int, as_of: dt.date) -> Context:
    """The rules' evaluation context for one year, so that their helpers can be reused."""
    return Context(
        roots=[], period=parse_period(str(year)), as_of=as_of, policy=policy, calendar=calendar
    )


def due_items(ctx: Context, org: dict[str, Any], *, committee: bool = True) -> list[DueItem]:
    """What `org` (a row with ORG_FIELDS) owes in the year of `ctx`, in due order.

    `committee` is whether the org has a committee (LIFE-02 b asks for committee meetings
    only then). Sub-periods in which the org did not exist are left out, as in the rules.
    """
    items: list[DueItem] = []
    for kind, (kinds, size, key, rule_id) in PERIODIC.items():
        if org["kind"] not in kinds or (kind == M.COMMITTEE_MEETING and not committee):
            continue
        need = ctx.policy.value(key, org["path"])
        for part in sub_periods(ctx, size):
            if need > 0 and existed(org, part):
                due = _due_day(ctx, org, kind, part)
                items.append(
                    DueItem(org["id"], kind, part.label, due, part.start, part.end, need, rule_id)
                )
    for kind, (kinds, key, _name) in YEARLY.items():
        need = ctx.policy.value(key, org["path"])
        year = ctx.period
        if org["kind"] in kinds and need > 0 and existed(org, year):
            end = life_meeting_due(ctx, org, year)
            items.append(
                DueItem(
                    org["id"], kind, year.label, end - ONE_DAY, year.start, end, need, "LIFE-05"
                )
            )
    return sorted(items, key=_order)


def _order(item: DueItem) -> tuple[dt.date, int]:
    return item.due, PLANNED_KINDS.index(item.kind)


def _due_day(ctx: Context, org: dict[str, Any], kind: str, part: Period) -> dt.date:
    if kind == M.THEME_DAY:
        return theme_day_date(ctx, org, part.start)
    return part.end - ONE_DAY


def theme_day_date(ctx: Context, org: dict[str, Any], first: dt.date) -> dt.date:
    """The month's theme day (LIFE-03): the policy's fixed day, or when that is no workday
    the next workday (else the previous one) within the shift window and the month; the
    month's last scheduled weekday where the policy names weekdays; else the last day."""
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    schedule = theme_day_schedule(ctx, org)
    if schedule is None:
        return last
    if not schedule.fixed:
        days = (last - dt.timedelta(days=n) for n in range(7))
        return next(d for d in days if WEEKDAY_NAMES[d.weekday()] in schedule.entry["value"])
    day = first.replace(day=min(schedule.entry["value"], last.day))
    return moved_to_workday(ctx.calendar, day, schedule.window)


def moved_to_workday(calendar: Calendar, day: dt.date, window: int) -> dt.date:
    """`day` itself if a workday; else the next workday, or failing that the previous one,
    no more than `window` days away and in the same month; else `day`."""
    if calendar.is_workday(day):
        return day
    for direction in (1, -1):
        moved = calendar.shift(day, direction)
        if moved.month == day.month and abs((moved - day).days) <= window:
            return moved
    return day


# --- reads: orgs, committees, held and planned meetings (set-wise) -----------------------


def org_rows(orgs_q: Q, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Orgs of `orgs_q` that owe meetings and existed at some time in [start, end)."""
    rows = Org.objects.filter(
        orgs_q,
        Q(founded_on__isnull=True) | Q(founded_on__lt=end),
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start),
        kind__in=list(PLAN_ORG_KINDS),
    )
    return list(rows.order_by("path").values(*ORG_FIELDS))


def with_committee(ctx: Context, orgs: list[dict[str, Any]], day: dt.date) -> set[int]:
    """Ids of the orgs with at least org.leadership.committee_min_seats people in seats on
    `day` (LIFE-02 b), one query."""
    ids = [org["id"] for org in orgs if org["kind"] in COMMITTEE_KINDS]
    if not ids:
        return set()
    seats = seats_during(Q(org_id__in=ids), day, day + ONE_DAY)
    found = set()
    for org in orgs:
        people = {s["member_id"] for s in seats.get(org["id"], []) if is_seated_on(s, day)}
        size = ctx.policy.value("org.leadership.committee_min_seats", org["path"])
        if len(people) >= size:
            found.add(org["id"])
    return found


def items_for(
    ctx: Context, orgs: list[dict[str, Any]], committee_day: dt.date | None = None
) -> list[DueItem]:
    """The due items of every org of `orgs` in the year of `ctx` (one seats query)."""
    committees = with_committee(ctx, orgs, committee_day or ctx.day)
    return [item for org in orgs for item in due_items(ctx, org, committee=org["id"] in committees)]


def meeting_rows(
    items: Iterable[DueItem], statuses: Iterable[str], orgs_q: Q | None = None
) -> list[dict[str, Any]]:
    """Meetings of the items' kinds with a status of `statuses`, dated inside the items'
    windows, counted per (org, kind, status, for_period, month of the day) — one grouped
    query; the day is held_on, else planned_on. `orgs_q` (on `org__path`) limits the orgs,
    else the items' org ids do. Windows are whole months, so a month counts for an item
    exactly when its meetings do."""
    items = list(items)
    if not items:
        return []
    start, end = min(i.start for i in items), max(i.end for i in items)
    day = Coalesce("held_on", "planned_on", output_field=DateField())
    rows = (
        Meeting.objects.filter(
            orgs_q if orgs_q is not None else Q(org_id__in={i.org_id for i in items}),
            Q(held_on__gte=start, held_on__lt=end)
            | Q(held_on__isnull=True, planned_on__gte=start, planned_on__lt=end),
            kind__in={i.kind for i in items},
            status__in=list(statuses),
        )
        .annotate(month=TruncMonth(day, output_field=DateField()))
        .values("org_id", "kind", "status", "for_period", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def tally(items: Iterable[DueItem], rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per item key, how many meetings of `rows` count for it by status
    ({"held": 1, "planned": 0})."""
    by_org_kind: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_org_kind[(row["org_id"], row["kind"])].append(row)
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        found = [row for row in by_org_kind[(item.org_id, item.kind)] if item.counts(row)]
        counts[item.key] = {
            status: sum(row["n"] for row in found if row["status"] == status)
            for status in (MeetingStatus.HELD, MeetingStatus.PLANNED)
        }
    return counts


def held_counts(items: Iterable[DueItem], orgs_q: Q | None = None) -> dict[str, int]:
    """Held meetings counting for each item (one grouped query, see `meeting_rows`)."""
    items = list(items)
    counts = tally(items, meeting_rows(items, [MeetingStatus.HELD], orgs_q))
    return {key: found[MeetingStatus.HELD] for key, found in counts.items()}


# --- an org's plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    item: DueItem
    org: dict[str, Any]
    held: int
    planned: int
    state: str  # done, planned, overdue, open

    @property
    def month(self) -> int:
        """The month of the plan year the line is shown in (a due date in the next year,
        as for a yearly meeting with grace months, shows in December)."""
        return self.item.due.month if self.item.due.year == self.item.start.year else 12


def plan_orgs(org: Org) -> list[dict[str, Any]]:
    """The org and its party groups: a branch plans its groups' meetings with its own."""
    rows = Org.objects.filter(
        Q(pk=org.pk) | Q(path__startswith=org.path, depth=org.depth + 1, kind=K.PARTY_GROUP),
        kind__in=list(PLAN_ORG_KINDS),
    )
    return list(rows.order_by("path").values(*ORG_FIELDS))


def plan_for(
    org: Org, year: int, *, policy: Resolver, calendar: Calendar, as_of: dt.date
) -> list[PlanLine]:
    """The yearly plan of `org` (with its party groups): every due item, what is held and
    planned for it, and its state on `as_of`."""
    ctx = plan_context(policy=policy, calendar=calendar, year=year, as_of=as_of)
    orgs = plan_orgs(org)
    by_id = {row["id"]: row for row in orgs}
    items = sorted(items_for(ctx, orgs), key=_order)
    counts = tally(items, meeting_rows(items, [MeetingStatus.HELD, MeetingStatus.PLANNED]))
    lines = []
    for item in items:
        held, planned = (
            counts[item.key][MeetingStatus.HELD],
            counts[item.key][MeetingStatus.PLANNED],
        )
        lines.append(
            PlanLine(item, by_id[item.org_id], held, planned, _state(item, held, planned, as_of))
        )
    return lines


def _state(item: DueItem, held: int, planned: int, as_of: dt.date) -> str:
    if held >= item.need:
        return "done"
    if item.due < as_of:
        return "overdue"
    return "planned" if held + planned >= item.need else "open"


# --- writes ------------------------------------------------------------------------------


def _topic(item: DueItem) -> str:
    return f"{item.period_name}{item.kind_label}"


@transaction.atomic
def schedule_planned_meetings(
    *,
    org: Org,
    year: int,
    policy: Resolver,
    calendar: Calendar,
    as_of: dt.date | None = None,
    by: Any = None,
) -> list[Meeting]:
    """Create planned meetings (status planned, on the due date) for the items of `org`'s
    yearly plan that are still open: not past due and short of held and planned meetings.

    Idempotent: a second call finds the meetings planned by the first and creates none.
    Side effects: Meeting rows through `domain.record_meeting` (validated, with history);
    a yearly meeting gets `for_period` = the plan year. `as_of` (default today) decides
    which items are past due.
    """
    day = as_of or today()
    lines = plan_for(org, year, policy=policy, calendar=calendar, as_of=day)
    orgs = {o.pk: o for o in Org.objects.filter(pk__in={line.item.org_id for line in lines})}
    created = []
    for line in lines:
        if line.state != "open":
            continue
        item = line.item
        for _ in range(item.need - line.held - line.planned):
            created.append(
                domain.record_meeting(
                    org=orgs[item.org_id],
                    kind=item.kind,
                    topic=_topic(item),
                    planned_on=item.due,
                    for_period=item.period if item.kind in YEARLY_KINDS else "",
                    status=MeetingStatus.PLANNED,
                    by=by,
                )
            )
    return created
