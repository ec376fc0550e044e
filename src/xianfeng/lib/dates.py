"""Calendar dates in the product's time zone (Asia/Shanghai) and period strings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone


def today() -> dt.date:
    """Today's calendar date in Asia/Shanghai (settings.TIME_ZONE)."""
    return timezone.localdate()


_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$")


@dataclass(frozen=True)
class Period:
    """A period written `2025`, `2025-H1`, `2025-Q3` or `2025-06`; `end` is exclusive."""

    label: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """Parse a period label; raises ValueError with a Chinese message."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"期间格式应为 2025、2025-H1、2025-Q3 或 2025-06，收到：{text}")
    year, part = int(match[1]), match[2]
    if part is None:
        start, months = dt.date(year, 1, 1), 12
    elif part.startswith("H"):
        start, months = dt.date(year, 1 + 6 * (int(part[1]) - 1), 1), 6
    elif part.startswith("Q"):
        start, months = dt.date(year, 1 + 3 * (int(part[1]) - 1), 1), 3
    else:
        if not 1 <= int(part) <= 12:
            raise ValueError(f"月份应为 01–12，收到：{text}")
        start, months = dt.date(year, int(part), 1), 1
    return Period(text.strip(), start, _add_months(start, months))


def parse_date(text: str) -> dt.date:
    """Parse an ISO date (YYYY-MM-DD); raises ValueError with a Chinese message."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"日期格式应为 YYYY-MM-DD，收到：{text}") from None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` shifted by calendar months (negative: back); a day the target month lacks
    becomes its last day (2024-08-31 + 6 months = 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (_add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
