"""ORG-04 and the digest's term reminders: the reminder window opens on the day `m` calendar
months before the deadline (month ends clamped), also where the quick distance check skips
the date arithmetic for terms further off."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.orgs.queries import term_reminder_lead

D = dt.date


class Policy:
    """A policy answering org.term.reminder_months with `leads` for every org."""

    def __init__(self, leads):
        self.leads = leads

    def value(self, key, path):
        assert key == "org.term.reminder_months"
        return self.leads


CASES = [
    # (case, leads, deadline, day, expected)
    ("one month before a month end: clamped to Feb 28", [1], D(2026, 3, 31), D(2026, 2, 28), 1),
    ("the day before that window", [1], D(2026, 3, 31), D(2026, 2, 27), None),
    ("leap year February", [1], D(2024, 3, 31), D(2024, 2, 29), 1),
    ("six months: window opens", [6, 3], D(2026, 3, 31), D(2025, 9, 30), 6),
    ("six months: the day before", [6, 3], D(2026, 3, 31), D(2025, 9, 29), None),
    ("nearest window wins", [6, 3], D(2026, 3, 31), D(2025, 12, 31), 3),
    ("a year before", [12], D(2024, 12, 31), D(2023, 12, 31), 12),
    ("a year and a day before", [12], D(2024, 12, 31), D(2023, 12, 30), None),
    ("years off", [6, 3], D(2030, 6, 30), D(2025, 6, 30), None),
    ("on the deadline", [6], D(2026, 3, 31), D(2026, 3, 31), 6),
    ("no reminders", [], D(2026, 3, 31), D(2026, 3, 30), None),
    ("none set", None, D(2026, 3, 31), D(2026, 3, 30), None),
    ("months as text in the policy", ["2"], D(2026, 3, 31), D(2026, 1, 31), 2),
]


@pytest.mark.parametrize(
    ("case", "leads", "deadline", "day", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_org_04_term_reminder_window(case, leads, deadline, day, expected):
    assert term_reminder_lead(Policy(leads), "0001", deadline, day) == expected
