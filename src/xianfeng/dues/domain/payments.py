"""Payments on the append-only ledger (DUES-01): one member's month, a branch's month in
one save, reversing entries, voluntary extra payments, closing a month.

A payment claims its month's line with a conditional UPDATE on what was paid before, so
of two treasurers saving the same month at once exactly one records each member; the
other is told the month was just recorded and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

from .. import kept_totals, ledger
from ..models import Due, MonthClose, Payment, PaymentKind
from .common import (
    REGULATION,
    actor,
    chinese_month,
    months_between,
    parse_money,
    policy_value,
    require_keep,
    save,
)


def find_line(member: Member, month: dt.date) -> Due | None:
    """The member's line for `month` (computed first when its year was not yet), or None
    when the month is not owed."""
    due = Due.objects.filter(member=member, month=month).select_related("org").first()
    if due is None and not Due.objects.filter(member=member, month__year=month.year).exists():
        ledger.refresh(month.year, [member.pk])
        due = Due.objects.filter(member=member, month=month).select_related("org").first()
    return due


def line_of(member: Member, month: dt.date, field: str = "month") -> Due:
    """The member's line for `month`; a month not owed is the field's error."""
    due = find_line(member, month)
    if due is None:
        raise ValidationError(
            {
                field: f"{member.name}{chinese_month(month)}不需交纳党费（入党前、离开后或停止党籍期间）"
            }
        )
    return due


def check_paid_on(paid_on: dt.date | None) -> dt.date:
    if paid_on is None:
        return today()
    if paid_on > today():
        raise ValidationError({"paid_on": "交纳日期不能晚于今天"})
    return paid_on


def check_month_window(month: dt.date, paid_on: dt.date, org: Org, field: str = "month") -> None:
    """Back payments within the policy's months, advance payments within its months."""
    back = policy_value("dues.back_payment.max_months", org, paid_on)
    ahead = policy_value("dues.advance.max_months", org, paid_on)
    late = months_between(month, paid_on)
    if late > back:
        raise ValidationError(
            {
                field: f"补交党费一般不超过{back}个月：{chinese_month(month)}已过{late}个月（{REGULATION}）"
            }
        )
    if -late > ahead:
        raise ValidationError({field: f"预交党费最多预交{ahead}个月：{chinese_month(month)}超出"})


def outstanding(due: Due) -> Decimal | None:
    """What is still to pay on a line (None: no base known, any amount accepted)."""
    return None if due.amount is None else max(due.amount - due.paid, Decimal(0))


def claim(due: Due, amount: Decimal) -> None:
    """Add `amount` to the line's paid, unless someone else paid it since it was read."""
    paid = due.paid + amount
    won = Due.objects.filter(pk=due.pk, paid=due.paid).update(
        paid=paid, settled=ledger.settled(due.amount, paid)
    )
    if not won:
        raise ValidationError(
            {
                "month": f"{due.member.name}{chinese_month(due.month)}的党费刚刚已由他人登记，请刷新后核对"
            }
        )
    due.paid = paid
    kept_totals.touch(due.month, [due.org_id])


def _pay(due: Due, amount: Any, paid_on: dt.date, note: str, by: Any) -> Payment:
    member, month = due.member, due.month
    if due.settled and (due.amount is None or due.paid >= due.amount):
        raise ValidationError(
            {"month": f"{member.name}{chinese_month(month)}的党费已交清，不能重复交纳"}
        )
    owed = outstanding(due)
    if amount in (None, ""):
        if owed is None:
            raise ValidationError({"amount": "该党员尚未申报缴费基数，请填写实交金额"})
        paid = owed
    else:
        paid = parse_money(amount, "amount", "交纳金额", allow_zero=False)
        if owed is not None and paid > owed:
            raise ValidationError(
                {
                    "amount": f"{member.name}{chinese_month(month)}应交{due.amount}元，已交{due.paid}元，本次最多应交{owed}元；多交部分请登记为自愿多交党费"
                }
            )
    claim(due, paid)
    return save(
        Payment(
            member=member,
            month=month,
            kind=PaymentKind.DUES,
            amount=paid,
            paid_on=paid_on,
            org=due.org,
            note=note.strip(),
            entered_by=actor(by),
        ),
        by,
    )


@transaction.atomic
def record_payment(
    *,
    member: Member,
    month: dt.date,
    amount: Any = None,
    paid_on: dt.date | None = None,
    note: str = "",
    by: Any = None,
) -> Payment:
    """A member's dues for one month (the outstanding amount when `amount` is left out)."""
    require_keep(by, member.org)
    paid_on = check_paid_on(paid_on)
    due = line_of(member, month)
    check_month_window(month, paid_on, due.org)
    return _pay(due, amount, paid_on, note, by)


@transaction.atomic
def record_months(
    *,
    member: Member,
    months: Iterable[dt.date],
    paid_on: dt.date | None = None,
    note: str = "",
    by: Any = None,
) -> list[Payment]:
    """Several months of one member at once (advance or back payments): each month's
    outstanding amount; all or nothing."""
    with kept_totals.deferred():
        return [
            record_payment(member=member, month=month, paid_on=paid_on, note=note, by=by)
            for month in sorted(set(months))
        ]


@transaction.atomic
def record_month(
    *,
    org: Org,
    month: dt.date,
    members: Iterable[int],
    paid_on: dt.date | None = None,
    by: Any = None,
) -> list[Payment]:
    """The treasurer's one save: the ticked members of `org`'s month each pay what they
    owe. A ticked id not among the month's lines of `org` is refused like a missing one;
    all or nothing."""
    require_keep(by, org)
    paid_on = check_paid_on(paid_on)
    check_month_window(month, paid_on, org)
    wanted = sorted(set(members))
    dues = Due.objects.filter(org=org, month=month, member_id__in=wanted).select_related(
        "member", "org"
    )
    found = {due.member_id: due for due in dues}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {"members": f"没有找到党员“{missing[0]}”的{chinese_month(month)}党费"}
        )
    with kept_totals.deferred():
        return [_pay(found[pk], None, paid_on, "", by) for pk in wanted]


@transaction.atomic
def reverse_payment(
    *, payment: Payment, note: str, on: dt.date | None = None, by: Any = None
) -> Payment:
    """Undo a recorded payment with a reversing entry (the ledger is never edited), dated
    `on` (today when left out; an import restores the day it was made)."""
    require_keep(by, payment.org)
    on = check_paid_on(on)
    if on < payment.paid_on:
        raise ValidationError({"paid_on": "冲正日期不能早于被冲正的交纳日期"})
    if payment.kind == PaymentKind.REVERSAL:
        raise ValidationError({"payment": "冲正记录不能再冲正"})
    if Payment.objects.filter(reverses=payment).exists():
        raise ValidationError({"payment": "该笔交纳已经冲正"})
    if not note.strip():
        raise ValidationError({"note": "请填写冲正原因"})
    if payment.kind == PaymentKind.DUES:
        due = Due.objects.select_related("member").get(
            member_id=payment.member_id, month=payment.month
        )
        claim(due, -payment.amount)
    return save(
        Payment(
            member_id=payment.member_id,
            month=payment.month,
            kind=PaymentKind.REVERSAL,
            amount=-payment.amount,
            paid_on=on,
            org=payment.org,
            reverses=payment,
            note=note.strip(),
            entered_by=actor(by),
        ),
        by,
    )


@transaction.atomic
def record_extra(
    *, member: Member, amount: Any, paid_on: dt.date | None = None, note: str = "", by: Any = None
) -> Payment:
    """A voluntary extra payment (自愿多交党费), kept apart from the dues owed."""
    require_keep(by, member.org)
    paid_on = check_paid_on(paid_on)
    value = parse_money(amount, "amount", "自愿多交金额", allow_zero=False)
    return save(
        Payment(
            member=member,
            month=paid_on.replace(day=1),
            kind=PaymentKind.EXTRA,
            amount=value,
            paid_on=paid_on,
            org=member.org,
            note=note.strip(),
            entered_by=actor(by),
        ),
        by,
    )


@transaction.atomic
def close_month(
    *, org: Org, month: dt.date, on: dt.date | None = None, by: Any = None
) -> MonthClose:
    """The branch officer's closing of a month's collection (payments recorded), dated `on`
    (today when left out; an import restores the day it was closed)."""
    require_keep(by, org)
    if not org.holds_members:
        raise ValidationError({"org": f"“{org.name}”不是党支部，党费按支部结账"})
    if month > today().replace(day=1):
        raise ValidationError({"month": "不能结账尚未开始的月份"})
    on = on or today()
    if on > today():
        raise ValidationError({"closed_on": "结账日期不能晚于今天"})
    if on < month:
        raise ValidationError({"closed_on": f"结账日期不能早于{chinese_month(month)}开始"})
    if MonthClose.objects.filter(org=org, month=month).exists():
        raise ValidationError({"month": f"{chinese_month(month)}已经结账"})
    return save(MonthClose(org=org, month=month, closed_on=on, closed_by=actor(by)), by)
