"""Endpoints of the three cultivations (DEV-03 … DEV-05), scoped like the pages: the files
of an org, a file with its entries, opening a file, adding entries, pairing a leader,
ending a file, and the leaders without a pair. Members are codes and talents and training
classes ids in the bodies, resolved by the domain through the caller's scope."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xianfeng.lib.api import Code, Hours, Id, PathId, responses
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from ..domain import cultivation as domain
from ..models import Cultivation, CultivationEntry
from ..permissions import may_manage
from ..queries.cultivation import cultivations_of, get_cultivation_for_user, unpaired_leaders

router = Router(tags=["三培养"])
LIMIT = 1000
TrackName = Literal["member_to_talent", "talent_to_member", "talent_to_cadre"]
EntryKindName = Literal["training", "theory", "practice", "help", "review", "other"]


class CultivationOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    track: str
    member: str | None = None
    talent: int | None = Field(None, alias="talent_id")
    name: str
    pair: str | None = None
    goal: str
    started_on: dt.date
    status: str
    status_since: dt.date
    note: str

    @staticmethod
    def resolve_member(found: Cultivation) -> str | None:
        return found.member.code if found.member else None

    @staticmethod
    def resolve_name(found: Cultivation) -> str:
        subject = found.member or found.talent
        return subject.name if subject else ""

    @staticmethod
    def resolve_pair(found: Cultivation) -> str | None:
        return found.pair.code if found.pair else None


class EntryOut(Schema):
    id: int
    on: dt.date
    kind: str
    title: str
    hours: float | None = None
    training_class: int | None = Field(None, alias="training_class_id")
    note: str


class CultivationDetail(CultivationOut):
    entries: list[EntryOut]

    @staticmethod
    def resolve_entries(found: Cultivation) -> list[CultivationEntry]:
        return list(found.entries.order_by("on", "pk"))


class OpenIn(Schema):
    track: TrackName = Field(description="培养方向")
    member: str = Field("", description="培养对象的党员编号（方向一、三）")
    talent: Id | None = Field(None, description="人才库人员编号（方向二）")
    pair: str = Field("", description="结对领导的党员编号")
    goal: str = Field("", max_length=200)
    started_on: dt.date
    note: str = Field("", max_length=500)


class EntryIn(Schema):
    on: dt.date
    kind: EntryKindName
    title: str = Field(max_length=200)
    hours: Hours | None = None
    training_class: Id | None = Field(None, description="培训班编号")
    note: str = Field("", max_length=500)


class StatusIn(Schema):
    status: Literal["done", "stopped"] = Field(description="done 已达成，stopped 已终止")
    on: dt.date
    note: str = Field("", max_length=200)


class PairIn(Schema):
    pair: str = Field("", description="结对领导的党员编号；空则取消结对")
    on: dt.date | None = None


class LeaderOut(Schema):
    member: str = Field(alias="code")
    name: str
    org: str
    seat: str


def _managed_org(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _managed(request: HttpRequest, pk: int) -> Cultivation:
    found = get_cultivation_for_user(request.user, pk)
    if not may_manage(request.user, found.org):
        raise PermissionDenied("您对该组织只有查看权限")
    return found


@router.get("/orgs/{code}/cultivations", response=responses({200: list[CultivationOut]}))
def list_cultivations(  # type: ignore[no-untyped-def]
    request: HttpRequest, code: Code, track: TrackName | None = None, status: str = ""
):
    """The cultivation files of the org's subtree (of one track and status when given)."""
    org = get_org_for_user(request.user, code)
    return list(cultivations_of(org, track=track or "", status=status)[:LIMIT])


@router.post("/orgs/{code}/cultivations", response=responses({201: CultivationOut}))
def open_cultivation(request: HttpRequest, code: Code, payload: OpenIn):  # type: ignore[no-untyped-def]
    org = _managed_org(request, code)
    return Status(201, domain.open_cultivation(org=org, by=request.user, **payload.dict()))


@router.get("/orgs/{code}/unpaired-leaders", response=responses({200: list[LeaderOut]}))
def list_unpaired_leaders(request: HttpRequest, code: Code, track: TrackName):  # type: ignore[no-untyped-def]
    """Seat holders of the subtree who should pair with `track` (policy
    `recruitment.pairing.*`) and have no active file paired with them (DEV-05)."""
    org = get_org_for_user(request.user, code)
    return unpaired_leaders(org, track, today())


@router.get("/cultivations/{cultivation_id}", response=responses({200: CultivationDetail}))
def get_cultivation(request: HttpRequest, cultivation_id: PathId):  # type: ignore[no-untyped-def]
    return get_cultivation_for_user(request.user, cultivation_id)


@router.post("/cultivations/{cultivation_id}/entries", response=responses({201: EntryOut}))
def add_cultivation_entry(request: HttpRequest, cultivation_id: PathId, payload: EntryIn):  # type: ignore[no-untyped-def]
    found = _managed(request, cultivation_id)
    return Status(201, domain.add_entry(cultivation=found, by=request.user, **payload.dict()))


@router.post("/cultivations/{cultivation_id}/status", response=responses({200: CultivationOut}))
def set_cultivation_status(request: HttpRequest, cultivation_id: PathId, payload: StatusIn):  # type: ignore[no-untyped-def]
    found = _managed(request, cultivation_id)
    return domain.set_cultivation_status(cultivation=found, by=request.user, **payload.dict())


@router.post("/cultivations/{cultivation_id}/pair", response=responses({200: CultivationOut}))
def set_cultivation_pair(request: HttpRequest, cultivation_id: PathId, payload: PairIn):  # type: ignore[no-untyped-def]
    found = _managed(request, cultivation_id)
    return domain.set_pair(cultivation=found, by=request.user, **payload.dict())


__all__ = ["router"]
