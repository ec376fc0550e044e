"""Reads of organizational life for pages and the API: rosters, meetings, leave,
exemptions, materials and party-affairs records, each scoped to the user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet

from xianfeng.members.models import Status
from xianfeng.members.queries import ACTIVE, covering
from xianfeng.orgs.models import Seat

from ..models import (
    Exemption,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)
from .rule_reads import PRESENT

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
    `rosters.Rosters` answers the same (ids) for many days, reading each org once.
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


def get_held_meeting_for_user(user: object, pk: int) -> Meeting:
    """The held meeting `pk` in the user's scope, else 404 (a planned or cancelled
    meeting has no record yet)."""
    from django.http import Http404

    meeting = get_meeting_for_user(user, pk)
    if meeting.status != MeetingStatus.HELD:
        raise Http404("该会议尚未召开，没有会议记录")
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

    from ..models import LeaveRequest

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

    from ..models import LeaveRequest

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
    from ..models import LessonMaterial

    step = type(org).steplen
    paths = [org.path[:i] for i in range(step, len(org.path) + 1, step)]
    return LessonMaterial.objects.filter(org__path__in=paths).select_related("org")


def get_attachment_for_user(user: Any, pk: int) -> Any:
    """A meeting's attachment if the meeting's org lies in the user's scope, else 404."""
    from django.http import Http404

    from ..models import Attachment

    found = Attachment.objects.filter(meeting__in=meetings_for_user(user), pk=pk).first()
    if found is None:
        raise Http404("没有找到该附件，或不在您的管辖范围内")
    return found


def get_material_for_user(user: Any, pk: int) -> Any:
    """A material published inside the user's scope or above it (to the user's orgs),
    else 404."""
    from django.http import Http404

    from xianfeng.accounts.scope import scope_paths

    from ..models import LessonMaterial

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
    from ..models import AffairsRecord

    found = AffairsRecord.objects.filter(org=org, period__startswith=str(year))
    return found.order_by("period", "kind")


def affairs_overview(org: Any, year: int) -> list[dict[str, Any]]:
    """One row per slot of `year` (12 monthly publications, 2 half-year reports, the
    annual report upward and the annual analysis) with its record or None."""
    from ..models import AffairsKind

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

    from ..models import AffairsRecord

    return AffairsRecord.objects.filter(path_q(user, "org__path")).select_related("org")


def get_affairs_for_user(user: Any, pk: int) -> Any:
    """The party-affairs record `pk` if its org lies in the user's scope, else 404."""
    from django.http import Http404

    record = affairs_for_user(user).filter(pk=pk).first()
    if record is None:
        raise Http404("没有找到该党务工作记录，或不在您的管辖范围内")
    return record
