"""Pages of the talent pool (DEV-07): the pool of an org with filters, the survey form,
an entry with its files and applications, and the moves out of the pool (into track (b),
into the pipeline as an applicant, leaving)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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

from ..domain import talent as domain
from ..forms.talent import (
    CultivateForm,
    EditForm,
    FilterForm,
    LeftForm,
    PipelineForm,
    TalentForm,
)
from ..models import TalentEntry, TalentStatus
from ..permissions import may_manage
from ..queries.talent import get_talent_for_user, talent_pool

PAGE_SIZE = 50


def _managed(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied(_("您对该组织只有查看权限"))
    return org


def _managed_entry(request: HttpRequest, pk: int) -> TalentEntry:
    entry = get_talent_for_user(request.user, pk)
    if not may_manage(request.user, entry.org):
        raise PermissionDenied(_("您对该组织只有查看权限"))
    return entry


@login_required
def talent_list(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = talent_pool(
        org,
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        tag=data.get("tag", ""),
        sector=data.get("sector", ""),
        text=data.get("q", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "form": form,
        "page_obj": page,
        "query": query.urlencode(),
        "tags": domain.talent_tags(org, today()),
        "can_edit": may_manage(request.user, org),
    }
    return render(request, "recruitment/talent_list.html", context)


def _form_page(request: HttpRequest, org: Org, form: Any, title: str) -> HttpResponse:
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "form": form,
        "title": title,
    }
    return render(request, "recruitment/form.html", context, status=400 if form.errors else 200)


@login_required
def talent_new(request: HttpRequest, code: str) -> HttpResponse:
    org = _managed(request, code)
    form = TalentForm(request.POST or None, tags=domain.talent_tags(org, today()))
    if request.method == "POST":
        action = lambda data: domain.register_talent(org=org, by=request.user, **data)  # noqa: E731
        created = apply_form(form, action)
        if created is not None:
            messages.success(request, _("已列入人才库"))
            return redirect_after_post(request, reverse("recruitment:talent", args=[created.pk]))
    return _form_page(request, org, form, _("人才库登记"))


@login_required
def talent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _managed_entry(request, pk)
    initial = {f: getattr(entry, f) for f in domain.EDITABLE}
    tags = domain.talent_tags(entry.org, entry.surveyed_on)
    form = EditForm(request.POST or None, initial=initial, tags=tags)
    if request.method == "POST":
        action = lambda data: domain.update_talent(entry=entry, by=request.user, **data)  # noqa: E731
        if apply_form(form, action) is not None:
            messages.success(request, _("已保存"))
            return redirect_after_post(request, reverse("recruitment:talent", args=[entry.pk]))
    return _form_page(request, entry.org, form, _("修改人才库人员"))


@login_required
def talent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, get_talent_for_user(request.user, pk))


def _entry_page(
    request: HttpRequest, entry: TalentEntry, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "org": entry.org,
        "breadcrumb": breadcrumb(request.user, entry.org),
        "entry": entry,
        "files": entry.cultivations.select_related("pair").order_by("-started_on"),
        "people": entry.people.order_by("applied_on"),
        "is_open": entry.status != TalentStatus.LEFT,
        "can_edit": may_manage(request.user, entry.org),
        "cultivate_form": forms.get("cultivate_form") or CultivateForm(),
        "pipeline_form": forms.get("pipeline_form") or PipelineForm(),
        "left_form": forms.get("left_form") or LeftForm(),
    }
    return render(request, "recruitment/talent_detail.html", context, status=status)


@login_required
@require_POST
def talent_cultivate(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _managed_entry(request, pk)
    form = CultivateForm(request.POST)
    action = lambda data: domain.cultivate_talent(entry=entry, by=request.user, **data)  # noqa: E731
    created = apply_form(form, action)
    if created is None:
        return _entry_page(request, entry, 400, cultivate_form=form)
    messages.success(request, _("已列入“把人才培养成党员”培养"))
    return redirect_after_post(request, reverse("recruitment:cultivation", args=[created.pk]))


@login_required
@require_POST
def talent_pipeline(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _managed_entry(request, pk)
    form = PipelineForm(request.POST)
    action = lambda data: domain.enter_pipeline(  # noqa: E731
        entry=entry, by=request.user, **form.applicant_data()
    )
    if apply_form(form, action) is None:
        return _entry_page(request, entry, 400, pipeline_form=form)
    messages.success(request, _("已登记为入党申请人"))
    return redirect_after_post(request, reverse("recruitment:talent", args=[entry.pk]))


@login_required
@require_POST
def talent_left(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _managed_entry(request, pk)
    form = LeftForm(request.POST)
    action = lambda data: domain.mark_left(entry=entry, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _entry_page(request, entry, 400, left_form=form)
    messages.success(request, _("已出库"))
    return redirect_after_post(request, reverse("recruitment:talent", args=[entry.pk]))
