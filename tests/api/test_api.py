import datetime as dt
import json

import pytest

from xianfeng.accounts.domain import create_api_token

pytestmark = pytest.mark.django_db


def _json(response):
    return json.loads(response.content)


def test_api_requires_authentication(client, tree):
    assert client.get("/api/orgs").status_code == 401


def test_api_token_auth_scopes_orgs(client, tree):
    _token, key = create_api_token(user=tree.users["secretary"], name="脚本")
    response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    codes = [o["code"] for o in _json(response)["items"]]
    assert codes == ["CA-T1-B1", "CA-T1-B1-G1"]


def test_api_x_api_key_header(client, tree):
    _token, key = create_api_token(user=tree.users["outsider"], name="脚本")
    response = client.get("/api/members", HTTP_X_API_KEY=key)
    assert [m["code"] for m in _json(response)["items"]] == ["MB1"]


def test_api_bad_token_is_401(client, tree):
    assert client.get("/api/orgs", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("secretary", "/api/orgs/CA-T1-B1", 200),
        ("secretary", "/api/orgs/CA-T1", 404),
        ("secretary", "/api/orgs/CB-T1-B1", 404),
        ("outsider", "/api/members/MA1", 404),
        ("county_viewer", "/api/members/MA1", 200),
        ("member", "/api/members/MA1", 200),
        ("member", "/api/members/MA2", 404),
        ("nobody", "/api/orgs/CITY", 404),
        ("city_admin", "/api/orgs/CB-T1-B1/counts", 200),
    ],
)
def test_api_scope(client_for, tree, user, url, status):
    assert client_for(tree.users[user]).get(url).status_code == status


def test_api_member_ids_masked(client_for, tree):
    data = _json(client_for(tree.users["secretary"]).get("/api/members/MA1"))
    assert data["id_number"].endswith("****")


def test_api_full_id_number_needs_right(client_for, tree):
    client = client_for(tree.users["secretary"])
    assert client.get("/api/members/MA1/id-number").status_code == 403
    tree.users["secretary"].can_view_identifiers = True
    tree.users["secretary"].save()
    data = _json(client.get("/api/members/MA1/id-number"))
    assert len(data["id_number"]) == 18 and "*" not in data["id_number"]
    assert tree.member_a.id_views.count() == 1


def test_api_viewer_cannot_write(client_for, tree):
    client = client_for(tree.users["county_viewer"])
    response = client.patch("/api/members/MA1", {"phone": "123"}, content_type="application/json")
    assert response.status_code == 403


def test_api_create_member_validation_errors_are_422(client_for, tree):
    client = client_for(tree.users["secretary"])
    payload = {
        "org": "CA-T1-B1",
        "code": "N1",
        "name": "赵六",
        "id_number": "1.10105E+17",
        "joined_on": "2015-07-01",
    }
    response = client.post("/api/members", payload, content_type="application/json")
    assert response.status_code == 422
    assert "科学计数法" in _json(response)["errors"]["id_number"][0]


def test_api_create_member_in_party_committee_refused(client_for, tree):
    from tests.factories import make_id

    client = client_for(tree.users["city_admin"])
    payload = {
        "org": "CA-T1",
        "code": "N2",
        "name": "赵六",
        "id_number": make_id(),
        "joined_on": "2015-07-01",
    }
    response = client.post("/api/members", payload, content_type="application/json")
    assert response.status_code == 422
    assert "org" in _json(response)["errors"]


def test_api_transfer_between_counties_from_both_ends(client_for, tree):
    sender = client_for(tree.users["secretary"])
    response = sender.post(
        "/api/transfers",
        {"member": "MA1", "to_org": "CB-T1-B1", "sent_on": "2025-04-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    transfer_id = _json(response)["id"]
    receiver = client_for(tree.users["outsider"])
    inbox = _json(receiver.get("/api/transfers?box=in"))["items"]
    assert [t["id"] for t in inbox] == [transfer_id]
    response = receiver.post(
        f"/api/transfers/{transfer_id}/receive",
        {"received_on": "2025-04-08"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert _json(receiver.get("/api/members/MA1"))["org"] == "CB-T1-B1"
    assert client_for(tree.users["secretary"]).get("/api/members/MA1").status_code == 404


def test_api_sender_cannot_receive_own_transfer(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        "/api/transfers",
        {"member": "MA1", "to_org": "CB-T1-B1", "sent_on": "2025-04-01"},
        content_type="application/json",
    )
    transfer_id = _json(response)["id"]
    response = client.post(
        f"/api/transfers/{transfer_id}/receive",
        {"received_on": "2025-04-02"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_create_org_checks_shape(client_for, tree):
    client = client_for(tree.users["city_admin"])
    payload = {
        "parent": "CA-T1-B1",
        "code": "X1",
        "name": "某支部",
        "kind": "branch",
        "level": "village",
    }
    response = client.post("/api/orgs", payload, content_type="application/json")
    assert response.status_code == 422
    assert "kind" in _json(response)["errors"]


def test_api_counts_as_of(client_for, tree):
    client = client_for(tree.users["city_admin"])
    data = _json(client.get(f"/api/orgs/CITY/counts?as_of={dt.date(2025, 1, 1)}"))
    assert data["by_status"] == {"full": 3}
    assert data["total"] == 3


def test_api_accounts_admin_creates_in_scope(client_for, tree):
    client = client_for(tree.users["secretary"])
    payload = {
        "username": "zuzhi",
        "display_name": "组织委员",
        "org": "CA-T1-B1",
        "role": "officer",
    }
    response = client.post("/api/accounts", payload, content_type="application/json")
    assert response.status_code == 201
    assert len(_json(response)["password"]) >= 8
    payload["username"], payload["org"] = "other", "CB-T1-B1"
    assert client.post("/api/accounts", payload, content_type="application/json").status_code == 404


def test_api_openapi_and_local_docs(client, tree):
    assert client.get("/api/openapi.json").status_code == 200
    client.force_login(tree.users["city_admin"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "cdn." not in body and "unpkg" not in body
