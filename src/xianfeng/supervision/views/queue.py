"""The reviewer's queue (TASK-02): submitted items the user may accept or return, oldest
submission first; read set-wise (`queries.items.review_queue`), one page at a time."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.lib.dates import today
from xianfeng.orgs.views import page_or_fragment

from ..models import Item
from ..queries.items import review_queue
from .items import label_rows, querystring

# A reviewer scans the oldest first: a short page is read on a phone and renders fast for
# the whole city's queue (bench supervision: p95 with 16 clients).
QUEUE_PAGE_SIZE = 20

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
    page = Paginator(items, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = describe(label_rows(page.object_list, today()))
    context = {"page_obj": page, "querystring": querystring(request)}
    return render(
        request, page_or_fragment(request, "supervision/queue_list.html", "list"), context
    )


def describe(rows: Iterable[Item]) -> list[Item]:
    """Each row's two lines of text made once in Python: the template only prints them
    (the queue is the one page every reviewer of the city opens)."""
    rows = list(rows)
    for item in rows:
        where = [str(item.kind_label), item.org.name]  # type: ignore[attr-defined]
        if item.responsible is not None:
            where.append(f"{_('责任人')} {item.responsible.name}")
        when = [f"{_('提交于')} {timezone.localtime(item.submitted_at):%Y-%m-%d %H:%M}"]
        if item.submitted_by is not None:
            when.append(item.submitted_by.display_name)
        when.append(f"{_('整改时限')} {item.deadline:%Y-%m-%d}")
        if item.returned_count:
            when.append(_("已退回 %(n)s 次") % {"n": item.returned_count})
        item.where_line = " · ".join(where)  # type: ignore[attr-defined]
        item.when_line = " · ".join(when)  # type: ignore[attr-defined]
    return rows
