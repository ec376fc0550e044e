"""Excel out (PLAT-03): the import template, exports and error workbooks.

Exports use the template's headers, so an unmasked export re-imports to the same data.
Exports are streamed by `lib.xlsx` (constant memory; measured several times faster than
xlsxwriter's constant-memory and openpyxl's write-only modes, see `xianfeng bench export`);
openpyxl writes the styled template with its drop-downs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xianfeng.lib.xlsx import StreamingWorkbook

from .importing import Column, RowError, importers

TEMPLATE_ROWS = 2000  # rows offered drop-downs
_REQUIRED = PatternFill("solid", fgColor="FDE9E7")


def write_template(target: Path | IO[bytes]) -> None:
    """One sheet per kind with Chinese headers, drop-down lists for enumerations, ID and
    code columns formatted as text, and an instructions sheet."""
    book = Workbook()
    notes = book.active
    notes.title = "填写说明"
    _write_notes(notes)
    options = book.create_sheet("选项")
    options.sheet_state = "hidden"
    for importer in importers():
        _template_sheet(book.create_sheet(importer.title), importer.columns, options)
    book.save(target)


def _write_notes(sheet: Any) -> None:
    sheet.append(["先锋 党建工作综合管理系统 导入模板"])
    sheet.append(["1. 每个工作表一类数据；表头行以上可以有标题行，列的顺序不限。"])
    sheet.append(
        [
            "2. 整个文件全部校验通过才会写入；有错误时不写入任何数据，并列出每处错误的工作表、行、列。"
        ]
    )
    sheet.append(
        ["3. 身份证号、编码、电话列已设为“文本”格式，请勿改为数字，否则 Excel 会改成科学计数法。"]
    )
    sheet.append(["4. 日期可写 2025-03-01、2025/3/1、2025.03、2025年3月1日。"])
    sheet.append(["5. 重复导入同一文件不会产生重复数据；党员所在党组织变化将记为组织关系转接。"])
    sheet.append([])
    sheet.append(["工作表", "列名", "必填", "说明", "可选值"])
    for importer in importers():
        for column in importer.columns:
            sheet.append(
                [
                    importer.title,
                    column.label,
                    "是" if column.required else "",
                    column.note,
                    "、".join(column.choices),
                ]
            )
    sheet.column_dimensions["D"].width = 60
    sheet.column_dimensions["E"].width = 60


def _template_sheet(sheet: Any, columns: tuple[Column, ...], options: Any) -> None:
    sheet.append([column.label for column in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True, color="C8161D" if column.required else "000000")
        if column.required:
            header.fill = _REQUIRED
        sheet.column_dimensions[letter].width = max(12, len(column.label) * 2 + 4)
        if column.text:
            # The column's style: Excel and WPS give it to every cell typed into the
            # column (formatting each of the rows cell by cell took the download ~20 s).
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            _add_choices(sheet, letter, column, options)
    sheet.freeze_panes = "A2"


def _add_choices(sheet: Any, letter: str, column: Column, options: Any) -> None:
    option_column = options.max_column + 1 if options.max_row > 1 or options["A1"].value else 1
    for row, label in enumerate(column.choices, start=1):
        options.cell(row=row, column=option_column, value=label)
    ref = get_column_letter(option_column)
    formula = f"=选项!${ref}$1:${ref}${len(column.choices)}"
    validation = DataValidation(
        type="list", formula1=formula, allow_blank=True, showErrorMessage=False
    )
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.add_data_validation(validation)


def write_rows(
    target: Path | IO[bytes],
    title: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    text_columns: Iterable[int] = (),
) -> int:
    """Stream rows into a one-sheet workbook (constant memory); returns the number of rows."""
    with StreamingWorkbook(target) as book:
        return book.add_sheet(title, headers, rows, text_columns=text_columns, **_reporting())


def write_sheets(target: Path | IO[bytes], sheets: Iterable[tuple[str, Any, Any]]) -> int:
    """One workbook (constant memory) with a sheet per (title, columns, records): each column
    has `label`, `key` and `text` (an import sheet's columns), each record is a dict by
    column key. Returns the rows written."""
    count = 0
    with StreamingWorkbook(target) as book:
        for title, columns, records in sheets:
            keys = [c.key for c in columns]
            count += book.add_sheet(
                title,
                [c.label for c in columns],
                ([record.get(key) for key in keys] for record in records),
                text_columns=[i for i, c in enumerate(columns) if c.text],
                **_reporting(),
            )
    return count


# Reporting rows written as an export goes (a background export's job progress).
_PROGRESS: ContextVar[Callable[[int], None] | None] = ContextVar("export_progress", default=None)
PROGRESS_EVERY = 5000  # rows


@contextmanager
def reporting(progress: Callable[[int], None] | None) -> Iterator[None]:
    """Within the block, workbooks written here call `progress(rows written so far)` every
    PROGRESS_EVERY rows of a sheet."""
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _reporting() -> dict[str, Any]:
    return {"progress": _PROGRESS.get(), "every": PROGRESS_EVERY}


def write_errors(target: Path | IO[bytes], errors: list[RowError]) -> None:
    """The rows an import refused, as a workbook the officer can work through."""
    write_rows(
        target,
        "导入错误",
        ["工作表", "行", "列", "问题"],
        ([e.sheet, e.row, e.column, e.message] for e in errors),
    )
