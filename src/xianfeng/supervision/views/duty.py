"""Pages of the three-level duty lists (TASK-03): the upper org's template editor with
its publish button and the progress per org; an org's own duty list per level."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.accounts.scope import path_q
from xianfeng.lib.dates import today
from xianfeng.orgs.forms import add_domain_errors, apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views.common import breadcrumb, editable_org, redirect_after_post

from ..domain import duty as domain
from ..forms.duty import PublishForm, TemplateForm, TemplateItemForm, YearForm
from ..models import DutyLevel, DutyTemplateItem
from ..queries import duty as queries


def _year(request: HttpRequest) -> int:
    return YearForm(request.GET or request.POST).year_or(today().year)


def _page(
    request: HttpRequest, org: Org, year: int, status: int = 200, **forms: Any
) -> HttpResponse:
    template = queries.template_of(org, year)
    can_edit = can_edit_org(request.user, org)
    initial = {"year": year}
    context = {
        "org": org,
        "year": year,
        "breadcrumb": breadcrumb(request.user, org),
        "template": template,
        "levels": [
            (str(DutyLevel(level).label), duties)
            for level, duties in queries.template_items(template).items()
        ],
        "progress": queries.progress(template) if template else [],
        "level_names": [str(label) for label in DutyLevel.labels],
        "can_edit": can_edit,
        "template_form": forms.get("template_form")
        or TemplateForm(initial={**initial, "title": template.title if template else ""}),
        "item_form": forms.get("item_form") or TemplateItemForm(initial=initial),
        "publish_form": forms.get("publish_form") or PublishForm(initial=initial),
    }
    return render(request, "supervision/duty_template.html", context, status=status)


def _back(request: HttpRequest, org: Org, year: int, text: str) -> HttpResponse:
    messages.success(request, text)
    url = reverse("supervision:duty_template", args=[org.code]) + f"?year={year}"
    return redirect_after_post(request, url)


@login_required
def duty_template(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the year's template and the progress per org; POST: save its title."""
    org = get_org_for_user(request.user, code)
    if request.method != "POST":
        return _page(request, org, _year(request))
    org = editable_org(request, code)
    form = TemplateForm(request.POST)
    action = lambda data: domain.save_template(  # noqa: E731
        org, year=data["year"], title=data["title"], by=request.user
    )
    template = apply_form(form, action)
    if template is None:
        return _page(request, org, _year(request), status=400, template_form=form)
    return _back(request, org, template.year, "责任清单模板已保存")


@login_required
@require_POST
def duty_item_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = TemplateItemForm(request.POST)

    def action(data: dict[str, Any]) -> Any:
        template = queries.template_of(org, data["year"]) or domain.save_template(
            org, year=data["year"], title="", by=request.user
        )
        return domain.add_template_item(
            template,
            level=data["level"],
            title=data["title"],
            description=data["description"],
            due=data["due"],
            by=request.user,
        )

    item = apply_form(form, action)
    if item is None:
        return _page(request, org, _year(request), status=400, item_form=form)
    return _back(request, org, item.template.year, "责任事项已添加")


@login_required
@require_POST
def duty_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = (
        DutyTemplateItem.objects.select_related("template__org")
        .filter(path_q(request.user, "template__org__path"), pk=pk)
        .first()
    )
    if item is None:
        raise Http404("没有找到该责任事项，或不在您的管理范围内")
    org = editable_org(request, item.template.org.code)
    domain.remove_template_item(item, by=request.user)
    return _back(request, org, item.template.year, "责任事项已删除")


@login_required
@require_POST
def duty_publish(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = PublishForm(request.POST)
    if form.is_valid():
        template = queries.template_of(org, form.cleaned_data["year"])
        try:
            if template is None:
                raise ValidationError({"year": "该年度还没有责任清单模板"})
            made = domain.publish_template(template, by=request.user)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            return _back(request, org, template.year, f"已发布，新增责任清单事项 {made} 项")
    return _page(request, org, _year(request), status=400, publish_form=form)


@login_required
def duty_list(request: HttpRequest, code: str) -> HttpResponse:
    """The org's own duty list of a year, per level."""
    org = get_org_for_user(request.user, code)
    year = _year(request)
    context = {
        "org": org,
        "year": year,
        "breadcrumb": breadcrumb(request.user, org),
        "levels": queries.duty_list(org, year),
    }
    return render(request, "supervision/duty_list.html", context)
