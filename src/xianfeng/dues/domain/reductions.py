"""Hardship reductions and waivers (减免) and quarterly arrangements (按季交纳)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

from .. import ledger, permissions
from ..models import Arrangement, Reduction, ReductionState
from .common import actor, parse_money, require_keep, save


@transaction.atomic
def propose_reduction(
    *,
    member: Member,
    first_month: dt.date,
    last_month: dt.date,
    monthly_amount: Any,
    reason: str,
    by: Any = None,
) -> Reduction:
    """The branch proposes reducing (or, with 0, waiving) a member's dues for months."""
    require_keep(by, member.org)
    if last_month < first_month:
        raise ValidationError({"last_month": "截止月份不能早于起始月份"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写减免理由"})
    amount = parse_money(monthly_amount, "monthly_amount", "减免后每月应交")
    return save(
        Reduction(
            member=member,
            first_month=first_month,
            last_month=last_month,
            monthly_amount=amount,
            reason=reason.strip(),
            proposed_by_org=member.org,
            proposed_on=today(),
            entered_by=actor(by),
        ),
        by,
    )


@transaction.atomic
def decide_reduction(
    *, reduction: Reduction, approve: bool, note: str = "", by: Any = None
) -> Reduction:
    """A higher committee approves or refuses a proposed reduction; the branch itself
    cannot. An approved one changes the ledger's amounts for its months."""
    branch = reduction.proposed_by_org
    if not permissions.may_approve(by, branch):
        raise PermissionDenied("党费减免须由上级党委审批，提出减免的支部不能自行批准")
    if reduction.state != ReductionState.PROPOSED:
        raise ValidationError({"state": f"该申请已{reduction.get_state_display()}"})
    reduction.state = ReductionState.APPROVED if approve else ReductionState.REFUSED
    reduction.decided_by_org = (
        Org.objects.get_parent(branch) if by is None else _deciding_org(by, branch)
    )
    reduction.decided_on, reduction.decision_note = today(), note.strip()
    reduction.decided_by = actor(by)
    save(reduction, by)
    if approve:
        years = range(reduction.first_month.year, reduction.last_month.year + 1)
        ledger.refresh_member(reduction.member_id, years)
    return reduction


def _deciding_org(by: Any, branch: Any) -> Any:
    """The org above `branch` whose post lets `by` decide: the highest one where they may
    keep the ledger (a post covers its subtree, so that is the post's own org)."""
    for org in Org.objects.get_ancestors(branch):  # from the root down
        if permissions.may_keep(by, org):
            return org
    return Org.objects.get_parent(branch)


@transaction.atomic
def arrange_quarterly(
    *,
    member: Member,
    first_month: dt.date,
    agreed_on: dt.date,
    last_month: dt.date | None = None,
    note: str = "",
    by: Any = None,
) -> Arrangement:
    """The branch agrees that a member pays quarterly from `first_month` on."""
    require_keep(by, member.org)
    if agreed_on > today():
        raise ValidationError({"agreed_on": "同意日期不能晚于今天"})
    if last_month is not None and last_month < first_month:
        raise ValidationError({"last_month": "截止月份不能早于起始月份"})
    return save(
        Arrangement(
            member=member,
            first_month=first_month,
            last_month=last_month,
            agreed_on=agreed_on,
            note=note.strip(),
            entered_by=actor(by),
        ),
        by,
    )
