"""lib.xlsx: the streaming writer of exports reads back the same in openpyxl and calamine."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xianfeng.lib.xlsx import StreamingWorkbook, column_letter
from xianfeng.members.models import Status

# Excel has no time zones: its dates and times are local, naive datetimes.
MIDNIGHT = dt.datetime(2024, 2, 29)  # noqa: DTZ001
MORNING = dt.datetime(2024, 2, 29, 8, 30, 15)  # noqa: DTZ001

# value written → (value openpyxl reads, value calamine reads)
CASES = [
    ("张三", "张三", "张三"),
    ('=HYPERLINK("x")', '=HYPERLINK("x")', '=HYPERLINK("x")'),
    ('a & <b> "c"', 'a & <b> "c"', 'a & <b> "c"'),
    ("  两端空格 ", "  两端空格 ", "  两端空格 "),
    ("第一行\n第二行", "第一行\n第二行", "第一行\n第二行"),
    ("bell\x07", "bell_x0007_", "bell\x07"),  # Excel's escape; openpyxl leaves it as is
    (Status.FULL, "full", "full"),
    (gettext_lazy("党员"), "党员", "党员"),
    (42, 42, 42),
    (1.5, 1.5, 1.5),
    (Decimal("12.30"), 12.3, 12.3),
    (True, True, True),
    (dt.date(2024, 2, 29), MIDNIGHT, dt.date(2024, 2, 29)),
    (MORNING, MORNING, MORNING),
    (dt.time(8, 30), dt.time(8, 30), dt.time(8, 30)),
    (None, None, ""),
    ("", None, ""),
]


def _book(rows, **sheet):
    target = io.BytesIO()
    with StreamingWorkbook(target) as book:
        book.add_sheet("表", ["值", "后"], rows, **sheet)
    return target


@pytest.mark.parametrize(("value", "by_openpyxl", "by_calamine"), CASES)
def test_a_value_reads_back_as_written(value, by_openpyxl, by_calamine):
    target = _book([[value, "后"]])
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert [c.value for c in sheet[2]] == [by_openpyxl, "后"]
    assert "<f>" not in _sheet_xml(target)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue())).get_sheet_by_index(0)
    assert rows.to_python()[1] == [by_calamine, "后"]


def test_header_is_bold_and_text_columns_are_text_formatted():
    target = _book([["0012", 5], [None, 6]], text_columns=[0])
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert sheet["A1"].font.b and sheet["B1"].font.b
    assert sheet["A2"].number_format == "@" and sheet["B2"].number_format == "General"
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet["A2"].value == "0012"


def test_sheets_follow_each_other_and_progress_is_reported():
    seen = []
    target = io.BytesIO()
    with StreamingWorkbook(target) as book:
        assert (
            book.add_sheet("一", ["a"], ([n] for n in range(7)), progress=seen.append, every=3) == 7
        )
        assert book.add_sheet("二", ["b"], []) == 0
    assert seen == [3, 6]
    book = load_workbook(io.BytesIO(target.getvalue()))
    assert book.sheetnames == ["一", "二"]
    assert [r[0] for r in book["一"].iter_rows(values_only=True)] == ["a", *range(7)]
    assert [r for r in book["二"].iter_rows(values_only=True)] == [("b",)]


def test_rows_longer_than_the_header_keep_their_cells():
    target = _book([["x", "y", "z", None, "w"]])
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert [c.value for c in sheet[2]] == ["x", "y", "z", None, "w"]


@pytest.mark.parametrize("title", ["", "a" * 32, "a/b", "[x]"])
def test_a_title_excel_refuses_is_refused(title):
    with pytest.raises(ValueError, match="工作表名称"):
        StreamingWorkbook(io.BytesIO()).add_sheet(title, ["a"], [])


def test_a_datetime_with_a_timezone_is_refused():
    with pytest.raises(TypeError, match="时区"):
        _book([[dt.datetime(2024, 1, 1, tzinfo=dt.UTC)]])


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters(index, letters):
    assert column_letter(index) == letters


def _sheet_xml(target: io.BytesIO) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(target.getvalue())) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()
