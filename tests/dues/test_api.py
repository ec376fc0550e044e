"""The dues API (DUES-01, DUES-02): the ledger and why, an org's month, the treasurer's
one save by member codes, single payments, reversals, extra payments, closing, base
declarations, kinds, reductions proposed below and decided above, arrangements, totals
and arrears; scoped like the pages (404 out of scope; codes in a body read like missing)."""

from __future__ import annotations

import json

import pytest

from tests.dues.helpers import LAST, THIS, M, Y, label, with_ledgers
from xianfeng.dues.models import Due, MonthClose, Payment, Reduction

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    with_ledgers(tree)
    return tree


def _post(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_dues_01_api_ledger_explains_each_month(client_for, world):
    data = client_for(world.users["secretary"]).get(f"/api/dues/members/MA1?year={Y}").json()
    line = data["lines"][0]
    assert data["bases_visible"] is True and len(data["lines"]) == 12
    assert (line["base"], line["rate"], line["amount"]) == ("3000.00", "0.50", "15.00")
    assert line["explanation"] == "基数3000.00元 × 0.5% = 15.00元"
    assert data["declarations"][0]["monthly_base"] == "3000.00"


def test_dues_01_api_viewer_sees_no_bases(client_for, world):
    data = client_for(world.users["county_viewer"]).get("/api/dues/members/MA1").json()
    line = data["lines"][0]
    assert data["bases_visible"] is False and data["declarations"] == []
    assert (line["base"], line["rate"], line["amount"], line["explanation"]) == (
        None,
        None,
        None,
        "—",
    )


def test_dues_01_api_member_own_only(client_for, world):
    client = client_for(world.users["member"])
    assert client.get("/api/dues/members/MA1").status_code == 200
    assert client.get("/api/dues/members/MA2").status_code == 404
    assert (
        _post(client, "/api/dues/members/MA1/payments", {"month": label(THIS)}).status_code == 403
    )


def test_dues_01_api_record_month_by_codes(client_for, world):
    client = client_for(world.users["secretary"])
    path = f"/api/dues/orgs/CA-T1-B1/months/{label(THIS)}/payments"
    response = _post(client, path, {"members": ["MA1"]})
    assert response.status_code == 201 and response.json()[0]["amount"] == "15.00"
    month = client.get(f"/api/dues/orgs/CA-T1-B1/months/{label(THIS)}").json()
    assert month["lines"][0]["settled"] is True and month["unsettled"] == 0
    again = _post(client, path, {"members": ["MA1"]})
    assert again.status_code == 422 and "已交清" in again.json()["errors"]["month"][0]
    empty = _post(client, path, {})
    assert empty.status_code == 422 and "members" in empty.json()["errors"]


def test_dues_01_api_codes_in_a_body_out_of_scope_read_like_missing(client_for, world):
    client = client_for(world.users["secretary"])
    path = f"/api/dues/orgs/CA-T1-B1/months/{label(THIS)}/payments"
    answers = []
    for code in ["MB1", "NOPE9"]:
        response = _post(client, path, {"members": ["MA1", code]})
        answers.append((response.status_code, json.dumps(response.json()).replace(code, "X")))
    assert answers[0] == answers[1] and answers[0][0] == 422
    assert not Payment.objects.exists()


def test_dues_01_api_payment_reversal_and_extra(client_for, world):
    client = client_for(world.users["secretary"])
    paid = _post(client, "/api/dues/members/MA1/payments", {"month": label(THIS)})
    assert paid.status_code == 201
    [payment] = paid.json()
    bad = _post(client, "/api/dues/members/MA1/payments", {"month": label(THIS), "amount": "1.234"})
    assert bad.status_code == 422
    undone = _post(client, f"/api/dues/payments/{payment['id']}/reverse", {"note": "录错"})
    assert undone.status_code == 201 and undone.json()["amount"] == "-15.00"
    assert (
        _post(client, f"/api/dues/payments/{payment['id']}/reverse", {"note": "x"}).status_code
        == 422
    )
    ledger = client.get("/api/dues/members/MA1").json()
    month = next(line for line in ledger["lines"] if line["month"] == label(THIS))
    assert [p["kind"] for p in month["payments"]] == ["dues", "reversal"]
    assert month["payments"][0]["reversed_by"] == undone.json()["id"]
    extra = _post(client, "/api/dues/members/MA1/extra", {"amount": "50"})
    assert extra.status_code == 201 and extra.json()["kind"] == "extra"


def test_dues_01_api_declare_kind_arrangement(client_for, world):
    client = client_for(world.users["secretary"])
    declared = _post(
        client, "/api/dues/members/MA1/declarations", {"period": str(Y), "monthly_base": "10000.01"}
    )
    assert declared.status_code == 201 and declared.json()["monthly_base"] == "10000.01"
    assert Due.objects.get(member=world.member_a, month=THIS).amount == M("200.00")
    kind = _post(
        client, "/api/dues/members/MA1/kinds", {"kind": "retired", "started_on": f"{Y}-01-01"}
    )
    assert kind.status_code == 201
    bad = _post(
        client, "/api/dues/members/MA1/kinds", {"kind": "pirate", "started_on": f"{Y}-01-01"}
    )
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]
    arranged = _post(
        client,
        "/api/dues/members/MA1/arrangements",
        {"first_month": label(THIS), "agreed_on": THIS.isoformat()},
    )
    assert arranged.status_code == 201 and arranged.json()["last_month"] is None


def test_dues_01_api_reduction_decided_above(client_for, world):
    secretary = client_for(world.users["secretary"])
    body = {
        "first_month": label(THIS),
        "last_month": label(THIS),
        "monthly_amount": "0",
        "reason": "重病",
    }
    proposed = _post(secretary, "/api/dues/members/MA1/reductions", body)
    assert proposed.status_code == 201 and proposed.json()["state"] == "proposed"
    pk = proposed.json()["id"]
    assert secretary.get("/api/dues/reductions/pending").json() == []
    assert (
        _post(secretary, f"/api/dues/reductions/{pk}/decide", {"approve": True}).status_code == 403
    )
    officer = client_for(world.users["county_officer"])
    assert [r["id"] for r in officer.get("/api/dues/reductions/pending").json()] == [pk]
    decided = _post(officer, f"/api/dues/reductions/{pk}/decide", {"approve": True, "note": "同意"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert Reduction.objects.get().decided_by_org == world.county_a  # the officer's post
    outsider = client_for(world.users["outsider"])
    assert (
        _post(outsider, f"/api/dues/reductions/{pk}/decide", {"approve": False}).status_code == 404
    )


def test_dues_01_api_close_month(client_for, world):
    client = client_for(world.users["secretary"])
    path = f"/api/dues/orgs/CA-T1-B1/months/{label(THIS)}/close"
    assert client.post(path).status_code == 201
    assert client.post(path).status_code == 422
    assert MonthClose.objects.count() == 1
    town = client_for(world.users["county_officer"]).post(
        f"/api/dues/orgs/CA-T1/months/{label(THIS)}/close"
    )
    assert town.status_code == 422 and "不是党支部" in town.json()["errors"]["org"][0]


def test_dues_01_api_totals_and_arrears(client_for, world):
    client = client_for(world.users["county_officer"])
    totals = client.get(f"/api/dues/orgs/CA/totals?year={Y}").json()
    assert totals["children"][0]["org"] == "CA-T1" and len(totals["months"]) == 12
    assert totals["months"][0]["due"] == "15.00" and totals["total"]["in_arrears"] >= 1
    month = client.get(f"/api/dues/orgs/CA/totals?month={label(THIS)}").json()
    assert month["month"] == label(THIS) and month["children"][0]["due"] == "15.00"
    arrears = client.get("/api/dues/orgs/CA-T1/arrears?min=3").json()
    row = next(r for r in arrears["items"] if r["member"] == "MA1")
    assert row["level"] == "error" and row["months"][-1] == label(LAST)
    assert row["owed"] == str(M("15.00") * row["count"])
    viewer = client_for(world.users["county_viewer"]).get("/api/dues/orgs/CA-T1/arrears").json()
    assert all(r["owed"] is None for r in viewer["items"])


def test_dues_01_api_out_of_scope_is_404(client_for, world):
    client = client_for(world.users["secretary"])
    assert client.get("/api/dues/members/MB1").status_code == 404
    assert client.get(f"/api/dues/orgs/CB-T1-B1/months/{label(THIS)}").status_code == 404
    assert client.get("/api/dues/orgs/CB/totals").status_code == 404
    assert (
        _post(client, "/api/dues/members/MB1/payments", {"month": label(THIS)}).status_code == 404
    )
