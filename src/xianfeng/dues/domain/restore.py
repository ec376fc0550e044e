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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from xianfeng.core.history import history_reason
from xianfeng.lib.bulk import insert_rows, reserve_ids
from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

from .. import kept_totals, ledger, permissions
from ..models import Due, Payment, PaymentKind, Reduction, ReductionState
from .common import Refused, actor, chinese_month, parse_money, require_keep, save
from .payments import check_month_window, check_paid_on, reverse_payment

APPROVAL = "党费减免须由上级党委审批，提出减免的支部不能自行批准"
CHUNK = 5000  # members whose lines are read at a time


# --------------------------------------------------------------------------- entries


@dataclass(eq=False)
class PastEntry:
    """A payment (`PaymentKind.DUES`) or voluntary extra payment as it was entered: booked
    to `org` (a payment: its month's line's org, an extra: the member's org, when None) at
    `entered_at` (now when None)."""

    member: Member
    month: dt.date
    kind: str
    amount: Any
    paid_on: dt.date
    org: Org | None = None
    entered_at: dt.datetime | None = None
    note: str = ""


@transaction.atomic
def restore_payments(*, entries: Sequence[PastEntry], by: Any = None) -> list[Payment]:
    """Payments and extra payments as they were entered, set-wise (a restore holds
    millions): each month's line read or computed together, what each line was paid
    added to it at once, the entries and their history rows written in the given order.
    A payment is recorded whatever its month owes now (an overpaid month stays overpaid);
    a month no longer owed is kept owing 0. All or nothing: `Refused` names every entry
    refused."""
    errors: list[tuple[int, ValidationError | PermissionDenied]] = []
    for number, entry in enumerate(entries):
        try:
            _check_entry(entry, by)
        except (ValidationError, PermissionDenied) as error:
            errors.append((number, error))
    failed = {number for number, _error in errors}
    lines = _lines_of([e for e in entries if e.kind == PaymentKind.DUES])
    for number, entry in enumerate(entries):
        if number in failed:
            continue
        try:
            entry.org = entry.org or _booked(entry, lines)
            if entry.kind == PaymentKind.DUES:
                check_month_window(entry.month, entry.paid_on, entry.org)
        except ValidationError as error:
            errors.append((number, error))
    if errors:
        raise Refused(sorted(errors, key=lambda pair: pair[0]))
    _claim_all(entries, lines)
    return _write(entries, by)


def _check_entry(entry: PastEntry, by: Any) -> None:
    """Every check that holds for a past entry (not what its month owes now)."""
    require_keep(by, entry.member.org)
    if entry.entered_at is not None and entry.entered_at > timezone.now():
        raise ValidationError({"entered_at": "录入时间不能晚于现在"})
    entry.paid_on = check_paid_on(entry.paid_on)
    limit = Payment._meta.get_field("note").max_length or 0
    if len(entry.note.strip()) > limit:  # the model's one check a cell may break
        raise ValidationError({"note": f"说明最多{limit}字"})
    label = "交纳金额" if entry.kind == PaymentKind.DUES else "自愿多交金额"
    entry.amount = parse_money(entry.amount, "amount", label, allow_zero=False)
    if entry.kind == PaymentKind.EXTRA:
        if entry.month != entry.paid_on.replace(day=1):
            raise ValidationError({"month": "自愿多交党费的所属月份应为交纳日期所在月份"})
    elif entry.kind != PaymentKind.DUES:
        raise ValidationError({"kind": "冲正记录须逐笔恢复"})
    elif entry.month < entry.member.joined_on.replace(day=1):
        month = chinese_month(entry.month)
        raise ValidationError({"month": f"{entry.member.name}{month}尚未入党，不需交纳党费"})


Key = tuple[int, dt.date]


def _lines_of(entries: list[PastEntry]) -> dict[Key, Due]:
    """The lines of the entries' months (locked), a member's year computed first where it
    has none (set-wise per year)."""
    members = sorted({e.member.pk for e in entries})
    if not members:
        return {}
    first = min(e.month for e in entries)
    last = max(e.month for e in entries)
    lines = _read_lines(members, first, last)
    years_kept = {(member, month.year) for member, month in lines}
    missing: ledger.Pending = {}
    for entry in entries:
        if (entry.member.pk, entry.month.year) not in years_kept:
            missing.setdefault(entry.month.year, set()).add(entry.member.pk)
    if missing:
        ledger.refresh_pending(missing)
        lines = _read_lines(members, first, last)
    return lines


def _read_lines(members: list[int], first: dt.date, last: dt.date) -> dict[Key, Due]:
    found: dict[Key, Due] = {}
    for start in range(0, len(members), CHUNK):
        rows = Due.objects.select_for_update().filter(
            member_id__in=members[start : start + CHUNK], month__gte=first, month__lte=last
        )
        found |= {(due.member_id, due.month): due for due in rows.order_by()}
    return found


def _booked(entry: PastEntry, lines: dict[Key, Due]) -> Org:
    """The org an entry without one is booked to: its line's (a payment), else the
    member's."""
    due = lines.get((entry.member.pk, entry.month)) if entry.kind == PaymentKind.DUES else None
    if due is None:
        return entry.member.org
    if due.org_id == entry.member.org_id:
        return entry.member.org
    return Org.objects.get(pk=due.org_id)


def _claim_all(entries: Sequence[PastEntry], lines: dict[Key, Due]) -> None:
    """Add what each line was paid to it (a month no longer owed kept owing 0)."""
    paid: dict[Key, Decimal] = {}
    for entry in entries:
        if entry.kind == PaymentKind.DUES:
            key = (entry.member.pk, entry.month)
            paid[key] = paid.get(key, Decimal(0)) + entry.amount
            if key not in lines:
                assert entry.org is not None
                lines[key] = ledger.keep_line(entry.member, entry.month, entry.org.pk)
    rows = []
    for key, amount in paid.items():
        due = lines[key]
        due.paid += amount
        due.settled = ledger.settled(due.amount, due.paid)
        rows.append((due.paid, due.settled, due.pk))
    table, quote = Due._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:  # one statement for all (bulk_update: a CASE each)
        cursor.executemany(
            f"UPDATE {quote(table)} SET paid = %s, settled = %s WHERE id = %s",  # noqa: S608
            rows,
        )
    kept_totals.touch_pairs((lines[key].org_id, key[1]) for key in paid)


ENTRY_COLUMNS = (
    "id",
    "member_id",
    "month",
    "kind",
    "amount",
    "paid_on",
    "org_id",
    "reverses_id",
    "note",
    "entered_by_id",
    "entered_at",
)
HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def _write(entries: Sequence[PastEntry], by: Any) -> list[Payment]:
    """The entries and their "+" history rows, in the given order (ids reserved first)."""
    now, user = timezone.now(), getattr(actor(by), "pk", None)
    payments = [
        Payment(
            pk=pk,
            member=entry.member,
            month=entry.month,
            kind=entry.kind,
            amount=entry.amount,
            paid_on=entry.paid_on,
            org=entry.org,
            note=entry.note.strip(),
            entered_by_id=user,
            entered_at=entry.entered_at or now,
        )
        for pk, entry in zip(reserve_ids(Payment, len(entries)), entries, strict=True)
    ]
    values = [[getattr(p, column) for column in ENTRY_COLUMNS] for p in payments]
    insert_rows(Payment._meta.db_table, ENTRY_COLUMNS, values)
    history = Payment.history.model._meta.db_table  # type: ignore[attr-defined]
    tail = [now, history_reason(), "+", user]
    insert_rows(history, ENTRY_COLUMNS + HISTORY_COLUMNS, (row + tail for row in values))
    return payments


@transaction.atomic
def restore_reversal(
    *,
    payment: Payment,
    paid_on: dt.date,
    note: str,
    org: Org | None = None,
    entered_at: dt.datetime | None = None,
    by: Any = None,
) -> Payment:
    """A reversing entry as it was entered (`reverse_payment`'s checks), at `entered_at`."""
    if entered_at is not None and entered_at > timezone.now():
        raise ValidationError({"entered_at": "录入时间不能晚于现在"})
    if org is not None and org.pk != payment.org_id:
        raise ValidationError({"org": "冲正记录应记在被冲正的交纳记录所在组织的台账上"})
    saved = reverse_payment(payment=payment, note=note, on=paid_on, by=by)
    if entered_at is not None:
        Payment.objects.filter(pk=saved.pk).update(entered_at=entered_at)
        saved.entered_at = entered_at
    return saved


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
