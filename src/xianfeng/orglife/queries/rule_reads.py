"""Set-wise reads for the LIFE rules (orglife.rules) and the study rules' attendance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from xianfeng.lib.sql import Unindexed, YearMonth
from xianfeng.members.queries import FEW
from xianfeng.orgs.models import Seat, SeatRole

from ..models import (
    YEARLY_KINDS,
    Attendance,
    AttendanceStatus,
    Exemption,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)

# Set-wise reads for orglife.rules: a few queries over the evaluated subtree, never one per
# org or member. `orgs_q` filters on the `org__path` of the meeting, seat or placement.
#
# Attendance is read by the meetings' dates (and kinds) only, never joined with the scope's
# members: presence counts at any org, and without statistics SQLite plans such a join
# from the members' side, probing the (meeting, member) index once per member and meeting
# (quadratic at city scale). The rules intersect with the members placed in scope.
# For a small scope (a branch re-checked after one meeting is saved) the rules pass
# `members`, the few members ever placed there: their meetings are found by id first
# (`meetings_with`), so the read touches only their rows instead of every org's attendance
# of the span; `orgs_q` then names the scope's org ids (Context.path_q).

Members = list[int] | None  # restrict attendance reads to these members (small scopes)
CHUNK = FEW  # ids named in one query
PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def attended(
    start: dt.date, end: dt.date, members: Members = None, kinds: tuple[str, ...] = ()
) -> QuerySet[Attendance]:
    """Roster rows of held meetings (at any org; of `kinds` when given) dated in
    [start, end), of `members` only when given.

    With `members`, the meetings are found by id first (`meetings_with`); joined on their
    kind and date instead, SQLite without statistics drives the read from the meetings'
    (kind, held_on) index over the whole city (6 s for one branch's heart talks)."""
    if members is None and not kinds:  # every meeting of the span: in table order
        day = Unindexed("meeting__held_on", output_field=DateField())
        return Attendance.objects.alias(day=day).filter(
            meeting__status=MeetingStatus.HELD, day__gte=start, day__lt=end
        )
    rows = Attendance.objects.filter(
        meeting__status=MeetingStatus.HELD, meeting__held_on__gte=start, meeting__held_on__lt=end
    )
    if kinds:
        rows = rows.filter(meeting__kind__in=list(kinds))
    if members is None:
        return rows
    ids = meetings_with(members, start, end, kinds)
    if ids is None:  # too many to name: join after all
        return rows.filter(member_id__in=members)
    return Attendance.objects.filter(member_id__in=members, meeting_id__in=ids)


def meetings_with(
    members: list[int], start: dt.date, end: dt.date, kinds: tuple[str, ...] = ()
) -> list[int] | None:
    """Ids of the held meetings (of `kinds` when given) dated in [start, end) with one of
    `members` on the roster, or None when more than CHUNK: the members' roster rows by the
    member index, then those meetings by primary key (CHUNK ids per query)."""
    theirs: set[int] = set()
    for first in range(0, len(members), CHUNK):
        part = members[first : first + CHUNK]
        theirs.update(
            Attendance.objects.filter(member_id__in=part).values_list("meeting_id", flat=True)
        )
    ordered, found = sorted(theirs), []
    for first in range(0, len(ordered), CHUNK):
        rows = Meeting.objects.filter(pk__in=ordered[first : first + CHUNK]).order_by()
        found += [  # filtered here: a kind or date term would draw SQLite to another index
            pk
            for pk, status, kind, held_on in rows.values_list("id", "status", "kind", "held_on")
            if status == MeetingStatus.HELD
            and held_on is not None
            and start <= held_on < end
            and (not kinds or kind in kinds)
        ]
        if len(found) > CHUNK:
            return None
    return found


def held_meetings(orgs_q: Q, start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    """Held meetings dated in [start, end) at the orgs of `orgs_q` (on `org__path`)."""
    return Meeting.objects.filter(
        orgs_q, status=MeetingStatus.HELD, held_on__gte=start, held_on__lt=end
    )


def counts_by_month(
    orgs_q: Q, kinds: Any, start: dt.date, end: dt.date
) -> dict[tuple[int, str, dt.date], int]:
    """Held meetings per (org, kind, first day of the month) (one grouped query).

    The month comes back as an integer (YearMonth) and rows as tuples: at city scale
    (≈440,000 groups) building dicts and converting truncated dates took half the time."""
    rows = (
        held_meetings(orgs_q, start, end)
        .filter(kind__in=list(kinds))
        .annotate(month=YearMonth("held_on"))
        .values_list("org_id", "kind", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    firsts: dict[int, dt.date] = {}
    counts: dict[tuple[int, str, dt.date], int] = {}
    for org_id, kind, month, n in rows:
        first = firsts.get(month)
        if first is None:
            first = firsts[month] = dt.date(month // 100, month % 100, 1)
        counts[(org_id, kind, first)] = n
    return counts


def general_meetings(orgs_q: Q, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Held general meetings with their voters on the roster and voters present (one
    grouped query; a meeting without roster rows has 0 voters)."""
    voting = Q(attendance__voting=True)
    rows = (
        held_meetings(orgs_q, start, end)
        .filter(kind=MeetingKind.GENERAL_MEETING)
        .values("id", "org_id", "held_on")
        .annotate(
            voters=Count("attendance", filter=voting),
            present=Count("attendance", filter=voting & Q(attendance__status=PRESENT)),
        )
        .order_by("held_on", "id")
    )
    return list(rows)


def theme_days(orgs_q: Q, sectors: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Held theme days of orgs in `sectors`, with what their timing is judged by."""
    rows = (
        held_meetings(orgs_q, start, end)
        .filter(kind=MeetingKind.THEME_DAY, org__sector__in=list(sectors))
        .values("id", "org_id", "held_on", "starts_at", "off_day_reason")
        .order_by("held_on", "id")
    )
    return [dict(row) for row in rows]


def lessons_with_secretary(orgs_q: Q, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Held party lessons, each marked whether its lecturer held the secretary seat of the
    lesson's org on the lesson day (one query)."""
    seat = Seat.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=OuterRef("held_on")),
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("held_on")),
        org_id=OuterRef("org_id"),
        member_id=OuterRef("lecturer_id"),
        role=SeatRole.SECRETARY,
    )
    rows = (
        held_meetings(orgs_q, start, end)
        .filter(kind=MeetingKind.PARTY_LESSON)
        .annotate(by_secretary=Exists(seat))
        .values("id", "org_id", "lecturer_id", "by_secretary")
        .order_by("held_on", "id")
    )
    return list(rows)


def lectures_by_leading_cadres(
    orgs_q: Q, start: dt.date, end: dt.date
) -> dict[tuple[int, int], list[int]]:
    """Held party lessons lectured by leading cadres, per (org, lecturer) (one query)."""
    rows = (
        held_meetings(orgs_q, start, end)
        .filter(kind=MeetingKind.PARTY_LESSON, lecturer__leading_cadre=True)
        .order_by("held_on", "id")
        .values_list("id", "org_id", "lecturer_id")
    )
    lessons: dict[tuple[int, int], list[int]] = defaultdict(list)
    for meeting_id, org_id, lecturer_id in rows:
        lessons[(org_id, lecturer_id)].append(meeting_id)
    return lessons


def yearly_meetings(orgs_q: Q, year: int) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """Held life and leadership life meetings for `year` per (org, kind), oldest first,
    each {"id", "held_on", "period_reason"}: for_period in that year (2025, 2025-Q4 …), or
    no for_period and held in it (one query)."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    rows = (
        Meeting.objects.filter(
            Q(for_period__startswith=str(year))
            | Q(for_period="", held_on__gte=start, held_on__lt=end),
            orgs_q,
            kind__in=list(YEARLY_KINDS),
            status=MeetingStatus.HELD,
            held_on__isnull=False,
        )
        .order_by("held_on", "id")
        .values_list("id", "org_id", "kind", "held_on", "period_reason")
    )
    found: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for meeting_id, org_id, kind, held_on, reason in rows:
        meeting = {"id": meeting_id, "held_on": held_on, "period_reason": reason}
        found[(org_id, kind)].append(meeting)
    return found


def seats_during(orgs_q: Q, start: dt.date, end: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Seats with a holder at some time in [start, end), per org (one query)."""
    rows = Seat.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lt=end),
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        orgs_q,
        member__isnull=False,
    ).values("org_id", "member_id", "role", "started_on", "ended_on")
    seats: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        seats[row["org_id"]].append(dict(row))
    return seats


def seats_of(
    start: dt.date, end: dt.date, few: tuple[Q, list[int]] | None = None
) -> list[dict[str, Any]]:
    """Seats (any org) with a holder at some time in [start, end), oldest id first, with
    their org's path (one query); with `few` = (orgs_q, members), only the seats of the
    orgs of `orgs_q` (on `org__path`) and of those members."""
    rows = Seat.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lt=end),
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        member__isnull=False,
    )
    if few is not None:
        orgs_q, members = few
        rows = rows.filter(orgs_q | Q(member_id__in=members))
    names = ("id", "org_id", "org__path", "member_id", "role", "started_on", "ended_on")
    return [dict(zip(names, row, strict=True)) for row in rows.order_by("id").values_list(*names)]


def exemptions_covering(first: dt.date, last: dt.date) -> dict[int, dict[str, Any]]:
    """An approved exemption (any kind) covering `first` … `last`, per member (one query
    over the few exemptions)."""
    rows = (
        Exemption.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=last),
            status=RequestStatus.APPROVED,
            starts_on__lte=first,
        )
        .order_by("starts_on", "id")
        .values("id", "member_id", "kind", "reason", "starts_on", "ends_on")
    )
    return {row["member_id"]: dict(row) for row in rows}


def attendance_by_member(
    start: dt.date, end: dt.date, members: Members, kinds: tuple[str, ...]
) -> list[tuple[int, dt.date | None, dt.date | None, dict[str, int]]]:
    """Per member present or absent at a held meeting (any org) dated in [start, end):
    (member, last day present, last day absent, {kind: times present} for `kinds`) — one
    grouped scan of the attendance (in table order for a large scope), shared by the LIFE
    and STUDY rules through orglife.facts."""
    counts = {
        f"n{i}": Count("id", filter=Q(status=PRESENT, meeting__kind=kind))
        for i, kind in enumerate(kinds)
    }
    rows = (
        attended(start, end, members)
        .filter(status__in=[PRESENT, ABSENT])
        .values_list("member_id")
        .annotate(
            present=Max("meeting__held_on", filter=Q(status=PRESENT)),
            absent=Max("meeting__held_on", filter=Q(status=ABSENT)),
            **counts,
        )
        .order_by()
    )
    return [
        (member_id, present, absent, dict(zip(kinds, ns, strict=True)))
        for member_id, present, absent, *ns in rows
    ]


def latest_roster_entries(
    ids: list[int], day: dt.date, limit: int
) -> dict[int, list[tuple[int, dt.date, str]]]:
    """Per member of `ids`: (meeting, held_on, status) of their `limit` most recent
    roster entries (present or absent; leave and exempted are skipped) up to `day`,
    newest first.

    CHUNK members at a time, ROW_NUMBER() OVER (PARTITION BY member ORDER BY held_on
    DESC) keeps their `limit` latest entries. Named ids (not a subquery) let PostgreSQL
    read their rows by the member index: given the candidates as a grouped subquery it
    expected 55,000 of them (8,000 in the city demo) and scanned the whole table.
    """
    counted = Attendance.objects.filter(
        status__in=[PRESENT, ABSENT],
        meeting__status=MeetingStatus.HELD,
        meeting__held_on__lte=day,
    )
    rank = Window(
        RowNumber(),
        partition_by=[F("member_id")],
        order_by=[F("meeting__held_on").desc(), F("meeting_id").desc()],
    )
    entries: dict[int, list[tuple[int, dt.date, str]]] = defaultdict(list)
    for first in range(0, len(ids), CHUNK):
        rows = (
            counted.filter(member_id__in=ids[first : first + CHUNK])
            .annotate(rank=rank)
            .filter(rank__lte=limit)
            .order_by()
            .values_list("member_id", "meeting_id", "meeting__held_on", "status")
        )
        for member_id, meeting_id, held_on, status in rows:  # held_on <= day: never null
            entries[member_id].append((meeting_id, cast(dt.date, held_on), status))
    for rows_of_member in entries.values():
        rows_of_member.sort(key=lambda row: (row[1], row[0]), reverse=True)
    return entries


def affairs_records(orgs_q: Q, kinds: Any, labels: Any) -> dict[tuple[int, str, str], dt.date]:
    """Party-affairs records of the subtree per (org, kind, period) → the day the work was
    done, for the kinds and period labels asked (one query; at most one record each,
    LIFE-07/08)."""
    from ..models import AffairsRecord

    rows = AffairsRecord.objects.filter(
        orgs_q, kind__in=list(kinds), period__in=list(labels)
    ).values_list("org_id", "kind", "period", "done_on")
    return {(org_id, kind, period): done_on for org_id, kind, period, done_on in rows}


def parent_kinds(paths: Any, steplen: int) -> dict[str, str]:
    """The kind of the parent of each org path (roots: none), by the parent's path (one
    query)."""
    from xianfeng.orgs.models import Org

    parents = {path[:-steplen] for path in paths if len(path) > steplen}
    return dict(Org.objects.filter(path__in=parents).values_list("path", "kind"))


def _talk_rows(start: dt.date, end: dt.date, members: Members = None) -> QuerySet[Attendance]:
    """Present participants of held heart-to-heart talks (at any org) dated in [start, end);
    with `members`, of the talks one of them took part in."""
    talks = (MeetingKind.HEART_TALK,)
    if members is None:
        return attended(start, end, kinds=talks).filter(status=PRESENT)
    ids = meetings_with(members, start, end, talks)
    theirs = attended(start, end, members, talks).values("meeting_id") if ids is None else ids
    return Attendance.objects.filter(meeting_id__in=theirs, status=PRESENT)


def heart_talks(start: dt.date, end: dt.date, members: Members = None) -> dict[int, dict[str, Any]]:
    """Held heart-to-heart talks dated in [start, end) (at any org) with their present
    participants: meeting id → org path, day, host and participants (two queries: the
    participants as plain integers, then each talk's org, day and host once — a day per
    participant row cost a city 1.8 s of date conversion)."""
    people: dict[int, set[int]] = defaultdict(set)
    for meeting_id, member_id in _talk_rows(start, end, members).values_list(
        "meeting_id", "member_id"
    ):
        people[meeting_id].add(member_id)
    talks = (  # named when few, else every talk of the span
        Meeting.objects.filter(pk__in=list(people))
        if len(people) <= CHUNK
        else held_meetings(Q(), start, end).filter(kind=MeetingKind.HEART_TALK)
    )
    rows = talks.order_by().values_list("id", "org__path", "held_on", "host_id")
    return {
        pk: {"path": path, "day": held_on, "host": host_id, "people": people[pk]}
        for pk, path, held_on, host_id in rows
        if pk in people
    }


def talkers_seats(
    start: dt.date, end: dt.date, members: Members = None
) -> dict[int, list[dict[str, Any]]]:
    """Seats (any org) held at some time in [start, end), per member, with the seat org's
    path (one query). Seats are few (tens of thousands in a city), so a large scope reads
    them all; with `members`, only those of the participants of their talks."""
    spanning = Seat.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lt=end),
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        member_id__isnull=False,
    )
    if members is not None:
        talkers = _talk_rows(start, end, members).values("member_id")
        spanning = spanning.filter(member_id__in=talkers)
    seats: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in spanning.values("member_id", "org__path", "started_on", "ended_on"):
        seats[row["member_id"]].append(dict(row))
    return seats


def member_names(ids: Any) -> dict[int, str]:
    from xianfeng.members.models import Member

    return dict(Member.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
