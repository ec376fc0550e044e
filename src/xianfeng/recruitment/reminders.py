"""Reminders of recruitment deadlines for the daily digest (settings.REMINDER_SOURCES)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any


def recruitment_reminders(as_of: dt.date) -> Iterator[Any]:
    """Every pipeline deadline coming due or overdue, to the branch officers."""
    yield from ()
