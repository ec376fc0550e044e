"""Export of study records (STUDY-01) in the import sheet's columns plus where each row
comes from: the file re-imports as it is (a row matching a stored record of any source
writes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_rows

from .importers import StudyRecordImporter
from .models import StudyRecord

HEADERS = [
    "党员编号",
    "姓名",
    "学习日期",
    "课程",
    "学时",
    "来源平台",
    "党组织编码",
    "党组织",
    "来源",
    "认定状态",
    "导入批次",
]
TEXT_COLUMNS = (0, 6)


def record_rows(orgs: QuerySet[Any]) -> Iterator[list[Any]]:
    records = StudyRecord.objects.filter(org__in=orgs).select_related("member", "org")
    order = ("org__path", "member__code", "studied_on", "pk")
    for r in records.order_by(*order).iterator(chunk_size=5000):
        yield [
            r.member.code,
            r.member.name,
            r.studied_on,
            r.title,
            float(r.hours),
            r.note,
            r.org.code,
            r.org.name,
            r.get_source_display(),
            r.get_status_display(),
            r.batch,
        ]


def write_study_records(target: Path | IO[bytes], orgs: QuerySet[Any]) -> int:
    """The study records of `orgs` (one sheet named like the import sheet)."""
    return write_rows(target, StudyRecordImporter.title, HEADERS, record_rows(orgs), TEXT_COLUMNS)


def _write(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_study_records(target, scope.orgs())


EXPORTS = (Export("study_records", "学习记录", _write),)
