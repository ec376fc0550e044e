"""A member's records through the API (DUES-01): the declared base of a year, a quarter or
from a month on, the dues kind from a date, a hardship reduction proposed by the branch
and decided by the committee above, a quarterly arrangement. Every write goes through
`dues.domain`."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xianfeng.lib.api import Code, Money, PathId, responses

from .. import periods
from ..domain import declarations, reductions
from ..domain.common import month_label, parse_month
from ..models import Arrangement, Declaration, DuesKind, KindSpell
from ..queries.access import get_decidable_reduction, get_kept_member
from .schemas import MonthText, Note, ReductionOut

router = Router(tags=["党费"])


class DeclarationIn(Schema):
    period: str = Field(
        max_length=7,
        description="2025（全年）、2025-Q1（个体经营等按季）或 2025-07（自该月起至年底）",
    )
    monthly_base: Money = Field(description="月缴费基数（元），最多两位小数")
    declared_on: dt.date | None = Field(None, description="申报日期，默认今天")
    note: Note = ""


class DeclarationOut(Schema):
    member: str = Field(alias="member.code")
    period: str
    period_name: str = Field(description="如“2025年”“2025年第1季度”“自2025年7月起”")
    monthly_base: Decimal
    declared_on: dt.date
    note: str

    @staticmethod
    def resolve_period_name(declaration: Declaration) -> str:
        return periods.name(declaration.period)


class KindIn(Schema):
    kind: DuesKind
    started_on: dt.date
    note: Note = ""


class KindOut(Schema):
    member: str = Field(alias="member.code")
    kind: str
    started_on: dt.date
    note: str


class ReductionIn(Schema):
    first_month: MonthText
    last_month: MonthText
    monthly_amount: Money = Field(description="减免后每月应交（元），免交为 0")
    reason: str = Field(max_length=2000)


class DecisionIn(Schema):
    approve: bool
    note: Note = ""


class ArrangementIn(Schema):
    first_month: MonthText
    last_month: MonthText | None = None
    agreed_on: dt.date = Field(description="支部同意按季交纳的日期")
    note: Note = ""


class ArrangementOut(Schema):
    member: str = Field(alias="member.code")
    first_month: str
    last_month: str | None
    agreed_on: dt.date
    note: str

    @staticmethod
    def resolve_first_month(arrangement: Arrangement) -> str:
        return month_label(arrangement.first_month)

    @staticmethod
    def resolve_last_month(arrangement: Arrangement) -> str | None:
        last = arrangement.last_month
        return month_label(last) if last else None


@router.post("/members/{code}/declarations", response=responses({201: DeclarationOut}))
def dues_declare_base(request: HttpRequest, code: Code, payload: DeclarationIn):  # type: ignore[no-untyped-def]
    """Declare (or correct) a member's monthly base for a year, a quarter or from a month
    to the end of its year; the ledger's lines from then on are recomputed."""
    member = get_kept_member(request.user, code)
    found = declarations.declare_base(member=member, by=request.user, **payload.dict())
    return Status(201, found)


@router.post("/members/{code}/kinds", response=responses({201: KindOut}))
def dues_set_kind(request: HttpRequest, code: Code, payload: KindIn) -> Status:
    """A member's dues kind from a date (retirement, unemployment …)."""
    member = get_kept_member(request.user, code)
    fields = {**payload.dict(), "kind": str(payload.kind)}
    spell: KindSpell = declarations.set_dues_kind(member=member, by=request.user, **fields)
    return Status(201, spell)


@router.post("/members/{code}/reductions", response=responses({201: ReductionOut}))
def dues_propose_reduction(request: HttpRequest, code: Code, payload: ReductionIn) -> Status:
    """The branch proposes reducing or waiving a member's dues for months; the committee
    above decides."""
    member = get_kept_member(request.user, code)
    found = reductions.propose_reduction(
        member=member,
        first_month=parse_month(payload.first_month, "first_month"),
        last_month=parse_month(payload.last_month, "last_month"),
        monthly_amount=payload.monthly_amount,
        reason=payload.reason,
        by=request.user,
    )
    return Status(201, found)


@router.post("/reductions/{reduction_id}/decide", response=responses({200: ReductionOut}))
def dues_decide_reduction(request: HttpRequest, reduction_id: PathId, payload: DecisionIn):  # type: ignore[no-untyped-def]
    """Approve or refuse a proposed reduction (an org above the proposing branch)."""
    reduction = get_decidable_reduction(request.user, reduction_id)
    return reductions.decide_reduction(reduction=reduction, by=request.user, **payload.dict())


@router.post("/members/{code}/arrangements", response=responses({201: ArrangementOut}))
def dues_arrange_quarterly(request: HttpRequest, code: Code, payload: ArrangementIn) -> Status:
    """The branch agrees that a member pays quarterly from a month on."""
    member = get_kept_member(request.user, code)
    last = parse_month(payload.last_month, "last_month") if payload.last_month else None
    found = reductions.arrange_quarterly(
        member=member,
        first_month=parse_month(payload.first_month, "first_month"),
        last_month=last,
        agreed_on=payload.agreed_on,
        note=payload.note,
        by=request.user,
    )
    return Status(201, found)
