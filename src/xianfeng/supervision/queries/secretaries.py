"""Reads of the secretaries' duties (TASK-05 … TASK-07) reused by pages, the API and the
domain: who may act on them, who sees the sensitive admonitions, whose secretary holds
the seat on a day, and the upper org's coverage tables (set-wise: a few queries for a
whole subtree, never one per org).

Admonitions and adjustment proposals are sensitive (seed 003 §4.5): an admin or officer
of an org *above* the talked-to org sees them (and decides the proposals), and so does
the talked-to member's own account (their admonitions only); the org's own admins and
viewers anywhere see none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q, role_at
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org, OrgKind, Seat, SeatRole

from ..models import AdjustmentProposal, Admonition, DutyReport, Project
from ..people import seat_on_q, secretaries_on
from ..permissions import WRITERS
from .items import writer_paths


@dataclass(frozen=True)
class _At:
    """An org by its path alone (what `role_at` reads), e.g. the parent of an org."""

    path: str


def parent_path(org: Org) -> str:
    return org.path[: -Org.steplen]


def is_writer_above(user: Any, org: Org) -> bool:
    """An admin or officer of an org above `org` (a superuser always; for the root org
    only a superuser): who admonishes its secretary and decides adjustment proposals."""
    if user is None or (getattr(user, "is_superuser", False) and user.is_active):
        return True
    above = parent_path(org)
    return bool(above) and role_at(user, _At(above)) in WRITERS


def below_writer_q(user: Any, field: str = "org__path") -> Q:
    """Rows whose org lies strictly below an org where the user is admin or officer."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Q()
    query = Q(pk__in=[])
    for path, _role in writer_paths(user):
        query |= Q(**{f"{field}__startswith": path}) & ~Q(**{field: path})
    return query


def admonitions_for_user(user: Any) -> QuerySet[Admonition]:
    """The admonitions the user may read: those of orgs below the orgs where they are
    admin or officer, and the talks with their own member."""
    visible = below_writer_q(user)
    member_id = getattr(user, "member_id", None)
    if member_id is not None and user.is_active:
        visible |= Q(member_id=member_id)
    return Admonition.objects.filter(visible)


def proposals_for_user(user: Any) -> QuerySet[AdjustmentProposal]:
    """The adjustment proposals the user may read and decide: those of orgs below the
    orgs where they are admin or officer."""
    return AdjustmentProposal.objects.filter(below_writer_q(user))


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def get_project_for_user(user: Any, pk: Any) -> Project:
    found = (
        Project.objects.filter(path_q(user, "org__path"), pk=_pk(pk))
        .select_related("org", "secretary")
        .first()
    )
    if found is None:
        raise Http404("没有找到该领办项目，或不在您的管理范围内")
    return found


def get_proposal_for_user(user: Any, pk: Any) -> AdjustmentProposal:
    """A proposal of an org in the user's scope (404 otherwise); whether they may see and
    decide it is `is_writer_above`, a 403 for a viewer or the org's own admin."""
    found = (
        AdjustmentProposal.objects.filter(path_q(user, "org__path"), pk=_pk(pk))
        .select_related("org", "member", "admonition")
        .first()
    )
    if found is None:
        raise Http404("没有找到该岗位调整建议，或不在您的管理范围内")
    return found


# --- seats ------------------------------------------------------------------------------


def secretary_seats(org: Org, member: Member) -> QuerySet[Seat]:
    return Seat.objects.filter(org=org, role=SeatRole.SECRETARY, member=member)


def is_secretary_on(org: Org, member: Member, day: dt.date) -> bool:
    """Whether `member` holds `org`'s secretary seat on `day`."""
    return secretary_seats(org, member).filter(seat_on_q(day)).exists()


def is_secretary_during(org: Org, member: Member, first: dt.date, last: dt.date) -> bool:
    """Whether `member` held `org`'s secretary seat on some day from `first` to `last`."""
    overlap = (Q(started_on__isnull=True) | Q(started_on__lte=last)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )
    return secretary_seats(org, member).filter(overlap).exists()


def secretary_of(org: Org, day: dt.date) -> Member | None:
    """The member holding `org`'s secretary seat on `day` (None: vacant)."""
    member_id = secretaries_on([org.pk], day).get(org.pk)
    return Member.objects.filter(pk=member_id).first() if member_id else None


# --- the upper org's tables ---------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """One org below the upper org whose secretary seat is held on the day, and the
    record (project or duty report) of that secretary, if any."""

    org: Org
    secretary: Member
    record: Any

    @property
    def has_record(self) -> bool:
        return self.record is not None


def _seated_below(org: Org, day: dt.date) -> tuple[list[Org], dict[int, int], dict[int, Member]]:
    orgs = list(
        Org.objects.filter(path__startswith=org.path)
        .exclude(pk=org.pk)
        .exclude(kind=OrgKind.PARTY_GROUP)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
        .order_by("path")
    )
    seated = secretaries_on([o.pk for o in orgs], day)
    members = Member.objects.in_bulk(list(seated.values()))
    return orgs, seated, members


def _coverage(org: Org, day: dt.date, records: Iterable[Any]) -> list[Coverage]:
    orgs, seated, members = _seated_below(org, day)
    by_key = {(r.org_id, r.secretary_id): r for r in records}
    rows = [
        Coverage(o, members[seated[o.pk]], by_key.get((o.pk, seated[o.pk])))
        for o in orgs
        if o.pk in seated
    ]
    return sorted(rows, key=lambda row: (row.has_record, row.org.path))


def project_coverage(org: Org, year: int, day: dt.date) -> list[Coverage]:
    """TASK-05: every org below `org` whose secretary seat is held on `day` (today, or the
    year's last day for a past year), with that secretary's project of `year` if any;
    those lacking one first."""
    projects = Project.objects.filter(org__path__startswith=org.path, year=year)
    return _coverage(org, day, projects)


def report_coverage(org: Org, year: int, day: dt.date) -> list[Coverage]:
    """TASK-07: every org below `org` whose secretary seat is held on `day` (the last day
    of the work year `year`), with that secretary's duty report on `year` if any."""
    reports = DutyReport.objects.filter(org__path__startswith=org.path, year=year)
    return _coverage(org, day, reports)
