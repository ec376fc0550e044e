"""Importing the talent pool, cultivations with their entries and yearly targets (PLAT-03
with DEV-03 … DEV-07) through their domain: typed rows create records, a re-import writes
nothing, a changed value updates, and a refused row fails the whole file with its text."""

from __future__ import annotations

import pytest

from tests.core.test_importing import xlsx
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.recruitment.models import (
    Cultivation,
    CultivationEntry,
    TalentEntry,
    TalentStatus,
    Target,
)

pytestmark = pytest.mark.django_db

TALENT = [
    "所在党组织",
    "姓名",
    "人才类别",
    "人才标签",
    "职业（经营项目）",
    "摸底日期",
    "状态",
    "备注",
]
TARGETS = ["党组织", "年度", "指标", "目标数", "下达党组织"]
CULTIVATIONS = ["所在党组织", "培养方向", "培养对象", "列入培养日期", "状态", "状态起始日期"]
ENTRIES = ["所在党组织", "培养方向", "培养对象", "列入培养日期", "日期", "类别", "内容", "学时"]


def _book(**changes) -> dict:
    book = {
        "人才库": [
            TALENT,
            ["CA-T1-B1", "钱八", "种养大户", "致富能手", "种粮大户", "2024-02-01", "", ""],
            [
                "CA-T1-B1",
                "孙九",
                "外出务工经商人员",
                "",
                "",
                "2024-02-01",
                "已出库",
                "2024-06-01出库：外出务工",
            ],
        ],
        "年度目标": [
            TARGETS,
            ["CITY", 2025, "发展党员计划（名额）", 100, ""],
            ["CA", 2025, "发展党员计划（名额）", 50, "CITY"],
        ],
        "培养档案": [
            CULTIVATIONS,
            ["CA-T1-B2", "把党员培养成人才", "MA2", "2024-04-01", "", ""],
            ["CA-T1-B1", "把人才培养成党员", "钱八", "2024-03-01", "已终止", "2024-09-01"],
        ],
        "培养记录": [
            ENTRIES,
            [
                "CA-T1-B2",
                "把党员培养成人才",
                "MA2",
                "2024-04-01",
                "2024-05-01",
                "培训",
                "电商培训",
                8,
            ],
            [
                "CA-T1-B1",
                "把人才培养成党员",
                "钱八",
                "2024-03-01",
                "2024-04-01",
                "理论学习",
                "党课",
                "",
            ],
        ],
    }
    book.update(changes)
    return book


def _import(tmp_path, sheets: dict, user, name: str = "in.xlsx"):
    return run_import(xlsx(tmp_path / name, sheets), by=user)


def _errors(tmp_path, sheets: dict, user) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ImportFailed) as failed:
        _import(tmp_path, sheets, user, "bad.xlsx")
    return [(e.sheet, e.row, e.column, e.message) for e in failed.value.errors]


def test_dev07_import_talent_targets_and_cultivations_then_again_nothing(tmp_path, tree):
    admin = tree.users["city_admin"]
    result = _import(tmp_path, _book(), admin)

    assert {kind: c["created"] for kind, c in result.counts.items()} == {
        "recruitment_talent": 2,
        "recruitment_targets": 2,
        "recruitment_cultivations": 2,
        "recruitment_cultivation_entries": 2,
    }
    grower = TalentEntry.objects.get(name="钱八")
    assert (grower.kind, grower.tags, grower.status) == ("grower", ["致富能手"], TalentStatus.POOL)
    gone = TalentEntry.objects.get(name="孙九")
    assert gone.status == TalentStatus.LEFT and gone.note == "2024-06-01出库：外出务工"
    assert Target.objects.get(org__code="CA").set_by == tree.city
    stopped = Cultivation.objects.get(track="talent_to_member")
    assert (stopped.status, str(stopped.status_since)) == ("stopped", "2024-09-01")
    assert CultivationEntry.objects.get(kind="training").hours == 8

    again = _import(tmp_path, _book(), admin, "again.xlsx")
    assert sum(c["created"] + c["updated"] for c in again.counts.values()) == 0
    assert CultivationEntry.objects.count() == 2


def test_dev06_import_changed_target_value_updates(tmp_path, tree):
    admin = tree.users["city_admin"]
    _import(tmp_path, _book(), admin)
    changed = [TARGETS, ["CA", 2025, "发展党员计划（名额）", 60, "CITY"]]
    result = _import(tmp_path, {"年度目标": changed}, admin, "changed.xlsx")
    assert result.counts["recruitment_targets"]["updated"] == 1
    assert Target.objects.get(org__code="CA").value == 60


BAD = [
    # (case, sheet, row, column, fragment)
    (
        "unknown tag",
        {"人才库": [TALENT, ["CA-T1-B1", "钱八", "种养大户", "会唱歌", "", "2024-02-01", "", ""]]},
        ("人才库", 2, "人才标签"),
        "未知的人才标签",
    ),
    (
        "entry before the file began",
        {
            "培养记录": [
                ENTRIES,
                [
                    "CA-T1-B2",
                    "把党员培养成人才",
                    "MA2",
                    "2024-04-01",
                    "2024-03-01",
                    "培训",
                    "早",
                    8,
                ],
            ]
        },
        ("培养记录", 2, "日期"),
        "不能早于列入培养日期",
    ),
    (
        "track b done before the talent is an activist",
        {
            "培养档案": [
                CULTIVATIONS,
                [
                    "CA-T1-B1",
                    "把人才培养成党员",
                    "钱八",
                    "2024-03-01",
                    "已成才（已达成）",
                    "2024-09-01",
                ],
            ]
        },
        ("培养档案", 2, "状态"),
        "入党积极分子",
    ),
    (
        "talent left without a day",
        {"人才库": [TALENT, ["CA-T1-B1", "孙九", "其他", "", "", "2024-02-01", "已出库", ""]]},
        ("人才库", 2, "状态"),
        "出库",
    ),
]


@pytest.mark.parametrize(("case", "changes", "where", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_dev03_import_bad_rows_refuse_the_file(tmp_path, tree, case, changes, where, fragment):
    errors = _errors(tmp_path, _book(**changes), tree.users["city_admin"])
    assert any(e[:3] == where and fragment in e[3] for e in errors), (case, errors)
    assert not TalentEntry.objects.exists() and not Target.objects.exists()


def test_dev06_import_target_set_from_above_is_refused_to_the_county(tmp_path, tree):
    book = {"年度目标": [TARGETS, ["CA", 2025, "发展党员计划（名额）", 50, "CITY"]]}
    errors = _errors(tmp_path, book, tree.users["county_officer"])
    assert errors[0][:3] == ("年度目标", 2, "下达党组织"), errors
    assert not Target.objects.exists()
