"""Who answers for an item by default (TASK-01): the org's secretary on the day and the
account linked to that member; where the seat is vacant (or the secretary has no
account), the org's nearest officer account (`accounts.queries.officers_in_charge`).
Set-wise, so that turning 20,000 findings into items reads each table once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from xianfeng.accounts.models import User
from xianfeng.accounts.queries import officers_in_charge
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org, Seat, SeatRole


def seat_on_q(day: dt.date) -> Q:
    """Seat tenures held on `day` (ended_on is the last day in office)."""
    return (Q(started_on__isnull=True) | Q(started_on__lte=day)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)
    )


def secretaries_on(org_ids: Iterable[int], day: dt.date) -> dict[int, int]:
    """org id → the member id of its secretary on `day` (orgs with the seat vacant are
    missing)."""
    seats = (
        Seat.objects.filter(org_id__in=list(org_ids), role=SeatRole.SECRETARY, member__isnull=False)
        .filter(seat_on_q(day))
        .order_by("org_id", "started_on")
        .values_list("org_id", "member_id")
    )
    return dict(seats)  # the latest tenure started wins


def accounts_of(member_ids: Iterable[int]) -> dict[int, int]:
    """member id → the id of the active account linked to that member."""
    rows = User.objects.filter(member_id__in=list(member_ids), is_active=True)
    return dict(rows.values_list("member_id", "pk"))


def default_responsibles(
    orgs: Iterable[Org], day: dt.date, chosen: dict[int, int] | None = None
) -> dict[int, tuple[int | None, int | None]]:
    """org id → (member id, account id) answering for the org's new items: `chosen`
    (org id → member id) where given, else the secretary; the account is the member's
    own, else the org's nearest officer account."""
    orgs = list(orgs)
    members = secretaries_on([org.pk for org in orgs], day)
    members.update(chosen or {})
    accounts = accounts_of(members.values())
    lacking = [org.path for org in orgs if accounts.get(members.get(org.pk, 0)) is None]
    officers = officers_in_charge(lacking)
    found: dict[int, tuple[int | None, int | None]] = {}
    for org in orgs:
        member = members.get(org.pk)
        account = accounts.get(member) if member else None
        if account is None:
            account = next(iter(officers.get(org.path, [])), None)
        found[org.pk] = (member, account)
    return found


def default_responsible(org: Org, member: Any, day: dt.date) -> tuple[Any, Any]:
    """(member, account) for one new item of `org` (`member` chosen, or None)."""
    chosen = {org.pk: member.pk} if member is not None else None
    member_id, account_id = default_responsibles([org], day, chosen)[org.pk]
    return (
        Member.objects.filter(pk=member_id).first() if member_id else None,
        User.objects.filter(pk=account_id).first() if account_id else None,
    )
