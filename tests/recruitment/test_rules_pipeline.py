"""DEV-01 (the pipeline's time limits) and DEV-02 (mentors), one row per case.

Readings under test (recruitment/rules/parts.py, pipeline.py; national.toml
[recruitment.*]): the records as they stood on the day looked at (the period's last day,
or as-of if earlier); a deadline N months after a date is the same day N months later
(in time on it, late from the next day); one finding per org listing its people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_member
from tests.recruitment.rules_support import D, found, person, reports, step
from xianfeng.recruitment.models import Mentor

pytestmark = pytest.mark.django_db
LATE_KEYS = {
    "talk_late",
    "review_late",
    "report_missing",
    "approval_late",
    "oath_late",
    "conversion_late",
}


def _late_keys(rows: list) -> list[tuple[str, list[str]]]:
    return [(code, sorted(k for k in f.evidence if k in LATE_KEYS)) for code, f in rows]


# --- DEV-01 ---------------------------------------------------------------------------


def talk_on(day: dt.date | None) -> Callable[[Any], None]:
    def setup(tree: Any) -> None:
        applicant = person(tree.branch_a, applied=D(2025, 1, 1))
        if day is not None:
            step(applicant, "talk", day)

    return setup


def activist(since: dt.date, *, review: dt.date | None = None, quarters: bool = True) -> Callable:
    """An activist of branch_a since `since`, reviewed on `review`, with a thought report
    in every quarter of 2024 and 2025 unless `quarters` is False."""

    def setup(tree: Any) -> None:
        who = person(tree.branch_a, applied=D(2023, 1, 1), activist=since)
        step(who, "talk", D(2023, 1, 10))
        if review is not None:
            step(who, "review", review)
        if quarters:
            reports(who, *[D(y, m, 15) for y in (2024, 2025) for m in (2, 5, 8, 11)])

    return setup


def reported(since: dt.date, *days: dt.date) -> Callable:
    def setup(tree: Any) -> None:
        who = person(tree.branch_a, applied=D(2024, 6, 1), activist=since)
        step(who, "review", D(2025, 5, 1))
        reports(who, *days)

    return setup


def admitted(
    meeting: dt.date, approved: dt.date | None = None, *, reviewed: dt.date | None = None
) -> Callable:
    """An admission candidate of branch_a admitted at `meeting`, last reviewed on
    `reviewed` (the meeting's day unless given), approved on `approved`."""

    def setup(tree: Any) -> None:
        who = person(
            tree.branch_a,
            applied=D(2023, 1, 1),
            activist=D(2023, 3, 1),
            candidate=D(2024, 4, 1),
            admitted=meeting,
            approved=approved,
            probation_ends=D(meeting.year + 1, meeting.month, meeting.day),
        )
        step(who, "review", reviewed or meeting)
        reports(who, *[D(y, m, 1) for y in (2024, 2025) for m in (2, 5, 8, 11)])
        step(who, "admission_meeting", meeting)
        if approved:
            step(who, "approval", approved)
            step(who, "oath", approved)

    return setup


def probationer(
    approved: dt.date, oath: dt.date | None, ends: dt.date = dt.date(2026, 3, 1)
) -> Callable:
    def setup(tree: Any) -> None:
        who = person(
            tree.branch_a,
            applied=D(2022, 1, 1),
            activist=D(2022, 3, 1),
            candidate=D(2023, 4, 1),
            admitted=D(ends.year - 1, ends.month, ends.day),
            approved=approved,
            probation_ends=ends,
        )
        if oath is not None:
            step(who, "oath", oath)

    return setup


def converting(approval: dt.date | None) -> Callable:
    def setup(tree: Any) -> None:
        who = person(
            tree.branch_a,
            applied=D(2021, 1, 1),
            activist=D(2021, 3, 1),
            candidate=D(2022, 4, 1),
            admitted=D(2024, 1, 10),
            approved=D(2024, 2, 1),
            probation_ends=D(2025, 1, 10),
            full=D(2025, 1, 10) if approval else None,
        )
        step(who, "oath", D(2024, 2, 10))
        if approval:
            step(who, "conversion_approval", approval)

    return setup


def ended_applicant(tree: Any) -> None:
    person(tree.branch_a, applied=D(2025, 1, 1), ended=D(2025, 1, 20))


def two_orgs(tree: Any) -> None:
    person(tree.branch_a, applied=D(2025, 1, 1))
    person(tree.branch_a, applied=D(2025, 1, 2))
    person(tree.branch_b, applied=D(2025, 1, 3))


DEV_01 = [
    # (test id, setup, period, as_of, overrides, expected [(org, late keys)])
    ("dev_01_talk_on_day_31_is_in_time", talk_on(D(2025, 2, 1)), "2025", D(2025, 3, 1), {}, []),
    (
        "dev_01_talk_on_day_32_is_late",
        talk_on(D(2025, 2, 2)),
        "2025",
        D(2025, 3, 1),
        {},
        [("CA-T1-B1", ["talk_late"])],
    ),
    (
        "dev_01_no_talk_on_the_deadline_is_not_yet_late",
        talk_on(None),
        "2025",
        D(2025, 2, 1),
        {},
        [],
    ),
    (
        "dev_01_no_talk_the_day_after_the_deadline_is_late",
        talk_on(None),
        "2025",
        D(2025, 2, 2),
        {},
        [("CA-T1-B1", ["talk_late"])],
    ),
    (
        "dev_01_talk_months_from_the_policy",
        talk_on(None),
        "2025",
        D(2025, 2, 20),
        {"recruitment.application.talk_months": "2"},
        [],
    ),
    (
        "dev_01_talk_after_the_day_looked_at_does_not_count",
        talk_on(D(2025, 3, 5)),
        "2025-02",
        D(2025, 6, 1),
        {},
        [("CA-T1-B1", ["talk_late"])],
    ),
    ("dev_01_ended_applicant_owes_nothing", ended_applicant, "2025", D(2025, 6, 1), {}, []),
    (
        "dev_01_one_finding_per_org",
        two_orgs,
        "2025",
        D(2025, 3, 1),
        {},
        [("CA-T1-B1", ["talk_late"]), ("CB-T1-B1", ["talk_late"])],
    ),
    (
        "dev_01_review_six_months_after_activist_on_the_day_is_in_time",
        activist(D(2025, 1, 10)),
        "2025",
        D(2025, 7, 10),
        {},
        [],
    ),
    (
        "dev_01_review_missing_the_day_after_six_months",
        activist(D(2025, 1, 10)),
        "2025",
        D(2025, 7, 11),
        {},
        [("CA-T1-B1", ["review_late"])],
    ),
    (
        "dev_01_review_counts_from_the_last_review",
        activist(D(2024, 6, 1), review=D(2025, 1, 5)),
        "2025",
        D(2025, 7, 5),
        {},
        [],
    ),
    (
        "dev_01_review_late_six_months_after_the_last_review",
        activist(D(2024, 6, 1), review=D(2025, 1, 5)),
        "2025",
        D(2025, 7, 6),
        {},
        [("CA-T1-B1", ["review_late"])],
    ),
    (
        "dev_01_report_quarter_not_judged_on_its_last_day",
        reported(D(2025, 1, 15)),
        "2025",
        D(2025, 6, 30),
        {},
        [],
    ),
    (
        "dev_01_report_missing_for_an_ended_quarter",
        reported(D(2025, 1, 15)),
        "2025",
        D(2025, 7, 1),
        {},
        [("CA-T1-B1", ["report_missing"])],
    ),
    (
        "dev_01_report_in_the_quarter_is_enough",
        reported(D(2025, 1, 15), D(2025, 6, 30)),
        "2025",
        D(2025, 7, 1),
        {},
        [],
    ),
    (
        "dev_01_report_not_owed_for_the_quarter_of_activist_on",
        reported(D(2025, 4, 1)),
        "2025",
        D(2025, 7, 1),
        {},
        [],
    ),
    (
        "dev_01_report_looks_back_four_quarters",
        reported(D(2023, 1, 15), D(2024, 8, 1), D(2024, 11, 1), D(2025, 2, 1), D(2025, 5, 1)),
        "2025",
        D(2025, 7, 1),
        {},
        [],
    ),
    (
        "dev_01_approval_on_the_last_day_of_three_months_is_not_late",
        admitted(D(2025, 1, 10)),
        "2025",
        D(2025, 4, 10),
        {},
        [],
    ),
    (
        # The half-yearly review is the cultivation's (activists, candidates up to the
        # admission meeting); one admitted and awaiting the approval owes none.
        "dev_01_no_review_owed_once_the_admission_meeting_was_held",
        admitted(D(2025, 3, 1), reviewed=D(2024, 10, 1)),
        "2025",
        D(2025, 5, 20),
        {},
        [],
    ),
    (
        "dev_01_review_still_owed_by_a_candidate_before_the_meeting",
        admitted(D(2025, 6, 1), reviewed=D(2024, 10, 1)),
        "2025",
        D(2025, 5, 20),
        {},
        [("CA-T1-B1", ["review_late"])],
    ),
    (
        "dev_01_approval_missing_three_months_after_the_meeting",
        admitted(D(2025, 1, 10)),
        "2025",
        D(2025, 4, 11),
        {},
        [("CA-T1-B1", ["approval_late"])],
    ),
    (
        "dev_01_oath_on_the_last_day_is_in_time",
        probationer(D(2025, 3, 1), D(2025, 4, 1)),
        "2025",
        D(2025, 5, 1),
        {},
        [],
    ),
    (
        "dev_01_oath_a_day_late_is_late",
        probationer(D(2025, 3, 1), D(2025, 4, 2)),
        "2025",
        D(2025, 5, 1),
        {},
        [("CA-T1-B1", ["oath_late"])],
    ),
    (
        "dev_01_oath_missing_on_its_deadline_not_yet_late",
        probationer(D(2025, 3, 1), None),
        "2025",
        D(2025, 4, 1),
        {},
        [],
    ),
    (
        "dev_01_conversion_missing_three_months_after_probation",
        converting(None),
        "2025",
        D(2025, 4, 11),
        {},
        [("CA-T1-B1", ["conversion_late"])],
    ),
    (
        "dev_01_conversion_due_on_the_last_day_not_yet_late",
        converting(None),
        "2025",
        D(2025, 4, 10),
        {},
        [],
    ),
    (
        "dev_01_conversion_approved_in_time",
        converting(D(2025, 4, 5)),
        "2025",
        D(2025, 6, 1),
        {},
        [],
    ),
    (
        "dev_01_conversion_approved_after_the_day_looked_at_is_late_then",
        converting(D(2025, 5, 5)),
        "2025-H1",
        D(2025, 4, 30),
        {},
        [("CA-T1-B1", ["conversion_late"])],
    ),
]


@pytest.mark.parametrize(
    ("setup", "period", "as_of", "overrides", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in DEV_01],
)
def test_dev_01(tree, setup, period, as_of, overrides, expected):
    setup(tree)
    rows = found("DEV-01", period, as_of, overrides)
    assert _late_keys(rows) == expected
    for _code, f in rows:
        assert f.evidence["policy"] and f.evidence["source"]


def test_dev_01_evidence_names_people_and_quarters(tree):
    reported(D(2024, 10, 15))(tree)
    [(code, f)] = found("DEV-01", "2025", D(2025, 7, 1))
    assert code == "CA-T1-B1"
    who = f.evidence["report_missing"][0]
    assert who["quarters"] == ["2025-Q1", "2025-Q2"]
    assert f.evidence["report_months"] == 3
    assert f.evidence["policy"] == "national"
    assert "1人发展环节超过时限" in f.message


# --- DEV-02 ---------------------------------------------------------------------------


def mentored(
    *,
    count: int = 1,
    status: str = "full",
    ended: dt.date | None = None,
    stage: str = "activist",
) -> Callable:
    def setup(tree: Any) -> None:
        dates: dict[str, Any] = {"activist": D(2024, 3, 1)}
        if stage == "candidate":
            dates["candidate"] = D(2025, 3, 1)
        if stage == "applicant":
            dates = {}
        who = person(tree.branch_a, applied=D(2024, 1, 1), **dates)
        for _ in range(count):
            member = make_member(
                tree.branch_a,
                status=status,
                joined_on=D(2024, 6, 1) if status == "probationary" else D(2010, 7, 1),
            )
            Mentor.objects.create(
                person=who, member=member, started_on=D(2024, 3, 1), ended_on=ended
            )

    return setup


DEV_02 = [
    ("dev_02_one_full_mentor_is_enough", mentored(), D(2025, 6, 30), []),
    ("dev_02_two_mentors_is_the_most", mentored(count=2), D(2025, 6, 30), []),
    ("dev_02_no_mentor", mentored(count=0), D(2025, 6, 30), [["mentors_missing"]]),
    ("dev_02_three_mentors_too_many", mentored(count=3), D(2025, 6, 30), [["mentors_excess"]]),
    (
        "dev_02_mentor_ended_on_the_day_no_longer_counts",
        mentored(ended=D(2025, 6, 30)),
        D(2025, 6, 30),
        [["mentors_missing"]],
    ),
    (
        "dev_02_mentor_ending_the_day_after_still_counts",
        mentored(ended=D(2025, 7, 1)),
        D(2025, 6, 30),
        [],
    ),
    (
        "dev_02_probationary_mentor_is_not_a_full_member",
        mentored(status="probationary"),
        D(2025, 6, 30),
        [["mentored_people", "mentors_not_full"]],
    ),
    (
        "dev_02_admission_candidate_needs_a_mentor",
        mentored(count=0, stage="candidate"),
        D(2025, 6, 30),
        [["mentors_missing"]],
    ),
    ("dev_02_applicant_needs_none", mentored(count=0, stage="applicant"), D(2025, 6, 30), []),
]
MENTOR_KEYS = {"mentors_missing", "mentors_excess", "mentored_people", "mentors_not_full"}


@pytest.mark.parametrize(
    ("setup", "as_of", "expected"), [pytest.param(*row[1:], id=row[0]) for row in DEV_02]
)
def test_dev_02(tree, setup, as_of, expected):
    setup(tree)
    rows = found("DEV-02", "2025", as_of)
    assert [sorted(k for k in f.evidence if k in MENTOR_KEYS) for _code, f in rows] == expected
    assert all(code == "CA-T1-B1" for code, _f in rows)
