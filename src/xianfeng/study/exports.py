"""Exports of study and training in the import sheets' columns (PLAT-03 round trip):
courses' metadata (their files travel with backups, not spreadsheets), must-learn lists,
training classes with their enrolment, study plans with their items, meeting credits and
study records. Each file re-imports as it is (a row matching a stored record writes
nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_rows, write_sheets
from xianfeng.orglife.exports import meeting_numbers
from xianfeng.orglife.models import Meeting

from .importers import StudyRecordImporter
from .importers_support import (
    CLASS_COLUMNS,
    COURSE_COLUMNS,
    CREDIT_COLUMNS,
    ENROLLMENT_COLUMNS,
    MUST_LEARN_COLUMNS,
    PLAN_COLUMNS,
    PLAN_ITEM_COLUMNS,
    CourseImporter,
    EnrollmentImporter,
    MeetingCreditImporter,
    MustLearnImporter,
    PlanItemImporter,
    StudyPlanImporter,
    TrainingClassImporter,
)
from .models import (
    Course,
    Enrollment,
    MeetingCredit,
    MustLearnItem,
    PlanItem,
    StudyPlan,
    StudyRecord,
    TrainingClass,
)

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


# --------------------------------------------------------------------------- catalogue


def _course_ref(course: Course | None) -> dict[str, Any]:
    if course is None:
        return {"course": "", "course_org": ""}
    return {"course": course.title, "course_org": course.org.code}


def course_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    courses = Course.objects.filter(org__in=orgs).select_related("org")
    for c in courses.order_by("org__path", "published_on", "pk").iterator(chunk_size=2000):
        yield {
            "org": c.org.code,
            "title": c.title,
            "kind": c.get_kind_display(),
            "hours": float(c.hours),
            "tags": "，".join(c.tags or []),
            "summary": c.summary,
            "body": c.body,
            "file_name": c.file_name,
            "published_on": c.published_on,
            "active": "是" if c.active else "否",
        }


def must_learn_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    items = MustLearnItem.objects.filter(must_learn__org__in=orgs).select_related(
        "must_learn__org", "course__org"
    )
    order = ("must_learn__org__path", "must_learn__year", "position", "pk")
    for item in items.order_by(*order).iterator(chunk_size=2000):
        must = item.must_learn
        yield {
            "org": must.org.code,
            "year": must.year,
            "title": must.title,
            "published_on": must.published_on,
            "note": must.note,
            "position": item.position,
            **_course_ref(item.course),
        }


def class_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    classes = TrainingClass.objects.filter(org__in=orgs).select_related("org")
    for c in classes.order_by("org__path", "starts_on", "pk").iterator(chunk_size=2000):
        yield {
            "org": c.org.code,
            "title": c.title,
            "starts_on": c.starts_on,
            "kind": c.get_kind_display(),
            "organizer": c.organizer,
            "status": c.get_status_display(),
            "ends_on": c.ends_on,
            "days": float(c.days),
            "hours": float(c.hours),
            "place": c.place,
            "content": c.content,
        }


def enrollment_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    rows = Enrollment.objects.filter(training_class__org__in=orgs).select_related(
        "training_class__org", "member"
    )
    order = ("training_class__org__path", "training_class__starts_on", "training_class_id")
    for e in rows.order_by(*order, "member__code").iterator(chunk_size=5000):
        c = e.training_class
        yield {
            "org": c.org.code,
            "title": c.title,
            "starts_on": c.starts_on,
            "member": e.member.code,
            "name": e.member.name,
            "status": e.get_status_display(),
            "hours": float(e.hours) if e.hours is not None else "",
            "note": e.note,
        }


def _plan_key(plan: StudyPlan) -> dict[str, Any]:
    return {
        "kind": plan.get_kind_display(),
        "org": plan.org.code,
        "member": plan.member.code if plan.member else "",
        "year": plan.year,
    }


def plan_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    plans = StudyPlan.objects.filter(org__in=orgs).select_related("org", "member")
    for p in plans.order_by("org__path", "year", "kind", "pk").iterator(chunk_size=2000):
        yield {
            **_plan_key(p),
            "name": p.member.name if p.member else "",
            "title": p.title,
            "content": p.content,
            "adopted_on": p.adopted_on,
        }


def _numbers(orgs: QuerySet[Any], meeting_orgs: QuerySet[Any]) -> dict[int, int]:
    """同日序号 of the meetings of the orgs that `meeting_orgs` (org ids) name."""
    return meeting_numbers(Meeting.objects.filter(org__in=orgs, org_id__in=meeting_orgs))


def plan_item_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    items = PlanItem.objects.filter(plan__org__in=orgs).select_related(
        "plan__org", "plan__member", "course__org", "meeting__org"
    )
    numbers = _numbers(orgs, items.filter(meeting__isnull=False).values("meeting__org_id"))
    order = ("plan__org__path", "plan__year", "plan__kind", "plan_id", "period", "pk")
    for item in items.order_by(*order).iterator(chunk_size=2000):
        meeting = item.meeting
        yield {
            **_plan_key(item.plan),
            "period": item.period,
            "title": item.title,
            "content": item.content,
            **_course_ref(item.course),
            "planned_hours": float(item.planned_hours) if item.planned_hours is not None else "",
            "done_on": item.done_on,
            "done_note": item.done_note,
            **_meeting_ref(meeting, numbers),
        }


def _meeting_ref(meeting: Meeting | None, numbers: dict[int, int]) -> dict[str, Any]:
    if meeting is None:
        return {}
    number = numbers.get(meeting.pk, 1)
    return {
        "meeting_org": meeting.org.code,
        "meeting_kind": meeting.get_kind_display(),
        "meeting_on": meeting.day,
        "meeting_topic": meeting.topic,
        "meeting_number": number if number > 1 else None,
    }


def credit_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    credits = MeetingCredit.objects.filter(meeting__org__in=orgs).select_related("meeting__org")
    numbers = _numbers(orgs, credits.values("meeting__org_id"))
    order = ("meeting__org__path", "meeting__held_on", "meeting_id")
    for credit in credits.order_by(*order).iterator(chunk_size=2000):
        m = credit.meeting
        yield {
            "org": m.org.code,
            "kind": m.get_kind_display(),
            "held_on": m.day,
            "topic": m.topic,
            "number": numbers.get(m.pk, 1) if numbers.get(m.pk, 1) > 1 else None,
            "hours": float(credit.hours),
            "note": credit.note,
        }


def _courses(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = course_rows(scope.orgs())
    return write_sheets(target, [(CourseImporter.title, COURSE_COLUMNS, rows)])


def _must_learn(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = must_learn_rows(scope.orgs())
    return write_sheets(target, [(MustLearnImporter.title, MUST_LEARN_COLUMNS, rows)])


def _training(target: Path | IO[bytes], scope: ExportScope) -> int:
    orgs = scope.orgs()
    return write_sheets(
        target,
        [
            (TrainingClassImporter.title, CLASS_COLUMNS, class_rows(orgs)),
            (EnrollmentImporter.title, ENROLLMENT_COLUMNS, enrollment_rows(orgs)),
        ],
    )


def _plans(target: Path | IO[bytes], scope: ExportScope) -> int:
    orgs = scope.orgs()
    return write_sheets(
        target,
        [
            (StudyPlanImporter.title, PLAN_COLUMNS, plan_rows(orgs)),
            (PlanItemImporter.title, PLAN_ITEM_COLUMNS, plan_item_rows(orgs)),
        ],
    )


def _credits(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = credit_rows(scope.orgs())
    return write_sheets(target, [(MeetingCreditImporter.title, CREDIT_COLUMNS, rows)])


EXPORTS = (
    Export("courses", "课程（不含课件文件）", _courses),
    Export("must_learn", "必学清单", _must_learn),
    Export("training", "培训班（含报名）", _training),
    Export("study_plans", "学习计划（含安排）", _plans),
    Export("meeting_credits", "会议学时认定", _credits),
    Export("study_records", "学习记录", _write),
)
