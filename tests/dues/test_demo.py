"""The dues part of the demo town (seed 1), built once for this module: every line's paid
is the sum of its payments and reversals, and the cases the rules need are there in the
last full year and on the as-of date (DUES-01, DUES-02)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from tests.conftest import shared_demo
from tests.dues.helpers import kept_totals_mismatches
from xianfeng.dues import ledger
from xianfeng.dues.demo.payments import FAR
from xianfeng.dues.models import (
    BASED_KINDS,
    Arrangement,
    Declaration,
    Due,
    DuesKind,
    KindSpell,
    MonthClose,
    MonthTotal,
    Payment,
    PaymentKind,
    Reduction,
    ReductionState,
    Remittance,
)
from xianfeng.lib.dates import add_months
from xianfeng.orgs.models import Org

AS_OF = dt.date(2025, 6, 30)
Y1, Y2 = AS_OF.year - 1, AS_OF.year

pytestmark = pytest.mark.xdist_group("dues_town_demo")
town = shared_demo("town", seed=1, as_of=AS_OF)


def streaks(day: dt.date) -> dict[int, int]:
    """Each member's consecutive unsettled months ending at the month before `day`'s."""
    last = add_months(day.replace(day=1), -1)
    unsettled = defaultdict(set)
    for member, month in Due.objects.filter(settled=False).values_list("member_id", "month"):
        unsettled[member].add(month)
    found = {}
    for member, months in unsettled.items():
        count, month = 0, last
        while month in months:
            count, month = count + 1, add_months(month, -1)
        found[member] = count
    return found


def test_dues_01_lines_paid_as_their_payments_add_up(town, db):
    payments: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    kinds = [PaymentKind.DUES, PaymentKind.REVERSAL]
    rows = Payment.objects.filter(kind__in=kinds).values_list("member_id", "month", "amount")
    for member, month, amount in rows:
        payments[(member, month)] += amount
    lines = Due.objects.values_list("member_id", "month", "amount", "paid", "settled")
    assert lines.count() > 10_000
    for member, month, amount, paid, settled in lines:
        assert paid == payments.pop((member, month), Decimal(0)), (member, month)
        assert settled == ledger.settled(amount, paid), (member, month)
    assert not payments  # no payment without its line
    assert Payment.objects.filter(kind=PaymentKind.DUES).count() > 0.7 * lines.count()
    assert Payment.objects.filter(paid_on__gt=AS_OF).count() == 0


def test_dues_01_kept_totals_are_the_lines_sums(town, db):
    assert MonthTotal.objects.count() > 100
    assert kept_totals_mismatches() == []


def test_dues_01_reversals_undo_a_payment_of_the_same_month(town, db):
    reversals = Payment.objects.filter(kind=PaymentKind.REVERSAL).select_related("reverses")
    assert reversals.exists()
    for reversal in reversals:
        undone = reversal.reverses
        assert undone is not None and undone.kind == PaymentKind.DUES
        assert (undone.member_id, undone.month) == (reversal.member_id, reversal.month)
        assert reversal.amount == -undone.amount
    assert Payment.objects.filter(kind=PaymentKind.EXTRA, amount__gte=100).exists()


def test_dues_02_members_in_arrears_at_the_end_of_last_year_and_on_the_as_of_date(town, db):
    for day in (dt.date(Y1, 12, 31), AS_OF):
        counts = streaks(day).values()
        assert any(3 <= c < 6 for c in counts), day
        assert any(c >= 6 for c in counts), day


def test_dues_02_the_waiver_is_approved_above_and_owes_nothing(town, db):
    waiver = Reduction.objects.get(state=ReductionState.APPROVED)
    assert waiver.monthly_amount == 0
    assert waiver.decided_by_org.path == waiver.proposed_by_org.path[: -Org.steplen]
    lines = Due.objects.filter(member=waiver.member, month__gte=waiver.first_month)
    assert lines.exists()
    assert set(lines.values_list("amount", "settled", "reduction_id")) == {
        (Decimal("0.00"), True, waiver.pk)
    }
    assert Reduction.objects.filter(state=ReductionState.PROPOSED).count() == 1
    assert Arrangement.objects.count() == 1


def test_dues_01_bases_declared_but_a_few_missing_in_each_year(town, db):
    based = {
        year: set(
            Due.objects.filter(kind__in=BASED_KINDS, month=dt.date(year, 1, 1)).values_list(
                "member_id", flat=True
            )
        )
        for year in (Y1, Y2)
    }
    declared = defaultdict(set)
    for member, period, base in Declaration.objects.values_list(
        "member_id", "period", "monthly_base"
    ):
        declared[member].add(period[:4])
        assert Decimal(2000) <= base <= Decimal(15000)
    missing = {y: {m for m in based[y] if str(y) not in declared[m]} for y in (Y1, Y2)}
    assert 1 <= len(missing[Y2]) <= 5 and 1 <= len(missing[Y1]) <= 5
    assert all(str(Y1) in declared[m] for m in missing[Y2])  # carried over
    assert all(str(Y1 - 1) in declared[m] for m in missing[Y1])
    pensions = Due.objects.filter(kind=DuesKind.RETIRED, base__isnull=False)
    assert pensions.exists() and not pensions.filter(base__gt=8000).exclude(
        member__dues_kinds__kind=DuesKind.SALARIED
    )


def test_dues_01_a_retirement_mid_year_changes_the_kind(town, db):
    spell = KindSpell.objects.filter(kind=DuesKind.RETIRED, started_on__year=Y1).first()
    assert spell is not None
    before = Due.objects.get(
        member=spell.member, month=add_months(spell.started_on, -1).replace(day=1)
    )
    after = Due.objects.get(member=spell.member, month=spell.started_on.replace(day=1))
    assert (before.kind, after.kind) == (DuesKind.SALARIED, DuesKind.RETIRED)


def test_dues_01_months_closed_on_time_but_one_left_open_and_one_late(town, db):
    closes = {
        (org, month): day
        for org, month, day in MonthClose.objects.values_list("org_id", "month", "closed_on")
    }
    owed = set(Due.objects.filter(month__lt=AS_OF.replace(day=1)).values_list("org_id", "month"))
    for day in (dt.date(Y1, 12, 31), AS_OF):
        overdue = [
            (org, month, closes.get((org, month)))
            for org, month in owed
            if add_months(month, 1).replace(day=15) < day
            and (closes.get((org, month)) or FAR) > add_months(month, 1).replace(day=15)
        ]
        assert any(closed is None for *_pair, closed in overdue), day
        assert len(overdue) <= 4, overdue
    assert any(closed is not None for *_pair, closed in overdue)
    assert len(closes) > 0.9 * len(owed)


def test_dues_demo_hands_last_year_up(town, db):
    remittance = Remittance.objects.get(period=str(Y1))
    assert remittance.amount > 0 and remittance.org.level == "town"
