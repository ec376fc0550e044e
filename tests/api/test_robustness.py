"""Inputs that once answered a server error (issue 13): each now answers a 4xx JSON error in
the API's shape `{"detail": ..., "errors": {field: [messages]}}`."""

import json
import re

import pytest

from xianfeng.accounts.domain import create_api_token
from xianfeng.api import on_server_error

pytestmark = pytest.mark.django_db

BIG = 2**64
D = "2024-03-01"

# (method, path, body or None, expected status, a field expected in `errors` or None)
CASES = [
    ("post", "/api/members/MA1/status", {"status": "bogus", "on": D}, 422, "status"),
    ("post", "/api/members/MA1/status", {"status": 5, "on": "x"}, 422, "status"),
    ("post", "/api/members/MA1/status", {"status": "full", "on": D, "reason": "x"}, 422, "reason"),
    (
        "post",
        "/api/orgs",
        {"parent": "CA-T1-B1", "code": "N1", "name": "新", "kind": "bogus", "level": "village"},
        422,
        "kind",
    ),
    (
        "post",
        "/api/orgs",
        {"parent": "CA-T1-B1", "code": "N1", "name": "新", "kind": "branch", "level": "bogus"},
        422,
        "level",
    ),
    (
        "post",
        "/api/orgs",
        {
            "parent": "CA-T1-B1",
            "code": "N1",
            "name": "新",
            "kind": "branch",
            "level": "village",
            "unit_headcount": BIG,
        },
        422,
        "unit_headcount",
    ),
    ("post", "/api/orgs", [], 422, None),
    ("post", "/api/orgs", "{not json", 400, None),
    ("post", "/api/members", "{not json", 400, None),
    (
        "post",
        "/api/members",
        {
            "org": "CA-T1-B1",
            "code": "N1",
            "name": "新",
            "id_number": "x",
            "joined_on": D,
            "status": "bogus",
        },
        422,
        "status",
    ),
    (
        "post",
        "/api/members",
        {
            "org": "CA-T1-B1",
            "code": "N1",
            "name": "新",
            "id_number": "x",
            "joined_on": D,
            "flags": ["bogus"],
        },
        422,
        "flags",
    ),
    ("patch", "/api/members/MA1", {"name": None}, 422, "name"),
    ("patch", "/api/members/MA1", {"leading_cadre": None}, 422, "leading_cadre"),
    ("patch", "/api/members/MA1", {"category": "bogus"}, 422, "category"),
    ("patch", "/api/orgs/CA-T1-B1", {"name": None}, 422, "name"),
    ("patch", "/api/orgs/CA-T1-B1", {"kind": None}, 422, "kind"),
    ("patch", "/api/orgs/CA-T1-B1", {"kind": "bogus"}, 422, "kind"),
    ("get", "/api/orgs/CA-T1-B1/visits?year=0", None, 422, "year"),
    ("get", "/api/orgs/CA-T1-B1/visits?year=10000", None, 422, "year"),
    ("get", "/api/orgs/CA-T1-B1/spendings?year=0", None, 422, "year"),
    ("get", "/api/orglife/orgs/CA-T1-B1/meetings?year=0", None, 422, "year"),
    ("get", "/api/orglife/orgs/CA-T1-B1/meetings?month=13", None, 422, "month"),
    ("get", "/api/orglife/orgs/CA-T1-B1/affairs?year=10000", None, 422, "year"),
    ("get", "/api/study/orgs/CA-T1-B1/records?year=10000", None, 422, "year"),
    ("get", "/api/study/orgs/CA-T1-B1/classes?year=0", None, 422, "year"),
    ("get", "/api/study/members/MA1/hours?year=0", None, 422, "year"),
    ("get", "/api/study/members/MA1/hours?year=10000", None, 422, "year"),
    ("get", f"/api/members?offset={BIG}", None, 422, "offset"),
    ("get", "/api/members?offset=-1", None, 422, "offset"),
    ("get", "/api/members?limit=-1", None, 422, "limit"),
    ("get", "/api/orgs?limit=0", None, 422, "limit"),
    ("get", f"/api/transfers/{BIG}", None, 422, "pk"),
    ("get", f"/api/orglife/meetings/{BIG}", None, 422, "meeting_id"),
    ("get", f"/api/study/classes/{BIG}", None, 422, "class_id"),
    ("post", f"/api/notices/{BIG}/read", None, 422, "notice_id"),
    (
        "post",
        "/api/orgs/CA-T1-B1/seats",
        {"role": "bogus", "member": "MA1", "started_on": D},
        422,
        "role",
    ),
    ("post", f"/api/orgs/CA-T1-B1/seats/{BIG}/end", {"ended_on": D}, 422, "seat_id"),
    ("post", "/api/orgs/CA-T1-B1/terms", {"elected_on": D, "years": BIG}, 422, "years"),
    ("post", "/api/orgs/CA-T1-B1/terms", {"elected_on": D, "years": -1}, 422, "years"),
    (
        "post",
        "/api/orgs/CA-T1-B1/visits",
        {"contact_point": 1, "visited_on": D, "kind": "bogus"},
        422,
        "kind",
    ),
    (
        "post",
        "/api/orgs/CA-T1-B1/visits",
        {"contact_point": BIG, "visited_on": D},
        422,
        "contact_point",
    ),
    ("post", "/api/orgs/CA-T1-B1/venues", {"name": "室", "area_m2": "NaN"}, 422, "area_m2"),
    ("post", "/api/orgs/CA-T1-B1/venues", {"name": "室", "area_m2": "1e30"}, 422, "area_m2"),
    ("post", "/api/orgs/CA-T1-B1/budgets", {"year": 0, "amount": "10"}, 422, "year"),
    ("post", "/api/orgs/CA-T1-B1/budgets", {"year": 2024, "amount": "Infinity"}, 422, "amount"),
    (
        "post",
        "/api/orgs/CA-T1-B1/spendings",
        {"spent_on": D, "amount": "1e20", "purpose": "x"},
        422,
        "amount",
    ),
    ("post", "/api/orglife/orgs/CA-T1-B1/meetings", {"kind": "bogus", "topic": "x"}, 422, "kind"),
    (
        "post",
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {"kind": "branch_meeting", "topic": "x", "held_on": D, "material": BIG},
        422,
        "material",
    ),
    (
        "post",
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {"kind": "branch_meeting", "topic": "x", "held_on": D, "attendance": {"MA1": "bogus"}},
        422,
        "attendance",
    ),
    (
        "post",
        "/api/orglife/orgs/CA-T1-B1/affairs",
        {"kind": "bogus", "period": "2024", "done_on": D, "summary": "x"},
        422,
        "kind",
    ),
    (
        "post",
        "/api/study/orgs/CA-T1-B1/records",
        {"member": "MA1", "source": "bogus", "studied_on": D},
        422,
        "source",
    ),
    (
        "post",
        "/api/study/orgs/CA-T1-B1/records",
        {"member": "MA1", "source": "self_study", "studied_on": D, "hours": "NaN"},
        422,
        "hours",
    ),
    (
        "post",
        "/api/study/orgs/CA-T1-B1/records",
        {"member": "MA1", "source": "online", "studied_on": D, "course": BIG},
        422,
        "course",
    ),
    (
        "post",
        "/api/study/orgs/CA-T1-B1/courses",
        {"title": "课", "kind": "bogus", "hours": "1"},
        422,
        "kind",
    ),
    (
        "post",
        "/api/study/orgs/CA-T1-B1/classes",
        {"kind": "bogus", "title": "班", "starts_on": D, "ends_on": D, "days": "1", "hours": "8"},
        422,
        "kind",
    ),
    (
        "post",
        "/api/accounts",
        {"username": "n1", "display_name": "新", "org": "CA-T1-B1", "role": "bogus"},
        422,
        "role",
    ),
    ("post", "/api/accounts/secretary/posts", {"org": "CA-T1-B1", "role": "bogus"}, 422, "role"),
    (
        "post",
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {"kind": "branch_meeting", "topic": "x", "held_on": D, "starts_at": "09:00:00+08:00"},
        422,
        "starts_at",
    ),
    ("post", "/api/orgs/CA-T1-B1/venues", {"name": "室\u0000"}, 400, None),
    ("get", "/api/orgs?q=%00", None, 400, None),
    ("get", "/api/orgs/CA%00", None, 422, "code"),
    ("get", "/api/no-such-endpoint", None, 404, None),
    ("post", "/api/orgs/CA-T1-B1/no-such", {}, 404, None),
]


def _call(client, method, path, body, key):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method)(path, **kwargs)


@pytest.mark.parametrize("user", ["city_admin", "secretary"])
@pytest.mark.parametrize(("method", "path", "body", "status", "field"), CASES)
def test_api_bad_input_is_4xx_json(client, tree, user, method, path, body, status, field):
    _token, key = create_api_token(user=tree.users[user], name="脚本")
    response = _call(client, method, path, body, key)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert isinstance(data["detail"], str)
    if status == 422:
        assert all(isinstance(m, str) for ms in data["errors"].values() for m in ms)
    if field is not None:
        assert field in data["errors"], data


def _admin(client, tree):
    _token, key = create_api_token(user=tree.users["city_admin"], name="脚本")
    return lambda method, path, body=None: _call(client, method, path, body, key)


def test_api_schema_error_in_chinese(client, tree):
    call = _admin(client, tree)
    data = json.loads(call("post", "/api/members/MA1/status", {"status": "bogus"}).content)
    assert data["detail"] == "数据校验未通过"
    assert data["errors"]["status"][0].startswith("取值无效")
    assert data["errors"]["on"] == ["必填"]


def test_api_patch_accepts_null_for_nullable_fields(client, tree):
    call = _admin(client, tree)
    response = call("patch", "/api/orgs/CA-T1-B1", {"founded_on": None, "unit_headcount": None})
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["unit_headcount"] is None


def test_api_meeting_time_matches_its_schema(client, tree):
    call = _admin(client, tree)
    body = {"kind": "committee_meeting", "topic": "学习", "held_on": D, "starts_at": "09:00"}
    response = call("post", "/api/orglife/orgs/CA-T1-B1/meetings", body)
    assert response.status_code == 201, response.content
    assert json.loads(response.content)["starts_at"] == "09:00:00"
    schema = json.loads(client.get("/api/openapi.json").content)["components"]["schemas"]
    starts_at = schema["MeetingOut"]["properties"]["starts_at"]["anyOf"][0]
    assert "format" not in starts_at
    assert re.fullmatch(starts_at["pattern"], "09:00:00")


def test_api_unexpected_error_is_json_500(rf, caplog):
    request = rf.get("/api/orgs")
    response = on_server_error(request, RuntimeError("boom"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "服务器内部错误"}
    assert "boom" in caplog.text


def test_api_documents_values_and_error_codes(client):
    schema = json.loads(client.get("/api/openapi.json").content)
    components = schema["components"]["schemas"]
    assert "Error" in components
    assert components["OrgIn"]["properties"]["kind"] == {"$ref": "#/components/schemas/OrgKind"}
    assert "bogus" not in components["OrgKind"]["enum"]
    assert components["MemberPatch"]["properties"]["name"]["type"] == "string"
    status = schema["paths"]["/api/members/{code}/status"]["post"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(map(str, status))
    offset = next(
        p for p in schema["paths"]["/api/members"]["get"]["parameters"] if p["name"] == "offset"
    )
    assert offset["schema"]["minimum"] == 0
    assert offset["schema"]["maximum"] < 2**63
