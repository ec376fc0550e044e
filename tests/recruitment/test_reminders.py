"""Reminders of the pipeline's deadlines (recruitment.reminders), one row per case:
due within recruitment.reminders.lead_days (7) or overdue, not yet met, to the officers
in charge of the person's org."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.recruitment.rules_support import D, person, reports, step
from xianfeng.notices.reminders import collect
from xianfeng.recruitment.reminders import recruitment_reminders

pytestmark = pytest.mark.django_db


def _told(as_of: dt.date) -> list[tuple[str, bool, tuple[int, ...]]]:
    return sorted(
        (r.key.split(":")[1], r.overdue, r.recipients) for r in recruitment_reminders(as_of)
    )


@pytest.mark.parametrize(
    ("as_of", "talked", "expected"),
    [
        pytest.param(D(2025, 1, 24), None, [], id="talk_due_in_eight_days_not_yet"),
        pytest.param(D(2025, 1, 25), None, [("talk", False)], id="talk_due_in_seven_days"),
        pytest.param(D(2025, 2, 1), None, [("talk", False)], id="talk_due_today_not_overdue"),
        pytest.param(D(2025, 2, 2), None, [("talk", True)], id="talk_overdue_the_day_after"),
        pytest.param(D(2025, 2, 2), D(2025, 1, 20), [], id="talk_recorded_no_reminder"),
        pytest.param(D(2025, 3, 2), D(2025, 2, 20), [], id="late_talk_recorded_no_reminder"),
    ],
)
def test_talk_reminders(tree, as_of, talked, expected):
    applicant = person(tree.branch_a, applied=D(2025, 1, 1))
    if talked:
        step(applicant, "talk", talked)
    secretary = tree.users["secretary"].pk
    assert _told(as_of) == [(what, late, (secretary,)) for what, late in expected]


def test_activist_review_report_and_nearest_officers(tree):
    who = person(tree.branch_a2, applied=D(2024, 1, 1), activist=D(2024, 12, 10))
    step(who, "talk", D(2024, 1, 10))
    reports(who, D(2025, 2, 1))
    officer = tree.users["county_officer"].pk  # branch_a2 and town_a have no officers
    assert _told(D(2025, 6, 5)) == [("review", False, (officer,))]
    assert _told(D(2025, 6, 24)) == [("report", False, (officer,)), ("review", True, (officer,))]


def test_probationer_oath_and_conversion(tree):
    who = person(
        tree.branch_a,
        applied=D(2022, 1, 1),
        activist=D(2022, 3, 1),
        candidate=D(2023, 4, 1),
        admitted=D(2024, 3, 1),
        approved=D(2024, 3, 20),
        probation_ends=D(2025, 3, 1),
    )
    step(who, "oath", D(2024, 4, 1))
    assert [what for what, _late, _users in _told(D(2025, 5, 26))] == ["conversion"]
    assert _told(D(2025, 6, 2))[0][:2] == ("conversion", True)


def test_ended_people_are_not_reminded_and_the_source_is_registered(tree):
    person(tree.branch_a, applied=D(2025, 1, 1), ended=D(2025, 1, 5))
    assert _told(D(2025, 3, 1)) == []
    person(tree.branch_b, applied=D(2025, 1, 1))
    keys = [r.key for r in collect(D(2025, 3, 1)) if r.key.startswith("rc:")]
    assert len(keys) == 1
