"""The tree browser and the org directory (ORG-01, MEM-05)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..forms import OrgSearchForm
from ..models import Org
from ..queries import (
    children_with_counts,
    directory,
    get_org_for_user,
    orgs_for_user,
    scope_roots,
    search_orgs,
)
from .common import page_or_fragment

SEARCH_LIMIT = 50


def _ancestor_names(orgs: list[Org]) -> dict[int, list[str]]:
    """The names above each org, from one query over all their ancestor paths."""
    step = Org.steplen
    paths = {org.path[:i] for org in orgs for i in range(step, len(org.path), step)}
    names = dict(Org.objects.filter(path__in=paths).values_list("path", "name"))
    return {
        org.pk: [
            names[org.path[:i]] for i in range(step, len(org.path), step) if org.path[:i] in names
        ]
        for org in orgs
    }


def _search_results(request: HttpRequest, form: OrgSearchForm) -> list[Org] | None:
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return None
    found = search_orgs(orgs_for_user(request.user), form.cleaned_data["q"])
    if not form.cleaned_data["dissolved"]:
        found = found.filter(dissolved_on__isnull=True)
    results = list(found.order_by("path")[:SEARCH_LIMIT])
    paths = _ancestor_names(results)
    for org in results:
        org.ancestor_names = paths[org.pk]
    return results


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    form = OrgSearchForm(request.GET)
    results = _search_results(request, form)
    dissolved = form.is_valid() and form.cleaned_data["dissolved"]
    roots = [org for org in scope_roots(request.user) if dissolved or org.dissolved_on is None]
    context = {
        "form": form,
        "results": results,
        "roots": roots,
        "dissolved": dissolved,
        "search_limit": SEARCH_LIMIT,
    }
    return render(request, page_or_fragment(request, "orgs/tree.html", "browser"), context)


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    dissolved = request.GET.get("dissolved") == "1"
    nodes = [
        child for child in children_with_counts(org) if dissolved or child.dissolved_on is None
    ]
    return render(request, "orgs/tree.html#nodes", {"nodes": nodes, "dissolved": dissolved})


@login_required
def directory_search(request: HttpRequest) -> HttpResponse:
    """Branch-level orgs anywhere, code and name only: where a transfer may go (MEM-05)."""
    text = request.GET.get("q", "").strip()
    orgs = directory(text).only("code", "name") if text else []
    return render(request, "orgs/directory.html", {"orgs": orgs, "q": text})
