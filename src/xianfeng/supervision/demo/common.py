"""What the supervision demo builders share: dates, times, reviewers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from xianfeng.accounts.queries import officers_in_charge

ZONE = ZoneInfo("Asia/Shanghai")


def clamp(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    return max(low, min(day, high))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A time of `day` in Asia/Shanghai (steps and decisions happen in office hours)."""
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZONE)


def first_officers(paths: list[str]) -> dict[str, int | None]:
    """path → one account in charge of the org (the first by id), or None."""
    return {path: (ids[0] if ids else None) for path, ids in officers_in_charge(paths).items()}
