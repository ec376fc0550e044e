"""The child-process reader gives the same sheets and rows, and the same errors."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from xianfeng.lib import prefetch
from xianfeng.lib.tabular import TabularError, open_workbook


@pytest.fixture(autouse=True)
def _always_prefetch(monkeypatch):
    monkeypatch.setattr(prefetch, "WORTH_IT_BYTES", 0)
    monkeypatch.setattr(prefetch, "BATCH", 3)


def _book(path, sheets):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _read(reader):
    return [(s.name, list(s.rows)) for s in reader]


def test_plat_03_prefetch_reads_like_open_workbook(tmp_path):
    rows = [["a", "b"], *[[i, f"x{i}"] for i in range(10)]]
    path = _book(tmp_path / "b.xlsx", {"党组织": rows, "党员": rows[:4]})
    with open_workbook(path) as direct:
        expected = _read(direct)
    with prefetch.read_workbook(path) as sheets:
        assert _read(sheets) == expected


def test_plat_03_prefetch_reports_unreadable_files(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook" * 100)
    with pytest.raises(TabularError), prefetch.read_workbook(path) as sheets:
        _read(sheets)


def test_plat_03_small_uploads_stay_in_process(tmp_path, monkeypatch):
    monkeypatch.setattr(prefetch, "WORTH_IT_BYTES", 10**9)
    path = _book(tmp_path / "s.xlsx", {"党员": [["a", "b"], [1, 2]]})
    with prefetch.read_workbook(path) as sheets:
        assert _read(sheets) == [("党员", [(1, ["a", "b"]), (2, [1, 2])])]
