"""DEV-06 (yearly targets at pace and decomposed), one row per case.

Readings under test (recruitment/rules/targets.py, queries/progress.py): from 1 July a
target (not ADMISSIONS) whose subtree's progress by 30 June is below pace_share × value
is behind; an org that set targets for others whose set targets of a kind add up to less
than its own is short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.recruitment.rules_support import D, found, person
from xianfeng.recruitment.models import Cultivation, TalentEntry, Target
from xianfeng.recruitment.queries.progress import progress_table

pytestmark = pytest.mark.django_db


def target(tree: Any, org: str, kind: str, value: int, by: str) -> None:
    Target.objects.create(
        org=getattr(tree, org), year=2025, kind=kind, value=value, set_by=getattr(tree, by)
    )


def done_files(*days: dt.date, track: str = "member_to_talent") -> Callable:
    """A town target of 4 (set by the county) and files of branch_a done on `days`."""

    def setup(tree: Any) -> None:
        target(tree, "town_a", track if track != "talent_to_cadre" else "promoted", 4, "county_a")
        for day in days:
            Cultivation.objects.create(
                org=tree.branch_a,
                track=track,
                member=tree.member_a,
                started_on=D(2024, 1, 1),
                status="done",
                status_since=day,
            )

    return setup


def talent_activists(count: int) -> Callable:
    def setup(tree: Any) -> None:
        target(tree, "town_a", "talent_activist", 2, "county_a")
        for n in range(count):
            talent = TalentEntry.objects.create(
                org=tree.branch_a, name=f"人才{n}", kind="grower", surveyed_on=D(2024, 1, 1)
            )
            person(tree.branch_a, applied=D(2024, 6, 1), activist=D(2025, 3, 1), talent=talent)

    return setup


def admissions(own: int, given: int) -> Callable:
    def setup(tree: Any) -> None:
        target(tree, "county_a", "admissions", own, "city")
        target(tree, "town_a", "admissions", given, "county_a")

    return setup


DEV_06 = [
    # (test id, setup, as_of, expected [(org, behind kinds, short kinds)])
    (
        "dev_06_behind_pace_below_half_at_30_june",
        done_files(D(2025, 3, 1)),
        D(2025, 7, 1),
        [("CA-T1", ["member_to_talent"], [])],
    ),
    ("dev_06_half_done_is_at_pace", done_files(D(2025, 3, 1), D(2025, 6, 30)), D(2025, 7, 1), []),
    ("dev_06_not_judged_before_the_half_ends", done_files(), D(2025, 6, 30), []),
    (
        "dev_06_progress_after_30_june_does_not_count",
        done_files(D(2025, 3, 1), D(2025, 7, 2)),
        D(2025, 8, 1),
        [("CA-T1", ["member_to_talent"], [])],
    ),
    (
        "dev_06_promoted_counts_track_c",
        done_files(D(2025, 2, 1), D(2025, 4, 1), track="talent_to_cadre"),
        D(2025, 7, 1),
        [],
    ),
    ("dev_06_talent_activists_at_pace", talent_activists(1), D(2025, 7, 1), []),
    (
        "dev_06_talent_activists_behind",
        talent_activists(0),
        D(2025, 7, 1),
        [("CA-T1", ["talent_activist"], [])],
    ),
    ("dev_06_admissions_is_a_ceiling_not_a_pace", admissions(10, 10), D(2025, 12, 31), []),
    (
        "dev_06_decomposition_short",
        admissions(10, 9),
        D(2025, 3, 1),
        [("CA", [], ["admissions"])],
    ),
]


@pytest.mark.parametrize(
    ("setup", "as_of", "expected"), [pytest.param(*row[1:], id=row[0]) for row in DEV_06]
)
def test_dev_06(tree, setup, as_of, expected):
    setup(tree)
    rows = found("DEV-06", "2025", as_of)
    got = [
        (
            code,
            [t["kind"] for t in f.evidence.get("targets_behind", [])],
            [t["kind"] for t in f.evidence.get("targets_short", [])],
        )
        for code, f in rows
    ]
    assert got == expected


def test_dev_06_progress_table_rows_per_child_with_talent_ratio(tree):
    from xianfeng.members.models import MemberTag

    done_files(D(2025, 3, 1), D(2025, 5, 1))(tree)
    target(tree, "town_a", "admissions", 3, "county_a")
    person(tree.branch_a, applied=D(2023, 1, 1), activist=D(2023, 3, 1), approved=D(2025, 4, 1))
    MemberTag.objects.create(
        member=tree.member_a, kind="talent", tag="致富能手", since=D(2024, 1, 1)
    )
    table = progress_table(tree.county_a, 2025, day=D(2025, 6, 30))
    [town] = table.rows
    assert town.code == "CA-T1"
    assert town.targets == {"member_to_talent": 4, "admissions": 3}
    assert town.progress["member_to_talent"] == 2
    assert town.progress["admissions"] == 1
    assert (town.members, town.talented) == (2, 1)
    assert town.talent_ratio == 0.5
    assert table.total.progress["member_to_talent"] == 2
    assert table.talent_ratio_target == 0
