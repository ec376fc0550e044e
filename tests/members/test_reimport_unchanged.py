"""A roster re-imported as exported (issue 15): unchanged rows are recognised as they are
read, write nothing and cost no queries per row; a row that changes anything still updates
its member."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from xianfeng.core.exports import export
from xianfeng.core.importing import run_import
from xianfeng.lib.idcard import make_id_number
from xianfeng.members.models import Member, Transfer

pytestmark = pytest.mark.django_db

ORGS = [
    ["组织编码", "组织名称", "上级组织", "组织类别", "领域"],
    ["S1", "试点县委", "", "党委", ""],
    ["S1-1", "试点镇党委", "S1", "党委", "农村"],
    ["S1-1-1", "一村党支部", "S1-1", "党支部", "农村"],
    ["S1-1-2", "二村党支部", "S1-1", "党支部", "农村"],
    ["S1-1-1-G1", "第一党小组", "S1-1-1", "党小组", ""],
]
MEMBER_HEADER = [
    "姓名",
    "身份证号",
    "所在党组织",
    "党小组",
    "入党日期",
    "转正日期",
    "党籍状态",
    "学历",
    "党员类别",
    "其他标识",
    "党员领导干部",
    "联系电话",
]


def member_row(n: int) -> list:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=n * 3)
    probationary = n % 5 == 0
    return [
        f"党员{n}",
        make_id_number("320602", birth, n % 1000),
        "S1-1-1" if n % 2 else "S1-1-2",
        "第一党小组" if n % 4 == 1 else "",
        dt.date(1990, 7, 1) + dt.timedelta(days=n),
        None if probationary else dt.date(1991, 7, 1) + dt.timedelta(days=n),
        "预备党员" if probationary else "正式党员",
        ["大学本科", "普通高中", ""][n % 3],
        ["在职党员", "农村党员", "离退休党员"][n % 3],
        "青年党员、退役军人" if n % 7 == 0 else "",
        "是" if n % 11 == 0 else "否",
        f"139{n:08d}",
    ]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def roster(tmp_path: Path, first: int, last: int) -> Path:
    """Members first..last-1 imported, then the whole roster exported with full ID numbers."""
    rows = [MEMBER_HEADER, *(member_row(n) for n in range(first, last))]
    run_import(workbook(tmp_path / f"members-{last}.xlsx", {"党员": rows}))
    path = tmp_path / f"roster-{last}.xlsx"
    export(kind="members", target=path, user=None, unmasked=True)
    return path


def writes(captured: CaptureQueriesContext) -> list[str]:
    statements = (query["sql"].lstrip().upper() for query in captured.captured_queries)
    return [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]


def test_unchanged_roster_reimport_writes_nothing_in_queries_independent_of_rows(tmp_path):
    run_import(workbook(tmp_path / "orgs.xlsx", {"党组织": ORGS}))
    queries = []
    # the second size passes the 2,000 rows an import once loaded per query
    for first, last in ((1, 6), (6, 2106)):
        path = roster(tmp_path, first, last)
        history = Member.history.count()
        with CaptureQueriesContext(connection) as captured:
            result = run_import(path)
        assert result.counts == {"members": {"created": 0, "updated": 0, "unchanged": last - 1}}
        assert writes(captured) == []
        assert Member.history.count() == history
        queries.append(len(captured))
    assert queries[0] == queries[1]


CHANGES = [  # column, new value, what the member then holds
    ("姓名", "党员三丰", lambda m: m.name == "党员三丰"),
    ("联系电话", "13700000000", lambda m: m.phone == "13700000000"),
    ("学历", "研究生", lambda m: m.education == "10"),
    ("民族", "回族", lambda m: m.ethnicity == "03"),
    ("职业", "教师", lambda m: m.occupation == "教师"),
    ("党员类别", "流动党员", lambda m: m.category == "mobile"),
    ("其他标识", "困难党员", lambda m: m.flags == ["hardship"]),
    ("党员领导干部", "是", lambda m: m.leading_cadre),
    ("入党日期", dt.date(1990, 6, 1), lambda m: m.joined_on == dt.date(1990, 6, 1)),
    ("转正日期", dt.date(1991, 9, 1), lambda m: m.full_on == dt.date(1991, 9, 1)),
    ("所在党组织", "S1-1-1", lambda m: m.org.code == "S1-1-1" and Transfer.objects.exists()),
    ("党小组", "第一党小组", lambda m: m.party_group.code == "S1-1-1-G1"),
]


@pytest.mark.parametrize("column, value, holds", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_changed_cell_still_updates_its_member(tmp_path, column, value, holds):
    run_import(workbook(tmp_path / "orgs.xlsx", {"党组织": ORGS}))
    path = roster(tmp_path, 2, 6)  # member 2: 一 full member of 二村, no group, no flags
    book = load_workbook(path)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("姓名")].value == "党员2")
    row[header.index(column)].value = value
    book.save(path)
    if column == "党小组":  # a group of the branch the member is in
        row[header.index("所在党组织")].value = "S1-1-1"
        book.save(path)
    result = run_import(path)
    assert result.counts["members"] == {"created": 0, "updated": 1, "unchanged": 3}
    assert holds(Member.objects.get(id_number_hmac=_hmac_of(2)))


def _hmac_of(n: int) -> str:
    from xianfeng.lib.cipher import lookup_hash

    return lookup_hash(member_row(n)[1])
