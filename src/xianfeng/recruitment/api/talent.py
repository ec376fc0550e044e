"""Endpoints of the talent pool (DEV-07), scoped like the pages: the pool of an org with
filters, an entry, the survey, and the moves out of the pool (into track (b), into the
pipeline as an applicant, leaving)."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xianfeng.lib.api import Code, PathId, responses
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from ..domain import talent as domain
from ..models import TalentEntry
from ..permissions import may_manage
from ..queries.talent import get_talent_for_user, talent_pool
from .cultivation import CultivationOut

router = Router(tags=["人才库"])
LIMIT = 1000
KindName = Literal["grower", "broker", "business_owner", "skilled", "migrant", "other"]


class TalentOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    name: str
    gender: str
    birth_date: dt.date | None
    id_number: str = Field(alias="id_number_masked")
    phone: str
    kind: str
    tags: list[str]
    occupation: str
    sector: str
    surveyed_on: dt.date
    status: str
    note: str


class TalentIn(Schema):
    name: str = Field(max_length=50)
    kind: KindName
    surveyed_on: dt.date
    tags: list[str] = Field([], description="人才标签（政策 members.tags.talent 中的标签）")
    occupation: str = Field("", max_length=100)
    sector: str = ""
    id_number: str = Field("", max_length=18)
    gender: str = ""
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=30)
    note: str = Field("", max_length=500)


class CultivateIn(Schema):
    started_on: dt.date
    pair: str = Field("", description="结对领导的党员编号")
    goal: str = Field("", max_length=200)


class PipelineIn(Schema):
    applied_on: dt.date
    id_number: str = Field("", max_length=18, description="不填则用人才库中登记的身份证号")


class PersonOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    name: str
    stage: str
    applied_on: dt.date


class LeftIn(Schema):
    on: dt.date
    reason: str = Field(max_length=200)


def _managed(request: HttpRequest, pk: int) -> TalentEntry:
    entry = get_talent_for_user(request.user, pk)
    if not may_manage(request.user, entry.org):
        raise PermissionDenied("您对该组织只有查看权限")
    return entry


def _managed_org(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


@router.get("/orgs/{code}/talent", response=responses({200: list[TalentOut]}))
def list_talent(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    code: Code,
    kind: KindName | None = None,
    status: str = "",
    tag: str = "",
    sector: str = "",
    q: str = "",
):
    """The talent pool of the org's subtree, filtered."""
    org = get_org_for_user(request.user, code)
    found = talent_pool(org, kind=kind or "", status=status, tag=tag, sector=sector, text=q)
    return list(found[:LIMIT])


@router.post("/orgs/{code}/talent", response=responses({201: TalentOut}))
def register_talent(request: HttpRequest, code: Code, payload: TalentIn):  # type: ignore[no-untyped-def]
    org = _managed_org(request, code)
    return Status(201, domain.register_talent(org=org, by=request.user, **payload.dict()))


@router.get("/talent/{talent_id}", response=responses({200: TalentOut}))
def get_talent(request: HttpRequest, talent_id: PathId):  # type: ignore[no-untyped-def]
    return get_talent_for_user(request.user, talent_id)


@router.post("/talent/{talent_id}/cultivate", response=responses({201: CultivationOut}))
def cultivate_talent(request: HttpRequest, talent_id: PathId, payload: CultivateIn):  # type: ignore[no-untyped-def]
    """Move the entry into track (b) 把人才培养成党员."""
    entry = _managed(request, talent_id)
    return Status(201, domain.cultivate_talent(entry=entry, by=request.user, **payload.dict()))


@router.post("/talent/{talent_id}/pipeline", response=responses({201: PersonOut}))
def talent_to_pipeline(request: HttpRequest, talent_id: PathId, payload: PipelineIn):  # type: ignore[no-untyped-def]
    """Register the entry as an applicant (入党申请人) of its org."""
    entry = _managed(request, talent_id)
    return Status(201, domain.enter_pipeline(entry=entry, by=request.user, **payload.dict()))


@router.post("/talent/{talent_id}/left", response=responses({200: TalentOut}))
def mark_talent_left(request: HttpRequest, talent_id: PathId, payload: LeftIn):  # type: ignore[no-untyped-def]
    entry = _managed(request, talent_id)
    return domain.mark_left(entry=entry, by=request.user, **payload.dict())
