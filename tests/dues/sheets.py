"""Workbooks for the dues import tests: sheets in the treasurer's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from xianfeng.dues.domain.declarations import declare_base
from xianfeng.lib.dates import add_months, today

KINDS = ["党员编号", "姓名", "党费类别", "起始日期", "说明"]
BASES = ["党员编号", "姓名", "申报期间", "月缴费基数（元）", "申报日期", "说明"]
PAYMENTS = ["党员编号", "姓名", "所属月份", "金额（元）", "交纳日期", "类别", "说明"]
EXPORTED_PAYMENTS = [*PAYMENTS, "记账党组织", "录入时间"]
REDUCTIONS = [
    "党员编号",
    "姓名",
    "起始月份",
    "截止月份",
    "减免后每月应交（元）",
    "理由",
    "提出组织",
    "提出日期",
    "状态",
    "审批组织",
    "审批日期",
    "审批意见",
]
ARRANGEMENTS = ["党员编号", "姓名", "起始月份", "截止月份", "支部同意日期", "说明"]
CLOSES = ["党组织", "月份", "结账日期"]
REMITTANCES = ["党组织", "期间", "上缴金额（元）", "上缴日期", "说明"]

THIS = today().replace(day=1)
LAST = add_months(THIS, -1)


def month(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def rows_of(path: Path, sheet: str | None = None) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    found = book[sheet] if sheet else book.worksheets[0]
    rows = [list(row) for row in found.iter_rows(values_only=True)]
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows]  # trailing empty cells


def declare_both_years(member: Any, base: str) -> None:
    """The base for this month's and last month's year (they differ in January)."""
    for year in sorted({THIS.year, LAST.year}):
        declare_base(member=member, period=str(year), monthly_base=base)
