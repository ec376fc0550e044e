"""Import machinery (PLAT-03): any supported file → cleaned records → one transaction.

Each kind of record (orgs, members, later meetings …) is an `Importer` an app lists in its
`sheets.IMPORTERS` (settings.IMPORTERS names those lists): its columns (Chinese header, aliases, cleaner) and an `apply` that
writes the records through its domain. A run reads every sheet, cleans every cell and
collects every error; it writes only when nothing is wrong, inside one transaction, so an
error, or a killed process, leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import translation
from django.utils.module_loading import import_string

from xianfeng.core.audit import kept_through_rollback
from xianfeng.lib.cells import CellError, clean_text
from xianfeng.lib.prefetch import read_workbook
from xianfeng.lib.sql import large_page_cache, refresh_statistics
from xianfeng.lib.tabular import Sheet, TabularError, find_header, normalize_header

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, eq=False)
class Column:
    """One column of an import sheet; `label` is the template's header."""

    key: str
    label: str
    clean: Callable[[Any], Any] = clean_text
    aliases: tuple[str, ...] = ()
    required: bool = False
    note: str = ""
    choices: Sequence[str] = ()  # Chinese labels offered as a drop-down in the template
    text: bool = False  # formatted as text in the template (ID numbers, codes, phones)

    def names(self) -> set[str]:
        return {normalize_header(name) for name in (self.label, *self.aliases)}


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def line(self) -> str:
        return f"{self.sheet}\t{self.row}\t{self.column}\t{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Record:
    sheet: str
    row: int
    values: dict[str, Any]


@dataclass
class Errors:
    """Collects row errors; `add` returns False so callers can `continue` on one line."""

    items: list[RowError] = field(default_factory=list)

    def add(
        self, record_or_sheet: Record | str, row: int | None, column: str, message: str
    ) -> bool:
        if isinstance(record_or_sheet, Record):
            sheet, row = record_or_sheet.sheet, record_or_sheet.row
        else:
            sheet = record_or_sheet
        self.items.append(RowError(sheet, row or 0, column, message))
        return False

    def __bool__(self) -> bool:
        return bool(self.items)


class Importer(Protocol):
    kind: str  # "orgs", "members"
    title: str  # sheet title in the template: 党组织, 党员
    sheet_names: tuple[str, ...]
    columns: tuple[Column, ...]
    order: int  # orgs before members

    def apply(
        self, records: list[Record], *, by: Any, errors: Errors, progress: Progress | None
    ) -> dict[str, int]: ...

    def begin(self, *, by: Any, errors: Errors, progress: Progress | None) -> Applier: ...


class Applier(Protocol):
    """One import of one kind: `feed` chunks of records as they are read, then `finish`
    (returns created / updated / unchanged counts)."""

    def feed(self, records: list[Record]) -> None: ...

    def finish(self) -> dict[str, int]: ...


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} 处错误")
        self.errors = errors


@dataclass
class ImportResult:
    counts: dict[str, dict[str, int]]

    def summary(self) -> str:
        parts = []
        for kind, counts in self.counts.items():
            title = _class_of(kind).title
            parts.append(
                f"{title}：新增 {counts.get('created', 0)}，更新 "
                f"{counts.get('updated', 0)}，未变 {counts.get('unchanged', 0)}"
            )
        return "；".join(parts) or "文件中没有可导入的数据"


def importer_classes() -> list[type[Importer]]:
    """Every app's import sheets: settings.IMPORTERS names each app's `IMPORTERS` tuple.

    Loaded in the sheets' own language (the site's, Chinese): a sheet module builds its
    choice lookups from the labels when first imported, and must not take the language
    of whichever request or task happened to import it first (an English page would
    leave every later import refusing “预备党员”)."""
    with translation.override(settings.LANGUAGE_CODE):
        return [cls for path in settings.IMPORTERS for cls in import_string(path)]


def importers() -> list[Importer]:
    return sorted((cls() for cls in importer_classes()), key=lambda importer: importer.order)


def _class_of(kind: str) -> type[Importer]:
    for cls in importer_classes():
        if cls.kind == kind:
            return cls
    raise KeyError(kind)


def _pick_importer(sheet: Sheet, candidates: list[Importer]) -> Importer | None:
    name = normalize_header(sheet.name)
    for importer in candidates:
        if name in {normalize_header(n) for n in (importer.title, *importer.sheet_names)}:
            return importer
    return None


def _header_map(importer: Importer, headers: list[str]) -> dict[int, Column]:
    by_name = {name: column for column in importer.columns for name in column.names()}
    mapping: dict[int, Column] = {}
    for index, header in enumerate(headers):
        column = by_name.get(header)
        if column is not None and column not in mapping.values():
            mapping[index] = column
    return mapping


@dataclass
class _Cells:
    """One column of a sheet being read: where it is, its cleaner, and the cleaned value
    of each repeated cell (statuses, codes, orgs, dates, flags).

    Cleaning is a pure function of the cell, so a repeated cell is cleaned once. Only
    results of immutable types are kept, and lists, which every row gets a copy of; once a
    column has MEMO distinct cells (names, numbers) it is no longer remembered."""

    index: int
    column: Column
    memo: dict[tuple[type, Any], Any] | None = field(default_factory=dict)

    def clean(self, values: list[Any]) -> Any:
        """The cleaned cell of this column in `values` (CellError when it is wrong)."""
        raw = values[self.index] if self.index < len(values) else None
        memo = self.memo if raw.__class__ in _HASHABLE else None
        key = (raw.__class__, raw)  # 1, 1.0 and True are equal keys but clean differently
        value = _UNSEEN if memo is None else memo.get(key, _UNSEEN)
        if value is _UNSEEN:
            value = self.column.clean(raw)
            if memo is not None and value.__class__ in _IMMUTABLE:
                memo[key] = value
                if len(memo) >= MEMO:
                    self.memo = None
        return value.copy() if value.__class__ is list else value


MEMO = 4096
_UNSEEN: Any = object()
_HASHABLE = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.time})
_IMMUTABLE = _HASHABLE | {Decimal, list}


def _clean_row(
    sheet: str, row_number: int, values: list[Any], columns: list[_Cells], errors: Errors
) -> Record | None:
    cleaned: dict[str, Any] = {}
    ok = True
    for cells in columns:
        column = cells.column
        try:
            value = cells.clean(values)
        except CellError as error:
            ok = errors.add(sheet, row_number, column.label, str(error))
            continue
        if column.required and value in (None, ""):
            ok = errors.add(sheet, row_number, column.label, f"“{column.label}”不能为空")
            continue
        cleaned[column.key] = value
    return Record(sheet, row_number, cleaned) if ok else None


def _guess(sheet: Sheet, candidates: list[Importer]) -> Importer | None:
    """A sheet with an unknown name: the importer whose headers it matches best."""
    head: list[tuple[int, list[Any]]] = []
    iterator = iter(sheet.rows)
    for item in iterator:
        head.append(item)
        if len(head) >= 20:
            break
    cells = {normalize_header(v) for _n, values in head for v in values if v not in (None, "")}
    best, score = None, 1
    for importer in candidates:
        hits = len(cells & {n for c in importer.columns for n in c.names()})
        if hits > score:
            best, score = importer, hits
    from itertools import chain

    sheet.rows = chain(head, iterator)
    return best


# Sent inside the import's transaction once every row is written (bulk writes send no
# model signals; compliance marks its findings stale on this).
data_imported = Signal()


def run_import(
    source: Any, *, filename: str | None = None, by: Any = None, progress: Progress | None = None
) -> ImportResult:
    """Import a file all-or-nothing; raises ImportFailed with every row error.

    Rows are validated and written as the file is read, sheet by sheet, inside one
    transaction (a large workbook is parsed in a second process meanwhile); any error
    rolls the whole import back. A kind that others depend on (orgs before members) is
    finished when the first sheet of a later kind begins.
    """
    errors = Errors()
    sheets = 0  # sheets recognised, rows or not (an empty export re-imports as nothing)
    runs: dict[str, Any] = {}
    counts: dict[str, dict[str, int]] = {}
    order = {importer.kind: importer.order for importer in importers()}
    # kept_through_rollback: answers an importer logs (e.g. an ID number on file elsewhere)
    # are saved even though the failed import rolls back.
    with kept_through_rollback(), transaction.atomic(), large_page_cache():
        for sheet, importer, chunk in _chunks(source, filename, errors, progress):
            if chunk is None:  # a sheet begins: finish the kinds it depends on
                sheets += 1
                if any(order[k] > importer.order for k in runs):
                    errors.add(
                        sheet.name,
                        0,
                        "",
                        f"“{importer.title}”工作表应放在前面"
                        "（例如党组织在党员之前），请调整工作表顺序",
                    )
                    raise ImportFailed(errors.items)
                for kind in [k for k in runs if order[k] < importer.order and k not in counts]:
                    counts[kind] = _finish(kind, runs[kind], errors, progress)
                if errors:  # later sheets would only repeat what is missing here
                    raise ImportFailed(errors.items)
                continue
            if importer.kind not in runs:
                runs[importer.kind] = importer.begin(by=by, errors=errors, progress=progress)
            runs[importer.kind].feed(chunk)
        for kind in sorted(runs, key=lambda k: order[k]):
            if kind not in counts:
                counts[kind] = _finish(kind, runs[kind], errors, progress)
        if not sheets and not errors:
            errors.add(filename or "", 0, "", "文件中没有找到党组织或党员工作表（请使用导入模板）")
        if errors:
            raise ImportFailed(errors.items)  # rolls the whole import back
        written = _written(counts)
        if written:  # an unchanged file (a roster re-imported as exported) writes nothing
            data_imported.send(sender=ImportResult, by=by, counts=counts)
    if written >= BULK:
        refresh_statistics()
    return ImportResult(counts)


def _written(counts: dict[str, dict[str, int]]) -> int:
    """Rows an import wrote: every count but the unchanged rows."""
    return sum(n for kind in counts.values() for key, n in kind.items() if key != "unchanged")


def _finish(kind: str, run: Any, errors: Errors, progress: Progress | None) -> dict[str, int]:
    counts = run.finish()
    if progress and not errors:
        title = _class_of(kind).title
        progress(0, 0, f"已写入{title}（尚未提交）")
    return counts


CHUNK = 5000
BULK = 10_000  # rows written by an import after which the planner's statistics are refreshed


def _chunks(source: Any, filename: str | None, errors: Errors, progress: Progress | None):  # type: ignore[no-untyped-def]
    """(sheet, importer, cleaned records) in chunks, in file order; each sheet starts with
    (sheet, importer, None) before any of its rows is read."""
    candidates = importers()
    done = 0
    try:
        with read_workbook(source, filename=filename) as sheets:
            for sheet in sheets:
                importer = _pick_importer(sheet, candidates) or _guess(sheet, candidates)
                if importer is None:
                    continue
                yield sheet, importer, None
                try:
                    for chunk in _clean_chunks(sheet, importer, errors):
                        done += len(chunk)
                        if progress:
                            progress(done, 0, f"已读取 {done} 行")
                        yield sheet, importer, chunk
                except TabularError as error:
                    errors.add(sheet.name, 0, "", str(error))
    except TabularError as error:
        errors.add(filename or "", 0, "", str(error))


def _clean_chunks(sheet: Sheet, importer: Importer, errors: Errors):  # type: ignore[no-untyped-def]
    known = {name for column in importer.columns for name in column.names()}
    header_row, headers, rows = find_header(sheet.rows, known)
    mapping = _header_map(importer, headers)
    present = set(mapping.values())
    missing = [c for c in importer.columns if c.required and c not in present]
    for column in missing:
        errors.add(sheet.name, header_row, column.label, f"缺少必填列“{column.label}”")
    if missing:
        return
    columns = [_Cells(index, column) for index, column in mapping.items()]
    chunk: list[Record] = []
    for row_number, values in rows:
        record = _clean_row(sheet.name, row_number, values, columns, errors)
        if record is not None:
            chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def error_lines(errors: Iterable[RowError]) -> str:
    return "\n".join(error.line() for error in errors)
