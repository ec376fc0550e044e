"""Study endpoints (STUDY-01, STUDY-02, STUDY-04), scoped like the pages: study records,
courses, training classes with their attendance, and a member's hours for a year."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.accounts.scope import reference_error
from xianfeng.lib.api import Code, Days, Hours, Id, Pagination, PathId, YearQuery, responses
from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.members.queries import get_member_for_user, members_for_user
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from . import domain
from .access import courses_for_org, get_class_for_user
from .models import (
    Course,
    CourseKind,
    RecordSource,
    StudyRecord,
    TrainingClass,
    TrainingKind,
    TrainingStatus,
)
from .standing import SOURCE_LABELS, member_standing, span_of

router = Router(tags=["学习教育"])


class RecordOut(Schema):
    id: int
    member: str = Field(alias="member.code")
    name: str = Field(alias="member.name")
    org: str = Field(alias="org.code")
    source: str
    studied_on: dt.date
    hours: Decimal
    course: int | None = Field(None, alias="course_id")
    title: str
    status: str
    note: str
    batch: str


class RecordIn(Schema):
    member: str  # member code
    source: RecordSource = Field(description="online、self_study 或 imported")
    studied_on: dt.date
    hours: Hours | None = None
    course: Id | None = None
    title: str = ""
    note: str = ""


class CourseOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    title: str
    kind: str
    hours: Decimal
    tags: list[str]
    summary: str
    published_on: dt.date
    active: bool
    has_file: bool

    @staticmethod
    def resolve_has_file(course: Course) -> bool:
        return bool(course.file)


class CourseIn(Schema):
    title: str
    kind: CourseKind = Field(description="text、lecture 或 practical（文件和视频课程在网页上传）")
    hours: Hours
    published_on: dt.date | None = None
    tags: list[str] = []
    summary: str = ""
    body: str = ""


class EnrollmentOut(Schema):
    member: str = Field(alias="member.code")
    name: str = Field(alias="member.name")
    status: str
    hours: Decimal | None


class ClassOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    kind: str
    title: str
    organizer: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    days: Decimal
    hours: Decimal
    place: str


class ClassDetailOut(ClassOut):
    enrollments: list[EnrollmentOut]

    @staticmethod
    def resolve_enrollments(training: TrainingClass) -> list:
        return list(training.enrollments.select_related("member").order_by("member__code"))


class ClassIn(Schema):
    kind: TrainingKind
    title: str
    starts_on: dt.date
    ends_on: dt.date
    days: Days
    hours: Hours
    organizer: str = ""
    place: str = ""
    content: str = ""
    status: TrainingStatus = TrainingStatus.HELD
    members: list[str] = []  # member codes to enrol


class AttendanceIn(Schema):
    attended: list[str] = []  # member codes
    absent: list[str] = []
    hours: Hours | None = None


class SourceOut(Schema):
    source: str
    label: str
    hours: Decimal
    counted: Decimal | None


class HoursOut(Schema):
    member: str
    year: int
    ended: bool
    day: dt.date
    judged: bool  # false: not a full or probationary member placed anywhere that day
    total: Decimal | None = None
    required: Decimal | None = None
    full_year: Decimal | None = None
    behind: Decimal | None = None
    leader: bool = False
    trainings: int = 0
    trainings_required: int = 0
    sources: list[SourceOut] = []


def _editable_org(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _members(request: HttpRequest, codes: list[str], field: str) -> list[Member]:
    """The members of `codes` inside the user's scope; a code outside it reads as one that
    does not exist (the domain checks the rest the same way)."""
    found = {m.code: m for m in members_for_user(request.user).filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise reference_error(field, domain.MEMBER_LABEL, "、".join(missing))
    return [found[code] for code in codes]


def _course(pk: int | None) -> Course | None:
    """The course `pk`; whether the member's org may use it is the domain's check, with
    the same answer as for a course that does not exist."""
    if pk is None:
        return None
    course = Course.objects.filter(pk=pk).select_related("org").first()
    if course is None:
        raise reference_error("course", domain.COURSE_LABEL, pk)
    return course


@router.get("/orgs/{code}/records", response=responses({200: list[RecordOut]}))
@paginate(Pagination)
def list_study_records(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    code: Code,
    year: YearQuery = None,
    source: RecordSource | Literal[""] = "",
):
    org = get_org_for_user(request.user, code)
    found = StudyRecord.objects.filter(org__path__startswith=org.path)
    if year:
        found = found.filter(studied_on__year=year)
    if source:
        found = found.filter(source=source)
    return found.select_related("member", "org").order_by("-studied_on", "-pk")


@router.post("/orgs/{code}/records", response=responses({201: RecordOut}))
def create_study_record(request: HttpRequest, code: Code, payload: RecordIn):  # type: ignore[no-untyped-def]
    org = _editable_org(request, code)
    [member] = _members(request, [payload.member], "member")
    if not member.org.path.startswith(org.path):
        raise reference_error("member", domain.MEMBER_LABEL, member.code)
    data = payload.dict()
    data["member"] = member
    data["course"] = _course(data["course"])
    return Status(201, domain.record_study(by=request.user, **data))


@router.get("/orgs/{code}/courses", response=responses({200: list[CourseOut]}))
def list_courses(request: HttpRequest, code: Code, kind: str = "", tag: str = ""):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    found = courses_for_org(org)
    if kind:
        found = found.filter(kind=kind)
    return [c for c in found[:1000] if not tag or tag in (c.tags or [])]


@router.post("/orgs/{code}/courses", response=responses({201: CourseOut}))
def create_course(request: HttpRequest, code: Code, payload: CourseIn):  # type: ignore[no-untyped-def]
    org = _editable_org(request, code)
    data = payload.dict()
    data["published_on"] = data["published_on"] or today()
    return Status(201, domain.create_course(org=org, by=request.user, **data))


@router.get("/orgs/{code}/classes", response=responses({200: list[ClassOut]}))
def list_training_classes(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    found = TrainingClass.objects.filter(org__path__startswith=org.path).select_related("org")
    if year:
        found = found.filter(starts_on__year=year)
    return list(found.order_by("-starts_on", "pk")[:1000])


@router.post("/orgs/{code}/classes", response=responses({201: ClassDetailOut}))
def create_training_class(request: HttpRequest, code: Code, payload: ClassIn):  # type: ignore[no-untyped-def]
    org = _editable_org(request, code)
    data = payload.dict()
    members = _members(request, data.pop("members"), "members")
    with transaction.atomic():  # a refused enrolment leaves no class behind
        training = domain.create_training_class(org=org, by=request.user, **data)
        if members:
            domain.enroll_members(training, members=members, by=request.user)
    return Status(201, training)


@router.get("/classes/{class_id}", response=responses({200: ClassDetailOut}))
def get_training_class(request: HttpRequest, class_id: PathId):  # type: ignore[no-untyped-def]
    return get_class_for_user(request.user, class_id)


@router.post("/classes/{class_id}/attendance", response=responses({200: ClassDetailOut}))
def record_class_attendance(request: HttpRequest, class_id: PathId, payload: AttendanceIn):  # type: ignore[no-untyped-def]
    """Who attended (credited the class's hours, or `hours`) and who did not."""
    training = get_class_for_user(request.user, class_id)
    if not can_edit_org(request.user, training.org):
        raise PermissionDenied("您对该组织只有查看权限")
    domain.record_training_attendance(
        training,
        attended=_members(request, payload.attended, "attended"),
        absent=_members(request, payload.absent, "absent"),
        hours=payload.hours,
        by=request.user,
    )
    return training


@router.get("/members/{code}/hours", response=responses({200: HoursOut}))
def member_hours(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """The member's concentrated study hours of a year against the requirement (the same
    numbers as STUDY-01)."""
    member = get_member_for_user(request.user, code)
    span = span_of(year or today().year, today())
    standing = member_standing(member, span)
    out = {"member": member.code, "year": span.year, "ended": span.ended, "day": span.day}
    if standing is None:
        return {**out, "judged": False}
    sources = [
        {
            "source": k,
            "label": str(SOURCE_LABELS[k]),
            "hours": v,
            "counted": standing.counted.get(k),
        }
        for k, v in standing.by_source.items()
    ]
    return {
        **out,
        "judged": True,
        "total": standing.total,
        "required": standing.required,
        "full_year": standing.full_year,
        "behind": standing.behind,
        "leader": standing.leader,
        "trainings": standing.trainings,
        "trainings_required": standing.trainings_required,
        "sources": sources,
    }
