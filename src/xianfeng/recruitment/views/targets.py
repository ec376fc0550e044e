"""Pages of the yearly targets (DEV-06): an org's own targets against the sum of those it
set for its children (a warning where they fall short), the form to set a child's target
(the root sets its own), and the targets-vs-progress table of the org's subtree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from xianfeng.lib.dates import today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import redirect_after_post
from xianfeng.orgs.views.common import breadcrumb

from ..domain import targets as domain
from ..forms.targets import TargetForm, YearForm
from ..models import TargetKind
from ..permissions import may_manage
from ..queries.progress import progress_table
from ..queries.targets import KINDS, decomposition, progress_cells


@login_required
def targets(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the year's decomposition; POST: set a child's target (or the root's own)."""
    org = get_org_for_user(request.user, code)
    year = YearForm(request.GET).year_or(today().year)
    can_set = may_manage(request.user, org)
    form = TargetForm(request.POST or None, initial={"year": year})
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied(_("年度目标由上级党组织的管理员、党务工作者下达"))
        action = lambda data: domain.set_target(setter=org, by=request.user, **data)  # noqa: E731
        saved = apply_form(form, action)
        if saved is not None:
            messages.success(request, _("年度目标已保存"))
            url = reverse("recruitment:targets", args=[org.code]) + f"?year={saved.year}"
            return redirect_after_post(request, url)
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "year": year,
        "kinds": [TargetKind(k).label for k in KINDS],
        "table": decomposition(org, year),
        "form": form,
        "can_set": can_set,
        "is_root": org.is_root(),
    }
    return render(request, "recruitment/targets.html", context, status=400 if form.errors else 200)


@login_required
def progress(request: HttpRequest, code: str) -> HttpResponse:
    """Targets against progress of the org's subtree for a year, per child org, and the
    talent ratio against the policy's target (`queries.progress.progress_table`)."""
    org = get_org_for_user(request.user, code)
    year = YearForm(request.GET).year_or(today().year)
    table = progress_table(org, year)
    context = {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "year": year,
        "table": table,
        "rows": [progress_cells(row, table) for row in [*table.rows, table.total]],
    }
    return render(request, "recruitment/targets_progress.html", context)
