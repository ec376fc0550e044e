"""The subtree overview of the pipeline (DEV-01): per child org the people by stage and
the admissions of the year, with totals, in one grouped query."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xianfeng.lib.dates import today
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import breadcrumb

from ..models import Stage
from ..queries.counts import overview as overview_rows


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    year = today().year
    rows, totals = overview_rows(org, year)
    context = {
        "org": org,
        "year": year,
        "stages": [label for _value, label in Stage.choices],
        "rows": rows,
        "totals": totals,
        "breadcrumb": breadcrumb(request.user, org),
    }
    return render(request, "recruitment/overview.html", context)
