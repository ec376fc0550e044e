"""An org's leadership pages: seats, terms and vacancies (ORG-04, ORG-05)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.dates import today

from .. import domain
from ..forms import ElectionForm, ExtensionForm, SeatEndForm, SeatForm, apply_form
from ..models import ELECTED_KINDS, Org, SeatRole
from ..permissions import can_approve_term_extension
from ..queries import (
    extension_approvals,
    extension_due,
    get_org_for_user,
    holder_choices,
    leadership_of,
    seat_holder,
)
from .common import breadcrumb, editable_org, redirect_after_post


def _term_rows(terms: list[Any], current: Any, day: dt.date) -> list[dict[str, Any]]:
    rows = []
    for term in reversed(terms):
        if term is not current:
            state, css = "已换届", "secondary"
        elif day > term.dates.deadline:
            state, css = "逾期未换届", "danger"
        elif day > term.dates.expires_on:
            state, css = "经批准延期", "warning"
        else:
            state, css = "本届", "success"
        rows.append({"term": term, "dates": term.dates, "state": state, "css": css})
    return rows


def _leadership_context(request: HttpRequest, org: Org, **forms: Any) -> dict[str, Any]:
    from xianfeng.compliance.policy import resolver

    day = today()
    data = leadership_of(org, day, resolver(day=day))
    editable = can_edit_org(request.user, org) and org.dissolved_on is None
    for vacancy in data["vacancies"]:
        vacancy["overdue"] = day > vacancy["due"]
        vacancy["role_label"] = SeatRole(vacancy["vacancy"].role).label
    return {
        "org": org,
        "as_of": day,
        "breadcrumb": breadcrumb(request.user, org),
        **_extension_context(request, org, data, day, forms.get("extension_form")),
        "current": data["current"],
        "past": data["past"],
        "vacancies": data["vacancies"],
        "max_months": data["max_months"],
        "terms": _term_rows(data["terms"], data["current_term"], day),
        "elected": org.kind in ELECTED_KINDS,
        "can_edit": editable,
        "holders": holder_choices(org) if editable else [],
        "seat_form": forms.get("seat_form") or SeatForm(),
        "end_form": forms.get("end_form") or SeatEndForm(),
        "end_seat_id": forms.get("end_seat_id"),
        "election_form": forms.get("election_form") or ElectionForm(),
    }


def _extension_context(
    request: HttpRequest, org: Org, data: dict[str, Any], day: dt.date, form: Any
) -> dict[str, Any]:
    """The current term's extension: whether it is due, who approved, who may (ORG-04)."""
    from xianfeng.compliance.policy import resolver

    term = data["current_term"]
    approvals = extension_approvals(org) if data["terms"] else {}
    for each in data["terms"]:
        each.approvals = approvals.get(each.pk, [])
    due = term is not None and extension_due(term, day, resolver(day=day), org.path)
    shown = due or form is not None  # a refused approval shows its errors
    return {
        "extension_term": term,
        "extension_due": shown,
        "can_approve": shown and can_approve_term_extension(request.user, org),
        "extension_form": form or ExtensionForm(),
    }


def _leadership_page(request: HttpRequest, org: Org, **forms: Any) -> HttpResponse:
    return render(request, "orgs/leadership.html", _leadership_context(request, org, **forms))


def _back(request: HttpRequest, org: Org, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect_after_post(request, reverse("orgs:leadership", args=[org.code]))


@login_required
def leadership(request: HttpRequest, code: str) -> HttpResponse:
    """An org's leadership: current and past seats, vacancies and terms (ORG-04, ORG-05)."""
    return _leadership_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def seat_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = SeatForm(request.POST)

    def appoint(data: dict[str, Any]) -> Any:
        return domain.appoint_to_seat(
            org=org,
            role=data["role"],
            title=data["title"].strip(),
            member=seat_holder(org, data["member"]),
            started_on=data["started_on"],
            by=request.user,
        )

    seat = apply_form(form, appoint)
    if seat is None:
        return _leadership_page(request, org, seat_form=form)
    return _back(request, org, f"已任命 {seat.member.name} 为{seat.get_role_display()}")


@login_required
@require_POST
def seat_end(request: HttpRequest, code: str, seat_id: int) -> HttpResponse:
    org = editable_org(request, code)
    seat = org.seats.select_related("member").filter(pk=seat_id).first()
    if seat is None:
        raise Http404("没有找到该班子职务")
    form = SeatEndForm(request.POST)
    ended = apply_form(form, lambda data: domain.end_seat(seat=seat, on=data["ended_on"]))
    if ended is None:
        return _leadership_page(request, org, end_form=form, end_seat_id=seat.pk)
    return _back(request, org, f"已登记{seat.get_role_display()}离任")


@login_required
@require_POST
def term_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = ElectionForm(request.POST)
    term = apply_form(form, lambda data: domain.record_election(org=org, by=request.user, **data))
    if term is None:
        return _leadership_page(request, org, election_form=form)
    return _back(request, org, f"已登记 {term.elected_on} 的换届选举")


@login_required
@require_POST
def term_extend(request: HttpRequest, code: str) -> HttpResponse:
    """A higher org's admin approves holding the current term's election late (ORG-04)."""
    org = get_org_for_user(request.user, code)
    if not can_approve_term_extension(request.user, org):
        raise PermissionDenied("换届延期须由上级党组织的管理员审批")
    term = org.terms.filter(elected_on__lte=today()).order_by("-elected_on").first()
    form = ExtensionForm(request.POST)

    def approve(data: dict[str, Any]) -> Any:
        if term is None:
            raise ValidationError({"until": "该组织没有已登记的换届选举，无法审批延期"})
        return domain.approve_term_extension(term=term, until=data["until"], by=request.user)

    approved = apply_form(form, approve)
    if approved is None:
        return _leadership_page(request, org, extension_form=form)
    return _back(request, org, f"已批准本届延期至 {approved.approved_extension_until}")
