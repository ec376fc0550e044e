"""Import and export of organizational life (PLAT-03 with LIFE-01): meetings (组织生活) and
their attendance (出勤) linked by 会议编号; any bad row refuses the whole file; scope is
enforced; re-importing changes nothing; an export re-imports to the same records."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from tests.factories import make_member
from xianfeng.core.actor import acting_as
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.cipher import get_cipher
from xianfeng.lib.idcard import make_id_number, mask_id_number
from xianfeng.orglife.importers import MEETING_COLUMNS, clean_period, clean_time
from xianfeng.orglife.models import Attendance, Meeting

pytestmark = pytest.mark.django_db
D = dt.date

MEETINGS = ["会议编号", "党组织", "类型", "召开日期", "开始时间", "所属期间", "主题", "地点"]
MEETINGS += ["主持人", "授课人", "未在固定日开展的原因", "会议记录", "跨期登记原因"]
ATTENDANCE = ["会议编号", "党员编号", "姓名", "出勤"]


def id_number_of(member) -> str:
    return get_cipher().decrypt(member.id_number_cipher)


def _visitor(tree):
    """MA2 of the sibling branch sits in the town's committee: a guest without a vote
    at the branch's meetings (LIFE-01)."""
    from xianfeng.orgs.domain import appoint_to_seat
    from xianfeng.orgs.models import Seat

    if not Seat.objects.filter(member=tree.member_a2).exists():
        appoint_to_seat(
            org=tree.town_a,
            role="committee_member",
            member=tree.member_a2,
            started_on=D(2024, 1, 1),
        )


def good_sheets(tree) -> dict[str, list[list]]:
    _visitor(tree)
    return {
        "组织生活": [
            MEETINGS,
            ["1", "CA-T1-B1", "主题党日", "2025-03-05", "09:00", "", "学习两会精神", "村部"]
            + ["MA1", "", "", "学习了两会精神\n讨论了春耕"],
            ["2", "示范市委/东县县委/青山镇党委/青山村党支部", "党课", "2025年4月10日", "19点30分"]
            + ["", "发扬斗争精神", "", "", id_number_of(tree.member_a), "", ""],
            ["3", "CA-T1-B1", "组织生活会", "2026-01-15", "", 2025, "年度组织生活会", ""]
            + ["", "", "", ""],
            ["4", "CA-T1-B1-G1", "党小组会", "2025-03-20", "", "", "学习党章", "", "", "", "", ""],
            ["5", "CA-T1-B2", "主题党日", "2025-03-08", "", "", "植树", "", "", "", "农忙", ""],
        ],
        "出勤": [
            ATTENDANCE,
            ["1", "MA1", "张三", "出席"],
            ["1", "MA2", "", "请假"],  # a town committee member, as a visitor
            ["2", id_number_of(tree.member_a), "", "缺席"],
            ["3", "MA1", "", "免于参加"],
            ["5", "MA2", "李四", "出席"],
        ],
    }


def snapshot():
    meetings = sorted(
        Meeting.objects.values_list(
            "org__code",
            "kind",
            "held_on",
            "starts_at",
            "for_period",
            "topic",
            "place",
            "host__code",
            "lecturer__code",
            "off_day_reason",
            "minutes",
        )
    )
    attendance = sorted(
        Attendance.objects.values_list(
            "meeting__org__code", "meeting__held_on", "meeting__kind", "member__code", "status"
        )
    )
    return meetings, attendance


def history() -> tuple[int, int]:
    return Meeting.history.count(), Attendance.history.count()


def test_plat_03_good_meetings_and_attendance(tmp_path, tree):
    result = run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    assert result.counts == {
        "meetings": {"created": 5, "updated": 0, "unchanged": 0},
        "attendance": {"created": 5, "updated": 0, "unchanged": 0},
    }
    theme = Meeting.objects.get(kind="theme_day", org=tree.branch_a)
    assert (theme.held_on, theme.starts_at, theme.host, theme.place, theme.status) == (
        D(2025, 3, 5),
        dt.time(9, 0),
        tree.member_a,
        "村部",
        "held",
    )
    assert theme.minutes == "学习了两会精神\n讨论了春耕"
    lesson = Meeting.objects.get(kind="party_lesson")
    assert (lesson.lecturer, lesson.starts_at) == (tree.member_a, dt.time(19, 30))
    life = Meeting.objects.get(kind="life_meeting")
    assert (life.held_on, life.for_period) == (D(2026, 1, 15), "2025")
    assert Meeting.objects.get(kind="party_group_meeting").org == tree.group_a
    assert Meeting.objects.get(org=tree.branch_a2).off_day_reason == "农忙"
    rows = Attendance.objects.filter(member__code="MA1")
    statuses = dict(rows.values_list("meeting__topic", "status"))
    assert statuses == {
        "学习两会精神": "present",
        "发扬斗争精神": "absent",
        "年度组织生活会": "exempted",
    }
    visitor = Attendance.objects.get(member=tree.member_a2, meeting=theme)
    assert (visitor.status, visitor.voting) == ("leave", False)


def test_plat_03_reimport_writes_nothing(tmp_path, tree):
    path = xlsx(tmp_path / "good.xlsx", good_sheets(tree))
    run_import(path)
    before = history()
    result = run_import(path)
    assert result.counts == {
        "meetings": {"created": 0, "updated": 0, "unchanged": 5},
        "attendance": {"created": 0, "updated": 0, "unchanged": 5},
    }
    assert history() == before


def test_plat_03_reimport_changes_only_what_differs(tmp_path, tree):
    sheets = good_sheets(tree)
    run_import(xlsx(tmp_path / "a.xlsx", sheets))
    sheets["组织生活"][1][7] = "党群服务中心"  # the place of meeting 1
    sheets["出勤"][2][3] = "缺席"  # MA2 at meeting 1: leave → absent
    result = run_import(xlsx(tmp_path / "b.xlsx", sheets))
    assert result.counts["meetings"] == {"created": 0, "updated": 1, "unchanged": 4}
    assert result.counts["attendance"] == {"created": 0, "updated": 1, "unchanged": 4}
    theme = Meeting.objects.get(kind="theme_day", org=tree.branch_a)
    assert theme.place == "党群服务中心"
    assert Attendance.objects.get(meeting=theme, member=tree.member_a2).status == "absent"


def test_plat_03_each_sheet_as_csv_recognized_by_its_headers(tmp_path, tree):
    sheets = good_sheets(tree)
    path = tmp_path / "meetings.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(sheets["组织生活"])
    assert list(run_import(path).counts) == ["meetings"]
    path = tmp_path / "attendance.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(sheets["出勤"])
    with pytest.raises(ImportFailed) as info:  # the numbers belong to the meeting sheet
        run_import(path)
    assert {e.message for e in info.value.errors} == {
        f"找不到会议编号“{n}”（须在同一文件的“组织生活”工作表中登记该会议）" for n in "1235"
    }


ID_UNKNOWN = make_id_number("320602", D(1966, 6, 6), 123)


def meeting(key, org="CA-T1-B1", kind="主题党日", held="2025-05-05", **cells):
    row = dict.fromkeys(MEETINGS, "")
    row.update({"会议编号": key, "党组织": org, "类型": kind, "召开日期": held, "主题": "主题"})
    row.update(cells)
    return [row[name] for name in MEETINGS]


BAD_ROWS = [
    # (case, sheet, row, column, message fragment)
    ("unknown org", "组织生活", meeting("9", org="NOPE"), "党组织", "找不到党组织“NOPE”"),
    (
        "org out of scope",
        "组织生活",
        meeting("9", org="CB-T1-B1"),
        "党组织",
        "找不到党组织“CB-T1-B1”",
    ),
    ("bad kind", "组织生活", meeting("9", kind="座谈会"), "类型", "“座谈会”不是有效的选项"),
    (
        "kind not held by the org",
        "组织生活",
        meeting("9", kind="党小组会"),
        "类型",
        "不召开党小组会",
    ),
    ("bad date", "组织生活", meeting("9", held="2025-02-30"), "召开日期", ""),
    ("future date", "组织生活", meeting("9", held="2099-01-01"), "召开日期", "不能晚于今天"),
    ("missing date", "组织生活", meeting("9", held=""), "召开日期", "不能为空"),
    ("bad time", "组织生活", meeting("9", 开始时间="25:00"), "开始时间", "时间格式应为"),
    ("bad period", "组织生活", meeting("9", 所属期间="2025-13"), "所属期间", "所属期间应为"),
    ("missing topic", "组织生活", meeting("9", 主题=""), "主题", "不能为空"),
    (
        "LIFE-05 for a future year",
        "组织生活",
        meeting("9", kind="组织生活会", held="2024-12-20", 所属期间="2025"),
        "所属期间",
        "所属期间2025尚未开始（2025-01-01起）",
    ),
    (
        "LIFE-05 late for its year without a reason",
        "组织生活",
        meeting("9", kind="组织生活会", held="2025-03-05", 所属期间="2024"),
        "跨期登记原因",
        "请填写跨期登记原因",
    ),
    ("same number twice", "组织生活", meeting("1", held="2025-06-05"), "会议编号", "与第 2 行重复"),
    (
        "same meeting twice",
        "组织生活",
        meeting("9", held="2025-03-05", 主题="学习两会精神"),
        "主题",
        "与第 2 行重复",
    ),
    ("unknown host", "组织生活", meeting("9", 主持人="M404"), "主持人", "找不到党员编号为“M404”"),
    (
        "unknown lecturer ID, masked",
        "组织生活",
        meeting("9", 授课人=ID_UNKNOWN),
        "授课人",
        f"找不到身份证号为 {mask_id_number(ID_UNKNOWN)} 的党员",
    ),
    (
        "host out of scope",
        "组织生活",
        meeting("9", 主持人="MB1"),
        "主持人",
        "找不到党员编号为“MB1”",
    ),
    ("unknown number", "出勤", ["77", "MA1", "", "出席"], "会议编号", "找不到会议编号“77”"),
    ("unknown member", "出勤", ["1", "M404", "", "出席"], "党员编号", "找不到党员编号为“M404”"),
    ("member out of scope", "出勤", ["1", "MB1", "", "出席"], "党员编号", "找不到党员编号为“MB1”"),
    # in the user's scope but on neither the roster nor a seat above (LIFE-01)
    (
        "member off the roster",
        "出勤",
        ["5", "MA1", "", "出席"],
        "党员编号",
        "找不到党员编号为“MA1”",
    ),
    ("name does not match", "出勤", ["2", "MA1", "王五", "出席"], "姓名", "不一致"),
    ("bad status", "出勤", ["2", "MA2", "", "迟到"], "出勤", "“迟到”不是有效的选项"),
    ("missing status", "出勤", ["2", "MA2", "", ""], "出勤", "不能为空"),
    ("member twice", "出勤", ["1", "MA1", "", "缺席"], "党员编号", "与第 2 行重复"),
]


@pytest.mark.parametrize(
    ("case", "sheet", "row", "column", "fragment"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS]
)
def test_plat_03_bad_row_refuses_the_whole_file(tmp_path, tree, case, sheet, row, column, fragment):
    sheets = good_sheets(tree)
    sheets[sheet].append(row)
    line = len(sheets[sheet])
    with pytest.raises(ImportFailed) as info:
        run_import(xlsx(tmp_path / "bad.xlsx", sheets), by=tree.users["county_officer"])
    errors = [(e.sheet, e.row, e.column, e.message) for e in info.value.errors]
    assert [e[:3] for e in errors] == [(sheet, line, column)], errors
    assert fragment in errors[0][3]
    assert (Meeting.objects.count(), Attendance.objects.count()) == (0, 0)


def test_plat_03_id_numbers_never_in_errors(tmp_path, tree):
    number = id_number_of(tree.member_b)
    sheets = good_sheets(tree)
    sheets["出勤"].append(["1", number, "", "出席"])
    with pytest.raises(ImportFailed) as info:
        run_import(xlsx(tmp_path / "id.xlsx", sheets), by=tree.users["county_officer"])
    assert [e.column for e in info.value.errors] == ["党员编号"]
    assert all(number not in error.line() for error in info.value.errors)


def test_plat_03_out_of_scope_refused_with_as_user(tmp_path, tree):
    sheets = {"组织生活": [MEETINGS, meeting("1"), meeting("2", org="CA-T1-B2")]}
    path = xlsx(tmp_path / "scope.xlsx", sheets)
    out = StringIO()
    as_secretary = acting_as(tree.users["secretary"], "cli: xianfeng import --as secretary")
    with as_secretary, pytest.raises(SystemExit) as exit_:
        call_command("import", str(path), stdout=out, stderr=StringIO())
    assert exit_.value.code == 1
    assert (
        out.getvalue().strip()
        == "组织生活\t3\t党组织\t找不到党组织“CA-T1-B2”（请填编码或完整名称路径）"
    )
    assert not Meeting.objects.exists()
    sheets["组织生活"].pop()
    with acting_as(tree.users["secretary"], "cli: xianfeng import --as secretary"):
        call_command("import", str(xlsx(tmp_path / "ok.xlsx", sheets)), stdout=StringIO())
    assert Meeting.objects.get().org == tree.branch_a


def test_plat_03_export_reimports_to_the_same_records(tmp_path, tree):
    run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    make_member(tree.branch_a, code="MA3", name="赵六")  # not on any roster: not exported
    before = snapshot()
    target = tmp_path / "export.xlsx"
    record = export(kind="meetings", target=target, user=tree.users["county_officer"])
    assert record.rows == 5 + 5
    book = load_workbook(target)
    assert book.sheetnames == ["组织生活", "出勤", "请假"]
    written = [c.value for c in book["组织生活"][1]]  # every column, the import's order
    assert written == [c.label for c in MEETING_COLUMNS] and set(MEETINGS) <= set(written)
    assert [c.value for c in book["出勤"][1]] == [*ATTENDANCE, "有表决权", "备注"]
    counts = run_import(target).counts
    assert counts["meetings"]["unchanged"] == 5 and counts["attendance"]["unchanged"] == 5
    Meeting.objects.all().delete()
    run_import(target)
    assert snapshot() == before


def test_plat_03_export_is_scoped(tmp_path, tree):
    sheets = good_sheets(tree)
    run_import(xlsx(tmp_path / "good.xlsx", sheets))
    target = tmp_path / "mine.xlsx"
    export(kind="meetings", target=target, user=tree.users["secretary"])
    book = load_workbook(target)
    orgs = {row[1].value for row in book["组织生活"].iter_rows(min_row=2)}
    assert orgs == {"CA-T1-B1", "CA-T1-B1-G1"}  # not CA-T1-B2, outside the branch
    assert len(list(book["出勤"].iter_rows(min_row=2))) == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19:30", dt.time(19, 30)),
        ("19：30", dt.time(19, 30)),
        ("9点", dt.time(9, 0)),
        ("19时30分", dt.time(19, 30)),
        ("08:15:00", dt.time(8, 15)),
        (0.75, dt.time(18, 0)),
        (dt.time(7, 5), dt.time(7, 5)),
        ("", None),
    ],
)
def test_plat_03_times(value, expected):
    assert clean_time(value) == expected


def test_plat_03_periods():
    assert [clean_period(v) for v in (2025, 2025.0, "2025年", "2025-q3", "")] == [
        "2025",
        "2025",
        "2025",
        "2025-Q3",
        "",
    ]


def test_plat_03_export_command_for_one_org(tmp_path, tree):
    run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    target = tmp_path / "branch.xlsx"
    out = StringIO()
    call_command("export", "meetings", str(target), org="CA-T1-B2", stdout=out)
    assert out.getvalue().startswith("已导出 2 行")
    book = load_workbook(target)
    assert [[c.value for c in row] for row in book["出勤"].iter_rows(min_row=2)] == [
        [str(Meeting.objects.get(org=tree.branch_a2).pk), "MA2", "李四", "出席", "是", None]
    ]
