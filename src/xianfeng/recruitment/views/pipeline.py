"""The pipeline pages (DEV-01, DEV-02): people by stage, a person's record, its steps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views.common import breadcrumb

from ..models import Person


@login_required
def people(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    rows = Person.objects.filter(org__path__startswith=org.path).select_related("org")
    context = {"org": org, "breadcrumb": breadcrumb(request.user, org), "people": rows[:200]}
    return render(request, "recruitment/people.html", context)
