"""Exports of supervision in the import sheets' columns (PLAT-03 round trip): the items of
the problem, task and duty lists (清单事项) and the rows of the duty-list templates
(责任清单模板). Rows are read as `values_list` in chunks with the orgs' and members' codes
and names joined (no query per row) and streamed; each file re-imports as it is (a row
matching a stored record writes nothing). Members are named by code and name, as in the
other exports; no ID number is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.accounts.importers import moment_text
from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets

from . import restore
from .exports_records import RECORD_EXPORTS
from .importers import DUTY_COLUMNS, ITEM_COLUMNS, DutyTemplateImporter, ItemImporter
from .models import DutyLevel, DutyTemplateItem, Item, ItemKind, ItemStatus, Origin

CHUNK = 5000
ITEM_FIELDS = (
    "pk",
    "org__code",
    "org__name",
    "kind",
    "title",
    "description",
    "origin",
    "rule",
    "finding_period",
    "finding_key",
    "finding_member__code",
    "finding_cleared_on",
    "inspection_id",
    "duty_template_item__template__org__code",
    "duty_template_item__template__year",
    "duty_template_item__title",
    "duty_level",
    "year",
    "responsible__code",
    "responsible__name",
    "responsible_user__username",
    "reviewer_org__code",
    "deadline",
    "status",
    "evidence",
    "submitted_at",
    "submitted_by__username",
    "returned_count",
    "reopened_count",
    "created_on",
    "created_by__username",
    "accepted_at",
    "accepted_by__username",
    "accept_note",
)
KINDS = dict(ItemKind.choices)
ORIGINS = dict(Origin.choices)
STATUSES = dict(ItemStatus.choices)
LEVELS = dict(DutyLevel.choices)


def _items(orgs: QuerySet[Any]) -> QuerySet[Item]:
    return Item.objects.filter(org__in=orgs)


def item_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    numbers = restore.item_numbers(_items(orgs))
    inspections = restore.inspection_numbers()
    rows = _items(orgs).order_by("org__path", "created_on", "pk").values_list(*ITEM_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        v = dict(zip(ITEM_FIELDS, row, strict=True))
        yield {
            "number": numbers[v["pk"]],
            "org": v["org__code"],
            "org_name": v["org__name"],
            "kind": str(KINDS[v["kind"]]),
            "title": v["title"],
            "description": v["description"],
            "origin": str(ORIGINS[v["origin"]]),
            "rule": v["rule"],
            "finding_period": v["finding_period"],
            "finding_key": v["finding_key"],
            "finding_member": v["finding_member__code"] or "",
            "finding_cleared_on": v["finding_cleared_on"],
            "inspection": inspections.get(v["inspection_id"], ""),
            "duty_org": v["duty_template_item__template__org__code"] or "",
            "duty_year": v["duty_template_item__template__year"],
            "duty_title": v["duty_template_item__title"] or "",
            "duty_level": str(LEVELS[v["duty_level"]]) if v["duty_level"] else "",
            "year": v["year"],
            "responsible": v["responsible__code"] or "",
            "responsible_name": v["responsible__name"] or "",
            "responsible_user": v["responsible_user__username"] or "",
            "reviewer_org": v["reviewer_org__code"],
            "deadline": v["deadline"],
            "status": str(STATUSES[v["status"]]),
            "evidence": v["evidence"],
            "submitted_at": moment_text(v["submitted_at"]),
            "submitted_by": v["submitted_by__username"] or "",
            "returned_count": v["returned_count"],
            "reopened_count": v["reopened_count"],
            "created_on": v["created_on"],
            "created_by": v["created_by__username"] or "",
            "accepted_at": moment_text(v["accepted_at"]),
            "accepted_by": v["accepted_by__username"] or "",
            "accept_note": v["accept_note"],
        }


DUTY_FIELDS = (
    "template__org__code",
    "template__year",
    "template__title",
    "level",
    "title",
    "description",
    "due",
    "order",
    "template__published_at",
    "template__created_by__username",
)


def duty_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = (
        DutyTemplateItem.objects.filter(template__org__in=orgs)
        .order_by("template__org__path", "template__year", "order", "pk")
        .values_list(*DUTY_FIELDS)
    )
    for org, year, template, level, title, description, due, order, at, by in rows.iterator(
        chunk_size=CHUNK
    ):
        yield {
            "org": org,
            "year": year,
            "template_title": template,
            "level": str(LEVELS[level]),
            "title": title,
            "description": description,
            "due": due,
            "order": order,
            "published_at": moment_text(at),
            "created_by": by or "",
        }


def _write_items(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = item_rows(scope.orgs())
    return write_sheets(target, [(ItemImporter.title, ITEM_COLUMNS, rows)])


def _count_items(scope: ExportScope) -> int:
    return _items(scope.orgs()).count()


def _write_duties(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = duty_rows(scope.orgs())
    return write_sheets(target, [(DutyTemplateImporter.title, DUTY_COLUMNS, rows)])


EXPORTS = (
    Export("duty_templates", "责任清单模板", _write_duties),
    *RECORD_EXPORTS[:3],  # inspections, their targets and notices: before the items
    Export("supervision_items", "清单事项", _write_items, _count_items),
    *RECORD_EXPORTS[3:],
)
