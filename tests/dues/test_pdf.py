"""DUES-01: the member-year receipt (党费收据) and the yearly disclosure
(党费收缴情况公开) as PDFs whose text extracts, and who may download them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests.dues.sheets import THIS
from xianfeng.dues import ledger
from xianfeng.dues.disclosure import disclosure
from xianfeng.dues.disclosure_pdf import render_disclosure
from xianfeng.dues.domain.declarations import declare_base
from xianfeng.dues.domain.payments import record_extra, record_payment
from xianfeng.dues.domain.remittances import record_remittance
from xianfeng.dues.models import Due
from xianfeng.dues.queries.lines import ledger_span
from xianfeng.dues.receipt_pdf import capital_yuan
from xianfeng.lib.dates import today

pytestmark = [pytest.mark.django_db]
Y = THIS.year


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _paid_year(tree):
    declare_base(member=tree.member_a, period=str(Y), monthly_base="3000")
    record_payment(member=tree.member_a, month=THIS, paid_on=today(), by=tree.users["secretary"])
    record_extra(member=tree.member_a, amount="100", paid_on=today(), note="七一")


@pytest.mark.parametrize(
    ("amount", "capital"),
    [
        ("0", "零元整"),
        ("0.20", "贰角整"),
        ("0.05", "伍分"),
        ("15.00", "壹拾伍元整"),
        ("180.50", "壹佰捌拾元伍角整"),
        ("1005.07", "壹仟零伍元零柒分"),
        ("100010.00", "壹拾万零壹拾元整"),
        ("2000000.00", "贰佰万元整"),
    ],
)
def test_dues_01_receipt_amount_in_capital_characters(amount, capital):
    assert capital_yuan(Decimal(amount)) == capital


def test_dues_01_receipt_pdf_holds_the_months_paid(client_for, tree):
    _paid_year(tree)
    response = client_for(tree.users["secretary"]).get(f"/dues/members/MA1/receipt/{Y}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    text = _text(response.content)
    assert "党费收据" in text and "张三" in text and "MA1" in text and "青山村党支部" in text
    assert f"{Y}年{THIS.month}月" in text and "15.00" in text
    day = today()
    assert f"{day.year}年{day.month}月{day.day}日" in text
    assert "自愿多交党费" in text and "100.00" in text
    assert f"{Y}年共交纳党费人民币115.00元（大写：壹佰壹拾伍元整）" in text
    assert "第 1 页 共 1 页" in text


@pytest.mark.parametrize(
    ("user", "status"),
    [("member", 200), ("county_officer", 200), ("county_viewer", 403), ("outsider", 404)],
)
def test_dues_01_receipt_only_for_the_member_and_their_officers(client_for, tree, user, status):
    _paid_year(tree)
    response = client_for(tree.users[user]).get(f"/dues/members/MA1/receipt/{Y}.pdf")
    assert response.status_code == status


def test_dues_01_receipt_year_out_of_range_is_missing(client_for, tree):
    client = client_for(tree.users["secretary"])
    assert client.get("/dues/members/MA1/receipt/1999.pdf").status_code == 404


def test_dues_01_pdf_years_are_the_ledgers(client_for, tree):
    ledger.refresh(Y - 2, [tree.member_a.pk])
    client = client_for(tree.users["secretary"])
    assert ledger_span() == (Y - 2, Y)
    assert client.get(f"/dues/members/MA1/receipt/{Y - 2}.pdf").status_code == 200
    assert client.get(f"/dues/members/MA1/receipt/{Y - 3}.pdf").status_code == 404
    assert client.get(f"/dues/orgs/CA-T1-B1/disclosure/{Y + 1}.pdf").status_code == 404
    assert client.get("/dues/orgs/CA-T1-B1/disclosure/99999.pdf").status_code == 404


def test_dues_01_disclosure_pdf_for_posting(client_for, tree):
    _paid_year(tree)
    record_remittance(
        org=tree.branch_a, period=f"{Y}-{THIS.month:02d}", amount="15", remitted_on=today()
    )
    response = client_for(tree.users["member"]).get(f"/dues/orgs/CA-T1-B1/disclosure/{Y}.pdf")
    assert response.status_code == 200
    text = _text(response.content)
    assert f"青山村党支部{Y}年度党费收缴情况公开" in text.replace("\n", "")
    assert "自愿多交党费100.00元" in text.replace("\n", "")
    assert "向上级党委上缴党费15.00元" in text.replace("\n", "")
    assert f"{Y}年{THIS.month}月" in text


@pytest.mark.parametrize(
    ("user", "status"),
    [("member", 200), ("county_viewer", 200), ("outsider", 404), ("nobody", 404)],
)
def test_dues_01_disclosure_for_the_scope_and_the_branch_members(client_for, tree, user, status):
    response = client_for(tree.users[user]).get(f"/dues/orgs/CA-T1-B1/disclosure/{Y}.pdf")
    assert response.status_code == status


def test_dues_01_disclosure_pdf_of_a_past_year_says_the_whole_year(tree):
    found = disclosure(tree.branch_a, Y - 1)
    assert found.as_of == dt.date(Y - 1, 12, 31)
    text = _text(render_disclosure(found)).replace("\n", "")
    assert f"{Y - 1}年全年" in text and "本年度尚未上缴" in text


def test_dues_01_last_years_disclosure_even_without_lines(client_for, tree):
    Due.objects.all().delete()
    assert ledger_span() == (Y - 1, Y)  # the year just ended is disclosed, lines or not
    client = client_for(tree.users["secretary"])
    assert client.get(f"/dues/orgs/CA-T1-B1/disclosure/{Y - 1}.pdf").status_code == 200
