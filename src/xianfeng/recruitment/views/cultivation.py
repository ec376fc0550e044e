"""Pages of the three cultivations (DEV-03 … DEV-05): the files of an org per track with
the sector focus and the leaders still without a pair, a file with its entries, and the
forms to open a file, add entries, pair a leader and end a file.

Orgs and files come through the scope helpers (404 outside the scope); writes are refused
with 403 to whoever may not make them (the domain checks again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xianfeng.lib.dates import today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import redirect_after_post
from xianfeng.orgs.views.common import breadcrumb

from ..domain import cultivation as domain
from ..forms.cultivation import EntryForm, FilterForm, OpenForm, PairForm, StatusForm
from ..models import Cultivation, CultivationStatus, Track
from ..permissions import may_manage
from ..queries.cultivation import (
    class_trainings,
    cultivations_of,
    get_cultivation_for_user,
    sector_focus,
    unpaired_leaders,
)

LIMIT = 500


def _managed(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied(_("您对该组织只有查看权限"))
    return org


def _managed_file(request: HttpRequest, pk: int) -> Cultivation:
    found = get_cultivation_for_user(request.user, pk)
    if not may_manage(request.user, found.org):
        raise PermissionDenied(_("您对该组织只有查看权限"))
    return found


@login_required
def cultivations(request: HttpRequest, code: str) -> HttpResponse:
    """The files of the org's subtree (filtered), with this year's trainings and theory
    sessions, the sector focus and, per track, the leaders without a pair."""
    org = get_org_for_user(request.user, code)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = today()
    year = data.get("year") or day.year
    rows = list(
        cultivations_of(org, track=data.get("track", ""), status=data.get("status", ""), year=year)[
            :LIMIT
        ]
    )
    classes = class_trainings([r.member_id for r in rows if r.member_id], year)
    for row in rows:
        row.trainings += classes.get(row.member_id or 0, 0)  # type: ignore[attr-defined]
    tracks = [data["track"]] if data.get("track") else list(Track.values)
    unpaired = [(Track(t).label, unpaired_leaders(org, t, day)) for t in tracks]
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "form": form,
        "rows": rows,
        "year": year,
        "focus": sector_focus(org, day),
        "unpaired": unpaired,
        "can_edit": may_manage(request.user, org),
    }
    return render(request, "recruitment/cultivation_list.html", context)


@login_required
def cultivation_new(request: HttpRequest, code: str) -> HttpResponse:
    org = _managed(request, code)
    form = OpenForm(request.POST or None, initial={"track": request.GET.get("track", "")})
    if request.method == "POST":
        action = lambda data: domain.open_cultivation(org=org, by=request.user, **data)  # noqa: E731
        created = apply_form(form, action)
        if created is not None:
            messages.success(request, _("培养档案已建立"))
            return redirect_after_post(
                request, reverse("recruitment:cultivation", args=[created.pk])
            )
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "form": form,
        "title": _("建立培养档案"),
    }
    return render(request, "recruitment/form.html", context, status=400 if form.errors else 200)


@login_required
def cultivation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_page(request, get_cultivation_for_user(request.user, pk))


def _file_page(
    request: HttpRequest, found: Cultivation, status: int = 200, **forms: Any
) -> HttpResponse:
    entries = found.entries.select_related("training_class").order_by("-on", "-pk")
    context = {
        "org": found.org,
        "breadcrumb": breadcrumb(request.user, found.org),
        "cultivation": found,
        "entries": entries,
        "is_active": found.status == CultivationStatus.ACTIVE,
        "can_edit": may_manage(request.user, found.org),
        "focus": sector_focus(found.org, today()),
        "entry_form": forms.get("entry_form") or EntryForm(),
        "status_form": forms.get("status_form") or StatusForm(),
        "pair_form": forms.get("pair_form")
        or PairForm(initial={"pair": found.pair.code if found.pair else ""}),
    }
    return render(request, "recruitment/cultivation_detail.html", context, status=status)


def _after(request: HttpRequest, found: Cultivation, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect_after_post(request, reverse("recruitment:cultivation", args=[found.pk]))


@login_required
@require_POST
def cultivation_entry(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_file(request, pk)
    form = EntryForm(request.POST)
    action = lambda data: domain.add_entry(cultivation=found, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _file_page(request, found, 400, entry_form=form)
    return _after(request, found, _("培养记录已添加"))


@login_required
@require_POST
def cultivation_status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_file(request, pk)
    form = StatusForm(request.POST)
    action = lambda data: domain.set_cultivation_status(  # noqa: E731
        cultivation=found, by=request.user, **data
    )
    if apply_form(form, action) is None:
        return _file_page(request, found, 400, status_form=form)
    return _after(request, found, _("培养状态已更新"))


@login_required
@require_POST
def cultivation_pair(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_file(request, pk)
    form = PairForm(request.POST)
    action = lambda data: domain.set_pair(cultivation=found, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _file_page(request, found, 400, pair_form=form)
    return _after(request, found, _("结对领导已保存"))
