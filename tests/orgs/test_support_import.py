"""Imports and exports of the records kept about orgs (PLAT-03 with ORG-04, ORG-07, ORG-08,
ORG-09): a good workbook fills every sheet; any bad row refuses the whole file with a
row error; re-importing changes nothing; an export re-imports to the same records."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.core.test_importing import xlsx
from xianfeng.core.actor import acting_as
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.cipher import get_cipher
from xianfeng.lib.idcard import make_id_number, mask_id_number
from xianfeng.orgs.exports import RECORD_EXPORTS
from xianfeng.orgs.models import (
    Budget,
    ContactPoint,
    Seat,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
)

pytestmark = pytest.mark.django_db
D = dt.date
MODELS = (Seat, Term, ContactPoint, Visit, Venue, StaffPost, Budget, Spending)
KINDS = list(RECORD_EXPORTS)  # seats, terms, venues, staff, budgets, spending, contact …

SEATS = ["党组织", "职务", "分工", "党员编号", "姓名", "任职日期", "离任日期"]
TERMS = ["党组织", "选举日期", "任期（年）", "经批准延期至", "备注"]
POINTS = ["班子所在党组织", "联系领导", "联系领导姓名", "联系的党组织", "建立日期", "结束日期"]
VISITS = ["联系领导", "联系领导姓名", "联系的党组织", "日期", "方式", "内容"]
VENUE_ITEMS = ["有固定场所", "有党组织标牌", "有党旗", "有桌椅和电教设备", "有制度上墙"]
VENUES = ["党组织", "阵地名称", "地址", "面积（平方米）", *VENUE_ITEMS, "有书报资料"]
VENUES += ["有党务公开栏", "供下属党组织共用", "核查日期"]
STAFF = ["党组织", "姓名", "党员编号", "岗位", "专职或兼职", "到岗日期", "离岗日期"]
BUDGETS = ["党组织", "年度", "预算金额（元）", "备注"]
SPENDING = ["党组织", "支出日期", "金额（元）", "用途"]


def id_number_of(member) -> str:
    return get_cipher().decrypt(member.id_number_cipher)


def good_sheets(tree) -> dict[str, list[list]]:
    """Every sheet, with rows in the user's words: codes, ID numbers, labels, Chinese dates."""
    return {
        "班子成员": [
            SEATS,
            ["CA-T1-B1", "书记", "", "MA1", "张三", "2021-03-01", ""],
            ["CA-T1", "委员", "组织委员", "MA2", "李四", "2021-01-10", ""],
            [
                "示范市委/东县县委/青山镇党委",
                "副书记",
                "",
                id_number_of(tree.member_a),
                "",
                "2021年1月10日",
                "2023-06-30",
            ],
        ],
        "换届记录": [
            TERMS,
            ["CA-T1-B1", "2024-12-30", 3, "", "第六届"],  # later election first: order is free
            ["CA-T1-B1", "2021-03-01", 3, "2024-12-31", "第五届"],
            ["CA-T1", "2021-01-10", 5, "", ""],
        ],
        "活动阵地": [
            VENUES,
            [
                "CA-T1-B1",
                "青山村党群服务中心",
                "青山村1号",
                "120.5",
                *["是"] * 6,
                "是",
                "否",
                "2024-05-01",
            ],
            ["CA-T1", "青山镇党建阵地", "", "", "是", "否", "是", "否", "是", "否", "否", "是", ""],
        ],
        "党务干部": [
            STAFF,
            ["CA-T1", "", "MA2", "组织员", "专职", "2022-01-01", ""],
            ["CA-T1", "王小明", "", "宣传干事", "兼职", "2023-01-01", "2024-01-01"],
        ],
        "党建活动经费预算": [
            BUDGETS,
            ["CA-T1-B1", 2024, "12,000.50", "含上级下拨"],
            ["CA-T1-B1", 2025, 15000, ""],
        ],
        "党建活动经费支出": [
            SPENDING,
            ["CA-T1-B1", "2024-03-05", 300, "购买党建书籍"],
            ["CA-T1-B1", "2024-03-05", 300, "购买党建书籍"],  # a second, equal payment
            ["CA-T1-B1", "2024-07-01", "1,250.80", "七一主题党日活动"],
        ],
        "联系点": [
            POINTS,
            ["CA-T1", "MA2", "李四", "CA-T1-B1", "2021-02-01", ""],
        ],
        "联系点活动": [
            VISITS,
            ["MA2", "李四", "CA-T1-B1", "2022-05-06", "听取汇报", "听取支部工作汇报\n研究整改措施"],
            ["MA2", "", "CA-T1-B1", "2023-04-01", "", "走访党员"],
        ],
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def history() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in MODELS}


NOTHING = dict.fromkeys((m.__name__ for m in MODELS), 0)


def test_plat_03_good_workbook_fills_every_sheet(tmp_path, tree):
    result = run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    created = {kind: c["created"] for kind, c in result.counts.items()}
    assert created == {
        "seats": 3,
        "terms": 3,
        "venues": 2,
        "staff": 2,
        "budgets": 2,
        "spending": 3,
        "contact_points": 1,
        "visits": 2,
    }
    deputy = Seat.objects.get(role="deputy_secretary")
    assert (deputy.org, deputy.member, deputy.ended_on) == (
        tree.town_a,
        tree.member_a,
        D(2023, 6, 30),
    )
    extended = Term.objects.get(org=tree.branch_a, elected_on=D(2021, 3, 1))
    assert (extended.years, extended.approved_extension_until) == (3, D(2024, 12, 31))
    venue = Venue.objects.get(org=tree.branch_a)
    assert (venue.area_m2, venue.missing_items(), venue.has_disclosure_board) == (
        Decimal("120.5"),
        [],
        True,
    )
    assert Budget.objects.get(year=2024).amount == Decimal("12000.50")
    staff = StaffPost.objects.get(member=tree.member_a2)
    assert (staff.name, staff.full_time) == ("李四", True)
    visit = Visit.objects.get(kind="report")
    assert visit.summary == "听取支部工作汇报\n研究整改措施"
    assert Visit.objects.get(visited_on=D(2023, 4, 1)).kind == "visit"


def test_plat_03_reimport_writes_nothing(tmp_path, tree):
    path = xlsx(tmp_path / "good.xlsx", good_sheets(tree))
    run_import(path)
    before = history()
    result = run_import(path)
    assert {kind: (c["created"], c["updated"]) for kind, c in result.counts.items()} == {
        kind: (0, 0) for kind in result.counts
    }
    assert result.counts["spending"]["unchanged"] == 3
    assert history() == before


def test_plat_03_history_rows_in_any_order(tmp_path, tree):
    sheets = {
        "班子成员": [SEATS, ["CA-T1", "委员", "", "MA2", "", "2018-01-01", ""]],
        "联系点": [
            POINTS,
            ["CA-T1", "MA2", "", "CA-T1-B1", "2021-01-01", ""],
            ["CA-T1", "MA2", "", "CA-T1-B1", "2018-02-01", "2020-12-31"],
        ],
    }
    result = run_import(xlsx(tmp_path / "history.xlsx", sheets))
    assert result.counts["contact_points"]["created"] == 2
    assert list(ContactPoint.objects.order_by("started_on").values_list("ended_on", flat=True)) == [
        D(2020, 12, 31),
        None,
    ]


def test_plat_03_each_sheet_as_csv_recognized_by_its_headers(tmp_path, tree):
    kinds = ["seats", "terms", "venues", "staff", "budgets", "spending", "contact_points", "visits"]
    for index, (kind, rows) in enumerate(zip(kinds, good_sheets(tree).values(), strict=True)):
        path = tmp_path / f"data{index}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        assert list(run_import(path).counts) == [kind]


def test_plat_03_ending_a_seat_by_reimport(tmp_path, tree):
    sheets = {"班子成员": good_sheets(tree)["班子成员"][:2]}
    run_import(xlsx(tmp_path / "a.xlsx", sheets))
    sheets["班子成员"][1][6] = "2025-01-31"
    result = run_import(xlsx(tmp_path / "b.xlsx", sheets))
    assert result.counts["seats"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert Seat.objects.get().ended_on == D(2025, 1, 31)


def test_plat_03_budget_changed_by_reimport(tmp_path, tree):
    sheets = {"党建活动经费预算": good_sheets(tree)["党建活动经费预算"]}
    run_import(xlsx(tmp_path / "a.xlsx", sheets))
    sheets["党建活动经费预算"][2][2] = "16000"
    result = run_import(xlsx(tmp_path / "b.xlsx", sheets))
    assert result.counts["budgets"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert Budget.objects.get(year=2025).amount == Decimal("16000.00")


ID_UNKNOWN = make_id_number("320602", D(1966, 6, 6), 123)

BAD_ROWS = [
    # (case, sheet, row, column, message fragment)
    (
        "unknown org",
        "班子成员",
        ["NOPE", "书记", "", "MA1", "", "2022-01-01", ""],
        "党组织",
        "找不到党组织“NOPE”",
    ),
    (
        "unknown member",
        "班子成员",
        ["CA-T1-B1", "委员", "", "M404", "", "2022-01-01", ""],
        "党员编号",
        "找不到党员编号为“M404”的党员",
    ),
    (
        "unknown ID number, masked",
        "班子成员",
        ["CA-T1-B1", "委员", "", ID_UNKNOWN, "", "2022-01-01", ""],
        "党员编号",
        f"找不到身份证号为 {mask_id_number(ID_UNKNOWN)} 的党员",
    ),
    (
        "name does not match",
        "班子成员",
        ["CA-T1-B1", "委员", "", "MA1", "王五", "2022-01-01", ""],
        "姓名",
        "不一致",
    ),
    (
        "bad role",
        "班子成员",
        ["CA-T1-B1", "主任", "", "MA1", "", "2022-01-01", ""],
        "职务",
        "“主任”不是有效的选项",
    ),
    (
        "ended before started",
        "班子成员",
        ["CA-T1-B1", "委员", "", "MA1", "", "2022-01-01", "2021-12-31"],
        "离任日期",
        "“离任日期”不能早于“任职日期”",
    ),
    (
        "member outside the org",
        "班子成员",
        ["CA-T1-B1", "委员", "", "MA2", "", "2022-01-01", ""],
        "党员编号",
        "没有找到本组织及下级组织的在册党员“MA2”",
    ),
    (
        "same seat twice",
        "班子成员",
        ["CA-T1-B1", "书记", "", "MA1", "", "2021-03-01", ""],
        "党员编号",
        "与第 2 行重复",
    ),
    (
        "member out of scope",
        "班子成员",
        ["CA-T1-B1", "委员", "", "MB1", "王五", "2022-01-01", ""],
        "党员编号",
        "找不到党员编号为“MB1”的党员",  # out of scope reads like unknown
    ),
    (
        "party group has no leadership",
        "班子成员",
        ["CA-T1-B1-G1", "书记", "", "MA1", "", "2022-01-01", ""],
        "党组织",
        "党小组不设班子",
    ),
    (
        "out of scope org",
        "党建活动经费预算",
        ["CB-T1-B1", 2024, 100, ""],
        "党组织",
        "找不到党组织“CB-T1-B1”（请填编码或完整名称路径）",
    ),
    (
        "money with 3 decimals",
        "党建活动经费预算",
        ["CA-T1", 2024, "100.005", ""],
        "预算金额（元）",
        "最多保留两位小数",
    ),
    ("negative money", "党建活动经费预算", ["CA-T1", 2024, -5, ""], "预算金额（元）", "不能为负数"),
    (
        "money not a number",
        "党建活动经费预算",
        ["CA-T1", 2024, "一百元", ""],
        "预算金额（元）",
        "应填数字",
    ),
    ("year out of range", "党建活动经费预算", ["CA-T1", 1999, 100, ""], "年度", "不能小于2000"),
    (
        "zero spending",
        "党建活动经费支出",
        ["CA-T1", "2024-01-01", 0, "办公用品"],
        "金额（元）",
        "应大于0",
    ),
    (
        "spending in the future",
        "党建活动经费支出",
        ["CA-T1", "2099-01-01", 10, "办公用品"],
        "支出日期",
        "不能晚于今天",
    ),
    (
        "term extension too long",
        "换届记录",
        ["CA-T1", "2015-01-10", 5, "2022-01-11", ""],
        "经批准延期至",
        "延期不得超过12个月",
    ),
    (
        "visit without contact point",
        "联系点活动",
        ["MA1", "", "CA-T1-B1", "2022-05-06", "", ""],
        "联系的党组织",
        "没有以“青山村党支部”为联系点",
    ),
    (
        "bad visit kind",
        "联系点活动",
        ["MA2", "", "CA-T1-B1", "2022-05-06", "开会", ""],
        "方式",
        "不是有效的选项",
    ),
    (
        "leader without seat",
        "联系点",
        ["CA-T1", "MA1", "", "CA-T1-B2", "2020-01-01", ""],
        "联系领导",
        "班子中无任职",
    ),
    (
        "staff without name or member",
        "党务干部",
        ["CA-T1", "", "", "干事", "专职", "2022-01-01", ""],
        "姓名",
        "请填写姓名或党员编号",
    ),
    (
        "staff kind",
        "党务干部",
        ["CA-T1", "赵六", "", "干事", "临时", "2022-01-01", ""],
        "专职或兼职",
        "不是有效的选项",
    ),
    (
        "venue flag",
        "活动阵地",
        ["CA-T1", "新阵地", "", "", "也许", *[""] * 8],
        "有固定场所",
        "应填“是”或“否”",
    ),
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
    assert counts() == NOTHING


def test_plat_03_id_numbers_never_in_errors(tmp_path, tree):
    number = id_number_of(tree.member_b)
    sheets = {"班子成员": [SEATS, ["CA-T1-B1", "委员", "", number, "", "2022-01-01", ""]]}
    with pytest.raises(ImportFailed) as info:
        run_import(xlsx(tmp_path / "id.xlsx", sheets))
    assert info.value.errors[0].column == "党员编号"
    assert all(number not in error.line() for error in info.value.errors)


def test_plat_03_out_of_scope_refused_with_as_user(tmp_path, tree):
    sheets = {"党建活动经费预算": [BUDGETS, ["CA-T1-B1", 2024, 100, ""], ["CA-T1", 2024, 100, ""]]}
    path = xlsx(tmp_path / "scope.xlsx", sheets)
    out = StringIO()
    as_secretary = acting_as(tree.users["secretary"], "cli: xianfeng import --as secretary")
    with as_secretary, pytest.raises(SystemExit) as exit_:
        call_command("import", str(path), stdout=out, stderr=StringIO())
    assert exit_.value.code == 1
    assert out.getvalue().strip() == (
        "党建活动经费预算\t3\t党组织\t找不到党组织“CA-T1”（请填编码或完整名称路径）"
    )
    assert Budget.objects.count() == 0
    sheets["党建活动经费预算"].pop()
    with acting_as(tree.users["secretary"], "cli: xianfeng import --as secretary"):
        call_command("import", str(xlsx(tmp_path / "ok.xlsx", sheets)), stdout=StringIO())
    assert Budget.objects.get().org == tree.branch_a


def test_plat_03_visits_sheet_must_follow_contact_points(tmp_path, tree):
    sheets = good_sheets(tree)
    reordered = {"联系点活动": sheets["联系点活动"], "联系点": sheets["联系点"]}
    with pytest.raises(ImportFailed) as info:
        run_import(xlsx(tmp_path / "order.xlsx", reordered))
    assert info.value.errors[-1].line() == (
        "联系点\t0\t\t“联系点”工作表应放在前面（例如党组织在党员之前），请调整工作表顺序"
    )
    assert counts() == NOTHING


def _values(model, ignore=("id", "entered_at", "contact_point_id")) -> list[dict]:
    rows = [{k: v for k, v in row.items() if k not in ignore} for row in model.objects.values()]
    return sorted(rows, key=repr)


def test_plat_03_export_reimports_unchanged(tmp_path, tree):
    run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    files = {}
    for kind in KINDS:
        files[kind] = tmp_path / f"{kind}.xlsx"
        export(kind=kind, target=files[kind], user=None, org=tree.county_a)
    before = {model.__name__: _values(model) for model in MODELS}
    for model in (Visit, ContactPoint, *MODELS):
        model.objects.all().delete()
    for kind in KINDS:  # in dependency order: seats before contact points before visits
        assert run_import(files[kind]).counts[kind]["created"] > 0
    assert {model.__name__: _values(model) for model in MODELS} == before
    for kind in KINDS:
        counts_ = run_import(files[kind]).counts[kind]
        assert (counts_["created"], counts_["updated"]) == (0, 0), kind


def test_plat_03_export_headers_are_the_import_columns(tmp_path, tree):
    run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    export(kind="seats", target=tmp_path / "s.xlsx", user=tree.users["secretary"])
    sheet = load_workbook(tmp_path / "s.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "班子成员"
    assert rows == [
        tuple(SEATS),
        ("CA-T1-B1", "书记", None, "MA1", "张三", dt.datetime(2021, 3, 1), None),  # noqa: DTZ001
    ]


def test_plat_03_export_command_takes_the_new_kinds(tmp_path, tree):
    run_import(xlsx(tmp_path / "good.xlsx", good_sheets(tree)))
    out = StringIO()
    call_command("export", "budgets", str(tmp_path / "b.xlsx"), "--org", "CA-T1-B1", stdout=out)
    assert "已导出 2 行" in out.getvalue()


def test_plat_03_template_has_the_new_sheets(tmp_path):
    from xianfeng.core.workbooks import write_template

    write_template(tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    for title in ("班子成员", "换届记录", "联系点", "联系点活动", "活动阵地", "党务干部"):
        assert title in book.sheetnames
    budgets = book["党建活动经费预算"]
    assert [c.value for c in budgets[1]] == BUDGETS
    seats = book["班子成员"]
    letter = get_column_letter(SEATS.index("党员编号") + 1)
    assert seats.column_dimensions[letter].number_format == "@"
    assert seats.data_validations.dataValidation
