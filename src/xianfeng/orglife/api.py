"""Organizational-life endpoints (LIFE-01, LIFE-04, LIFE-06, LIFE-07/08), scoped like the
pages."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.accounts.scope import reference_error, resolve_reference
from xianfeng.lib.api import (
    ClockTime,
    Code,
    Id,
    MonthQuery,
    Pagination,
    PathId,
    YearQuery,
    responses,
)
from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from . import domain
from .models import (
    AffairsKind,
    AffairsRecord,
    AttendanceStatus,
    LeaveRequest,
    LessonMaterial,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from .queries import (
    affairs_of,
    attendee_ids,
    filter_meetings,
    get_held_meeting_for_user,
    get_leave_for_user,
    get_meeting_for_user,
    materials_for,
    meetings_of,
    quorum,
    upcoming_for_member,
)

router = Router(tags=["组织生活"])


class AttendanceOut(Schema):
    member: str = Field(alias="member.code")
    name: str = Field(alias="member.name")
    status: str
    voting: bool


class QuorumOut(Schema):
    voters: int
    present: int
    reached: bool


class MeetingOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    status: str
    planned_on: dt.date | None
    held_on: dt.date | None
    starts_at: ClockTime | None
    for_period: str
    period_reason: str
    topic: str
    place: str
    host: str | None = None
    recorder: str | None = None
    lecturer: str | None = None
    lecturer_name: str
    material: int | None = Field(None, alias="material_id")
    off_day_reason: str
    minutes: str

    @staticmethod
    def resolve_host(meeting: Meeting) -> str | None:
        return meeting.host.code if meeting.host else None

    @staticmethod
    def resolve_recorder(meeting: Meeting) -> str | None:
        return meeting.recorder.code if meeting.recorder else None

    @staticmethod
    def resolve_lecturer(meeting: Meeting) -> str | None:
        return meeting.lecturer.code if meeting.lecturer else None


class MeetingDetailOut(MeetingOut):
    attendance: list[AttendanceOut]
    quorum: QuorumOut | None = None

    @staticmethod
    def resolve_attendance(meeting: Meeting) -> list:
        return list(meeting.attendance.select_related("member").order_by("member__name"))

    @staticmethod
    def resolve_quorum(meeting: Meeting) -> dict | None:
        return quorum(meeting) if meeting.kind == "general_meeting" else None


class MeetingIn(Schema):
    kind: MeetingKind
    topic: str
    held_on: dt.date | None = None
    planned_on: dt.date | None = None
    starts_at: ClockTime | None = None
    for_period: str = ""
    period_reason: str = ""  # required when for_period is neither the day's nor the last one
    place: str = ""
    host: str | None = None  # member codes
    recorder: str | None = None
    lecturer: str | None = None
    lecturer_name: str = ""  # a lecturer from outside the org's tree and the orgs above
    material: Id | None = None
    off_day_reason: str = ""
    minutes: str = ""
    attendance: dict[str, AttendanceStatus] | None = None  # {member code: status}


class AttendanceIn(Schema):
    member: str  # member code
    status: AttendanceStatus


class LeaveIn(Schema):
    reason: str


class DecideIn(Schema):
    approve: bool


class LeaveOut(Schema):
    id: int
    meeting: int = Field(alias="meeting_id")
    member: str = Field(alias="member.code")
    reason: str
    status: str
    decided_at: dt.datetime | None


class MaterialIn(Schema):
    month: str
    title: str
    summary: str = ""
    published_on: dt.date | None = None


class MaterialOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    month: str
    title: str
    summary: str
    published_on: dt.date


def _editable_org(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _editable_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = get_meeting_for_user(request.user, meeting_id)
    if not can_edit_org(request.user, meeting.org):
        raise PermissionDenied("您对该组织只有查看权限")
    return meeting


def _member(request: HttpRequest, code: str | None, field: str) -> Member | None:
    """The member of `code` inside the user's scope; the domain checks the rest, with the
    same answer for a code that does not exist."""
    if not code:
        return None
    members = Member.objects.select_related("org")
    value = code.strip()
    return resolve_reference(
        members, request.user, field=field, label=domain.MEMBER_LABEL, value=value, code=value
    )


def _statuses(codes: dict[str, str], allowed: set[int], field: str) -> dict[int, str]:
    """{member code: status} → {member id: status} for members who may attend (the
    domain's `allowed_attendees`); any other code reads as not found."""
    found = Member.objects.filter(code__in=list(codes), pk__in=allowed)
    ids = dict(found.values_list("code", "pk"))
    missing = [code for code in codes if code not in ids]
    if missing:
        raise reference_error(field, domain.MEMBER_LABEL, "、".join(missing))
    return {ids[code]: status for code, status in codes.items()}


def _material(org: Org, pk: int | None) -> LessonMaterial | None:
    """A material published to `org` (by it or an org above), else not found."""
    if pk is None:
        return None
    material = materials_for(org).filter(pk=pk).first()
    if material is None:
        raise reference_error("material", domain.MATERIAL_LABEL, pk)
    return material


@router.get("/orgs/{code}/meetings", response=responses({200: list[MeetingOut]}))
@paginate(Pagination)
def list_meetings(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    code: Code,
    kind: MeetingKind | Literal[""] = "",
    year: YearQuery = None,
    month: MonthQuery = None,
    status: MeetingStatus | Literal[""] = "",
):
    org = get_org_for_user(request.user, code)
    found = filter_meetings(meetings_of(org), kind=kind, year=year, month=month, status=status)
    return found.select_related("host", "recorder", "lecturer")


@router.post("/orgs/{code}/meetings", response=responses({201: MeetingDetailOut}))
def create_meeting(request: HttpRequest, code: Code, payload: MeetingIn):  # type: ignore[no-untyped-def]
    org = _editable_org(request, code)
    data = payload.dict()
    attendance = data.pop("attendance")
    data |= {f: _member(request, data[f], f) for f in domain.PEOPLE}
    data["material"] = _material(org, data["material"])
    if attendance is not None:
        allowed = attendee_ids(org, data["held_on"], data["kind"])
        data["attendance"] = _statuses(attendance, allowed, "attendance")
    meeting = domain.record_meeting(org=org, by=request.user, **data)
    return Status(201, meeting)


@router.get("/meetings/{meeting_id}", response=responses({200: MeetingDetailOut}))
def get_meeting(request: HttpRequest, meeting_id: PathId):  # type: ignore[no-untyped-def]
    return get_meeting_for_user(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/attendance", response=responses({200: MeetingDetailOut}))
def set_meeting_attendance(request: HttpRequest, meeting_id: PathId, payload: AttendanceIn):  # type: ignore[no-untyped-def]
    meeting = _editable_meeting(request, meeting_id)
    allowed = domain.allowed_attendees(meeting)
    statuses = _statuses({payload.member: payload.status}, allowed, "member")
    domain.set_attendance(meeting, statuses, by=request.user)
    return meeting


@router.post("/meetings/{meeting_id}/leave", response=responses({201: LeaveOut}))
def ask_meeting_leave(request: HttpRequest, meeting_id: PathId, payload: LeaveIn):  # type: ignore[no-untyped-def]
    """A member account asks for leave from a planned meeting of their own branch."""
    member = getattr(request.user, "member", None)
    meetings = upcoming_for_member(member, today()) if member is not None else []
    meeting = next((m for m in meetings if m.pk == meeting_id), None)
    if meeting is None or member is None:
        raise Http404("没有找到该会议")
    leave = domain.ask_leave(meeting=meeting, member=member, reason=payload.reason, by=request.user)
    return Status(201, leave)


@router.post("/leave/{leave_id}/decide", response=responses({200: LeaveOut}))
def decide_meeting_leave(request: HttpRequest, leave_id: PathId, payload: DecideIn):  # type: ignore[no-untyped-def]
    leave: LeaveRequest = get_leave_for_user(request.user, leave_id)
    if not can_edit_org(request.user, leave.meeting.org):
        raise PermissionDenied("您对该组织只有查看权限")
    return domain.decide_leave(leave, approve=payload.approve, by=request.user)


@router.get("/orgs/{code}/materials", response=responses({200: list[MaterialOut]}))
def list_lesson_materials(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    return list(materials_for(org).order_by("-month", "title")[:500])


@router.post("/orgs/{code}/materials", response=responses({201: MaterialOut}))
def publish_lesson_material(request: HttpRequest, code: Code, payload: MaterialIn):  # type: ignore[no-untyped-def]
    org = _editable_org(request, code)
    material = domain.publish_material(org=org, by=request.user, **payload.dict())
    return Status(201, material)


class AffairsIn(Schema):
    kind: (
        AffairsKind  # affairs_disclosure | report_to_members | report_upward | ideological_analysis
    )
    period: str  # 2025-06 | 2025-H1 | 2025, by kind
    done_on: dt.date
    summary: str


class AffairsOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    period: str
    done_on: dt.date
    summary: str


@router.get("/orgs/{code}/affairs", response=responses({200: list[AffairsOut]}))
def list_affairs_records(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """An org's party-affairs records of a year (default: this year) (LIFE-07, LIFE-08)."""
    org = get_org_for_user(request.user, code)
    return list(affairs_of(org, year or today().year).select_related("org"))


@router.post("/orgs/{code}/affairs", response=responses({201: AffairsOut}))
def create_affairs_record(request: HttpRequest, code: Code, payload: AffairsIn):  # type: ignore[no-untyped-def]
    org = _editable_org(request, code)
    record: AffairsRecord = domain.record_affairs(org=org, by=request.user, **payload.dict())
    return Status(201, record)


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "会议记录 PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/meetings/{meeting_id}/record.pdf", response=responses({}), openapi_extra=PDF_RESPONSE)
def get_meeting_record(request: HttpRequest, meeting_id: PathId):  # type: ignore[no-untyped-def]
    """The record of a held meeting as PDF (会议记录), the same file as the page's."""
    from .record_pdf import pdf_response  # fpdf2 loads on first use

    return pdf_response(get_held_meeting_for_user(request.user, meeting_id))
