"""Export of organizational life in the import sheets' columns (PLAT-03 round trip): one
workbook with the meetings of every status (组织生活, 会议编号 = the meeting's id), their
attendance (出勤) and leave requests (请假) referring to them; lesson materials' metadata
and exemptions in their own workbooks; party-affairs records. Each re-imports as it is;
uploaded files (materials, attachments, affairs files) travel with backups only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets
from xianfeng.lib.cells import text_key

from .importers import (
    AFFAIRS_COLUMNS,
    ATTENDANCE_COLUMNS,
    LEAVE_COLUMNS,
    MEETING_COLUMNS,
    AffairsImporter,
    AttendanceImporter,
    LeaveImporter,
    MeetingImporter,
    meeting_key,
)
from .importers_records import (
    EXEMPTION_COLUMNS,
    MATERIAL_COLUMNS,
    ExemptionImporter,
    MaterialImporter,
)
from .models import (
    AffairsRecord,
    Attendance,
    Exemption,
    LeaveRequest,
    LessonMaterial,
    Meeting,
    MeetingStatus,
)


def meetings_of(orgs: QuerySet[Any]) -> QuerySet[Meeting]:
    """Every meeting of `orgs`: held, planned (the annual plan) and cancelled."""
    return Meeting.objects.filter(org__in=orgs)


def held_meetings_of(orgs: QuerySet[Any]) -> QuerySet[Meeting]:
    return meetings_of(orgs).filter(status=MeetingStatus.HELD, held_on__isnull=False)


def _numbered(meetings: Iterable[Meeting]) -> Iterator[tuple[Meeting, int]]:
    """Each meeting (ordered by org, day, id) with its 同日序号 (`importers.meeting_key`)."""
    seen: Counter[tuple[Any, ...]] = Counter()
    day: tuple[Any, ...] = ()
    for meeting in meetings:
        if (meeting.org_id, meeting.day) != day:
            seen.clear()
            day = (meeting.org_id, meeting.day)
        base = meeting_key(meeting.org_id, meeting.kind, meeting.day, meeting.topic)[:-1]
        seen[base] += 1
        yield meeting, seen[base]


def in_key_order(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    day = Coalesce("held_on", "planned_on")
    return meetings.annotate(key_day=day).order_by("org__path", "key_day", "pk")


def meeting_numbers(meetings: QuerySet[Meeting]) -> dict[int, int]:
    """Meeting id → its 同日序号, for sheets of other apps that refer to meetings by their
    natural key (see `importers.meeting_key`); `meetings` should hold whole org-days."""
    rows = in_key_order(meetings).only("org_id", "kind", "held_on", "planned_on", "topic")
    return {m.pk: n for m, n in _numbered(rows.iterator(chunk_size=5000))}


def meeting_rows(meetings: QuerySet[Meeting]) -> Iterator[dict[str, Any]]:
    related = in_key_order(meetings).select_related(
        "org", "host", "recorder", "lecturer", "material"
    )
    for meeting, number in _numbered(related.iterator(chunk_size=2000)):
        material = meeting.material
        yield {
            "key": str(meeting.pk),
            "org": meeting.org.code,
            "kind": meeting.get_kind_display(),
            "status": meeting.get_status_display(),
            "planned_on": meeting.planned_on,
            "held_on": meeting.held_on,
            "number": number if number > 1 else None,
            "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "",
            "for_period": meeting.for_period,
            "period_reason": meeting.period_reason,
            "topic": meeting.topic,
            "place": meeting.place,
            "host": meeting.host.code if meeting.host else "",
            "recorder": meeting.recorder.code if meeting.recorder else "",
            "lecturer": meeting.lecturer.code if meeting.lecturer else "",
            "lecturer_name": meeting.lecturer_name,
            "material_month": material.month if material else "",
            "material": material.title if material else "",
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
            "voting": "是" if row.voting else "否",
            "note": row.note,
        }


def leave_rows(meetings: QuerySet[Meeting]) -> Iterator[dict[str, Any]]:
    rows = LeaveRequest.objects.filter(meeting__in=meetings).select_related("member")
    order = ("meeting__org__path", "meeting_id", "member__code")
    for row in rows.order_by(*order).iterator(chunk_size=5000):
        yield {
            "key": str(row.meeting_id),
            "member": row.member.code,
            "name": row.member.name,
            "reason": row.reason,
            "status": row.get_status_display(),
        }


def write_meetings(target: Path | IO[bytes], orgs: QuerySet[Any]) -> int:
    """The meetings of `orgs` (every status) with their attendance and leave requests,
    three sheets; returns the rows."""
    meetings = meetings_of(orgs)
    return write_sheets(
        target,
        [
            (MeetingImporter.title, MEETING_COLUMNS, meeting_rows(meetings)),
            (AttendanceImporter.title, ATTENDANCE_COLUMNS, attendance_rows(meetings)),
            (LeaveImporter.title, LEAVE_COLUMNS, leave_rows(meetings)),
        ],
    )


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
    return write_sheets(target, [(AffairsImporter.title, AFFAIRS_COLUMNS, affairs_rows(orgs))])


def exemption_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = Exemption.objects.filter(member__org__in=orgs).select_related("member")
    order = ("member__code", "kind", "starts_on", "pk")
    seen: Counter[tuple[Any, ...]] = Counter()
    for row in rows.order_by(*order).iterator(chunk_size=5000):
        seen[(row.member_id, row.kind, row.starts_on)] += 1
        number = seen[(row.member_id, row.kind, row.starts_on)]
        yield {
            "member": row.member.code,
            "name": row.member.name,
            "kind": row.get_kind_display(),
            "reason": row.reason,
            "starts_on": row.starts_on,
            "ends_on": row.ends_on,
            "status": row.get_status_display(),
            "number": number if number > 1 else None,
        }


def write_exemptions(target: Path | IO[bytes], orgs: QuerySet[Any]) -> int:
    """Exemptions of the members of `orgs` (LIFE-04), one sheet; returns the rows."""
    return write_sheets(
        target,
        [
            (ExemptionImporter.title, EXEMPTION_COLUMNS, exemption_rows(orgs)),
        ],
    )


def material_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = LessonMaterial.objects.filter(org__in=orgs).select_related("org")
    seen: Counter[tuple[Any, ...]] = Counter()
    for row in rows.order_by("org__path", "month", "pk").iterator(chunk_size=2000):
        seen[(row.org_id, row.month, text_key(row.title))] += 1
        number = seen[(row.org_id, row.month, text_key(row.title))]
        yield {
            "org": row.org.code,
            "month": row.month,
            "title": row.title,
            "summary": row.summary,
            "published_on": row.published_on,
            "file_name": row.file_name,
            "number": number if number > 1 else None,
        }


def write_materials(target: Path | IO[bytes], orgs: QuerySet[Any]) -> int:
    """The lesson materials `orgs` published (LIFE-06), metadata only; returns the rows."""
    return write_sheets(target, [(MaterialImporter.title, MATERIAL_COLUMNS, material_rows(orgs))])


def _meetings(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_meetings(target, scope.orgs())


def _affairs(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_affairs(target, scope.orgs())


def _exemptions(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_exemptions(target, scope.orgs())


def _materials(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_materials(target, scope.orgs())


EXPORTS = (
    Export("materials", "党课教材（不含课件文件）", _materials),
    Export("exemptions", "免于参加组织生活", _exemptions),
    Export("meetings", "组织生活（含出勤、请假）", _meetings),
    Export("affairs", "党务公开", _affairs),
)
