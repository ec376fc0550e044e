"""The reviewer's queue (TASK-02): submitted items the user may accept or return, oldest
submission first; read set-wise (`queries.items.review_queue`), one page at a time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xianfeng.lib.dates import today
from xianfeng.orgs.views import page_or_fragment

from ..queries.items import review_queue
from .items import label_rows, page_of, querystring

# What a row shows: the queue reads nothing else (the whole city's items pass through it).
QUEUE_FIELDS = (
    "title",
    "kind",
    "status",
    "deadline",
    "submitted_at",
    "returned_count",
    "org__name",
    "responsible__name",
    "submitted_by__username",
    "submitted_by__first_name",
)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    items = (
        review_queue(request.user)
        .select_related("org", "responsible", "submitted_by")
        .only(*QUEUE_FIELDS)
        .order_by("submitted_at", "pk")
    )
    page = page_of(request, items)
    page.object_list = label_rows(page.object_list, today())
    context = {"page_obj": page, "querystring": querystring(request)}
    return render(
        request, page_or_fragment(request, "supervision/queue_list.html", "list"), context
    )
