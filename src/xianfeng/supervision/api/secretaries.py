"""Endpoints of the secretaries' duties, scoped like the pages: secretary-led projects
(TASK-05), admonition talks and adjustment proposals (TASK-06), two-way duty reports
(TASK-07). Members and orgs in bodies are codes, resolved by the domain through the
caller's scope (one out of reach reads like one that does not exist)."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xianfeng.lib.api import Code, PathId, Year, YearQuery, responses
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from ..domain import secretaries as domain
from ..models import AdjustmentProposal, Admonition, DutyReport, Project
from ..permissions import may_manage
from ..queries.secretaries import (
    admonitions_for_user,
    get_project_for_user,
    get_proposal_for_user,
    is_writer_above,
    proposals_for_user,
)

router = Router(tags=["书记履职"])
LIMIT = 1000


class MilestoneSchema(Schema):
    title: str = Field(max_length=200)
    due: dt.date
    done: bool = False


class ProjectOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    secretary: str = Field(alias="secretary.code")
    secretary_name: str = Field(alias="secretary.name")
    year: int
    title: str
    goal: str
    milestones: list[MilestoneSchema]
    result: str
    completed_on: dt.date | None
    registered_on: dt.date


class ProjectIn(Schema):
    secretary: str = Field("", description="书记的党员编号；不填则为立项日在任的书记")
    year: Year | None = None
    title: str = Field(max_length=200)
    goal: str
    milestones: list[MilestoneSchema] = []
    registered_on: dt.date | None = None


class MilestonesIn(Schema):
    milestones: list[MilestoneSchema] = Field([], description="全部节点（替换原有节点）")


class CompleteIn(Schema):
    result: str
    completed_on: dt.date


class AdmonitionOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    date: dt.date
    by_org: str = Field(alias="by_org.code")
    talker: str
    reason: str
    outcome: str
    proposal: int | None = None

    @staticmethod
    def resolve_proposal(admonition: Admonition) -> int | None:
        proposal = getattr(admonition, "proposal", None)
        return proposal.pk if proposal is not None else None


class AdmonitionIn(Schema):
    member: str = Field("", description="被约谈书记的党员编号；不填则为约谈日在任的书记")
    date: dt.date
    by_org: str = Field(description="约谈组织（上级党组织）的组织编码")
    talker: str = Field(max_length=100)
    reason: str
    outcome: str = ""


class ProposalOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    admonition: int = Field(alias="admonition_id")
    raised_on: dt.date
    decision: str
    decided_on: dt.date | None
    note: str


class DecideIn(Schema):
    decision: Literal["adjusted", "kept"] = Field(description="adjusted 调整，kept 不调整")
    note: str
    decided_on: dt.date | None = None


class DutyReportOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    secretary: str = Field(alias="secretary.code")
    secretary_name: str = Field(alias="secretary.name")
    year: int
    date: dt.date
    summary: str
    ratings: dict[str, int]
    result: str


class DutyReportIn(Schema):
    secretary: str = Field("", description="述职书记的党员编号；不填则为该年度末在任的书记")
    year: Year
    date: dt.date
    summary: str
    ratings: dict[str, Any] = Field(
        default_factory=dict,
        description='各评议等次的票数（不小于0的整数），如 {"好": 30, "较好": 5}',
    )


def _managed_org(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _managed_project(request: HttpRequest, pk: int) -> Project:
    project = get_project_for_user(request.user, pk)
    if not may_manage(request.user, project.org):
        raise PermissionDenied("您对该组织只有查看权限")
    return project


# --- projects (TASK-05) ---------------------------------------------------------------------


@router.get("/orgs/{code}/projects", response=responses({200: list[ProjectOut]}))
def list_projects(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """The projects of the org's subtree (of one year when given)."""
    org = get_org_for_user(request.user, code)
    found = Project.objects.filter(org__path__startswith=org.path)
    if year:
        found = found.filter(year=year)
    return list(found.select_related("org", "secretary").order_by("-year", "org__path")[:LIMIT])


@router.post("/orgs/{code}/projects", response=responses({201: ProjectOut}))
def register_project(request: HttpRequest, code: Code, payload: ProjectIn):  # type: ignore[no-untyped-def]
    org = _managed_org(request, code)
    data: dict[str, Any] = payload.dict()
    return Status(201, domain.register_project(org, by=request.user, **data))


@router.post("/projects/{project_id}/milestones", response=responses({200: ProjectOut}))
def update_milestones(request: HttpRequest, project_id: PathId, payload: MilestonesIn):  # type: ignore[no-untyped-def]
    project = _managed_project(request, project_id)
    return domain.update_milestones(project, by=request.user, **payload.dict())


@router.post("/projects/{project_id}/complete", response=responses({200: ProjectOut}))
def complete_project(request: HttpRequest, project_id: PathId, payload: CompleteIn):  # type: ignore[no-untyped-def]
    project = _managed_project(request, project_id)
    return domain.complete_project(project, by=request.user, **payload.dict())


# --- admonitions and adjustment proposals (TASK-06) --------------------------------------


@router.get("/orgs/{code}/admonitions", response=responses({200: list[AdmonitionOut]}))
def list_admonitions(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """The admonitions of the org's subtree the caller may read: those of orgs below
    where the caller is admin or officer (an org's own admins and viewers see none)."""
    org = get_org_for_user(request.user, code)
    found = admonitions_for_user(request.user).filter(org__path__startswith=org.path)
    found = found.select_related("org", "member", "by_org", "proposal")
    return list(found.order_by("-date", "-pk")[:LIMIT])


@router.post("/orgs/{code}/admonitions", response=responses({201: AdmonitionOut}))
def record_admonition(request: HttpRequest, code: Code, payload: AdmonitionIn):  # type: ignore[no-untyped-def]
    """Record a talk with the org's secretary; a second within the policy's window
    raises an adjustment proposal (`proposal` in the answer)."""
    org = get_org_for_user(request.user, code)
    if not is_writer_above(request.user, org):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以登记约谈")
    return Status(201, domain.record_admonition(org, by=request.user, **payload.dict()))


@router.get("/orgs/{code}/adjustment-proposals", response=responses({200: list[ProposalOut]}))
def list_proposals(request: HttpRequest, code: Code, decision: str = ""):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    found = proposals_for_user(request.user).filter(org__path__startswith=org.path)
    if decision:
        found = found.filter(decision=decision)
    return list(found.select_related("org", "member").order_by("-raised_on", "-pk")[:LIMIT])


@router.post("/adjustment-proposals/{proposal_id}/decide", response=responses({200: ProposalOut}))
def decide_proposal(request: HttpRequest, proposal_id: PathId, payload: DecideIn):  # type: ignore[no-untyped-def]
    proposal: AdjustmentProposal = get_proposal_for_user(request.user, proposal_id)
    if not is_writer_above(request.user, proposal.org):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以决定岗位调整建议")
    return domain.decide_proposal(proposal, by=request.user, **payload.dict())


# --- duty reports (TASK-07) ----------------------------------------------------------------


@router.get("/orgs/{code}/duty-reports", response=responses({200: list[DutyReportOut]}))
def list_duty_reports(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    found = DutyReport.objects.filter(org__path__startswith=org.path)
    if year:
        found = found.filter(year=year)
    return list(found.select_related("org", "secretary").order_by("-year", "org__path")[:LIMIT])


@router.post("/orgs/{code}/duty-reports", response=responses({201: DutyReportOut}))
def record_duty_report(request: HttpRequest, code: Code, payload: DutyReportIn):  # type: ignore[no-untyped-def]
    org = _managed_org(request, code)
    return Status(201, domain.record_duty_report(org, by=request.user, **payload.dict()))
