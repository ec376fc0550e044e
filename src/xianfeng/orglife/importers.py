"""Importing organizational life (PLAT-03 with LIFE-01, LIFE-04, LIFE-07/08): meetings of
every status (sheet 组织生活), their attendance (sheet 出勤), leave requests (sheet 请假)
and party-affairs records (sheet 党务公开).

A meeting row carries a 会议编号 that the attendance and leave rows of the same file refer
to; the number only links the sheets (an export writes the meeting's id). A meeting is
matched to a stored one by its natural key (`meeting_key`: org, kind, day, topic and 同日序号
among equal ones); a row that matches writes nothing unless it fills in or changes one of
the other columns (then `restore.change_meeting`). Attendance rows are written at the end
of their sheet, per meeting, through `restore.restore_attendance`, and only the rows that
differ from the stored roster. Orgs must be ones the importing user may edit, members ones
the user can see (ID numbers masked in every error), as in `orgs.importers_support`.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.core.importing import Column, Errors, Record
from xianfeng.lib.cells import (
    CellError,
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_int,
    clean_text,
    text_key,
)
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    Sheet,
    SheetImporter,
    clean_long_text,
    clean_member_ref,
    comparable,
    org_column,
    unknown_member_message,
)

from .models import (
    AffairsKind,
    AffairsRecord,
    Attendance,
    AttendanceStatus,
    LeaveRequest,
    LessonMaterial,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)
from .queries import Rosters

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


MEETING_STATUS_ALIASES = {
    "召开": MeetingStatus.HELD,
    "已开": MeetingStatus.HELD,
    "已举行": MeetingStatus.HELD,
    "计划召开": MeetingStatus.PLANNED,
    "未召开": MeetingStatus.PLANNED,
    "取消": MeetingStatus.CANCELLED,
}
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def clean_month(value: Any) -> str:
    """A month: 2025-06, "2025年6月", "2025.6", an Excel date; empty → ""."""
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    text = clean_text(value)
    match = _MONTH.fullmatch(text)
    if text and (match is None or not 1 <= int(match[2]) <= 12):
        raise CellError(f"月份格式应为 2025-06，实际为“{text}”")
    return f"{match[1]}-{int(match[2]):02d}" if match else ""


def clean_number(value: Any) -> int | None:
    """A running number (同日序号) from 1; empty → None (read as 1)."""
    return clean_int(value, min=1, max=999)


MEETING_COLUMNS = (
    _key(),
    org_column(),
    Column(
        "kind",
        "类型",
        choice_cleaner(MeetingKind.choices, aliases=KIND_ALIASES),
        ("会议类型", "组织生活类型", "活动类型"),
        required=True,
        choices=[str(label) for label in MeetingKind.labels],
    ),
    Column(
        "status",
        "状态",
        choice_cleaner(MeetingStatus.choices, aliases=MEETING_STATUS_ALIASES),
        ("会议状态", "召开状态"),
        note="已召开、计划或已取消；留空时填了召开日期为已召开，否则为计划",
        choices=[str(label) for label in MeetingStatus.labels],
    ),
    Column(
        "planned_on",
        "计划日期",
        clean_date,
        ("计划召开日期",),
        note="计划中或已取消的会议必填；已召开的会议可填原计划日期",
    ),
    Column(
        "held_on",
        "召开日期",
        clean_date,
        ("会议日期", "开展日期", "召开时间", "活动日期"),
        note="已召开的会议必填",
    ),
    Column(
        "number",
        "同日序号",
        clean_number,
        ("序号", "当日序号"),
        note="同一组织同一天有类型和主题都相同的几次会议时依次填1、2…；留空为1",
    ),
    Column("starts_at", "开始时间", clean_time, ("会议时间", "开始时刻"), note="如 19:30"),
    Column(
        "for_period",
        "所属期间",
        clean_period,
        ("所属年度", "会议所属年度"),
        note="组织生活会、民主生活会所属年度；次年1月召开的上年度会议填上一年。留空为召开当年",
    ),
    Column(
        "period_reason",
        "跨期登记原因",
        aliases=("跨期原因", "所属期间说明"),
        note="所属期间既不是召开当年，也不是补开期限内的上一年度时必填",
    ),
    Column("topic", "主题", aliases=("会议主题", "活动主题", "题目"), required=True),
    Column("place", "地点", aliases=("会议地点", "活动地点")),
    _member("host", "主持人", ("主持人编号", "主持人党员编号")),
    _member("recorder", "记录人", ("记录人编号", "记录人党员编号")),
    _member("lecturer", "授课人", ("主讲人", "讲课人", "授课人编号")),
    Column(
        "lecturer_name",
        "授课人姓名",
        aliases=("主讲人姓名", "外请授课人"),
        note="本组织和上级组织以外的授课人（如党校教师）填姓名，不填授课人编号",
    ),
    Column(
        "material_month",
        "党课教材月份",
        clean_month,
        ("教材月份",),
        note="使用上级发布的党课教材时填教材的月份，如 2025-06",
        text=True,
    ),
    Column(
        "material",
        "党课教材",
        aliases=("党课教材题目", "使用的党课教材"),
        note="使用上级发布的党课教材时填教材题目",
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
    Column(
        "voting",
        "有表决权",
        clean_bool,
        ("表决权",),
        note="是或否；留空时按会议当天是否正式党员、是否在应到名单中确定",
        choices=["是", "否"],
    ),
    Column("note", "备注", aliases=("出勤备注", "说明")),
)
UPDATABLE = (
    "status",
    "planned_on",
    "held_on",  # a planned meeting held on its planned day
    "starts_at",
    "for_period",
    "period_reason",
    "place",
    "host",
    "recorder",
    "lecturer",
    "lecturer_name",
    "material",
    "off_day_reason",
    "minutes",
)
REFERENCES = ("host", "recorder", "lecturer", "material")

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


def _restore() -> Any:
    from . import restore

    return restore


# --------------------------------------------------------------------------- natural key


def meeting_key(
    org_id: int, kind: str, day: dt.date | None, topic: str, number: int | None = None
) -> tuple[Any, ...]:
    """A meeting's natural key: org, kind, day (召开日期, else 计划日期), topic and its
    同日序号 among the meetings of the org with the same kind, day and topic (1 when alone)."""
    return (org_id, kind, day, text_key(topic), number or 1)


def meetings_by_key(org: Any) -> dict[tuple[Any, ...], Meeting]:
    """The org's meetings of every status by `meeting_key`; the 同日序号 counts equal
    meetings in the order they were recorded (id)."""
    found: dict[tuple[Any, ...], Meeting] = {}
    seen: Counter[tuple[Any, ...]] = Counter()
    for meeting in Meeting.objects.filter(org=org).select_related("org").order_by("pk"):
        base = meeting_key(org.pk, meeting.kind, meeting.day, meeting.topic)[:-1]
        seen[base] += 1
        found[(*base, seen[base])] = meeting
    return found


def _materials_on_line(org: Any) -> list[LessonMaterial]:
    """Lesson materials published to `org` (by it or an org above), nearest first."""
    step = type(org).steplen
    paths = [org.path[:n] for n in range(step, len(org.path) + 1, step)]
    found = LessonMaterial.objects.filter(org__path__in=paths).select_related("org")
    return sorted(found, key=lambda m: (-len(m.org.path), m.pk))


class _Meetings(Sheet):
    columns = MEETING_COLUMNS
    member_keys = ("host", "recorder", "lecturer")

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
        org, refs, key = found
        meetings = self.stored(org, meetings_by_key)
        if key[-1] > 1 and (*key[:-1], key[-1] - 1) not in meetings:
            message = f"同日序号应从1起依次填写（缺少序号 {key[-1] - 1} 的同主题会议）"
            return self.reject(record, "number", message)
        meeting = meetings.get(key)
        outcome = "unchanged"
        if meeting is None:
            meeting, outcome = self._record(record, org, refs), "created"
        elif changes := self._changes(meeting, v, refs):
            meeting, outcome = self._update(record, meeting, changes), "updated"
        if meeting is None:
            return "error"
        meetings[key] = self.numbers[v["key"]] = meeting
        return outcome

    def _check(self, record: Record) -> tuple[Any, dict[str, Any], tuple[Any, ...]] | None:
        v = record.values
        day = self._day(record)
        org = self.org(record)
        refs = {k: self.member(record, k) if v.get(k) else None for k in self.member_keys}
        if day is None or org is None or any(v.get(k) and refs[k] is None for k in refs):
            return None
        refs["material"] = self._material(record, org) if v.get("material") else None
        if v.get("material") and refs["material"] is None:
            return None
        key = meeting_key(org.pk, v["kind"], day, v["topic"], v.get("number"))
        first = self.seen.setdefault(key, record.row)
        if first != record.row:
            hint = "同一天类型和主题都相同的几次会议请在“同日序号”列依次填1、2…"
            return self.fail(record, "topic", f"与第 {first} 行重复（{hint}）")
        return org, refs, key

    def _day(self, record: Record) -> dt.date | None:
        """The meeting's day (召开日期, else 计划日期); the status filled in when empty."""
        v = record.values
        held, planned = v.get("held_on"), v.get("planned_on")
        if not v.get("status"):
            v["status"] = MeetingStatus.PLANNED if planned and not held else MeetingStatus.HELD
        needed = "held_on" if v["status"] == MeetingStatus.HELD else "planned_on"
        if not v.get(needed):
            return self.fail(record, needed, f"“{self.labels[needed]}”不能为空")
        return held or planned

    def _material(self, record: Record, org: Any) -> LessonMaterial | None:
        v = record.values
        title, month = text_key(v["material"]), v.get("material_month", "")
        if ("materials", org.pk) not in self.cache:  # `stored` keeps the org's meetings
            self.cache[("materials", org.pk)] = _materials_on_line(org)
        for material in self.cache[("materials", org.pk)]:
            if text_key(material.title) == title and month in ("", material.month):
                return material
        shown = f"{month} {v['material']}".strip()
        return self.fail(record, "material", f"找不到发布给本组织的党课教材“{shown}”")

    def _record(self, record: Record, org: Any, refs: dict[str, Any]) -> Meeting | None:
        v = record.values
        fields = {k: v[k] for k in UPDATABLE if v.get(k) not in (None, "") and k not in REFERENCES}
        return self.call(
            record,
            _restore().restore_meeting,
            org=org,
            kind=v["kind"],
            topic=v["topic"],
            **fields,
            **{k: m for k, m in refs.items() if m is not None},
        )

    def _changes(self, meeting: Meeting, v: dict[str, Any], refs: dict[str, Any]) -> dict:
        changes: dict[str, Any] = {}
        for key in UPDATABLE:
            if key in REFERENCES:
                if refs[key] is not None and getattr(meeting, f"{key}_id") != refs[key].pk:
                    changes[key] = refs[key]
            elif v.get(key) not in (None, "") and _stored(meeting, key) != v[key]:
                changes[key] = v[key]
        return changes

    def _update(self, record: Record, meeting: Meeting, changes: dict[str, Any]) -> Any:
        try:
            return _restore().change_meeting(meeting, by=self.by, **changes)
        except ValidationError as error:
            self.report(record, error)
            return None


def _stored(meeting: Meeting, key: str) -> Any:
    """A stored field as the import's cleaning would have produced it."""
    value = getattr(meeting, key)
    return clean_long_text(value) if key == "minutes" else comparable(value)


class MeetingImporter(SheetImporter):
    kind = "meetings"
    title = "组织生活"
    sheet_names = ("会议", "组织生活记录", "三会一课", "meetings")
    columns = MEETING_COLUMNS
    order = 60
    sheet = _Meetings


class _Attendance(Sheet):
    """Rows checked as read; written per meeting at the end (the changed rows only)."""

    columns = ATTENDANCE_COLUMNS
    member_keys = ("member",)
    fields = {"attendance": "status"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.numbers = _numbers(errors)
        self.pending: dict[Meeting, dict[int, tuple[tuple[str, bool | None, str], Record]]] = {}
        self.rosters = Rosters()  # each org's roster read once, not per meeting

    def one(self, record: Record) -> str:
        v = record.values
        number = v["key"]
        if number not in self.numbers:
            message = f"找不到会议编号“{number}”（须在同一文件的“组织生活”工作表中登记该会议）"
            return self.reject(record, "key", message)
        meeting, member = self.numbers[number], self.member(record, "member", "name")
        if meeting is None or member is None:
            return "error"  # a refused meeting row has its error already
        if meeting.status != MeetingStatus.HELD:
            return self.reject(record, "key", "该会议不是已召开的会议，不能登记出勤")
        if not self.unique(record, (meeting.pk, member.pk), "member"):
            return "error"
        row = (v["status"], v.get("voting"), v.get("note", ""))
        self.pending.setdefault(meeting, {})[member.pk] = (row, record)
        return "pending"

    def finish(self) -> dict[str, int]:
        for meeting, rows in self.pending.items():
            self._write(meeting, rows)
        return super().finish()

    def _write(self, meeting: Meeting, rows: dict[int, tuple[Any, Record]]) -> None:
        values = ("member_id", "status", "voting", "note")
        stored = {
            m: (s, vote, n)
            for m, s, vote, n in Attendance.objects.filter(meeting=meeting).values_list(*values)
        }
        changes = {m: row for m, (row, _r) in rows.items() if _differs(stored.get(m), row)}
        roster = allowed = None
        if set(changes) - set(stored):  # new rows: only who may attend (LIFE-01)
            roster = self.rosters.roster(meeting.org, meeting.day, meeting.kind)
            allowed = _domain().allowed_attendees(meeting, roster, rosters=self.rosters)
        for member_id, (_row, record) in rows.items():
            if allowed is not None and member_id not in allowed | set(stored):
                # off the roster reads like a member not found, as on the pages
                self.reject(record, "member", unknown_member_message(record.values["member"]))
                changes.pop(member_id, None)
                continue
            outcome = "unchanged" if member_id not in changes else "updated"
            self.outcomes["created" if member_id not in stored else outcome] += 1
        if changes and not self.errors:
            first = next(r for m, (_row, r) in rows.items() if m in changes)
            try:
                _restore().restore_attendance(
                    meeting, changes, by=self.by, roster=roster, allowed=allowed
                )
            except ValidationError as error:
                self.report(first, error)


def _differs(stored: tuple[str, bool, str] | None, row: tuple[str, bool | None, str]) -> bool:
    """A file row changes a stored attendance row (an empty vote or note keeps it)."""
    if stored is None:
        return True
    status, voting, note = row
    return (
        status != stored[0]
        or (voting is not None and voting != stored[1])
        or bool(note and note != clean_text(stored[2]))
    )


class AttendanceImporter(SheetImporter):
    kind = "attendance"
    title = "出勤"
    sheet_names = ("出勤情况", "出勤记录", "参会情况", "attendance")
    columns = ATTENDANCE_COLUMNS
    order = 70  # the meetings first
    sheet = _Attendance


# --------------------------------------------------------------------------- 请假

LEAVE_STATUS_ALIASES = {
    "批准": RequestStatus.APPROVED,
    "同意": RequestStatus.APPROVED,
    "不批准": RequestStatus.REJECTED,
    "不同意": RequestStatus.REJECTED,
    "驳回": RequestStatus.REJECTED,
    "待批": RequestStatus.PENDING,
    "未审批": RequestStatus.PENDING,
}


def request_status_column(label: str = "审批状态") -> Column:
    return Column(
        "status",
        label,
        choice_cleaner(RequestStatus.choices, aliases=LEAVE_STATUS_ALIASES),
        ("审批结果", "状态"),
        note="待审批、已批准或未批准；留空为待审批",
        choices=[str(label) for label in RequestStatus.labels],
    )


LEAVE_COLUMNS = (
    _key(),
    _member("member", "党员编号", ("身份证号", "公民身份号码", "党员编号或身份证号"), True),
    Column("name", "姓名", aliases=("党员姓名",), note=NAME_NOTE),
    Column("reason", "请假事由", aliases=("事由", "请假原因"), required=True),
    request_status_column(),
)


def _leave_by_member(meeting: Meeting) -> dict[int, LeaveRequest]:
    return {r.member_id: r for r in LeaveRequest.objects.filter(meeting=meeting)}


class _Leave(Sheet):
    """A request per member and meeting (会议编号 of the same file's meeting sheet); a
    row matching a stored request changes its reason or decision when they differ."""

    columns = LEAVE_COLUMNS
    member_keys = ("member",)

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.numbers = _numbers(errors)

    def one(self, record: Record) -> str:
        v = record.values
        if v["key"] not in self.numbers:
            message = f"找不到会议编号“{v['key']}”（须在同一文件的“组织生活”工作表中登记该会议）"
            return self.reject(record, "key", message)
        meeting, member = self.numbers[v["key"]], self.member(record, "member", "name")
        if meeting is None or member is None:
            return "error"
        if not self.unique(record, (meeting.pk, member.pk), "member"):
            return "error"
        stored = self.stored(meeting, _leave_by_member)
        found, status = stored.get(member.pk), v.get("status") or RequestStatus.PENDING
        if found is None:
            created = self.call(
                record,
                _restore().restore_leave,
                meeting=meeting,
                member=member,
                reason=v["reason"],
                status=status,
            )
            stored[member.pk] = created
            return "error" if created is None else "created"
        changes = {"reason": v["reason"]} if clean_text(found.reason) != v["reason"] else {}
        if v.get("status") and v["status"] != found.status:
            changes["status"] = v["status"]
        if not changes:
            return "unchanged"
        done = self.call(record, _restore().change_leave, request=found, **changes)
        return "error" if done is None else "updated"


class LeaveImporter(SheetImporter):
    kind = "leave"
    title = "请假"
    sheet_names = ("请假申请", "请假记录", "leave")
    columns = LEAVE_COLUMNS
    order = 72  # the meetings (and their attendance) first
    sheet = _Leave


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
    org_column(),
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


class _Affairs(Sheet):
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
