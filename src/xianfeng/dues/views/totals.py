"""Totals up the tree and the arrears list (DUES-01 item 7, DUES-02): an org's months of a
year and its child orgs' sums (a county sees its towns), each number linking to the list
behind it; the members of the subtree with consecutive unpaid months."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import breadcrumb

from ..domain.common import chinese_month, month_label
from ..forms import PeriodForm
from ..queries.arrears import arrears_of, last_month
from ..queries.totals import Sums, org_totals, this_month
from .common import Links, can_keep

ARREARS_LIMIT = 2000


@login_required
def totals(request: HttpRequest, code: str) -> HttpResponse:
    """?year=2025 (this year) and ?month=2025-06 (the children's sums for that month)."""
    org = get_org_for_user(request.user, code)
    form = PeriodForm(request.GET)
    year = form.year_or(today().year)
    month = form.month_or_none()
    if month is not None:
        year = month.year
    table = org_totals(org, year, month)
    links = Links()
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "year": year,
        "month": month,
        "month_label": chinese_month(month) if month else "",
        "table": table,
        "months": [_month_row(links, org, day, sums) for day, sums in table.months],
        "children": [_child_row(links, child, sums, year, month) for child, sums in table.children],
        "arrears_url": links.at(links.arrears, org.code),
        "can_keep": can_keep(request, org),
    }
    return render(request, "dues/totals.html", context)


def _month_row(links: Links, org: Org, day: dt.date, sums: Sums) -> dict[str, Any]:
    """A month of the year: a branch's numbers open its month's screen; above a branch,
    the children's sums of that month."""
    if org.holds_members:
        url = links.at(links.month, org.code, day)
    else:
        url = links.at(links.totals, org.code) + f"?month={month_label(day)}"
    return {"month": day, "sums": sums, "url": url, "ended": day < this_month()}


def _child_row(
    links: Links, child: Org, sums: Sums, year: int, month: dt.date | None
) -> dict[str, Any]:
    period = f"?month={month_label(month)}" if month else f"?year={year}"
    url = links.at(links.totals, child.code) + period
    if month is not None and child.holds_members:
        url = links.at(links.month, child.code, month)
    return {
        "org": child,
        "sums": sums,
        "name_url": links.at(links.totals, child.code) + period,
        "url": url,
        "arrears_url": links.at(links.arrears, child.code),
    }


@login_required
def arrears(request: HttpRequest, code: str) -> HttpResponse:
    """?min=3: only runs of at least three months."""
    org = get_org_for_user(request.user, code)
    raw = request.GET.get("min", "")
    least = int(raw) if raw.isdigit() and 0 < int(raw) <= 24 else 1
    rows = arrears_of(org, min_months=least)
    links = Links()
    for row in rows[:ARREARS_LIMIT]:
        row.url = links.at(links.member, row.code)
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "rows": rows[:ARREARS_LIMIT],
        "show_owed": can_keep(request, org),  # worked out from bases: keepers only
        "more": max(len(rows) - ARREARS_LIMIT, 0),
        "least": least,
        "last": chinese_month(last_month()),
    }
    return render(request, "dues/arrears.html", context)
