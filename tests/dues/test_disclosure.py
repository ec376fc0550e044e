"""DUES-01: remittances to the higher committee (党费上缴) and the yearly disclosure's
figures (党费收缴情况公开)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.dues.sheets import THIS
from tests.factories import make_member
from xianfeng.dues import ledger
from xianfeng.dues.disclosure import disclosure
from xianfeng.dues.domain.declarations import declare_base
from xianfeng.dues.domain.payments import record_extra, record_payment, reverse_payment
from xianfeng.dues.domain.remittances import record_remittance
from xianfeng.dues.models import Remittance
from xianfeng.lib.dates import today

pytestmark = pytest.mark.django_db
M = Decimal
D = dt.date
Y = THIS.year


def test_dues_01_remittance_recorded_once_per_period(tree):
    officer, year = tree.users["secretary"], Y - 1
    found = record_remittance(
        org=tree.branch_a, period=f"{year}-Q1", amount="45", remitted_on=D(year, 4, 2), by=officer
    )
    assert (found.period, found.amount, found.entered_by) == (f"{year}-Q1", M("45.00"), officer)
    with pytest.raises(ValidationError, match=f"{year}年第1季度的党费上缴已于{year}-04-02登记"):
        record_remittance(org=tree.branch_a, period=f"{year}-q1", amount="1", by=officer)
    with pytest.raises(ValidationError, match="不能重复登记"):
        record_remittance(org=tree.branch_a, period=f"{year}-02", amount="1", by=officer)
    with pytest.raises(ValidationError, match="不能重复登记"):
        record_remittance(org=tree.branch_a, period=str(year), amount="1", by=officer)
    record_remittance(
        org=tree.branch_a, period=f"{year}-04", amount="15", remitted_on=D(year, 5, 1)
    )
    record_remittance(
        org=tree.branch_a2, period=f"{year}-Q1", amount="30", remitted_on=D(year, 4, 2)
    )
    assert Remittance.objects.count() == 3


@pytest.mark.parametrize(
    ("period", "amount", "day", "field", "message"),
    [
        ("2025-13", "1", None, "period", "月份应为 01–12"),
        ("Q1", "1", None, "period", "期间格式应为"),
        ("{Y}", "0", None, "amount", "应大于0"),
        ("{Y}", "-3", None, "amount", "应大于0"),
        ("{Y}", "12.345", None, "amount", "两位小数"),
        ("{Y}", "十元", None, "amount", "金额数字"),
        ("{Y}", "1", "tomorrow", "remitted_on", "不能晚于今天"),
        ("{P}-12", "1", "{P}-11-30", "remitted_on", "不能早于"),
    ],
)
def test_dues_01_remittance_bad_input_refused(tree, period, amount, day, field, message):
    when = today() + dt.timedelta(days=1) if day == "tomorrow" else day
    if isinstance(when, str):
        when = dt.date.fromisoformat(when.format(P=Y - 1))
    with pytest.raises(ValidationError) as refused:
        record_remittance(
            org=tree.branch_a, period=period.format(Y=Y, P=Y - 1), amount=amount, remitted_on=when
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not Remittance.objects.exists()


@pytest.mark.parametrize("user", ["county_viewer", "outsider", "member", "nobody"])
def test_dues_01_remittance_needs_a_keeper_of_the_org(tree, user):
    with pytest.raises(PermissionDenied):
        record_remittance(org=tree.branch_a, period=str(Y), amount="1", by=tree.users[user])
    record_remittance(org=tree.branch_a, period=str(Y), amount="1", by=tree.users["county_officer"])


def test_dues_01_disclosure_figures_of_a_branch(tree):
    second = make_member(tree.branch_a, code="MA5", name="钱七", category="student")  # 0.20
    make_member(tree.branch_a2, code="MA6", name="孙八", category="student")  # another branch
    ledger.refresh(Y)
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")  # 15.00 a month
    record_payment(member=tree.member_a, month=THIS, paid_on=today())
    extra = record_extra(member=tree.member_a, amount="100", paid_on=today())
    record_extra(member=second, amount="20", paid_on=today())
    reverse_payment(payment=extra, note="应为下月")
    record_remittance(org=tree.branch_a, period=f"{Y}-{THIS.month:02d}", amount="15")

    found = disclosure(tree.branch_a, Y, as_of=today())

    months = THIS.month
    assert found.members == 2
    assert found.due == M("15.00") * months + M("0.20") * months
    assert found.paid == M("15.00")
    assert found.owing == found.due - found.paid
    assert found.in_arrears == (2 if months > 1 else 1)  # 张三 before this month, 钱七
    assert found.extra == M("20.00")
    assert found.remitted == M("15.00")
    assert [m.month for m in found.months] == [dt.date(Y, n, 1) for n in range(1, months + 1)]
    last = found.months[-1]
    assert (last.members, last.settled, last.paid) == (2, 1, M("15.00"))
    assert disclosure(tree.town_a, Y, as_of=today()).members == 4  # 张三, 钱七, 李四, 孙八


def test_dues_01_disclosure_counts_only_months_begun(tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    found = disclosure(tree.branch_a, Y, as_of=dt.date(Y, 2, 10))
    assert (found.due, len(found.months)) == (M("30.00"), 2)
