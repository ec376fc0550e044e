"""The yearly plan of organizational life and the subtree overview by meeting kind
(LIFE-02, LIFE-03, LIFE-05): pages, the "生成计划会议" button and their xlsx exports.

Every page fetches its org through `get_org_for_user` (out of scope: 404); viewers read,
writes need an admin or officer post (PermissionDenied otherwise).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org, is_org_in_scope
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import resolver
from xianfeng.core.history import current_via
from xianfeng.core.models import ExportRecord
from xianfeng.core.workbooks import write_rows
from xianfeng.lib.dates import Period, parse_period, today
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import ancestors, get_org_for_user
from xianfeng.orgs.views import redirect_after_post

from .models import MeetingKind
from .overview import OverviewRow, overview, sort_rows
from .planning import PLANNED_KINDS, PlanLine, plan_for, schedule_planned_meetings

PER_PAGE = 50
STATES = {
    "done": ("已完成", "success"),
    "planned": ("已计划", "info"),
    "open": ("待安排", "secondary"),
    "overdue": ("逾期未开", "danger"),
}
MONTHS = [f"{m}月" for m in range(1, 13)]


def _breadcrumb(user: Any, org: Org) -> list[tuple[Org, bool]]:
    return [(above, is_org_in_scope(user, above)) for above in ancestors(org)]


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404("年份超出范围")
    return year


def _plan(org: Org, year: int) -> list[PlanLine]:
    day = today()
    return plan_for(org, year, policy=resolver(day=day), calendar=Calendar(), as_of=day)


def _record_export(kind: str, org: Org, user: Any, rows: int) -> None:
    ExportRecord.objects.create(kind=kind, org=org, user=user, via=current_via(), rows=rows)


def _xlsx(handle: Any, name: str) -> FileResponse:
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=name)


# --- the yearly plan ---------------------------------------------------------------------


def _months(lines: list[PlanLine]) -> list[dict[str, Any]]:
    months: list[dict[str, Any]] = [
        {"number": n, "name": MONTHS[n - 1], "lines": []} for n in range(1, 13)
    ]
    for line in lines:
        months[line.month - 1]["lines"].append(line)
    return months


@login_required
def plan(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The org's yearly calendar of required meetings, month by month, done vs due."""
    org = get_org_for_user(request.user, code)
    lines = _plan(org, _year(year))
    states = {state: sum(1 for line in lines if line.state == state) for state in STATES}
    context = {
        "org": org,
        "year": year,
        "months": _months(lines),
        "lines": lines,
        "states": [(STATES[s][0], STATES[s][1], n) for s, n in states.items()],
        "state_names": STATES,
        "open_count": states["open"],
        "can_edit": can_edit_org(request.user, org) and org.dissolved_on is None,
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/plan.html", context)


@login_required
@require_POST
def plan_generate(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """生成计划会议: planned meetings for the plan's open items (idempotent)."""
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    created = schedule_planned_meetings(
        org=org,
        year=_year(year),
        policy=resolver(day=today()),
        calendar=Calendar(),
        by=request.user,
    )
    if created:
        messages.success(request, f"已生成计划会议 {len(created)} 个")
    else:
        messages.info(request, "没有需要生成的计划会议：待安排的会议均已计划或召开")
    return redirect_after_post(request, reverse("orglife:plan", args=[org.code, year]))


PLAN_HEADERS = [
    "组织编码",
    "组织名称",
    "会议类型",
    "期间",
    "应于",
    "应开次数",
    "已开",
    "已计划",
    "状态",
    "依据",
]


def _plan_rows(lines: list[PlanLine]) -> Any:
    for line in lines:
        item = line.item
        yield [
            line.org["code"],
            line.org["name"],
            item.kind_label,
            item.period_name,
            item.due,
            item.need,
            line.held,
            line.planned,
            STATES[line.state][0],
            item.rule,
        ]


@login_required
def plan_export(request: HttpRequest, code: str, year: int) -> FileResponse:
    """The yearly plan as .xlsx (recorded as an export)."""
    org = get_org_for_user(request.user, code)
    lines = _plan(org, _year(year))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    rows = write_rows(handle, f"{year}年度计划", PLAN_HEADERS, _plan_rows(lines), [0])
    _record_export("life_plan", org, request.user, rows)
    return _xlsx(handle, f"组织生活年度计划-{org.code}-{year}.xlsx")


# --- the subtree overview by meeting kind ------------------------------------------------


def _period(request: HttpRequest) -> Period:
    text = request.GET.get("period", "").strip() or str(today().year)
    try:
        return parse_period(text)
    except ValueError:
        return parse_period(str(today().year))


def _overview(request: HttpRequest, org: Org) -> tuple[Period, list[OverviewRow], list[str]]:
    period, day = _period(request), today()
    rows = overview(
        org,
        period,
        branches=request.GET.get("rows") == "branches",
        policy=resolver(day=min(day, period.end)),
        calendar=Calendar(),
        as_of=day,
    )
    kinds = [str(k) for k in PLANNED_KINDS if any(row.cells[k].total for row in rows)]
    return period, sort_rows(rows, request.GET.get("sort", "")), kinds


def _querystring(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


@login_required
def overview_page(request: HttpRequest, code: str) -> HttpResponse:
    """Rows (children, or every branch below) × meeting kinds: held vs required."""
    org = get_org_for_user(request.user, code)
    period, rows, kinds = _overview(request, org)
    sort = request.GET.get("sort", "")
    table = [{"org": row.org, "cells": [(k, row.cells[k]) for k in kinds]} for row in rows]
    page = Paginator(table, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "org": org,
        "period": period,
        "kinds": [(k, MeetingKind(k).label, f"-{k}" if sort != f"-{k}" else k) for k in kinds],
        "name_sort": "-name" if sort == "name" else "name",
        "page_obj": page,
        "branches": request.GET.get("rows") == "branches",
        "querystring": _querystring(request),
        "sort_query": _querystring(request, "sort"),
        "export_query": _querystring(request),
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/overview.html", context)


def _overview_rows(rows: list[OverviewRow], kinds: list[str]) -> Any:
    for row in rows:
        cells = [row.cells[k] for k in kinds]
        yield [
            row.org["code"],
            row.org["name"],
            *[value for c in cells for value in (c.held, c.required, c.total, c.short)],
        ]


@login_required
def overview_export(request: HttpRequest, code: str) -> FileResponse:
    """The overview as .xlsx, every row (recorded as an export)."""
    org = get_org_for_user(request.user, code)
    period, rows, kinds = _overview(request, org)
    headers = ["组织编码", "组织名称"]
    for kind in kinds:
        label = MeetingKind(kind).label
        headers += [f"{label}已开", f"{label}至今应开", f"{label}全期应开", f"{label}缺"]
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    count = write_rows(handle, period.label, headers, _overview_rows(rows, kinds), [0])
    _record_export("life_overview", org, request.user, count)
    return _xlsx(handle, f"组织生活统计-{org.code}-{period.label}.xlsx")
