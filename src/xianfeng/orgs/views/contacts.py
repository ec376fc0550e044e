"""An org's contact points and their visits (ORG-07)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.dates import today

from .. import domain
from ..forms import ContactPointForm, EndDateForm, VisitForm, apply_form
from ..models import LEADERSHIP_KINDS, Org
from ..queries import (
    contact_leader,
    contact_point_of,
    contact_points_of,
    contact_target,
    contact_targets,
    current_leaders,
    get_org_for_user,
)
from .common import back_to, breadcrumb, editable_org


def _leader_choices(org: Org, day: dt.date) -> list[tuple[str, str]]:
    return [
        (row["member"].code, f"{row['member'].name}（{row['seats'][0].get_role_display()}）")
        for row in current_leaders(org, day)
    ]


def _point_choices(points: list[Any]) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.leader.name} → {p.target.name}") for p in points if p.active]


def _contacts_context(request: HttpRequest, org: Org, **forms: Any) -> dict[str, Any]:
    day = today()
    data = contact_points_of(org, day)
    editable = can_edit_org(request.user, org) and org.dissolved_on is None
    return {
        "org": org,
        "as_of": day,
        "breadcrumb": breadcrumb(request.user, org),
        **data,
        "has_leadership": org.kind in LEADERSHIP_KINDS,
        "can_edit": editable,
        "targets": contact_targets(org, day) if editable else [],
        "point_form": forms.get("point_form")
        or ContactPointForm(leaders=_leader_choices(org, day)),
        "visit_form": forms.get("visit_form") or VisitForm(points=_point_choices(data["points"])),
        "end_form": forms.get("end_form") or EndDateForm(),
        "end_point_id": forms.get("end_point_id"),
    }


def _contacts_page(request: HttpRequest, org: Org, **forms: Any) -> HttpResponse:
    return render(request, "orgs/contacts.html", _contacts_context(request, org, **forms))


@login_required
def contacts(request: HttpRequest, code: str) -> HttpResponse:
    """Leaders of an org with their contact points and visits (ORG-07)."""
    return _contacts_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def contact_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = ContactPointForm(request.POST, leaders=_leader_choices(org, today()))

    def add(data: dict[str, Any]) -> Any:
        return domain.add_contact_point(
            org=org,
            leader=contact_leader(org, data["leader"]),
            target=contact_target(org, data["target"]),
            started_on=data["started_on"],
            note=data["note"],
            by=request.user,
        )

    point = apply_form(form, add)
    if point is None:
        return _contacts_page(request, org, point_form=form)
    return back_to(request, "orgs:contacts", org, f"已建立联系点：{point}")


@login_required
@require_POST
def contact_end(request: HttpRequest, code: str, point_id: int) -> HttpResponse:
    org = editable_org(request, code)
    point = contact_point_of(org, point_id)
    form = EndDateForm(request.POST)
    ended = apply_form(
        form,
        lambda data: domain.end_contact_point(point, ended_on=data["ended_on"], by=request.user),
    )
    if ended is None:
        return _contacts_page(request, org, end_form=form, end_point_id=point.pk)
    return back_to(request, "orgs:contacts", org, f"联系点“{point}”已结束")


@login_required
@require_POST
def visit_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    points = contact_points_of(org, today())["points"]
    form = VisitForm(request.POST, points=_point_choices(points))

    def record(data: dict[str, Any]) -> Any:
        return domain.record_visit(
            contact_point=contact_point_of(org, data["contact_point"]),
            visited_on=data["visited_on"],
            kind=data["kind"],
            summary=data["summary"],
            org=org,
            by=request.user,
        )

    visit = apply_form(form, record)
    if visit is None:
        return _contacts_page(request, org, visit_form=form)
    return back_to(request, "orgs:contacts", org, f"已登记{visit.get_kind_display()}")
