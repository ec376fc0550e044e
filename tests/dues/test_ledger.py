"""DUES-01: the brackets at every edge, fixed amounts, the months a member owes, the
append-only payments and their refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_member
from xianfeng.dues import ledger
from xianfeng.dues.domain.declarations import declare_base, set_dues_kind
from xianfeng.dues.domain.payments import (
    close_month,
    record_month,
    record_payment,
    reverse_payment,
)
from xianfeng.dues.domain.reductions import decide_reduction, propose_reduction
from xianfeng.dues.models import Due, Payment
from xianfeng.lib.dates import today

D = dt.date
Y = today().year
M = Decimal


def national(kind: str) -> ledger.Brackets:
    from xianfeng.compliance.policy import resolver

    return ledger.tariff_at(resolver(day=today()), "").brackets[kind]


@pytest.mark.parametrize(
    "kind, base, amount",
    [
        ("salaried", "3000.00", "15.00"),
        ("salaried", "3000.01", "30.00"),
        ("salaried", "5000.00", "50.00"),
        ("salaried", "5000.01", "75.00"),
        ("salaried", "10000.00", "150.00"),
        ("salaried", "10000.01", "200.00"),
        ("salaried", "0.00", "0.00"),
        ("salaried", "4321.99", "43.22"),  # 43.2199 → half-up to the fen
        ("self_employed", "3000.00", "15.00"),
        ("self_employed", "3000.01", "30.00"),
        ("retired", "5000.00", "25.00"),
        ("retired", "5000.01", "50.00"),
        ("retired", "1234.50", "6.17"),  # 6.1725 → 6.17
        ("retired", "1235.00", "6.18"),  # 6.175 → 6.18 (half-up, not half-even)
    ],
)
@pytest.mark.django_db
def test_dues_01_bracket_edges(kind: str, base: str, amount: str) -> None:
    assert national(kind).amount(M(base))[1] == M(amount)


@pytest.mark.django_db
def test_dues_01_fixed_amounts_and_months_owed(tree) -> None:
    student = make_member(tree.branch_a, category="student")
    farmer = make_member(tree.branch_a, category="rural")
    probationary = make_member(tree.branch_a, status="probationary", joined_on=D(Y, 3, 20))
    ledger.refresh(Y)
    dues = {(d.member_id, d.month.month): d for d in Due.objects.filter(month__year=Y)}
    assert dues[(student.pk, 1)].amount == M("0.20")
    assert dues[(farmer.pk, 1)].amount == M("0.20")
    assert (probationary.pk, 2) not in dues
    assert dues[(probationary.pk, 3)].amount is None  # salaried, no base declared yet
    declare_base(member=probationary, period=str(Y), monthly_base="5000.01")
    assert Due.objects.get(member=probationary, month=D(Y, 3, 1)).amount == M("75.00")


@pytest.mark.django_db
def test_dues_01_payments_append_only_with_reversal(tree) -> None:
    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="3000")
    month = today().replace(day=1)
    payment = record_payment(member=member, month=month)
    assert payment.amount == M("15.00")
    with pytest.raises(ValidationError, match="已交清"):
        record_payment(member=member, month=month)
    reversal = reverse_payment(payment=payment, note="录错")
    assert reversal.amount == M("-15.00")
    due = Due.objects.get(member=member, month=month)
    assert (due.paid, due.settled) == (M("0.00"), False)
    with pytest.raises(ValidationError, match="已经冲正"):
        reverse_payment(payment=payment, note="again")
    record_month(org=tree.branch_a, month=month, members=[member.pk])
    assert Payment.objects.filter(member=member).count() == 3


@pytest.mark.parametrize(
    "amount, message",
    [("-1", "应大于"), ("abc", "金额数字"), ("12.345", "两位小数"), ("99", "本次最多应交15.00元")],
)
@pytest.mark.django_db
def test_dues_01_bad_payment_refused_nothing_written(tree, amount: str, message: str) -> None:
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    with pytest.raises(ValidationError, match=message):
        record_payment(member=tree.member_a, month=today().replace(day=1), amount=amount)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_dues_01_month_before_joining_and_back_payment_limit(tree) -> None:
    with pytest.raises(ValidationError, match="不需交纳"):
        record_payment(member=tree.member_a, month=D(2009, 1, 1), amount="1")
    old = today().replace(day=1) - dt.timedelta(days=250)
    with pytest.raises(ValidationError, match="补交党费一般不超过6个月"):
        record_payment(member=tree.member_a, month=old.replace(day=1), amount="1")


@pytest.mark.django_db
def test_dues_01_reduction_needs_the_committee_above(tree) -> None:
    member = tree.member_a
    set_dues_kind(member=member, kind="minimum", started_on=D(Y, 1, 1))
    first = D(Y, 1, 1)
    reduction = propose_reduction(
        member=member, first_month=first, last_month=D(Y, 12, 1), monthly_amount="0", reason="重病"
    )
    with pytest.raises(PermissionDenied):
        decide_reduction(reduction=reduction, approve=True, by=tree.users["secretary"])
    decide_reduction(reduction=reduction, approve=True, by=tree.users["county_officer"])
    due = Due.objects.get(member=member, month=first)
    assert (due.amount, due.settled, due.reduction_id) == (M("0.00"), True, reduction.pk)


@pytest.mark.django_db
def test_dues_01_close_month_once(tree) -> None:
    month = today().replace(day=1)
    close_month(org=tree.branch_a, month=month)
    with pytest.raises(ValidationError, match="已经结账"):
        close_month(org=tree.branch_a, month=month)


@pytest.mark.django_db
def test_dues_01_transfer_letter_states_paid_until(tree, client) -> None:
    from xianfeng.members.domain import send_transfer

    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="3000")
    first = D(Y, 1, 1)
    Due.objects.filter(member=member, month=first).update(paid=M("15"), settled=True)
    assert ledger.paid_until(member.pk) == first
    transfer = send_transfer(
        member=member, to_org=tree.branch_a2, sent_on=today(), reason="工作调动"
    )
    client.force_login(tree.users["secretary"])
    page = client.get(f"/members/transfers/{transfer.pk}/").content.decode()
    assert "党费交至" in page and f"{Y}年1月" in page


@pytest.mark.django_db
def test_dues_01_two_treasurers_same_month_no_double_payment(tree) -> None:
    from xianfeng.dues.domain.payments import claim

    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="3000")
    month = today().replace(day=1)
    read_by_second = Due.objects.select_related("member").get(member=member, month=month)
    record_payment(member=member, month=month)  # the first treasurer saves
    with pytest.raises(ValidationError, match="刚刚已由他人登记"):
        claim(read_by_second, M("15.00"))
    assert Due.objects.get(member=member, month=month).paid == M("15.00")


@pytest.mark.django_db
def test_dues_01_partial_payment_then_the_rest(tree) -> None:
    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="3000")
    month = today().replace(day=1)
    record_payment(member=member, month=month, amount="10")
    due = Due.objects.get(member=member, month=month)
    assert (due.paid, due.settled) == (M("10.00"), False)
    assert record_payment(member=member, month=month).amount == M("5.00")
    assert Due.objects.get(member=member, month=month).settled
