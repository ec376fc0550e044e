"""Pages and endpoints of the three cultivations (DEV-03 … DEV-05): the list per org with
the sector focus and the unpaired leaders, the file with its forms, and the API."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.recruitment.test_cultivation import build_pairing_world
from xianfeng.recruitment.domain import cultivation as domain
from xianfeng.recruitment.models import Cultivation, CultivationEntry, CultivationStatus

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world(tree):
    return build_pairing_world(tree)


@pytest.fixture
def secretary(client_for, world):
    return client_for(world.tree.users["secretary"])


def _file(world, **extra):
    return domain.open_cultivation(
        org=world.tree.branch_a,
        track="member_to_talent",
        member="MA5",
        started_on=D(2025, 3, 1),
        by=None,
        **extra,
    )


def test_dev_03_list_shows_files_focus_and_unpaired_leaders(secretary, world):
    _file(world)
    body = secretary.get("/recruitment/orgs/CA-T1-B1/cultivations/").content.decode()
    assert "吴培养" in body and "未结对" in body
    assert "致富能手" in body and "村干部" in body  # DEV-04: the rural focus
    assert "孙书记" in body  # DEV-05: the branch secretary has no track (b) pair yet


def test_dev_03_list_filters_by_track(secretary, world):
    _file(world)
    page = secretary.get("/recruitment/orgs/CA-T1-B1/cultivations/?track=talent_to_cadre")
    assert page.status_code == 200 and "吴培养" not in page.content.decode()


def test_dev_03_open_a_file_through_the_form(secretary, world):
    data = {
        "track": "talent_to_member",
        "talent": world.talent.pk,
        "pair": "MA3",
        "started_on": "2025-03-01",
    }
    response = secretary.post("/recruitment/orgs/CA-T1-B1/cultivations/new/", data)
    found = Cultivation.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/recruitment/cultivations/{found.pk}/"
    )
    assert found.pair.code == "MA3"


def test_dev_05_form_shows_the_pairing_refusal(secretary, world):
    data = {"track": "talent_to_cadre", "member": "MA5", "pair": "MA3", "started_on": "2025-03-01"}
    response = secretary.post("/recruitment/orgs/CA-T1-B1/cultivations/new/", data)
    body = response.content.decode()
    assert (
        response.status_code == 400
        and "结对领导应为本组织或上级党委（乡镇（街道）、基层单位）的班子成员" in body
    )
    assert not Cultivation.objects.exists()


def test_dev_03_entry_pair_and_status_through_the_file_page(secretary, client_for, world):
    found = _file(world)
    base = f"/recruitment/cultivations/{found.pk}/"
    assert secretary.get(base).status_code == 200
    entry = {"on": "2025-04-01", "kind": "training", "title": "种植技术培训", "hours": "4"}
    assert secretary.post(base + "entries/", entry).status_code == 302
    out_of_reach = secretary.post(base + "pair/", {"pair": "MA2", "on": "2025-04-01"})
    assert "没有找到结对领导“MA2”" in out_of_reach.content.decode()  # MA2: another branch
    officer = client_for(world.tree.users["county_officer"])
    assert officer.post(base + "pair/", {"pair": "MA2", "on": "2025-04-01"}).status_code == 302
    assert (
        secretary.post(base + "status/", {"status": "done", "on": "2025-12-01"}).status_code == 302
    )
    found.refresh_from_db()
    assert (found.pair.code, found.status) == ("MA2", CultivationStatus.DONE)
    assert CultivationEntry.objects.get().title == "种植技术培训"
    page = secretary.get(base).content.decode()
    assert "种植技术培训" in page and "添加培养记录" not in page


def test_dev_03_entry_refusal_shows_on_the_page(secretary, world):
    found = _file(world)
    entry = {"on": "2025-02-01", "kind": "training", "title": "t"}
    response = secretary.post(f"/recruitment/cultivations/{found.pk}/entries/", entry)
    assert (
        response.status_code == 400
        and "日期不能早于列入培养日期2025-03-01" in response.content.decode()
    )


def test_dev_03_viewer_reads_but_gets_no_forms(client_for, world):
    found = _file(world)
    viewer = client_for(world.tree.users["county_viewer"])
    assert (
        "添加培养记录" not in viewer.get(f"/recruitment/cultivations/{found.pk}/").content.decode()
    )
    assert viewer.post(f"/recruitment/cultivations/{found.pk}/entries/", {}).status_code == 403


# --- API ---------------------------------------------------------------------------------


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_dev_03_api_open_entries_status(secretary, world):
    created = _post(
        secretary,
        "/api/recruitment/orgs/CA-T1-B1/cultivations",
        {"track": "talent_to_cadre", "member": "MA5", "pair": "MA1", "started_on": "2025-03-01"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["pair"] == "MA1" and created.json()["name"] == "吴培养"
    entry = _post(
        secretary,
        f"/api/recruitment/cultivations/{pk}/entries",
        {"on": "2025-04-01", "kind": "practice", "title": "村务实践"},
    )
    assert entry.status_code == 201
    done = _post(
        secretary,
        f"/api/recruitment/cultivations/{pk}/status",
        {"status": "done", "on": "2025-10-01"},
    )
    assert done.json()["status"] == "done"
    detail = secretary.get(f"/api/recruitment/cultivations/{pk}").json()
    assert [e["title"] for e in detail["entries"]] == ["村务实践"]
    listed = secretary.get(
        "/api/recruitment/orgs/CA-T1-B1/cultivations?track=talent_to_cadre"
    ).json()
    assert [row["id"] for row in listed] == [pk]


def test_dev_05_api_refusal_and_unpaired_leaders(secretary, client_for, world):
    refused = _post(
        secretary,
        "/api/recruitment/orgs/CA-T1-B1/cultivations",
        {"track": "member_to_talent", "member": "MA5", "pair": "MA1", "started_on": "2025-03-01"},
    )
    assert refused.status_code == 422
    assert "seed 001 §4.3" in refused.json()["errors"]["pair"][0]
    leaders = secretary.get(
        "/api/recruitment/orgs/CA-T1-B1/unpaired-leaders?track=talent_to_member"
    )
    assert [row["member"] for row in leaders.json()] == ["MA3"]
    pk = _file(world).pk
    officer = client_for(world.tree.users["county_officer"])
    paired = _post(officer, f"/api/recruitment/cultivations/{pk}/pair", {"pair": "MA2"})
    assert paired.json()["pair"] == "MA2"
