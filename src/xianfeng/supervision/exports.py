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
from django.utils import timezone

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets

from .importers import DUTY_COLUMNS, ITEM_COLUMNS, DutyTemplateImporter, ItemImporter
from .models import DutyLevel, DutyTemplateItem, Item, ItemKind, ItemStatus, Origin

CHUNK = 5000
ITEM_FIELDS = (
    "org__code",
    "org__name",
    "kind",
    "title",
    "description",
    "origin",
    "rule",
    "finding_period",
    "responsible__code",
    "responsible__name",
    "reviewer_org__code",
    "deadline",
    "status",
    "returned_count",
    "created_on",
    "accepted_at",
)
KINDS = dict(ItemKind.choices)
ORIGINS = dict(Origin.choices)
STATUSES = dict(ItemStatus.choices)
LEVELS = dict(DutyLevel.choices)


def _items(orgs: QuerySet[Any]) -> QuerySet[Item]:
    return Item.objects.filter(org__in=orgs)


def _local(moment: Any) -> Any:
    """An aware time as the wall-clock time of the site (a workbook has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def item_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = _items(orgs).order_by("org__path", "created_on", "pk").values_list(*ITEM_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        values = dict(zip(ITEM_FIELDS, row, strict=True))
        yield {
            "org": values["org__code"],
            "org_name": values["org__name"],
            "kind": str(KINDS[values["kind"]]),
            "title": values["title"],
            "description": values["description"],
            "origin": str(ORIGINS[values["origin"]]),
            "rule": values["rule"],
            "finding_period": values["finding_period"],
            "responsible": values["responsible__code"] or "",
            "responsible_name": values["responsible__name"] or "",
            "reviewer_org": values["reviewer_org__code"],
            "deadline": values["deadline"],
            "status": str(STATUSES[values["status"]]),
            "returned_count": values["returned_count"],
            "created_on": values["created_on"],
            "accepted_at": _local(values["accepted_at"]),
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
)


def duty_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = (
        DutyTemplateItem.objects.filter(template__org__in=orgs)
        .order_by("template__org__path", "template__year", "order", "pk")
        .values_list(*DUTY_FIELDS)
    )
    for org, year, template, level, title, description, due, order in rows.iterator(
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
    Export("supervision_items", "清单事项", _write_items, _count_items),
)
