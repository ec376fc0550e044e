"""The treasurer's monthly screen (DUES-01): the branch's lines of a month with what each
member owes, a tick per member still owing and one save (`domain.payments.record_month`),
and the explicit closing of the month. Above a branch the same URL shows each child org's
sums for the month, each linking to its own screen."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xianfeng.lib.dates import add_months, today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import breadcrumb, redirect_after_post

from ..domain.common import chinese_month, month_label, policy_value
from ..domain.payments import close_month, record_month
from ..forms import MonthForm
from ..permissions import may_see_bases
from ..queries.access import get_kept_org, require_keeper
from ..queries.month import month_from_url, org_month
from ..queries.totals import org_totals
from ..rules.collection import close_deadline
from .common import Links, can_keep


def _url(org: Org, month: dt.date) -> str:
    return reverse("dues:month", args=[org.code, month_label(month)])


@login_required
def current(request: HttpRequest, code: str) -> HttpResponse:
    """This month's screen."""
    org = get_org_for_user(request.user, code)
    return redirect(_url(org, today().replace(day=1)))


@login_required
def month_screen(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """GET: the month; POST: the ticked members paid what they owe, in one save."""
    org = get_org_for_user(request.user, code)
    day = month_from_url(month)
    form = MonthForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_keeper(request.user, org)
        action = lambda data: record_month(org=org, month=day, by=request.user, **data)  # noqa: E731
        saved = apply_form(form, action)
        if saved is not None:
            text = _("已登记 {n} 名党员{month}的党费").format(
                n=len(saved), month=chinese_month(day)
            )
            messages.success(request, text)
            return redirect_after_post(request, _url(org, day))
    return _render(request, org, day, form)


def _render(request: HttpRequest, org: Org, day: dt.date, form: MonthForm) -> HttpResponse:
    user = request.user
    screen = org_month(org, day, lambda member: may_see_bases(user, member))
    links = Links()
    for line in screen.lines:
        line.url = links.at(links.member, line.due.member.code)
    ticked = set(request.POST.getlist("members")) if form.is_bound else set()
    context = {
        "org": org,
        "breadcrumb": breadcrumb(user, org),
        "month": day,
        "label": chinese_month(day),
        "previous": _url(org, add_months(day, -1)),
        "next": _url(org, add_months(day, 1)),
        "screen": screen,
        "form": form,
        "ticked": ticked,
        "can_keep": can_keep(request, org),
        "is_branch": org.holds_members,
        "children": [] if org.holds_members else org_totals(org, day.year, day).children,
        "deadline": close_deadline(day, policy_value("dues.close.days_after", org)),
    }
    return render(request, "dues/month.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def close(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """The branch officer closes the month (payments recorded)."""
    org = get_kept_org(request.user, code)
    day = month_from_url(month)
    try:
        close_month(org=org, month=day, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("{month}党费已结账").format(month=chinese_month(day)))
    return redirect_after_post(request, _url(org, day))
