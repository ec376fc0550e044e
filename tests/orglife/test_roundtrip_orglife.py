"""Round trip of organizational life (issue 13, Deliver 6): lesson materials' metadata,
exemptions, meetings of every status with attendance and leave, and party-affairs records
export in their import sheets' columns and re-import into an emptied database with every
row equal by natural key; importing the same files again writes nothing; a code outside
the importing user's scope reads like a missing one; bad cells are row errors."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from tests.factories import make_member
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.dates import today
from xianfeng.orglife import domain
from xianfeng.orglife.models import (
    AffairsRecord,
    Attendance,
    Exemption,
    LeaveRequest,
    LessonMaterial,
    Meeting,
)
from xianfeng.orglife.restore import restore_attendance

pytestmark = pytest.mark.django_db
D = dt.date


def build(tree) -> None:
    """A few rows of every kind, through the domain: equal meetings on one day, a
    planned and a cancelled meeting, a leave request, a vote and a note set by hand, two
    exemptions alike but for their decision, a material used by a lesson."""
    ma3 = make_member(tree.branch_a, code="MA3", name="赵六")
    material = domain.publish_material(
        org=tree.town_a,
        month="2025-05",
        title="学习党章",
        summary="第一章\n第二章",
        published_on=D(2025, 5, 2),
    )
    LessonMaterial.objects.filter(pk=material.pk).update(file_name="党章.pdf")  # its file aside
    theme = domain.record_meeting(
        org=tree.branch_a,
        kind="theme_day",
        topic="5月主题党日",
        held_on=D(2025, 5, 6),
        planned_on=D(2025, 5, 5),
        starts_at=dt.time(19, 30),
        place="村部",
        host=tree.member_a,
        recorder=ma3,
        material=material,
        off_day_reason="农忙",
        minutes="学习党章\n讨论",
        attendance={tree.member_a.pk: "present"},
    )
    restore_attendance(theme, {ma3.pk: ("leave", True, "外出务工")})
    for _ in range(2):  # two talks alike: told apart by 同日序号
        talk = domain.record_meeting(
            org=tree.branch_a, kind="heart_talk", topic="谈心", held_on=D(2025, 6, 1)
        )
        domain.set_attendance(talk, {tree.member_a.pk: "present", ma3.pk: "present"})
    domain.record_meeting(
        org=tree.branch_a,
        kind="party_lesson",
        topic="党课",
        held_on=D(2025, 7, 1),
        lecturer_name="党校王老师",
        attendance={},
    )
    planned = domain.record_meeting(
        org=tree.branch_a,
        kind="general_meeting",
        topic="年度计划：党员大会",
        planned_on=today() + dt.timedelta(days=20),
    )
    leave = domain.ask_leave(meeting=planned, member=ma3, reason="住院")
    domain.decide_leave(leave, approve=True, by=None)
    domain.record_meeting(  # LIFE-05: for a year long past, with its reason (issue 23)
        org=tree.branch_a,
        kind="life_meeting",
        topic="补开2023年度组织生活会",
        held_on=D(2025, 4, 8),
        for_period="2023",
        period_reason="上年度漏开，经镇党委同意补开",
    )
    dropped = domain.record_meeting(
        org=tree.branch_a2, kind="committee_meeting", topic="研究工作", planned_on=D(2025, 3, 1)
    )
    domain.cancel_meeting(dropped)
    for approve in (False, True):
        exemption = domain.ask_exemption(
            member=ma3, kind="theme_day", reason="年老体弱", starts_on=D(2025, 1, 1)
        )
        domain.decide_exemption(exemption, approve=approve, by=None)
    domain.ask_exemption(
        member=tree.member_a2,
        kind="theme_day",
        reason="长期患病",
        starts_on=D(2025, 2, 1),
        ends_on=D(2025, 12, 31),
    )
    domain.record_affairs(
        org=tree.branch_a,
        kind="affairs_disclosure",
        period="2025-05",
        done_on=D(2025, 5, 31),
        summary="公开党费收缴情况",
    )


def meeting_rows():
    return Meeting.objects.values_list(
        "org__code",
        "kind",
        "status",
        "planned_on",
        "held_on",
        "starts_at",
        "for_period",
        "period_reason",
        "topic",
        "place",
        "host__code",
        "recorder__code",
        "lecturer__code",
        "lecturer_name",
        "material__title",
        "off_day_reason",
        "minutes",
    )


def attendance_rows():
    meeting = ("meeting__org__code", "meeting__kind", "meeting__held_on", "meeting__topic")
    return Attendance.objects.values_list(*meeting, "member__code", "status", "voting", "note")


def leave_rows():
    return LeaveRequest.objects.values_list(
        "meeting__org__code", "meeting__topic", "member__code", "reason", "status"
    )


# (export kind, models wiped before importing it, rows compared, rows expected)
KINDS = [
    (
        "materials",
        (LessonMaterial,),
        lambda: LessonMaterial.objects.values_list(
            "org__code", "month", "title", "summary", "published_on", "file_name"
        ),
        1,
    ),
    (
        "exemptions",
        (Exemption,),
        lambda: Exemption.objects.values_list(
            "member__code", "kind", "reason", "starts_on", "ends_on", "status"
        ),
        3,
    ),
    ("meetings", (Meeting,), meeting_rows, 7),
    ("attendance", (Meeting,), attendance_rows, 8),  # travels with the meetings
    ("leave", (Meeting,), leave_rows, 1),
    (
        "affairs",
        (AffairsRecord,),
        lambda: AffairsRecord.objects.values_list("org__code", "kind", "period", "done_on"),
        1,
    ),
]
FILE = {"attendance": "meetings", "leave": "meetings"}


def histories() -> list[int]:
    models = (LessonMaterial, Exemption, Meeting, Attendance, LeaveRequest, AffairsRecord)
    return [n for m in models for n in (m.objects.count(), m.history.count())]


@pytest.mark.parametrize(("kind", "wiped", "rows", "count"), KINDS, ids=[k[0] for k in KINDS])
def test_round_trip_keeps_every_row(tmp_path, tree, kind, wiped, rows, count):
    build(tree)
    before = sorted(rows())
    assert len(before) == count
    target = tmp_path / "export.xlsx"
    export(kind=FILE.get(kind, kind), target=target, user=None, unmasked=True)
    for model in wiped:
        model.objects.all().delete()
    run_import(target)
    assert sorted(rows()) == before
    written = histories()
    counts = run_import(target).counts
    assert all(c["created"] == c["updated"] == 0 for c in counts.values()), counts
    assert histories() == written


def test_meeting_sheet_tells_equal_meetings_apart(tmp_path, tree):
    build(tree)
    target = tmp_path / "meetings.xlsx"
    export(kind="meetings", target=target, user=None)
    sheet = load_workbook(target)["组织生活"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    talks = [(r["主题"], r["同日序号"]) for r in rows if r["类型"] == "谈心谈话"]
    assert talks == [("谈心", None), ("谈心", 2)]
    assert {r["状态"] for r in rows} == {"已召开", "计划", "已取消"}


# --------------------------------------------------------------------------- row errors

MEETINGS = ["会议编号", "党组织", "类型", "状态", "计划日期", "召开日期", "同日序号", "主题"]
MEETINGS += ["记录人", "党课教材月份", "党课教材"]
ATTENDANCE = ["会议编号", "党员编号", "出勤", "有表决权"]
LEAVE = ["会议编号", "党员编号", "请假事由", "审批状态"]
EXEMPTIONS = ["党员编号", "免于参加的活动", "原因", "起始日期", "截止日期", "审批状态", "序号"]
MATERIALS = ["发布组织", "月份", "题目", "发布日期", "序号"]


def meeting(key="9", topic="另一次学习", **cells):
    row = dict.fromkeys(MEETINGS, "")
    row.update({"会议编号": key, "党组织": "CA-T1-B1", "类型": "主题党日", "主题": topic})
    row.update({"召开日期": "2025-05-05"}, **cells)
    return [row[name] for name in MEETINGS]


def exemption(**cells):
    row = dict.fromkeys(EXEMPTIONS, "")
    row.update({"党员编号": "MA1", "原因": "年老体弱", "起始日期": "2025-01-01"}, **cells)
    return [row[name] for name in EXEMPTIONS]


def material(**cells):
    row = dict.fromkeys(MATERIALS, "")
    row.update({"发布组织": "CA-T1", "月份": "2025-05", "题目": "党章", "发布日期": "2025-05-02"})
    row.update(cells)
    return [row[name] for name in MATERIALS]


NOT_FOUND_MB1 = "找不到党员编号为“MB1”的党员"
NOT_FOUND_M404 = "找不到党员编号为“M404”的党员"
BAD = [
    # (case, sheet, row, column, message fragment); MB1 and CB-T1 lie outside the scope
    ("recorder out of scope", "组织生活", meeting(记录人="MB1"), "记录人", NOT_FOUND_MB1),
    ("recorder missing", "组织生活", meeting(记录人="M404"), "记录人", NOT_FOUND_M404),
    ("no such material", "组织生活", meeting(党课教材="无"), "党课教材", "找不到发布给本组织"),
    ("bad status", "组织生活", meeting(状态="开过"), "状态", "不是有效的选项"),
    ("planned, no date", "组织生活", meeting(状态="计划"), "计划日期", "不能为空"),
    ("bad number", "组织生活", meeting(同日序号="0"), "同日序号", ""),
    ("number 2 alone", "组织生活", meeting(同日序号="2"), "同日序号", "应从1起依次填写"),
    ("bad vote", "出勤", ["1", "MA1", "出席", "也许"], "有表决权", ""),
    ("leave out of scope", "请假", ["1", "MB1", "生病", ""], "党员编号", NOT_FOUND_MB1),
    ("leave missing member", "请假", ["1", "M404", "生病", ""], "党员编号", NOT_FOUND_M404),
    ("leave, no reason", "请假", ["1", "MA1", "", ""], "请假事由", "不能为空"),
    ("exemption out of scope", "免于参加", exemption(党员编号="MB1"), "党员编号", NOT_FOUND_MB1),
    ("exemption missing", "免于参加", exemption(党员编号="M404"), "党员编号", NOT_FOUND_M404),
    ("exemption bad day", "免于参加", exemption(起始日期="2025-02-30"), "起始日期", ""),
    (
        "exemption ends first",
        "免于参加",
        exemption(起始日期="2025-03-01", 截止日期="2025-02-28"),
        "截止日期",
        "不能早于",
    ),
    ("exemption bad status", "免于参加", exemption(审批状态="也许"), "审批状态", "不是有效"),
    ("exemption twice", "免于参加", exemption(), "序号", "与第 2 行重复"),
    ("material out of scope", "党课教材", material(发布组织="CB-T1"), "发布组织", "找不到党组织"),
    ("material missing org", "党课教材", material(发布组织="NOPE"), "发布组织", "找不到党组织"),
    ("material bad month", "党课教材", material(月份="2025-13"), "月份", "月份格式应为"),
    ("material by a branch", "党课教材", material(发布组织="CA-T1-B1"), "发布组织", "向下级"),
]
ORDER = ("党课教材", "免于参加", "组织生活", "出勤", "请假")


def good_sheets() -> dict[str, list[list]]:
    return {
        "党课教材": [MATERIALS, material()],
        "免于参加": [EXEMPTIONS, exemption()],
        "组织生活": [MEETINGS, meeting("1", "学习", 党课教材月份="2025-05", 党课教材="党章")],
        "出勤": [ATTENDANCE, ["1", "MA1", "出席", "是"]],
        "请假": [LEAVE, ["1", "MA1", "临时请假", "已批准"]],
    }


def test_good_sheets_import(tmp_path, tree):
    counts = run_import(xlsx(tmp_path / "good.xlsx", good_sheets())).counts
    assert {kind: c["created"] for kind, c in counts.items()} == dict.fromkeys(
        ("materials", "exemptions", "meetings", "attendance", "leave"), 1
    )
    assert Meeting.objects.get().material.title == "党章"
    assert LeaveRequest.objects.get().status == "approved"


@pytest.mark.parametrize(
    ("case", "sheet", "row", "column", "fragment"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_row_refuses_the_file(tmp_path, tree, case, sheet, row, column, fragment):
    sheets = good_sheets()
    sheets[sheet].append(row)
    line = len(sheets[sheet])
    with pytest.raises(ImportFailed) as info:
        path = xlsx(tmp_path / "bad.xlsx", {name: sheets[name] for name in ORDER})
        run_import(path, by=tree.users["county_officer"])
    errors = [(e.sheet, e.row, e.column, e.message) for e in info.value.errors]
    assert [e[:3] for e in errors] == [(sheet, line, column)], errors
    assert fragment in errors[0][3]
    assert not Meeting.objects.exists() and not LessonMaterial.objects.exists()


def test_planned_meeting_held_on_its_day_is_updated(tmp_path, tree):
    planned = meeting(状态="计划", 计划日期="2025-05-05", 召开日期="")
    run_import(xlsx(tmp_path / "plan.xlsx", {"组织生活": [MEETINGS, planned]}))
    assert Meeting.objects.get().status == "planned"
    held = meeting(状态="已召开", 计划日期="2025-05-05", 召开日期="2025-05-05")
    counts = run_import(xlsx(tmp_path / "held.xlsx", {"组织生活": [MEETINGS, held]})).counts
    assert counts["meetings"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert Meeting.objects.get().status == "held"
