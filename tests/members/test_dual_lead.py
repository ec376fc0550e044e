"""Dual-lead members (“双带”型党员, MEM-03): recognition per year with type and evidence,
the share per org this year against last year, the org's page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member
from xianfeng.members import talents
from xianfeng.members.models import DualLead

pytestmark = pytest.mark.django_db
D = dt.date


def recognize(member, year=2025, by=None, **fields):
    values = {"type": "entrepreneurship", "evidence": "带头种植葡萄，带动10户增收"}
    values |= fields
    return talents.record_dual_lead(
        member=member, year=year, recognized_on=D(year, 12, 1), by=by, **values
    )


def test_mem_03_recognition_keeps_type_evidence_and_actor(tree):
    secretary = tree.users["secretary"]
    record = recognize(tree.member_a, by=secretary)
    assert (record.year, record.type, record.get_type_display()) == (
        2025,
        "entrepreneurship",
        "创业致富型",
    )
    assert record.history.get().history_user == secretary


def test_mem_03_once_a_year_per_member(tree):
    recognize(tree.member_a)
    with pytest.raises(ValidationError) as error:
        recognize(tree.member_a, type="innovation")
    assert error.value.message_dict == {"year": ["张三已认定为2025年度“双带”型党员"]}
    recognize(tree.member_a, year=2024)
    assert DualLead.objects.count() == 2


def test_mem_03_recognition_before_the_year_is_refused(tree):
    with pytest.raises(ValidationError) as error:
        talents.record_dual_lead(
            member=tree.member_a,
            year=2025,
            type="excellence",
            evidence="服务标兵",
            recognized_on=D(2024, 12, 31),
            by=None,
        )
    assert error.value.message_dict == {"recognized_on": ["认定日期不能早于2025年"]}


def test_mem_03_member_out_of_scope_reads_as_missing(tree):
    with pytest.raises(ValidationError) as error:
        recognize(tree.member_b, by=tree.users["secretary"])
    assert error.value.message_dict == {"member": ["没有找到党员“MB1”"]}
    assert not DualLead.objects.exists()


def test_mem_03_update_and_withdraw_keep_history(tree):
    record = recognize(tree.member_a)
    talents.update_dual_lead(dual_lead=record, type="innovation", evidence="技术革新", by=None)
    record.refresh_from_db()
    assert (record.type, record.evidence) == ("innovation", "技术革新")
    talents.withdraw_dual_lead(dual_lead=record, by=tree.users["secretary"])
    assert not DualLead.objects.exists()
    assert DualLead.history.filter(history_type="-").count() == 1


def test_mem_03_share_per_child_org_this_year_against_last(tree):
    # branch A: 1 of 2 members in 2025, 0 of 2 in 2024 → rose; branch A2: 0 of 1 both years
    make_member(tree.branch_a, code="MA5", joined_on=D(2010, 7, 1))
    recognize(tree.member_a, year=2025)
    recognize(tree.member_a2, year=2023)  # an older year counts nowhere here
    rows = talents.dual_lead_shares(tree.town_a, 2025)
    got = [
        (r.org.code, r.this_year.members, r.this_year.dual_lead, r.last_year.dual_lead, r.rose)
        for r in rows
    ]
    assert got == [
        ("CA-T1", 3, 1, 0, True),
        ("CA-T1-B1", 2, 1, 0, True),
        ("CA-T1-B2", 1, 0, 0, False),
    ]
    assert rows[1].this_year.percent == "50.0%"


def test_mem_03_share_counts_members_placed_at_the_year_end(tree):
    joined_late = make_member(
        tree.branch_a, code="MA6", status="probationary", joined_on=D(2025, 3, 1)
    )
    recognize(joined_late, year=2025)
    [town, *_] = talents.dual_lead_shares(tree.town_a, 2024)
    assert (town.this_year.members, town.this_year.dual_lead) == (2, 0)
    [town, *_] = talents.dual_lead_shares(tree.town_a, 2025)
    assert (town.this_year.members, town.this_year.dual_lead) == (3, 1)


def test_mem_03_org_page_lists_members_and_shares(client_for, tree):
    recognize(tree.member_a)
    page = client_for(tree.users["county_viewer"]).get("/members/orgs/CA-T1/dual-lead/?year=2025")
    body = page.content.decode()
    assert page.status_code == 200
    assert "张三" in body and "创业致富型" in body and "带头种植葡萄" in body
    assert "50.0%" in body


def test_mem_03_member_page_adds_a_recognition(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {
        "year": 2025,
        "type": "innovation",
        "evidence": "引进新品种",
        "recognized_on": "2025-12-01",
    }
    response = client.post("/members/MA1/talents/dual-lead/", data)
    assert response.status_code == 302
    assert DualLead.objects.get().type == "innovation"
    again = client.post("/members/MA1/talents/dual-lead/", data)
    assert again.status_code == 200 and "已认定为2025年度" in again.content.decode()


def test_mem_03_viewer_cannot_add(client_for, tree):
    data = {"year": 2025, "type": "innovation", "evidence": "x", "recognized_on": "2025-12-01"}
    response = client_for(tree.users["county_viewer"]).post("/members/MA1/talents/dual-lead/", data)
    assert response.status_code == 403
    assert not DualLead.objects.exists()


def test_mem_03_api_records_lists_and_withdraws(client_for, tree):
    client = client_for(tree.users["secretary"])
    body = {
        "year": 2025,
        "type": "excellence",
        "evidence": "窗口服务标兵",
        "recognized_on": "2025-11-01",
    }
    created = client.post("/api/members/MA1/dual-leads", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["type_label"] == "创优提质型"
    listed = client.get("/api/members/orgs/CA-T1-B1/dual-leads?year=2025").json()
    assert [(r["member"], r["year"]) for r in listed] == [("MA1", 2025)]
    shares = client.get("/api/members/orgs/CA-T1-B1/dual-lead-shares?year=2025").json()
    assert (shares[0]["org"], shares[0]["members"], shares[0]["dual_lead"]) == ("CA-T1-B1", 1, 1)
    refused = client.post("/api/members/MA1/dual-leads", body, content_type="application/json")
    assert refused.status_code == 422
    pk = created.json()["id"]
    assert client.delete(f"/api/members/MA1/dual-leads/{pk}").status_code == 204
    assert not DualLead.objects.exists()
