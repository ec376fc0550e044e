"""Reads of the findings pages: an org's current findings, the items that hold their keys,
and the items of re-inspections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from xianfeng.compliance.models import Finding
from xianfeng.compliance.queries import scope_findings

from ..models import Item, ItemStatus, Reinspection


def current_findings(
    user: Any, org: Any, *, rule: str = "", severity: str = ""
) -> QuerySet[Finding]:
    """The current findings of `org`'s subtree in the user's scope (each from the latest
    run covering it), by rule and severity when given."""
    findings = scope_findings(user, org)
    if rule:
        findings = findings.filter(rule=rule)
    if severity:
        findings = findings.filter(severity=severity)
    return findings


def items_by_key(keys: Iterable[str]) -> dict[str, Item]:
    """Finding key → the item that holds it: the unfinished one, else the latest accepted
    (one query)."""
    keys = list(set(keys))
    if not keys:
        return {}
    unfinished = Case(
        When(status=ItemStatus.ACCEPTED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Item.objects.filter(finding_key__in=keys)
        .annotate(accepted_last=unfinished)
        .order_by("accepted_last", "-pk")
        .only("pk", "finding_key", "status", "title", "deadline", "finding_cleared_on")
    )
    found: dict[str, Item] = {}
    for item in rows:
        found.setdefault(item.finding_key, item)
    return found


def reinspection_items(records: Iterable[Reinspection]) -> dict[int, Item]:
    """The sampled items of the re-inspections, by id (one query)."""
    ids = {pk for record in records for pk in record.sample}
    rows = Item.objects.filter(pk__in=ids).select_related("org")
    return {item.pk: item for item in rows}
