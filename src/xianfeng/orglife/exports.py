"""Export of organizational life in the import sheets' columns (PLAT-03 round trip): one
workbook with the held meetings (组织生活, 会议编号 = the meeting's id) and their
attendance (出勤) referring to them, so the file re-imports as it is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.importing import Column
from xianfeng.core.workbooks import export_cell

from .importers import (
    AFFAIRS_COLUMNS,
    ATTENDANCE_COLUMNS,
    MEETING_COLUMNS,
    AffairsImporter,
    AttendanceImporter,
    MeetingImporter,
)
from .models import AffairsRecord, Attendance, Meeting, MeetingStatus


def held_meetings_of(orgs: QuerySet[Any]) -> QuerySet[Meeting]:
    return Meeting.objects.filter(org__in=orgs, status=MeetingStatus.HELD, held_on__isnull=False)


def meeting_rows(meetings: QuerySet[Meeting]) -> Iterator[dict[str, Any]]:
    related = meetings.select_related("org", "host", "lecturer")
    for meeting in related.order_by("org__path", "held_on", "pk").iterator(chunk_size=2000):
        yield {
            "key": str(meeting.pk),
            "org": meeting.org.code,
            "kind": meeting.get_kind_display(),
            "held_on": meeting.held_on,
            "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "",
            "for_period": meeting.for_period,
            "topic": meeting.topic,
            "place": meeting.place,
            "host": meeting.host.code if meeting.host else "",
            "lecturer": meeting.lecturer.code if meeting.lecturer else "",
            "lecturer_name": meeting.lecturer_name,
            "off_day_reason": meeting.off_day_reason,
            "minutes": meeting.minutes,
        }


def attendance_rows(meetings: QuerySet[Meeting]) -> Iterator[dict[str, Any]]:
    rows = Attendance.objects.filter(meeting__in=meetings).select_related("meeting", "member")
    order = ("meeting__org__path", "meeting__held_on", "meeting_id", "member__code")
    for row in rows.order_by(*order).iterator(chunk_size=5000):
        yield {
            "key": str(row.meeting_id),
            "member": row.member.code,
            "name": row.member.name,
            "status": row.get_status_display(),
        }


def write_meetings(target: Path | IO[bytes], orgs: QuerySet[Any]) -> int:
    """The held meetings of `orgs` and their attendance, two sheets; returns the rows."""
    meetings = held_meetings_of(orgs)
    book = Workbook(write_only=True)
    count = _sheet(book, MeetingImporter.title, MEETING_COLUMNS, meeting_rows(meetings))
    count += _sheet(book, AttendanceImporter.title, ATTENDANCE_COLUMNS, attendance_rows(meetings))
    book.save(target)
    return count


def affairs_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    records = AffairsRecord.objects.filter(org__in=orgs).select_related("org")
    for record in records.order_by("org__path", "period", "kind", "pk").iterator(chunk_size=2000):
        yield {
            "org": record.org.code,
            "kind": record.get_kind_display(),
            "period": record.period,
            "done_on": record.done_on,
            "summary": record.summary,
        }


def write_affairs(target: Path | IO[bytes], orgs: QuerySet[Any]) -> int:
    """The party-affairs records of `orgs` (LIFE-07, LIFE-08), one sheet; returns the rows."""
    book = Workbook(write_only=True)
    count = _sheet(book, AffairsImporter.title, AFFAIRS_COLUMNS, affairs_rows(orgs))
    book.save(target)
    return count


def _sheet(book: Workbook, title: str, columns: tuple[Column, ...], records: Any) -> int:
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    sheet.append([export_cell(sheet, c.label, font=bold) for c in columns])
    count = 0
    for record in records:
        sheet.append([export_cell(sheet, record.get(c.key), text=c.text) for c in columns])
        count += 1
    return count


def _meetings(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_meetings(target, scope.orgs())


def _affairs(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_affairs(target, scope.orgs())


EXPORTS = (
    Export("meetings", "组织生活（含出勤）", _meetings),
    Export("affairs", "党务公开", _affairs),
)
