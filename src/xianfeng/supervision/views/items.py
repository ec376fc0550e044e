"""Item pages (TASK-01, TASK-02): my items (the responsible person's inbox, phone-first),
an org's lists with the new-item form, the item page with its timeline, files, history
and the actions the user may take, and the files' downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.scope import path_q
from xianfeng.core.downloads import file_response
from xianfeng.lib.dates import today
from xianfeng.members.models import Member, Status
from xianfeng.orgs.forms import add_domain_errors, apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import breadcrumb, history_rows, page_or_fragment, redirect_after_post

from .. import permissions
from ..domain import items as domain
from ..forms.items import (
    AcceptForm,
    DecideExtensionForm,
    ExtensionForm,
    ItemFilterForm,
    ItemForm,
    ReturnForm,
    StartForm,
    SubmitForm,
)
from ..models import Extension, Item, ItemKind, ItemStatus, Origin
from ..queries.items import (
    awaiting_own_orgs,
    counts_by,
    filter_items,
    get_extension_for_user,
    get_file_for_user,
    get_item_for_user,
    items_of,
    mine,
    overdue_before,
    with_names,
)

PAGE_SIZE = 30
MINE_LIMIT = 100
STATUS_LABELS: dict[str, str] = {str(v): str(label) for v, label in ItemStatus.choices}
KIND_LABELS: dict[str, str] = {str(v): str(label) for v, label in ItemKind.choices}
CHIPS: dict[str, str] = {
    ItemStatus.OPEN: "text-bg-secondary",
    ItemStatus.IN_PROGRESS: "text-bg-primary",
    ItemStatus.SUBMITTED: "text-bg-warning",
    ItemStatus.ACCEPTED: "text-bg-success",
}
CLEARED = "规则已不再报告此问题（自 {day} 起）"


def label_rows(items: Iterable[Item], day: dt.date, before: dt.date | None = None) -> list[Item]:
    """Each row's labels and link set once (no per-row reads or URL lookups): status chip,
    kind, days left (negative: overdue), whether it is overdue."""
    base = reverse("supervision:item", args=[0])[: -len("0/")]
    before = before or day
    rows = list(items)
    for item in rows:
        unfinished = item.status != ItemStatus.ACCEPTED
        item.status_label = STATUS_LABELS.get(item.status, item.status)  # type: ignore[attr-defined]
        item.chip = CHIPS.get(item.status, "text-bg-light")  # type: ignore[attr-defined]
        item.kind_label = KIND_LABELS.get(item.kind, item.kind)  # type: ignore[attr-defined]
        item.days_left = (item.deadline - day).days if unfinished else None  # type: ignore[attr-defined]
        item.days_late = -item.days_left if unfinished and item.days_left < 0 else 0  # type: ignore[attr-defined]
        item.is_overdue = unfinished and item.deadline < before  # type: ignore[attr-defined]
        item.url = f"{base}{item.pk}/"  # type: ignore[attr-defined]
    return rows


def page_of(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- my items -----------------------------------------------------------------------------


@login_required
def my_items(request: HttpRequest) -> HttpResponse:
    """The items the user acts for, and for officers the items of their own orgs that wait
    for action; the nearest deadline first."""
    day = today()
    own = with_names(mine(request.user)).order_by("deadline", "pk")[:MINE_LIMIT]
    orgs = with_names(awaiting_own_orgs(request.user)).order_by("deadline", "pk")[:MINE_LIMIT]
    context = {"own": label_rows(own, day), "orgs": label_rows(orgs, day), "today": day}
    return render(request, "supervision/items_mine.html", context)


# --- an org's lists ------------------------------------------------------------------------


@login_required
def org_items(request: HttpRequest, code: str) -> HttpResponse:
    """The problem, task and duty lists of an org's subtree, by kind, status and overdue."""
    org = get_org_for_user(request.user, code)
    day = today()
    before = overdue_before(org, day)
    form = ItemFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    found = filter_items(
        items_of(org),
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        overdue=bool(data.get("overdue")),
        day=day,
    )
    page = page_of(request, with_names(found).order_by("deadline", "pk"))
    page.object_list = label_rows(page.object_list, day, before)
    kinds = counts_by(items_of(org), "kind")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("kind", None)
    context = {
        "org": org,
        "form": form,
        "page_obj": page,
        "querystring": querystring(request),
        "kind_query": query.urlencode(),
        "kind": data.get("kind", ""),
        "tabs": [(v, label, kinds.get(v, 0)) for v, label in ItemKind.choices],
        "total": sum(kinds.values()),
        "can_create": permissions.may_manage(request.user, org) and org.dissolved_on is None,
        "breadcrumb": breadcrumb(request.user, org),
    }
    return render(
        request, page_or_fragment(request, "supervision/items_list.html", "list"), context
    )


def members_for_picker(org: Org, user: Any, limit: int = 300) -> list[tuple[str, str]]:
    """(code, name) of current members of `org`'s subtree in the user's scope."""
    members = (
        Member.objects.exclude(status=Status.LEFT)
        .filter(org__path__startswith=org.path)
        .filter(path_q(user, "org__path"))
        .order_by("code")
    )
    return list(members.values_list("code", "name")[:limit])


def _create(org: Org, user: Any, data: dict[str, Any]) -> Item:
    fields = {name: value for name, value in data.items() if name != "attachments"}
    return domain.create_item(org, by=user, files=data["attachments"], **fields)


@login_required
def item_new(request: HttpRequest, code: str) -> HttpResponse:
    """A new item of the org's list (admin or officer of the org or above)."""
    org = get_org_for_user(request.user, code)
    if not permissions.may_manage(request.user, org) or org.dissolved_on is not None:
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以新建清单事项")
    form = ItemForm(request.POST or None, request.FILES or None, initial={"kind": "problem"})
    if request.method == "POST":
        item = apply_form(form, lambda data: _create(org, request.user, data))
        if item is not None:
            messages.success(request, "已新建清单事项")
            return redirect_after_post(request, reverse("supervision:item", args=[item.pk]))
    context = {
        "form": form,
        "org": org,
        "members": members_for_picker(org, request.user),
        "breadcrumb": breadcrumb(request.user, org),
    }
    status = 400 if form.errors else 200
    return render(request, "supervision/items_form.html", context, status=status)


# --- the item page ----------------------------------------------------------------------


def _may(user: Any, item: Item) -> dict[str, bool]:
    unfinished = item.status != ItemStatus.ACCEPTED
    work = permissions.may_work_on(user, item) and unfinished
    review = permissions.may_review(user, item) and item.status == ItemStatus.SUBMITTED
    return {
        "can_start": work and item.status == ItemStatus.OPEN,
        "can_submit": work and item.status in (ItemStatus.OPEN, ItemStatus.IN_PROGRESS),
        "can_review": review,
        "can_extend": work,
        "can_decide": permissions.may_review(user, item, deciding_extension=True),
    }


def _origin(item: Item) -> dict[str, Any]:
    if item.origin != Origin.FINDING:
        return {}
    cleared = item.finding_cleared_on
    return {
        "rule": item.rule,
        "period": item.finding_period,
        "member": item.finding_member,
        "findings_url": reverse("compliance:org_findings", args=[item.org.code]),
        "cleared": CLEARED.format(day=f"{cleared:%Y-%m-%d}") if cleared else "",
        "still_reported": cleared is None,
    }


def _detail_context(request: HttpRequest, item: Item, **failed: Any) -> dict[str, Any]:
    day = today()
    [item] = label_rows([item], day, overdue_before(item.org, day))
    version = {"version": item.version}
    extensions = list(item.extensions.select_related("asked_by", "decided_by"))
    may = _may(request.user, item)
    pending = next((e for e in extensions if e.decision == Extension.Decision.PENDING), None)
    return {
        "item": item,
        "org": item.org,
        "origin": _origin(item),
        "steps": list(item.steps.select_related("by")),
        "files": list(item.files.all()),
        "extensions": extensions,
        "pending": pending,
        "history": history_rows(item),
        **may,
        "can_extend": may["can_extend"] and pending is None,
        "start_form": failed.get("start") or StartForm(initial=version),
        "submit_form": failed.get("submit") or SubmitForm(initial=version),
        "accept_form": failed.get("accept") or AcceptForm(initial=version),
        "return_form": failed.get("return") or ReturnForm(initial=version),
        "extension_form": failed.get("extension") or ExtensionForm(),
        "decide_form": failed.get("decide") or DecideExtensionForm(),
        "breadcrumb": breadcrumb(request.user, item.org),
    }


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, pk)
    return render(request, "supervision/items_detail.html", _detail_context(request, item))


def _seen(item: Item, data: dict[str, Any]) -> Item:
    """Act on the version the user saw (a stale page makes a conflict)."""
    if data.get("version") is not None:
        item.version = data["version"]
    return item


def _act(
    request: HttpRequest,
    item: Item,
    name: str,
    form: Any,
    action: Callable[[Item, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Run a domain action from a posted form: success → back to the item; refused →
    the item page with the form's errors (400); someone else acted first → 409."""
    status = 400
    if form.is_valid():
        try:
            action(_seen(item, form.cleaned_data), form.cleaned_data)
        except domain.Conflict as conflict:
            messages.error(request, "；".join(conflict.messages))
            status = 409
        except ValidationError as error:
            add_domain_errors(form, error)
            for message in form.errors.pop("__all__", []):  # the state, not a field
                messages.error(request, message)
        else:
            messages.success(request, done)
            return redirect_after_post(request, reverse("supervision:item", args=[item.pk]))
    item = get_item_for_user(request.user, item.pk)
    failed = {name: form} if status == 400 else {}
    context = _detail_context(request, item, **failed)
    return render(request, "supervision/items_detail.html", context, status=status)


def _workable(request: HttpRequest, pk: int) -> Item:
    item = get_item_for_user(request.user, pk)
    if not permissions.may_work_on(request.user, item):
        raise PermissionDenied("只有责任人或本组织的党务工作者可以办理该事项")
    return item


def _reviewable(request: HttpRequest, pk: int) -> Item:
    item = get_item_for_user(request.user, pk)
    if not permissions.may_review(request.user, item):
        if item.submitted_by_id == request.user.pk:
            raise PermissionDenied("提交人不能验收或退回自己提交的事项")
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以验收或退回")
    return item


@login_required
@require_POST
def item_start(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workable(request, pk)
    form = StartForm(request.POST)
    action = lambda it, _data: domain.start_item(it, by=request.user)  # noqa: E731
    return _act(request, item, "start", form, action, "已开始整改")


@login_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand in the evidence: text and files (each checked for size and type)."""
    item = _workable(request, pk)
    form = SubmitForm(request.POST, request.FILES)
    action = lambda it, data: domain.submit_item(  # noqa: E731
        it, evidence=data["evidence"], files=data["attachments"], by=request.user
    )
    return _act(request, item, "submit", form, action, "整改材料已提交，等待上级验收")


@login_required
@require_POST
def item_accept(request: HttpRequest, pk: int) -> HttpResponse:
    item = _reviewable(request, pk)
    form = AcceptForm(request.POST)
    action = lambda it, data: domain.accept_item(it, note=data["note"], by=request.user)  # noqa: E731
    return _act(request, item, "accept", form, action, "已验收销号")


@login_required
@require_POST
def item_return(request: HttpRequest, pk: int) -> HttpResponse:
    item = _reviewable(request, pk)
    form = ReturnForm(request.POST)
    action = lambda it, data: domain.return_item(it, reason=data["reason"], by=request.user)  # noqa: E731
    return _act(request, item, "return", form, action, "已退回整改")


@login_required
@require_POST
def item_extension(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a later deadline (延期申请)."""
    item = _workable(request, pk)
    form = ExtensionForm(request.POST)
    action = lambda it, data: domain.ask_extension(  # noqa: E731
        it, deadline=data["deadline"], reason=data["reason"], by=request.user
    )
    return _act(request, item, "extension", form, action, "延期申请已提交")


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant or refuse a deadline extension (the item's reviewer)."""
    extension = get_extension_for_user(request.user, pk)
    item = extension.item
    if not permissions.may_review(request.user, item, deciding_extension=True):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以审核延期申请")
    form = DecideExtensionForm(request.POST)
    action = lambda _it, data: domain.decide_extension(  # noqa: E731
        extension, grant=data["grant"], note=data["note"], by=request.user
    )
    return _act(request, item, "decide", form, action, "已审核延期申请")


@login_required
def item_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An item's attachment or evidence file, for those who may see the item."""
    record = get_file_for_user(request.user, pk)
    return file_response(request, record.file, filename=record.name)
