"""Payments through the API (DUES-01): a member's month (or several months at once, or a
voluntary extra payment), a branch's month in one save (member codes in the body, among
the month's lines), a reversing entry, closing a month. Every write goes through
`dues.domain.payments`; a refusal is a 422 naming its field, a reader's write a 403."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xianfeng.lib.api import Code, Money, PathId, responses
from xianfeng.lib.dates import add_months

from ..domain import payments as domain
from ..domain.common import month_label, parse_month
from ..queries.access import get_kept_member, get_kept_org, get_kept_payment
from ..queries.month import members_of_month, month_from_url
from .schemas import MonthPath, MonthText, Note, PaymentOut, payment_out

router = Router(tags=["党费"])
Ref = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]


class PaymentIn(Schema):
    month: MonthText
    through: MonthText | None = Field(
        None, description="预交或补交多个月时的最后一个月（每月按应交金额登记）"
    )
    amount: Money | None = Field(None, description="留空按应交金额；尚未申报基数时必填")
    paid_on: dt.date | None = Field(None, description="交纳日期，默认今天")
    note: Note = ""


class MonthIn(Schema):
    members: list[Ref] = Field([], max_length=5000, description="已交纳的党员编号")
    paid_on: dt.date | None = None


class ReverseIn(Schema):
    note: Note = Field("", description="冲正原因（必填）")


class ExtraIn(Schema):
    amount: Money
    paid_on: dt.date | None = None
    note: Note = ""


class CloseOut(Schema):
    org: str
    month: str
    closed_on: dt.date


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = [first]
    while months[-1] < last and len(months) < 36:
        months.append(add_months(months[-1], 1))
    return months


@router.post("/members/{code}/payments", response=responses({201: list[PaymentOut]}))
def dues_record_payment(request: HttpRequest, code: Code, payload: PaymentIn):  # type: ignore[no-untyped-def]
    """A member's dues for a month (the outstanding amount when `amount` is left out), or
    for each month from `month` to `through` (advance or back payments, all or nothing)."""
    member = get_kept_member(request.user, code)
    first = parse_month(payload.month)
    last = parse_month(payload.through, "through") if payload.through else first
    paid_on, note, by = payload.paid_on, payload.note, request.user
    if last == first:
        done = [
            domain.record_payment(
                member=member, month=first, amount=payload.amount, paid_on=paid_on, note=note, by=by
            )
        ]
    else:
        months = _months(first, last)
        done = domain.record_months(member=member, months=months, paid_on=paid_on, note=note, by=by)
    return Status(201, [payment_out(p) for p in done])


@router.post("/orgs/{code}/months/{month}/payments", response=responses({201: list[PaymentOut]}))
def dues_record_month(request: HttpRequest, code: Code, month: MonthPath, payload: MonthIn):  # type: ignore[no-untyped-def]
    """The treasurer's one save: the members named (codes) each paid what they owe for
    the month; a code not among the org's lines of the month is refused, all or nothing."""
    org = get_kept_org(request.user, code)
    day = month_from_url(month)
    if not payload.members:
        raise ValidationError({"members": "请填写已交纳党费的党员编号"})
    ids = members_of_month(org, day, payload.members)
    done = domain.record_month(
        org=org, month=day, members=ids, paid_on=payload.paid_on, by=request.user
    )
    return Status(201, [payment_out(p) for p in done])


@router.post("/payments/{payment_id}/reverse", response=responses({201: PaymentOut}))
def dues_reverse_payment(request: HttpRequest, payment_id: PathId, payload: ReverseIn):  # type: ignore[no-untyped-def]
    """Undo a payment with a reversing entry (the ledger is never edited)."""
    payment = get_kept_payment(request.user, payment_id)
    reversal = domain.reverse_payment(payment=payment, note=payload.note, by=request.user)
    return Status(201, payment_out(reversal))


@router.post("/members/{code}/extra", response=responses({201: PaymentOut}))
def dues_record_extra(request: HttpRequest, code: Code, payload: ExtraIn):  # type: ignore[no-untyped-def]
    """A voluntary extra payment (自愿多交党费), kept apart from the dues owed."""
    member = get_kept_member(request.user, code)
    done = domain.record_extra(member=member, by=request.user, **payload.dict())
    return Status(201, payment_out(done))


@router.post("/orgs/{code}/months/{month}/close", response=responses({201: CloseOut}))
def dues_close_month(request: HttpRequest, code: Code, month: MonthPath):  # type: ignore[no-untyped-def]
    """The branch officer closes the month's collection (payments recorded)."""
    org = get_kept_org(request.user, code)
    closed = domain.close_month(org=org, month=month_from_url(month), by=request.user)
    return Status(
        201, {"org": org.code, "month": month_label(closed.month), "closed_on": closed.closed_on}
    )
