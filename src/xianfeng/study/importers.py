"""Importing study hours from an outside learning platform (PLAT-03 with STUDY-01): the
export of a party school, a cadre e-learning academy or another platform (sheet
平台外学习, or a CSV with the same columns): ID number or member code, date, course and
hours per row.

Each row becomes a study record with source "imported" (平台外学习) through
`study.domain.record_study`, stamped with the import's batch. The file is all-or-nothing:
any wrong row (an ID number that fails its check digit or names nobody, a member outside
the importing user's orgs, a date in the future, hours that are not a positive number
with one decimal) refuses the whole file with every row's error. A row matching a stored
imported record (member, date, content) with the same hours writes nothing, so importing
the same file twice, or an export, changes nothing. A course name that is a catalogue
course of the member's org links the record to it (must-learn completion counts it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xianfeng.core.importing import Column, Errors, Record
from xianfeng.lib.cells import CellError, clean_date, clean_decimal, clean_text, text_key
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    SheetImporter,
    _Sheet,
    clean_member_ref,
)

from .models import Course, RecordSource, RecordStatus, StudyRecord

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
)


class _Records(_Sheet):
    columns = RECORD_COLUMNS
    member_keys = ("member",)
    fields = {"studied_on": "studied_on", "hours": "hours", "title": "title"}

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.batch = f"平台外导入 {timezone.localtime():%Y-%m-%d %H:%M}"
        self.stored_rows: dict[tuple[int, dt.date, str], Decimal] = {}
        self.courses: dict[str, list[Course]] = {}
        for course in Course.objects.filter(active=True).select_related("org"):
            self.courses.setdefault(text_key(course.title), []).append(course)

    def feed(self, records: list[Record]) -> None:
        self._load_members(records)
        self._load_stored(records)
        for record in records:
            self.outcomes[self.one(record)] += 1

    def _load_stored(self, records: list[Record]) -> None:
        """The records (any source but rejected ones) already stored for this chunk's
        members and dates: the same study recorded elsewhere is not counted twice."""
        members = [m.pk for r in records if (m := self.members.get(r.values["member"]))]
        days = [r.values["studied_on"] for r in records]
        if not members or not days:
            return
        rows = (
            StudyRecord.objects.filter(
                Q(member_id__in=members),
                studied_on__gte=min(days),
                studied_on__lte=max(days),
            )
            .exclude(status=RecordStatus.REJECTED)
            .values_list("member_id", "studied_on", "title", "hours")
        )
        for member_id, day, title, hours in rows:
            self.stored_rows[(member_id, day, text_key(title))] = hours

    def one(self, record: Record) -> str:
        v = record.values
        member = self.member(record, "member", "name")
        if member is None:
            return "error"
        if not self.may_edit(member.org):
            return self.reject(record, "member", "该党员不在您可以登记的组织范围内")
        key = (member.pk, v["studied_on"], text_key(v["title"]))
        if not self.unique(record, key, "title"):
            return "error"
        stored = self.stored_rows.get(key)
        if stored is not None:
            if stored != v["hours"]:
                message = f"与系统中已登记的“{stored}”学时不一致（修改请在页面上办理）"
                return self.reject(record, "hours", message)
            return "unchanged"
        created = self.call(
            record,
            _domain().record_study,
            member=member,
            source=RecordSource.IMPORTED,
            studied_on=v["studied_on"],
            hours=v["hours"],
            title=v["title"],
            course=self._course(member, v["title"]),
            note=v.get("note", ""),
            batch=self.batch,
        )
        if created is None:
            return "error"
        self.stored_rows[key] = created.hours
        return "created"

    def _course(self, member: Any, title: str) -> Course | None:
        """The catalogue course of that name published for the member's org."""
        for course in self.courses.get(text_key(title), []):
            if member.org.path.startswith(course.org.path):
                return course
        return None


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
