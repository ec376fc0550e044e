"""The shared PDF module: Chinese text set, embedded and extracted back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

from pypdf import PdfReader

from xianfeng.lib.pdf import Column, Document
from xianfeng.lib.pdf.document import covered
from xianfeng.lib.pdf.lines import NO_END, NO_START, break_lines

LONG = (
    "为深入学习贯彻党的二十大精神，推动党史学习教育常态化长效化，根据上级党组织的部署要求，"
    "结合本支部实际，现就开展“两学一做”学习教育有关事项通知如下：各党小组要高度重视、认真组织，"
    "确保全体党员（含流动党员、年老体弱党员）按时参加学习，做到学习有记录、讨论有发言、"
    "整改有成效。2026年12月31日前完成第1阶段任务，参加率应达到95%以上。"
) * 3
ROWS = [
    (n, f"党员{n:02d}", "第一党小组", "年老体弱，经支部委员会研究同意免于参加。") for n in range(60)
]


def _document() -> Document:
    document = Document(
        "青山村党支部关于开展学习教育的通知", number="青支〔2026〕3号", date=dt.date(2026, 3, 1)
    )
    document.heading("一、总体要求").paragraph(LONG)
    document.heading("二、党员名单")
    columns = [Column("序号", 0.6, "C"), Column("姓名"), Column("党小组"), Column("备注", 3)]
    document.table(columns, ROWS)
    return document.signature("中共青山村支部委员会", dt.date(2026, 3, 1))


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_document_text_extracts_as_written():
    pages = _pages(_document().render())
    text = "\n".join(pages)
    assert len(pages) == 3
    assert pages[0].splitlines()[:2] == ["青支〔2026〕3号", "青山村党支部关于开展学习教育的通知"]
    assert "（2026年3月1日）" in text
    assert _flat(LONG) in _flat(text)
    assert [p.splitlines()[-1] for p in pages] == [f"第 {n} 页 共 3 页" for n in (1, 2, 3)]
    assert text.count("党员59") == 1 and "中共青山村支部委员会\n2026年3月1日" in text


def test_table_repeats_its_header_on_every_page():
    pages = _pages(_document().render())
    assert all("序号 姓名 党小组 备注" in page for page in pages[1:])
    assert "党员00" in pages[0] and "党员59" in pages[2]


def test_paragraph_lines_never_start_with_closing_punctuation():
    text = "\n".join(_pages(_document().render()))
    starts = {line[0] for line in text.splitlines() if line}
    ends = {line[-1] for line in text.splitlines() if line}
    assert not starts & NO_START and not ends & NO_END


def test_break_lines_pushes_a_character_down_before_a_comma():
    one_each = lambda piece: float(len(piece))  # noqa: E731
    lines = break_lines("一二三四五，六七八九十。", (5, 5), one_each)
    assert lines == ["一二三四", "五，六七八", "九十。"]


def test_break_lines_keeps_an_opening_bracket_with_what_follows():
    one_each = lambda piece: float(len(piece))  # noqa: E731
    assert break_lines("一二三四（五六）", (5, 5), one_each) == ["一二三四", "（五六）"]


def test_break_lines_keeps_numbers_and_ellipses_whole():
    one_each = lambda piece: float(len(piece))  # noqa: E731
    assert break_lines("一二三2026年", (5, 5), one_each) == ["一二三", "2026年"]
    assert break_lines("一二三四……", (5, 5), one_each) == ["一二三", "四……"]


def test_character_outside_the_font_is_a_placeholder_and_logged(caplog):
    rare = "\U00020bb7"  # 𠮷, a variant of 吉 found in names, outside GB2312
    with caplog.at_level(logging.WARNING, logger="xianfeng.lib.pdf.document"):
        data = Document("名单").paragraph(f"{rare}祥同志").render()
    assert "□祥同志" in _pages(data)[0]
    assert "U+20BB7" in caplog.text


def test_font_covers_gb2312():
    gb2312 = set()
    for high in range(0xB0, 0xF8):  # the hanzi rows
        for low in range(0xA1, 0xFF):
            try:
                gb2312.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) == 6763 and gb2312 <= covered()
