"""DUES-01: the ledger adds up — after any sequence of payments and reversals, each line's
paid is the sum of its month's entries, the sums agree at every level of the tree, and the
sums kept per org and month for the totals tables are the lines' own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dues.helpers import kept_totals_mismatches
from tests.factories import make_member
from xianfeng.dues.domain.declarations import declare_base
from xianfeng.dues.domain.payments import record_payment, reverse_payment
from xianfeng.dues.models import Due, Payment, PaymentKind
from xianfeng.lib.dates import add_months, today

ACTIONS = st.lists(
    st.tuples(st.sampled_from(["pay", "reverse"]), st.integers(0, 3), st.integers(0, 5)),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def ledger_members(tree):
    members = [tree.member_a, tree.member_a2, tree.member_b]
    members.append(make_member(tree.branch_a, category="student"))
    for member, base in zip(members[:3], ["3000", "5000.01", "12000"], strict=True):
        declare_base(member=member, period=str(today().year), monthly_base=base)
        declare_base(member=member, period=str(today().year - 1), monthly_base=base)
    return members


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
@pytest.mark.django_db
def test_dues_01_ledger_sums_equal_payment_sums(ledger_members, actions) -> None:
    this_month = today().replace(day=1)
    for action, who, back in actions:
        member, month = ledger_members[who], add_months(this_month, -back)
        try:
            if action == "pay":
                record_payment(member=member, month=month)
            else:
                last = Payment.objects.filter(
                    member=member, month=month, kind=PaymentKind.DUES, reversed_by__isnull=True
                ).last()
                if last is not None:
                    reverse_payment(payment=last, note="核对")
        except ValidationError:
            pass  # paid up already, or not a month owed: refused, nothing written
    dues_kinds = [PaymentKind.DUES, PaymentKind.REVERSAL]
    for due in Due.objects.all():
        entries = Payment.objects.filter(member=due.member, month=due.month, kind__in=dues_kinds)
        total = entries.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        assert due.paid == total
        assert due.settled == (due.paid >= due.amount if due.amount is not None else due.paid > 0)
    for path_len in (4, 8, 12, 16):
        by_lines: dict[str, Decimal] = {}
        for path, paid in Due.objects.values_list("org__path", "paid"):
            by_lines[path[:path_len]] = by_lines.get(path[:path_len], Decimal(0)) + paid
        by_entries: dict[str, Decimal] = {}
        for path, amount in Payment.objects.filter(kind__in=dues_kinds).values_list(
            "org__path", "amount"
        ):
            by_entries[path[:path_len]] = by_entries.get(path[:path_len], Decimal(0)) + amount
        assert {k: v for k, v in by_lines.items() if v} == {
            k: v for k, v in by_entries.items() if v
        }
    assert kept_totals_mismatches() == []  # the totals tables' sums, kept per org and month
