"""Study endpoints (STUDY-01, STUDY-02, STUDY-04): records, courses, training classes and
a member's hours, scoped like the pages; the hours agree with the rule and the page."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.compliance.engine import evaluate
from xianfeng.lib.dates import parse_period, today
from xianfeng.study import domain
from xianfeng.study.models import Enrollment, StudyRecord

pytestmark = pytest.mark.django_db
D = dt.date


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_study_01_create_and_list_records(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {"member": "MA1", "source": "imported", "studied_on": "2025-04-01", "hours": "3.5"}
    response = _post(client, "/api/study/orgs/CA-T1-B1/records", {**data, "title": "党校培训"})
    assert response.status_code == 201
    assert response.json()["hours"] == "3.5"
    assert response.json()["org"] == "CA-T1-B1"
    listed = client.get("/api/study/orgs/CA-T1-B1/records?year=2025").json()
    assert [(r["member"], r["title"]) for r in listed["items"]] == [("MA1", "党校培训")]
    assert client.get("/api/study/orgs/CA-T1-B1/records?year=2024").json()["count"] == 0


def test_study_01_record_refusals_are_422_with_field_errors(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {"member": "MA1", "source": "imported", "studied_on": "2025-04-01", "hours": "1.25"}
    response = _post(client, "/api/study/orgs/CA-T1-B1/records", {**data, "title": "党校"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"hours": ["学时最多保留一位小数，如 1.5"]}
    data = {"member": "MA2", "source": "online", "studied_on": "2025-04-01", "title": "t"}
    response = _post(client, "/api/study/orgs/CA-T1-B1/records", data)
    assert response.status_code == 422  # MA2 is outside the secretary's branch
    assert StudyRecord.objects.count() == 0


def test_study_02_courses_filter_by_kind_and_tag(client_for, tree):
    client = client_for(tree.users["county_officer"])
    data = {"title": "学习准则", "kind": "lecture", "hours": "2", "tags": ["准则"]}
    assert _post(client, "/api/study/orgs/CA/courses", data).status_code == 201
    data = {"title": "电商入门", "kind": "practical", "hours": "4", "tags": ["实用技术"]}
    assert _post(client, "/api/study/orgs/CA/courses", data).status_code == 201
    secretary = client_for(tree.users["secretary"])
    listed = secretary.get("/api/study/orgs/CA-T1-B1/courses?tag=准则").json()
    assert [c["title"] for c in listed] == ["学习准则"]  # published above the branch
    listed = secretary.get("/api/study/orgs/CA-T1-B1/courses?kind=practical").json()
    assert [(c["title"], c["hours"], c["has_file"]) for c in listed] == [("电商入门", "4.0", False)]


def test_study_04_class_with_attendance_credits_hours(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {
        "kind": "rotation",
        "title": "集中轮训",
        "starts_on": "2025-05-06",
        "ends_on": "2025-05-07",
        "days": "2",
        "hours": "16",
        "members": ["MA1"],
    }
    response = _post(client, "/api/study/orgs/CA-T1-B1/classes", data)
    assert response.status_code == 201
    class_id = response.json()["id"]
    assert response.json()["enrollments"][0]["status"] == "enrolled"
    path = f"/api/study/classes/{class_id}/attendance"
    response = _post(client, path, {"attended": ["MA1"], "hours": "12"})
    assert response.status_code == 200
    assert response.json()["enrollments"] == [
        {"member": "MA1", "name": "张三", "status": "attended", "hours": "12.0"}
    ]
    hours = client.get("/api/study/members/MA1/hours?year=2025").json()
    training = next(s for s in hours["sources"] if s["source"] == "training")
    assert (training["hours"], training["counted"]) == ("12.0", "12.0")
    listed = client.get("/api/study/orgs/CA-T1-B1/classes?year=2025").json()
    assert [c["title"] for c in listed] == ["集中轮训"]


def test_study_04_viewer_cannot_record_attendance(client_for, tree):
    day = D(2025, 5, 6)
    training = domain.create_training_class(
        org=tree.branch_a, kind="other", title="t", starts_on=day, ends_on=day, days=1, hours=4
    )
    viewer = client_for(tree.users["county_viewer"])
    path = f"/api/study/classes/{training.pk}/attendance"
    assert _post(viewer, path, {"attended": ["MA1"]}).status_code == 403
    assert Enrollment.objects.count() == 0


def test_study_01_member_hours_agree_with_the_rule(client_for, tree):
    domain.record_study(
        member=tree.member_a, source="imported", studied_on=D(2025, 3, 1), hours=20, title="党校"
    )
    for month in range(1, 11):  # 20 online hours, only 16 counted
        domain.record_study(
            member=tree.member_a,
            source="online",
            studied_on=D(2025, month, 2),
            hours=2,
            title=f"网络学习{month}",
            course=domain.create_course(
                org=tree.town_a,
                title=f"课程{month}",
                kind="lecture",
                hours=2,
                published_on=D(2025, 1, 1),
            ),
        )
    hours = client_for(tree.users["member"]).get("/api/study/members/MA1/hours?year=2025").json()
    assert (hours["judged"], hours["ended"]) == (True, today().year > 2025)
    assert (hours["total"], hours["required"], hours["behind"]) == ("36.0", "32.0", "0.0")
    online = next(s for s in hours["sources"] if s["source"] == "online")
    assert (online["hours"], online["counted"]) == ("20.0", "16.0")
    found, _n = evaluate(
        roots=[tree.city], period=parse_period("2025"), as_of=today(), rule_ids=["STUDY-01"]
    )
    assert [f for _rule, f in found if f.member_id == tree.member_a.pk] == []
    other = client_for(tree.users["secretary"]).get("/api/study/members/MA2/hours?year=2025")
    assert other.status_code == 404
