"""Reads of the supervision rhythm (TASK-04): an upper org's calendar with done and
pending, who has and has not reported per quarter (set-wise), inspections and notices
within the user's scope (404 otherwise)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q
from xianfeng.compliance.policy import resolver
from xianfeng.orgs.models import Org, OrgKind

from ..models import (
    CalendarEntry,
    Inspection,
    InspectionNotice,
    InspectionTarget,
    Item,
    ProgressReport,
)

SECTORS = "supervision.progress.sectors"
KINDS = "supervision.progress.kinds"
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
# The kinds of org that owe quarterly reports when they are of a sector the policy names.
REPORTING_KINDS = (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


def owes_reports_q(sectors: Iterable[str], kinds: Iterable[str]) -> Q:
    """Orgs that owe quarterly reports: of a sector the policy names and a party
    committee, general branch or branch; and every org of a kind the policy names."""
    return Q(sector__in=list(sectors), kind__in=REPORTING_KINDS) | Q(kind__in=list(kinds))


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        return 0


def _one(queryset: QuerySet[Any], user: Any, pk: Any, field: str, what: str) -> Any:
    found = queryset.filter(path_q(user, field), pk=_int(pk)).first()
    if found is None:
        raise Http404(f"没有找到该{what}，或不在您的管理范围内")
    return found


def get_entry_for_user(user: Any, pk: Any) -> CalendarEntry:
    return _one(CalendarEntry.objects.select_related("org"), user, pk, "org__path", "日历事项")


def get_inspection_for_user(user: Any, pk: Any) -> Inspection:
    return _one(Inspection.objects.select_related("org"), user, pk, "org__path", "督查")


def get_target_for_user(user: Any, pk: Any) -> InspectionTarget:
    queryset = InspectionTarget.objects.select_related("inspection__org", "org")
    return _one(queryset, user, pk, "inspection__org__path", "督查对象")


def get_notice_for_user(user: Any, pk: Any) -> InspectionNotice:
    queryset = InspectionNotice.objects.select_related("org", "inspection")
    return _one(queryset, user, pk, "org__path", "督查通报")


def calendar_of(org: Org, year: int, day: dt.date) -> list[dict[str, Any]]:
    """The org's calendar entries of `year` with their state: done, due (date passed,
    not done) or pending."""
    rows = []
    for entry in CalendarEntry.objects.filter(org=org, year=year).order_by("date", "pk"):
        state = "done" if entry.done_on else ("due" if entry.date <= day else "pending")
        rows.append({"entry": entry, "state": state})
    return rows


def reporting_orgs(org: Org, day: dt.date) -> list[Org]:
    """The orgs of `org`'s subtree that owe quarterly reports under the policy."""
    policy = resolver(day=day)
    query = owes_reports_q(policy.value(SECTORS, org.path), policy.value(KINDS, org.path))
    rows = Org.objects.filter(query, path__startswith=org.path, dissolved_on__isnull=True)
    return list(rows.order_by("path"))


def progress_overview(org: Org, year: int, day: dt.date) -> list[dict[str, Any]]:
    """Per org owing reports: per quarter of `year` the report (or None). Two queries."""
    orgs = reporting_orgs(org, day)
    reports: dict[int, dict[str, Any]] = defaultdict(dict)
    for report in ProgressReport.objects.filter(
        org__in=[o.pk for o in orgs], period__startswith=f"{year}-Q"
    ):
        reports[report.org_id][report.period[-2:]] = report
    return [{"org": o, "quarters": [reports[o.pk].get(q) for q in QUARTERS]} for o in orgs]


def missing_counts(rows: list[dict[str, Any]]) -> list[int]:
    """Per quarter, how many orgs have not reported."""
    return [sum(1 for row in rows if row["quarters"][i] is None) for i in range(len(QUARTERS))]


def target_problems(inspection: Inspection) -> dict[int, list[Item]]:
    """org id → the problem items the inspection found there."""
    found: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(inspection=inspection).order_by("pk"):
        found[item.org_id].append(item)
    return found
