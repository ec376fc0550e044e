"""Importing study hours (PLAT-03 with STUDY-01): the export of a party school, a cadre
e-learning academy or another platform (sheet 平台外学习, or a CSV with the same columns):
ID number or member code, date, course and hours per row; and this system's own export
of study records, which adds 来源, 认定状态 and 导入批次.

A row without 来源 becomes a study record with source "imported" (平台外学习) through
`study.domain.record_study`, stamped with the import's batch; it matches a stored record
of any source (member, date, content), and writes nothing when the hours agree. A row
with 来源 (an export) is re-created as the record it was (source, status, batch; a
member who has since left is judged as they were that day, `study.restore`), matched by
member, date, content and source, so importing the same export twice changes nothing.
The file is all-or-nothing: any wrong row (an ID number that fails its check digit or
names nobody, a member outside the importing user's orgs, a date in the future, hours
that are not a positive number with one decimal) refuses the whole file with every row's
error. A course name that is a catalogue course of the member's org links the record to
it (must-learn completion counts it).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xianfeng.core.importing import Column, Errors, Record
from xianfeng.lib.cells import (
    CellError,
    choice_cleaner,
    clean_date,
    clean_decimal,
    clean_text,
    text_key,
)
from xianfeng.members.models import Status
from xianfeng.members.queries import PlacementsOf
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    Sheet,
    SheetImporter,
    clean_member_ref,
)

from .models import RECORD_SOURCES, Course, RecordSource, RecordStatus, StudyRecord
from .queries import RecordsOf
from .restore import member_as_of

TENTH = Decimal("0.1")


def clean_hours(value: Any) -> Decimal | None:
    """Hours: a positive number with at most one decimal place ("2", "1.5", "3学时")."""
    if isinstance(value, str):
        value = value.replace("学时", "").replace("小时", "").strip()
    number = clean_decimal(value, places=6)
    if number is None:
        return None
    shown = clean_text(value)
    if number <= 0:
        raise CellError(f"学时应大于0，实际为“{shown}”")
    if number != number.quantize(TENTH):
        raise CellError(f"学时最多保留一位小数，实际为“{shown}”")
    if number > 100:
        raise CellError(f"学时“{shown}”过大（一条记录不超过100学时）")
    return number.quantize(TENTH)


RECORD_COLUMNS = (
    Column(
        "member",
        "身份证号",
        clean_member_ref,
        ("公民身份号码", "身份证号码", "党员编号", "党员编号或身份证号", "证件号码"),
        required=True,
        note=MEMBER_NOTE,
        text=True,
    ),
    Column("name", "姓名", aliases=("党员姓名", "学员姓名"), note=NAME_NOTE),
    Column(
        "studied_on",
        "学习日期",
        clean_date,
        ("日期", "完成日期", "培训日期", "学习时间"),
        required=True,
    ),
    Column(
        "title",
        "课程",
        aliases=("课程名称", "学习内容", "培训内容", "培训班名称"),
        required=True,
        note="与课程菜单中的课程同名时自动关联该课程",
    ),
    Column(
        "hours",
        "学时",
        clean_hours,
        ("学时数", "认定学时", "获得学时"),
        required=True,
        note="大于0，最多一位小数",
    ),
    Column("note", "来源平台", aliases=("平台", "备注", "学习平台"), note="如 干部网络学院"),
    Column(
        "source",
        "来源",
        choice_cleaner(RecordSource.choices),
        ("学习来源", "记录来源"),
        note="导出文件带有此列；外部平台的文件不填（按平台外学习导入）",
        choices=[str(RecordSource(s).label) for s in RECORD_SOURCES],
    ),
    Column(
        "status",
        "认定状态",
        choice_cleaner(RecordStatus.choices),
        ("审核状态",),
        note="个人自学记录的审核结果；不填按来源确定",
        choices=[str(label) for label in RecordStatus.labels],
    ),
    Column("batch", "导入批次", aliases=("批次",), note="导出文件带有此列"),
)


class _Records(Sheet):
    """A file from an outside platform (no 来源 column): rows become imported records,
    matched to stored records of any source by member, date and content. An export (with
    来源 and 认定状态) re-imports each row as the record it was: matched by member, date,
    content and source; rejected entries, which may repeat, one stored entry per row."""

    columns = RECORD_COLUMNS
    member_keys = ("member",)
    fields = {"studied_on": "studied_on", "hours": "hours", "title": "title"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.batch = f"平台外导入 {timezone.localtime():%Y-%m-%d %H:%M}"
        self.stored_rows: dict[tuple[Any, ...], Any] = {}
        self.rejected: Counter[tuple[Any, ...]] = Counter()
        self.courses: dict[str, list[Course]] = {}
        self.placements = PlacementsOf(())
        self.records: RecordsOf | None = None
        for course in Course.objects.select_related("org").order_by("-published_on", "-pk"):
            self.courses.setdefault(text_key(course.title), []).append(course)

    def feed(self, records: list[Record]) -> None:
        self._load_members(records)
        self._load_stored(records)
        members = {m.pk for r in records if (m := self.members.get(r.values["member"]))}
        days = [r.values["studied_on"] for r in records]
        # what record_study reads for each row, read once for the chunk
        self.placements = PlacementsOf(members)
        self.records = RecordsOf(members, min(days), max(days)) if days else None
        for record in records:
            self.outcomes[self.one(record)] += 1

    def _load_stored(self, records: list[Record]) -> None:
        """The records already stored for this chunk's members and dates: the same study
        recorded elsewhere is not counted twice."""
        members = [m.pk for r in records if (m := self.members.get(r.values["member"]))]
        days = [r.values["studied_on"] for r in records]
        if not members or not days:
            return
        rows = StudyRecord.objects.filter(
            Q(member_id__in=members), studied_on__gte=min(days), studied_on__lte=max(days)
        ).values_list("pk", "member_id", "studied_on", "title", "source", "status", "hours", "note")
        for pk, member_id, day, title, source, status, hours, note in rows:
            key = (member_id, day, text_key(title))
            if status == RecordStatus.REJECTED:
                self.rejected[(*key, source, hours)] += 1
                continue
            self.stored_rows.setdefault(key, hours)
            self.stored_rows[(*key, source)] = (pk, status, hours, note)

    def one(self, record: Record) -> str:
        v = record.values
        member = self.member(record, "member", "name")
        if member is None:
            return "error"
        if not self.may_edit(member.org):
            return self.reject(record, "member", "该党员不在您可以登记的组织范围内")
        if "source" not in v:
            return self._outside(record, member)
        source = v.get("source") or RecordSource.IMPORTED
        status = v.get("status") or _status_of(source)
        key = (member.pk, v["studied_on"], text_key(v["title"]))
        if status == RecordStatus.REJECTED:
            return self._rejected(record, member, (*key, source, v["hours"]))
        if not self.unique(record, (*key, source), "title"):
            return "error"
        stored = self.stored_rows.get((*key, source))
        if stored is not None:
            return self._compare(record, stored)
        created = self._create(record, member, source, status, v.get("batch", ""))
        if created is None:
            return "error"
        self.stored_rows[(*key, source)] = (created.pk, status, created.hours, created.note)
        return "created"

    def _outside(self, record: Record, member: Any) -> str:
        v = record.values
        key = (member.pk, v["studied_on"], text_key(v["title"]))
        if not self.unique(record, key, "title"):
            return "error"
        stored = self.stored_rows.get(key)
        if stored is not None:
            if stored != v["hours"]:
                message = f"与系统中已登记的“{stored}”学时不一致（修改请在页面上办理）"
                return self.reject(record, "hours", message)
            return "unchanged"
        created = self._create(record, member, RecordSource.IMPORTED, "", self.batch)
        if created is None:
            return "error"
        self.stored_rows[key] = created.hours
        return "created"

    def _rejected(self, record: Record, member: Any, key: tuple[Any, ...]) -> str:
        if self.rejected[key] > 0:
            self.rejected[key] -= 1
            return "unchanged"
        source = key[3]
        if source != RecordSource.SELF_STUDY:
            return self.reject(record, "status", "只有个人自学记录可以是“未认定”")
        created = self._create(
            record, member, source, RecordStatus.REJECTED, record.values.get("batch", "")
        )
        return "created" if created is not None else "error"

    def _compare(self, record: Record, stored: tuple[Any, ...]) -> str:
        v = record.values
        pk, status, hours, note = stored
        if hours != v["hours"]:
            message = f"与系统中已登记的“{hours}”学时不一致（修改请在页面上办理）"
            return self.reject(record, "hours", message)
        if self.differs(record, "note", note):
            return "error"
        wanted = v.get("status") or status
        if wanted == status:
            return "unchanged"
        if status != RecordStatus.PENDING:
            shown = RecordStatus(status).label
            return self.reject(record, "status", f"与系统中已登记的“{shown}”不一致")
        found = StudyRecord.objects.get(pk=pk)
        approve = wanted == RecordStatus.APPROVED
        decide = partial(_domain().decide_self_study, found)
        decided = self.call(record, decide, approve=approve)
        return "updated" if decided is not None else "error"

    def _create(
        self, record: Record, member: Any, source: str, status: str, batch: str
    ) -> StudyRecord | None:
        """The record through `record_study` (the member as they were that day), then its
        decision when the row shows a decided self-study entry."""
        v = record.values
        day = v["studied_on"]
        past = member_as_of(member, day) if member.status == Status.LEFT else member
        if source not in RECORD_SOURCES:
            return self.fail(record, "source", "学习记录来源应为网络学习、个人自学或平台外学习")
        if status and status != _status_of(source) and source != RecordSource.SELF_STUDY:
            return self.fail(record, "status", "只有个人自学记录需要审核")
        created = self.call(
            record,
            _domain().record_study,
            member=past,
            source=source,
            studied_on=day,
            hours=v["hours"],
            title=v["title"],
            course=self._course(past, day, v["title"]),
            note=v.get("note", ""),
            batch=batch,
            placements=self.placements,
            stored=self.records,
        )
        if created is None or not status or status == created.status:
            return created
        approve = status == RecordStatus.APPROVED
        decide = partial(_domain().decide_self_study, created)
        decided = self.call(record, decide, approve=approve)
        return decided

    def _course(self, member: Any, day: Any, title: str) -> Course | None:
        """The catalogue course of that name published for the member's org (the
        nearest publisher, then the latest): the org that day, else the current one."""
        found = self.courses.get(text_key(title), [])
        if not found:
            return None
        usable = [c for c in found if member.org.path.startswith(c.org.path)]
        if not usable:
            org = self.placements.org_on(member, day)
            usable = [c for c in found if org is not None and org.path.startswith(c.org.path)]
        return max(usable, key=lambda c: len(c.org.path)) if usable else None


def _status_of(source: str) -> str:
    """The status `record_study` gives a new record of `source`."""
    if source == RecordSource.SELF_STUDY:
        return RecordStatus.PENDING
    return RecordStatus.APPROVED


def _domain() -> Any:
    from . import domain

    return domain


class StudyRecordImporter(SheetImporter):
    kind = "study_records"
    title = "平台外学习"
    sheet_names = ("学习记录", "平台外学时", "网络学院学时", "学时", "study_records")
    columns = RECORD_COLUMNS
    order = 80  # after members and meetings
    sheet = _Records
