"""The record of a held meeting as a PDF (会议记录, LIFE-01): what the meeting page shows,
laid out as the paper record a branch files — the facts in a ruled table, who came, who
was on leave and why, who was absent, then the minutes — through the shared PDF module."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xianfeng.lib.pdf import Column, Document, format_date

from .models import AttendanceStatus, Meeting, MeetingKind, RequestStatus
from .queries import attendance_sheet, quorum

NONE = "—"


def pdf_response(meeting: Meeting) -> HttpResponse:
    """The meeting's record, shown inline under a Chinese file name."""
    response = HttpResponse(render_meeting_record(meeting), content_type="application/pdf")
    disposition = content_disposition_header(False, record_filename(meeting))
    response["Content-Disposition"] = disposition or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def record_filename(meeting: Meeting) -> str:
    """会议记录-<org>-<day>.pdf."""
    return _("会议记录-%(org)s-%(day)s.pdf") % {"org": meeting.org.name, "day": meeting.day}


def render_meeting_record(meeting: Meeting) -> bytes:
    """The PDF of `meeting`'s record (the caller has checked the user may see it)."""
    rows = attendance_sheet(meeting)
    title = _("%(org)s%(kind)s记录") % {"org": meeting.org.name, "kind": meeting.get_kind_display()}
    document = Document(title, author=meeting.org.name)
    document.table([Column(_("项目"), 1.2), Column(_("内容"), 4)], _facts(meeting), header=False)
    document.heading(_("出勤情况"))
    document.table(
        [Column(_("出勤"), 1.2), Column(_("人数"), 0.8, "C"), Column(_("党员"), 4)],
        _attendance(meeting, rows),
    )
    document.heading(_("会议内容"))
    document.paragraph(meeting.minutes or _("（未录入会议记录）"))
    _attachments(document, meeting)
    return document.signature(meeting.org.name, meeting.held_on).render()


def _when(meeting: Meeting) -> str:
    day = format_date(meeting.day) if meeting.day else NONE
    return f"{day} {meeting.starts_at:%H:%M}" if meeting.starts_at else day


def _facts(meeting: Meeting) -> list[tuple[str, str]]:
    lecturer = meeting.lecturer.name if meeting.lecturer else meeting.lecturer_name
    facts = [
        (_("党组织"), meeting.org.name),
        (_("类型"), str(meeting.get_kind_display())),
        (_("主题"), meeting.topic),
        (_("时间"), _when(meeting)),
        (_("地点"), meeting.place or NONE),
        (_("主持人"), meeting.host.name if meeting.host else NONE),
        (_("记录人"), meeting.recorder.name if meeting.recorder else NONE),
    ]
    optional = [
        (_("授课人"), lecturer),
        (_("党课教材"), str(meeting.material) if meeting.material else ""),
        (_("所属期间"), meeting.for_period),
        (_("跨期登记原因"), meeting.period_reason),
        (_("未在固定日开展的原因"), meeting.off_day_reason),
        (_("法定人数"), _quorum(meeting)),
    ]
    return facts + [(label, value) for label, value in optional if value]


def _quorum(meeting: Meeting) -> str:
    if meeting.kind != MeetingKind.GENERAL_MEETING:
        return ""
    counts = quorum(meeting)
    reached = _("已达到法定人数") if counts["reached"] else _("未达到法定人数")
    return _("有表决权的党员 %(voters)s 名，到会 %(present)s 名，%(reached)s") % {
        **counts,
        "reached": reached,
    }


def _attendance(meeting: Meeting, rows: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    reasons = {
        leave.member_id: leave.reason
        for leave in meeting.leave_requests.filter(status=RequestStatus.APPROVED)
    }
    table = [(_("应到"), len(rows), "")]
    for status, label in [*AttendanceStatus.choices, ("", _("未登记"))]:
        shown = reasons if status == AttendanceStatus.LEAVE else {}
        names = [_named(r["member"], shown) for r in rows if r["status"] == status]
        if status or names:
            table.append((str(label), len(names), "、".join(names) or NONE))
    return table


def _named(member: Any, reasons: dict[int, str]) -> str:
    """The member's name, with the reason of their approved leave if `reasons` has one."""
    reason = reasons.get(member.pk, "")
    return f"{member.name}（{reason}）" if reason else str(member.name)


def _attachments(document: Document, meeting: Meeting) -> None:
    names = list(meeting.attachments.order_by("entered_at").values_list("name", flat=True))
    if names:
        document.heading(_("附件"))
        for number, name in enumerate(names, 1):
            document.paragraph(f"{number}. {name}", indent=True)
