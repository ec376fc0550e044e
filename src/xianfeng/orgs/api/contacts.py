"""Contact point and visit endpoints (ORG-07)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from xianfeng.lib.api import Code, Id, Pagination, PathId, YearQuery, responses
from xianfeng.lib.dates import today

from .. import domain
from ..models import ContactPoint, Visit, VisitKind
from ..queries import (
    contact_leader,
    contact_point_of,
    contact_target,
    get_org_for_user,
    is_row_active,
)
from .common import EndIn, editable, router


class ContactPointOut(Schema):
    id: int
    leader: str
    leader_name: str
    target: str
    target_name: str
    started_on: dt.date
    ended_on: dt.date | None
    note: str
    active: bool


class ContactPointIn(Schema):
    leader: str = Field(description="班子成员的党员编号")
    target: str = Field(description="联系的党组织编码")
    started_on: dt.date
    note: str = ""


class VisitOut(Schema):
    id: int
    contact_point: int
    leader_name: str
    target: str
    visited_on: dt.date
    kind: str
    kind_label: str
    summary: str


class VisitIn(Schema):
    contact_point: Id
    visited_on: dt.date
    kind: VisitKind = Field(VisitKind.VISIT, description="visit / report / problem / guidance")
    summary: str = ""


def _point_out(point: ContactPoint) -> dict:
    return {
        "id": point.pk,
        "leader": point.leader.code,
        "leader_name": point.leader.name,
        "target": point.target.code,
        "target_name": point.target.name,
        "started_on": point.started_on,
        "ended_on": point.ended_on,
        "note": point.note,
        "active": is_row_active(point, today()),
    }


def _visit_out(visit: Visit) -> dict:
    point = visit.contact_point
    return {
        "id": visit.pk,
        "contact_point": point.pk,
        "leader_name": point.leader.name,
        "target": point.target.code,
        "visited_on": visit.visited_on,
        "kind": visit.kind,
        "kind_label": visit.get_kind_display(),
        "summary": visit.summary,
    }


@router.get("/{code}/contact-points", response=responses({200: list[ContactPointOut]}))
def list_contact_points(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    """The contact points kept by an org's leadership, current and ended (ORG-07)."""
    org = get_org_for_user(request.user, code)
    points = org.leader_contact_points.select_related("leader", "target")
    return [_point_out(p) for p in points.order_by("started_on", "pk")]


@router.post("/{code}/contact-points", response=responses({201: ContactPointOut}))
def add_contact_point(request: HttpRequest, code: Code, payload: ContactPointIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    point = domain.add_contact_point(
        org=org,
        leader=contact_leader(org, payload.leader),
        target=contact_target(org, payload.target),
        started_on=payload.started_on,
        note=payload.note,
        by=request.user,
    )
    return Status(201, _point_out(point))


@router.post("/{code}/contact-points/{point_id}/end", response=responses({200: ContactPointOut}))
def end_contact_point(request: HttpRequest, code: Code, point_id: PathId, payload: EndIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    point = contact_point_of(org, point_id)
    return _point_out(domain.end_contact_point(point, ended_on=payload.ended_on, by=request.user))


@router.get("/{code}/visits", response=responses({200: list[VisitOut]}))
@paginate(Pagination)
def list_visits(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """Visits at the org's contact points, newest first; `year` narrows to one year."""
    org = get_org_for_user(request.user, code)
    visits = Visit.objects.filter(contact_point__org=org)
    if year is not None:
        visits = visits.filter(visited_on__year=year)
    visits = visits.select_related("contact_point__leader", "contact_point__target")
    return [_visit_out(v) for v in visits.order_by("-visited_on", "-pk")]


@router.post("/{code}/visits", response=responses({201: VisitOut}))
def record_visit(request: HttpRequest, code: Code, payload: VisitIn):  # type: ignore[no-untyped-def]
    org = editable(request, code)
    visit = domain.record_visit(
        contact_point=contact_point_of(org, payload.contact_point),
        visited_on=payload.visited_on,
        kind=payload.kind,
        summary=payload.summary,
        org=org,
        by=request.user,
    )
    return Status(201, _visit_out(visit))
