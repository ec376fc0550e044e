"""Hardship reductions waiting for a decision (DUES-01 item 4): the proposals of the orgs
below the user's, and the committee's approval or refusal (never the proposing branch)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.views import redirect_after_post

from ..domain.reductions import decide_reduction
from ..forms import DecideForm
from ..models import ReductionState
from ..queries.access import get_decidable_reduction, pending_reductions

LIMIT = 500


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    return _render(request)


def _render(request: HttpRequest, errors: dict | None = None) -> HttpResponse:
    rows = list(pending_reductions(request.user)[:LIMIT])
    context = {"rows": rows, "errors": errors}
    return render(request, "dues/reductions.html", context, status=400 if errors else 200)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    reduction = get_decidable_reduction(request.user, pk)
    form = DecideForm(request.POST)
    action = lambda data: decide_reduction(reduction=reduction, by=request.user, **data)  # noqa: E731
    decided = apply_form(form, action)
    if decided is None:
        return _render(request, {"pk": reduction.pk, "form": form})
    text = _("已批准") if decided.state == ReductionState.APPROVED else _("已不予批准")
    messages.success(request, text)
    return redirect_after_post(request, reverse("dues:reductions"))
