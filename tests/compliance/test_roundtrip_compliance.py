"""Issue 13 §6: policy attachments and the holiday calendar export in their import
sheets' columns and re-import — into an empty state with every row equal, onto the same
database writing nothing — only through the domain's rules (a policy changes only from
above; the calendar only from the command line or by a superuser)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import make_user
from xianfeng.compliance.domain import (
    adopt_policy,
    attach_policy,
    confirm_year,
    override_day,
    save_policy,
)
from xianfeng.compliance.models import CalendarYear, HolidayOverride, Policy
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import

pytestmark = pytest.mark.django_db

OWN_TEXT = """# 白云村自定
[policy]
code = "baiyun-2025"
title = "白云村政策"

[study.hours]
member_min = { value = 30, unit = "学时", source = "本支部自定" }
"""


def _attachments() -> dict[str, tuple]:
    return {
        p.org.code: (p.code, p.follows.code if p.follows else "", p.title, p.text, p.values)
        for p in Policy.objects.filter(org__isnull=False).select_related("org", "follows")
    }


def _calendar() -> tuple[list, list]:
    return (
        list(HolidayOverride.objects.order_by("date").values_list("date", "is_workday", "note")),
        list(CalendarYear.objects.order_by("year").values_list("year", "confirmed", "note")),
    )


def _history() -> tuple[int, ...]:
    return (
        Policy.history.count(),
        HolidayOverride.history.count(),
        CalendarYear.history.count(),
    )


def _written(counts) -> int:
    return sum(c["created"] + c["updated"] for c in counts.values())


@pytest.fixture
def attached(tree):
    """Every way an org has a policy of its own."""
    attach_policy(policy=Policy.objects.get(code="003-haimen"), org=tree.county_a)
    adopt_policy(org=tree.town_a, code="004-gaibei")  # by reference
    adopt_policy(org=tree.branch_a, code="000-nantong", copy=True)  # a local copy
    save_policy(text=OWN_TEXT, org=tree.branch_b)  # a file of its own
    return tree


def test_policies_round_trip_into_an_unattached_state_and_again(attached, tmp_path):
    before = _attachments()
    assert len(before) == 4
    path = tmp_path / "policies.xlsx"
    export(kind="policies", target=path, user=None)
    assert load_workbook(path, read_only=True).sheetnames == ["政策挂接"]
    Policy.objects.filter(code="003-haimen").update(org=None)
    Policy.objects.filter(org__isnull=False).delete()

    first = run_import(path)
    assert first.counts["policies"]["created"] == 4
    assert _attachments() == before

    history = _history()
    again = run_import(path)
    assert _written(again.counts) == 0 and _history() == history


def test_policies_reimport_by_an_admin_of_a_subtree_writes_nothing(attached, tmp_path):
    admin = attached.users["city_admin"]
    path = tmp_path / "policies.xlsx"
    export(kind="policies", target=path, user=admin)
    history = _history()
    assert run_import(path, by=admin).counts["policies"]["unchanged"] == 4
    assert _history() == history


def _book(tmp_path, title, header, rows):
    book = Workbook()
    book.active.title = title
    for row in [header, *rows]:
        book.active.append(row)
    path = tmp_path / "in.xlsx"
    book.save(path)
    return path


POLICY_HEADER = ["党组织", "方式", "政策编码", "政策文件"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(  # out of scope reads like missing
            ["CB-T1-B1", "引用内置政策", "004-gaibei", ""],
            [("党组织", "找不到党组织“CB-T1-B1”（请填编码或完整名称路径）")],
            id="org-out-of-scope",
        ),
        pytest.param(
            ["NOPE", "引用内置政策", "004-gaibei", ""],
            [("党组织", "找不到党组织“NOPE”（请填编码或完整名称路径）")],
            id="org-missing",
        ),
        pytest.param(  # an org's standards are set from above, never by itself
            ["CA-T1-B1", "引用内置政策", "004-gaibei", ""],
            [("方式", "政策参数只能由上级党组织的管理员挂接、修改或解除")],
            id="own-org",
        ),
        pytest.param(
            ["CA-T1-B1-G1", "挂接内置政策", "nope", ""],
            [
                (
                    "政策编码",
                    "没有编码为“nope”的内置政策；可选：000-nantong、001-talent、"
                    "002-taian、003-haimen、004-gaibei",
                )
            ],
            id="unknown-shipped",
        ),
        pytest.param(
            ["CA-T1-B1-G1", "随便", "004-gaibei", ""],
            None,
            id="bad-mode",
        ),
        pytest.param(
            ["CA-T1-B1-G1", "本地文件", "x", "not toml ["],
            None,
            id="bad-file",
        ),
        pytest.param(
            ["CA-T1-B1-G1", "本地文件", "other", OWN_TEXT],
            [("政策编码", "与政策文件中的编码“baiyun-2025”不一致")],
            id="code-mismatch",
        ),
    ],
)
def test_policy_import_refusals(tree, tmp_path, row, expected):
    path = _book(tmp_path, "政策挂接", POLICY_HEADER, [row])
    before = _attachments(), _history()
    with pytest.raises(ImportFailed) as failed:
        run_import(path, by=tree.users["secretary"])
    errors = [(e.column, e.message) for e in failed.value.errors]
    if expected is None:
        assert len(errors) == 1
    else:
        assert errors == expected
    assert (_attachments(), _history()) == before


def test_policy_import_by_an_admin_above_goes_through_the_domain(tree, tmp_path):
    town_admin = make_user("town_admin", org=tree.town_a, role="admin")
    rows = [["CA-T1-B1", "引用内置政策", "004-gaibei", ""]]
    run_import(_book(tmp_path, "政策挂接", POLICY_HEADER, rows), by=town_admin)
    own = Policy.objects.get(org=tree.branch_a)
    assert own.code == "org-CA-T1-B1" and own.follows.code == "004-gaibei"
    rows = [["CA-T1-B1", "挂接内置政策", "001-talent", ""]]  # replaces the reference
    run_import(_book(tmp_path, "政策挂接", POLICY_HEADER, rows), by=town_admin)
    assert Policy.objects.get(org=tree.branch_a).code == "001-talent"


# --- the holiday calendar ---------------------------------------------------------------


@pytest.fixture
def calendar(db):
    override_day(date=dt.date(2026, 10, 10), is_workday=True, note="调休上班")
    override_day(date=dt.date(2026, 6, 1), is_workday=False, note="地方假日")
    confirm_year(year=2027, note="已核对国办发明电")


def test_calendar_round_trip_and_again(calendar, tmp_path):
    before = _calendar()
    path = tmp_path / "holidays.xlsx"
    export(kind="holidays", target=path, user=None)
    assert load_workbook(path, read_only=True).sheetnames == ["节假日调整", "已核对年份"]
    HolidayOverride.objects.all().delete()
    CalendarYear.objects.filter(year=2027).delete()

    run_import(path)
    assert _calendar() == before
    history = _history()
    assert _written(run_import(path).counts) == 0 and _history() == history


def test_calendar_changes_only_from_the_command_line_or_a_superuser(calendar, tree, tmp_path):
    path = tmp_path / "holidays.xlsx"
    export(kind="holidays", target=path, user=tree.users["secretary"])
    assert _written(run_import(path, by=tree.users["secretary"]).counts) == 0  # unchanged

    rows = [["2026-10-10", "否", "改为放假"]]
    changed = _book(tmp_path, "节假日调整", ["日期", "是否工作日", "说明"], rows)
    with pytest.raises(ImportFailed) as failed:
        run_import(changed, by=tree.users["city_admin"])
    assert [(e.column, e.message) for e in failed.value.errors] == [
        ("日期", "节假日安排适用于全部组织，只能由超级管理员或在命令行中修改")
    ]
    root = make_user("root", superuser=True)
    run_import(changed, by=root)
    assert not HolidayOverride.objects.get(date=dt.date(2026, 10, 10)).is_workday


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["2026-13-40", "是", ""], "日期"),
        (["2026-05-01", "也许", ""], "是否工作日"),
        (["", "是", ""], "日期"),
    ],
)
def test_calendar_bad_cells_are_row_errors(db, tmp_path, row, column):
    path = _book(tmp_path, "节假日调整", ["日期", "是否工作日", "说明"], [row])
    with pytest.raises(ImportFailed) as failed:
        run_import(path)
    assert [e.column for e in failed.value.errors] == [column]
    assert not HolidayOverride.objects.exists()
