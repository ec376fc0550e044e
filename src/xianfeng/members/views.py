"""Member pages (MEM-01, MEM-02) and transfer pages (MEM-05)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Field
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org, can_view_identifiers, is_org_in_scope
from xianfeng.core.hooks import hook
from xianfeng.lib.cipher import IdKeyMismatch
from xianfeng.lib.dates import today
from xianfeng.orgs.forms import apply_form, changed_values
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import history_rows, is_htmx, page_or_fragment, redirect_after_post

from . import domain
from .forms import (
    MemberCreateForm,
    MemberEditForm,
    MemberFilterForm,
    NoteForm,
    ReceiveForm,
    SendTransferForm,
    StatusForm,
    TransferFilterForm,
    member_initial,
)
from .models import Flag, Member, Transfer, TransferStatus
from .queries import (
    filter_members,
    get_member_for_user,
    get_transfer_for_user,
    inbox,
    members_for_user,
    outbox,
    pending_count,
)

PER_PAGE = 50
LABELLED = ("gender", "status", "category")  # choice fields the member list shows
DETAIL_FIELDS = (
    "code",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_masked",
    "education",
    "occupation",
    "phone",
    "joined_on",
    "full_on",
    "status",
    "status_since",
    "left_reason",
    "org",
    "party_group",
    "category",
    "flags",
    "leading_cadre",
    "entered_at",
    "updated_at",
)


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _editable_member(request: HttpRequest, code: str) -> Member:
    member = get_member_for_user(request.user, code)
    if not can_edit_org(request.user, member.org):
        raise PermissionDenied("您对该党员只有查看权限")
    return member


def _member_url(member: Member) -> str:
    return reverse("members:detail", args=[member.code])


# --- member list -------------------------------------------------------------------------


def _filter_org(request: HttpRequest, form: MemberFilterForm, code: str) -> Org | None:
    try:
        return get_org_for_user(request.user, code)
    except Http404 as error:
        form.add_error("org", str(error))
        return None


def _filtered(request: HttpRequest, form: MemberFilterForm) -> Any:
    form.is_valid()  # invalid filters are shown as errors and ignored
    data = dict(form.cleaned_data)
    org = _filter_org(request, form, data["org"]) if data.get("org") else None
    if data.get("org") and org is None:
        return None, Member.objects.none()
    members = filter_members(
        members_for_user(request.user),
        org=org,
        text=data.get("q", ""),
        status=data.get("status", ""),
        category=data.get("category", ""),
        include_left=data.get("include_left", False),
    )
    return org, members.order_by("org__path", "code")


def _field(name: str) -> Field:
    return cast(Field, Member._meta.get_field(name))


def _listed(members: list[Member]) -> list[Member]:
    """Each member of the page with its `url` and `<field>_label` for the listed choice
    fields: one URL reversal and one translation per label for the page, not per row
    (get_<field>_display rebuilds the field's choice map on every call)."""
    tables = {
        name: {value: str(label) for value, label in _field(name).flatchoices} for name in LABELLED
    }
    url = reverse("members:detail", args=["~"])  # "~" stays as it is in a path
    for member in members:
        member.url = url.replace("~", quote(member.code, safe=""))  # type: ignore[attr-defined]
        for name, table in tables.items():
            value = getattr(member, name)
            setattr(member, f"{name}_label", table.get(value, value))
    return members


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET)
    org, members = _filtered(request, form)
    page = Paginator(members, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _listed(list(page.object_list))
    context = {"form": form, "org": org, "page_obj": page, "querystring": _querystring(request)}
    return render(request, page_or_fragment(request, "members/list.html", "results"), context)


# --- member page -------------------------------------------------------------------------


def _value(member: Member, field: str) -> Any:
    value = getattr(member, field)
    if field in {"org", "party_group"}:
        return value.name if value else ""
    if field == "flags":
        return "、".join(str(Flag(flag).label) for flag in value if flag in Flag.values)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    display = getattr(member, f"get_{field}_display", None)
    return display() if display else value


def _field_rows(member: Member) -> list[dict[str, Any]]:
    return [
        {
            "name": field,
            "label": cast(Field, Member._meta.get_field(field)).verbose_name,
            "value": _value(member, field),
        }
        for field in DETAIL_FIELDS
    ]


def _transfer_rows(user: Any, member: Member) -> list[tuple[Transfer, bool]]:
    transfers = member.transfers.select_related("from_org", "to_org")
    return [
        (t, is_org_in_scope(user, t.from_org) or is_org_in_scope(user, t.to_org)) for t in transfers
    ]


def _editor_forms(member: Member) -> dict[str, Any]:
    return {
        "status_form": StatusForm(member=member, initial={"on": today()}),
        "transfer_form": SendTransferForm(initial={"sent_on": today()}),
    }


def _member_context(
    request: HttpRequest, member: Member, *, readonly: bool = False
) -> dict[str, Any]:
    user = request.user
    editable = not readonly and can_edit_org(user, member.org)
    context = {
        "member": member,
        "fields": _field_rows(member),
        "readonly": readonly,
        "spells": member.status_spells.all(),
        "placements": member.placements.select_related("org"),
        "transfers": _transfer_rows(user, member),
        "temporary": member.temporary_memberships.select_related("org"),
        "history": [] if readonly else history_rows(member),
        "can_edit": editable,
        "can_change": editable and not member.has_left,
        "can_reveal": not readonly and can_view_identifiers(user),
    }
    if context["can_change"]:
        context.update(_editor_forms(member))
    return context


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    member = get_member_for_user(request.user, code)
    readonly = not is_org_in_scope(request.user, member.org)  # a member viewing their own record
    context = _member_context(request, member, readonly=readonly)
    return render(request, "members/detail.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None:
        return render(request, "members/me_missing.html", status=404)
    member = get_member_for_user(request.user, member.code)
    return render(request, "members/detail.html", _member_context(request, member, readonly=True))


@never_cache
@login_required
@require_POST
def reveal_id(request: HttpRequest, code: str) -> HttpResponse:
    """The full ID number as a fragment; the domain checks the right and logs the view."""
    member = get_member_for_user(request.user, code)
    try:
        number = domain.reveal_id_number(member=member, user=request.user, purpose="党员详情页")
    except IdKeyMismatch as error:  # restored without its keys: say so in place, not a 500
        return HttpResponse(
            format_html('<span id="id-number" class="text-danger">{}</span>', error)
        )
    return render(request, "members/detail.html#id_number", {"member": member, "id_number": number})


# --- create and edit ---------------------------------------------------------------------


@login_required
def create(request: HttpRequest) -> HttpResponse:
    org = get_org_for_user(request.user, request.GET.get("org", ""))
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    form = MemberCreateForm(request.POST or None, org=org)
    if request.method == "POST":
        member = apply_form(
            form, lambda data: domain.register_member(org=org, by=request.user, **data)
        )
        if member is not None:
            messages.success(request, f"已登记党员{member.name}")
            return redirect_after_post(request, _member_url(member))
    context = {"form": form, "org": org, "title": f"在“{org.name}”登记党员"}
    return render(request, page_or_fragment(request, "members/form.html", "form"), context)


@login_required
def edit(request: HttpRequest, code: str) -> HttpResponse:
    member = _editable_member(request, code)
    form = MemberEditForm(request.POST or None, org=member.org, initial=member_initial(member))
    if request.method == "POST":
        saved = apply_form(form, lambda _data: _update(request, member, form))
        if saved is not None:
            messages.success(request, "已保存")
            return redirect_after_post(request, _member_url(member))
        member.refresh_from_db()  # a refused update may have left new values on the instance
    context = {
        "form": form,
        "org": member.org,
        "member": member,
        "title": f"编辑党员“{member.name}”",
    }
    return render(request, page_or_fragment(request, "members/form.html", "form"), context)


def _update(request: HttpRequest, member: Member, form: MemberEditForm) -> Member:
    changes = changed_values(form)
    return domain.update_member(member=member, by=request.user, **changes) if changes else member


@login_required
def change_status(request: HttpRequest, code: str) -> HttpResponse:
    member = _editable_member(request, code)
    form = StatusForm(request.POST or None, member=member, initial={"on": today()})
    if request.method == "POST":
        done = apply_form(
            form,
            lambda _data: domain.set_member_status(
                member=member, by=request.user, **form.status_data()
            ),
        )
        if done is not None:
            messages.success(request, f"党籍状态已变更为“{member.get_status_display()}”")
            return redirect_after_post(request, _member_url(member))
    return _action_page(request, "members/_status_form.html", member, status_form=form)


@login_required
def send_transfer(request: HttpRequest, code: str) -> HttpResponse:
    member = _editable_member(request, code)
    form = SendTransferForm(request.POST or None, initial={"sent_on": today()})
    if request.method == "POST":
        transfer = apply_form(
            form, lambda data: domain.send_transfer(member=member, by=request.user, **data)
        )
        if transfer is not None:
            messages.success(request, f"已转出，等待“{transfer.to_org.name}”接收")
            return redirect_after_post(
                request, reverse("members:transfer_detail", args=[transfer.pk])
            )
    return _action_page(request, "members/_transfer_form.html", member, transfer_form=form)


def _action_page(request: HttpRequest, fragment: str, member: Member, **forms: Any) -> HttpResponse:
    context = {"member": member, "fragment": fragment, **forms}
    return render(request, fragment if is_htmx(request) else "members/action.html", context)


# --- transfers ---------------------------------------------------------------------------


def _transfer_rows_for(user: Any, box: str, transfers: list[Transfer]) -> list[dict[str, Any]]:
    ids = [t.member_id for t in transfers]
    visible = set(members_for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        {"transfer": t, "member_visible": t.member_id in visible, **_answer_rights(user, t, box)}
        for t in transfers
    ]


def _answer_rights(user: Any, transfer: Transfer, box: str = "") -> dict[str, bool]:
    open_ = transfer.status == TransferStatus.IN_TRANSIT
    return {
        "can_answer": open_ and box != "out" and can_edit_org(user, transfer.to_org),
        "can_cancel": open_ and box != "in" and can_edit_org(user, transfer.from_org),
    }


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    form = TransferFilterForm(request.GET)
    form.is_valid()
    box = form.cleaned_data.get("box") or "in"
    rows = (inbox if box == "in" else outbox)(request.user)
    if form.cleaned_data.get("status"):
        rows = rows.filter(status=form.cleaned_data["status"])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "box": box,
        "page_obj": page,
        "querystring": _querystring(request),
        "rows": _transfer_rows_for(request.user, box, list(page)),
        "pending": pending_count(request.user),
        "today": today(),
        "next": request.get_full_path(),
    }
    return render(request, page_or_fragment(request, "members/transfers.html", "results"), context)


def _transfer_context(request: HttpRequest, transfer: Transfer, **forms: Any) -> dict[str, Any]:
    visible = members_for_user(request.user).filter(pk=transfer.member_id).exists()
    return {
        "transfer": transfer,
        "member": transfer.member,
        "member_visible": visible,
        "dues_paid_until": hook("dues_paid_until")(transfer.member_id),
        **_answer_rights(request.user, transfer),
        "receive_form": forms.get("receive") or ReceiveForm(initial={"received_on": today()}),
        "reject_form": forms.get("reject") or NoteForm(prefix="reject"),
        "cancel_form": forms.get("cancel") or NoteForm(prefix="cancel"),
    }


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for_user(request.user, pk)
    return render(request, "members/transfer_detail.html", _transfer_context(request, transfer))


def _acting_transfer(request: HttpRequest, pk: int, side: str) -> Transfer:
    transfer = get_transfer_for_user(request.user, pk)
    if not can_edit_org(request.user, getattr(transfer, side)):
        raise PermissionDenied("只有该方党组织的党务工作者或管理员可以办理")
    return transfer


def _after_answer(
    request: HttpRequest, transfer: Transfer, done: Any, text: str, **forms: Any
) -> HttpResponse:
    if done is None:
        context = _transfer_context(request, transfer, **forms)
        return render(request, "members/transfer_detail.html", context)
    messages.success(request, f"{transfer.member.name}的组织关系转接{text}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("members:transfer_detail", args=[transfer.pk])
    return redirect_after_post(request, target)


@login_required
@require_POST
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _acting_transfer(request, pk, "to_org")
    form = ReceiveForm(request.POST)
    done = apply_form(
        form, lambda data: domain.receive_transfer(transfer=transfer, by=request.user, **data)
    )
    return _after_answer(request, transfer, done, "已接收", receive=form)


@login_required
@require_POST
def transfer_reject(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _acting_transfer(request, pk, "to_org")
    form = NoteForm(request.POST, prefix="reject")
    done = apply_form(
        form, lambda data: domain.reject_transfer(transfer=transfer, by=request.user, **data)
    )
    return _after_answer(request, transfer, done, "已退回", reject=form)


@login_required
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _acting_transfer(request, pk, "from_org")
    form = NoteForm(request.POST, prefix="cancel")
    done = apply_form(
        form, lambda data: domain.cancel_transfer(transfer=transfer, by=request.user, **data)
    )
    return _after_answer(request, transfer, done, "已撤回", cancel=form)
