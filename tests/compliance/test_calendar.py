"""The statutory calendar: holidays, make-up workdays, overrides, unconfirmed years."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.domain import confirm_year, override_day

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (dt.date(2024, 10, 5), False),  # National Day holiday
        (dt.date(2024, 10, 8), True),
        (dt.date(2025, 9, 28), True),  # a Sunday made a workday (调休)
        (dt.date(2025, 10, 1), False),
        (dt.date(2025, 6, 7), False),  # an ordinary Saturday
    ],
)
def test_plat_04_is_workday(day, workday):
    assert Calendar().is_workday(day) is workday


def test_plat_04_shift_to_nearest_workday():
    calendar = Calendar()
    assert calendar.shift(dt.date(2024, 10, 5), +1) == dt.date(2024, 10, 8)
    assert calendar.shift(dt.date(2024, 10, 5), -1) == dt.date(2024, 9, 30)


def test_plat_04_override_corrects_the_package():
    override_day(date=dt.date(2025, 6, 7), is_workday=True, note="更正")
    assert Calendar().is_workday(dt.date(2025, 6, 7)) is True


def test_plat_04_unconfirmed_years():
    calendar = Calendar()
    assert calendar.unconfirmed_years(dt.date(2026, 1, 1), dt.date(2027, 1, 1)) == []
    assert calendar.unconfirmed_years(dt.date(2026, 7, 1), dt.date(2027, 7, 1)) == [2027]
    confirm_year(year=2027)
    assert Calendar().unconfirmed_years(dt.date(2027, 1, 1), dt.date(2028, 1, 1)) == []
