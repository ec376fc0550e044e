"""DUES-01 and DUES-02, one row per case, the requirement ID in each test name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import make_member
from tests.recruitment.rules_support import found
from xianfeng.dues import ledger
from xianfeng.dues.models import (
    Arrangement,
    Declaration,
    Due,
    KindSpell,
    MonthClose,
    Reduction,
    ReductionState,
)
from xianfeng.lib.dates import add_months

D = dt.date
LONG_AGO = D(2010, 7, 1)


def member_with_lines(
    org: Any, *, kind: str = "salaried", joined: dt.date = LONG_AGO, **extra: Any
):
    member = make_member(
        org, joined_on=joined, status="full" if joined.year < 2025 else "probationary"
    )
    KindSpell.objects.create(member=member, kind=kind, started_on=joined)
    for period in extra.get("declared", ["2024", "2025"]):
        Declaration.objects.create(
            member=member, period=period, monthly_base=Decimal(3000), declared_on=D(2024, 1, 5)
        )
    if extra.get("waived"):
        first, last = extra["waived"]
        Reduction.objects.create(
            member=member,
            first_month=first,
            last_month=last,
            monthly_amount=0,
            reason="困难",
            proposed_by_org=org,
            proposed_on=D(2024, 12, 1),
            state=ReductionState.APPROVED,
        )
    if extra.get("quarterly"):
        Arrangement.objects.create(
            member=member, first_month=D(2024, 1, 1), agreed_on=D(2024, 1, 1)
        )
    for year in (2024, 2025):
        ledger.refresh(year, [member.pk])
    return member


def pay(member: Any, *months: dt.date) -> None:
    for month in months:
        due = Due.objects.get(member=member, month=month)
        due.paid, due.settled = due.amount or Decimal("1"), True
        due.save()


def months(first: tuple[int, int], last: tuple[int, int]) -> list[dt.date]:
    day, end, found_months = D(*first, 1), D(*last, 1), []
    while day <= end:
        found_months.append(day)
        day = add_months(day, 1)
    return found_months


ARREARS = [
    # (id, member kwargs, months paid, as_of, overrides, expected (severity, months) or None)
    ("all_paid", {}, months((2024, 1), (2025, 6)), D(2025, 7, 10), {}, None),
    ("two_months_nothing", {}, months((2024, 1), (2025, 4)), D(2025, 7, 10), {}, None),
    ("three_months_warning", {}, months((2024, 1), (2025, 3)), D(2025, 7, 10), {}, ("warning", 3)),
    (
        "current_month_not_counted",
        {},
        months((2024, 1), (2025, 3)),
        D(2025, 7, 31),
        {},
        ("warning", 3),
    ),
    ("six_months_error", {}, months((2024, 1), (2024, 12)), D(2025, 7, 10), {}, ("error", 6)),
    ("streak_across_years", {}, months((2024, 1), (2024, 9)), D(2025, 3, 1), {}, ("warning", 5)),
    (
        "paid_last_month_breaks_streak",
        {},
        [*months((2024, 1), (2024, 12)), D(2025, 6, 1)],
        D(2025, 7, 10),
        {},
        None,
    ),
    (
        "waiver_is_a_good_reason",
        {"waived": (D(2025, 1, 1), D(2025, 12, 1))},
        months((2024, 1), (2024, 12)),
        D(2025, 7, 10),
        {},
        None,
    ),
    (
        "quarterly_counts_ended_quarters",
        {"quarterly": True},
        months((2024, 1), (2025, 3)),
        D(2025, 8, 10),
        {},
        ("warning", 3),
    ),
    ("monthly_same_payments", {}, months((2024, 1), (2025, 3)), D(2025, 8, 10), {}, ("warning", 4)),
    ("joined_recently", {"joined": D(2025, 4, 15)}, [], D(2025, 7, 10), {}, ("warning", 3)),
    (
        "local_lapse_four",
        {},
        months((2024, 1), (2025, 2)),
        D(2025, 7, 10),
        {"dues.arrears.lapse_months": "4"},
        ("error", 4),
    ),
    ("no_base_nothing_paid", {"declared": []}, [], D(2025, 7, 10), {}, ("error", 18)),
]


@pytest.mark.parametrize(
    "kwargs, paid, as_of, overrides, expected",
    [row[1:] for row in ARREARS],
    ids=[f"test_dues_02_{row[0]}" for row in ARREARS],
)
@pytest.mark.django_db
def test_dues_02_arrears(tree, kwargs, paid, as_of, overrides, expected) -> None:
    member = member_with_lines(tree.branch_a, **kwargs)
    pay(member, *paid)
    rows = [
        f for _code, f in found("DUES-02", "2025", as_of, overrides) if f.member_id == member.pk
    ]
    if expected is None:
        assert rows == []
        return
    (finding,) = rows
    assert (finding.severity, finding.evidence["months_unpaid"]) == expected
    assert finding.org_id == tree.branch_a.pk
    if expected[0] == "error":
        assert "自行脱党" in finding.message


COLLECTION = [
    # (id, closed months, member kwargs, as_of, expected evidence keys → values or None)
    ("all_closed_declared", months((2024, 12), (2025, 6)), {}, D(2025, 7, 20), None),
    (
        "may_closed_late",
        months((2024, 12), (2025, 6)),
        {"closed_late": D(2025, 5, 1)},
        D(2025, 7, 20),
        {"late_closed_months": ["2025-05"]},
    ),
    (
        "close_after_as_of_is_not_yet",
        months((2024, 12), (2025, 6)),
        {"closed_late": D(2025, 6, 1)},
        D(2025, 7, 15),
        None,
    ),
    ("june_before_deadline", months((2024, 12), (2025, 5)), {}, D(2025, 7, 15), None),
    (
        "june_after_deadline",
        months((2024, 12), (2025, 5)),
        {},
        D(2025, 7, 16),
        {"unclosed_months": ["2025-06"]},
    ),
    (
        "december_closed_late_counts_next_year",
        months((2025, 1), (2025, 6)),
        {},
        D(2025, 7, 20),
        {"unclosed_months": ["2024-12"]},
    ),
    (
        "base_carried_over_after_march",
        months((2024, 12), (2025, 6)),
        {"declared": ["2024"]},
        D(2025, 7, 20),
        {"undeclared_members": 1},
    ),
    (
        "base_carried_over_in_march",
        months((2024, 12), (2025, 2)),
        {"declared": ["2024"]},
        D(2025, 3, 20),
        None,
    ),
    (
        "farmer_needs_no_base",
        months((2024, 12), (2025, 6)),
        {"declared": [], "kind": "farmer"},
        D(2025, 7, 20),
        None,
    ),
    (
        "self_employed_quarter",
        months((2024, 12), (2025, 6)),
        {"declared": ["2024", "2025-Q2"], "kind": "self_employed"},
        D(2025, 5, 20),
        None,
    ),
    (
        "self_employed_missing_quarter",
        months((2024, 12), (2025, 6)),
        {"declared": ["2024", "2025-Q2"], "kind": "self_employed"},
        D(2025, 8, 5),
        {"undeclared_members": 1},
    ),
    (
        "month_declared_holds_from_its_month",
        months((2024, 12), (2025, 6)),
        {"declared": ["2024", "2025-06"]},
        D(2025, 7, 20),
        None,
    ),
    (
        "month_declared_later_leaves_the_months_before",
        months((2024, 12), (2025, 6)),
        {"declared": ["2024", "2025-08"]},
        D(2025, 7, 20),
        {"undeclared_members": 1},
    ),
]


@pytest.mark.parametrize(
    "closed, kwargs, as_of, expected",
    [row[1:] for row in COLLECTION],
    ids=[f"test_dues_01_{row[0]}" for row in COLLECTION],
)
@pytest.mark.django_db
def test_dues_01_collection(tree, closed, kwargs, as_of, expected) -> None:
    late_month = kwargs.pop("closed_late", None)
    member = member_with_lines(tree.branch_a2, **kwargs)
    for month in closed:
        on = month.replace(day=28) + dt.timedelta(days=10)  # the 7th or 8th of the next month
        if late_month == month:
            on = as_of
        MonthClose.objects.create(org=tree.branch_a2, month=month, closed_on=on)
    rows = [f for _code, f in found("DUES-01", "2025", as_of) if f.org_id == tree.branch_a2.pk]
    if expected is None:
        assert rows == []
        return
    (finding,) = rows
    for key, value in expected.items():
        got = finding.evidence.get(key)
        assert (len(got) if key == "undeclared_members" else got) == value, finding.evidence
    if "undeclared_members" in expected:
        assert finding.evidence["undeclared_members"] == [member.pk]
