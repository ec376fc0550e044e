"""A member's dues (DUES-01): each month of a year — what is owed and why (the bracket and
the base), what was paid, its reversals — with, for whoever keeps the member's dues, the
forms to declare a base, set a dues kind, record payments (one month, several months, an
extra payment), reverse one, propose a reduction and agree to quarterly payment.

A member sees their own (`me`); officers see the members of their scope. Declared bases
follow `permissions.may_see_bases`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import is_org_in_scope
from xianfeng.lib.dates import add_months, today
from xianfeng.members.models import Member
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.views import breadcrumb, redirect_after_post

from ..domain import declarations, payments, reductions
from ..forms import (
    ArrangementForm,
    DeclareForm,
    ExtraForm,
    KindForm,
    PaymentForm,
    PeriodForm,
    ReductionForm,
    ReverseForm,
)
from ..models import Payment
from ..permissions import may_see_bases
from ..queries.access import get_kept_member, get_kept_payment
from ..queries.lines import member_year
from .common import can_keep

FORMS: dict[str, Callable[..., Any]] = {
    "declare_form": DeclareForm,
    "kind_form": KindForm,
    "pay_form": PaymentForm,
    "extra_form": ExtraForm,
    "reduction_form": ReductionForm,
    "quarterly_form": ArrangementForm,
}


@login_required
def me(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None:
        return render(request, "members/me_missing.html", status=404)
    return _page(request, get_member_for_user(request.user, member.code))


@login_required
def member_dues(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, get_member_for_user(request.user, code))


def _page(
    request: HttpRequest, member: Member, status: int = 200, year: int = 0, **forms: Any
) -> HttpResponse:
    period = PeriodForm(request.GET)
    wanted = period.month_or_none()  # ?month=2025-06: the pay form open on that month
    year = year or (wanted.year if wanted else period.year_or(today().year))
    keeps = can_keep(request, member.org)
    context = {
        "member": member,
        "ledger": member_year(member, year, visible=may_see_bases(request.user, member)),
        "can_keep": keeps,
        "in_scope": member.org is not None and is_org_in_scope(request.user, member.org),
        "breadcrumb": breadcrumb(request.user, member.org) if member.org else [],
        "reverse_errors": forms.pop("reverse_errors", None),
    }
    if keeps:
        context.update({name: forms.get(name) or form() for name, form in FORMS.items()})
        context["pay_open"] = wanted is not None
        context["pay_form"].initial.setdefault("month", wanted or _pay_month(year))
        if context["ledger"].declare_from and not context["declare_form"].is_bound:
            context["declare_form"].initial["period"] = context["ledger"].declare_from
    return render(request, "dues/member.html", context, status=status)


def _pay_month(year: int) -> dt.date:
    month = today().replace(day=1)
    return dt.date(year, 1, 1) if year != month.year else month


def _done(request: HttpRequest, member: Member, text: str, year: int) -> HttpResponse:
    messages.success(request, text)
    url = reverse("dues:member", args=[member.code])
    return redirect_after_post(request, f"{url}?year={year}")


def _write(
    request: HttpRequest, code: str, name: str, action: Callable[..., Any], text: str
) -> HttpResponse:
    """Validate the form `name` and run the domain function `action(member=, by=, **data)`;
    the page again with the form's errors (400) when it refuses, else back to the member's
    page with `text`."""
    member = get_kept_member(request.user, code)
    form = FORMS[name](request.POST)
    done = apply_form(form, lambda data: action(member=member, by=request.user, **data))
    if done is None:
        return _page(request, member, 400, **{name: form})
    return _done(request, member, text, _year_of(done))


def _year_of(record: Any) -> int:
    """The ledger year a saved record concerns (the page goes back to it)."""
    for name in ("month", "first_month", "started_on"):
        day = getattr(record, name, None)
        if day is not None:
            return int(day.year)
    return int(str(getattr(record, "period", ""))[:4] or today().year)


def _record_payments(
    *, member: Member, by: Any, month: dt.date, through: dt.date | None, **data: Any
) -> Any:
    """One month, or several months at once (advance or back payments): the first one."""
    if not through or through == month:
        return payments.record_payment(member=member, month=month, by=by, **data)
    data.pop("amount")
    months = [month]
    while months[-1] < through:
        months.append(add_months(months[-1], 1))
    return payments.record_months(member=member, months=months, by=by, **data)[0]


@login_required
@require_POST
def declare(request: HttpRequest, code: str) -> HttpResponse:
    return _write(request, code, "declare_form", declarations.declare_base, _("缴费基数已申报"))


@login_required
@require_POST
def set_kind(request: HttpRequest, code: str) -> HttpResponse:
    return _write(request, code, "kind_form", declarations.set_dues_kind, _("党费类别已保存"))


@login_required
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    return _write(request, code, "pay_form", _record_payments, _("党费已登记"))


@login_required
@require_POST
def extra(request: HttpRequest, code: str) -> HttpResponse:
    return _write(request, code, "extra_form", payments.record_extra, _("自愿多交党费已登记"))


@login_required
@require_POST
def propose(request: HttpRequest, code: str) -> HttpResponse:
    text = _("减免申请已提交上级党委审批")
    return _write(request, code, "reduction_form", reductions.propose_reduction, text)


@login_required
@require_POST
def quarterly(request: HttpRequest, code: str) -> HttpResponse:
    text = _("按季交纳已登记")
    return _write(request, code, "quarterly_form", reductions.arrange_quarterly, text)


@login_required
@require_POST
def reverse_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a payment with a reversing entry; the reason is required."""
    payment: Payment = get_kept_payment(request.user, pk)
    member = get_kept_member(request.user, payment.member.code)
    form = ReverseForm(request.POST)
    action = lambda data: payments.reverse_payment(payment=payment, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        errors = {"pk": payment.pk, "form": form}
        return _page(request, member, 400, payment.month.year, reverse_errors=errors)
    return _done(request, member, _("已冲正"), payment.month.year)
