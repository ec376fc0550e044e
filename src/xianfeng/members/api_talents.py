"""Endpoints of dual-lead members (MEM-03), skills and talent tags (MEM-04), discipline and
political birthdays (MEM-06), mounted under /api/members by `members.api`. Scoped like the
pages (PLAT-01): a member or org out of scope is 404; the discipline endpoints answer only
the admins and officers over the member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic.json_schema import SkipJsonSchema

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.api import Code, PatchSchema, PathId, YearQuery, responses
from xianfeng.lib.dates import today
from xianfeng.orgs.queries import get_org_for_user

from . import discipline as penalties
from . import talents
from .birthdays import parse_month, political_birthdays
from .models import DisciplineKind, DualLeadType, Member, TagKind
from .queries import get_member_for_user

router = Router(tags=["党员技能、“双带”和处分"])


class DualLeadOut(Schema):
    id: int
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    year: int
    type: str
    type_label: str = Field(alias="get_type_display")
    evidence: str
    recognized_on: dt.date


class DualLeadIn(Schema):
    year: int = Field(ge=1921, le=2100)
    type: DualLeadType
    evidence: str = Field(min_length=1, max_length=4000)
    recognized_on: dt.date


class TagOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    tag: str
    since: dt.date
    until: dt.date | None
    note: str


class TagIn(Schema):
    kind: TagKind
    tag: str = Field(max_length=40)
    since: dt.date
    note: str = Field("", max_length=200)


class EndIn(Schema):
    until: dt.date


class TalentsOut(Schema):
    member: str
    tags: list[TagOut]
    dual_leads: list[DualLeadOut]


class ShareOut(Schema):
    org: str
    org_name: str
    members: int
    dual_lead: int
    share: float | None
    last_members: int
    last_dual_lead: int
    last_share: float | None
    rose: bool | None


class BirthdayOut(Schema):
    member: str
    name: str
    org: str
    status: str
    joined_on: dt.date
    day: dt.date
    years: int
    party_age: int | None


class DisciplineOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    decided_on: dt.date
    effective_until: dt.date | None
    decided_by: str
    reason: str
    in_effect: bool

    @staticmethod
    def resolve_in_effect(record: Any) -> bool:
        return penalties.is_in_effect(record, today())


class DisciplineIn(Schema):
    kind: DisciplineKind
    decided_on: dt.date
    effective_until: dt.date | None = Field(
        None, description="影响期截止日期（不含）；开除党籍留空"
    )
    decided_by: str = Field("", max_length=200)
    reason: str = ""


class DisciplinePatch(PatchSchema):
    nullable = frozenset({"effective_until"})

    kind: DisciplineKind | SkipJsonSchema[None] = None
    decided_on: dt.date | SkipJsonSchema[None] = None
    effective_until: dt.date | None = None
    decided_by: str | SkipJsonSchema[None] = Field(None, max_length=200)
    reason: str | SkipJsonSchema[None] = None


def _editable(request: HttpRequest, code: str) -> Member:
    member = get_member_for_user(request.user, code)
    if not can_edit_org(request.user, member.org):
        raise PermissionDenied(_("您对该党员只有查看权限"))
    return member


def _own(queryset: Any, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有找到该记录"))
    return found


# --- org lists -----------------------------------------------------------------------------


@router.get("/orgs/{code}/dual-leads", response=responses({200: list[DualLeadOut]}))
def list_dual_leads(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """The recognitions of `year` (default: this year) in the org's subtree."""
    org = get_org_for_user(request.user, code)
    return list(talents.dual_leads_in(org, year or today().year))


@router.get("/orgs/{code}/dual-lead-shares", response=responses({200: list[ShareOut]}))
def dual_lead_shares(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """The share of dual-lead members this year and last, the org first, then its children."""
    org = get_org_for_user(request.user, code)
    rows = talents.dual_lead_shares(org, min(year or today().year, today().year))
    return [
        {
            "org": row.org.code,
            "org_name": row.org.name,
            "members": row.this_year.members,
            "dual_lead": row.this_year.dual_lead,
            "share": row.this_year.ratio,
            "last_members": row.last_year.members,
            "last_dual_lead": row.last_year.dual_lead,
            "last_share": row.last_year.ratio,
            "rose": row.rose,
        }
        for row in rows
    ]


@router.get("/orgs/{code}/birthdays", response=responses({200: list[BirthdayOut]}))
def list_birthdays(request: HttpRequest, code: Code, month: str = ""):  # type: ignore[no-untyped-def]
    """Political birthdays of `month` (2025-06; default: this month) in the subtree."""
    org = get_org_for_user(request.user, code)
    try:
        period = parse_month(month or f"{today():%Y-%m}")
    except ValueError as error:
        raise ValidationError({"month": str(error)}) from None
    return [
        {
            "member": row.member.code,
            "name": row.member.name,
            "org": row.member.org.code,
            "status": row.member.status,
            "joined_on": row.member.joined_on,
            "day": row.day,
            "years": row.years,
            "party_age": row.party_age,
        }
        for row in political_birthdays(org, period)
    ]


# --- a member's talents ----------------------------------------------------------------


@router.get("/{code}/talents", response=responses({200: TalentsOut}))
def member_talents(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    member = get_member_for_user(request.user, code)
    return {
        "member": member.code,
        "tags": list(talents.tags_of(member)),
        "dual_leads": list(talents.dual_leads_of(member).select_related("member")),
    }


@router.post("/{code}/dual-leads", response=responses({201: DualLeadOut}))
def add_dual_lead(request: HttpRequest, code: Code, payload: DualLeadIn):  # type: ignore[no-untyped-def]
    member = _editable(request, code)
    saved = talents.record_dual_lead(member=member, by=request.user, **payload.dict())
    return Status(201, saved)


@router.delete("/{code}/dual-leads/{pk}", response=responses({204: None}))
def withdraw_dual_lead(request: HttpRequest, code: Code, pk: PathId):  # type: ignore[no-untyped-def]
    member = _editable(request, code)
    talents.withdraw_dual_lead(dual_lead=_own(member.dual_leads, pk), by=request.user)
    return Status(204, None)


@router.post("/{code}/tags", response=responses({201: TagOut}))
def add_tag(request: HttpRequest, code: Code, payload: TagIn):  # type: ignore[no-untyped-def]
    member = _editable(request, code)
    return Status(201, talents.add_member_tag(member=member, by=request.user, **payload.dict()))


@router.post("/{code}/tags/{pk}/end", response=responses({200: TagOut}))
def end_tag(request: HttpRequest, code: Code, pk: PathId, payload: EndIn):  # type: ignore[no-untyped-def]
    member = _editable(request, code)
    record = _own(member.tags, pk)
    return talents.end_member_tag(member_tag=record, until=payload.until, by=request.user)


# --- a member's discipline (officers only) ---------------------------------------------


@router.get("/{code}/disciplines", response=responses({200: list[DisciplineOut]}))
def list_disciplines(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    return list(penalties.disciplines_of(_editable(request, code)))


@router.post("/{code}/disciplines", response=responses({201: DisciplineOut}))
def record_discipline(request: HttpRequest, code: Code, payload: DisciplineIn):  # type: ignore[no-untyped-def]
    """Record a penalty; an expulsion leaves the member's status as it is (POST
    /api/members/{code}/status changes it)."""
    member = _editable(request, code)
    saved = penalties.record_discipline(member=member, by=request.user, **payload.dict())
    return Status(201, saved)


@router.patch("/{code}/disciplines/{pk}", response=responses({200: DisciplineOut}))
def correct_discipline(request: HttpRequest, code: Code, pk: PathId, payload: DisciplinePatch):  # type: ignore[no-untyped-def]
    member = _editable(request, code)
    record = _own(member.disciplines, pk)
    changes = payload.dict(exclude_unset=True)
    return penalties.correct_discipline(discipline=record, by=request.user, **changes)
