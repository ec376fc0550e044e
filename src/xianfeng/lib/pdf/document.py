"""A Chinese document as PDF: title, 文号, date, headings, paragraphs, tables, signature.

Built on fpdf2 with the Noto Sans SC subset committed in ``xianfeng/lib/fonts`` (nothing
is downloaded). Units are points on A4. Paragraphs start with a two-character indent and
are justified: each full line spreads its remaining space evenly over its characters
(PDF character spacing, so the text still extracts as typed); line breaks follow
避头尾 (see ``lines``). Table cells wrap by the same rules and the header row repeats
on every page. Every page carries 第 N 页 共 M 页. Characters the font lacks are shown
as □ and logged, never an error.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace

from .lines import break_lines

logger = logging.getLogger(__name__)

FONTS = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = FONTS / "NotoSansSC-Regular.ttf"
BOLD = FONTS / "NotoSansSC-Bold.ttf"
FAMILY = "NotoSansSC"
PLACEHOLDER = "□"

MARGIN = {"top": 64.0, "bottom": 64.0, "left": 70.0, "right": 64.0}  # ≈ 22–25 mm
SIZE = {"title": 20.0, "number": 12.0, "heading": 14.0, "body": 12.0, "table": 10.5, "foot": 9}
LEADING = 1.8  # line height as a multiple of the font size (about 公文's 28 pt on 16 pt)
MAX_SPREAD = 0.5  # a justified line never spreads its characters more than half an em
RED = (200, 16, 16)


@dataclass(frozen=True)
class Column:
    """A table column: its heading, relative width and alignment (L, C or R)."""

    title: str
    width: float = 1.0
    align: str = "L"


def format_date(day: dt.date) -> str:
    """2026年1月5日 (the form of dates in Chinese documents)."""
    return f"{day.year}年{day.month}月{day.day}日"


@cache
def covered() -> frozenset[int]:
    """The code points the committed font has glyphs for."""
    return frozenset(TTFont(str(REGULAR), lazy=True).getBestCmap())


class _Pdf(FPDF):
    """fpdf2 with our fonts, margins and page footer; records missing characters."""

    def __init__(self) -> None:
        super().__init__(unit="pt", format="A4")
        self.missing: set[str] = set()
        self.add_font(FAMILY, "", str(REGULAR))
        self.add_font(FAMILY, "B", str(BOLD))
        self.set_margins(MARGIN["left"], MARGIN["top"], MARGIN["right"])
        self.set_auto_page_break(True, margin=MARGIN["bottom"])
        self.set_lang("zh-CN")
        self.set_creator("先锋 Xianfeng")

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        self.set_char_spacing(0)
        self.set_y(-MARGIN["bottom"] / 2 - SIZE["foot"])
        self.set_font(FAMILY, "", SIZE["foot"])
        self.cell(0, SIZE["foot"] * 1.5, f"第 {self.page_no()} 页 共 {{nb}} 页", align="C")

    def clean(self, text: object) -> str:
        """`text` as a string whose every character the font can draw."""
        string, known = str(text).replace("\t", " "), covered()
        missing = {c for c in string if ord(c) not in known and c not in "\n\r\t"}
        if not missing:
            return string
        self.missing |= missing
        return "".join(PLACEHOLDER if c in missing else c for c in string)

    def measure(self, piece: str) -> float:
        return float(self.get_string_width(piece))

    def lines(self, text: str, width: float, first_indent: float = 0.0) -> list[str]:
        return break_lines(text, (width - first_indent, width), self.measure)

    def text_line(self, text: str, *, x: float, width: float, height: float, justify: bool) -> None:
        """One line of text at `x`, spread to `width` when `justify`."""
        spacing = 0.0
        if justify and len(text) > 1:
            spread = (width - self.measure(text)) / (len(text) - 1)
            spacing = spread if 0 < spread <= MAX_SPREAD * self.font_size_pt else 0.0
        self.set_char_spacing(spacing)
        self.set_x(x)
        self.cell(width, height, text, new_x="LMARGIN", new_y="NEXT")
        self.set_char_spacing(0)


Block = Callable[[_Pdf], None]


class Document:
    """A document to render: add blocks in reading order, then call `render()`::

    document = Document("关于开展主题党日活动的通知", number="县委组〔2026〕3号")
    document.heading("一、活动主题").paragraph("……").table(["姓名", "职务"], rows)
    data = document.signature("中共某县委组织部", day).render()
    """

    def __init__(
        self, title: str, *, number: str = "", date: dt.date | None = None, author: str = ""
    ) -> None:
        self.title, self.number, self.date, self.author = title, number, date, author
        self.blocks: list[Block] = [self._header]

    def heading(self, text: str) -> Document:
        """A bold heading (一、… or （一）…), kept with the next lines by a bit of space."""
        self.blocks.append(lambda pdf: _heading(pdf, text))
        return self

    def paragraph(self, text: str, *, indent: bool = True) -> Document:
        """A justified body paragraph, first line indented two characters unless not
        `indent`; each line of `text` is a paragraph (blank lines and the spaces a
        writer typed to indent are dropped)."""
        parts = [part.strip() for part in str(text).splitlines() if part.strip()]
        for part in parts or [""]:
            self.blocks.append(partial(_paragraph, text=part, indent=indent))
        return self

    def table(
        self,
        columns: Sequence[str | Column],
        rows: Iterable[Sequence[object]],
        *,
        header: bool = True,
    ) -> Document:
        """A ruled table; `header` repeats the column titles on every page."""
        cols = [c if isinstance(c, Column) else Column(c) for c in columns]
        data = [["" if v is None else str(v) for v in row] for row in rows]
        self.blocks.append(lambda pdf: _table(pdf, cols, data, header))
        return self

    def signature(self, org: str, date: dt.date | None = None) -> Document:
        """The issuing org and the date, right-aligned, each centred over the other."""
        self.blocks.append(lambda pdf: _signature(pdf, org, date))
        return self

    def render(self) -> bytes:
        """The PDF file."""
        pdf = _Pdf()
        pdf.set_title(self.title)
        if self.author:
            pdf.set_author(self.author)
        pdf.add_page()
        for block in self.blocks:
            block(pdf)
        if pdf.missing:
            names = " ".join(f"U+{ord(c):04X}" for c in sorted(pdf.missing))
            logger.warning("PDF 《%s》: font lacks %s, shown as %s", self.title, names, PLACEHOLDER)
        return bytes(pdf.output())

    def _header(self, pdf: _Pdf) -> None:
        if self.number:
            pdf.set_font(FAMILY, "", SIZE["number"])
            _centred(pdf, pdf.clean(self.number), SIZE["number"] * LEADING)
            y = pdf.get_y() + 4
            pdf.set_draw_color(*RED)
            pdf.set_line_width(1.5)
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_draw_color(0)
            pdf.set_line_width(0.5)
            pdf.ln(SIZE["number"])
        pdf.set_font(FAMILY, "B", SIZE["title"])
        _centred(pdf, pdf.clean(self.title), SIZE["title"] * 1.6)
        if self.date:
            pdf.set_font(FAMILY, "", SIZE["body"])
            _centred(pdf, f"（{format_date(self.date)}）", SIZE["body"] * LEADING)
        pdf.ln(SIZE["body"] * 0.8)


def _balanced(pdf: _Pdf, text: str) -> list[str]:
    """`text` in as few lines as it needs, of about equal length (a long title)."""
    lines = pdf.lines(text, pdf.width)
    width = pdf.measure(text) / len(lines)
    while len(lines) > 1 and width < pdf.width:
        trial = pdf.lines(text, width)
        if len(trial) == len(lines):
            return trial
        width += pdf.font_size / 2
    return lines


def _centred(pdf: _Pdf, text: str, height: float) -> None:
    for line in _balanced(pdf, text):
        pdf.cell(pdf.width, height, line, align="C", new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf: _Pdf, *, text: str, indent: bool) -> None:
    pdf.set_font(FAMILY, "", SIZE["body"])
    first = 2 * SIZE["body"] if indent else 0.0
    lines = pdf.lines(pdf.clean(text), pdf.width, first)
    height = SIZE["body"] * LEADING
    for number, line in enumerate(lines):
        offset = first if number == 0 else 0.0
        last = number == len(lines) - 1
        x, width = pdf.l_margin + offset, pdf.width - offset
        pdf.text_line(line, x=x, width=width, height=height, justify=not last)


def _heading(pdf: _Pdf, text: str) -> None:
    pdf.set_font(FAMILY, "B", SIZE["heading"])
    height = SIZE["heading"] * LEADING
    if pdf.will_page_break(height * 3):  # never a heading alone at the foot of a page
        pdf.add_page()
    pdf.ln(SIZE["heading"] * 0.4)
    for line in pdf.lines(pdf.clean(text), pdf.width):
        pdf.text_line(line, x=pdf.l_margin, width=pdf.width, height=height, justify=False)


def _wrap_cell(pdf: _Pdf, text: str, width: float) -> str:
    parts = pdf.clean(text).splitlines() or [""]
    return "\n".join(line for part in parts for line in pdf.lines(part, width))


def _table(pdf: _Pdf, columns: list[Column], rows: list[list[str]], header: bool) -> None:
    size, pad = SIZE["table"], 4.0
    total = sum(c.width for c in columns)
    inner = [pdf.width * c.width / total - 2 * pad - 1 for c in columns]
    pdf.ln(size * 0.5)
    heads = FontFace(family=FAMILY, emphasis="B", fill_color=(238, 238, 238))
    with pdf.table(
        col_widths=[c.width for c in columns],
        width=pdf.width,
        line_height=size * 1.5,
        text_align=tuple(c.align for c in columns),
        padding=(pad / 2, pad),
        headings_style=heads,
        first_row_as_headings=header,
        repeat_headings=1,
        wrapmode="CHAR",
    ) as table:
        if header:
            pdf.set_font(FAMILY, "B", size)
            row = table.row()
            for column, width in zip(columns, inner, strict=True):
                row.cell(_wrap_cell(pdf, column.title, width))
        pdf.set_font(FAMILY, "", size)
        for values in rows:
            row = table.row()
            for value, width in zip(values, inner, strict=False):
                row.cell(_wrap_cell(pdf, value, width))
    pdf.ln(size * 0.5)


def _signature(pdf: _Pdf, org: str, date: dt.date | None) -> None:
    pdf.set_font(FAMILY, "", SIZE["body"])
    height = SIZE["body"] * LEADING
    lines = [pdf.clean(org)] + ([format_date(date)] if date else [])
    block = max(pdf.measure(line) for line in lines)
    x = pdf.w - pdf.r_margin - 2 * SIZE["body"] - block
    if pdf.will_page_break(height * (len(lines) + 2)):
        pdf.add_page()
    pdf.ln(height * 1.5)
    for line in lines:
        pdf.set_x(max(x, pdf.l_margin))
        pdf.cell(block, height, line, align="C", new_x="LMARGIN", new_y="NEXT")
