"""Pipeline endpoints (DEV-01, DEV-02): an org's people by stage, one person's record
(steps, mentors, introducers, due dates), a new applicant, the next step, mentors and
introducers.

Every write goes through `recruitment.domain` (refusals: ValidationError → 422 with a
Chinese message per field; a user who may only read → 403). Member codes, org codes and
talent ids inside a body are resolved in the user's scope: one out of scope answers
exactly like one that does not exist. Files are uploaded on the person's page.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from xianfeng.accounts.scope import resolve_reference
from xianfeng.lib.api import MAX_ID, Code, Days, Hours, Pagination, PathId, responses
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.study.models import TrainingClass

from .. import permissions
from ..domain import mentors as mentors_domain
from ..domain import people as people_domain
from ..domain import steps as steps_domain
from ..models import (
    Introducer,
    Mentor,
    Person,
    Stage,
    Step,
    StepFile,
    StepKind,
    TalentEntry,
)
from ..queries.counts import get_person_for_user, people_of, talent_pool, training_classes_for
from ..queries.pipeline import Due, due_dates

router = Router(tags=["发展党员"])

DENIED = "只有本组织及上级组织的管理员、党务工作者可以办理发展党员"
# Steps with endpoints or forms of their own are not recorded through /steps.
OWN_WRITES = {StepKind.APPLICATION, StepKind.INTRODUCERS, StepKind.TRANSFER, StepKind.END}
Count = Annotated[int, Field(ge=0, le=100_000)]
Ref = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]


# --------------------------------------------------------------------------- schemas


class StepOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    on: dt.date
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    decided_by: str
    conclusion: str
    ends_on: dt.date | None
    voters: int | None
    present: int | None
    in_favour: int | None
    days: Decimal | None
    hours: Decimal | None
    months: int | None
    special: bool
    to_org: str | None = None
    files: list[str] = []

    @staticmethod
    def resolve_to_org(step: Step) -> str | None:
        return step.to_org.code if step.to_org else None

    @staticmethod
    def resolve_files(step: Step) -> list[str]:
        return [file.name for file in step.files.all()]


class MentorOut(Schema):
    id: int
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    started_on: dt.date
    ended_on: dt.date | None


class IntroducerOut(Schema):
    id: int
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    chosen_on: dt.date


class DueOut(Schema):
    kind: str
    kind_label: str
    due: dt.date
    text: str
    deadline: bool = Field(description="true：最迟日期；false：最早日期")


class PersonOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    name: str
    gender: str
    birth_date: dt.date
    id_number: str = Field(alias="id_number_masked", description="部分隐藏的身份证号")
    education: str
    occupation: str
    sector: str
    phone: str
    stage: str
    stage_label: str = Field(alias="get_stage_display")
    stage_since: dt.date
    applied_on: dt.date
    activist_on: dt.date | None
    candidate_on: dt.date | None
    admitted_on: dt.date | None
    approved_on: dt.date | None
    probation_ends_on: dt.date | None
    full_on: dt.date | None
    ended_on: dt.date | None
    ended_reason: str
    volunteer_book_no: str = Field(description="入党志愿书编号")
    member: str | None = None

    @staticmethod
    def resolve_member(person: Person) -> str | None:
        return person.member.code if person.member else None


class PersonDetailOut(PersonOut):
    steps: list[StepOut]
    mentors: list[MentorOut]
    introducers: list[IntroducerOut]
    due: list[DueOut]

    @staticmethod
    def resolve_steps(person: Person) -> list[Step]:
        files = Prefetch("files", queryset=StepFile.objects.order_by("pk"))
        steps = person.steps.select_related("org", "to_org").prefetch_related(files)
        return list(steps.order_by("on", "pk"))

    @staticmethod
    def resolve_mentors(person: Person) -> list[Mentor]:
        return list(person.mentors.select_related("member").order_by("started_on", "pk"))

    @staticmethod
    def resolve_introducers(person: Person) -> list[Introducer]:
        return list(person.introducers.select_related("member").order_by("pk"))

    @staticmethod
    def resolve_due(person: Person) -> list[dict[str, Any]]:
        return [due_out(due) for due in due_dates(person)]


class ApplicantIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=30, description="18位公民身份号码")
    applied_on: dt.date = Field(description="递交入党申请书的日期")
    education: str = Field("", max_length=2)
    occupation: str = Field("", max_length=100)
    sector: str = Field("", max_length=12)
    phone: str = Field("", max_length=30)
    talent: int | None = Field(None, ge=1, le=MAX_ID, description="人才库人员 id（可选）")


class StepIn(Schema):
    kind: StepKind = Field(description="环节；确定入党介绍人、转接、终止另有接口或页面")
    on: dt.date
    org: str = Field("", max_length=40, description="上级党委的组织编码（党委决定的环节）")
    decided_by: str = Field("", max_length=200)
    conclusion: str = Field("", max_length=5000)
    ends_on: dt.date | None = None
    voters: Count | None = None
    present: Count | None = None
    in_favour: Count | None = None
    training_class: int | None = Field(
        None, ge=1, le=MAX_ID, description="培训班 id（短期集中培训）"
    )
    days: Days | None = None
    hours: Hours | None = None
    months: int | None = Field(None, ge=0, le=120)
    special: bool = False


class MentorIn(Schema):
    member: Ref = Field(description="培养联系人的党员编号")
    on: dt.date


class EndMentorIn(Schema):
    on: dt.date


class IntroducersIn(Schema):
    first: Ref = Field(description="第一介绍人的党员编号")
    second: Ref = Field(description="第二介绍人的党员编号")
    on: dt.date


# --------------------------------------------------------------------------- helpers


def due_out(due: Due) -> dict[str, Any]:
    return {
        "kind": str(due.kind),
        "kind_label": str(StepKind(due.kind).label),
        "due": due.due,
        "text": str(due.text),
        "deadline": due.deadline,
    }


def managed(request: HttpRequest, pk: int) -> Person:
    person = get_person_for_user(request.user, pk)
    if not permissions.may_manage(request.user, person.org):
        raise PermissionDenied(DENIED)
    return person


def member_in_scope(request: HttpRequest, code: str, field: str) -> Member:
    return resolve_reference(
        Member.objects.all(), request.user, field=field, label="党员", value=code, code=code
    )


def org_in_scope(request: HttpRequest, code: str) -> Org | None:
    if not code:
        return None
    return resolve_reference(
        Org.objects.all(), request.user, field="org", label="党组织", value=code,
        path_field="path", code=code,
    )  # fmt: skip


def class_in_scope(request: HttpRequest, person: Person, pk: int) -> TrainingClass:
    """A training class of an org on the person's line or in the user's scope."""
    classes = training_classes_for(request.user, person)
    return resolve_reference(classes, None, field="training_class", label="培训班", value=pk, pk=pk)


def talent_of(request: HttpRequest, org: Org, pk: int | None) -> TalentEntry | None:
    if pk is None:
        return None
    pool = talent_pool(org)
    return resolve_reference(
        pool, request.user, field="talent", label="人才库人员", value=pk, pk=pk
    )


# --------------------------------------------------------------------------- reads

StageFilter = Stage | Literal[""]


@router.get("/orgs/{code}/people", response=responses({200: list[PersonOut]}))
@paginate(Pagination)
def list_people(  # type: ignore[no-untyped-def]
    request: HttpRequest, code: Code, stage: StageFilter = "", q: str = ""
):
    """The people of the org `code` and the orgs below it (stage, name filters)."""
    org = get_org_for_user(request.user, code)
    found: QuerySet[Person] = people_of(org, stage=stage, name=q.replace("\x00", "")[:50])
    return found.select_related("member").order_by("org__path", "applied_on", "pk")


@router.get("/people/{person_id}", response=responses({200: PersonDetailOut}))
def get_person(request: HttpRequest, person_id: PathId):  # type: ignore[no-untyped-def]
    """One person's record: details, steps with files, mentors, introducers, due dates."""
    return get_person_for_user(request.user, person_id)


# --------------------------------------------------------------------------- writes


@router.post("/orgs/{code}/people", response=responses({201: PersonDetailOut}))
def create_applicant(request: HttpRequest, code: Code, payload: ApplicantIn):  # type: ignore[no-untyped-def]
    """A new applicant of the org `code` (递交入党申请书), optionally from the talent pool."""
    org = get_org_for_user(request.user, code)
    if not permissions.may_manage(request.user, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以登记入党申请人")
    fields = payload.dict(exclude={"talent"})
    talent = talent_of(request, org, payload.talent)
    person = people_domain.register_applicant(org=org, by=request.user, talent=talent, **fields)
    return Status(201, get_person_for_user(request.user, person.pk))


@router.post("/people/{person_id}/steps", response=responses({201: StepOut}))
def record_step(request: HttpRequest, person_id: PathId, payload: StepIn):  # type: ignore[no-untyped-def]
    """Record the next step of the person's record (order, time rules and who decides
    are checked; a refusal names the rule and its source)."""
    person = managed(request, person_id)
    if payload.kind in OWN_WRITES:
        raise ValidationError({"kind": "该环节请通过专门的接口或页面办理"})
    fields = payload.dict(exclude={"kind", "on", "org", "training_class"})
    if payload.training_class is not None:
        fields["training_class"] = class_in_scope(request, person, payload.training_class)
    step = steps_domain.record_step(
        person=person,
        kind=payload.kind,
        on=payload.on,
        org=org_in_scope(request, payload.org),
        by=request.user,
        **fields,
    )
    return Status(201, step)


@router.post("/people/{person_id}/mentors", response=responses({201: MentorOut}))
def assign_mentor(request: HttpRequest, person_id: PathId, payload: MentorIn):  # type: ignore[no-untyped-def]
    """Assign a mentor (培养联系人): a full member by code."""
    person = managed(request, person_id)
    member = member_in_scope(request, payload.member, "member")
    mentor = mentors_domain.assign_mentor(
        person=person, member=member, on=payload.on, by=request.user
    )
    return Status(201, mentor)


@router.post("/people/{person_id}/mentors/{mentor_id}/end", response=responses({200: MentorOut}))
def end_mentor(request: HttpRequest, person_id: PathId, mentor_id: PathId, payload: EndMentorIn):  # type: ignore[no-untyped-def]
    """End a mentor's assignment on `on` (exclusive)."""
    person = managed(request, person_id)
    mentor = person.mentors.select_related("member").filter(pk=mentor_id).first()
    if mentor is None:
        raise Http404("没有找到该培养联系人")
    return mentors_domain.end_mentor(mentor=mentor, on=payload.on, by=request.user)


@router.post("/people/{person_id}/introducers", response=responses({201: list[IntroducerOut]}))
def choose_introducers(request: HttpRequest, person_id: PathId, payload: IntroducersIn):  # type: ignore[no-untyped-def]
    """Choose the two introducers (入党介绍人), full members by code."""
    person = managed(request, person_id)
    codes = {"first": payload.first, "second": payload.second}
    members = [member_in_scope(request, code, field) for field, code in codes.items()]
    chosen = mentors_domain.choose_introducers(
        person=person, members=members, on=payload.on, by=request.user
    )
    return Status(201, chosen)
