"""The org page, and creating and editing an org (ORG-01, ORG-02)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from xianfeng.accounts.permissions import can_admin_org, can_edit_org
from xianfeng.lib.dates import today
from xianfeng.members.models import Category, Status
from xianfeng.members.queries import counts_as_of

from .. import domain
from ..forms import (
    AsOfForm,
    OrgCreateForm,
    OrgForm,
    apply_form,
    changed_values,
    child_kinds,
    org_initial,
    sibling_kinds,
)
from ..models import LEADERSHIP_KINDS, Org, SeatRole
from ..queries import children_with_counts, get_org_for_user
from .common import breadcrumb, page_or_fragment, redirect_after_post
from .history import history_rows


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date]:
    form = AsOfForm(request.GET)
    day = form.cleaned_data["as_of"] if form.is_valid() else None
    return form, day or today()


def _counted(counts: dict[str, int], choices: list[tuple[str, Any]]) -> list[tuple[str, int]]:
    return [(str(label), counts.get(value, 0)) for value, label in choices]


def _counts(org: Org, day: dt.date) -> dict[str, Any]:
    counts = counts_as_of(org, day)
    statuses = [(v, label) for v, label in Status.choices if v != Status.LEFT]
    return {
        "by_status": _counted(counts.by_status, statuses),
        "by_category": _counted(counts.by_category, Category.choices),
        "total": counts.total,
    }


def _active_seats(org: Org) -> list[Any]:
    order = list(SeatRole.values)
    seats = org.seats.filter(ended_on__isnull=True).select_related("member")
    return sorted(seats, key=lambda seat: (order.index(seat.role), seat.started_on or dt.date.min))


def _actions(user: Any, org: Org) -> dict[str, bool]:
    active = org.dissolved_on is None
    editable = can_edit_org(user, org)
    return {
        "can_edit": editable,
        "can_add_child": active and can_admin_org(user, org) and bool(child_kinds(org)),
        "can_add_member": active and editable and org.holds_members,
        "has_leadership": org.kind in LEADERSHIP_KINDS,
    }


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    as_of_form, day = _as_of(request)
    context = {
        "org": org,
        "as_of_form": as_of_form,
        "as_of": day,
        **_counts(org, day),
        "breadcrumb": breadcrumb(request.user, org),
        "children": children_with_counts(org),
        "seats": _active_seats(org),
        "history": history_rows(org),
        **_actions(request.user, org),
    }
    return render(request, page_or_fragment(request, "orgs/detail.html", "counts"), context)


@login_required
def create(request: HttpRequest, code: str) -> HttpResponse:
    parent = get_org_for_user(request.user, code)
    if not can_admin_org(request.user, parent):
        raise PermissionDenied("只有该组织（或上级组织）的管理员可以新建下级组织")
    kinds = child_kinds(parent)
    if not kinds or parent.dissolved_on is not None:
        messages.error(request, f"“{parent.name}”之下不能再设下级组织")
        return redirect("orgs:detail", code=parent.code)
    form = OrgCreateForm(request.POST or None, kinds=kinds)
    if request.method == "POST":
        org = apply_form(
            form, lambda data: domain.create_org(parent=parent, by=request.user, **data)
        )
        if org is not None:
            messages.success(request, f"已新建“{org.name}”")
            return redirect_after_post(request, reverse("orgs:detail", args=[org.code]))
    context = {"form": form, "parent": parent, "breadcrumb": breadcrumb(request.user, parent)}
    return render(request, page_or_fragment(request, "orgs/form.html", "form"), context)


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    form = OrgForm(request.POST or None, initial=org_initial(org), kinds=sibling_kinds(org))
    if request.method == "POST":
        updated = apply_form(form, lambda _data: _update(request, org, form))
        if updated is not None:
            messages.success(request, "已保存")
            return redirect_after_post(request, reverse("orgs:detail", args=[org.code]))
        org.refresh_from_db()  # a refused update may have left new values on the instance
    context = {"form": form, "org": org, "breadcrumb": breadcrumb(request.user, org)}
    return render(request, page_or_fragment(request, "orgs/form.html", "form"), context)


def _update(request: HttpRequest, org: Org, form: OrgForm) -> Org:
    changes = changed_values(form)
    return domain.update_org(org=org, by=request.user, **changes) if changes else org
