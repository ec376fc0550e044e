"""The ledger follows the roster after commit; the nightly command; the digest's dues
reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.dues.helpers import kept_totals_mismatches
from tests.factories import make_member, make_org, make_user
from xianfeng.compliance.domain import save_policy
from xianfeng.compliance.models import Policy
from xianfeng.dues import ledger
from xianfeng.dues.models import Due, MonthClose, MonthTotal
from xianfeng.dues.reminders import dues_reminders
from xianfeng.lib.dates import add_months, today
from xianfeng.members.domain import receive_transfer, send_transfer, set_member_status
from xianfeng.orgs.preferences import set_preference


@pytest.mark.django_db(transaction=True)
def test_dues_01_lines_follow_a_new_member_and_a_status_change() -> None:
    town = make_org(None, kind="party_committee", level="town")
    branch = make_org(town, kind="branch")
    member = make_member(branch, category="student", joined_on=dt.date(2010, 7, 1))
    month = today().replace(day=1)
    assert Due.objects.get(member=member, month=month).amount == Decimal("0.20")
    set_member_status(member=member, status="suspended", on=month, note="停止党籍", reason="")
    assert not Due.objects.filter(member=member, month__gt=month).exists()
    assert kept_totals_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_dues_01_lines_and_kept_totals_follow_a_transfer() -> None:
    town = make_org(None, kind="party_committee", level="town")
    branch, other = make_org(town, kind="branch"), make_org(town, kind="branch")
    member = make_member(branch, category="student", joined_on=dt.date(2010, 7, 1))
    make_member(other, category="student", joined_on=dt.date(2010, 7, 1))
    day = today().replace(day=1)
    sent = send_transfer(member=member, to_org=other, sent_on=day)
    receive_transfer(transfer=sent, received_on=day)
    assert Due.objects.get(member=member, month=day).org == other
    assert MonthTotal.objects.get(org=other, month=day).lines == 2
    assert not MonthTotal.objects.filter(org=branch, month=day).exists()
    assert kept_totals_mismatches() == []


@pytest.mark.django_db
def test_dues_01_refresh_command(tree, capsys) -> None:
    call_command("dues", "refresh", "--org", tree.branch_a.code)
    assert Due.objects.filter(member=tree.member_a).count() == today().month
    assert not Due.objects.filter(member=tree.member_b).exists()
    assert "党费台账" in capsys.readouterr().out


@pytest.mark.django_db
def test_dues_01_reminders_pay_day_and_unclosed_month(tree) -> None:
    officer = make_user("treasurer", org=tree.branch_a, role="officer")
    ledger.refresh(today().year, [tree.member_a.pk])
    month = today().replace(day=1)
    on_pay_day = month.replace(day=10)
    keys = {r.key: r for r in dues_reminders(on_pay_day)}
    due = keys[f"dues:pay:{tree.branch_a.pk}:{month.isoformat()}"]
    assert officer.pk in due.recipients and "1名党员未交" in due.title
    before = dues_reminders(month.replace(day=3))
    assert not [r for r in before if r.key.startswith("dues:pay")]
    last = add_months(month, -1)
    if last.year == month.year:
        late = {r.key for r in dues_reminders(month.replace(day=16))}
        assert f"dues:close:{tree.branch_a.pk}:{last.isoformat()}" in late
        MonthClose.objects.create(org=tree.branch_a, month=last, closed_on=month)
        assert f"dues:close:{tree.branch_a.pk}:{last.isoformat()}" not in {
            r.key for r in dues_reminders(month.replace(day=16))
        }


@pytest.mark.django_db
def test_dues_01_pay_day_is_the_policys_unless_the_branch_set_one(tree) -> None:
    make_user("treasurer", org=tree.branch_a, role="officer")
    ledger.refresh(today().year, [tree.member_a.pk])
    month = today().replace(day=1)
    key = f"dues:pay:{tree.branch_a.pk}:{month.isoformat()}"

    def pay_day(day: int) -> dt.date | None:
        found = {r.key: r.due for r in dues_reminders(month.replace(day=day))}
        return found.get(key)

    national = Policy.objects.get(code="national")
    save_policy(
        text=national.text.replace("default_day = { value = 10,", "default_day = { value = 20,")
    )
    assert pay_day(16) is None
    assert pay_day(17) == month.replace(day=20)
    set_preference(org=tree.branch_a, key="dues.payment_day", value=5)
    assert pay_day(2) == month.replace(day=5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lead, first_day",
    [(3, 7), (0, 10), (9, 1)],
    ids=["test_dues_01_reminded_3_days_before", "on_the_day", "9_days_before"],
)
def test_dues_01_pay_reminder_lead_is_the_policys(tree, lead, first_day) -> None:
    make_user("treasurer", org=tree.branch_a, role="officer")
    ledger.refresh(today().year, [tree.member_a.pk])
    month = today().replace(day=1)
    key = f"dues:pay:{tree.branch_a.pk}:{month.isoformat()}"
    national = Policy.objects.get(code="national")
    save_policy(
        text=national.text.replace(
            "remind_days_before = { value = 3,", f"remind_days_before = {{ value = {lead},"
        )
    )
    told = {
        day
        for day in range(1, 11)
        if key in {r.key for r in dues_reminders(month.replace(day=day))}
    }
    assert min(told) == first_day
