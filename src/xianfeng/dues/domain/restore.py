"""Dues records as they were recorded (a restore from an export; the whole-database round
trip): ledger entries with the org they were booked to and the time they were entered,
and reductions with their proposal and decision.

The domain's other writes are for what happens now: a payment may not exceed what its
month still owes, a reduction is proposed today by the member's branch and decided today
by the approver's org. A backup holds what happened: a month paid before its base was
lowered or a waiver approved afterwards (the month now shows as overpaid), a month paid
ahead before the member left (kept owing 0, as the ledger keeps it), a reduction
proposed last year by the branch the member was in then and decided by the committee
above. These functions apply every check that holds for a past record — who keeps the
ledger and who may approve, amounts in yuan to the fen, dates in order and not after
today, the back-payment window on the day paid, a reversal undoing an entry of its month
once, the deciding org above the proposing one — and leave out only what depends on the
day of writing (what the month owes now).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

from .. import ledger, permissions
from ..models import Payment, PaymentKind, Reduction, ReductionState
from .common import actor, chinese_month, parse_money, require_keep, save
from .payments import check_month_window, check_paid_on, claim, find_line, reverse_payment

APPROVAL = "党费减免须由上级党委审批，提出减免的支部不能自行批准"


# --------------------------------------------------------------------------- entries


@transaction.atomic
def restore_payment(
    *,
    member: Member,
    month: dt.date,
    kind: str,
    amount: Any,
    paid_on: dt.date,
    org: Org | None = None,
    entered_at: dt.datetime | None = None,
    reverses: Payment | None = None,
    note: str = "",
    by: Any = None,
) -> Payment:
    """A ledger entry as it was entered: a payment of `month` (whatever the month owes
    now), a voluntary extra payment, or a reversal of `reverses`; booked to `org` (for a
    payment the month's line's org, for an extra the member's org, when left out) and
    entered at `entered_at` (now when left out)."""
    require_keep(by, member.org)
    if entered_at is not None and entered_at > timezone.now():
        raise ValidationError({"entered_at": "录入时间不能晚于现在"})
    if kind == PaymentKind.REVERSAL:
        saved = _reversal(reverses, org, paid_on, note, by)
    elif kind == PaymentKind.EXTRA:
        saved = _extra(member, month, amount, paid_on, org, note, by)
    else:
        saved = _payment(member, month, amount, paid_on, org, note, by)
    if entered_at is not None:
        Payment.objects.filter(pk=saved.pk).update(entered_at=entered_at)
        saved.entered_at = entered_at
    return saved


def _payment(
    member: Member,
    month: dt.date,
    amount: Any,
    paid_on: dt.date,
    org: Org | None,
    note: str,
    by: Any,
) -> Payment:
    paid_on = check_paid_on(paid_on)
    value = parse_money(amount, "amount", "交纳金额", allow_zero=False)
    if month < member.joined_on.replace(day=1):
        raise ValidationError(
            {"month": f"{member.name}{chinese_month(month)}尚未入党，不需交纳党费"}
        )
    due = find_line(member, month)
    booked = org or (due.org if due is not None else member.org)
    check_month_window(month, paid_on, booked)
    if due is None:  # not owed now (the member left after paying ahead): kept owing 0
        due = ledger.keep_line(member, month, booked.pk)
    due.member = member
    claim(due, value)
    return save(_entry(member, month, PaymentKind.DUES, value, paid_on, booked, note, by), by)


def _extra(
    member: Member,
    month: dt.date,
    amount: Any,
    paid_on: dt.date,
    org: Org | None,
    note: str,
    by: Any,
) -> Payment:
    paid_on = check_paid_on(paid_on)
    value = parse_money(amount, "amount", "自愿多交金额", allow_zero=False)
    if month != paid_on.replace(day=1):
        raise ValidationError({"month": "自愿多交党费的所属月份应为交纳日期所在月份"})
    booked = org or member.org
    return save(_entry(member, month, PaymentKind.EXTRA, value, paid_on, booked, note, by), by)


def _reversal(
    reverses: Payment | None, org: Org | None, paid_on: dt.date, note: str, by: Any
) -> Payment:
    if reverses is None:
        raise ValidationError({"month": "没有找到可冲正的交纳记录（该月份、该金额）"})
    if org is not None and org.pk != reverses.org_id:
        raise ValidationError({"org": "冲正记录应记在被冲正的交纳记录所在组织的台账上"})
    return reverse_payment(payment=reverses, note=note, on=paid_on, by=by)


def _entry(
    member: Member,
    month: dt.date,
    kind: str,
    amount: Decimal,
    paid_on: dt.date,
    org: Org,
    note: str,
    by: Any,
) -> Payment:
    return Payment(
        member=member,
        month=month,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        org=org,
        note=note.strip(),
        entered_by=actor(by),
    )


# --------------------------------------------------------------------------- reductions


@transaction.atomic
def restore_reduction(
    *,
    member: Member,
    first_month: dt.date,
    last_month: dt.date,
    monthly_amount: Any,
    reason: str,
    proposed_by_org: Org | None = None,
    proposed_on: dt.date | None = None,
    state: str = ReductionState.PROPOSED,
    decided_by_org: Org | None = None,
    decided_on: dt.date | None = None,
    decision_note: str = "",
    by: Any = None,
) -> Reduction:
    """A reduction as recorded: proposed by `proposed_by_org` (the member's org when left
    out) on `proposed_on` (today), and, unless still proposed, approved or refused by
    `decided_by_org` (an org above the proposing one) on `decided_on`. Recording a decided
    one is deciding it: only an approver of the proposing org may (never the branch
    itself). An approved one changes the ledger's amounts of its months."""
    branch = proposed_by_org or member.org
    require_keep(by, branch)
    proposed_on = proposed_on or today()
    reduction = Reduction(
        member=member,
        first_month=first_month,
        last_month=last_month,
        monthly_amount=parse_money(monthly_amount, "monthly_amount", "减免后每月应交"),
        reason=reason.strip(),
        proposed_by_org=branch,
        proposed_on=proposed_on,
        state=state,
        entered_by=actor(by),
    )
    _check_proposal(reduction)
    if state != ReductionState.PROPOSED:
        if not permissions.may_approve(by, branch):
            raise PermissionDenied(APPROVAL)
        reduction.decided_by_org, reduction.decided_on = decided_by_org, decided_on
        reduction.decision_note, reduction.decided_by = decision_note.strip(), actor(by)
        _check_decision(reduction)
    elif decided_by_org is not None or decided_on is not None:
        raise ValidationError({"state": "待审批的申请不应有审批组织或审批日期"})
    save(reduction, by)
    if state == ReductionState.APPROVED:
        years = range(first_month.year, last_month.year + 1)
        ledger.refresh_member(member.pk, years)
    return reduction


def _check_proposal(reduction: Reduction) -> None:
    if reduction.last_month < reduction.first_month:
        raise ValidationError({"last_month": "截止月份不能早于起始月份"})
    if not reduction.reason:
        raise ValidationError({"reason": "请填写减免理由"})
    if reduction.proposed_on > today():
        raise ValidationError({"proposed_on": "提出日期不能晚于今天"})


def _check_decision(reduction: Reduction) -> None:
    branch, above = reduction.proposed_by_org, reduction.decided_by_org
    if above is None or reduction.decided_on is None:
        raise ValidationError({"decided_on": "已审批的申请须填写审批组织和审批日期"})
    if above.pk == branch.pk or not branch.path.startswith(above.path):
        raise ValidationError({"decided_by_org": f"审批组织应为“{branch.name}”的上级党组织"})
    if reduction.decided_on < reduction.proposed_on:
        raise ValidationError({"decided_on": "审批日期不能早于提出日期"})
    if reduction.decided_on > today():
        raise ValidationError({"decided_on": "审批日期不能晚于今天"})
