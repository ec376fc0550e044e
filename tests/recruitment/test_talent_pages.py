"""Pages and endpoints of the talent pool (DEV-07)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_id
from xianfeng.recruitment.domain.talent import register_talent
from xianfeng.recruitment.models import Cultivation, Person, TalentEntry, TalentStatus

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def secretary(client_for, tree):
    return client_for(tree.users["secretary"])


def _entry(tree, **fields):
    data = {"name": "郑能手", "kind": "grower", "surveyed_on": D(2025, 1, 5), **fields}
    return register_talent(org=tree.branch_a, by=None, **data)


def test_dev_07_survey_form_and_list(secretary, tree):
    assert "致富能手" in secretary.get("/recruitment/orgs/CA-T1-B1/talent/new/").content.decode()
    data = {"name": "钱经纪", "kind": "broker", "tags": ["致富能手"], "surveyed_on": "2025-02-01"}
    response = secretary.post("/recruitment/orgs/CA-T1-B1/talent/new/", data)
    entry = TalentEntry.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/recruitment/talent/{entry.pk}/"
    )
    listed = secretary.get("/recruitment/orgs/CA-T1/talent/?kind=broker&tag=致富能手")
    assert listed.status_code == 404  # the town is above the secretary's scope
    body = secretary.get(
        "/recruitment/orgs/CA-T1-B1/talent/?kind=broker&tag=致富能手"
    ).content.decode()
    assert "钱经纪" in body
    assert (
        "钱经纪"
        not in secretary.get("/recruitment/orgs/CA-T1-B1/talent/?kind=grower").content.decode()
    )


def test_dev_07_survey_form_shows_field_errors(secretary, tree):
    data = {"name": "钱经纪", "kind": "broker", "id_number": "123", "surveyed_on": "2025-02-01"}
    response = secretary.post("/recruitment/orgs/CA-T1-B1/talent/new/", data)
    assert response.status_code == 400 and "身份证号" in response.content.decode()
    assert not TalentEntry.objects.exists()


def test_dev_07_detail_shows_masked_number_and_moves(secretary, tree):
    number = make_id(D(1990, 5, 17))
    entry = _entry(tree, id_number=number)
    body = secretary.get(f"/recruitment/talent/{entry.pk}/").content.decode()
    assert entry.id_number_masked in body and number not in body
    response = secretary.post(
        f"/recruitment/talent/{entry.pk}/cultivate/", {"started_on": "2025-03-01"}
    )
    found = Cultivation.objects.get()
    assert response["Location"] == f"/recruitment/cultivations/{found.pk}/"
    response = secretary.post(
        f"/recruitment/talent/{entry.pk}/pipeline/", {"applied_on": "2025-04-01"}
    )
    assert response.status_code == 302
    assert Person.objects.get().talent == entry


def test_dev_07_edit_and_left(secretary, tree):
    entry = _entry(tree)
    edit = f"/recruitment/talent/{entry.pk}/edit/"
    assert secretary.get(edit).status_code == 200
    data = {"name": "郑能手", "kind": "skilled", "tags": ["科技骨干"], "occupation": "电工"}
    assert secretary.post(edit, data).status_code == 302
    left = secretary.post(
        f"/recruitment/talent/{entry.pk}/left/", {"on": "2025-06-01", "reason": "迁出"}
    )
    assert left.status_code == 302
    entry.refresh_from_db()
    assert (entry.kind, entry.tags, entry.status) == ("skilled", ["科技骨干"], TalentStatus.LEFT)


def test_dev_07_left_form_error(secretary, tree):
    entry = _entry(tree)
    response = secretary.post(f"/recruitment/talent/{entry.pk}/left/", {"on": "2025-06-01"})
    assert response.status_code == 400 and "出库原因" in response.content.decode()


def test_dev_07_api(client_for, tree):
    client = client_for(tree.users["secretary"])
    body = {"name": "孙技工", "kind": "skilled", "tags": ["科技骨干"], "surveyed_on": "2025-02-01"}
    created = client.post(
        "/api/recruitment/orgs/CA-T1-B1/talent", body, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.get(f"/api/recruitment/talent/{pk}").json()["tags"] == ["科技骨干"]
    assert [
        r["id"] for r in client.get("/api/recruitment/orgs/CA-T1-B1/talent?tag=科技骨干").json()
    ] == [pk]
    bad = client.post(
        "/api/recruitment/orgs/CA-T1-B1/talent",
        {**body, "tags": ["x"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"]["tags"][0].startswith("未知的人才标签")
    cultivated = client.post(
        f"/api/recruitment/talent/{pk}/cultivate",
        {"started_on": "2025-03-01"},
        content_type="application/json",
    )
    assert cultivated.status_code == 201 and cultivated.json()["track"] == "talent_to_member"
    applied = client.post(
        f"/api/recruitment/talent/{pk}/pipeline",
        {"applied_on": "2025-04-01", "id_number": make_id(D(1992, 1, 1))},
        content_type="application/json",
    )
    assert applied.status_code == 201 and applied.json()["stage"] == "applicant"
    left = client.post(
        f"/api/recruitment/talent/{pk}/left",
        {"on": "2025-06-01", "reason": "迁出"},
        content_type="application/json",
    )
    assert left.json()["status"] == "left"
