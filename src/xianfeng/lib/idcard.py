"""Chinese resident identity card numbers (公民身份号码), GB 11643-1999.

Used by MEM-01 (member records): every party member is identified by the 18-character
citizen identity number. Layout per GB 11643-1999:

    positions 1-6    address (region) code, GB/T 2260
    positions 7-14   birth date, YYYYMMDD
    positions 15-17  sequence code; odd = male, even = female
    position 18      check character, ISO 7064:1983 MOD 11-2 (0-9 or X)

Only the first two digits of the region code (province level) are validated: county
codes are renamed and merged over the years and an old number stays valid for life.

Error messages are shown to end users, so they are Chinese and never contain the full
number (a masked form at most), so that server and audit logs do not leak it.

This module is pure Python (no Django) so it can be reused by importers and scripts.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from operator import mul

__all__ = [
    "PROVINCE_CODES",
    "IdNumber",
    "IdNumberError",
    "age_on",
    "check_character",
    "is_valid_id_number",
    "make_id_number",
    "mask_id_number",
    "normalize_id_number",
    "parse_id_number",
]

#: Province-level prefixes (GB/T 2260), plus 81/82/83 used by residence permits of
#: Hong Kong, Macao and Taiwan residents and 91 used for foreigners' permanent residence.
PROVINCE_CODES: frozenset[str] = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23"}
    | {"31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82", "83", "91"}
)

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH_DATE = datetime.date(1850, 1, 1)
CHINA_TZ = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")

EXCEL_SCIENTIFIC_MESSAGE = (
    "身份证号被 Excel 转成了科学计数法（如 1.10105E+17），请将该列设置为“文本”格式后重新输入"
)
EXCEL_DECIMAL_MESSAGE = (
    "身份证号被 Excel 当成了数字（末尾多了“.0”，后几位可能已丢失），"
    "请将该列设置为“文本”格式后重新输入"
)

# Characters removed before validation: all whitespace (after NFKC, full-width and
# no-break spaces are plain spaces) and invisible characters often pasted from
# Word/WeChat or CSV byte-order marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SCIENTIFIC_RE = re.compile(r"^[0-9]+(\.[0-9]*)?E[+-]?[0-9]+$")
_DECIMAL_RE = re.compile(r"^[0-9]{6,}\.[0-9]+$")
_DIGITS = frozenset("0123456789")
_LAST = frozenset("0123456789X")


class IdNumberError(ValueError):
    """An invalid ID number; ``str(exc)`` is a Chinese message fit for end users."""


@dataclass(frozen=True)
class IdNumber:
    """A parsed, valid 18-character ID number. ``repr`` is masked to keep logs clean."""

    number: str
    region_code: str
    birth_date: datetime.date
    sequence: str
    gender: str  # GB/T 2261.1: "1" male, "2" female

    def __repr__(self) -> str:
        return f"IdNumber({mask_id_number(self.number)})"

    @property
    def province_code(self) -> str:
        return self.region_code[:2]

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    @property
    def is_male(self) -> bool:
        return self.gender == "1"


def _clean(raw: str) -> str:
    """NFKC (full-width → half-width), drop whitespace/invisible chars, upper-case."""
    if len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[17] in _LAST:
        return raw  # as almost every row of a file: nothing to clean
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    return "".join(text.split()).upper()


def normalize_id_number(raw: str) -> str:
    """Return ``raw`` cleaned up for validation; rejects Excel-mangled numbers.

    Does not validate the result: use :func:`parse_id_number` for that.
    """
    text = _clean(raw)
    if text is raw:  # 17 digits and a digit or X: neither an exponent nor a decimal point
        return text
    if _SCIENTIFIC_RE.match(text):
        raise IdNumberError(EXCEL_SCIENTIFIC_MESSAGE)
    if _DECIMAL_RE.match(text):
        raise IdNumberError(EXCEL_DECIMAL_MESSAGE)
    return text


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_character() needs exactly 17 ASCII digits")
    total = sum(map(mul, map(int, first17), WEIGHTS))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _today() -> datetime.date:
    return datetime.datetime.now(CHINA_TZ).date()


def _check_format(number: str) -> None:
    if not number:
        raise IdNumberError("身份证号不能为空")
    if len(number) == 15 and number.isdigit():
        raise IdNumberError("这是15位的旧身份证号，请改为输入18位的新身份证号")
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为18位，实际为{len(number)}位")
    if number.isascii() and number[:17].isdigit() and number[17] in _LAST:
        return
    for position, char in enumerate(number[:17], start=1):
        if char not in _DIGITS:
            raise IdNumberError(f"身份证号第{position}位应为数字，实际为“{char}”")
    if number[17] not in _DIGITS and number[17] != "X":
        raise IdNumberError(f"身份证号最后一位应为数字或X，实际为“{number[17]}”")


def _check_birth_date(text: str, today: datetime.date) -> datetime.date:
    try:
        birth = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期{text}不是有效日期") from None
    if birth < EARLIEST_BIRTH_DATE:
        raise IdNumberError(f"身份证号中的出生日期{text}早于1850年1月1日，请核对")
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期{text}晚于今天，请核对")
    return birth


def parse_id_number(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """Validate ``raw`` and return its parts; raise :class:`IdNumberError` if invalid.

    ``today`` (default: today in China) bounds the birth date; tests may pin it.
    """
    number = normalize_id_number(raw)
    _check_format(number)
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(f"身份证号前两位地区码{number[:2]}无效")
    birth = _check_birth_date(number[6:14], today or _today())
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"身份证号校验位错误：应为{expected}，实际为{number[17]}")
    sequence = number[14:17]
    gender = "1" if int(sequence) % 2 else "2"
    return IdNumber(number, number[:6], birth, sequence, gender)


def is_valid_id_number(raw: str, *, today: datetime.date | None = None) -> bool:
    try:
        parse_id_number(raw, today=today)
    except IdNumberError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """``11010519491231****`` for 18 characters: region and birth date shown, the sequence
    code and the check character hidden.

    The masked form must not be reversible by someone who also sees the member's region,
    birth date and sex (they are on the same pages): hiding the last four leaves the
    three-digit sequence (its parity known from the sex, so 500 values) and the check
    character follows from the rest, so 500 candidates. Hiding only the birth digits
    would leave one. A 15-digit old number keeps its 12-digit region and birth date and
    hides the 3-digit sequence (500 candidates); any other length shows at most the
    region code.
    """
    text = _clean(number)
    if len(text) == 18:
        return f"{text[:14]}****"
    if len(text) == 15:
        return f"{text[:12]}***"
    if len(text) < 12:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 6)


def make_id_number(region_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a valid number (demo data, test factories). ``sequence`` is 0-999."""
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError("region_code must be 6 ASCII digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def age_on(id_or_birth: datetime.date | IdNumber | str, on: datetime.date) -> int:
    """Age in completed years (周岁) on ``on``.

    Accepts a birth date, a parsed :class:`IdNumber` or a raw ID number string.
    Someone born on 29 February completes a year on 1 March in common years.
    """
    if isinstance(id_or_birth, str):
        id_or_birth = parse_id_number(id_or_birth)
    birth = id_or_birth.birth_date if isinstance(id_or_birth, IdNumber) else id_or_birth
    if isinstance(birth, datetime.datetime):
        birth = birth.date()
    had_birthday = (on.month, on.day) >= (birth.month, birth.day)
    return on.year - birth.year - (0 if had_birthday else 1)
