"""Org pages (ORG-01, ORG-02): tree browser, org page, create and edit."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from simple_history.models import ModelChange

from xianfeng.accounts.permissions import can_admin_org, can_edit_org, is_org_in_scope
from xianfeng.lib.dates import today
from xianfeng.members.models import Category, Status
from xianfeng.members.queries import category_counts_as_of, status_counts_as_of

from . import domain
from .forms import (
    AsOfForm,
    OrgCreateForm,
    OrgForm,
    OrgSearchForm,
    apply_form,
    changed_values,
    child_kinds,
    org_initial,
    sibling_kinds,
)
from .models import Org, SeatRole
from .queries import (
    ancestors,
    children_with_counts,
    directory,
    get_org_for_user,
    orgs_for_user,
    scope_roots,
    search_orgs,
)

SEARCH_LIMIT = 50
HISTORY_LIMIT = 30
HISTORY_SKIP = {"id", "entered_at", "updated_at", "name_initials"}


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def page_or_fragment(request: HttpRequest, template: str, fragment: str) -> str:
    """The whole page, or only its named partial for an htmx request."""
    return f"{template}#{fragment}" if is_htmx(request) else template


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)


# --- history -----------------------------------------------------------------------------


def _model_field(model: type[Model], name: str) -> Field:
    return cast(Field, model._meta.get_field(name))


def _display(model: type[Model], field: str, value: Any) -> str:
    model_field = _model_field(model, field)
    if value in (None, "", []):
        return "（空）"
    if model_field.choices:
        labels = dict(model_field.flatchoices)
        if isinstance(value, list):
            return "、".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _change_text(model: type[Model], change: Any) -> str:
    field = _model_field(model, change.field)
    if field.is_relation:  # the row holds only the related pk
        return str(field.verbose_name)
    old, new = (_display(model, change.field, value) for value in (change.old, change.new))
    return f"{field.verbose_name}：{old} → {new}"


def history_rows(instance: Model, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The latest history rows of `instance` with who changed what (PLAT-02).

    One query: each row is diffed against the next older one fetched in the same batch.
    """
    model = type(instance)
    records = list(instance.history.select_related("history_user")[: limit + 1])  # type: ignore[attr-defined]
    rows = []
    for record, older in zip(records, [*records[1:], None], strict=False):
        rows.append({"record": record, "changes": _changes(model, record, older)})
    return rows[:limit]


def _changes(model: type[Model], record: Any, older: Any) -> list[str]:
    if record.history_type == "+":
        return ["新建"]
    if older is None:
        return []
    delta = record.diff_against(older, excluded_fields=HISTORY_SKIP)
    changes = [*delta.changes, *_non_editable_changes(record, older)]
    return [_change_text(model, change) for change in changes]


def _non_editable_changes(record: Any, older: Any) -> list[ModelChange]:
    """diff_against skips non-editable fields, e.g. the masked ID number."""
    names = [f.name for f in record.tracked_fields if not f.editable and f.name not in HISTORY_SKIP]
    return [
        ModelChange(name, getattr(older, name), getattr(record, name))
        for name in names
        if getattr(older, name) != getattr(record, name)
    ]


# --- tree browser ------------------------------------------------------------------------


def _ancestor_names(orgs: list[Org]) -> dict[int, list[str]]:
    """The names above each org, from one query over all their ancestor paths."""
    step = Org.steplen
    paths = {org.path[:i] for org in orgs for i in range(step, len(org.path), step)}
    names = dict(Org.objects.filter(path__in=paths).values_list("path", "name"))
    return {
        org.pk: [
            names[org.path[:i]] for i in range(step, len(org.path), step) if org.path[:i] in names
        ]
        for org in orgs
    }


def _search_results(request: HttpRequest, form: OrgSearchForm) -> list[Org] | None:
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return None
    found = search_orgs(orgs_for_user(request.user), form.cleaned_data["q"])
    if not form.cleaned_data["dissolved"]:
        found = found.filter(dissolved_on__isnull=True)
    results = list(found.order_by("path")[:SEARCH_LIMIT])
    paths = _ancestor_names(results)
    for org in results:
        org.ancestor_names = paths[org.pk]
    return results


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    form = OrgSearchForm(request.GET)
    results = _search_results(request, form)
    dissolved = form.is_valid() and form.cleaned_data["dissolved"]
    roots = [org for org in scope_roots(request.user) if dissolved or org.dissolved_on is None]
    context = {
        "form": form,
        "results": results,
        "roots": roots,
        "dissolved": dissolved,
        "search_limit": SEARCH_LIMIT,
    }
    return render(request, page_or_fragment(request, "orgs/tree.html", "browser"), context)


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    dissolved = request.GET.get("dissolved") == "1"
    nodes = [
        child for child in children_with_counts(org) if dissolved or child.dissolved_on is None
    ]
    return render(request, "orgs/tree.html#nodes", {"nodes": nodes, "dissolved": dissolved})


@login_required
def directory_search(request: HttpRequest) -> HttpResponse:
    """Branch-level orgs anywhere, code and name only: where a transfer may go (MEM-05)."""
    text = request.GET.get("q", "").strip()
    orgs = directory(text).only("code", "name") if text else []
    return render(request, "orgs/directory.html", {"orgs": orgs, "q": text})


# --- org page ----------------------------------------------------------------------------


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date]:
    form = AsOfForm(request.GET)
    day = form.cleaned_data["as_of"] if form.is_valid() else None
    return form, day or today()


def _counted(counts: dict[str, int], choices: list[tuple[str, Any]]) -> list[tuple[str, int]]:
    return [(str(label), counts.get(value, 0)) for value, label in choices]


def _counts(org: Org, day: dt.date) -> dict[str, Any]:
    by_status = status_counts_as_of(org, day)
    statuses = [(v, label) for v, label in Status.choices if v != Status.LEFT]
    return {
        "by_status": _counted(by_status, statuses),
        "by_category": _counted(category_counts_as_of(org, day), Category.choices),
        "total": sum(by_status.values()),
    }


def _active_seats(org: Org) -> list[Any]:
    order = list(SeatRole.values)
    seats = org.seats.filter(ended_on__isnull=True).select_related("member")
    return sorted(seats, key=lambda seat: (order.index(seat.role), seat.started_on or dt.date.min))


def _breadcrumb(user: Any, org: Org) -> list[tuple[Org, bool]]:
    return [(above, is_org_in_scope(user, above)) for above in ancestors(org)]


def _actions(user: Any, org: Org) -> dict[str, bool]:
    active = org.dissolved_on is None
    editable = can_edit_org(user, org)
    return {
        "can_edit": editable,
        "can_add_child": active and can_admin_org(user, org) and bool(child_kinds(org)),
        "can_add_member": active and editable and org.holds_members,
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
        "breadcrumb": _breadcrumb(request.user, org),
        "children": children_with_counts(org),
        "seats": _active_seats(org),
        "history": history_rows(org),
        **_actions(request.user, org),
    }
    return render(request, page_or_fragment(request, "orgs/detail.html", "counts"), context)


# --- create and edit ---------------------------------------------------------------------


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
    context = {"form": form, "parent": parent, "breadcrumb": _breadcrumb(request.user, parent)}
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
    context = {"form": form, "org": org, "breadcrumb": _breadcrumb(request.user, org)}
    return render(request, page_or_fragment(request, "orgs/form.html", "form"), context)


def _update(request: HttpRequest, org: Org, form: OrgForm) -> Org:
    changes = changed_values(form)
    return domain.update_org(org=org, by=request.user, **changes) if changes else org
