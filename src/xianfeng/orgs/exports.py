"""Org export rows in the import template's columns (round trip, PLAT-03)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from .importers import COLUMNS
from .models import Org

HEADERS = [column.label for column in COLUMNS]
TEXT_COLUMNS = [i for i, column in enumerate(COLUMNS) if column.text]


def org_rows(orgs: QuerySet[Org]) -> Iterator[list[Any]]:
    """One row per org, parents before children; the parent by code."""
    code_by_path = dict(Org.objects.values_list("path", "code"))
    for org in orgs.order_by("path").iterator(chunk_size=2000):
        yield [
            org.code,
            org.name,
            code_by_path.get(org.path[: -Org.steplen], ""),
            org.get_kind_display(),
            org.get_level_display(),
            org.get_sector_display() if org.sector else "",
            org.unit_name,
            org.unit_headcount,
            org.region_code,
            org.founded_on,
            org.dissolved_on,
        ]
