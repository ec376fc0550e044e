"""Org pages (ORG-01, ORG-02): tree browser, org page, create and edit."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
    BudgetForm,
    ContactPointForm,
    ElectionForm,
    EndDateForm,
    ExtensionForm,
    OrgCreateForm,
    OrgForm,
    OrgSearchForm,
    SeatEndForm,
    SeatForm,
    SpendingForm,
    StaffPostForm,
    VenueCloseForm,
    VenueForm,
    VisitForm,
    YearForm,
    apply_form,
    changed_values,
    child_kinds,
    org_initial,
    sibling_kinds,
    venue_initial,
)
from .models import ELECTED_KINDS, LEADERSHIP_KINDS, Org, SeatRole
from .permissions import can_approve_term_extension
from .queries import (
    ancestors,
    budget_years,
    children_with_counts,
    contact_leader,
    contact_point_of,
    contact_points_of,
    contact_target,
    contact_targets,
    current_leaders,
    directory,
    extension_approvals,
    extension_due,
    get_org_for_user,
    holder_choices,
    leadership_of,
    orgs_for_user,
    scope_roots,
    search_orgs,
    seat_holder,
    spendings_in,
    staff_post_of,
    staff_posts_of,
    unit_staffing,
    venue_of,
    venues_of,
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


# --- contact points (ORG-07) -------------------------------------------------------------


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
        "breadcrumb": _breadcrumb(request.user, org),
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


def _back_to(request: HttpRequest, page: str, org: Org, text: str, query: str = "") -> HttpResponse:
    messages.success(request, text)
    return redirect_after_post(request, reverse(page, args=[org.code]) + query)


@login_required
def contacts(request: HttpRequest, code: str) -> HttpResponse:
    """Leaders of an org with their contact points and visits (ORG-07)."""
    return _contacts_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def contact_add(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable_org(request, code)
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
    return _back_to(request, "orgs:contacts", org, f"已建立联系点：{point}")


@login_required
@require_POST
def contact_end(request: HttpRequest, code: str, point_id: int) -> HttpResponse:
    org = _editable_org(request, code)
    point = contact_point_of(org, point_id)
    form = EndDateForm(request.POST)
    ended = apply_form(
        form,
        lambda data: domain.end_contact_point(point, ended_on=data["ended_on"], by=request.user),
    )
    if ended is None:
        return _contacts_page(request, org, end_form=form, end_point_id=point.pk)
    return _back_to(request, "orgs:contacts", org, f"联系点“{point}”已结束")


@login_required
@require_POST
def visit_add(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable_org(request, code)
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
    return _back_to(request, "orgs:contacts", org, f"已登记{visit.get_kind_display()}")


# --- venues and party-affairs staff (ORG-08) ----------------------------------------------


def _venues_context(request: HttpRequest, org: Org, **forms: Any) -> dict[str, Any]:
    from xianfeng.compliance.policy import resolver

    day = today()
    editable = can_edit_org(request.user, org) and org.dissolved_on is None
    return {
        "org": org,
        "as_of": day,
        "breadcrumb": _breadcrumb(request.user, org),
        **venues_of(org, day),
        "staff": staff_posts_of(org, day),
        "unit": unit_staffing(org, day, resolver(day=day)),
        "can_edit": editable,
        "members": holder_choices(org) if editable else [],
        "venue_form": forms.get("venue_form") or VenueForm(),
        "close_form": forms.get("close_form") or VenueCloseForm(),
        "close_venue_id": forms.get("close_venue_id"),
        "staff_form": forms.get("staff_form") or StaffPostForm(),
        "end_form": forms.get("end_form") or EndDateForm(),
        "end_post_id": forms.get("end_post_id"),
    }


def _venues_page(request: HttpRequest, org: Org, **forms: Any) -> HttpResponse:
    return render(request, "orgs/venues.html", _venues_context(request, org, **forms))


@login_required
def venues(request: HttpRequest, code: str) -> HttpResponse:
    """An org's activity venues ("六有") and party-affairs staff (ORG-08)."""
    return _venues_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def venue_add(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable_org(request, code)
    form = VenueForm(request.POST)
    venue = apply_form(form, lambda data: domain.save_venue(org=org, by=request.user, **data))
    if venue is None:
        return _venues_page(request, org, venue_form=form)
    return _back_to(request, "orgs:venues", org, f"已登记活动阵地“{venue.name}”")


@login_required
def venue_edit(request: HttpRequest, code: str, venue_id: int) -> HttpResponse:
    org = _editable_org(request, code)
    venue = venue_of(org, venue_id)
    form = VenueForm(request.POST or None, initial=venue_initial(venue))
    if request.method == "POST":
        saved = apply_form(
            form,
            lambda _data: domain.save_venue(
                org=org, venue=venue, by=request.user, **changed_values(form)
            ),
        )
        if saved is not None:
            return _back_to(request, "orgs:venues", org, f"已保存活动阵地“{saved.name}”")
        venue.refresh_from_db()
    context = {
        "org": org,
        "venue": venue,
        "form": form,
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, page_or_fragment(request, "orgs/venue_form.html", "form"), context)


@login_required
@require_POST
def venue_close(request: HttpRequest, code: str, venue_id: int) -> HttpResponse:
    org = _editable_org(request, code)
    venue = venue_of(org, venue_id)
    form = VenueCloseForm(request.POST)
    closed = apply_form(
        form,
        lambda data: domain.save_venue(
            org=org, venue=venue, closed_on=data["closed_on"], by=request.user
        ),
    )
    if closed is None:
        return _venues_page(request, org, close_form=form, close_venue_id=venue.pk)
    return _back_to(request, "orgs:venues", org, f"活动阵地“{venue.name}”已停用")


def _staff_member(org: Org, code: str) -> Any:
    return seat_holder(org, code) if code.strip() else None


@login_required
@require_POST
def staff_add(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable_org(request, code)
    form = StaffPostForm(request.POST)

    def add(data: dict[str, Any]) -> Any:
        return domain.add_staff_post(
            org=org,
            name=data["name"],
            member=_staff_member(org, data["member"]),
            position=data["position"],
            full_time=data["full_time"],
            started_on=data["started_on"],
            by=request.user,
        )

    post = apply_form(form, add)
    if post is None:
        return _venues_page(request, org, staff_form=form)
    kind = "专职" if post.full_time else "兼职"
    return _back_to(request, "orgs:venues", org, f"已登记{kind}党务干部 {post.name}")


@login_required
@require_POST
def staff_end(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    org = _editable_org(request, code)
    post = staff_post_of(org, post_id)
    form = EndDateForm(request.POST)
    ended = apply_form(
        form, lambda data: domain.end_staff_post(post, ended_on=data["ended_on"], by=request.user)
    )
    if ended is None:
        return _venues_page(request, org, end_form=form, end_post_id=post.pk)
    return _back_to(request, "orgs:venues", org, f"已登记 {post.name} 离岗")


# --- party-activity budget (ORG-09) -------------------------------------------------------


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET)
    year = form.cleaned_data["year"] if form.is_valid() else None
    return year or today().year


def _budget_context(request: HttpRequest, org: Org, year: int, **forms: Any) -> dict[str, Any]:
    day = today()
    rows = budget_years(org, day)
    editable = can_edit_org(request.user, org) and org.dissolved_on is None
    return {
        "org": org,
        "as_of": day,
        "breadcrumb": _breadcrumb(request.user, org),
        "rows": rows,
        "year": year,
        "chosen": next((row for row in rows if row["year"] == year), None),
        "spendings": spendings_in(org, year),
        "can_edit": editable,
        "budget_form": forms.get("budget_form") or BudgetForm(initial={"year": year}),
        "spending_form": forms.get("spending_form") or SpendingForm(),
    }


def _budget_page(request: HttpRequest, org: Org, year: int, **forms: Any) -> HttpResponse:
    context = _budget_context(request, org, year, **forms)
    return render(request, page_or_fragment(request, "orgs/budget.html", "year"), context)


@login_required
def budget(request: HttpRequest, code: str) -> HttpResponse:
    """Per year: budget, the policy's standard, spending and balance; one year's payments."""
    return _budget_page(request, get_org_for_user(request.user, code), _year(request))


@login_required
@require_POST
def budget_set(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable_org(request, code)
    form = BudgetForm(request.POST)
    saved = apply_form(form, lambda data: domain.set_budget(org=org, by=request.user, **data))
    if saved is None:
        return render(
            request,
            "orgs/budget.html",
            _budget_context(request, org, today().year, budget_form=form),
        )
    text = f"已设定{saved.year}年度党建活动经费预算 {saved.amount} 元"
    return _back_to(request, "orgs:budget", org, text, f"?year={saved.year}")


@login_required
@require_POST
def spending_add(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable_org(request, code)
    form = SpendingForm(request.POST)
    saved = apply_form(form, lambda data: domain.record_spending(org=org, by=request.user, **data))
    if saved is None:
        return render(
            request,
            "orgs/budget.html",
            _budget_context(request, org, today().year, spending_form=form),
        )
    text = f"已登记支出 {saved.amount} 元"
    return _back_to(request, "orgs:budget", org, text, f"?year={saved.spent_on.year}")
