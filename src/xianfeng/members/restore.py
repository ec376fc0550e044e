"""Restoring a member's recorded history from an import (round trip, issue 13 §6).

The member sheet creates the current state (status, org) with the spells and placement
it implies. These functions put back the history as it was recorded: the status spells
(党籍状态历史), the placements (组织关系历史), the transfers (组织关系转接) and the
temporary memberships (临时党组织成员). They record what happened and have none of the
side effects of the acts themselves: a received transfer restored here does not move the
member again (the member sheet and the placement history say where the member is).

Periods are half-open like the models: `ended_on` is the first day of the next spell or
placement (the day of the change), not the last day of this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from .models import (
    LeftReason,
    Member,
    Placement,
    Status,
    StatusSpell,
    TemporaryMembership,
    Transfer,
    TransferStatus,
)


class Spell(NamedTuple):
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    reason: str = ""
    note: str = ""


class Place(NamedTuple):
    org_id: int
    started_on: dt.date
    ended_on: dt.date | None


def _period_key(row: Spell | Place) -> tuple[dt.date, bool, dt.date]:
    """Oldest first; a zero-length period before the one opening the same day."""
    return (row.started_on, row.ended_on is None, row.ended_on or row.started_on)


def in_order(rows: Sequence[Spell | Place]) -> list[Any]:
    return sorted(rows, key=_period_key)


def spells_by_member(member_ids: Sequence[int]) -> dict[int, list[Spell]]:
    """The stored status spells of many members, each member's oldest first."""
    found: dict[int, list[Spell]] = {pk: [] for pk in member_ids}
    for start in range(0, len(member_ids), 900):
        spells = StatusSpell.objects.filter(member_id__in=member_ids[start : start + 900])
        for s in spells.order_by("member_id", "started_on", "pk"):
            found[s.member_id].append(Spell(s.status, s.started_on, s.ended_on, s.reason, s.note))
    return {pk: in_order(rows) for pk, rows in found.items()}


def places_by_member(member_ids: Sequence[int]) -> dict[int, list[Place]]:
    """The stored placements of many members, each member's oldest first."""
    found: dict[int, list[Place]] = {pk: [] for pk in member_ids}
    for start in range(0, len(member_ids), 900):
        places = Placement.objects.filter(member_id__in=member_ids[start : start + 900])
        for p in places.order_by("member_id", "started_on", "pk"):
            found[p.member_id].append(Place(p.org_id, p.started_on, p.ended_on))
    return {pk: in_order(rows) for pk, rows in found.items()}


def stored_spells(member: Member) -> list[Spell]:
    return spells_by_member([member.pk])[member.pk]


def stored_places(member: Member) -> list[Place]:
    return places_by_member([member.pk])[member.pk]


def _check_periods(rows: Sequence[Spell | Place], what: str) -> None:
    """One after the other without overlap; only the last may be open."""
    for row in rows:
        if row.ended_on is not None and row.ended_on < row.started_on:
            raise ValidationError({"ended_on": f"{what}的结束日期不能早于起始日期"})
    for before, after in zip(rows, rows[1:], strict=False):
        if before.ended_on is None:
            raise ValidationError(
                {"ended_on": f"{what}只能有一条未结束（{before.started_on} 起的记录之后还有记录）"}
            )
        if after.started_on < before.ended_on:
            raise ValidationError({"started_on": f"{what}在 {after.started_on} 与前一条记录重叠"})


def check_spells(member: Member, spells: Sequence[Spell]) -> list[Spell]:
    """The member's status history, oldest first; the last spell is the current status."""
    rows = sorted(spells, key=_period_key)
    if not rows:
        raise ValidationError({"status": "党籍状态历史不能为空"})
    _check_periods(rows, "党籍状态")
    last = rows[-1]
    if last.ended_on is not None or last.status != member.status:
        raise ValidationError(
            {
                "status": f"最后一条党籍状态应为党员当前的“{member.get_status_display()}”"
                "且结束日期留空"
            }
        )
    for row in rows:
        if row.reason and row.status != Status.LEFT:
            raise ValidationError({"reason": "只有出党才填写出党原因"})
        if row.reason and row.reason not in LeftReason.values:
            raise ValidationError({"reason": "出党原因应为转出本系统、除名、开除党籍或死亡"})
    return rows


@transaction.atomic
def replace_status_history(*, member: Member, spells: Sequence[Spell], by: Any = None) -> bool:
    """Make the member's status spells exactly `spells`; False when they already are.

    Side effect: `status_since` follows the current spell's start (as a status change
    sets it)."""
    rows = check_spells(member, spells)
    if rows == stored_spells(member):
        return False
    StatusSpell.objects.filter(member=member).delete()
    StatusSpell.objects.bulk_create(
        StatusSpell(
            member=member,
            status=row.status,
            started_on=row.started_on,
            ended_on=row.ended_on,
            reason=row.reason,
            note=row.note[:500],
        )
        for row in rows
    )
    if member.status_since != rows[-1].started_on:
        member.status_since = rows[-1].started_on
        member.save(update_fields=["status_since", "updated_at"])
    return True


def check_places(member: Member, places: Sequence[Place], orgs: dict[int, Org]) -> list[Place]:
    """The member's placements, oldest first; the open one is the member's current org
    (a member who left has none open)."""
    rows = sorted(places, key=_period_key)
    if not rows:
        raise ValidationError({"org": "组织关系历史不能为空"})
    _check_periods(rows, "组织关系")
    for row in rows:
        if orgs[row.org_id].kind not in MEMBER_KINDS:
            org = orgs[row.org_id]
            raise ValidationError(
                {"org": f"党员只能编入党支部或联合党支部，“{org.name}”是{org.get_kind_display()}"}
            )
    last = rows[-1]
    if last.ended_on is None and last.org_id != member.org_id:
        raise ValidationError({"org": f"未结束的组织关系应为党员当前所在的“{member.org.name}”"})
    if last.ended_on is None and member.status == Status.LEFT:
        raise ValidationError({"ended_on": "已出党党员的组织关系应有结束日期"})
    if last.ended_on is not None and member.status != Status.LEFT:
        raise ValidationError({"ended_on": "党员当前所在组织的组织关系结束日期应留空"})
    return rows


@transaction.atomic
def replace_placements(
    *, member: Member, places: Sequence[Place], orgs: dict[int, Org], by: Any = None
) -> bool:
    """Make the member's placements exactly `places`; False when they already are."""
    rows = check_places(member, places, orgs)
    if rows == stored_places(member):
        return False
    Placement.objects.filter(member=member).delete()
    Placement.objects.bulk_create(
        Placement(
            member=member, org_id=row.org_id, started_on=row.started_on, ended_on=row.ended_on
        )
        for row in rows
    )
    return True


# --- transfers and temporary memberships ----------------------------------------------------

TRANSFER_FIELDS = ("status", "received_on", "reason", "letter_no", "answer_note")


def _check_transfer(transfer: Transfer) -> None:
    if transfer.from_org_id == transfer.to_org_id:
        raise ValidationError({"to_org": "接收党组织不能与转出党组织相同"})
    received = transfer.status == TransferStatus.RECEIVED
    if received and transfer.received_on is None:
        raise ValidationError({"received_on": "已接收的转接须填写接收日期"})
    if not received and transfer.received_on is not None:
        raise ValidationError({"received_on": "只有已接收的转接才有接收日期"})
    if transfer.received_on and transfer.received_on < transfer.sent_on:
        raise ValidationError({"received_on": "接收日期不能早于转出日期"})
    if transfer.status == TransferStatus.IN_TRANSIT:
        others = Transfer.objects.filter(member=transfer.member, status=TransferStatus.IN_TRANSIT)
        if others.exclude(pk=transfer.pk).exists():
            raise ValidationError({"status": "该党员已有一笔转接中的组织关系"})


@transaction.atomic
def restore_transfer(
    *,
    member: Member,
    from_org: Org,
    to_org: Org,
    sent_on: dt.date,
    transfer: Transfer | None = None,
    by: Any = None,
    **fields: Any,
) -> Transfer:
    """Record a transfer as it stood (new, or `transfer` updated with `fields`), without
    moving the member (see the module's note)."""
    if transfer is None:
        transfer = Transfer(member=member, from_org=from_org, to_org=to_org, sent_on=sent_on)
    for field in TRANSFER_FIELDS:
        if field in fields:
            setattr(transfer, field, fields[field])
    _check_transfer(transfer)
    transfer.full_clean()
    transfer.save()
    return transfer


@transaction.atomic
def restore_temporary_membership(
    *,
    org: Org,
    member: Member,
    started_on: dt.date,
    ended_on: dt.date | None,
    membership: TemporaryMembership | None = None,
    by: Any = None,
) -> TemporaryMembership:
    """Record a listing in a temporary org as it stood (the member may have left since)."""
    if org.kind != OrgKind.TEMPORARY_ORG:
        raise ValidationError({"org": "只能加入临时党组织"})
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "退出日期不能早于加入日期"})
    if membership is None:
        membership = TemporaryMembership(org=org, member=member, started_on=started_on)
    membership.ended_on = ended_on
    membership.full_clean()
    membership.save()
    return membership
