"""MEM-03 (the dual-lead share rises), one row per case.

Readings under test (recruitment/rules/dual_lead.py): where must_rise holds, an org with
at least min_members members placed in its subtree on the day looked at (31 December, or
as-of in the year) whose share recognized for the year is not above the share recognized
for the year before among its members on 31 December of that year.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import make_member
from tests.recruitment.rules_support import D, found
from xianfeng.members.models import DualLead

pytestmark = pytest.mark.django_db
RISE = {"members.dual_lead.must_rise": "true", "members.dual_lead.min_members": "2"}
ALL = ["CA", "CA-T1", "CA-T1-B1", "CITY"]  # branch_a's two members count up the tree


def dual(*years_a: int, other: tuple[int, ...] = ()) -> Callable:
    """A second member of branch_a; member_a dual-lead in `years_a`, the second in
    `other`."""

    def setup(tree: Any) -> None:
        second = make_member(tree.branch_a)
        for member, years in ((tree.member_a, years_a), (second, other)):
            for year in years:
                DualLead.objects.create(
                    member=member,
                    year=year,
                    type="entrepreneurship",
                    evidence="带头致富",
                    recognized_on=D(year, 11, 1),
                )

    return setup


MEM_03 = [
    # (test id, setup, overrides, expected orgs)
    ("mem_03_share_rises", dual(2025), RISE, []),
    ("mem_03_share_equal_is_a_finding", dual(2024, 2025), RISE, ALL),
    ("mem_03_share_falls", dual(2024), RISE, ALL),
    ("mem_03_none_either_year_is_not_higher", dual(), RISE, ALL),
    ("mem_03_rises_by_one_more_member", dual(2024, 2025, other=(2025,)), RISE, []),
    (
        "mem_03_fewer_than_min_members_not_judged",
        dual(),
        {**RISE, "members.dual_lead.min_members": "3"},
        ["CA", "CA-T1", "CITY"],
    ),
    ("mem_03_not_checked_unless_must_rise", dual(), {}, []),
]


@pytest.mark.parametrize(
    ("setup", "overrides", "expected"), [pytest.param(*row[1:], id=row[0]) for row in MEM_03]
)
def test_mem_03(tree, setup, overrides, expected):
    setup(tree)
    rows = found("MEM-03", "2025", D(2026, 1, 10), overrides)
    assert [code for code, _f in rows] == expected
    assert all(f.severity == "warning" for _code, f in rows)


def test_mem_03_evidence_gives_both_shares(tree):
    dual(2024)(tree)
    rows = dict(found("MEM-03", "2025", D(2026, 1, 10), RISE))
    f = rows["CA-T1-B1"]
    assert f.evidence["dual_lead_share"] == "0.0000"
    assert f.evidence["dual_lead_share_before"] == "0.5000"
    assert (f.evidence["members_counted"], f.evidence["members_counted_before"]) == (2, 2)
    assert "未高于2024年的50.00%" in f.message
