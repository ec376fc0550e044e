"""Reads of the three-level duty lists (TASK-03): a template's duties per level, the
progress per org (set-wise), an org's own duty list per level."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from xianfeng.orgs.models import Org

from ..models import DutyLevel, DutyTemplate, DutyTemplateItem, Item, ItemKind, ItemStatus

DONE = (ItemStatus.SUBMITTED, ItemStatus.ACCEPTED)


def template_of(org: Org, year: int) -> DutyTemplate | None:
    return DutyTemplate.objects.filter(org=org, year=year).first()


def template_items(template: DutyTemplate | None) -> dict[str, list[DutyTemplateItem]]:
    """level → the template's duties at that level, in order (every level present)."""
    found: dict[str, list[DutyTemplateItem]] = {level: [] for level in DutyLevel.values}
    if template is not None:
        for item in template.items.order_by("order", "pk"):
            found[item.level].append(item)
    return found


def progress(template: DutyTemplate) -> list[dict[str, Any]]:
    """Per org that holds the template's items: per level the items done (submitted or
    accepted) and in all, and the org's totals. One query."""
    rows = (
        Item.objects.filter(duty_template_item__template=template)
        .values("org_id", "org__code", "org__name", "org__path", "duty_level")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)))
        .order_by("org__path")
    )
    orgs: dict[int, dict[str, Any]] = {}
    for row in rows:
        org = orgs.setdefault(
            row["org_id"],
            {
                "code": row["org__code"],
                "name": row["org__name"],
                "levels": {level: (0, 0) for level in DutyLevel.values},
                "done": 0,
                "total": 0,
            },
        )
        org["levels"][row["duty_level"]] = (row["done"], row["total"])
        org["done"] += row["done"]
        org["total"] += row["total"]
    found = list(orgs.values())
    for org in found:
        org["level_list"] = [org["levels"][level] for level in DutyLevel.values]
    return found


def duty_list(org: Org, year: int) -> list[tuple[str, list[Item]]]:
    """The org's own duty items of `year` per level (label, items), every level shown."""
    items = (
        Item.objects.filter(org=org, kind=ItemKind.DUTY, year=year)
        .select_related("responsible", "responsible_user")
        .order_by("deadline", "pk")
    )
    grouped: dict[str, list[Item]] = {level: [] for level in DutyLevel.values}
    for item in items:
        grouped.setdefault(item.duty_level or DutyLevel.SECRETARY, []).append(item)
    return [(str(DutyLevel(level).label), grouped[level]) for level in DutyLevel.values]
