"""Calendar-month arithmetic used by term ends and vacancy deadlines (ORG-04, ORG-05)."""

import datetime as dt

import pytest

from xianfeng.lib.dates import add_months

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 15), 6, D(2025, 7, 15)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2022, 3, 10), 36, D(2025, 3, 10)),
        (D(2025, 3, 10), -6, D(2024, 9, 10)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 12, 31), 0, D(2025, 12, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert add_months(day, months) == expected
