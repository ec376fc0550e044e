"""Cell cleaners of the org record sheets: member references, money, areas, years, long
text, full-time or part-time, and the aliases of seat roles and visit kinds."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from xianfeng.lib.cells import (
    ID_AS_NUMBER_MESSAGE,
    CellError,
    choice_cleaner,
    clean_decimal,
    clean_int,
    clean_text,
)

MONEY_LIMIT = Decimal("10000000000")  # 12 digits, 2 of them decimals (Budget.amount)
_CENT = Decimal("0.01")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+").fullmatch


def clean_member_ref(value: Any) -> str:
    """A member code or an ID number; numbers Excel has mangled are refused."""
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if number and abs(value) >= 10**14:
        raise CellError(ID_AS_NUMBER_MESSAGE)
    text = clean_text(value)
    if _SCIENTIFIC(text):
        raise CellError(ID_AS_NUMBER_MESSAGE)
    if len(text) == 18 and text.endswith("x"):
        text = text[:-1] + "X"
    return text


def clean_money(value: Any) -> Decimal | None:
    """Yuan with at most two decimals (fen), not negative: "1,234.50", "￥12.5", "12.5元"."""
    number = clean_decimal(value, places=6)  # float noise (0.30000000000000004) ends here
    if number is None:
        return None
    shown = clean_text(value)
    if number != number.quantize(_CENT):
        raise CellError(f"金额最多保留两位小数（精确到分），实际为“{shown}”")
    if number < 0:
        raise CellError(f"金额不能为负数，实际为“{shown}”")
    if number >= MONEY_LIMIT:
        raise CellError(f"金额“{shown}”过大，请核对（单位为元）")
    return number.quantize(_CENT)


def clean_payment(value: Any) -> Decimal | None:
    number = clean_money(value)
    if number is not None and number == 0:
        raise CellError("支出金额应大于0")
    return number


def clean_area(value: Any) -> Decimal | None:
    number = clean_decimal(value, places=1)
    if number is not None and number <= 0:
        raise CellError(f"面积应大于0，实际为“{clean_text(value)}”")
    return number


def clean_year(value: Any) -> int | None:
    return clean_int(value, min=2000, max=2100)


def clean_term_years(value: Any) -> int | None:
    return clean_int(value, min=0, max=10)


def clean_long_text(value: Any) -> str:
    """Multi-line text (a visit's summary): each line cleaned, line breaks kept."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else clean_text(value)
    lines = [
        clean_text(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return "\n".join(lines).strip("\n")


_FULL_TIME = choice_cleaner(
    [("1", "专职"), ("0", "兼职")], aliases={"专": "1", "全职": "1", "兼": "0", "兼任": "0"}
)


def clean_full_time(value: Any) -> bool | None:
    code = _FULL_TIME(value)
    return None if code == "" else code == "1"


_ROLE_WORDS = {
    "secretary": "党委书记 党支部书记 支部书记 党总支书记 总支书记",
    "deputy_secretary": "党委副书记 党支部副书记 支部副书记 党总支副书记 总支副书记",
    "committee_member": "党委委员 支部委员 支委 支委委员 党总支委员 总支委员 委员会委员",
}
ROLE_ALIASES = {word: role for role, words in _ROLE_WORDS.items() for word in words.split()}
VISIT_ALIASES = {
    "走访": "visit",
    "调研": "visit",
    "汇报": "report",
    "解决": "problem",
    "协调解决问题": "problem",
    "指导": "guidance",
}
