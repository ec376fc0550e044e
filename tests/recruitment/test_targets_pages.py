"""Pages and endpoints of the yearly targets (DEV-06): the decomposition with its warning,
setting a child's target (only from the org above), the targets-vs-progress table."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.recruitment.domain.cultivation import open_cultivation, set_cultivation_status
from xianfeng.recruitment.domain.targets import set_target
from xianfeng.recruitment.models import Target

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def city(client_for, tree):
    return client_for(tree.users["city_admin"])


def test_dev_06_set_a_child_target_and_see_the_shortfall(city, tree):
    set_target(setter=tree.city, org="CITY", year=2025, kind="promoted", value=500, by=None)
    data = {"org": "CA", "year": "2025", "kind": "promoted", "value": "300"}
    response = city.post("/recruitment/orgs/CITY/targets/?year=2025", data)
    assert response.status_code == 302 and response["Location"].endswith("?year=2025")
    body = city.get("/recruitment/orgs/CITY/targets/?year=2025").content.decode()
    assert "下级党组织的目标之和低于本级目标" in body and "差200" in body


def test_dev_06_form_refuses_what_is_not_a_child(city, tree):
    data = {"org": "CA-T1", "year": "2025", "kind": "promoted", "value": "3"}
    response = city.post("/recruitment/orgs/CITY/targets/", data)
    assert response.status_code == 400 and "没有找到下级党组织“CA-T1”" in response.content.decode()


def test_dev_06_a_branch_may_not_set_its_own(client_for, tree):
    client = client_for(tree.users["secretary"])
    page = client.get("/recruitment/orgs/CA-T1-B1/targets/").content.decode()
    assert "下达年度目标" in page  # its admin sets its party groups' … none: no children
    data = {"org": "CA-T1-B1", "year": "2025", "kind": "promoted", "value": "3"}
    assert client.post("/recruitment/orgs/CA-T1-B1/targets/", data).status_code == 400
    assert not Target.objects.exists()


def test_dev_06_progress_table(city, tree):
    set_target(setter=tree.city, org="CA", year=2025, kind="member_to_talent", value=4, by=None)
    from tests.factories import make_member

    make_member(tree.branch_a, code="MA5")
    found = open_cultivation(
        org=tree.branch_a, track="member_to_talent", member="MA5", started_on=D(2025, 3, 1), by=None
    )
    set_cultivation_status(cultivation=found, status="done", on=D(2025, 6, 1), by=None)
    page = city.get("/recruitment/orgs/CITY/targets/progress/?year=2025")
    body = page.content.decode()
    assert page.status_code == 200 and "东县县委" in body and "1 / 4" in body
    table = city.get("/api/recruitment/orgs/CITY/progress?year=2025").json()
    assert table["rows"][0]["progress"]["member_to_talent"] == 1


def test_dev_06_api(city, tree):
    body = {"org": "CA", "year": 2025, "kind": "admissions", "value": 40}
    saved = city.post("/api/recruitment/orgs/CITY/targets", body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["set_by"] == "CITY"
    listed = city.get("/api/recruitment/orgs/CITY/targets?year=2025").json()
    assert listed["children"][0] == {"org": "CA", "name": "东县县委", "targets": {"admissions": 40}}
    refused = city.post(
        "/api/recruitment/orgs/CITY/targets",
        {**body, "org": "NOPE"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["errors"]["org"] == [
        "没有找到下级党组织“NOPE”"
    ]
