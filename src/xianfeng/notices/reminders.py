"""The reminder registry: apps tell `notices` what is due or overdue, and for whom.

A reminder source is a function `(as_of: date) -> Iterable[Reminder]`, named by its dotted
path in `settings.REMINDER_SOURCES` (like `settings.EXPORTS`). An app computes its own
due items (its planning, its rules' dates) and who is to be told; it sends nothing itself.
`notices.digest.send_digests` runs every source once a day and puts each user's new items
into one digest notice.

Writing a source: return one `Reminder` per item and state of it, with a `key` that stays
the same for the same item from day to day (e.g. "life:12:theme_day:2025-06"), so that
a user is told of an item once when it comes due and once more when it becomes overdue.
Keep it set-wise: a few queries for all orgs, never a query per org.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

DUE, OVERDUE = "due", "overdue"


@dataclass(frozen=True)
class Reminder:
    """One item a digest tells of: something due soon (or overdue) at an org.

    `recipients` are user ids; `key` identifies the item across days (at most 100
    characters); `category` groups items in the digest (e.g. "组织生活", "换届");
    `title` is one line in Chinese saying what is due by when; `url` a link inside the app.
    """

    recipients: tuple[int, ...]
    key: str
    category: str
    title: str
    due: dt.date
    overdue: bool
    org_name: str
    url: str = ""

    @property
    def what(self) -> str:
        """The state a user is told of once: DUE or OVERDUE."""
        return OVERDUE if self.overdue else DUE


Source = Callable[[dt.date], Iterable[Reminder]]


def reminder_sources() -> list[Source]:
    """The sources named in `settings.REMINDER_SOURCES`, in that order."""
    return [import_string(path) for path in getattr(settings, "REMINDER_SOURCES", [])]


def collect(as_of: dt.date, sources: Iterable[Source] | None = None) -> list[Reminder]:
    """Every reminder the sources (default: the registered ones) report for `as_of`."""
    found: list[Reminder] = []
    for source in reminder_sources() if sources is None else sources:
        found.extend(source(as_of))
    return found
