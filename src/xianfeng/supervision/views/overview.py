"""The subtree overview (TASK-01): items by status and overdue per child org, sortable,
and its .xlsx download."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from xianfeng.core.history import current_via
from xianfeng.core.models import ExportRecord
from xianfeng.core.workbooks import write_rows
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import breadcrumb, page_or_fragment

from ..forms.items import OverviewForm
from ..models import ItemStatus
from ..queries.items import OverviewRow, overview, sort_overview

COLUMNS = [
    *((value, str(label)) for value, label in ItemStatus.choices),
    ("unfinished", "未销号"),
    ("overdue", "逾期"),
    ("total", "合计"),
]


def _rows(request: HttpRequest, org: Org) -> tuple[str, list[OverviewRow]]:
    form = OverviewForm(request.GET)
    sort = form.cleaned_data["sort"] if form.is_valid() else ""
    return sort, sort_overview(overview(org, today()), sort or "name")


def _header(sort: str) -> list[dict[str, Any]]:
    """Each column with the sort its header link sets (a second click reverses it)."""
    return [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if sort == key else key,
            "active": sort.lstrip("-") == key,
            "descending": sort.startswith("-"),
        }
        for key, label in [("name", "组织"), *COLUMNS]
    ]


def _links() -> Any:
    """A child's overview link without a URL lookup per row."""
    pattern = reverse("supervision:overview", args=["CODE"])
    return lambda row: pattern.replace("CODE", quote(row.code))


@login_required
def overview_page(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    sort, rows = _rows(request, org)
    url = _links()
    context = {
        "org": org,
        "rows": [(row, [row.counts.get(key, 0) for key, _ in COLUMNS], url(row)) for row in rows],
        "header": _header(sort),
        "sort": sort,
        "today": today(),
        "breadcrumb": breadcrumb(request.user, org),
    }
    template = page_or_fragment(request, "supervision/overview_page.html", "table")
    return render(request, template, context)


@login_required
def overview_export(request: HttpRequest, code: str) -> FileResponse:
    """The overview as .xlsx (recorded as an export)."""
    org = get_org_for_user(request.user, code)
    _sort, rows = _rows(request, org)
    headers = ["组织编码", "组织名称", *(label for _, label in COLUMNS)]
    lines = ([row.code, row.name, *(row.counts.get(key, 0) for key, _ in COLUMNS)] for row in rows)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    count = write_rows(handle, "清单督查统计", headers, lines, [0])
    user: Any = request.user
    ExportRecord.objects.create(
        kind="supervision_overview", org=org, user=user, via=current_via(), rows=count
    )
    handle.seek(0)
    name = f"清单督查统计-{org.code}-{today():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
