"""Round trip of study and training (issue 13, Deliver 6): every study kind exports in its
import sheets' columns and re-imports into a database without it with every row equal
(by natural keys); importing the same files again writes nothing; codes outside the
user's scope read like missing ones; bad cells are row errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from tests.factories import make_member
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.members.domain import set_member_status
from xianfeng.orglife.domain import record_meeting
from xianfeng.study import domain, restore
from xianfeng.study.models import (
    Course,
    Enrollment,
    MeetingCredit,
    MustLearnItem,
    MustLearnList,
    PlanItem,
    StudyPlan,
    StudyRecord,
    TrainingClass,
)

pytestmark = pytest.mark.django_db
D = dt.date
KINDS = ("courses", "must_learn", "training", "study_plans", "meeting_credits", "study_records")


def build(tree) -> None:
    """A few rows of every study kind, made through the domain."""
    lecture = domain.create_course(
        org=tree.county_a, title="党的创新理论", kind="lecture", hours=3, published_on=D(2025, 1, 5)
    )
    text = domain.create_course(
        org=tree.town_a,
        title="党史学习教育专题",
        kind="text",
        hours="1.5",
        published_on=D(2025, 2, 1),
        tags=["党史", "必学"],
        summary="简介",
        body="  第一段\n\n  第二段  ",
    )
    restore.save_course(  # a video course: its file stays with the backup
        org=tree.town_a,
        title="乡村振兴实用技术",
        kind="video",
        hours=2,
        published_on=D(2025, 2, 3),
        file_name="技术.mp4",
        active=False,
    )
    domain.publish_must_learn_list(
        org=tree.town_a, year=2025, courses=[text, lecture], published_on=D(2025, 2, 5), note="说明"
    )
    held = domain.create_training_class(
        org=tree.town_a,
        kind="rotation",
        title="2025年党员集中轮训",
        starts_on=D(2025, 4, 1),
        ends_on=D(2025, 4, 3),
        days="2.5",
        hours=16,
        place="镇党校",
    )
    domain.record_training_attendance(held, attended=[tree.member_a], hours=12)
    domain.record_training_attendance(held, attended=[], absent=[tree.member_a2])
    planned = domain.create_training_class(
        org=tree.town_a,
        kind="practical",
        title="秋季实用技术培训",
        starts_on=D(2025, 9, 1),
        ends_on=D(2025, 9, 1),
        days=1,
        hours=4,
        status="planned",
    )
    domain.enroll_members(planned, members=[tree.member_a])
    lesson = record_meeting(
        org=tree.branch_a, kind="party_lesson", topic="学习党章", held_on=D(2025, 3, 10)
    )
    domain.credit_meeting_hours(lesson, hours="1.5", note="按半天认定")
    again = record_meeting(  # a second lesson of that day and topic: 同日序号 2
        org=tree.branch_a, kind="party_lesson", topic="学习党章", held_on=D(2025, 3, 10)
    )
    domain.credit_meeting_hours(again, hours=2)
    plan = domain.create_study_plan(
        kind="org", org=tree.branch_a, year=2025, title="2025年学习计划", adopted_on=D(2025, 1, 2)
    )
    first = domain.add_plan_item(plan, period="2025-Q1", title="学习党章", course=text)
    domain.mark_plan_item_done(first, done_on=D(2025, 3, 10), done_note="已学", meeting=lesson)
    second = domain.add_plan_item(plan, period="2025-06", title="专题研讨", planned_hours=2)
    domain.mark_plan_item_done(second, done_on=D(2025, 6, 30), meeting=again)
    cadre = make_member(tree.branch_a, code="MA9", name="赵六", leading_cadre=True)
    personal = domain.create_study_plan(
        kind="personal", member=cadre, year=2025, title="个人自学计划", adopted_on=D(2025, 1, 3)
    )
    domain.add_plan_item(personal, period="2025-05", title="读原著")
    record = domain.record_study
    record(member=tree.member_a, source="online", studied_on=D(2025, 3, 1), course=text)
    record(member=tree.member_a, source="imported", studied_on=D(2025, 3, 1), hours=2, title="X")
    for day, approve in ((D(2025, 5, 1), True), (D(2025, 5, 2), False), (D(2025, 5, 2), False)):
        entry = record(
            member=tree.member_a2, source="self_study", studied_on=day, hours=1, title="自学"
        )
        domain.decide_self_study(entry, approve=approve)
    record(
        member=tree.member_a2, source="self_study", studied_on=D(2025, 5, 3), hours=1, title="读书"
    )
    leaver = make_member(tree.branch_a, code="MA8", name="孙七")
    record(
        member=leaver,
        source="imported",
        studied_on=D(2025, 2, 1),
        hours=3,
        title="党课",
        note="党校",
    )
    set_member_status(member=leaver, status="left", on=D(2025, 6, 1), reason="transferred_out")


def snapshot() -> dict[str, list]:
    """Every study row by natural keys (no ids, timestamps, recorders)."""
    return {
        "courses": sorted(
            Course.objects.values_list(
                "org__code",
                "title",
                "kind",
                "hours",
                "tags",
                "summary",
                "body",
                "file_name",
                "published_on",
                "active",
            )
        ),
        "lists": sorted(
            MustLearnList.objects.values_list("org__code", "year", "title", "published_on", "note")
        ),
        "items": sorted(
            MustLearnItem.objects.values_list(
                "must_learn__org__code", "must_learn__year", "course__title", "position"
            )
        ),
        "classes": sorted(
            TrainingClass.objects.values_list(
                "org__code",
                "title",
                "starts_on",
                "kind",
                "organizer",
                "status",
                "ends_on",
                "days",
                "hours",
                "place",
                "content",
            )
        ),
        "enrollments": sorted(
            Enrollment.objects.values_list(
                "training_class__title", "member__code", "status", "hours", "note"
            )
        ),
        "plans": sorted(
            StudyPlan.objects.values_list(
                "kind", "org__code", "member__code", "year", "title", "content", "adopted_on"
            ),
            key=str,
        ),
        "plan_items": sorted(
            PlanItem.objects.values_list(
                "plan__kind",
                "plan__org__code",
                "plan__year",
                "period",
                "title",
                "content",
                "course__title",
                "planned_hours",
                "done_on",
                "done_note",
                "meeting_id",
            ),
            key=str,
        ),
        "credits": sorted(
            MeetingCredit.objects.values_list("meeting_id", "meeting__topic", "hours", "note")
        ),
        "records": sorted(
            StudyRecord.objects.values_list(
                "member__code",
                "org__code",
                "source",
                "studied_on",
                "title",
                "hours",
                "course__title",
                "status",
                "note",
                "batch",
            ),
            key=str,
        ),
    }


def history_count() -> int:
    models = (Course, MustLearnList, MustLearnItem, TrainingClass, Enrollment, StudyPlan)
    models += (PlanItem, MeetingCredit, StudyRecord)
    return sum(model.history.count() for model in models)


def wipe() -> None:
    for model in (StudyRecord, MeetingCredit, PlanItem, StudyPlan, Enrollment, TrainingClass):
        model.objects.all().delete()
    for model in (MustLearnItem, MustLearnList, Course):
        model.objects.all().delete()


def export_all(tmp_path) -> list:
    files = []
    for kind in KINDS:
        target = tmp_path / f"{kind}.xlsx"
        export(kind=kind, target=target, user=None, unmasked=True)
        files.append(target)
    return files


def test_study_round_trip_keeps_every_row_and_reimport_writes_nothing(tmp_path, tree):
    build(tree)
    before = snapshot()
    assert all(before.values())
    files = export_all(tmp_path)
    credits = load_workbook(files[KINDS.index("meeting_credits")])["会议学时认定"]
    assert [row[4] for row in credits.iter_rows(min_row=2, values_only=True)] == [None, 2]
    wipe()
    for path in files:
        run_import(path)
    assert snapshot() == before
    history = history_count()
    for path in files:
        result = run_import(path)
        assert all(c["created"] == c["updated"] == 0 for c in result.counts.values()), path
    assert snapshot() == before
    assert history_count() == history


def test_study_round_trip_of_a_scope_stays_in_it(tmp_path, tree):
    build(tree)
    target = tmp_path / "training.xlsx"
    record = export(kind="training", target=target, user=tree.users["outsider"])
    assert record.rows == 0


OUT_OF_SCOPE = [
    (
        "courses",
        "课程",
        ["发布组织", "课程名称", "课程类型", "认定学时", "发布日期"],
        ["{org}", "党课", "讲座", 2, "2025-01-01"],
        "发布组织",
    ),
    (
        "training",
        "培训班",
        ["主办党组织", "培训班名称", "开始日期", "培训类型", "结束日期", "培训天数", "认定学时"],
        ["{org}", "轮训", "2025-04-01", "党员集中轮训", "2025-04-01", 1, 4],
        "主办党组织",
    ),
    (
        "plans",
        "学习计划",
        ["计划类型", "党组织", "年度", "计划名称", "制定日期"],
        ["组织年度学习计划", "{org}", 2025, "计划", "2025-01-01"],
        "党组织",
    ),
    (
        "credits",
        "会议学时认定",
        ["党组织", "会议类型", "召开日期", "主题", "认定学时"],
        ["{org}", "党课", "2025-03-10", "学习党章", 1],
        "党组织",
    ),
]


@pytest.mark.parametrize(("name", "sheet", "header", "row", "column"), OUT_OF_SCOPE)
def test_study_out_of_scope_org_reads_like_a_missing_one(
    tmp_path, tree, name, sheet, header, row, column
):
    secretary = tree.users["secretary"]
    messages = []
    for org in ("CB-T1-B1", "NOPE"):
        cells = [cell.format(org=org) if isinstance(cell, str) else cell for cell in row]
        with pytest.raises(ImportFailed) as failed:
            run_import(xlsx(tmp_path / f"{name}.xlsx", {sheet: [header, cells]}), by=secretary)
        [error] = failed.value.errors
        assert (error.row, error.column) == (2, column)
        messages.append(error.message.replace(org, "?"))
    assert messages[0] == messages[1]


def test_study_out_of_scope_member_reads_like_a_missing_one(tmp_path, tree):
    build(tree)
    header = ["主办党组织", "培训班名称", "开始日期", "党员编号", "参训情况"]
    secretary = tree.users["secretary"]
    messages = []
    for code in ("MB1", "NOPE"):
        row = ["CA-T1", "2025年党员集中轮训", "2025-04-01", code, "已参训"]
        with pytest.raises(ImportFailed) as failed:
            run_import(xlsx(tmp_path / "e.xlsx", {"培训报名": [header, row]}), by=secretary)
        messages.append([(e.column, e.message.replace(code, "?")) for e in failed.value.errors])
    assert messages[0] == messages[1]


def test_study_bad_cells_are_row_errors(tmp_path, tree):
    header = [
        "主办党组织",
        "培训班名称",
        "开始日期",
        "培训类型",
        "结束日期",
        "培训天数",
        "认定学时",
    ]
    rows = [
        header,
        ["CA-T1", "轮训", "2025-04-01", "野营", "2025-04-01", 1, 4],
        ["CA-T1", "轮训2", "2025-13-01", "党员集中轮训", "2025-04-01", 1, 4],
        ["CA-T1", "轮训3", "2025-04-01", "党员集中轮训", "2025-04-01", 1.25, 4],
        ["CA-T1", "轮训4", "2025-04-02", "党员集中轮训", "2025-04-01", 1, 4],
        ["CA-T1", "轮训", "2025-04-01", "党员集中轮训", "2025-04-01", 1, 4],
    ]
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "c.xlsx", {"培训班": rows}))
    found = sorted((e.row, e.column) for e in failed.value.errors)
    assert found == [(2, "培训类型"), (3, "开始日期"), (4, "培训天数"), (5, "结束日期")]
    assert TrainingClass.objects.count() == 0


def test_study_duplicate_must_learn_course_and_changed_rows_are_refused(tmp_path, tree):
    build(tree)
    files = dict(zip(KINDS, export_all(tmp_path), strict=True))
    header = ["发布组织", "年度", "发布日期", "课程"]
    row = ["CA-T1", 2026, "2025-03-01", "党的创新理论"]
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "m.xlsx", {"必学清单": [header, row, row]}))
    assert [(e.row, e.message) for e in failed.value.errors] == [(3, "与第 2 行重复")]
    credit = MeetingCredit.objects.get(hours=Decimal("1.5"))
    credit.hours = Decimal("3")
    credit.save()
    result = run_import(files["meeting_credits"])
    assert result.counts["meeting_credits"] == {"created": 0, "updated": 1, "unchanged": 1}
    credit.refresh_from_db()
    assert credit.hours == Decimal("1.5")
