"""Org pages (ORG-01, ORG-02): tree browser, org page, create and edit."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect
from simple_history.models import ModelChange

from xianfeng.accounts.permissions import can_admin_org, can_edit_org, is_org_in_scope
from xianfeng.lib.dates import today
from xianfeng.members.models import Category, Status
from xianfeng.members.queries import category_counts_as_of, status_counts_as_of

from . import domain
from .forms import (
    AsOfForm,
    ElectionForm,
    OrgCreateForm,
    OrgForm,
    OrgSearchForm,
    SeatEndForm,
    SeatForm,
    apply_form,
    changed_values,
    child_kinds,
    org_initial,
    sibling_kinds,
)
from .models import ELECTED_KINDS, Org, SeatRole
from .queries import (
    ancestors,
    children_with_counts,
    directory,
    get_org_for_user,
    holder_choices,
    leadership_of,
    orgs_for_user,
    scope_roots,
    search_orgs,
    seat_holder,
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


# --- leadership: seats, terms, vacancies (ORG-04, ORG-05) -------------------------------


def _editable_org(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


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
        "breadcrumb": _breadcrumb(request.user, org),
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
    org = _editable_org(request, code)
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
    org = _editable_org(request, code)
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
    org = _editable_org(request, code)
    form = ElectionForm(request.POST)
    term = apply_form(form, lambda data: domain.record_election(org=org, by=request.user, **data))
    if term is None:
        return _leadership_page(request, org, election_form=form)
    return _back(request, org, f"已登记 {term.elected_on} 的换届选举")
