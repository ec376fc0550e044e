"""An org's party-activity budget and spending (ORG-09)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.dates import today

from .. import domain
from ..forms import BudgetForm, SpendingForm, YearForm, apply_form
from ..models import Org
from ..queries import budget_years, get_org_for_user, spendings_in
from .common import back_to, breadcrumb, editable_org, page_or_fragment


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
        "breadcrumb": breadcrumb(request.user, org),
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
    org = editable_org(request, code)
    form = BudgetForm(request.POST)
    saved = apply_form(form, lambda data: domain.set_budget(org=org, by=request.user, **data))
    if saved is None:
        return render(
            request,
            "orgs/budget.html",
            _budget_context(request, org, today().year, budget_form=form),
        )
    text = f"已设定{saved.year}年度党建活动经费预算 {saved.amount} 元"
    return back_to(request, "orgs:budget", org, text, f"?year={saved.year}")


@login_required
@require_POST
def spending_add(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = SpendingForm(request.POST)
    saved = apply_form(form, lambda data: domain.record_spending(org=org, by=request.user, **data))
    if saved is None:
        return render(
            request,
            "orgs/budget.html",
            _budget_context(request, org, today().year, spending_form=form),
        )
    text = f"已登记支出 {saved.amount} 元"
    return back_to(request, "orgs:budget", org, text, f"?year={saved.spent_on.year}")
