"""Cell normalizers for spreadsheet imports (PLAT-03).

Each ``clean_*`` function takes one raw cell value as produced by
:mod:`xianfeng.lib.tabular` (``str``, ``int``, ``float``, ``bool``, ``datetime``,
``date``, ``Decimal`` or ``None``) and returns the clean value, or raises
:class:`CellError` whose ``str()`` is a Chinese message fit for the row-level error
report (``sheet<TAB>row<TAB>column<TAB>message``: the caller supplies sheet, row and
column, the message names the offending value).

The functions run once per cell of workbooks with millions of cells, so each one has a
fast path for the common, already clean value (a plain string, a real date cell) and
only falls back to regular expressions and Unicode normalization when needed.

Pure Python, no Django: usable from management commands, tasks and scripts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "ID_AS_NUMBER_MESSAGE",
    "CellError",
    "choice_cleaner",
    "clean_bool",
    "clean_choice",
    "clean_date",
    "clean_decimal",
    "clean_id_text",
    "clean_int",
    "clean_multi_choice",
    "clean_text",
    "text_key",
]


class CellError(ValueError):
    """An invalid cell value; ``str(exc)`` is a Chinese message for end users."""


ID_AS_NUMBER_MESSAGE = (
    "身份证号被 Excel 存成了数字（如 1.10105E+17），后几位可能已丢失；"
    "请把该列设置为“文本”格式后重新填写"
)

_date = dt.date
_datetime = dt.datetime
_str = str
_int = int
_float = float

# --------------------------------------------------------------------------- text

# Full-width forms of ASCII (U+FF01-U+FF5E) become ASCII, except the full-width
# punctuation that is the correct punctuation inside Chinese text and names, e.g.
# "中共XX集团（控股）有限公司委员会": it is kept as typed.
_KEEP_FULL_WIDTH = "！（），：；？"
_TEXT_TABLE: dict[int, str | None] = {
    code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH
}
# Look-alikes of the middle dot of minority and foreign names (阿依古丽·买买提) become
# U+00B7, the character the national standards use.
_TEXT_TABLE.update(dict.fromkeys(map(ord, "\u2022\u2027\u2219\u22c5\u30fb\uff65\u0387"), "·"))
# Invisible characters pasted from Word/WeChat and byte-order marks are dropped.
_TEXT_TABLE.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None))
_TEXT_NEEDS_TRANSLATE = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(_TEXT_TABLE)) + "]"
).search


def _number_text(value: int | float | Decimal) -> str:
    if value.__class__ is _float:
        if value.is_integer():  # type: ignore[union-attr]
            return _str(_int(value))
        return repr(value)
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return _str(value.quantize(Decimal(1)))
        return _str(value.normalize())
    return _str(value)


def _other_text(value: Any) -> str:
    """Text of a non-string cell value (numbers, dates, booleans)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return _number_text(value)
    if isinstance(value, _datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _date | dt.time):
        return value.isoformat()
    return _str(value)


def clean_text(value: Any) -> str:
    """Return ``value`` as clean single-line text; never raises.

    ``None`` → ``""``; numbers → their text (``13800138000.0`` → ``"13800138000"``);
    full-width letters, digits and symbols → ASCII (Chinese punctuation such as
    ``（）：，`` is kept); middle-dot look-alikes → ``·``; invisible characters removed;
    every run of whitespace (incl. NBSP, ideographic space, newlines) → one space; stripped.
    """
    if value.__class__ is not _str:
        if value is None:
            return ""
        value = _other_text(value)
    if not value.isascii() and _TEXT_NEEDS_TRANSLATE(value):
        value = value.translate(_TEXT_TABLE)
    return " ".join(value.split())


def text_key(value: Any) -> str:
    """A comparison key: NFKC, no whitespace at all, case-folded.

    For matching names typed slightly differently ("XX集团(控股)" vs "XX集团（控股）"),
    never for storing.
    """
    text = unicodedata.normalize("NFKC", clean_text(value))
    return "".join(text.split()).casefold()


def _quote(value: Any) -> str:
    """The value as shown inside “…” in messages: short, single line."""
    text = clean_text(value) if value.__class__ is not _str else " ".join(value.split())
    if len(text) > 30:
        text = text[:30] + "…"
    return f"“{text}”"


# --------------------------------------------------------------------------- dates

_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_EPOCH = _date(1899, 12, 30)  # serial 61 and later; serials 1-59 are one day off
_EXCEL_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()
_DATE_MIN_YEAR, _DATE_MAX_YEAR = 1800, 2200

# Full-width digits and date punctuation → ASCII, before matching the patterns below.
_DATE_TABLE = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_DATE_TABLE.update({0x3000: " ", 0x3002: "."})  # ideographic space, 。 typed for .
_DATE_RE = re.compile(
    r"""
    (\d{4}) \s* (?: [-/.年] \s* (\d{1,2}) \s*
        (?: [-/.月] \s* (?: (\d{1,2}) \s* [日号]? )? | 月 )? )?
    (?: [\sT]+ \d{1,2} : \d{1,2} (?: : \d{1,2} (?: \.\d+ )? )? )?   # a time part, ignored
    """,
    re.VERBOSE,
).fullmatch
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})").fullmatch


def _date_error(value: Any) -> CellError:
    return CellError(f"无法识别的日期{_quote(value)}，请写成 2025-03-01 的形式")


def _make_date(year: int, month: int, day: int, value: Any) -> dt.date:
    if not _DATE_MIN_YEAR <= year <= _DATE_MAX_YEAR:
        raise CellError(f"日期{_quote(value)}的年份{year}超出合理范围，请核对")
    try:
        return _date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            raise CellError(f"日期{_quote(value)}中的月份{month}不存在，请核对") from None
        raise CellError(
            f"日期{_quote(value)}不存在（{year}年{month}月没有{day}日），请核对"
        ) from None


def _date_from_number(value: int | float | Decimal) -> dt.date:
    """Excel serial number, or a date typed as a number: 20250301, 2025.03."""
    if isinstance(value, int):
        serial = value
    else:
        number = _float(value)
        if not math.isfinite(number):
            raise _date_error(value)
        if not number.is_integer() and _DATE_MIN_YEAR <= number < _DATE_MAX_YEAR + 1:
            # "2025.03" typed into a "General" cell is stored as the number 2025.03.
            year_text, month_text = repr(number).split(".")
            if month_text == "1":  # 2025.1 and 2025.10 are the same number
                raise CellError(
                    f"日期{_quote(value)}被 Excel 存成了数字，无法区分1月和10月；"
                    "请写成 2025-01-01 的形式，或把该列设置为“文本”格式"
                )
            return _make_date(_int(year_text), _int(month_text), 1, value)
        serial = _int(number)  # a serial with a time of day: keep the day
    if _DATE_MIN_YEAR <= serial <= _DATE_MAX_YEAR:
        # Serials 1800-2200 are dates in 1904-1906; a number the user sees as "1985" in
        # a "General" cell is a year, and a year alone is too vague to store as a date.
        raise CellError(f"日期{_quote(value)}只有年份，请写成 2025-03-01 的形式")
    if 10_000_000 <= serial <= 99_999_999:  # 20250301 typed into a "General" cell
        return _make_date(serial // 10000, serial // 100 % 100, serial % 100, value)
    if not 1 <= serial <= _EXCEL_MAX_SERIAL:
        raise _date_error(value)
    if serial == 60:  # 1900-02-29 exists only in Excel (the Lotus 1-2-3 leap-year bug)
        raise CellError("日期序号60对应的“1900-02-29”并不存在，请核对")
    if serial < 60:
        serial += 1
    return _date.fromordinal(_EXCEL_EPOCH_ORDINAL + serial)


def clean_date(value: Any) -> dt.date | None:
    """Return a ``date`` or ``None`` (empty cell); raise :class:`CellError`.

    Accepts ``datetime``/``date`` objects, Excel serial numbers (1900 date system),
    numbers typed as dates (``20250301``, ``2025.03``) and the strings ``2025-03-01``,
    ``2025/3/1``, ``2025.3.1``, ``2025.03``, ``2025年3月1日``, ``2025年3月``,
    ``20250301`` (full-width digits too; a trailing time of day is ignored). A date
    without day is the 1st of the month; a bare year is rejected.
    """
    cls = value.__class__
    if cls is _datetime:
        return value.date()
    if cls is _str:
        # Fast path: ISO dates as written by exports and JSON.
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                result = _date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if _DATE_MIN_YEAR <= result.year <= _DATE_MAX_YEAR:
                    return result
        text = value.strip()
        if not text:
            return None
        if not text.isascii():
            text = text.translate(_DATE_TABLE)
        match = _DATE_RE(text)
        if match is None:
            match = _COMPACT_DATE_RE(text)
            if match is None:
                raise _date_error(value)
        year, month, day = match.groups()
        if month is None:  # a bare year: too vague to store as a date
            raise CellError(f"日期{_quote(value)}只有年份，请写成 2025-03-01 的形式")
        return _make_date(_int(year), _int(month), _int(day or 1), value)
    if value is None:
        return None
    if cls is _date:
        return value
    if isinstance(value, _datetime):  # subclasses (pandas.Timestamp and the like)
        return value.date()
    if isinstance(value, _date):
        return _date(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise _date_error(value)
    if isinstance(value, int | float | Decimal):
        return _date_from_number(value)
    raise _date_error(value)


# --------------------------------------------------------------------------- ID text

_SCIENTIFIC_RE = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+").fullmatch
_LONG_DECIMAL_RE = re.compile(r"\d{15,}\.\d*").fullmatch


def clean_id_text(value: Any) -> str:
    """Text of an ID-number cell; reject numbers Excel has mangled.

    A numeric cell or text in scientific notation (``1.10105E+17``) has lost the last
    digits of an 18-digit number, so it raises :class:`CellError` with
    :data:`ID_AS_NUMBER_MESSAGE`. Validation proper is
    :func:`xianfeng.lib.idcard.parse_id_number`.
    """
    if value.__class__ is _str:
        # Fast path: 17 ASCII digits and a digit or X, as in almost every row.
        if value.isascii() and value[:-1].isdigit():
            last = value[-1]
            if last.isdigit() or last == "X":
                return value
            if last == "x":
                return value[:-1] + "X"
    elif value is None:
        return ""
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise CellError(ID_AS_NUMBER_MESSAGE)
    text = clean_text(value)
    if _SCIENTIFIC_RE(text) or _LONG_DECIMAL_RE(text):
        raise CellError(ID_AS_NUMBER_MESSAGE)
    if text.endswith("x"):
        text = text[:-1] + "X"
    return text


# --------------------------------------------------------------------------- numbers

_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}
_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?").fullmatch
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)").fullmatch


def _number_textual(value: Any) -> str:
    """Number typed as text → plain ASCII: full-width digits, spaces, 1,234 separators."""
    text = clean_text(value).replace(",", "").replace(" ", "")
    if text.startswith(("¥", "￥")):
        text = text[1:]
    if text.endswith("元"):
        text = text[:-1]
    return text


def clean_int(value: Any, *, min: int | None = None, max: int | None = None) -> int | None:
    """Return an ``int`` or ``None`` (empty); ``3.0`` and ``"3.0"`` are 3, ``3.5`` is not."""
    cls = value.__class__
    if cls is _int:
        number = value
    elif value is None:
        return None
    elif cls is _float:
        if not value.is_integer():  # also NaN and infinities
            raise CellError(f"应填整数，实际为{_quote(value)}")
        number = _int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise CellError(f"应填整数，实际为{_quote(value)}")
        number = _int(value)
    elif isinstance(value, bool):
        raise CellError(f"应填整数，实际为{_quote(value)}")
    elif isinstance(value, int):
        number = _int(value)
    else:
        text = _number_textual(value)
        if not text:
            return None
        if not _INT_RE(text):
            raise CellError(f"应填整数，实际为{_quote(value)}")
        number = _int(text.split(".")[0])
    if min is not None and number < min:
        raise CellError(f"不能小于{min}，实际为{number}")
    if max is not None and number > max:
        raise CellError(f"不能大于{max}，实际为{number}")
    return number


def clean_decimal(value: Any, places: int = 2) -> Decimal | None:
    """Return a ``Decimal`` rounded half-up to ``places`` decimals, or ``None`` (empty).

    Floats go through ``str()`` (shortest repr: ``0.1`` stays ``0.1``), never float
    arithmetic. Accepts ``1,234.50``, ``￥12.5`` and ``12.5元``.
    """
    cls = value.__class__
    if cls is _float:
        number = Decimal(repr(value))
    elif value is None:
        return None
    elif cls is _int or cls is Decimal:
        number = Decimal(value)
    elif isinstance(value, bool):
        raise CellError(f"应填数字，实际为{_quote(value)}")
    elif isinstance(value, int | float | Decimal):
        number = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    else:
        text = _number_textual(value)
        if not text:
            return None
        if not _DECIMAL_RE(text):
            raise CellError(f"应填数字，实际为{_quote(value)}")
        number = Decimal(text)
    if not number.is_finite():
        raise CellError(f"应填数字，实际为{_quote(value)}")
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    try:
        return number.quantize(quantum, ROUND_HALF_UP)  # positional: twice as fast
    except InvalidOperation:  # more digits than the context precision
        raise CellError(f"数字{_quote(value)}太大，请核对") from None


# --------------------------------------------------------------------------- booleans

_TRUE = ("是", "Y", "YES", "1", "TRUE", "T", "√", "✓", "✔", "对", "有")
_FALSE = ("否", "N", "NO", "0", "FALSE", "F", "×", "✗", "✘", "错", "无")
_BOOLS: dict[Any, bool] = {
    **{word: True for word in _TRUE},
    **{word.lower(): True for word in _TRUE},
    **{word: False for word in _FALSE},
    **{word.lower(): False for word in _FALSE},
}


def clean_bool(value: Any) -> bool | None:
    """是/否, Y/N, 1/0, true/false, √/× (and a few synonyms) → ``bool``; empty → ``None``."""
    if value.__class__ is _str:
        found = _BOOLS.get(value)
        if found is not None:
            return found
        text = clean_text(value)
        if not text:
            return None
        found = _BOOLS.get(text.upper())
        if found is not None:
            return found
    elif value is None:
        return None
    elif isinstance(value, bool):
        return value
    elif isinstance(value, int | float | Decimal) and value in (0, 1):
        return value == 1
    raise CellError(f"应填“是”或“否”，实际为{_quote(value)}")


# --------------------------------------------------------------------------- choices

_ChoiceList = Iterable[tuple[Any, Any]]


def _choice_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _flat(choices: _ChoiceList) -> Iterator[tuple[Any, Any]]:
    """Django choices, with option groups ``(group label, [(code, label), ...])`` flattened."""
    for code, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield code, label


class _ChoiceLookup:
    __slots__ = ("choices", "aliases", "exact", "keyed", "labels")

    def __init__(self, choices: _ChoiceList, aliases: Mapping[str, str] | None) -> None:
        self.choices = choices
        self.aliases = aliases
        exact: dict[str, str] = {}
        keyed: dict[str, str] = {}
        labels: list[str] = []
        pairs = [
            (_str(code), _str(label)) for code, label in _flat(choices) if code not in (None, "")
        ]
        codes = {code for code, _label in pairs}
        for code, label in pairs:
            labels.append(label)
            exact.setdefault(code, code)
            exact.setdefault(label, code)
            keyed.setdefault(_choice_key(code), code)
            keyed.setdefault(_choice_key(label), code)
            # Codes of national standards have leading zeros ("01" 汉族) that Excel drops.
            if code.isascii() and code.isdigit() and code[0] == "0":
                short = _str(_int(code))
                if short not in codes:
                    keyed.setdefault(short, code)
        for alias, code in (aliases or {}).items():
            if _str(code) not in codes:
                raise ValueError(f"alias {alias!r} points to unknown choice {code!r}")
            exact.setdefault(alias, _str(code))
            keyed.setdefault(_choice_key(alias), _str(code))
        self.exact = exact
        self.keyed = keyed
        self.labels = labels

    def clean(self, value: Any) -> str:
        if value.__class__ is _str:
            found = self.exact.get(value)
            if found is not None:
                return found
        text = clean_text(value)
        if not text:
            return ""
        found = self.keyed.get(_choice_key(text))
        if found is not None:
            return found
        raise CellError(f"{_quote(value)}不是有效的选项，可选：{'、'.join(self.labels)}")

    __call__ = clean


# Keyed by id() of the choices object; the entry keeps a reference to it, so an id
# cannot be reused while cached. Choice lists built anew on each call (Django's
# ``TextChoices.choices`` property does that) are rebuilt each time: prefer
# :func:`choice_cleaner` in loops.
_LOOKUPS: dict[tuple[int, int], _ChoiceLookup] = {}


def _lookup(choices: _ChoiceList, aliases: Mapping[str, str] | None) -> _ChoiceLookup:
    key = (id(choices), id(aliases))
    found = _LOOKUPS.get(key)
    if found is None or found.choices is not choices or found.aliases is not aliases:
        found = _ChoiceLookup(choices, aliases)
        if len(_LOOKUPS) >= 256:
            _LOOKUPS.clear()
        _LOOKUPS[key] = found
    return found


def choice_cleaner(
    choices: _ChoiceList, *, aliases: Mapping[str, str] | None = None
) -> Callable[[Any], str]:
    """A compiled :func:`clean_choice` for one choice list: use it in import loops."""
    return _ChoiceLookup(list(choices), aliases).clean


def clean_choice(
    value: Any, choices: _ChoiceList, *, aliases: Mapping[str, str] | None = None
) -> str:
    """Return the code of the choice ``value`` names; empty → ``""``.

    ``choices`` are ``(code, label)`` pairs (Django ``choices``). Accepted: the code
    (``"full"``; for coded tables such as GB/T 2261.1 that is ``"1"`` for 男, and a
    numeric cell ``1`` or ``1.0`` works too, as does ``1`` for ``"01"``), the label
    (``"正式党员"``), or an alias (``{"汉": "01"}``). Matching ignores whitespace,
    full-/half-width and ASCII case. The error lists the allowed labels.
    """
    return _lookup(choices, aliases).clean(value)


_MULTI_SEPARATORS = "、,，;；/ "


def clean_multi_choice(
    value: Any,
    choices: _ChoiceList,
    sep: str = _MULTI_SEPARATORS,
    *,
    aliases: Mapping[str, str] | None = None,
) -> list[str]:
    """Return the codes of the choices named in ``value``, in order, without duplicates.

    Items are separated by any character of ``sep`` (default ``、,，;；/`` and space);
    empty → ``[]``. A label that itself contains a separator still matches as a whole.
    """
    lookup = _lookup(choices, aliases).clean
    text = clean_text(value)
    if not text:
        return []
    try:
        return [lookup(text)]
    except CellError:
        pass
    items = re.split("[" + re.escape(sep) + "]+", text) if sep else [text]
    codes: list[str] = []
    for item in items:
        if item:
            code = lookup(item)
            if code not in codes:
                codes.append(code)
    return codes
