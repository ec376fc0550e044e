"""DEV-01: the date helpers of the time rules (months, full years, working days)."""

import datetime as dt

import pytest

from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.models import HolidayOverride
from xianfeng.lib.dates import add_months
from xianfeng.recruitment.timing import (
    anniversary,
    chinese_date,
    notice_end,
    workdays_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2025, 4, 20), 12, D(2026, 4, 20)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 11, 15), 3, D(2026, 2, 15)),
    ],
)
def test_dev01_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2024, 3, 1), 1, D(2025, 3, 1)),
        (D(2024, 2, 29), 1, D(2025, 3, 1)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2023, 12, 31), 1, D(2024, 12, 31)),
        (D(2024, 2, 28), 1, D(2025, 2, 28)),
    ],
)
def test_dev01_anniversary_full_years(day, years, expected):
    assert anniversary(day, years) == expected


class Weekdays:
    def is_workday(self, day):
        return day.weekday() < 5


@pytest.mark.parametrize(
    ("start", "workdays", "expected"),
    [
        (D(2025, 3, 17), 5, D(2025, 3, 21)),  # Monday: the first day counts
        (D(2025, 3, 15), 5, D(2025, 3, 21)),  # Saturday: starts counting on Monday
        (D(2025, 3, 19), 5, D(2025, 3, 25)),
        (D(2025, 3, 17), 1, D(2025, 3, 17)),
    ],
)
def test_dev01_notice_end_counts_weekdays(start, workdays, expected):
    assert notice_end(start, workdays, Weekdays()) == expected


def test_dev01_notice_end_rejects_no_workdays():
    with pytest.raises(ValueError):
        notice_end(D(2025, 3, 17), 0, Weekdays())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 09-29, 09-30, then the National Day holiday 10-01…10-08, 10-09, 10-10 and the
        # make-up Saturday 10-11 (调休上班)
        (D(2025, 9, 29), D(2025, 10, 11)),
        (D(2025, 10, 1), D(2025, 10, 14)),  # starts in the holiday: 10-09 … 10-14
        (
            D(2025, 9, 26),
            D(2025, 10, 9),
        ),  # 09-26 (Fri), 09-28 (make-up Sunday), 09-29, 09-30, 10-09
    ],
)
def test_dev01_notice_end_on_the_holiday_calendar(start, expected):
    assert notice_end(start, 5, Calendar()) == expected


@pytest.mark.django_db
def test_dev01_notice_end_follows_holiday_overrides():
    HolidayOverride.objects.create(date=D(2025, 3, 19), is_workday=False, note="测试")
    assert notice_end(D(2025, 3, 17), 5, Calendar()) == D(2025, 3, 24)


def test_dev01_workdays_between():
    assert workdays_between(D(2025, 3, 17), D(2025, 3, 23), Weekdays()) == 5
    assert workdays_between(D(2025, 3, 23), D(2025, 3, 17), Weekdays()) == 0


def test_dev01_chinese_date():
    assert chinese_date(D(2025, 3, 1)) == "2025年3月1日"
