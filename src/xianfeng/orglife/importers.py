"""Importing organizational life (PLAT-03 with LIFE-01, LIFE-07/08): held meetings (sheet
组织生活), their attendance (sheet 出勤), and party-affairs records (sheet 党务公开).

A meeting row carries a 会议编号 that the attendance rows of the same file refer to; the
number only links the two sheets (an export writes the meeting's id). A meeting is matched
to a stored one by org, kind, date and topic; a row that matches writes nothing unless it
fills in or changes one of the other columns (then `update_meeting`). Attendance rows are
written at the end of their sheet, per meeting, through `set_attendance`, and only the rows
that differ from the stored roster. Orgs must be ones the importing user may edit, members
ones the user can see (ID numbers masked in every error), as in `orgs.importers_support`.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.core.importing import Column, Errors, Record
from xianfeng.lib.cells import CellError, choice_cleaner, clean_date, clean_text, text_key
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    SheetImporter,
    _comparable,
    _org,
    _Sheet,
    _unknown_member,
    clean_long_text,
    clean_member_ref,
)

from .models import (
    AffairsKind,
    AffairsRecord,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

# --------------------------------------------------------------------------- cells

_TIME = re.compile(
    r"(\d{1,2})\s*(?:[:：时点])\s*(\d{1,2})?\s*(?:分)?(?:[:：]\s*\d{1,2})?\s*(?:秒)?"
)
_PERIOD = re.compile(r"\d{4}(-(H[12]|Q[1-4]|(0[1-9]|1[0-2])))?")


def clean_time(value: Any) -> dt.time | None:
    """A time of day: an Excel time, "19:30", "19:30:00", "19点30分", "19时"; empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = round(float(value) * 24 * 60)
        return dt.time(minutes // 60 % 24, minutes % 60)
    text = clean_text(value)
    match = _TIME.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2] or 0) > 59:
        raise CellError(f"时间格式应为 19:30 或 19点30分，实际为“{text}”")
    return dt.time(int(match[1]), int(match[2] or 0))


def clean_period(value: Any) -> str:
    """The period a yearly meeting is for: 2025 (also a number), 2025-H1, 2025-Q3, 2025-06."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value).upper().replace("年", "")
    if text and not _PERIOD.fullmatch(text):
        raise CellError(f"所属期间应为 2025、2025-H1、2025-Q3 或 2025-06，实际为“{text}”")
    return text


def clean_key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


KIND_ALIASES = {
    "党员大会会议": MeetingKind.GENERAL_MEETING,
    "支部党员大会": MeetingKind.GENERAL_MEETING,
    "支部委员会": MeetingKind.COMMITTEE_MEETING,
    "支委会会议": MeetingKind.COMMITTEE_MEETING,
    "支部委员会会议": MeetingKind.COMMITTEE_MEETING,
    "党小组会议": MeetingKind.PARTY_GROUP_MEETING,
    "主题党日活动": MeetingKind.THEME_DAY,
    "领导班子民主生活会": MeetingKind.LEADERSHIP_LIFE_MEETING,
    "专题学习": MeetingKind.STUDY_SESSION,
    "学习研讨": MeetingKind.STUDY_SESSION,
    "谈心谈话活动": MeetingKind.HEART_TALK,
}
STATUS_ALIASES = {
    "到会": AttendanceStatus.PRESENT,
    "参加": AttendanceStatus.PRESENT,
    "出勤": AttendanceStatus.PRESENT,
    "已请假": AttendanceStatus.LEAVE,
    "未到": AttendanceStatus.ABSENT,
    "缺勤": AttendanceStatus.ABSENT,
    "免参加": AttendanceStatus.EXEMPTED,
    "免于参加组织生活": AttendanceStatus.EXEMPTED,
}

# --------------------------------------------------------------------------- columns


def _key() -> Column:
    return Column(
        "key",
        "会议编号",
        clean_key,
        ("会议序号", "组织生活编号", "活动编号"),
        required=True,
        note="本文件内每次会议一个编号，出勤表据此对应会议",
        text=True,
    )


def _member(key: str, label: str, aliases: tuple[str, ...], required: bool = False) -> Column:
    return Column(
        key, label, clean_member_ref, aliases, required=required, note=MEMBER_NOTE, text=True
    )


MEETING_COLUMNS = (
    _key(),
    _org(),
    Column(
        "kind",
        "类型",
        choice_cleaner(MeetingKind.choices, aliases=KIND_ALIASES),
        ("会议类型", "组织生活类型", "活动类型"),
        required=True,
        choices=[str(label) for label in MeetingKind.labels],
    ),
    Column(
        "held_on",
        "召开日期",
        clean_date,
        ("会议日期", "开展日期", "召开时间", "活动日期"),
        required=True,
    ),
    Column("starts_at", "开始时间", clean_time, ("会议时间", "开始时刻"), note="如 19:30"),
    Column(
        "for_period",
        "所属期间",
        clean_period,
        ("所属年度", "会议所属年度"),
        note="组织生活会、民主生活会所属年度；次年1月召开的上年度会议填上一年。留空为召开当年",
    ),
    Column("topic", "主题", aliases=("会议主题", "活动主题", "题目"), required=True),
    Column("place", "地点", aliases=("会议地点", "活动地点")),
    _member("host", "主持人", ("主持人编号", "主持人党员编号")),
    _member("lecturer", "授课人", ("主讲人", "讲课人", "授课人编号")),
    Column(
        "lecturer_name",
        "授课人姓名",
        aliases=("主讲人姓名", "外请授课人"),
        note="本组织和上级组织以外的授课人（如党校教师）填姓名，不填授课人编号",
    ),
    Column(
        "off_day_reason",
        "未在固定日开展的原因",
        aliases=("未在固定日原因", "调整原因", "改期原因"),
        note="主题党日不在规定日期开展的，填写原因",
    ),
    Column("minutes", "会议记录", clean_long_text, ("会议纪要", "记录")),
)
ATTENDANCE_COLUMNS = (
    _key(),
    _member("member", "党员编号", ("身份证号", "公民身份号码", "党员编号或身份证号"), True),
    Column("name", "姓名", aliases=("党员姓名",), note=NAME_NOTE),
    Column(
        "status",
        "出勤",
        choice_cleaner(AttendanceStatus.choices, aliases=STATUS_ALIASES),
        ("出勤情况", "参会情况", "出席情况"),
        required=True,
        choices=[str(label) for label in AttendanceStatus.labels],
    ),
)
UPDATABLE = (
    "starts_at",
    "for_period",
    "place",
    "host",
    "lecturer",
    "lecturer_name",
    "off_day_reason",
    "minutes",
)

# --------------------------------------------------------------------------- one run

# The meeting numbers of one import (keyed by its Errors, the one object both sheets of a
# run share): number → stored meeting, or None when that row was refused.
_RUNS: dict[int, dict[str, Meeting | None]] = {}


def _numbers(errors: Errors) -> dict[str, Meeting | None]:
    if id(errors) not in _RUNS:
        _RUNS[id(errors)] = {}
        weakref.finalize(errors, _RUNS.pop, id(errors), None)
    return _RUNS[id(errors)]


def _domain() -> Any:
    from . import domain

    return domain


def _natural(org_id: int, kind: str, held_on: dt.date | None, topic: str) -> tuple[Any, ...]:
    return (org_id, kind, held_on, text_key(topic))


def _meetings_by_key(org: Any) -> dict[tuple[Any, ...], Meeting]:
    found: dict[tuple[Any, ...], Meeting] = {}
    held = Meeting.objects.filter(org=org, status=MeetingStatus.HELD, held_on__isnull=False)
    for meeting in held.order_by("pk"):
        found.setdefault(_natural(org.pk, meeting.kind, meeting.held_on, meeting.topic), meeting)
    return found


class _Meetings(_Sheet):
    columns = MEETING_COLUMNS
    member_keys = ("host", "lecturer")

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.numbers = _numbers(errors)

    def one(self, record: Record) -> str:
        v = record.values
        if not self.unique(record, ("number", v["key"]), "key"):
            return "error"
        self.numbers[v["key"]] = None
        found = self._check(record)
        if found is None:
            return "error"
        org, people = found
        meetings = self.stored(org, _meetings_by_key)
        key = _natural(org.pk, v["kind"], v["held_on"], v["topic"])
        meeting = meetings.get(key)
        outcome = "unchanged"
        if meeting is None:
            meeting, outcome = self._record(record, org, people), "created"
        elif changes := self._changes(meeting, v, people):
            meeting, outcome = self._update(record, meeting, changes), "updated"
        if meeting is None:
            return "error"
        meetings[key] = self.numbers[v["key"]] = meeting
        return outcome

    def _check(self, record: Record) -> tuple[Any, dict[str, Any]] | None:
        v = record.values
        org = self.org(record)
        people = {k: self.member(record, k) if v.get(k) else None for k in self.member_keys}
        if org is None or any(v.get(k) and people[k] is None for k in self.member_keys):
            return None
        key = _natural(org.pk, v["kind"], v["held_on"], v["topic"])
        if not self.unique(record, key, "topic"):
            return None
        return org, people

    def _record(self, record: Record, org: Any, people: dict[str, Any]) -> Meeting | None:
        v = record.values
        fields = {k: v[k] for k in UPDATABLE if v.get(k) not in (None, "") and k not in people}
        return self.call(
            record,
            _domain().record_meeting,
            org=org,
            kind=v["kind"],
            topic=v["topic"],
            held_on=v["held_on"],
            **fields,
            **{k: m for k, m in people.items() if m is not None},
        )

    def _changes(self, meeting: Meeting, v: dict[str, Any], people: dict[str, Any]) -> dict:
        changes: dict[str, Any] = {}
        for key in UPDATABLE:
            if key in people:
                if people[key] is not None and getattr(meeting, f"{key}_id") != people[key].pk:
                    changes[key] = people[key]
            elif v.get(key) not in (None, "") and _stored(meeting, key) != v[key]:
                changes[key] = v[key]
        return changes

    def _update(self, record: Record, meeting: Meeting, changes: dict[str, Any]) -> Any:
        try:
            return _domain().update_meeting(meeting, by=self.by, **changes)
        except ValidationError as error:
            self.report(record, error)
            return None


def _stored(meeting: Meeting, key: str) -> Any:
    """A stored field as the import's cleaning would have produced it."""
    value = getattr(meeting, key)
    return clean_long_text(value) if key == "minutes" else _comparable(value)


class MeetingImporter(SheetImporter):
    kind = "meetings"
    title = "组织生活"
    sheet_names = ("会议", "组织生活记录", "三会一课", "meetings")
    columns = MEETING_COLUMNS
    order = 60
    sheet = _Meetings


class _Attendance(_Sheet):
    """Rows checked as read; written per meeting at the end (the changed rows only)."""

    columns = ATTENDANCE_COLUMNS
    member_keys = ("member",)
    fields = {"attendance": "status"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.numbers = _numbers(errors)
        self.pending: dict[Meeting, dict[int, tuple[str, Record]]] = {}

    def one(self, record: Record) -> str:
        v = record.values
        number = v["key"]
        if number not in self.numbers:
            message = f"找不到会议编号“{number}”（须在同一文件的“组织生活”工作表中登记该会议）"
            return self.reject(record, "key", message)
        meeting, member = self.numbers[number], self.member(record, "member", "name")
        if meeting is None or member is None:
            return "error"  # a refused meeting row has its error already
        if member.pk not in self.stored(meeting, _domain().allowed_attendees):
            # off the roster (LIFE-01) reads like a member not found, as on the pages
            return self.reject(record, "member", _unknown_member(v["member"]))
        if not self.unique(record, (meeting.pk, member.pk), "member"):
            return "error"
        self.pending.setdefault(meeting, {})[member.pk] = (v["status"], record)
        return "pending"

    def finish(self) -> dict[str, int]:
        for meeting, rows in self.pending.items():
            stored = dict(
                Attendance.objects.filter(meeting=meeting).values_list("member_id", "status")
            )
            changes = {m: s for m, (s, _r) in rows.items() if stored.get(m) != s}
            for member_id in rows:
                outcome = "unchanged" if member_id not in changes else "updated"
                self.outcomes["created" if member_id not in stored else outcome] += 1
            if changes:
                first = next(r for m, (_s, r) in rows.items() if m in changes)
                try:
                    _domain().set_attendance(meeting, changes, by=self.by)
                except ValidationError as error:
                    self.report(first, error)
        return super().finish()


class AttendanceImporter(SheetImporter):
    kind = "attendance"
    title = "出勤"
    sheet_names = ("出勤情况", "出勤记录", "参会情况", "attendance")
    columns = ATTENDANCE_COLUMNS
    order = 70  # the meetings first
    sheet = _Attendance


# --------------------------------------------------------------------------- 党务公开


_AFFAIRS_PERIOD = re.compile(r"(\d{4})(?:[-/.年]?(?:(H[12])|(\d{1,2})))?")


def clean_affairs_period(value: Any) -> str:
    """A month, half or year: 2025-06 (also an Excel date, "2025年6月", "2025.6"), 2025-H1
    ("2025年上半年"), 2025 ("2025年度")."""
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value).upper().replace("上半年", "H1").replace("下半年", "H2")
    text = text.replace("年度", "").replace("月", "").rstrip("年")
    match = _AFFAIRS_PERIOD.fullmatch(text)
    if match is None or (match[3] and not 1 <= int(match[3]) <= 12):
        raise CellError(f"所属期间应为 2025-06、2025-H1 或 2025，实际为“{clean_text(value)}”")
    if match[2]:
        return f"{match[1]}-{match[2]}"
    return f"{match[1]}-{int(match[3]):02d}" if match[3] else match[1]


AFFAIRS_ALIASES = {
    "党务公开（月度）": AffairsKind.DISCLOSURE,
    "月度党务公开": AffairsKind.DISCLOSURE,
    "党务工作月公开": AffairsKind.DISCLOSURE,
    "半年通报": AffairsKind.REPORT_TO_MEMBERS,
    "向党员通报": AffairsKind.REPORT_TO_MEMBERS,
    "向全体党员通报": AffairsKind.REPORT_TO_MEMBERS,
    "党建工作情况通报": AffairsKind.REPORT_TO_MEMBERS,
    "年度书面报告": AffairsKind.REPORT_UPWARD,
    "向上级报告": AffairsKind.REPORT_UPWARD,
    "向市委书面报告": AffairsKind.REPORT_UPWARD,
    "思想状况分析研判": AffairsKind.IDEOLOGICAL_ANALYSIS,
    "党员干部思想状况分析": AffairsKind.IDEOLOGICAL_ANALYSIS,
}
AFFAIRS_COLUMNS = (
    _org(),
    Column(
        "kind",
        "类型",
        choice_cleaner(AffairsKind.choices, aliases=AFFAIRS_ALIASES),
        ("记录类型", "工作类型"),
        required=True,
        choices=[str(label) for label in AffairsKind.labels],
    ),
    Column(
        "period",
        "所属期间",
        clean_affairs_period,
        ("所属月份", "所属年度", "期间"),
        required=True,
        note="党务公开填月份如 2025-06；通报填半年如 2025-H1；报告和分析填年度如 2025",
        text=True,
    ),
    Column("done_on", "完成日期", clean_date, ("公开日期", "报告日期", "日期"), required=True),
    Column("summary", "内容摘要", clean_long_text, ("内容", "公开内容", "摘要"), required=True),
)


def _affairs_by_key(org: Any) -> dict[tuple[str, str], AffairsRecord]:
    return {(r.kind, r.period): r for r in AffairsRecord.objects.filter(org=org)}


class _Affairs(_Sheet):
    """A row matching a stored record (org, kind, period) updates its date or summary when
    they differ; otherwise a new record through `record_affairs`."""

    columns = AFFAIRS_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.unique(record, (org.pk, v["kind"], v["period"]), "period"):
            return "error"
        stored = self.stored(org, _affairs_by_key)
        found = stored.get((v["kind"], v["period"]))
        if found is None:
            fields = {k: v[k] for k in ("kind", "period", "done_on", "summary")}
            created = self.call(record, _domain().record_affairs, org=org, **fields)
            if created is None:
                return "error"
            stored[(created.kind, created.period)] = created
            return "created"
        changes = {
            k: v[k]
            for k in ("done_on", "summary")
            if v[k] not in (None, "") and _stored_affairs(found, k) != v[k]
        }
        if not changes:
            return "unchanged"
        try:
            _domain().update_affairs(found, by=self.by, **changes)
        except ValidationError as error:
            self.report(record, error)
            return "error"
        return "updated"


def _stored_affairs(record: AffairsRecord, key: str) -> Any:
    value = getattr(record, key)
    return clean_long_text(value) if key == "summary" else value


class AffairsImporter(SheetImporter):
    kind = "affairs"
    title = "党务公开"
    sheet_names = ("党务公开记录", "党务工作记录", "affairs")
    columns = AFFAIRS_COLUMNS
    order = 75
    sheet = _Affairs
