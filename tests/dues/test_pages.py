"""The dues pages (DUES-01, DUES-02): a member's own dues and why, the treasurer's one
save on the branch's month, closing it, declarations, kinds, single and several-month
payments, reversals, reductions proposed and decided above, totals up the tree and the
arrears list; scoped to the user's subtree (404 outside it), writes for keepers only."""

from __future__ import annotations

import pytest

from tests.dues.helpers import LAST, THIS, M, Y, label, with_ledgers
from tests.factories import make_member
from xianfeng.dues import ledger
from xianfeng.dues.models import (
    Arrangement,
    Declaration,
    Due,
    KindSpell,
    MonthClose,
    Payment,
    Reduction,
)

pytestmark = pytest.mark.django_db
MONTH = f"/dues/orgs/CA-T1-B1/month/{label(THIS)}/"


@pytest.fixture
def world(tree):
    with_ledgers(tree)
    return tree


def _page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def test_dues_01_member_sees_own_dues_and_why(client_for, world):
    body = _page(client_for(world.users["member"]), "/dues/me/")
    assert "基数3000.00元 × 0.5% = 15.00元" in body and "在职（工资收入）" in body
    assert "3000.00" in body  # the member sees their own declared base


def test_dues_01_member_sees_only_their_own(client_for, world):
    client = client_for(world.users["member"])
    _page(client, "/dues/members/MA2/", 404)
    _page(client, "/dues/orgs/CA-T1-B1/", 404)
    assert _page(client, "/dues/members/MA1/").count("基数3000.00元") == 12


def test_dues_01_viewer_never_sees_bases(client_for, world):
    body = _page(client_for(world.users["county_viewer"]), "/dues/members/MA1/?year=" + str(Y))
    assert "3000.00" not in body and "15.00" not in body and "缴费基数属个人信息" in body
    assert "申报缴费基数" not in body  # no write forms for a viewer


def test_dues_01_officer_sees_bases_and_forms(client_for, world):
    body = _page(client_for(world.users["county_officer"]), "/dues/members/MA1/")
    assert "基数3000.00元 × 0.5% = 15.00元" in body and "申报缴费基数" in body


def test_dues_01_outsider_gets_404(client_for, world):
    client = client_for(world.users["outsider"])
    for path in ["/dues/members/MA1/", MONTH, "/dues/orgs/CA-T1/", "/dues/orgs/CA-T1/arrears/"]:
        _page(client, path, 404)


def test_dues_01_treasurer_records_the_month_in_one_save(client_for, world):
    other = make_member(world.branch_a, code="MA7", name="赵七", category="student")
    ledger.refresh(Y, [other.pk])
    client = client_for(world.users["secretary"])
    body = _page(client, MONTH)
    assert f'name="members" value="{world.member_a.pk}"' in body
    assert f'name="members" value="{other.pk}"' in body
    response = client.post(MONTH, {"members": [world.member_a.pk, other.pk]})
    assert response.status_code == 302 and response["Location"] == MONTH
    paid = dict(Payment.objects.filter(month=THIS).values_list("member__code", "amount"))
    assert paid == {"MA1": M("15.00"), "MA7": M("0.20")}
    body = _page(client, MONTH)
    assert "已登记 2 名党员" in body and 'name="members"' not in body
    again = client.post(MONTH, {"members": [world.member_a.pk]})
    assert again.status_code == 400 and "已交清，不能重复交纳" in again.content.decode()
    assert Payment.objects.count() == 2


def test_dues_01_month_save_needs_a_tick_and_refuses_strangers(client_for, world):
    client = client_for(world.users["secretary"])
    empty = client.post(MONTH, {})
    assert empty.status_code == 400 and "请勾选已交纳党费的党员" in empty.content.decode()
    stranger = client.post(MONTH, {"members": [world.member_b.pk]})
    assert stranger.status_code == 400 and "没有找到党员" in stranger.content.decode()
    assert not Payment.objects.exists()


def test_dues_01_viewer_reads_the_month_but_cannot_save(client_for, world):
    client = client_for(world.users["county_viewer"])
    body = _page(client, MONTH)
    assert "张三" in body and 'name="members"' not in body
    assert client.post(MONTH, {"members": [world.member_a.pk]}).status_code == 403
    assert client.post(MONTH + "close/").status_code == 403


def test_dues_01_close_month_once(client_for, world):
    client = client_for(world.users["secretary"])
    assert client.post(MONTH + "close/").status_code == 302
    assert MonthClose.objects.filter(org=world.branch_a, month=THIS).exists()
    client.post(MONTH + "close/")
    assert "已经结账" in _page(client, MONTH)


def test_dues_01_this_month_redirects(client_for, world):
    response = client_for(world.users["secretary"]).get("/dues/orgs/CA-T1-B1/month/")
    assert response.status_code == 302 and response["Location"] == MONTH


def test_dues_01_month_above_a_branch_lists_its_children(client_for, world):
    body = _page(
        client_for(world.users["county_officer"]), f"/dues/orgs/CA-T1/month/{label(THIS)}/"
    )
    assert f"/dues/orgs/CA-T1-B1/month/{label(THIS)}/" in body and "绿水村党支部" in body


def test_dues_01_bad_month_in_url_is_404(client_for, world):
    _page(client_for(world.users["secretary"]), "/dues/orgs/CA-T1-B1/month/2025-13/", 404)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"period": str(Y), "monthly_base": "12.345"}, "monthly_base", "最多保留两位小数"),
        ({"period": str(Y), "monthly_base": "-5"}, "monthly_base", "应大于或等于0"),
        ({"period": str(Y), "monthly_base": "abc"}, "monthly_base", "应填金额数字"),
        ({"period": "2025-Q5", "monthly_base": "3000"}, "period", "申报期间应写作"),
    ],
)
def test_dues_01_declaration_errors_next_to_the_field(client_for, world, data, field, message):
    response = client_for(world.users["secretary"]).post("/dues/members/MA1/declarations/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in body and message in body
    assert Declaration.objects.filter(member=world.member_a).count() == 2


def test_dues_01_declare_base_recomputes_the_year(client_for, world):
    client = client_for(world.users["secretary"])
    data = {"period": str(Y), "monthly_base": "5000.01"}
    response = client.post("/dues/members/MA1/declarations/", data)
    assert response.status_code == 302 and response["Location"].endswith(f"?year={Y}")
    assert Due.objects.get(member=world.member_a, month=THIS).amount == M("75.00")
    assert "基数5000.01元 × 1.5% = 75.00元" in _page(client, "/dues/members/MA1/")


def test_dues_01_set_kind_from_a_date(client_for, world):
    client = client_for(world.users["secretary"])
    data = {"kind": "retired", "started_on": f"{Y}-01-01"}
    assert client.post("/dues/members/MA1/kinds/", data).status_code == 302
    assert KindSpell.objects.get(member=world.member_a).kind == "retired"
    assert Due.objects.get(member=world.member_a, month=THIS).amount == M("15.00")  # 0.5%
    bad = client.post("/dues/members/MA1/kinds/", {"kind": "pirate", "started_on": ""})
    assert bad.status_code == 400 and 'id="id_kind_error"' in bad.content.decode()


def test_dues_01_single_payment_then_reversal(client_for, world):
    client = client_for(world.users["secretary"])
    assert client.post("/dues/members/MA1/payments/", {"month": label(THIS)}).status_code == 302
    payment = Payment.objects.get()
    body = _page(client, "/dues/members/MA1/")
    assert "冲正" in body and f"/dues/payments/{payment.pk}/reverse/" in body
    missing = client.post(f"/dues/payments/{payment.pk}/reverse/", {"note": ""})
    assert missing.status_code == 400 and "这个字段是必填项" in missing.content.decode()
    assert client.post(f"/dues/payments/{payment.pk}/reverse/", {"note": "录错"}).status_code == 302
    assert Payment.objects.filter(kind="reversal", reverses=payment).exists()
    assert "已冲正：录错" in _page(client, "/dues/members/MA1/")
    assert not Due.objects.get(member=world.member_a, month=THIS).settled


def test_dues_01_month_screen_links_to_the_pay_form_on_that_month(client_for, world):
    client = client_for(world.users["secretary"])
    link = f"/dues/members/MA1/?month={label(THIS)}#form-pay"
    assert link in _page(client, MONTH)
    body = _page(client, link.split("#")[0])
    assert ' open id="form-pay"' in body and f'value="{label(THIS)}"' in body


def test_dues_01_payment_errors_next_to_the_field(client_for, world):
    client = client_for(world.users["secretary"])
    wrong = client.post("/dues/members/MA1/payments/", {"month": label(THIS), "amount": "99"})
    body = wrong.content.decode()
    assert (
        wrong.status_code == 400
        and 'id="id_amount_error"' in body
        and "本次最多应交15.00元" in body
    )
    old = client.post("/dues/members/MA1/payments/", {"month": "2009-01"})
    assert old.status_code == 400 and 'id="id_month_error"' in old.content.decode()
    assert not Payment.objects.exists()


def test_dues_01_several_months_at_once(client_for, world):
    client = client_for(world.users["secretary"])
    first = LAST if LAST.year == Y else THIS
    data = {"month": label(first), "through": label(THIS)}
    assert client.post("/dues/members/MA1/payments/", data).status_code == 302
    assert Payment.objects.filter(member=world.member_a).count() == (2 if first != THIS else 1)


def test_dues_01_extra_payment(client_for, world):
    client = client_for(world.users["secretary"])
    assert client.post("/dues/members/MA1/extra/", {"amount": "100"}).status_code == 302
    assert Payment.objects.get().kind == "extra"
    assert "自愿多交党费" in _page(client, "/dues/members/MA1/")


def test_dues_01_reduction_proposed_below_decided_above(client_for, world):
    secretary = client_for(world.users["secretary"])
    data = {
        "first_month": label(THIS),
        "last_month": label(THIS),
        "monthly_amount": "0",
        "reason": "重病住院",
    }
    assert secretary.post("/dues/members/MA1/reductions/", data).status_code == 302
    reduction = Reduction.objects.get()
    assert "重病住院" not in _page(secretary, "/dues/reductions/")  # not the branch's to decide
    assert (
        secretary.post(f"/dues/reductions/{reduction.pk}/decide/", {"approve": "1"}).status_code
        == 403
    )
    officer = client_for(world.users["county_officer"])
    assert "重病住院" in _page(officer, "/dues/reductions/")
    assert officer.post(f"/dues/reductions/{reduction.pk}/decide/", {}).status_code == 400
    done = officer.post(
        f"/dues/reductions/{reduction.pk}/decide/", {"approve": "1", "note": "同意"}
    )
    assert done.status_code == 302
    due = Due.objects.get(member=world.member_a, month=THIS)
    assert (due.amount, due.settled) == (M("0.00"), True)
    assert "经上级党委批准免交" in _page(officer, "/dues/members/MA1/")


def test_dues_01_reduction_errors(client_for, world):
    data = {
        "first_month": label(THIS),
        "last_month": label(LAST),
        "monthly_amount": "x",
        "reason": "t",
    }
    response = client_for(world.users["secretary"]).post("/dues/members/MA1/reductions/", data)
    assert response.status_code == 400 and "截止月份不能早于起始月份" in response.content.decode()


def test_dues_01_quarterly_arrangement(client_for, world):
    client = client_for(world.users["secretary"])
    data = {"first_month": label(THIS), "agreed_on": THIS.isoformat()}
    assert client.post("/dues/members/MA1/quarterly/", data).status_code == 302
    assert Arrangement.objects.get().first_month == THIS
    assert "按季交纳" in _page(client, "/dues/members/MA1/")


def test_dues_01_viewer_cannot_write_member_records(client_for, world):
    client = client_for(world.users["county_viewer"])
    for action in ["declarations", "kinds", "payments", "extra", "reductions", "quarterly"]:
        assert client.post(f"/dues/members/MA1/{action}/", {}).status_code == 403, action


def test_dues_01_totals_county_sees_towns(client_for, world):
    body = _page(client_for(world.users["county_officer"]), f"/dues/orgs/CA/?year={Y}")
    assert "青山镇党委" in body and f"/dues/orgs/CA-T1/?year={Y}" in body
    assert "15.00" in body  # MA1's months roll up
    month = _page(client_for(world.users["county_officer"]), f"/dues/orgs/CA/?month={label(THIS)}")
    assert f"各下级党组织 · {THIS.year}年{THIS.month}月" in month


def test_dues_02_arrears_list(client_for, world):
    body = _page(client_for(world.users["county_officer"]), "/dues/orgs/CA-T1/arrears/")
    assert "张三" in body and "李四" in body  # nobody paid
    months = 12 + LAST.month  # last year's and this year's lines up to last month
    assert f'<span class="badge text-bg-danger">{months}</span>' in body
    few = _page(client_for(world.users["county_officer"]), "/dues/orgs/CA-T1/arrears/?min=24")
    assert "张三" not in few


def test_dues_01_org_page_links_dues(client_for, world):
    body = _page(client_for(world.users["secretary"]), "/orgs/CA-T1-B1/")
    assert "/dues/orgs/CA-T1-B1/" in body
