"""Org endpoints (ORG-01, ORG-02), scoped to the user's subtree (PLAT-01)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from xianfeng.accounts.permissions import can_admin_org, can_edit_org
from xianfeng.lib.dates import today
from xianfeng.members.queries import category_counts_as_of, status_counts_as_of

from . import domain
from .models import Org, Seat, SeatRole, Term
from .queries import (
    directory,
    get_org_for_user,
    is_seat_active,
    leadership_of,
    orgs_for_user,
    search_orgs,
    seat_holder,
)

router = Router(tags=["党组织"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    level: str
    sector: str
    unit_name: str
    unit_headcount: int | None
    region_code: str
    founded_on: dt.date | None
    dissolved_on: dt.date | None
    depth: int
    parent: str | None = None

    @staticmethod
    def resolve_parent(org: Org) -> str | None:
        parent = Org.objects.get_parent(org)
        return parent.code if parent else None


class OrgIn(Schema):
    parent: str
    code: str
    name: str
    kind: str
    level: str
    sector: str = ""
    unit_name: str = ""
    unit_headcount: int | None = None
    region_code: str = ""
    founded_on: dt.date | None = None


class OrgPatch(Schema):
    name: str | None = None
    kind: str | None = None
    level: str | None = None
    sector: str | None = None
    unit_name: str | None = None
    unit_headcount: int | None = None
    region_code: str | None = None
    founded_on: dt.date | None = None


class CountsOut(Schema):
    org: str
    as_of: dt.date
    by_status: dict[str, int]
    by_category: dict[str, int]
    total: int


class DirectoryEntry(Schema):
    code: str
    name: str


@router.get("", response=list[OrgOut])
@paginate
def list_orgs(request: HttpRequest, q: str = "", kind: str = "", parent: str = ""):  # type: ignore[no-untyped-def]
    orgs = search_orgs(orgs_for_user(request.user), q)
    if kind:
        orgs = orgs.filter(kind=kind)
    if parent:
        base = get_org_for_user(request.user, parent)
        orgs = orgs.filter(path__startswith=base.path, depth=base.depth + 1)
    return orgs.order_by("path")


@router.get("/directory", response=list[DirectoryEntry])
def org_directory(request: HttpRequest, q: str):  # type: ignore[no-untyped-def]
    """Branch-level orgs anywhere (code and name only), to address a transfer (MEM-05)."""
    return list(directory(q))


@router.get("/{code}", response=OrgOut)
def get_org(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    return get_org_for_user(request.user, code)


@router.get("/{code}/counts", response=CountsOut)
def org_counts(request: HttpRequest, code: str, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    day = as_of or today()
    by_status = status_counts_as_of(org, day)
    return {
        "org": org.code,
        "as_of": day,
        "by_status": by_status,
        "by_category": category_counts_as_of(org, day),
        "total": sum(by_status.values()),
    }


@router.post("", response={201: OrgOut})
def create_org(request: HttpRequest, payload: OrgIn):  # type: ignore[no-untyped-def]
    parent = get_org_for_user(request.user, payload.parent)
    if not can_admin_org(request.user, parent):
        raise PermissionDenied("只有上级组织的管理员可以新建组织")
    data = payload.dict(exclude={"parent"})
    return Status(201, domain.create_org(parent=parent, by=request.user, **data))


@router.patch("/{code}", response=OrgOut)
def update_org(request: HttpRequest, code: str, payload: OrgPatch):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return domain.update_org(org=org, by=request.user, **payload.dict(exclude_unset=True))


# --- leadership (ORG-04, ORG-05) ---------------------------------------------------------


class SeatOut(Schema):
    id: int
    role: str
    role_label: str
    title: str
    member: str | None
    member_name: str | None
    started_on: dt.date | None
    ended_on: dt.date | None
    active: bool


class TermOut(Schema):
    id: int
    number: int
    elected_on: dt.date
    years_voted: int = Field(description="选举时确定的任期年数，0 表示按政策")
    years: int = Field(description="实际适用的任期年数")
    years_source: str
    policy: str
    expires_on: dt.date
    approved_extension_until: dt.date | None
    deadline: dt.date = Field(description="按期换届的最后一天（含经批准的延期）")
    note: str


class VacancyOut(Schema):
    role: str
    role_label: str
    title: str
    vacant_since: dt.date
    due: dt.date
    overdue: bool
    seats: list[int]


class LeadershipOut(Schema):
    org: str
    as_of: dt.date
    seats: list[SeatOut]
    terms: list[TermOut]
    vacancies: list[VacancyOut]


class SeatIn(Schema):
    role: str
    title: str = ""
    member: str
    started_on: dt.date


class SeatEndIn(Schema):
    ended_on: dt.date


class TermIn(Schema):
    elected_on: dt.date
    years: int = 0
    note: str = ""


def _seat_out(seat: Seat, day: dt.date) -> dict:
    holder = seat.member
    return {
        "id": seat.pk,
        "role": seat.role,
        "role_label": seat.get_role_display(),
        "title": seat.title,
        "member": holder.code if holder else None,
        "member_name": holder.name if holder else None,
        "started_on": seat.started_on,
        "ended_on": seat.ended_on,
        "active": is_seat_active(seat, day),
    }


def _term_out(term: Term) -> dict:
    dates = term.dates  # type: ignore[attr-defined]
    return {
        "id": term.pk,
        "number": term.number,  # type: ignore[attr-defined]
        "elected_on": term.elected_on,
        "years_voted": term.years,
        "years": dates.years,
        "years_source": dates.years_entry["source"],
        "policy": dates.years_entry["policy"],
        "expires_on": dates.expires_on,
        "approved_extension_until": dates.extended_until,
        "deadline": dates.deadline,
        "note": term.note,
    }


def _editable(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


@router.get("/{code}/leadership", response=LeadershipOut)
def org_leadership(request: HttpRequest, code: str, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    """Seats (current and past), terms with their end dates, open vacancies (ORG-04/05)."""
    from xianfeng.compliance.policy import resolver

    org = get_org_for_user(request.user, code)
    day = as_of or today()
    data = leadership_of(org, day, resolver(day=day))
    vacancies = [
        {
            "role": v["vacancy"].role,
            "role_label": str(SeatRole(v["vacancy"].role).label),
            "title": v["vacancy"].title,
            "vacant_since": v["vacancy"].vacant_since,
            "due": v["due"],
            "overdue": day > v["due"],
            "seats": list(v["vacancy"].seat_ids),
        }
        for v in data["vacancies"]
    ]
    return {
        "org": org.code,
        "as_of": day,
        "seats": [_seat_out(seat, day) for seat in data["seats"]],
        "terms": [_term_out(term) for term in data["terms"]],
        "vacancies": vacancies,
    }


@router.post("/{code}/seats", response={201: SeatOut})
def appoint_to_seat(request: HttpRequest, code: str, payload: SeatIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    seat = domain.appoint_to_seat(
        org=org,
        role=payload.role,
        title=payload.title.strip(),
        member=seat_holder(org, payload.member),
        started_on=payload.started_on,
        by=request.user,
    )
    return Status(201, _seat_out(seat, today()))


@router.post("/{code}/seats/{seat_id}/end", response=SeatOut)
def end_seat(request: HttpRequest, code: str, seat_id: int, payload: SeatEndIn):  # type: ignore[no-untyped-def]
    org = _editable(request, code)
    seat = org.seats.select_related("member").filter(pk=seat_id).first()
    if seat is None:
        raise Http404("没有找到该班子职务")
    seat = domain.end_seat(seat=seat, on=payload.ended_on, by=request.user)
    return _seat_out(seat, today())


@router.post("/{code}/terms", response={201: TermOut})
def record_election(request: HttpRequest, code: str, payload: TermIn):  # type: ignore[no-untyped-def]
    from xianfeng.compliance.policy import resolver

    org = _editable(request, code)
    term = domain.record_election(
        org=org,
        elected_on=payload.elected_on,
        years=payload.years,
        note=payload.note,
        by=request.user,
    )
    day = today()
    saved = next(t for t in leadership_of(org, day, resolver(day=day))["terms"] if t.pk == term.pk)
    return Status(201, _term_out(saved))
