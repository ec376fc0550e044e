"""What the supervision demo builders share: dates, times, reviewers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


def clamp(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    return max(low, min(day, high))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A time of `day` in Asia/Shanghai (steps and decisions happen in office hours)."""
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZONE)


def reviewer_for(
    officers: dict[str, list[int]], path: str, root_path: str, submitter: int | None
) -> int | None:
    """An account in charge of the reviewing org at `path` (else of the root) that is not
    the submitter: no one accepts what they submitted."""
    candidates = officers.get(path, []) + officers.get(root_path, [])
    return next((user for user in candidates if user != submitter), None)
