"""Importing the study catalogue and training records (PLAT-03 round trip, issue 13):
courses' metadata (课程), must-learn lists (必学清单, one row per course of a list),
training classes (培训班) with their enrolment (培训报名), study plans (学习计划) with
their items (学习安排), and the hours credited to study meetings (会议学时认定).

Each sheet names orgs by code or full name path and members by member code or ID number,
resolved through the importing user's scope exactly like `orgs.importers_support` (out of
sight reads as not found). A course is named by its title and, where two publishers
have one of that name, its publisher (课程发布组织); it must be published to the row's
org. A meeting is named by org, kind, date, topic and 同日序号, as the meeting sheet matches it.
A row equal to the stored record writes nothing; rows are written through
`study.domain` (courses and past rows of members who have since left or moved through
`study.restore`, as files do not travel in spreadsheets).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from xianfeng.core.importing import Column, Errors, Record
from xianfeng.lib.cells import (
    CellError,
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_decimal,
    clean_int,
    clean_text,
    text_key,
)
from xianfeng.members.models import Status
from xianfeng.orglife.importers import KIND_ALIASES, clean_number, meeting_key, meetings_by_key
from xianfeng.orglife.models import MeetingKind
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    ORG_NOTE,
    SheetImporter,
    _Sheet,
    clean_member_ref,
    clean_year,
)

from . import domain, restore
from .importers import clean_hours
from .models import (
    Course,
    CourseKind,
    Enrollment,
    EnrollmentStatus,
    MeetingCredit,
    MustLearnList,
    PlanItem,
    PlanKind,
    StudyPlan,
    TrainingClass,
    TrainingKind,
    TrainingStatus,
)

# --------------------------------------------------------------------------- cells


def clean_body(value: Any) -> str:
    """Multi-line text kept as written (only Windows line ends made plain)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return clean_text(value)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def clean_amount(value: Any) -> Decimal | None:
    """A positive number with at most one decimal place (days, a class's hours)."""
    if isinstance(value, str):
        value = value.replace("学时", "").replace("天", "").strip()
    number = clean_decimal(value, places=6)
    if number is None:
        return None
    if number <= 0 or number != number.quantize(Decimal("0.1")):
        raise CellError(f"应为大于0、最多一位小数的数，实际为“{clean_text(value)}”")
    return number.quantize(Decimal("0.1"))


def clean_tags(value: Any) -> list[str]:
    text = clean_text(value).replace("，", ",").replace("、", ",")
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def clean_position(value: Any) -> int | None:
    return clean_int(value, min=0, max=32767)


def _choices(choices: Any, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "clean": choice_cleaner(choices, aliases=aliases),
        "choices": [str(label) for _code, label in choices],
    }


def _org(key: str, label: str, aliases: tuple[str, ...] = (), required: bool = True) -> Column:
    return Column(key, label, aliases=aliases, required=required, note=ORG_NOTE, text=True)


def _member(key: str, label: str, aliases: tuple[str, ...], required: bool = True) -> Column:
    return Column(
        key, label, clean_member_ref, aliases, required=required, note=MEMBER_NOTE, text=True
    )


COURSE_NOTE = "与“课程”工作表中的课程名称一致"
COURSE_ORG_NOTE = "可留空；多个组织发布了同名课程时填发布组织"
_COURSE = (
    Column("course", "课程", aliases=("课程名称",), required=True, note=COURSE_NOTE),
    _org("course_org", "课程发布组织", required=False),
)

COURSE_COLUMNS = (
    _org("org", "发布组织", ("发布党组织", "党组织编码")),
    Column("title", "课程名称", aliases=("课程",), required=True),
    Column("kind", "课程类型", required=True, **_choices(CourseKind.choices)),
    Column("hours", "认定学时", clean_hours, ("学时",), required=True, note="大于0，最多一位小数"),
    Column("tags", "标签", clean_tags, note="多个标签用逗号分隔"),
    Column("summary", "内容简介", clean_body, ("简介",)),
    Column("body", "正文", clean_body, note="图文课程的正文"),
    Column("file_name", "原文件名", note="课件文件不随表格导入导出（由备份携带），此列仅作记录"),
    Column("published_on", "发布日期", clean_date, required=True),
    Column("active", "在用", clean_bool, ("是否在用",), note="留空为“是”", choices=["是", "否"]),
)
MUST_LEARN_COLUMNS = (
    _org("org", "发布组织", ("发布党组织", "党组织编码")),
    Column("year", "年度", clean_year, ("清单年度",), required=True),
    Column("title", "清单名称", aliases=("名称",), note="留空为“某年度必学必知必会清单”"),
    Column("published_on", "发布日期", clean_date, required=True),
    Column("note", "说明", clean_body),
    Column("position", "序号", clean_position, note="课程在清单中的顺序"),
    *_COURSE,
)
CLASS_KEY = (
    _org("org", "主办党组织", ("主办组织", "党组织编码")),
    Column("title", "培训班名称", aliases=("培训班",), required=True),
    Column("starts_on", "开始日期", clean_date, ("开班日期",), required=True),
)
CLASS_COLUMNS = (
    *CLASS_KEY,
    Column("kind", "培训类型", required=True, **_choices(TrainingKind.choices)),
    Column("organizer", "承办单位"),
    Column("status", "状态", note="留空为“已举办”", **_choices(TrainingStatus.choices)),
    Column("ends_on", "结束日期", clean_date, ("结业日期",), required=True),
    Column("days", "培训天数", clean_amount, ("天数",), required=True, note="可为半天，如 2.5"),
    Column("hours", "认定学时", clean_amount, ("学时",), required=True),
    Column("place", "地点", aliases=("培训地点",)),
    Column("content", "培训内容", clean_body),
)
ENROLLMENT_COLUMNS = (
    *CLASS_KEY,
    _member("member", "党员编号", ("身份证号", "公民身份号码", "党员编号或身份证号")),
    Column("name", "姓名", aliases=("党员姓名", "学员姓名"), note=NAME_NOTE),
    Column("status", "参训情况", note="留空为“已报名”", **_choices(EnrollmentStatus.choices)),
    Column("hours", "认定学时", clean_hours, note="参训但少于培训班学时的填写；留空按培训班学时"),
    Column("note", "备注"),
)
PLAN_KEY = (
    Column("kind", "计划类型", required=True, **_choices(PlanKind.choices)),
    _org("org", "党组织", ("党组织编码",)),
    _member("member", "制定人", ("制定人编号",), required=False),
    Column("year", "年度", clean_year, ("计划年度",), required=True),
)
PLAN_COLUMNS = (
    *PLAN_KEY,
    Column("name", "制定人姓名", note=NAME_NOTE),
    Column("title", "计划名称", required=True),
    Column("content", "计划内容", clean_body),
    Column("adopted_on", "制定日期", clean_date, required=True),
)
_MEETING_KIND = _choices(MeetingKind.choices, KIND_ALIASES)
NUMBER_NOTE = (
    "同一组织同一天有类型和主题都相同的几次会议时，与“组织生活”工作表的同日序号一致；留空为1"
)
PLAN_ITEM_COLUMNS = (
    *PLAN_KEY,
    Column("period", "安排期间", required=True, note="季度（如 2025-Q3）或月份（如 2025-06）"),
    Column("title", "学习内容", required=True),
    Column("content", "具体安排", clean_body),
    Column("course", "课程", note=COURSE_NOTE),
    _org("course_org", "课程发布组织", required=False),
    Column("planned_hours", "计划学时", clean_hours),
    Column("done_on", "完成日期", clean_date, note="未完成的留空"),
    Column("done_note", "完成情况"),
    _org("meeting_org", "会议党组织", required=False),
    Column("meeting_kind", "会议类型", **_MEETING_KIND),
    Column("meeting_on", "会议日期", clean_date),
    Column("meeting_topic", "会议主题"),
    Column("meeting_number", "会议同日序号", clean_number, note=NUMBER_NOTE),
)
CREDIT_COLUMNS = (
    _org("org", "党组织", ("党组织编码",)),
    Column("kind", "会议类型", required=True, **_MEETING_KIND),
    Column("held_on", "召开日期", clean_date, ("会议日期",), required=True),
    Column("topic", "主题", aliases=("会议主题",), required=True),
    Column("number", "同日序号", clean_number, note=NUMBER_NOTE),
    Column("hours", "认定学时", clean_hours, ("学时",), required=True),
    Column("note", "说明", aliases=("备注",)),
)


# --------------------------------------------------------------------------- shared


class _StudySheet(_Sheet):
    """Look-ups shared by the study sheets: courses by title, classes, plans, meetings."""

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.courses: dict[str, list[Course]] = defaultdict(list)
        for course in Course.objects.select_related("org").order_by("-published_on", "-pk"):
            self.courses[text_key(course.title)].append(course)

    def course(self, record: Record, org: Any) -> Course | None:
        """The course a row names, published to `org` (the nearest publisher, then the
        latest); one published elsewhere reads as missing."""
        v = record.values
        title = v.get("course", "")
        publisher = v.get("course_org", "")
        found = [
            c
            for c in self.courses.get(text_key(title), [])
            if org.path.startswith(c.org.path)
            and (not publisher or publisher in (c.org.code, c.org.name))
        ]
        if not found:
            return self.fail(record, "course", f"找不到课程“{title}”（须为本组织或上级发布的课程）")
        return max(found, key=lambda c: len(c.org.path))

    def same(self, key: str, stored: Any, value: Any) -> bool:
        """A stored value equals a cell's value once cleaned like the cell was."""
        if value in (None, "", []) and stored in (None, "", []):
            return True
        column = next(c for c in self.columns if c.key == key)
        if stored is not None and not isinstance(stored, list | bool):
            with contextlib.suppress(CellError):
                stored = column.clean(stored)
        return stored == value

    def changed(self, record: Record, stored: Any, keys: tuple[str, ...]) -> bool:
        """Report the first column that differs from a record import cannot change."""
        for key in keys:
            value = record.values.get(key)
            current = getattr(stored, key)
            if not self.same(key, current, value):
                shown = current if current not in (None, "") else "（空）"
                message = f"与系统中已登记的“{shown}”不一致（修改请在页面上办理）"
                self.errors.add(record, None, self.labels[key], message)
                return True
        return False

    def meeting(self, record: Record, keys: tuple[str, ...]) -> Any:
        """A meeting named by its natural key (org, kind, day, topic, 同日序号), as the
        组织生活 sheet matches meetings (`orglife.importers.meeting_key`)."""
        org_key, kind_key, day_key, topic_key, number_key = keys
        v = record.values
        org = self.org(record, org_key, scoped=False)
        if org is None:
            return None
        if not (v.get(kind_key) and v.get(day_key) and v.get(topic_key)):
            return self.fail(record, org_key, "请填写会议的党组织、类型、日期和主题")
        key = meeting_key(org.pk, v[kind_key], v[day_key], v[topic_key], v.get(number_key))
        found = self.stored(org, meetings_by_key).get(key)
        if found is None:
            message = f"找不到{org.name}{v[day_key]}召开的会议“{v[topic_key]}”"
            return self.fail(record, topic_key, message)
        return found


def _past(member: Any, day: dt.date, org: Any) -> Any:
    """The member as they were on `day` when they have since left or moved away."""
    moved = not member.org.path.startswith(org.path)
    return restore.member_as_of(member, day) if member.status == Status.LEFT or moved else member


# --------------------------------------------------------------------------- 课程


class _Courses(_StudySheet):
    columns = COURSE_COLUMNS
    keys = ("kind", "hours", "tags", "summary", "body", "file_name", "active")

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        key = (org.pk, text_key(v["title"]), v["published_on"])
        if not self.unique(record, key, "title"):
            return "error"
        fields = {k: v[k] for k in self.keys if k in v}
        if fields.get("active") is None:
            fields["active"] = True
        stored = self.stored(org, _courses_by_key).get(key)
        if stored is None:
            fields |= {"title": v["title"], "published_on": v["published_on"]}
            return self._save(record, None, org, fields, "created")
        changes = {k: x for k, x in fields.items() if not self.same(k, getattr(stored, k), x)}
        if not changes:
            return "unchanged"
        return self._save(record, stored, org, changes, "updated")

    def _save(self, record: Record, course: Any, org: Any, fields: dict, outcome: str) -> str:
        saved = self.call(record, restore.save_course, course=course, org=org, **fields)
        if saved is None:
            return "error"
        self.stored(org, _courses_by_key)[(org.pk, text_key(saved.title), saved.published_on)] = (
            saved
        )
        return outcome


def _courses_by_key(org: Any) -> dict[tuple[Any, ...], Course]:
    found: dict[tuple[Any, ...], Course] = {}
    for course in org.courses.order_by("pk"):
        found.setdefault((org.pk, text_key(course.title), course.published_on), course)
    return found


class CourseImporter(SheetImporter):
    kind = "courses"
    title = "课程"
    sheet_names = ("课程菜单", "课程目录", "courses")
    columns = COURSE_COLUMNS
    order = 55  # after members, before the lists, plans and records naming courses
    sheet = _Courses


# --------------------------------------------------------------------------- 必学清单


class _MustLearn(_StudySheet):
    """Rows grouped by list (org, year); a new list is published at the end of the sheet
    with its courses in 序号 order; a published list cannot be changed by an import."""

    columns = MUST_LEARN_COLUMNS
    list_keys = ("title", "published_on", "note")

    def __init__(self, errors: Errors, by: Any):
        super().__init__(errors, by)
        self.lists: dict[tuple[int, int], list[tuple[Record, Course]]] = defaultdict(list)
        self.orgs: dict[int, Any] = {}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        course = self.course(record, org) if org is not None else None
        if org is None or course is None:
            return "error"
        if not self.unique(record, (org.pk, v["year"], course.pk), "course"):
            return "error"
        self.orgs[org.pk] = org
        self.lists[(org.pk, v["year"])].append((record, course))
        return "pending"

    def finish(self) -> dict[str, int]:
        for (org_id, year), rows in self.lists.items():
            outcome = self._list(self.orgs[org_id], year, rows)
            self.outcomes[outcome] += len(rows) if outcome != "error" else 0
        return super().finish()

    def _list(self, org: Any, year: int, rows: list[tuple[Record, Course]]) -> str:
        first = rows[0][0]
        for record, _course in rows[1:]:
            for key in self.list_keys:
                if record.values.get(key) != first.values.get(key):
                    message = f"同一清单各行的“{self.labels[key]}”应一致（第 {first.row} 行）"
                    return self.reject(record, key, message)
        stored = MustLearnList.objects.filter(org=org, year=year).first()
        ordered = sorted(rows, key=lambda row: (row[0].values.get("position") or 0, row[0].row))
        if stored is None:
            v = first.values
            made = self.call(
                first,
                domain.publish_must_learn_list,
                org=org,
                year=year,
                courses=[course for _record, course in ordered],
                published_on=v["published_on"],
                title=v.get("title", ""),
                note=v.get("note", ""),
            )
            return "created" if made is not None else "error"
        return self._compare(stored, first, ordered)

    def _compare(self, stored: MustLearnList, first: Record, ordered: list) -> str:
        if first.values.get("title") and self.changed(first, stored, ("title",)):
            return "error"
        if self.changed(first, stored, ("published_on", "note")):
            return "error"
        items = list(stored.items.order_by("position", "pk").values_list("course_id", flat=True))
        if items != [course.pk for _record, course in ordered]:
            message = "与系统中已发布的清单课程不一致（已发布的清单请在页面上修改）"
            return self.reject(first, "course", message)
        return "unchanged"


class MustLearnImporter(SheetImporter):
    kind = "must_learn"
    title = "必学清单"
    sheet_names = ("必学必知必会清单", "必学内容", "must_learn")
    columns = MUST_LEARN_COLUMNS
    order = 56
    sheet = _MustLearn


# --------------------------------------------------------------------------- 培训班


class _Classes(_StudySheet):
    columns = CLASS_COLUMNS
    keys = ("kind", "organizer", "status", "ends_on", "days", "hours", "place", "content")

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.in_order(record, "starts_on", "ends_on"):
            return "error"
        key = (org.pk, text_key(v["title"]), v["starts_on"])
        if not self.unique(record, key, "title"):
            return "error"
        fields = {k: v.get(k) for k in self.keys}
        fields["status"] = fields["status"] or TrainingStatus.HELD
        stored = self.stored(org, _classes_by_key).get(key)
        if stored is not None:
            record.values["status"] = fields["status"]
            return "error" if self.changed(record, stored, self.keys) else "unchanged"
        made = self.call(
            record,
            domain.create_training_class,
            org=org,
            title=v["title"],
            starts_on=v["starts_on"],
            **{k: ("" if x is None else x) for k, x in fields.items()},
        )
        if made is None:
            return "error"
        self.stored(org, _classes_by_key)[key] = made
        return "created"


def _classes_by_key(org: Any) -> dict[tuple[Any, ...], TrainingClass]:
    found: dict[tuple[Any, ...], TrainingClass] = {}
    for item in org.training_classes.order_by("pk"):
        found.setdefault((org.pk, text_key(item.title), item.starts_on), item)
    return found


class TrainingClassImporter(SheetImporter):
    kind = "training_classes"
    title = "培训班"
    sheet_names = ("培训班次", "training_classes")
    columns = CLASS_COLUMNS
    order = 57
    sheet = _Classes


class _Enrollments(_StudySheet):
    """A row is one member's enrolment in a class (org, name, first day); its status is
    set through `enroll_members` or `record_training_attendance`."""

    columns = ENROLLMENT_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record, scoped=False)
        member = self.member(record, "member", "name")
        if org is None or member is None:
            return "error"
        found = self.stored(org, _classes_by_key).get(
            (org.pk, text_key(v["title"]), v["starts_on"])
        )
        if found is None or not self.may_edit(org):
            message = f"找不到{org.name}{v['starts_on']}开班的培训班“{v['title']}”"
            return self.reject(record, "title", message)
        if not self.unique(record, (found.pk, member.pk), "member"):
            return "error"
        rows = self.stored(found, lambda c: {e.member_id: e for e in c.enrollments.all()})
        row = rows.get(member.pk)
        status = v.get("status") or EnrollmentStatus.ENROLLED
        hours = v.get("hours") if status == EnrollmentStatus.ATTENDED else None
        if row is not None and (row.status, row.hours) == (status, hours):
            return self._note(record, row, "unchanged")
        past = _past(member, found.ends_on, found.org)
        if status == EnrollmentStatus.ENROLLED:
            if row is not None:
                return self.reject(record, "status", "已登记参训情况的报名不能改回“已报名”")
            made = self.call(record, domain.enroll_members, training_class=found, members=[past])
        else:
            came, missed = ([past], []) if status == EnrollmentStatus.ATTENDED else ([], [past])
            made = self.call(
                record,
                domain.record_training_attendance,
                training_class=found,
                attended=came,
                absent=missed,
                hours=hours,
            )
        if not made:
            return "error"
        rows[member.pk] = made[0]
        return self._note(record, made[0], "created" if row is None else "updated")

    def _note(self, record: Record, row: Enrollment, outcome: str) -> str:
        note = record.values.get("note", "")
        if clean_text(row.note) == note:
            return outcome
        saved = self.call(record, restore.set_enrollment_note, row=row, note=note)
        if saved is None:
            return "error"
        return "updated" if outcome == "unchanged" else outcome


class EnrollmentImporter(SheetImporter):
    kind = "enrollments"
    title = "培训报名"
    sheet_names = ("参训人员", "培训学员", "enrollments")
    columns = ENROLLMENT_COLUMNS
    order = 58  # the classes first
    sheet = _Enrollments


# --------------------------------------------------------------------------- 学习计划


class _PlanSheet(_StudySheet):
    member_keys = ("member",)

    def plan_owner(self, record: Record) -> tuple[Any, Any] | None:
        """(org, member) of the plan a row names; a personal plan names its member."""
        v = record.values
        org = self.org(record, scoped=False)
        if org is None:
            return None
        member = None
        if v["kind"] == PlanKind.PERSONAL:
            if not v.get("member"):
                return self.fail(record, "member", "个人自学计划须填写制定人")
            member = self.member(record, "member", "name" if "name" in self.labels else "")
            if member is None:
                return None
        elif v.get("member"):
            return self.fail(record, "member", "组织学习计划不填写制定人")
        if not self.may_edit(org):
            return self.fail(record, "org", f"您对“{org.name}”只有查看权限")
        return org, member

    def stored_plan(self, org: Any, member: Any, kind: str, year: int) -> StudyPlan | None:
        plans = StudyPlan.objects.filter(kind=kind, year=year)
        plans = plans.filter(member=member) if member is not None else plans.filter(org=org)
        return plans.first()


class _Plans(_PlanSheet):
    columns = PLAN_COLUMNS
    keys = ("title", "content", "adopted_on")

    def one(self, record: Record) -> str:
        v = record.values
        found = self.plan_owner(record)
        if found is None:
            return "error"
        org, member = found
        owner = member.pk if member is not None else org.pk
        if not self.unique(record, (v["kind"], owner, v["year"]), "year"):
            return "error"
        stored = self.stored_plan(org, member, v["kind"], v["year"])
        if stored is not None:
            if stored.org_id != org.pk:
                return self.reject(record, "org", f"与系统中已登记的“{stored.org.code}”不一致")
            return "error" if self.changed(record, stored, self.keys) else "unchanged"
        past = member
        if member is not None and (member.status == Status.LEFT or member.org_id != org.pk):
            past = restore.member_as_of(member, v["adopted_on"])
        if past is not None and past.org.pk != org.pk:
            return self.reject(record, "org", f"制定日期时该党员不在“{org.name}”")
        made = self.call(
            record,
            domain.create_study_plan,
            kind=v["kind"],
            year=v["year"],
            title=v["title"],
            adopted_on=v["adopted_on"],
            org=org if member is None else None,
            member=past,
            content=v.get("content", ""),
        )
        return "created" if made is not None else "error"


class StudyPlanImporter(SheetImporter):
    kind = "study_plans"
    title = "学习计划"
    sheet_names = ("年度学习计划", "study_plans")
    columns = PLAN_COLUMNS
    order = 76  # after meetings (items name the meeting that carried them out)
    sheet = _Plans


class _PlanItems(_PlanSheet):
    """An item is matched by its plan, period and content (学习内容)."""

    columns = PLAN_ITEM_COLUMNS
    keys = ("content", "planned_hours")
    meeting_keys = ("meeting_org", "meeting_kind", "meeting_on", "meeting_topic", "meeting_number")

    def one(self, record: Record) -> str:
        v = record.values
        found = self.plan_owner(record)
        if found is None:
            return "error"
        plan = self.stored_plan(*found, v["kind"], v["year"])
        if plan is None:
            return self.reject(record, "year", "找不到该学习计划（请先在“学习计划”工作表登记）")
        course = self.course(record, plan.org) if v.get("course") else None
        meeting = self.meeting(record, self.meeting_keys) if v.get("meeting_org") else None
        if (v.get("course") and course is None) or (v.get("meeting_org") and meeting is None):
            return "error"
        key = (plan.pk, v["period"], text_key(v["title"]))
        if not self.unique(record, key, "title"):
            return "error"
        items = self.stored(plan, _items_by_key)
        item = items.get(key)
        outcome = "unchanged"
        if item is None:
            item = self._add(record, plan, course)
            if item is None:
                return "error"
            items[key] = item
            outcome = "created"
        elif self.changed(record, item, self.keys) or self._other_course(record, item, course):
            return "error"
        return self._done(record, item, meeting, outcome)

    def _add(self, record: Record, plan: StudyPlan, course: Course | None) -> PlanItem | None:
        v = record.values
        return self.call(
            record,
            domain.add_plan_item,
            plan=plan,
            period=v["period"],
            title=v["title"],
            content=v.get("content", ""),
            course=course,
            planned_hours=v.get("planned_hours"),
        )

    def _other_course(self, record: Record, item: PlanItem, course: Course | None) -> bool:
        if (course.pk if course else None) == item.course_id:
            return False
        self.errors.add(record, None, self.labels["course"], "与系统中已登记的课程不一致")
        return True

    def _done(self, record: Record, item: PlanItem, meeting: Any, outcome: str) -> str:
        v = record.values
        done = (v.get("done_on"), v.get("done_note", ""), meeting.pk if meeting else None)
        if done == (item.done_on, clean_text(item.done_note), item.meeting_id):
            return outcome
        if v.get("done_on") is None:
            return self.reject(record, "done_on", f"与系统中已登记的“{item.done_on}”不一致")
        marked = self.call(
            record,
            domain.mark_plan_item_done,
            item=item,
            done_on=v["done_on"],
            done_note=v.get("done_note", ""),
            meeting=meeting,
        )
        if marked is None:
            return "error"
        return "updated" if outcome == "unchanged" else outcome


def _items_by_key(plan: StudyPlan) -> dict[tuple[Any, ...], PlanItem]:
    found: dict[tuple[Any, ...], PlanItem] = {}
    for item in plan.items.order_by("pk"):
        found.setdefault((plan.pk, item.period, text_key(item.title)), item)
    return found


class PlanItemImporter(SheetImporter):
    kind = "plan_items"
    title = "学习安排"
    sheet_names = ("学习计划安排", "计划安排", "plan_items")
    columns = PLAN_ITEM_COLUMNS
    order = 77  # the plans first
    sheet = _PlanItems


# --------------------------------------------------------------------------- 会议学时


class _Credits(_StudySheet):
    columns = CREDIT_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        meeting = self.meeting(record, ("org", "kind", "held_on", "topic", "number"))
        if meeting is None:
            return "error"
        if not self.may_edit(meeting.org):
            return self.reject(record, "org", f"您对“{meeting.org.name}”只有查看权限")
        if not self.unique(record, meeting.pk, "topic"):
            return "error"
        stored = MeetingCredit.objects.filter(meeting=meeting).first()
        note = v.get("note", "")
        if stored is not None and (stored.hours, clean_text(stored.note)) == (v["hours"], note):
            return "unchanged"
        saved = self.call(
            record, domain.credit_meeting_hours, meeting=meeting, hours=v["hours"], note=note
        )
        if saved is None:
            return "error"
        return "created" if stored is None else "updated"


class MeetingCreditImporter(SheetImporter):
    kind = "meeting_credits"
    title = "会议学时认定"
    sheet_names = ("会议学时", "meeting_credits")
    columns = CREDIT_COLUMNS
    order = 72  # after meetings
    sheet = _Credits
