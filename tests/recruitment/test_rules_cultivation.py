"""DEV-03 (yearly trainings of the cultivations) and DEV-05 (leaders paired with a
cultivation), one row per case.

Readings under test (recruitment/rules/cultivation.py): DEV-03 judges the files active on
the day looked at; after the year the full count (track a: classes attended that started
in the year plus training entries, a class counted once; track b: theory entries), in
the year in progress from 1 July only a file with none; 0 in the policy is not checked.
DEV-05: the seat holders on the day of the orgs whose kind (and level) the pairing policy
names, without an active file of that track paired with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import make_member
from tests.recruitment.rules_support import D, found
from xianfeng.orgs.models import Seat
from xianfeng.recruitment.models import Cultivation, CultivationEntry, TalentEntry
from xianfeng.study.models import Enrollment, TrainingClass

pytestmark = pytest.mark.django_db
COUNTS = {
    "recruitment.cultivation.member_to_talent_trainings": "4",
    "recruitment.cultivation.talent_to_member_sessions": "2",
}
YEAR_END = D(2026, 1, 10)


def _class(org: Any, starts: dt.date, status: str = "held") -> TrainingClass:
    return TrainingClass.objects.create(
        org=org,
        kind="practical",
        title=f"实用技术培训{starts}",
        status=status,
        starts_on=starts,
        ends_on=starts,
        days=Decimal("1"),
        hours=Decimal("6"),
    )


def member_file(
    *,
    classes: list[dt.date] = (),
    entries: list[dt.date] = (),
    same_class: bool = False,
    status: str = "active",
    since: dt.date = dt.date(2024, 5, 1),
) -> Callable:
    """A track (a) file at branch_a: the member attended classes starting on `classes`
    and has training entries on `entries` (the first naming the first class when
    `same_class`)."""

    def setup(tree: Any) -> None:
        member = tree.member_a
        file = Cultivation.objects.create(
            org=tree.branch_a,
            track="member_to_talent",
            member=member,
            started_on=D(2024, 5, 1),
            status=status,
            status_since=since,
        )
        held = []
        for day in classes:
            held.append(_class(tree.town_a, day))
            Enrollment.objects.create(training_class=held[-1], member=member, status="attended")
        for n, day in enumerate(entries):
            CultivationEntry.objects.create(
                cultivation=file,
                on=day,
                kind="training",
                title="种植技术培训",
                training_class=held[0] if same_class and n == 0 else None,
            )

    return setup


def talent_file(*theory: dt.date) -> Callable:
    def setup(tree: Any) -> None:
        talent = TalentEntry.objects.create(
            org=tree.branch_a, name="钱七", kind="grower", surveyed_on=D(2024, 1, 5)
        )
        file = Cultivation.objects.create(
            org=tree.branch_a,
            track="talent_to_member",
            talent=talent,
            started_on=D(2024, 2, 1),
            status_since=D(2024, 2, 1),
        )
        for day in theory:
            CultivationEntry.objects.create(
                cultivation=file, on=day, kind="theory", title="理论学习"
            )

    return setup


FOUR = [D(2025, 3, 1), D(2025, 5, 1), D(2025, 9, 1), D(2025, 11, 1)]

DEV_03 = [
    # (test id, setup, as_of, overrides, expected finding count at CA-T1-B1)
    (
        "dev_03_four_trainings_after_the_year",
        member_file(classes=FOUR[:2], entries=FOUR[2:]),
        YEAR_END,
        COUNTS,
        0,
    ),
    (
        "dev_03_three_trainings_after_the_year",
        member_file(classes=FOUR[:2], entries=FOUR[2:3]),
        YEAR_END,
        COUNTS,
        1,
    ),
    (
        "dev_03_an_entry_naming_an_attended_class_counts_once",
        member_file(classes=FOUR[:3], entries=FOUR[:1], same_class=True),
        YEAR_END,
        COUNTS,
        1,
    ),
    (
        "dev_03_a_class_of_last_year_does_not_count",
        member_file(classes=[D(2024, 12, 20), *FOUR[:3]]),
        YEAR_END,
        COUNTS,
        1,
    ),
    ("dev_03_zero_in_the_policy_is_not_checked", member_file(), YEAR_END, {}, 0),
    ("dev_03_in_the_first_half_nothing_is_judged", member_file(), D(2025, 6, 30), COUNTS, 0),
    ("dev_03_from_1_july_none_at_all_is_reported", member_file(), D(2025, 7, 1), COUNTS, 1),
    (
        "dev_03_from_1_july_one_training_is_enough",
        member_file(entries=FOUR[:1]),
        D(2025, 7, 1),
        COUNTS,
        0,
    ),
    (
        "dev_03_a_file_finished_before_the_day_is_not_judged",
        member_file(status="done", since=D(2025, 3, 1)),
        YEAR_END,
        COUNTS,
        0,
    ),
    (
        "dev_03_two_theory_sessions_after_the_year",
        talent_file(D(2025, 4, 1), D(2025, 10, 1)),
        YEAR_END,
        COUNTS,
        0,
    ),
    ("dev_03_one_theory_session_after_the_year", talent_file(D(2025, 4, 1)), YEAR_END, COUNTS, 1),
]


@pytest.mark.parametrize(
    ("setup", "as_of", "overrides", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in DEV_03],
)
def test_dev_03(tree, setup, as_of, overrides, expected):
    setup(tree)
    rows = found("DEV-03", "2025", as_of, overrides)
    assert [code for code, _f in rows] == ["CA-T1-B1"] * expected
    for _code, f in rows:
        assert len(f.evidence["cultivations_short"]) == 1


# --- DEV-05 ---------------------------------------------------------------------------

PAIRING = {
    "recruitment.pairing.cadre_kinds": '["party_committee"]',
    "recruitment.pairing.cadre_levels": '["town"]',
    "recruitment.pairing.member_kinds": '["branch"]',
}


def leader(
    *,
    org: str = "branch_a",
    track: str | None = "talent_to_member",
    ended: dt.date | None = None,
    file_status: str = "active",
    seat_ends: dt.date | None = None,
) -> Callable:
    """A secretary of `org`, paired with a file of `track` (None: unpaired)."""

    def setup(tree: Any) -> None:
        at = getattr(tree, org)
        member = make_member(tree.branch_a)  # members sit in branches
        Seat.objects.create(
            org=at, role="secretary", member=member, started_on=D(2023, 1, 1), ended_on=seat_ends
        )
        if track is None:
            return
        fields: dict[str, Any] = {"member": tree.member_a}
        if track == "talent_to_member":
            talent = TalentEntry.objects.create(
                org=at, name="孙八", kind="broker", surveyed_on=D(2024, 1, 1)
            )
            fields = {"talent": talent}
        Cultivation.objects.create(
            org=at,
            track=track,
            pair=member,
            started_on=D(2024, 1, 1),
            status=file_status,
            status_since=ended or D(2024, 1, 1),
            **fields,
        )

    return setup


DEV_05 = [
    # (test id, setup, overrides, expected [(org, unpaired tracks)])
    ("dev_05_branch_secretary_paired", leader(), PAIRING, []),
    (
        "dev_05_branch_secretary_unpaired",
        leader(track=None),
        PAIRING,
        [("CA-T1-B1", ["talent_to_member"])],
    ),
    (
        "dev_05_paired_in_another_track_does_not_count",
        leader(track="member_to_talent"),
        PAIRING,
        [("CA-T1-B1", ["talent_to_member"])],
    ),
    (
        "dev_05_file_finished_before_the_day_does_not_pair",
        leader(file_status="done", ended=D(2025, 6, 30)),
        PAIRING,
        [("CA-T1-B1", ["talent_to_member"])],
    ),
    (
        "dev_05_file_finished_after_the_day_still_pairs",
        leader(file_status="done", ended=D(2025, 7, 1)),
        PAIRING,
        [],
    ),
    (
        "dev_05_seat_ended_before_the_day_owes_nothing",
        leader(track=None, seat_ends=D(2025, 6, 29)),
        PAIRING,
        [],
    ),
    (
        "dev_05_seat_ending_on_the_day_still_owes",
        leader(track=None, seat_ends=D(2025, 6, 30)),
        PAIRING,
        [("CA-T1-B1", ["talent_to_member"])],
    ),
    (
        "dev_05_town_committee_member_needs_track_c",
        leader(org="town_a", track=None),
        PAIRING,
        [("CA-T1", ["talent_to_cadre"])],
    ),
    (
        "dev_05_town_committee_member_paired_in_track_c",
        leader(org="town_a", track="talent_to_cadre"),
        PAIRING,
        [],
    ),
    ("dev_05_county_not_in_the_levels", leader(org="county_a", track=None), PAIRING, []),
    ("dev_05_empty_policy_is_not_checked", leader(track=None), {}, []),
]


@pytest.mark.parametrize(
    ("setup", "overrides", "expected"), [pytest.param(*row[1:], id=row[0]) for row in DEV_05]
)
def test_dev_05(tree, setup, overrides, expected):
    setup(tree)
    rows = found("DEV-05", "2025", D(2025, 6, 30), overrides)
    got = [(code, sorted({r["track"] for r in f.evidence["unpaired_leaders"]})) for code, f in rows]
    assert got == expected
