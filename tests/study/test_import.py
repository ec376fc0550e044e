"""Import of an outside learning platform's hours (PLAT-03 with STUDY-01): every row kept
as a study record with source "outside platform"; a wrong row (e.g. a wrong ID number)
refuses the whole file; re-importing and an export's round trip change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from xianfeng.core.actor import acting_as
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.cipher import get_cipher
from xianfeng.lib.idcard import mask_id_number
from xianfeng.study import domain
from xianfeng.study.importers import clean_hours
from xianfeng.study.models import StudyRecord

pytestmark = pytest.mark.django_db
D = dt.date
HEADER = ["身份证号", "姓名", "学习日期", "课程", "学时", "来源平台"]


def id_number_of(member) -> str:
    return get_cipher().decrypt(member.id_number_cipher)


def good_rows(tree) -> list[list]:
    return [
        HEADER,
        [
            id_number_of(tree.member_a),
            "张三",
            "2025-03-01",
            "党史学习教育专题",
            3.5,
            "干部网络学院",
        ],
        [id_number_of(tree.member_a), "", "2025年4月2日", "全面从严治党专题", "2学时", ""],
        ["MA2", "李四", "2025/5/6", "党的创新理论", 4, "党校"],
    ]


def snapshot():
    return sorted(
        StudyRecord.objects.values_list(
            "member__code", "org__code", "source", "studied_on", "title", "hours", "status"
        )
    )


def test_study_01_import_keeps_rows_as_outside_platform_records(tmp_path, tree):
    result = run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": good_rows(tree)}))
    assert result.counts == {"study_records": {"created": 3, "updated": 0, "unchanged": 0}}
    assert snapshot() == [
        (
            "MA1",
            "CA-T1-B1",
            "imported",
            D(2025, 3, 1),
            "党史学习教育专题",
            Decimal("3.5"),
            "approved",
        ),
        (
            "MA1",
            "CA-T1-B1",
            "imported",
            D(2025, 4, 2),
            "全面从严治党专题",
            Decimal("2.0"),
            "approved",
        ),
        ("MA2", "CA-T1-B2", "imported", D(2025, 5, 6), "党的创新理论", Decimal("4.0"), "approved"),
    ]
    first = StudyRecord.objects.get(studied_on=D(2025, 3, 1))
    assert first.note == "干部网络学院"
    assert first.batch.startswith("平台外导入 ")
    assert first.get_source_display() == "平台外学习（导入）"


def test_study_01_a_wrong_id_number_rejects_the_whole_file(tmp_path, tree):
    rows = good_rows(tree)
    number = id_number_of(tree.member_a)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")  # the check digit no longer fits
    rows.append([wrong, "张三", "2025-06-01", "法治建设专题", 2, ""])
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": rows}))
    assert StudyRecord.objects.count() == 0
    [error] = failed.value.errors
    assert (error.sheet, error.row, error.column) == ("平台外学习", 5, "身份证号")
    assert wrong not in error.message


def test_study_01_unknown_id_number_and_bad_cells_are_row_errors(tmp_path, tree):
    from tests.factories import make_id

    stranger = make_id()
    rows = [
        HEADER,
        [stranger, "", "2025-03-01", "党史", 2, ""],
        ["MA1", "王五", "2025-03-01", "党史", 2, ""],  # the name does not match
        ["MA1", "", "2099-01-01", "党史", 2, ""],  # in the future
        ["MA1", "", "2025-03-02", "党史", 1.25, ""],  # two decimals
        ["MA1", "", "2025-03-03", "", 2, ""],  # no course
    ]
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": rows}))
    found = sorted((e.row, e.column, e.message) for e in failed.value.errors)
    assert [row[:2] for row in found] == [
        (2, "身份证号"),
        (3, "姓名"),
        (4, "学习日期"),
        (5, "学时"),
        (6, "课程"),
    ]
    assert found[0][2] == f"找不到身份证号为 {mask_id_number(stranger)} 的党员"
    assert StudyRecord.objects.count() == 0


def test_study_01_reimport_writes_nothing_and_other_hours_are_refused(tmp_path, tree):
    path = xlsx(tmp_path / "hours.xlsx", {"平台外学习": good_rows(tree)})
    run_import(path)
    before = (snapshot(), StudyRecord.history.count())
    result = run_import(path)
    assert result.counts == {"study_records": {"created": 0, "updated": 0, "unchanged": 3}}
    assert (snapshot(), StudyRecord.history.count()) == before
    rows = good_rows(tree)
    rows[1][4] = 5
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "changed.xlsx", {"平台外学习": rows}))
    assert failed.value.errors[0].column == "学时"


def test_study_01_duplicate_rows_in_one_file_are_refused(tmp_path, tree):
    rows = good_rows(tree)
    rows.append(list(rows[1]))
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": rows}))
    assert [(e.row, e.message) for e in failed.value.errors] == [(5, "与第 2 行重复")]


def test_study_01_csv_with_another_sheet_name_is_recognized(tmp_path, tree):
    path = tmp_path / "网络学院.csv"
    lines = ["党员编号,姓名,完成日期,课程名称,获得学时", "MA1,张三,2025-03-01,党史专题,2.5"]
    path.write_text("\n".join(lines), encoding="gbk")
    result = run_import(path)
    assert result.counts == {"study_records": {"created": 1, "updated": 0, "unchanged": 0}}
    assert StudyRecord.objects.get().hours == Decimal("2.5")


def test_study_01_import_links_a_catalogue_course(tmp_path, tree):
    course = domain.create_course(
        org=tree.town_a,
        title="党史学习教育专题",
        kind="lecture",
        hours=3,
        published_on=D(2025, 1, 1),
    )
    run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": good_rows(tree)}))
    assert StudyRecord.objects.get(studied_on=D(2025, 3, 1)).course == course


def test_study_01_import_is_scoped_to_the_users_orgs(tmp_path, tree):
    rows = [HEADER, ["MB1", "", "2025-03-01", "党史", 2, ""]]
    with (
        acting_as(tree.users["secretary"], "cli: xianfeng import --as secretary"),
        pytest.raises(ImportFailed) as failed,
    ):
        run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": rows}), by=tree.users["secretary"])
    assert failed.value.errors[0].message == "找不到党员编号为“MB1”的党员"  # like a missing one


def test_study_01_export_reimports_without_change(tmp_path, tree):
    run_import(xlsx(tmp_path / "hours.xlsx", {"平台外学习": good_rows(tree)}))
    domain.record_study(
        member=tree.member_a, source="self_study", studied_on=D(2025, 6, 1), hours=2, title="自学"
    )
    target = tmp_path / "export.xlsx"
    record = export(kind="study_records", target=target, user=None)
    assert record.rows == 4
    sheet = load_workbook(target)["平台外学习"]
    assert [c.value for c in sheet[1]][:5] == ["党员编号", "姓名", "学习日期", "课程", "学时"]
    before = snapshot()
    result = run_import(target)
    assert result.counts == {"study_records": {"created": 0, "updated": 0, "unchanged": 4}}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", Decimal("2.0")), (1.5, Decimal("1.5")), ("3学时", Decimal("3.0")), (None, None)],
)
def test_study_01_clean_hours(value, expected):
    assert clean_hours(value) == expected
