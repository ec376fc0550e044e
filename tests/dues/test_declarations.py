"""DUES-01: a base declared from a month (`2025-07`) to the end of its year — a member who
retires in July pays on the salary up to June with the salaried brackets and on the
pension from July with the retired ones; a later month's declaration takes over from its
month; the self-employed mix quarters and months; a year without a declaration carries
the latest one over. Through the domain (the ledger refreshed as it declares), the page,
the API and the import."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.dues.sheets import BASES, KINDS, rows_of, xlsx
from tests.factories import make_member
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.dues import ledger
from xianfeng.dues.domain.declarations import declare_base, set_dues_kind
from xianfeng.dues.models import Declaration, Due
from xianfeng.lib.dates import today

pytestmark = pytest.mark.django_db
D = dt.date
M = Decimal
Y = today().year


def _segments(*parts: tuple[int, int, str, str, str]) -> list[tuple[str, str, str]]:
    """(first month, last month, kind, base period, amount) → one (kind, period, amount)
    a month, January to December; "{Y}" and "{P}" stand for this year and the last."""
    months: list[tuple[str, str, str]] = []
    for first, last, kind, period, amount in parts:
        shown = period.format(Y=Y, P=Y - 1)
        months += [(kind, shown, amount)] * (last - first + 1)
    return months


MONTH_DECLARATIONS = [
    # (id, kinds [(kind, started on)], declarations [(period, base)], expected months)
    (
        "retired_in_july_pension_from_july",
        [("retired", D(Y, 7, 1))],
        [("{Y}", "8000"), ("{Y}-07", "4000")],
        _segments(
            (1, 6, "salaried", "{Y}", "120.00"),  # 8000 × 1.5% (salaried)
            (7, 12, "retired", "{Y}-07", "20.00"),  # 4000 × 0.5% (retired)
        ),
    ),
    (
        "retired_mid_july_counts_from_july",
        [("retired", D(Y, 7, 15))],
        [("{Y}", "8000"), ("{Y}-07", "5000.01")],
        _segments(
            (1, 6, "salaried", "{Y}", "120.00"),
            (7, 12, "retired", "{Y}-07", "50.00"),  # 5000.01 × 1% (retired)
        ),
    ),
    (
        "retired_in_july_pension_not_yet_declared",
        [("retired", D(Y, 7, 1))],
        [("{Y}", "8000")],
        _segments(
            (1, 6, "salaried", "{Y}", "120.00"),
            (7, 12, "retired", "{Y}", "80.00"),  # the salary with the retired brackets
        ),
    ),
    (
        "two_month_declarations_in_one_year",
        [],
        [("{Y}", "3000"), ("{Y}-04", "5000"), ("{Y}-09", "10000.01")],
        _segments(
            (1, 3, "salaried", "{Y}", "15.00"),
            (4, 8, "salaried", "{Y}-04", "50.00"),
            (9, 12, "salaried", "{Y}-09", "200.00"),
        ),
    ),
    (
        "month_declaration_without_the_years",
        [],
        [("{Y}-05", "3000")],
        _segments((1, 4, "salaried", "", ""), (5, 12, "salaried", "{Y}-05", "15.00")),
    ),
    (
        "self_employed_quarters_then_a_month",
        [("self_employed", D(2010, 7, 1))],
        [("{Y}-Q1", "3000"), ("{Y}-Q2", "4000"), ("{Y}-05", "6000"), ("{Y}-Q3", "2000")],
        _segments(
            (1, 3, "self_employed", "{Y}-Q1", "15.00"),
            (4, 4, "self_employed", "{Y}-Q2", "40.00"),
            (5, 6, "self_employed", "{Y}-05", "90.00"),
            (7, 9, "self_employed", "{Y}-Q3", "10.00"),  # the one that started last
            (10, 12, "self_employed", "{Y}-05", "90.00"),  # the month's holds to December
        ),
    ),
    (
        "self_employed_month_before_the_quarters",
        [("self_employed", D(2010, 7, 1))],
        [("{Y}-01", "3000"), ("{Y}-Q3", "2000")],
        _segments(
            (1, 6, "self_employed", "{Y}-01", "15.00"),
            (7, 9, "self_employed", "{Y}-Q3", "10.00"),
            (10, 12, "self_employed", "{Y}-01", "15.00"),
        ),
    ),
    (
        "last_years_month_carried_over",
        [("retired", D(Y - 1, 7, 1))],
        [("{P}", "8000"), ("{P}-07", "4000")],
        _segments((1, 12, "retired", "{P}-07", "20.00")),
    ),
]


@pytest.mark.parametrize(
    "kinds, declared, expected",
    [row[1:] for row in MONTH_DECLARATIONS],
    ids=[f"test_dues_01_{row[0]}" for row in MONTH_DECLARATIONS],
)
def test_dues_01_month_declarations(tree, kinds, declared, expected) -> None:
    member = tree.member_a  # salaried by category, joined 2010-07
    for kind, started_on in kinds:
        set_dues_kind(member=member, kind=kind, started_on=started_on)
    ledger.refresh(Y, [member.pk])
    for period, base in declared:  # each declaration refreshes the member's lines
        declare_base(member=member, period=period.format(Y=Y, P=Y - 1), monthly_base=base)

    lines = Due.objects.filter(member=member, month__year=Y).order_by("month")
    got = [(d.kind, d.base_period, "" if d.amount is None else str(d.amount)) for d in lines]
    assert got == expected
    computed = ledger.compute(Y, [member.pk])
    assert [(line.kind, line.base_period) for line in computed] == [g[:2] for g in got]


@pytest.mark.parametrize(
    "period, field, message",
    [
        ("{Y}-13", "period", "申报期间的月份应为 01–12"),
        ("{Y}-00", "period", "申报期间的月份应为 01–12"),
        ("{Y}-7月", "period", "申报期间应写作"),
        ("{N}-01", "period", "不能申报明年以后的基数"),
        ("2010-06", "period", "申报起始月份不能早于入党的月份（2010年7月）"),
        ("{Y}-Q3", "period", "按季度申报仅适用于"),
    ],
)
def test_dues_01_month_declaration_refused_naming_the_field(tree, period, field, message):
    with pytest.raises(ValidationError) as refused:
        declare_base(member=tree.member_a, period=period.format(Y=Y, N=Y + 2), monthly_base="1")
    assert any(message in text for text in refused.value.message_dict[field])
    assert not Declaration.objects.exists()


def test_dues_01_month_declaration_needs_a_based_kind_from_that_month(tree):
    member = tree.member_a
    set_dues_kind(member=member, kind="minimum", started_on=D(Y, 3, 1))
    with pytest.raises(ValidationError, match="不需申报基数"):
        declare_base(member=member, period=f"{Y}-05", monthly_base="1000")
    found = declare_base(member=member, period=f"{Y}-2", monthly_base="1000")  # February
    assert found.period == f"{Y}-02"


# --------------------------------------------------------------------------- the page


def _retired_in_july(tree: Any) -> None:
    member = tree.member_a
    declare_base(member=member, period=str(Y), monthly_base="8000")
    set_dues_kind(member=member, kind="retired", started_on=D(Y, 7, 1), note="退休")


def test_dues_01_kind_changed_mid_year_page_offers_the_month(client_for, tree):
    _retired_in_july(tree)
    client = client_for(tree.users["secretary"])
    body = client.get(f"/dues/members/MA1/?year={Y}").content.decode()
    assert f"党费类别自{Y}年7月起变更：请申报自{Y}年7月起的月缴费基数" in body
    assert f'name="period" value="{Y}-07"' in body  # the declare form opens on July

    response = client.post(
        "/dues/members/MA1/declarations/", {"period": f"{Y}-07", "monthly_base": "4000"}
    )
    assert response.status_code == 302
    body = client.get(f"/dues/members/MA1/?year={Y}").content.decode()
    assert "请申报自" not in body and f"<td>自{Y}年7月起</td>" in body
    assert f"基数4000.00元 × 0.5% = 20.00元（自{Y}年7月起申报的基数）" in body
    assert "基数8000.00元 × 1.5% = 120.00元" in body  # January to June


def test_dues_01_kind_changed_in_january_or_to_a_fixed_amount_offers_nothing(client_for, tree):
    member = tree.member_a
    set_dues_kind(member=member, kind="retired", started_on=D(Y, 1, 1))
    set_dues_kind(member=member, kind="minimum", started_on=D(Y, 9, 1))
    body = client_for(tree.users["secretary"]).get(f"/dues/members/MA1/?year={Y}")
    assert "请申报自" not in body.content.decode()


def test_dues_01_viewer_sees_no_month_hint(client_for, tree):
    _retired_in_july(tree)
    body = client_for(tree.users["county_viewer"]).get(f"/dues/members/MA1/?year={Y}")
    assert "请申报自" not in body.content.decode()


# --------------------------------------------------------------------------- the API


def test_dues_01_api_declares_from_a_month(client_for, tree):
    _retired_in_july(tree)
    client = client_for(tree.users["secretary"])
    body = json.dumps({"period": f"{Y}-7", "monthly_base": "4000"})
    response = client.post(
        "/api/dues/members/MA1/declarations", body, content_type="application/json"
    )
    assert response.status_code == 201
    assert (response.json()["period"], response.json()["period_name"]) == (
        f"{Y}-07",
        f"自{Y}年7月起",
    )
    data = client.get(f"/api/dues/members/MA1?year={Y}").json()
    assert [(d["period"], d["period_name"]) for d in data["declarations"]] == [
        (f"{Y}-07", f"自{Y}年7月起"),
        (str(Y), f"{Y}年"),
    ]
    july = data["lines"][6]
    assert (july["kind"], july["base_period"], july["amount"]) == ("retired", f"{Y}-07", "20.00")
    bad = client.post(
        "/api/dues/members/MA1/declarations",
        json.dumps({"period": f"{Y}-13", "monthly_base": "4000"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"period": [f"申报期间的月份应为 01–12，收到“{Y}-13”"]}


# --------------------------------------------------------------------------- import, export


@pytest.mark.parametrize(
    "cell", [f"{Y}-07", f"{Y}-7", f"{Y}年7月", f"{Y}年7月起", f"{Y}/07", D(Y, 7, 1)]
)
def test_dues_01_import_takes_a_month_period(tmp_path, tree, cell):
    sheets = {
        "党费类别": [KINDS, ["MA1", "张三", "离退休", f"{Y}-07-01", "退休"]],
        "党费基数申报": [
            BASES,
            ["MA1", "", str(Y), "8000", "", ""],
            ["MA1", "", cell, "4000", "", ""],
        ],
    }
    run_import(xlsx(tmp_path / "in.xlsx", sheets), filename="in.xlsx")
    assert sorted(Declaration.objects.values_list("period", flat=True)) == [str(Y), f"{Y}-07"]
    july = Due.objects.get(member=tree.member_a, month=D(Y, 7, 1))
    assert (july.kind, july.amount) == ("retired", M("20.00"))


@pytest.mark.parametrize("cell", [f"{Y}-13", f"{Y}-7-8-9", "7月"])
def test_dues_01_import_refuses_a_bad_month_period(tmp_path, tree, cell):
    sheets = {"党费基数申报": [BASES, ["MA1", "", cell, "4000", "", ""]]}
    with pytest.raises(ImportFailed) as failed:
        run_import(xlsx(tmp_path / "in.xlsx", sheets), filename="in.xlsx")
    [error] = failed.value.errors
    assert error.column == "申报期间" and "申报期间应写作" in error.message
    assert not Declaration.objects.exists()


def test_dues_01_month_period_exported_and_reimported_unchanged(tmp_path, tree):
    _retired_in_july(tree)
    declare_base(member=tree.member_a, period=f"{Y}-07", monthly_base="4000")
    path = tmp_path / "bases.xlsx"
    export(kind="dues_declarations", target=path, user=None)
    periods = [row[2] for row in rows_of(path)[1:]]
    assert periods == [str(Y), f"{Y}-07"]
    again = run_import(path, filename="bases.xlsx")
    assert again.counts["dues_declarations"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_dues_01_member_joined_mid_year_declares_from_the_joining_month(tree):
    member = make_member(tree.branch_a, status="probationary", joined_on=D(Y, 3, 20))
    ledger.refresh(Y, [member.pk])
    declare_base(member=member, period=f"{Y}-03", monthly_base="3000")
    amounts = dict(Due.objects.filter(member=member).values_list("month", "amount"))
    assert amounts[D(Y, 3, 1)] == M("15.00") and D(Y, 2, 1) not in amounts


def test_dues_01_month_period_in_english(client_for, tree):
    from django.conf import settings
    from django.utils import translation

    _retired_in_july(tree)
    client = client_for(tree.users["secretary"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = f"/dues/members/MA1/?year={Y}"
    with translation.override(settings.LANGUAGE_CODE):  # the request's English stays inside
        body = client.get(page).content.decode()
        assert f"Dues kind changed from {Y}-07: declare the monthly dues base from {Y}-07" in body
        declare_base(member=tree.member_a, period=f"{Y}-08", monthly_base="4000")
        body = client.get(page).content.decode()
    assert f"(base declared from {Y}-08)" in body and f"<td>from {Y}-08</td>" in body
