"""The Chinese statutory calendar: holidays and make-up workdays (调休).

`holidays.China` knows both; `HolidayOverride` rows correct it; years not in
`CalendarYear` as confirmed are reported (an info finding) rather than trusted silently,
since the package can only guess a schedule the State Council has not yet published.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from .models import CalendarYear, HolidayOverride


@lru_cache(maxsize=64)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


class Calendar:
    """Workdays with the overrides loaded once (use one per evaluation)."""

    def __init__(self) -> None:
        self.overrides = dict(HolidayOverride.objects.values_list("date", "is_workday"))
        self.confirmed = set(
            CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _china(day.year).is_working_day(day)

    def shift(self, day: dt.date, direction: int) -> dt.date:
        """The nearest workday from `day` (itself if a workday) going `direction` (±1)."""
        while not self.is_workday(day):
            day += dt.timedelta(days=direction)
        return day

    def unconfirmed_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years of [start, end) whose official schedule is not confirmed."""
        return [
            y
            for y in range(start.year, (end - dt.timedelta(days=1)).year + 1)
            if y not in self.confirmed
        ]


def is_workday(day: dt.date) -> bool:
    return Calendar().is_workday(day)
