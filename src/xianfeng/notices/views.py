"""The inbox page: the user's own notices, marking one (htmx) or all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import domain
from .queries import get_notice_for_user, notices_for, unread_count

PER_PAGE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notices_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "unread": unread_count(request.user)}
    return render(request, "notices/inbox.html", context)


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = domain.mark_read(get_notice_for_user(request.user, pk), request.user)
    if request.htmx:  # type: ignore[attr-defined]
        context = {"notice": notice, "unread": unread_count(request.user), "oob": True}
        return render(request, "notices/inbox.html#notice", context)
    return redirect("notices:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = domain.mark_all_read(request.user)
    if count:
        messages.success(request, gettext("已将 %(count)d 条通知标为已读") % {"count": count})
    return redirect("notices:inbox")
