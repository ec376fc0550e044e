"""Read spreadsheet-like files into sheets of rows, streaming (PLAT-03 imports).

Organization departments keep orgs and members in workbooks exported from the national
party-member information system or typed by hand in Excel/WPS. This module turns any
supported file into :class:`Sheet` objects whose ``rows`` yield
``(row_number, values)``: the 1-based row number a user sees in Excel/WPS and the raw
cell values (``str``, ``int``, ``float``, ``bool``, ``datetime`` or ``None`` for an
empty cell). Cleaning the values is :mod:`xianfeng.lib.cells`' job.

Supported formats, recognised by content first and by extension second:

- ``.xlsx``/``.xlsm``, ``.xls`` and ``.ods``: python-calamine (Rust), which reads a
  300,000-row workbook many times faster than openpyxl; one sheet at a time is held in
  memory. Formula cells give the value last computed; date cells become ``datetime``,
  whole numbers below 10¹⁵ ``int`` (as Excel writes them), empty cells ``None``. A file
  calamine cannot open is retried with the pure-Python readers (openpyxl in read-only
  mode for .xlsx, xlrd for .xls), which also give the precise error messages.
- ``.csv`` (``.txt``, ``.tsv``): UTF-8 with or without BOM, UTF-16 with BOM, else
  GB18030 (a superset of GBK); delimiter ``,``, ``;`` or tab, sniffed; one sheet named
  after the file. Empty fields are ``None``.
- ``.json``: ``{"sheets": {"党组织": [{...}, ...], "党员": [...]}}`` or a list of
  objects (one sheet). Objects become a header row (row 1: union of the keys in
  first-seen order) and value rows (rows 2, 3, ...).

Typical use::

    with open_workbook(upload) as sheets:
        for sheet in sheets:
            header_row, headers, rows = find_header(sheet.rows, KNOWN_HEADERS)
            for row_number, values in rows:
                ...

Errors are :class:`TabularError` with a Chinese message fit for end users.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

__all__ = [
    "SUPPORTED_FORMATS",
    "Sheet",
    "TabularError",
    "WorkbookReader",
    "find_header",
    "normalize_header",
    "open_workbook",
]

SUPPORTED_FORMATS = ".xlsx、.xlsm、.xls、.ods、.csv、.json"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_OOXML_MARK = "EncryptionInfo".encode("utf-16-le")
_TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
_HEAD_SIZE = 64 * 1024
_CHUNK_SIZE = 1024 * 1024


class TabularError(ValueError):
    """The file cannot be read; ``str(exc)`` is a Chinese message for end users."""


@dataclass
class Sheet:
    """One sheet: ``rows`` yields ``(row_number, values)`` once, streaming."""

    name: str
    rows: Iterator[tuple[int, list[Any]]]
    total_rows: int | None = None  # for progress bars; None when unknown
    hidden: bool = False  # hidden sheets: code tables behind drop-down lists, notes


# --------------------------------------------------------------------------- headers

_HEADER_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_HEADER_MARKS = re.compile(
    r"^\*+|(?:\*|\((?:必填|选填|可选|非必填)\)|【(?:必填|选填|可选|非必填)】)+$"
)


def normalize_header(text: Any) -> str:
    """Normalize a header cell: ``" 姓 名\\n（必填）"`` → ``"姓名"``.

    Full-width → half-width (NFKC), all whitespace removed (incl. NBSP and line breaks
    inside the cell), required-field markers dropped: a leading ``*``, trailing ``*``,
    ``＊``, ``(必填)``, ``（必填）`` (and ``选填``/``可选`` variants).
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        text = str(text)
    text = unicodedata.normalize("NFKC", text).translate(_HEADER_INVISIBLE)
    return _HEADER_MARKS.sub("", "".join(text.split()))


def _is_blank(values: list[Any]) -> bool:
    for value in values:
        if value is None:
            continue
        if value.__class__ is str and (not value or value.isspace()):
            continue
        return False
    return True


def _data_rows(
    rows: Iterator[tuple[int, list[Any]]], width: int
) -> Iterator[tuple[int, list[Any]]]:
    """Skip blank rows; pad short rows with ``None`` up to the header width."""
    for item in rows:
        values = item[1]
        for value in values:  # inlined _is_blank(): this runs for every row
            if value is None:
                continue
            if value.__class__ is str and (not value or value.isspace()):
                continue
            break
        else:
            continue
        if len(values) < width:
            values = [*values, *([None] * (width - len(values)))]
            item = (item[0], values)
        yield item


def find_header(
    rows: Iterable[tuple[int, list[Any]]], known_headers: Iterable[str], *, max_scan: int = 20
) -> tuple[int, list[str], Iterator[tuple[int, list[Any]]]]:
    """Find the header row among the first ``max_scan`` rows.

    The header is the row with the most cells that are known header names (compared
    after :func:`normalize_header`), with at least two; title rows above it
    ("XX县党员名册", "填报单位：…", merged title cells) are skipped. Returns the header's
    row number, its normalized cells (trailing empty cells dropped) and an iterator over
    the following rows: blank rows are skipped and short rows padded with ``None`` to the
    header's width. Only the scanned rows are buffered.
    """
    known = {normalize_header(name) for name in known_headers}
    known.discard("")
    iterator = iter(rows)
    scanned: list[tuple[int, list[Any]]] = []
    best_index, best_score = -1, 0
    for item in islice(iterator, max_scan):
        scanned.append(item)
        values = item[1]
        if _is_blank(values):
            continue
        score = len(known.intersection(normalize_header(value) for value in values))
        if score > best_score:
            best_index, best_score = len(scanned) - 1, score
    if best_score < 2:
        expected = "、".join(sorted(known)[:12]) + ("等" if len(known) > 12 else "")
        where = f"前{max_scan}行" if len(scanned) >= max_scan else "表格"
        if not scanned or all(_is_blank(values) for _number, values in scanned):
            raise TabularError(f"表格是空的，没有找到表头行（应包含“{expected}”等列名）")
        raise TabularError(
            f"在{where}中没有找到表头行：表头行应至少包含以下列名中的两个：{expected}"
        )
    header_number, header_values = scanned[best_index]
    headers = [normalize_header(value) for value in header_values]
    while headers and not headers[-1]:
        headers.pop()
    rest = chain(scanned[best_index + 1 :], iterator)
    return header_number, headers, _data_rows(rest, len(headers))


# --------------------------------------------------------------------------- opening


class WorkbookReader(Iterator[Sheet]):
    """The sheets of an opened file: an iterator and a context manager.

    Used in a ``with`` block, the file stays open until the block ends, so sheets may be
    read in any order (e.g. ``sheets = {s.name: s for s in reader}``). Otherwise it is
    closed as soon as the iteration over sheets ends, so each sheet's rows must be read
    inside the loop over sheets.
    """

    def __init__(self, sheets: Iterator[Sheet], closers: list[Any], state: _State) -> None:
        self._sheets = sheets
        self._closers = closers
        self._state = state
        self._managed = False

    @property
    def closed(self) -> bool:
        return self._state.closed

    def __iter__(self) -> WorkbookReader:
        return self

    def __next__(self) -> Sheet:
        if self.closed:
            raise StopIteration
        try:
            return next(self._sheets)
        except StopIteration:
            if not self._managed:
                self.close()
            raise

    def close(self) -> None:
        if self._state.closed:
            return
        self._state.closed = True
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):  # closing must not mask the real error
                closer()

    def __enter__(self) -> WorkbookReader:
        self._managed = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


class _State:
    """Shared by a reader and its row iterators (which must not reference the reader:
    without a reference cycle, dropping the reader closes the file at once)."""

    __slots__ = ("closed",)

    def __init__(self) -> None:
        self.closed = False

    def check_open(self) -> None:
        if self.closed:
            raise RuntimeError(
                "workbook already closed: read each sheet's rows inside the loop over "
                "sheets, or use open_workbook() as a context manager"
            )


def open_workbook(path_or_file: Any, *, filename: str | None = None) -> WorkbookReader:
    """Open ``path_or_file`` (a path, or a binary file such as a Django upload).

    The format is recognised from the content (ZIP = .xlsx or .ods, OLE2 = .xls) and, for text,
    from the extension of ``filename`` (default: the path's or file's name). Raises
    :class:`TabularError` for unsupported, corrupt or password-protected files.
    """
    closers: list[Any] = []
    try:
        return _open(path_or_file, filename, closers)
    except BaseException:
        for closer in reversed(closers):
            closer()
        raise


def _open(path_or_file: Any, filename: str | None, closers: list[Any]) -> WorkbookReader:
    if isinstance(path_or_file, str | os.PathLike):
        path = Path(path_or_file)
        name = filename or path.name
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise TabularError(f"无法打开文件“{name}”：{exc.strerror or exc}") from None
        closers.append(stream.close)
    else:
        stream = path_or_file
        name = filename or os.path.basename(str(getattr(stream, "name", "") or ""))
        if not (hasattr(stream, "seekable") and stream.seekable()):
            stream = io.BytesIO(stream.read())
        stream.seek(0)
    head = stream.read(_HEAD_SIZE)
    stream.seek(0)
    if isinstance(head, str):
        raise TypeError("open_workbook() needs a binary file, not a text file")
    extension = os.path.splitext(name)[1].lower()
    stem = os.path.splitext(name)[0] or "Sheet1"
    if not head:
        raise TabularError("文件是空的")
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(stream, extension, closers)
    if head.startswith(_OLE2_MAGIC):
        return _open_ole(stream, extension, closers)
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    excel_name = extension in {".xlsx", ".xlsm", ".xls", ".xltx", ".xlt", ".et"}
    if text_head.startswith(b"<") or (
        excel_name and (b"<table" in text_head or b"<html" in text_head)
    ):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in text_head:
            kind = "“XML 电子表格 2003”格式"
        else:
            kind = "网页（HTML）格式"
        raise TabularError(
            f"该文件实际上是{kind}，不是真正的 Excel 工作簿（有些系统导出的 .xls 就是这样）；"
            "请用 Excel 或 WPS 打开后“另存为” .xlsx 格式再导入"
        )
    if extension == ".json" or (
        extension not in _TEXT_EXTENSIONS and text_head[:1] in (b"{", b"[")
    ):
        return _open_json(stream, stem, closers)
    if extension in _TEXT_EXTENSIONS:
        return _open_csv(stream, stem, head, closers)
    if excel_name:
        raise TabularError(f"文件内容不是有效的 {extension} 工作簿，文件可能已损坏")
    shown = extension or "无扩展名"
    raise TabularError(f"不支持的文件格式（{shown}），请上传 {SUPPORTED_FORMATS} 格式的文件")


# --------------------------------------------------------------------------- xlsx


def _open_xlsx(stream: IO[bytes], extension: str, closers: list[Any]) -> WorkbookReader:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise TabularError(
            "文件已损坏，无法作为 .xlsx 工作簿打开；请用 Excel 或 WPS 打开后重新保存"
        ) from None
    stream.seek(0)
    if "xl/workbook.bin" in names:
        raise TabularError("不支持 .xlsb（二进制工作簿）格式，请另存为 .xlsx 格式后再导入")
    if "content.xml" in names and "mimetype" in names:
        return _open_ods(stream, names)
    if "xl/workbook.xml" not in names:
        raise TabularError(
            f"文件是 ZIP 压缩包，但不是 Excel 工作簿（{extension or '无扩展名'}）；"
            f"请上传 {SUPPORTED_FORMATS} 格式的文件"
        )

    reader = _open_calamine(stream)
    if reader is not None:
        return reader
    stream.seek(0)

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style", "Data Validation extension is not
            # supported": harmless for reading values, noisy in logs.
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(stream, read_only=True, data_only=True)
    except TabularError:
        raise
    except Exception:
        raise TabularError(
            "文件已损坏，无法作为 .xlsx 工作簿打开；请用 Excel 或 WPS 打开后重新保存"
        ) from None
    closers.append(book.close)
    state = _State()
    return WorkbookReader((_xlsx_sheet(state, ws) for ws in book.worksheets), closers, state)


def _xlsx_sheet(state: _State, ws: Any) -> Sheet:
    max_row = ws.max_row
    # A wrong <dimension> (some generators write "A1") would make openpyxl silently
    # truncate the sheet, so rows are read without it; it only feeds the progress bar.
    total = max_row if max_row and max_row > 1 else None
    ws.reset_dimensions()
    return Sheet(ws.title, _xlsx_rows(state, ws), total, ws.sheet_state != "visible")


def _xlsx_rows(state: _State, ws: Any) -> Iterator[tuple[int, list[Any]]]:
    state.check_open()
    number = 0
    try:
        for row in ws.iter_rows(values_only=True):
            number += 1
            yield number, list(row)
    except (GeneratorExit, TabularError):
        raise
    except Exception:
        state.check_open()
        raise TabularError(
            f"工作表“{ws.title}”第{number + 1}行附近的内容已损坏，无法读取；"
            "请用 Excel 或 WPS 打开后重新保存"
        ) from None


# --------------------------------------------------------------------------- calamine

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_INT_LIMIT = 1e15  # Excel writes whole numbers up to 15 digits without an exponent


def _open_ods(stream: IO[bytes], names: set[str]) -> WorkbookReader:
    with zipfile.ZipFile(stream) as archive:
        mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    stream.seek(0)
    if not mimetype.startswith(_ODS_MIMETYPE):
        raise TabularError(
            f"文件是 OpenDocument 文档，但不是电子表格；请上传 {SUPPORTED_FORMATS} 格式的文件"
        )
    reader = _open_calamine(stream)
    if reader is None:
        raise TabularError(
            "文件已损坏，无法作为 .ods 工作簿打开；请用 WPS 或 LibreOffice 打开后重新保存"
        )
    return reader


def _open_calamine(stream: IO[bytes], *, xls: bool = False) -> WorkbookReader | None:
    """The workbook read by python-calamine, or None when calamine cannot open it.

    ``total_rows`` is the last used row; like the older readers, a one-row .xlsx/.ods
    sheet gets none (no progress bar) while an .xls sheet counts its rows.
    """
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(stream)
        metadata = [  # worksheets only, as openpyxl's book.worksheets: no chart sheets
            (meta.name, _enum_name(meta.visible) != "Visible")
            for meta in book.sheets_metadata
            if _enum_name(meta.typ) == "WorkSheet"
        ]
    except PasswordError:
        raise TabularError(
            "文件设置了打开密码，无法读取；请在 Excel 或 WPS 中取消密码后重新上传"
        ) from None
    except Exception:
        return None
    state = _State()
    sheets = (_calamine_sheet(state, book, name, hidden, xls) for name, hidden in metadata)
    return WorkbookReader(sheets, [book.close], state)


def _enum_name(value: Any) -> str:
    return str(value).rsplit(".", 1)[-1]  # SheetVisibleEnum.Hidden → "Hidden"


def _calamine_sheet(state: _State, book: Any, name: str, hidden: bool, xls: bool) -> Sheet:
    state.check_open()
    try:
        sheet = book.get_sheet_by_name(name)
    except Exception:
        raise TabularError(f"工作表“{name}”已损坏，无法读取") from None
    end = sheet.end
    last = end[0] + 1 if end else 0
    total = last if xls or last > 1 else None
    return Sheet(name, _calamine_rows(state, sheet), total, hidden)


def _calamine_rows(state: _State, sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    state.check_open()
    start = sheet.start
    if start is None:  # an empty sheet
        return
    # iter_rows() yields rows from row 1 but columns from the first used one only.
    first_col = start[1]
    pad = [None] * first_col
    date_class, datetime_class, limit = dt.date, dt.datetime, _INT_LIMIT
    for number, values in enumerate(sheet.iter_rows(), start=1):
        for col, value in enumerate(values):
            cls = value.__class__
            if cls is str:
                if not value:
                    values[col] = None
            elif cls is float:
                if value.is_integer() and -limit < value < limit:
                    values[col] = int(value)
            elif cls is date_class:
                values[col] = datetime_class(value.year, value.month, value.day)
        yield number, pad + values if first_col else values


# --------------------------------------------------------------------------- xls


class _NullLog:
    def write(self, _text: str) -> None:
        pass


def _open_ole(stream: IO[bytes], extension: str, closers: list[Any]) -> WorkbookReader:
    data = stream.read()
    if _ENCRYPTED_OOXML_MARK in data:
        raise TabularError("文件设置了打开密码，无法读取；请在 Excel 或 WPS 中取消密码后重新上传")
    reader = _open_calamine(io.BytesIO(data), xls=True)
    if reader is not None:
        return reader

    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_NullLog())
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise TabularError(
                "文件设置了打开密码，无法读取；请在 Excel 或 WPS 中取消密码后重新上传"
            ) from None
        if "workbook" in str(exc).lower():  # "Can't find workbook in OLE2 compound document"
            raise TabularError(
                f"文件不是 Excel 工作簿（可能是 Word 等其他 Office 文件）；请上传 {SUPPORTED_FORMATS} 格式的文件"
            ) from None
        raise TabularError(
            "文件已损坏，无法作为 .xls 工作簿打开；请用 Excel 或 WPS 打开后重新保存"
        ) from None
    except Exception:
        raise TabularError(
            "文件已损坏，无法作为 .xls 工作簿打开；请用 Excel 或 WPS 打开后重新保存"
        ) from None
    closers.append(book.release_resources)
    state = _State()
    sheets = (_xls_sheet(state, book, index) for index in range(book.nsheets))
    return WorkbookReader(sheets, closers, state)


def _xls_sheet(state: _State, book: Any, index: int) -> Sheet:
    try:
        sheet = book.sheet_by_index(index)
    except Exception:
        name = book.sheet_names()[index]
        raise TabularError(f"工作表“{name}”已损坏，无法读取") from None
    return Sheet(sheet.name, _xls_rows(state, book, sheet), sheet.nrows, sheet.visibility != 0)


def _xls_rows(state: _State, book: Any, sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    from xlrd import XL_CELL_BLANK, XL_CELL_BOOLEAN, XL_CELL_DATE, XL_CELL_EMPTY, XL_CELL_ERROR
    from xlrd.biffh import error_text_from_code
    from xlrd.xldate import xldate_as_datetime

    state.check_open()
    datemode = book.datemode
    special = {XL_CELL_EMPTY, XL_CELL_BLANK, XL_CELL_DATE, XL_CELL_BOOLEAN, XL_CELL_ERROR}
    for index in range(sheet.nrows):
        types = sheet.row_types(index)
        values = sheet.row_values(index)
        if not special.isdisjoint(types):
            for col, kind in enumerate(types):
                if kind in (XL_CELL_EMPTY, XL_CELL_BLANK):
                    values[col] = None
                elif kind == XL_CELL_DATE:
                    with contextlib.suppress(Exception):  # out of range: keep the number
                        values[col] = xldate_as_datetime(values[col], datemode)
                elif kind == XL_CELL_BOOLEAN:
                    values[col] = bool(values[col])
                elif kind == XL_CELL_ERROR:
                    values[col] = error_text_from_code.get(values[col], "#ERROR!")
        yield index + 1, values
    book.unload_sheet(sheet.name)


# --------------------------------------------------------------------------- csv


def _detect_encoding(stream: IO[bytes], head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # Valid UTF-8 throughout → UTF-8; GBK text almost never is. Checked in chunks so a
    # large file is not held in memory.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(_CHUNK_SIZE):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "gb18030"
    stream.seek(0)
    return encoding


def _sniff_delimiter(sample: str) -> str:
    """``,``, ``;`` or tab: the one splitting most sample lines into the same number of
    fields (title rows above the header have none)."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and len(sample) >= _HEAD_SIZE // 2:
        lines.pop()  # probably cut in the middle
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        counts: dict[int, int] = {}
        for fields in csv.reader(lines, delimiter=delimiter):
            if len(fields) > 1:
                counts[len(fields)] = counts.get(len(fields), 0) + 1
        if counts:
            width, rows = max(counts.items(), key=lambda item: (item[1], item[0]))
            if (rows, width) > best_score:
                best, best_score = delimiter, (rows, width)
    return best


def _open_csv(stream: IO[bytes], stem: str, head: bytes, closers: list[Any]) -> WorkbookReader:
    encoding = _detect_encoding(stream, head)
    sample = head.decode(encoding, errors="ignore")
    delimiter = None
    skip_first = False
    first_line = sample.lstrip("\ufeff").split("\n", 1)[0].strip()
    if re.fullmatch(r"sep=.", first_line):  # Excel's delimiter hint line
        delimiter, skip_first = first_line[4], True
    if delimiter is None:
        delimiter = _sniff_delimiter(sample)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    closers.append(text.detach)  # leave the caller's file open; ours is closed after
    state = _State()
    rows = _csv_rows(state, text, delimiter, encoding, skip_first)
    return WorkbookReader(iter([Sheet(stem, rows, None)]), closers, state)


def _csv_rows(
    state: _State, text: IO[str], delimiter: str, encoding: str, skip_first: bool
) -> Iterator[tuple[int, list[Any]]]:
    state.check_open()
    records = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        if skip_first:
            next(records, None)
        for record in records:
            number += 1
            yield number, [field or None for field in record]
    except UnicodeDecodeError:
        raise TabularError(
            f"第{number + 1}行附近有无法按 {encoding.upper()} 编码识别的字符；"
            "请用 Excel 或 WPS 另存为“CSV UTF-8”格式后再导入"
        ) from None
    except csv.Error as exc:
        raise TabularError(f"第{number + 1}行不是有效的 CSV 内容（{exc}）") from None


# --------------------------------------------------------------------------- json


def _open_json(stream: IO[bytes], stem: str, closers: list[Any]) -> WorkbookReader:
    data = stream.read()
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        try:
            document = json.loads(data.decode("gb18030"))
        except (UnicodeDecodeError, ValueError):
            raise TabularError("JSON 文件的编码无法识别，请保存为 UTF-8 编码") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f"第{line}行附近" if line else ""
        raise TabularError(f"不是有效的 JSON 文件：{where}格式有误") from None
    if isinstance(document, dict) and isinstance(document.get("sheets"), dict):
        tables = document["sheets"]
    elif (
        isinstance(document, dict)
        and document
        and all(isinstance(value, list) for value in document.values())
    ):
        tables = document
    elif isinstance(document, list):
        tables = {stem: document}
    else:
        raise TabularError(
            '不支持的 JSON 结构：应为对象数组，或 {"sheets": {"工作表名": [对象, …]}}'
        )
    sheets = [_json_sheet(str(name), table) for name, table in tables.items()]
    return WorkbookReader(iter(sheets), closers, _State())


def _json_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and not value:
        return None
    return value


def _json_sheet(name: str, table: Any) -> Sheet:
    if not isinstance(table, list):
        raise TabularError(f"JSON 中的工作表“{name}”应为数组")
    if all(isinstance(item, dict) for item in table):
        keys: dict[str, None] = {}
        for item in table:
            keys.update(dict.fromkeys(item))
        header = list(keys)
        rows: list[list[Any]] = [list(header)] if table else []
        rows.extend([_json_value(item.get(key)) for key in header] for item in table)
    elif all(isinstance(item, list) for item in table):
        rows = [[_json_value(value) for value in item] for item in table]
    else:
        raise TabularError(f"JSON 中的工作表“{name}”应全部是对象（或全部是数组）")
    return Sheet(name, iter(list(enumerate(rows, start=1))), len(rows))
