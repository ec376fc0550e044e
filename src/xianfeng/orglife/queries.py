"""Reads of organizational life (LIFE-01 …) reused by pages, API and rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from xianfeng.lib.sql import Unindexed, YearMonth
from xianfeng.members.models import Placement, Status
from xianfeng.members.queries import ACTIVE, FEW, covering
from xianfeng.orgs.models import Seat, SeatRole

from .models import (
    YEARLY_KINDS,
    Attendance,
    AttendanceStatus,
    Exemption,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)

# --- rule reads ---------------------------------------------------------------------------
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


def yearly_meetings(orgs_q: Q, year: int) -> dict[tuple[int, str], list[int]]:
    """Held life and leadership life meetings for `year` per (org, kind): for_period in
    that year (2025, 2025-Q4 …), or no for_period and held in it (one query)."""
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
        .values_list("id", "org_id", "kind")
    )
    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    for meeting_id, org_id, kind in rows:
        found[(org_id, kind)].append(meeting_id)
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


def members_placed_during(orgs_q: Q, first: dt.date, last: dt.date) -> list[int]:
    """Members with a placement in the subtree at some time from `first` to `last`."""
    rows = Placement.objects.filter(
        orgs_q, Q(ended_on__isnull=True) | Q(ended_on__gt=first), started_on__lte=last
    )
    return list(rows.order_by().values_list("member_id", flat=True).distinct())


def lessons_attended(start: dt.date, end: dt.date, members: Members = None) -> dict[int, int]:
    """Held party lessons (at any org) dated in [start, end) each member was present at;
    members with none are left out (one grouped query)."""
    rows = (
        attended(start, end, members, (MeetingKind.PARTY_LESSON,))
        .filter(status=PRESENT)
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["member_id"]: row["n"] for row in rows}


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


def last_attended(
    first: dt.date, day: dt.date, members: Members = None
) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Per member with a roster entry (present or absent) at a held meeting (any org)
    dated `first` … `day`: the last day present and the last day absent in that span (one
    grouped query; LIFE-01 and LIFE-04 share it)."""
    rows = (
        attended(first, day + dt.timedelta(days=1), members)
        .filter(status__in=[PRESENT, ABSENT])
        .values_list("member_id")
        .annotate(
            present=Max("meeting__held_on", filter=Q(status=PRESENT)),
            absent=Max("meeting__held_on", filter=Q(status=ABSENT)),
        )
        .order_by()
    )
    return {member_id: (present, absent) for member_id, present, absent in rows}


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


def affairs_records(orgs_q: Q, kinds: Any, labels: Any) -> dict[tuple[int, str, str], int]:
    """Party-affairs records of the subtree per (org, kind, period) → the record's id, for
    the kinds and period labels asked (one query; at most one record each, LIFE-07/08)."""
    from .models import AffairsRecord

    rows = AffairsRecord.objects.filter(
        orgs_q, kind__in=list(kinds), period__in=list(labels)
    ).values_list("id", "org_id", "kind", "period")
    return {(org_id, kind, period): pk for pk, org_id, kind, period in rows}


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


# --- page reads ---------------------------------------------------------------------------
# Reads for the pages, the API and the domain: one org or one meeting at a time.

SEAT_KINDS = frozenset({MeetingKind.COMMITTEE_MEETING, MeetingKind.LEADERSHIP_LIFE_MEETING})


def _seat_holders_on(org: Any, day: dt.date) -> QuerySet[Any]:
    """Members holding a seat of `org` on `day` (a tenure's end day is still held)."""
    from xianfeng.members.models import Member

    held = Q(seats__org=org, seats__member__isnull=False) & (
        Q(seats__started_on__isnull=True) | Q(seats__started_on__lte=day)
    )
    held &= Q(seats__ended_on__isnull=True) | Q(seats__ended_on__gte=day)
    return Member.objects.filter(held)


def paths_above(org: Any) -> list[str]:
    """The paths of the orgs above `org` (not its own)."""
    step = type(org).steplen
    return [org.path[:n] for n in range(step, len(org.path), step)]


def home_of(org: Any) -> Any:
    """The org whose members a meeting of `org` draws on: a party group's branch."""
    from xianfeng.orgs.models import OrgKind

    return type(org).objects.get_parent(org) if org.kind == OrgKind.PARTY_GROUP else org


def guest_ids(org: Any, day: dt.date) -> set[int]:
    """Members who may attend a meeting of `org` on `day` without a vote (LIFE-01): the
    holders of a seat of an org above it that day and the leaders whose contact point
    (ORG-07) it is (its branch's, for a party group)."""
    from xianfeng.orgs.models import ContactPoint

    seats = Seat.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=day),
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        org__path__in=paths_above(org),
        member__isnull=False,
    )
    points = ContactPoint.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        target_id__in={org.pk, home_of(org).pk},
        started_on__lte=day,
    )
    return set(seats.values_list("member_id", flat=True)) | set(
        points.values_list("leader_id", flat=True)
    )


def attendee_ids(org: Any, day: dt.date | None, kind: str | None = None) -> set[int]:
    """Everyone who may have a row on the roster of a meeting of `org` on `day`: the
    roster (`roster_for`) and the guests without a vote (`guest_ids`)."""
    if day is None:
        return set()
    return {m.pk for m in roster_for(org, day, kind)} | guest_ids(org, day)


def people_on_line(org: Any) -> QuerySet[Any]:
    """Members a meeting of `org` may name as host, recorder or lecturer (LIFE-01): those
    of the org's subtree (its branch's, for a party group) or of an org above it, and
    the holders of a seat of an org above it. A lecturer from elsewhere is a name."""
    from xianfeng.members.models import Member

    home = home_of(org)
    above = paths_above(home)
    seated = Seat.objects.filter(org__path__in=above, member__isnull=False)
    return Member.objects.filter(
        Q(org__path__startswith=home.path)
        | Q(org__path__in=above)
        | Q(pk__in=seated.values("member_id"))
    )


def roster_for(org: Any, day: dt.date, kind: str | None = None) -> list[Any]:
    """Members expected at a meeting of `org` on `day` (LIFE-01), ordered by name.

    A party group: its members; a committee meeting or leadership life meeting (`kind`),
    or any meeting of an org that holds no members itself: the holders of the org's seats;
    otherwise the members placed in the org that day. Only full and probationary members.
    """
    from xianfeng.members.models import Member
    from xianfeng.orgs.models import OrgKind

    if org.kind == OrgKind.PARTY_GROUP:
        found = Member.objects.filter(covering(day, "placements__"), party_group=org)
    elif kind in SEAT_KINDS or not org.holds_members:
        found = _seat_holders_on(org, day)
    else:
        found = Member.objects.filter(covering(day, "placements__"), placements__org=org)
    found = found.filter(covering(day, "status_spells__"), status_spells__status__in=ACTIVE)
    return list(found.distinct().order_by("name", "code"))


def statuses_on(member_ids: list[int], day: dt.date) -> dict[int, str]:
    """The party status of each member on `day` (one query)."""
    from xianfeng.members.models import StatusSpell

    rows = StatusSpell.objects.filter(covering(day), member_id__in=member_ids)
    return dict(rows.values_list("member_id", "status"))


def quorum(meeting: Meeting) -> dict[str, Any]:
    """Voters on the roster, voters present and whether more than half came (LIFE-01:
    probationary members have no vote)."""
    counts = meeting.attendance.aggregate(
        voters=Count("id", filter=Q(voting=True)),
        present=Count("id", filter=Q(voting=True, status=PRESENT)),
    )
    voters, present = counts["voters"], counts["present"]
    return {"voters": voters, "present": present, "reached": voters > 0 and present * 2 > voters}


def meetings_for_user(user: Any) -> QuerySet[Meeting]:
    """Meetings of orgs in the user's scope (PLAT-01)."""
    from xianfeng.accounts.scope import path_q

    return Meeting.objects.filter(path_q(user, "org__path")).select_related("org")


def get_meeting_for_user(user: Any, pk: int) -> Meeting:
    """The meeting `pk` if its org lies in the user's scope, else 404."""
    from django.http import Http404

    meeting = meetings_for_user(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("没有找到该会议，或不在您的管辖范围内")
    return meeting


def filter_meetings(
    queryset: QuerySet[Meeting],
    *,
    kind: str = "",
    year: int | None = None,
    month: int | None = None,
    status: str = "",
) -> QuerySet[Meeting]:
    """Filter by kind, status and the year (and month) of the meeting day."""
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if year:
        day = Q(held_on__year=year) | Q(held_on__isnull=True, planned_on__year=year)
        queryset = queryset.filter(day)
    if year and month:
        day = Q(held_on__month=month) | Q(held_on__isnull=True, planned_on__month=month)
        queryset = queryset.filter(day)
    return queryset


def meetings_of(org: Any) -> QuerySet[Meeting]:
    """The meetings of `org` and of its party groups, newest first."""
    from django.db.models.functions import Coalesce

    return (
        Meeting.objects.filter(org__path__startswith=org.path, org__depth__lte=org.depth + 1)
        .filter(Q(org=org) | Q(org__kind="party_group"))
        .select_related("org", "host")
        .annotate(day_of=Coalesce("held_on", "planned_on"))
        .order_by(F("day_of").desc(nulls_last=True), "-pk")
    )


def attendance_sheet(meeting: Meeting) -> list[dict[str, Any]]:
    """One row per member on the roster (rows written, else the expected roster): the
    member, the recorded status ("" when none yet) and whether they vote."""
    rows = list(meeting.attendance.select_related("member").order_by("member__name"))
    if rows:
        return [{"member": r.member, "status": r.status, "voting": r.voting} for r in rows]
    day = meeting.day
    if day is None:
        return []
    members = roster_for(meeting.org, day, meeting.kind)
    status = statuses_on([m.pk for m in members], day)
    return [{"member": m, "status": "", "voting": status.get(m.pk) == Status.FULL} for m in members]


def upcoming_for_member(member: Any, day: dt.date) -> list[Meeting]:
    """Planned meetings from `day` on of the member's branch and party group, each with
    the member's leave request (or None) as `leave`."""
    orgs = [member.org_id] + ([member.party_group_id] if member.party_group_id else [])
    meetings = list(
        Meeting.objects.filter(
            org_id__in=orgs, status=MeetingStatus.PLANNED, planned_on__gte=day
        ).order_by("planned_on", "starts_at", "pk")
    )
    leaves = {
        r.meeting_id: r for r in member.leave_requests.filter(meeting__in=[m.pk for m in meetings])
    }
    for meeting in meetings:
        meeting.leave = leaves.get(meeting.pk)  # type: ignore[attr-defined]
    return meetings


def leave_requests_of(org: Any) -> QuerySet[Any]:
    """Leave requests for meetings of `org` and its party groups, pending first."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import LeaveRequest

    pending = Case(
        When(status=RequestStatus.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        LeaveRequest.objects.filter(meeting__in=meetings_of(org).values("pk"))
        .select_related("meeting", "member", "decided_by")
        .order_by(pending, "-asked_at")
    )


def get_leave_for_user(user: Any, pk: int) -> Any:
    from django.http import Http404

    from .models import LeaveRequest

    found = LeaveRequest.objects.filter(meeting__in=meetings_for_user(user), pk=pk)
    leave = found.select_related("meeting__org", "member").first()
    if leave is None:
        raise Http404("没有找到该请假申请，或不在您的管辖范围内")
    return leave


def exemptions_of(org: Any) -> QuerySet[Exemption]:
    return (
        Exemption.objects.filter(member__org__path__startswith=org.path)
        .select_related("member", "decided_by")
        .order_by("-starts_on", "-pk")
    )


def get_exemption_for_user(user: Any, pk: int) -> Exemption:
    from django.http import Http404

    from xianfeng.accounts.scope import path_q

    found = Exemption.objects.filter(path_q(user, "member__org__path"), pk=pk)
    exemption = found.select_related("member__org").first()
    if exemption is None:
        raise Http404("没有找到该免于参加记录，或不在您的管辖范围内")
    return exemption


def materials_for(org: Any) -> QuerySet[Any]:
    """Lesson materials published to `org`: by itself or any org above it (LIFE-06)."""
    from .models import LessonMaterial

    step = type(org).steplen
    paths = [org.path[:i] for i in range(step, len(org.path) + 1, step)]
    return LessonMaterial.objects.filter(org__path__in=paths).select_related("org")


def get_attachment_for_user(user: Any, pk: int) -> Any:
    """A meeting's attachment if the meeting's org lies in the user's scope, else 404."""
    from django.http import Http404

    from .models import Attachment

    found = Attachment.objects.filter(meeting__in=meetings_for_user(user), pk=pk).first()
    if found is None:
        raise Http404("没有找到该附件，或不在您的管辖范围内")
    return found


def get_material_for_user(user: Any, pk: int) -> Any:
    """A material published inside the user's scope or above it (to the user's orgs),
    else 404."""
    from django.http import Http404

    from xianfeng.accounts.scope import scope_paths

    from .models import LessonMaterial

    material = LessonMaterial.objects.filter(pk=pk).select_related("org").first()
    prefixes = scope_paths(user)
    if material is not None and prefixes is not None:
        path = material.org.path
        if not any(path.startswith(p) or p.startswith(path) for p in prefixes):
            material = None
    if material is None:
        raise Http404("没有找到该党课教材，或不在您的管辖范围内")
    return material


def material_usage(material: Any, user: Any) -> list[dict[str, Any]]:
    """Per org in the user's scope whose held lessons used `material`: the org, how many
    and the last day (a branch sees its own use, not its sibling towns')."""
    from xianfeng.accounts.scope import path_q

    rows = (
        Meeting.objects.filter(path_q(user, "org__path"), material=material)
        .filter(status=MeetingStatus.HELD)
        .values("org__code", "org__name")
        .annotate(n=Count("id"), last=Max("held_on"))
        .order_by("org__code")
    )
    return list(rows)


def affairs_of(org: Any, year: int) -> QuerySet[Any]:
    """The party-affairs records of `org` for periods of `year` (LIFE-07, LIFE-08)."""
    from .models import AffairsRecord

    found = AffairsRecord.objects.filter(org=org, period__startswith=str(year))
    return found.order_by("period", "kind")


def affairs_overview(org: Any, year: int) -> list[dict[str, Any]]:
    """One row per slot of `year` (12 monthly publications, 2 half-year reports, the
    annual report upward and the annual analysis) with its record or None."""
    from .models import AffairsKind

    records = {(r.kind, r.period): r for r in affairs_of(org, year)}
    slots = [(AffairsKind.DISCLOSURE, f"{year}-{m:02d}") for m in range(1, 13)]
    slots += [(AffairsKind.REPORT_TO_MEMBERS, f"{year}-H{h}") for h in (1, 2)]
    slots += [(AffairsKind.REPORT_UPWARD, str(year)), (AffairsKind.IDEOLOGICAL_ANALYSIS, str(year))]
    return [
        {"kind": kind, "label": kind.label, "period": period, "record": records.get((kind, period))}
        for kind, period in slots
    ]


def affairs_for_user(user: Any) -> QuerySet[Any]:
    """Party-affairs records of orgs in the user's scope (PLAT-01)."""
    from xianfeng.accounts.scope import path_q

    from .models import AffairsRecord

    return AffairsRecord.objects.filter(path_q(user, "org__path")).select_related("org")


def get_affairs_for_user(user: Any, pk: int) -> Any:
    """The party-affairs record `pk` if its org lies in the user's scope, else 404."""
    from django.http import Http404

    record = affairs_for_user(user).filter(pk=pk).first()
    if record is None:
        raise Http404("没有找到该党务工作记录，或不在您的管辖范围内")
    return record
