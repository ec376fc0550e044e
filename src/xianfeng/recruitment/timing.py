"""Pure date helpers of the recruitment time rules (DEV-01): full years (周年) and working
days (工作日) of the statutory holiday calendar (calendar months: `lib.dates.add_months`).

Nothing here reads the database; a notice's working days are counted on the
`xianfeng.compliance.calendar.Calendar` the caller hands in (one per request or run).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Workdays(Protocol):
    """What `notice_end` needs of a calendar (`compliance.calendar.Calendar` has it)."""

    def is_workday(self, day: dt.date) -> bool: ...


# A notice longer than this many calendar days is not looked for (no holiday is longer).
_MAX_SPAN = 366


def anniversary(day: dt.date, years: int = 1) -> dt.date:
    """The day `years` full years after `day` (周年): 2024-03-01 → 2025-03-01; a 29
    February without a 29 February in the target year → 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 02-29 in a common year
        return dt.date(day.year + years, 3, 1)


def notice_end(start: dt.date, workdays: int, calendar: Workdays) -> dt.date:
    """The earliest last day of a notice that starts on `start` and must last `workdays`
    working days: the `workdays`-th working day counting `start` itself when it is one
    (2025-09-29 with 5 → 2025-10-11: 09-29, 09-30, 10-09, 10-10 and the make-up Saturday
    10-11). Raises ValueError for fewer than one working day."""
    if workdays < 1:
        raise ValueError("workdays must be at least 1")
    day, counted = start, 0
    for _ in range(_MAX_SPAN):
        if calendar.is_workday(day):
            counted += 1
            if counted == workdays:
                return day
        day += dt.timedelta(days=1)
    raise ValueError(f"no {workdays} working days within a year of {start}")


def workdays_between(start: dt.date, end: dt.date, calendar: Workdays) -> int:
    """Working days from `start` to `end`, both included (0 when `end` < `start`)."""
    count, day = 0, start
    while day <= end:
        count += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return count


def chinese_date(day: dt.date) -> str:
    """2024年3月1日 — the form the refusals and due dates print."""
    return f"{day.year}年{day.month}月{day.day}日"
