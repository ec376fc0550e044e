"""Reads of study and training (STUDY-01 … STUDY-04) reused by pages, API and rules.

Study hours are read where they are recorded, each with its source: attended training
classes (`Enrollment`), party lessons and study sessions attended (orglife `Attendance`),
and `StudyRecord` rows (online, self-study once approved, imported). `counted_hours`
applies a policy to the raw sums: which sources count as concentrated study, the cap of
each source and the hours of a meeting without credited hours.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, DateField, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from xianfeng.lib.sql import Unindexed
from xianfeng.orglife.models import Attendance, AttendanceStatus, MeetingKind, MeetingStatus
from xianfeng.orglife.queries import CHUNK, attended
from xianfeng.orgs.models import Org, Seat

from .models import (
    Course,
    Enrollment,
    EnrollmentStatus,
    MeetingCredit,
    MustLearnList,
    PlanItem,
    PlanKind,
    RecordSource,
    RecordStatus,
    StudyPlan,
    StudyRecord,
    TrainingClass,
    TrainingStatus,
)

ZERO = Decimal("0.0")
TENTH = Decimal("0.1")
STUDY_MEETING_KINDS = (MeetingKind.PARTY_LESSON, MeetingKind.STUDY_SESSION)
HOURS_FIELD: DecimalField = DecimalField(max_digits=9, decimal_places=1)


@lru_cache(maxsize=65536)
def tenths(value: Any) -> Decimal:
    """A number of hours as a Decimal with one decimal place, rounded half up (cached: the
    same few values recur millions of times in a city's check)."""
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


# --- hours per member ---------------------------------------------------------------------


@dataclass
class RawHours:
    """A member's study in a date range, source by source, before any policy applies."""

    records: dict[str, Decimal] = field(default_factory=dict)  # source → hours (approved)
    training: Decimal = ZERO
    trainings: int = 0  # attended held training classes
    meetings: dict[str, int] = field(default_factory=dict)  # kind → attended, no credit
    credited: Decimal = ZERO  # hours of attended meetings with credited hours


def _of(rows: QuerySet[Any], members: Any) -> QuerySet[Any]:
    """`rows` of `members` (ids or an id subquery); every member's when None (a large
    scope: its rules look up the members they judge, and skipping the semi-join over a
    city's 300,000 members halves the read)."""
    return rows if members is None else rows.filter(member_id__in=members)


def raw_hours(members: Any, start: dt.date, end: dt.date) -> dict[int, RawHours]:
    """Study of `members` (ids, an id subquery, or None for all) dated in [start, end):
    three grouped queries, one per kind of source. A training class counts on its last
    day."""
    found: dict[int, RawHours] = defaultdict(RawHours)
    add_records_and_trainings(found, members, start, end)
    for member_id, kind, plain, credited in _meetings(members, start, end):
        raw = found[member_id]
        raw.meetings[kind] = plain
        raw.credited += tenths(credited or 0)
    return dict(found)


def add_records_and_trainings(
    found: dict[int, RawHours], members: Any, start: dt.date, end: dt.date
) -> None:
    """Add the approved study records (per source) and the attended training classes of
    `members` (None: all) dated in [start, end) to `found` (two grouped queries)."""
    records = (
        _of(
            StudyRecord.objects.filter(
                studied_on__gte=start, studied_on__lt=end, status=RecordStatus.APPROVED
            ),
            members,
        )
        .values_list("member_id", "source")
        .annotate(hours=Sum("hours"))
        .order_by()
    )
    for member_id, source, hours in records:  # tuples: 1.5 million groups in a city
        found[member_id].records[source] = tenths(hours or 0)
    for member_id, hours, n in _trainings(members, start, end):
        found[member_id].training = tenths(hours or 0)
        found[member_id].trainings = n


def add_meetings(
    found: dict[int, RawHours], present: dict[int, dict[str, int]], start: dt.date, end: dt.date
) -> None:
    """Add the study meetings attended to `found`, given the times each member was present
    at held lessons and study sessions dated in [start, end) (`present`: member → {kind:
    n}, kinds with none left out): the meetings with credited hours (few: read by their
    credit rows, then their roster by meeting) count their hours, the others their number."""
    credited = _credited_presence(start, end)
    for member_id, counts in present.items():
        for kind in STUDY_MEETING_KINDS:
            n = counts.get(kind)
            if n is None:
                continue
            times, hours = credited.get((member_id, kind), (0, ZERO))
            raw = found[member_id]
            raw.meetings[kind] = n - times
            raw.credited += tenths(hours)


def _credited_presence(start: dt.date, end: dt.date) -> dict[tuple[int, str], tuple[int, Decimal]]:
    """Per (member, meeting kind): times present at held lessons and study sessions with
    credited hours dated in [start, end), and the sum of those hours."""
    day = Unindexed("meeting__held_on", output_field=DateField())
    rows = (  # driven from the few credits: no index of the meetings may lead the join
        MeetingCredit.objects.alias(day=day)
        .filter(day__gte=start, day__lt=end)
        .values_list("meeting_id", "meeting__kind", "meeting__status", "hours")
    )
    credits = {
        meeting_id: (kind, hours)
        for meeting_id, kind, status, hours in rows
        if status == MeetingStatus.HELD and kind in STUDY_MEETING_KINDS
    }
    found: dict[tuple[int, str], tuple[int, Decimal]] = {}
    ids = sorted(credits)
    for first in range(0, len(ids), CHUNK):
        present = Attendance.objects.filter(
            meeting_id__in=ids[first : first + CHUNK], status=AttendanceStatus.PRESENT
        ).values_list("member_id", "meeting_id")
        for member_id, meeting_id in present:
            kind, hours = credits[meeting_id]
            times, total = found.get((member_id, kind), (0, ZERO))
            found[(member_id, kind)] = (times + 1, total + hours)
    return found


def attended_enrollments(members: Any, start: dt.date, end: dt.date) -> QuerySet[Enrollment]:
    """Attended enrolments of held classes ending in [start, end)."""
    return _of(Enrollment.objects.all(), members).filter(
        status=EnrollmentStatus.ATTENDED,
        training_class__status=TrainingStatus.HELD,
        training_class__ends_on__gte=start,
        training_class__ends_on__lt=end,
    )


def _trainings(members: Any, start: dt.date, end: dt.date) -> QuerySet[Any]:
    hours = Coalesce("hours", "training_class__hours", output_field=HOURS_FIELD)
    return (
        attended_enrollments(members, start, end)
        .values_list("member_id")
        .annotate(hours=Sum(hours), n=Count("id"))
        .order_by()
    )


def _study_attendance(members: Any, start: dt.date, end: dt.date) -> QuerySet[Attendance]:
    """Presence at held lessons and study sessions (any org) dated in [start, end).

    Given a member subquery (the rules), attendance is read by the meetings' kinds and
    dates only, as in orglife.queries: SQLite would otherwise probe the (meeting, member)
    index once per meeting and member. Given a few ids (pages, small scopes), their
    meetings are found by id first (orglife `attended`)."""
    given = None if members is None or isinstance(members, QuerySet) else list(members)
    return attended(start, end, given, STUDY_MEETING_KINDS).filter(status=AttendanceStatus.PRESENT)


def _meetings(members: Any, start: dt.date, end: dt.date) -> QuerySet[Any]:
    return (
        _study_attendance(members, start, end)
        .values_list("member_id", "meeting__kind")
        .annotate(
            plain=Count("id", filter=Q(meeting__study_credit__isnull=True)),
            credited=Sum("meeting__study_credit__hours"),
        )
        .order_by()
    )


Lookup = Callable[[str], Any]  # a policy key → its value for the member's org


OTHER_SOURCES = tuple(
    s.value for s in (RecordSource.ONLINE, RecordSource.SELF_STUDY, RecordSource.IMPORTED)
)
MEETING_HOURS: dict[str, str] = {
    kind: f"study.meeting_hours.{kind}" for kind in STUDY_MEETING_KINDS
}
CAPS = {source.value: f"study.cap.{source.value}" for source in RecordSource}


def hours_by_source(raw: RawHours, value: Lookup) -> dict[str, Decimal]:
    """The member's hours per source (meetings at their credited or policy hours)."""
    meeting = raw.credited
    for kind, n in raw.meetings.items():
        meeting += n * tenths(value(MEETING_HOURS[kind]))
    hours = {RecordSource.TRAINING.value: raw.training, RecordSource.MEETING.value: meeting}
    for source in OTHER_SOURCES:
        hours[source] = raw.records.get(source, ZERO)
    return hours


def counted_hours(raw: RawHours, value: Lookup) -> tuple[Decimal, dict[str, Decimal]]:
    """(total concentrated hours, counted hours per source) under the policy: only the
    sources of study.concentrated_sources, each capped at study.cap.<source> (0: no cap)."""
    counted: dict[str, Decimal] = {}
    total = ZERO
    concentrated = value("study.concentrated_sources")
    for source, hours in hours_by_source(raw, value).items():
        if source not in concentrated:
            continue
        cap = tenths(value(CAPS[source]))
        counted[source] = min(hours, cap) if cap > 0 else hours
        total += counted[source]
    return total, counted


# --- seats --------------------------------------------------------------------------------


def seat_spells(members: Any, start: dt.date, end: dt.date) -> dict[int, list[tuple]]:
    """Per member, the [first, after-last) day ranges of seats held (any org) overlapping
    [start, end), clipped to it (one query). A tenure's `ended_on` is its last day."""
    rows = _of(
        Seat.objects.filter(
            Q(started_on__isnull=True) | Q(started_on__lt=end),
            Q(ended_on__isnull=True) | Q(ended_on__gte=start),
            member_id__isnull=False,
        ),
        members,
    ).values_list("member_id", "started_on", "ended_on")
    return clipped_spells(rows, start, end)


def clipped_spells(rows: Iterable[tuple], start: dt.date, end: dt.date) -> dict[int, list[tuple]]:
    """Per member, the [first, after-last) day ranges of the seats `rows` (member,
    started_on, ended_on) that overlap [start, end), clipped to it."""
    spells: dict[int, list[tuple]] = defaultdict(list)
    for member_id, started, ended in rows:
        first = max(started or start, start)
        after = min(ended + dt.timedelta(days=1), end) if ended else end
        if first < after:
            spells[member_id].append((first, after))
    return dict(spells)


def days_covered(spells: Iterable[tuple], start: dt.date, end: dt.date) -> int:
    """Days of [start, end) inside the union of the spells."""
    days, reached = 0, start
    for first, after in sorted(spells):
        first, after = max(first, reached), min(after, end)
        if first < after:
            days += (after - first).days
            reached = after
    return days


# --- training classes ---------------------------------------------------------------------


def held_classes(orgs_q: Q, kinds: Iterable[str], start: dt.date, end: dt.date) -> list[dict]:
    """Held classes of `kinds` starting in [start, end) at the orgs of `orgs_q` (on
    `org__path`), with their org's path (one query)."""
    rows = TrainingClass.objects.filter(
        orgs_q,
        kind__in=list(kinds),
        status=TrainingStatus.HELD,
        starts_on__gte=start,
        starts_on__lt=end,
    ).order_by("starts_on", "id")
    return [
        dict(row) for row in rows.values("id", "org_id", "org__path", "kind", "starts_on", "days")
    ]


def classes_attended(
    members: Any, kinds: Iterable[str], start: dt.date, end: dt.date
) -> dict[int, list[tuple[int, Decimal]]]:
    """Per member, (class, days) of the held classes of `kinds` ending in [start, end)
    they attended (one query)."""
    rows = (
        attended_enrollments(members, start, end)
        .filter(training_class__kind__in=list(kinds))
        .values_list("member_id", "training_class_id", "training_class__days")
        .order_by("training_class__ends_on", "training_class_id")
    )
    found: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for member_id, class_id, days in rows:
        found[member_id].append((class_id, days))
    return dict(found)


# --- plans --------------------------------------------------------------------------------


@dataclass
class PlanState:
    id: int
    org_id: int
    member_id: int | None
    adopted_on: dt.date
    items: list[tuple[str, dt.date | None]] = field(default_factory=list)  # (period, done_on)


def plans_of_year(year: int, kind: str, **filters: Any) -> dict[int, PlanState]:
    """Plans of `kind` for `year` keyed by org (org plans) or member (personal plans),
    with their items' periods and completion dates (two queries)."""
    plans = StudyPlan.objects.filter(year=year, kind=kind, **filters).values_list(
        "id", "org_id", "member_id", "adopted_on"
    )
    states = {row[0]: PlanState(*row) for row in plans}
    items = PlanItem.objects.filter(plan_id__in=list(states)).values_list(
        "plan_id", "period", "done_on"
    )
    for plan_id, period, done_on in items.order_by("period", "id"):
        states[plan_id].items.append((period, done_on))
    key = "org_id" if kind == PlanKind.ORG else "member_id"
    return {getattr(state, key): state for state in states.values()}


# --- page reads ---------------------------------------------------------------------------


def records_for_member(member: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Every source of a member's study dated in [start, end), newest first: rows of
    (source, date, title, hours, status, ref) where `hours` of a meeting without credited
    hours is None (the policy gives it), `ref` the model row it comes from."""
    rows: list[dict[str, Any]] = []
    records = StudyRecord.objects.filter(
        member=member, studied_on__gte=start, studied_on__lt=end
    ).select_related("course")
    for r in records:
        rows.append(_row(r.source, r.studied_on, r.title, r.hours, r.status, r))
    enrollments = Enrollment.objects.filter(
        member=member,
        training_class__ends_on__gte=start,
        training_class__ends_on__lt=end,
    ).select_related("training_class")
    for e in enrollments:
        cls = e.training_class
        status = "approved" if e.status == EnrollmentStatus.ATTENDED else e.status
        hours = e.hours if e.hours is not None else cls.hours
        rows.append(_row(RecordSource.TRAINING, cls.ends_on, cls.title, hours, status, e))
    attended = _study_attendance([member.pk], start, end).select_related("meeting__study_credit")
    for a in attended:
        credit = getattr(a.meeting, "study_credit", None)
        credited = credit.hours if credit is not None else None
        held_on = a.meeting.held_on
        row = _row(RecordSource.MEETING, held_on, a.meeting.topic, credited, "approved", a)
        rows.append({**row, "kind": a.meeting.kind})
    return sorted(rows, key=lambda row: row["date"], reverse=True)


def counted_for_members(
    members: Iterable[Any], start: dt.date, end: dt.date
) -> dict[int, tuple[Decimal, dict[str, Decimal]]]:
    """Per member (with `org` loaded), (counted concentrated hours, counted hours per
    source) of study dated in [start, end) under the policy in force for the member's
    current org on the day before `end` — what STUDY-01 counts, for pages and exports."""
    from xianfeng.compliance.policy import resolver

    chosen = list(members)
    policy = resolver(day=end - dt.timedelta(days=1))
    raw = raw_hours([m.pk for m in chosen], start, end)
    found = {}
    for member in chosen:
        value = lambda key, path=member.org.path: policy.value(key, path)  # noqa: E731
        found[member.pk] = counted_hours(raw.get(member.pk, RawHours()), value)
    return found


def _row(source: str, day: dt.date | None, title: str, hours: Any, status: str, ref: Any) -> dict:
    return {
        "source": str(source),
        "date": day,
        "title": title,
        "hours": hours,
        "status": str(status),
        "ref": ref,
    }


def _ancestor_paths(org: Any) -> list[str]:
    step = Org.steplen
    return [org.path[:n] for n in range(step, len(org.path) + 1, step)]


def courses_visible_to(org: Any) -> QuerySet[Course]:
    """Active catalogue courses published by `org` or one of its ancestors (STUDY-02)."""
    return Course.objects.filter(org__path__in=_ancestor_paths(org), active=True)


def must_learn_lists_for(org: Any, year: int) -> QuerySet[MustLearnList]:
    """The must-learn lists of `year` published to `org` (by it or an ancestor)."""
    return MustLearnList.objects.filter(org__path__in=_ancestor_paths(org), year=year)


def must_learn_completion(must_learn: Any, members: Any) -> dict[int, set[int]]:
    """Per member, the courses of the list they have an approved study record of in the
    list's year (one query); members with none are left out."""
    courses = must_learn.items.values("course_id")
    rows = StudyRecord.objects.filter(
        member_id__in=members,
        course_id__in=courses,
        status=RecordStatus.APPROVED,
        studied_on__year=must_learn.year,
    ).values_list("member_id", "course_id")
    done: dict[int, set[int]] = defaultdict(set)
    for member_id, course_id in rows:
        done[member_id].add(course_id)
    return dict(done)


def plan_progress(plan: Any) -> dict[str, Any]:
    """Plan vs. done: items, how many are done, and per period whether all are done."""
    items = list(plan.items.select_related("course").order_by("period", "pk"))
    periods: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        periods[item.period].append(item)
    return {
        "items": items,
        "done": sum(1 for item in items if item.done_on is not None),
        "total": len(items),
        "periods": {
            period: all(i.done_on is not None for i in rows) for period, rows in periods.items()
        },
    }


class RecordsOf:
    """The study records (rejected ones aside) of some members between two days, read at
    once, for many new rows (an import's chunk): `may_hold` is False only when no record
    of the same member, source, day and title is stored, so that `record_study` asks the
    database only about the rows that may be duplicates. `add` a record once saved."""

    def __init__(self, member_ids: Iterable[int], first: dt.date, last: dt.date):
        self.members, self.first, self.last = set(member_ids), first, last
        self.keys: set[tuple[Any, ...]] = set()
        wanted = sorted(self.members)
        for start in range(0, len(wanted), CHUNK):
            rows = StudyRecord.objects.filter(
                member_id__in=wanted[start : start + CHUNK],
                studied_on__gte=first,
                studied_on__lte=last,
            ).exclude(status=RecordStatus.REJECTED)
            self.keys |= set(
                rows.order_by().values_list("member_id", "source", "studied_on", "title")
            )

    def may_hold(self, record: StudyRecord) -> bool:
        if record.member_id not in self.members:
            return True
        if not self.first <= record.studied_on <= self.last:
            return True
        return (record.member_id, record.source, record.studied_on, record.title) in self.keys

    def add(self, record: StudyRecord) -> None:
        self.keys.add((record.member_id, record.source, record.studied_on, record.title))
