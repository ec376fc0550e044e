"""Member and transfer endpoints (MEM-01, MEM-05), scoped to the user's subtree (PLAT-01)."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic.json_schema import SkipJsonSchema

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.api import Code, Error, Pagination, PatchSchema, PathId, responses
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user

from . import domain
from .api_talents import router as talents_router
from .models import Category, Flag, LeftReason, Member, TransferStatus
from .models import Status as MemberStatus
from .queries import (
    filter_members,
    get_member_for_user,
    get_transfer_for_user,
    inbox,
    members_for_user,
    outbox,
    transfer_destination,
    transfers_for_user,
)

router = Router(tags=["党员"])
transfers_router = Router(tags=["组织关系转接"])


class MemberOut(Schema):
    code: str
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str = Field(alias="id_number_masked")
    education: str
    occupation: str
    phone: str
    joined_on: dt.date
    full_on: dt.date | None
    status: str
    status_label: str = Field(alias="get_status_display")
    status_since: dt.date
    left_reason: str
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    party_group: str | None = None
    category: str
    flags: list[str]
    leading_cadre: bool

    @staticmethod
    def resolve_party_group(member: Member) -> str | None:
        return member.party_group.code if member.party_group is not None else None


class MemberIn(Schema):
    org: str
    code: str
    name: str
    id_number: str
    joined_on: dt.date
    status: MemberStatus = MemberStatus.PROBATIONARY
    full_on: dt.date | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    ethnicity: str = "01"
    education: str = ""
    occupation: str = ""
    phone: str = ""
    category: Category = Category.IN_SERVICE
    flags: list[Flag] = []
    leading_cadre: bool = False


class MemberPatch(PatchSchema):
    nullable = frozenset({"full_on"})

    name: str | SkipJsonSchema[None] = None
    ethnicity: str | SkipJsonSchema[None] = None
    education: str | SkipJsonSchema[None] = None
    occupation: str | SkipJsonSchema[None] = None
    phone: str | SkipJsonSchema[None] = None
    category: Category | SkipJsonSchema[None] = None
    flags: list[Flag] | SkipJsonSchema[None] = None
    leading_cadre: bool | SkipJsonSchema[None] = None
    joined_on: dt.date | SkipJsonSchema[None] = None
    full_on: dt.date | None = None


class StatusIn(Schema):
    status: MemberStatus
    on: dt.date
    reason: LeftReason | Literal[""] = Field(
        "", description="出党原因代码：transferred_out、removed、expelled、deceased"
    )
    note: str = Field("", description="变更理由：停止党籍、除名、开除党籍时必填", max_length=500)


class IdNumberOut(Schema):
    code: str
    id_number: str


def _editable_member(request: HttpRequest, code: str) -> Member:
    member = get_member_for_user(request.user, code)
    if not can_edit_org(request.user, member.org):
        raise PermissionDenied("您对该党员只有查看权限")
    return member


@router.get("", response=responses({200: list[MemberOut]}))
@paginate(Pagination)
def list_members(
    request: HttpRequest,
    org: str = "",
    q: str = "",
    status: MemberStatus | Literal[""] = "",  # type: ignore[no-untyped-def]
    category: Category | Literal[""] = "",
    include_left: bool = False,
):
    base = get_org_for_user(request.user, org) if org else None
    members = filter_members(
        members_for_user(request.user),
        org=base,
        text=q,
        status=status,
        category=category,
        include_left=include_left,
    )
    return members.select_related("party_group").order_by("org__path", "code")


@router.get("/{code}", response=responses({200: MemberOut}))
def get_member(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    return get_member_for_user(request.user, code)


@router.get("/{code}/id-number", response=responses({200: IdNumberOut, 503: Error}))
def get_full_id_number(request: HttpRequest, code: Code, purpose: str = ""):  # type: ignore[no-untyped-def]
    """The full ID number for users entitled to it; every call is recorded (MEM-01)."""
    member = get_member_for_user(request.user, code)
    return {
        "code": member.code,
        "id_number": domain.reveal_id_number(member=member, user=request.user, purpose=purpose),
    }


@router.post("", response=responses({201: MemberOut}))
def create_member(request: HttpRequest, payload: MemberIn):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, payload.org)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    data = payload.dict(exclude={"org"})
    return Status(201, domain.register_member(org=org, by=request.user, **data))


@router.patch("/{code}", response=responses({200: MemberOut}))
def update_member(request: HttpRequest, code: Code, payload: MemberPatch):  # type: ignore[no-untyped-def]
    member = _editable_member(request, code)
    return domain.update_member(member=member, by=request.user, **payload.dict(exclude_unset=True))


@router.post("/{code}/status", response=responses({200: MemberOut}))
def change_status(request: HttpRequest, code: Code, payload: StatusIn):  # type: ignore[no-untyped-def]
    member = _editable_member(request, code)
    return domain.set_member_status(member=member, by=request.user, **payload.dict())


# --- transfers -----------------------------------------------------------------------


class OrgRef(Schema):
    code: str
    name: str


class TransferOut(Schema):
    id: int
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    from_org: OrgRef
    to_org: OrgRef
    status: str
    status_label: str = Field(alias="get_status_display")
    sent_on: dt.date
    received_on: dt.date | None
    reason: str
    letter_no: str
    answer_note: str


class TransferIn(Schema):
    member: str
    to_org: str
    sent_on: dt.date
    reason: str = ""
    letter_no: str = ""


class ReceiveIn(Schema):
    received_on: dt.date


class NoteIn(Schema):
    note: str = ""


def _acting_side(request: HttpRequest, org: Org) -> None:
    if not can_edit_org(request.user, org):
        raise PermissionDenied("只有该方党组织的党务工作者或管理员可以办理")


@transfers_router.get("", response=responses({200: list[TransferOut]}))
@paginate(Pagination)
def list_transfers(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    box: Literal["", "in", "out"] = "",
    status: TransferStatus | Literal[""] = "",
):
    """`box=in` (to orgs in scope), `box=out` (from orgs in scope) or both."""
    transfers = {"in": inbox, "out": outbox}.get(box, transfers_for_user)(request.user)
    if status:
        transfers = transfers.filter(status=status)
    return transfers


@transfers_router.get("/{pk}", response=responses({200: TransferOut}))
def get_transfer(request: HttpRequest, pk: PathId):  # type: ignore[no-untyped-def]
    return get_transfer_for_user(request.user, pk)


@transfers_router.post("", response=responses({201: TransferOut}))
def send_transfer(request: HttpRequest, payload: TransferIn):  # type: ignore[no-untyped-def]
    member = _editable_member(request, payload.member)
    transfer = domain.send_transfer(
        member=member,
        to_org=transfer_destination(payload.to_org),
        sent_on=payload.sent_on,
        reason=payload.reason,
        letter_no=payload.letter_no,
        by=request.user,
    )
    return Status(201, transfer)


@transfers_router.post("/{pk}/receive", response=responses({200: TransferOut}))
def receive_transfer(request: HttpRequest, pk: PathId, payload: ReceiveIn):  # type: ignore[no-untyped-def]
    transfer = get_transfer_for_user(request.user, pk)
    _acting_side(request, transfer.to_org)
    return domain.receive_transfer(
        transfer=transfer, received_on=payload.received_on, by=request.user
    )


@transfers_router.post("/{pk}/reject", response=responses({200: TransferOut}))
def reject_transfer(request: HttpRequest, pk: PathId, payload: NoteIn):  # type: ignore[no-untyped-def]
    transfer = get_transfer_for_user(request.user, pk)
    _acting_side(request, transfer.to_org)
    return domain.reject_transfer(transfer=transfer, note=payload.note, by=request.user)


@transfers_router.post("/{pk}/cancel", response=responses({200: TransferOut}))
def cancel_transfer(request: HttpRequest, pk: PathId, payload: NoteIn):  # type: ignore[no-untyped-def]
    transfer = get_transfer_for_user(request.user, pk)
    _acting_side(request, transfer.from_org)
    return domain.cancel_transfer(transfer=transfer, note=payload.note, by=request.user)


router.add_router("", talents_router)  # dual-lead, tags, discipline, birthdays
