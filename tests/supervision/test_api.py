"""The supervision API (TASK-01, TASK-02): lists with their filters, one item with its
timeline, creating an item, and every transition — with Chinese field errors (422),
refusals (403), out of scope read as missing (404) and a lost race as a conflict (409)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from xianfeng.lib.dates import today
from xianfeng.supervision.domain import items as domain
from xianfeng.supervision.models import Item, ItemStatus

pytestmark = pytest.mark.django_db

BASE = "/api/supervision"


def _day(days: int) -> str:
    return (today() + dt.timedelta(days=days)).isoformat()


def _post(client, path: str, body: dict | None = None):
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json")


def _item(tree, org=None, *, days: int = 30, created: int = 0, **extra) -> Item:
    fields = {"kind": "problem", "title": "组织生活记录不全", "responsible": ""}
    fields.update(extra)
    return domain.create_item(
        org or tree.branch_a,
        by=tree.users["city_admin"],
        deadline=today() + dt.timedelta(days=days),
        created_on=today() + dt.timedelta(days=created),
        **fields,
    )


def test_task_01_api_creates_an_item_with_its_timeline(client_for, tree):
    client = client_for(tree.users["secretary"])
    body = {"kind": "task", "title": "完善三会一课记录", "deadline": _day(20), "responsible": "MA1"}
    response = _post(client, "/orgs/CA-T1-B1/items", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["org"], data["kind"], data["status"]) == ("CA-T1-B1", "task", "open")
    assert (data["responsible"], data["responsible_name"]) == ("MA1", "张三")
    assert data["reviewer_org"] == "CA-T1"
    assert data["overdue"] is False
    assert [s["action"] for s in data["steps"]] == ["created"]
    assert data["steps"][0]["by"] == "secretary"
    item = Item.objects.get(pk=data["id"])
    assert item.responsible_user == tree.users["member"]
    assert client.get(f"{BASE}/items/{item.pk}").json()["title"] == "完善三会一课记录"


VALID = {"kind": "problem", "title": "组织生活记录不全", "deadline": "2099-01-01"}
BAD_CREATES = [
    # (case, body changes, field, message fragment)
    ("title missing", {"title": None}, "title", "必填"),
    ("title empty", {"title": " "}, "title", "不能为空"),
    ("title too long", {"title": "长" * 201}, "title", "200"),
    ("kind unknown", {"kind": "wish"}, "kind", "取值无效"),
    ("deadline missing", {"deadline": None}, "deadline", "请填写整改时限"),
    ("deadline not a date", {"deadline": "明天"}, "deadline", "日期"),
    ("deadline before today", {"deadline": "2020-01-01"}, "deadline", "不能早于创建日期"),
    ("responsible unknown", {"responsible": "NOSUCH9"}, "responsible", "没有找到"),
    ("responsible out of scope", {"responsible": "MB1"}, "responsible", "没有找到"),
    ("responsible outside the org", {"responsible": "MA2"}, "responsible", "没有找到"),
]


@pytest.mark.parametrize(
    ("case", "changes", "field", "message"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES]
)
def test_task_01_api_bad_item_is_a_chinese_field_error(
    client_for, tree, case, changes, field, message
):
    body = {k: v for k, v in {**VALID, **changes}.items() if v is not None}
    response = _post(client_for(tree.users["secretary"]), "/orgs/CA-T1-B1/items", body)
    assert response.status_code == 422, (case, response.content)
    errors = response.json()["errors"]
    assert field in errors, (case, errors)
    assert any(message in text for text in errors[field]), (case, errors)
    assert not Item.objects.exists()


def test_task_01_api_out_of_scope_reads_as_missing(client_for, tree):
    outside = _item(tree, tree.branch_b)
    client = client_for(tree.users["secretary"])
    out, missing = client.get(f"{BASE}/items/{outside.pk}"), client.get(f"{BASE}/items/987654")
    assert out.status_code == missing.status_code == 404
    assert out.json() == missing.json()
    assert _post(client, f"/items/{outside.pk}/start").status_code == 404
    assert client.get(f"{BASE}/orgs/CB-T1-B1/items").status_code == 404
    assert _post(client, "/orgs/CB-T1-B1/items", VALID).status_code == 404
    assert client.get(f"{BASE}/items").json()["count"] == 0


def test_task_02_api_life_of_an_item(client_for, tree):
    item = _item(tree, responsible="MA1")
    member = client_for(tree.users["member"])  # the responsible person's own account
    assert _post(member, f"/items/{item.pk}/start").json()["status"] == "in_progress"
    refused = _post(member, f"/items/{item.pk}/submit", {"evidence": "  "})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"evidence": ["请填写整改情况"]}
    submitted = _post(member, f"/items/{item.pk}/submit", {"evidence": "已补齐记录"})
    assert submitted.json()["status"] == "submitted"
    officer = client_for(tree.users["county_officer"])
    no_reason = _post(officer, f"/items/{item.pk}/return", {"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    returned = _post(officer, f"/items/{item.pk}/return", {"reason": "缺少签到表"})
    assert (returned.json()["status"], returned.json()["returned_count"]) == ("in_progress", 1)
    member = client_for(tree.users["member"])
    _post(member, f"/items/{item.pk}/submit", {"evidence": "已补签到表"})
    officer = client_for(tree.users["county_officer"])
    accepted = _post(officer, f"/items/{item.pk}/accept", {"note": "同意销号"})
    assert accepted.status_code == 200
    data = accepted.json()
    assert (data["status"], data["accept_note"]) == ("accepted", "同意销号")
    assert [s["action"] for s in data["steps"]] == [
        "created",
        "started",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert data["steps"][3]["note"] == "缺少签到表"


REFUSALS = [
    # (case, state, endpoint, body, account, status, message fragment)
    ("start twice", "in_progress", "start", {}, "secretary", 422, "只有待整改"),
    ("accept an open item", "open", "accept", {}, "county_officer", 422, "只有待验收"),
    ("viewer starts", "open", "start", {}, "county_viewer", 403, "责任人"),
    ("viewer accepts", "submitted", "accept", {}, "county_viewer", 403, "上级组织"),
    ("own org accepts", "submitted", "accept", {}, "secretary", 403, "上级组织"),
    ("member submits others' item", "open", "submit", {"evidence": "x"}, "member", 404, "没有找到"),
    ("outsider returns", "submitted", "return", {"reason": "x"}, "outsider", 404, "没有找到"),
    ("accept without body", "submitted", "accept", None, "county_officer", 200, ""),
    ("return without reason", "submitted", "return", {}, "county_officer", 422, "必填"),
]


@pytest.mark.parametrize(
    ("case", "state", "endpoint", "body", "who", "status", "message"),
    REFUSALS,
    ids=[r[0] for r in REFUSALS],
)
def test_task_02_api_refusals(client_for, tree, case, state, endpoint, body, who, status, message):
    item = _item(tree)
    admin = tree.users["city_admin"]
    if state in ("in_progress", "submitted"):
        domain.start_item(item, by=admin)
    if state == "submitted":
        domain.submit_item(item, evidence="已整改", by=None)
    response = _post(client_for(tree.users[who]), f"/items/{item.pk}/{endpoint}", body)
    assert response.status_code == status, (case, response.content)
    assert message in json.dumps(response.json(), ensure_ascii=False), case
    if status != 200:
        item.refresh_from_db()
        assert item.status == state, case


def test_task_02_api_submitter_cannot_accept(client_for, tree):
    item = _item(tree)
    officer = client_for(tree.users["county_officer"])
    _post(officer, f"/items/{item.pk}/submit", {"evidence": "上级代为提交"})
    response = _post(officer, f"/items/{item.pk}/accept", {"note": "同意"})
    assert response.status_code == 403
    assert "提交人" in response.json()["detail"]


def test_task_02_api_concurrent_accept_and_return_one_wins(client_for, tree, monkeypatch):
    """Two reviewers load the submitted item; the first accepts; the second's return,
    made on the copy it loaded, is a conflict (409) with the Chinese message."""
    import xianfeng.supervision.api.items as api_items

    item = _item(tree)
    domain.submit_item(item, evidence="已整改", by=tree.users["secretary"])
    stale = Item.objects.get(pk=item.pk)
    domain.accept_item(item, by=tree.users["city_admin"])
    monkeypatch.setattr(api_items, "get_item_for_user", lambda user, pk: stale)
    response = _post(
        client_for(tree.users["county_officer"]), f"/items/{item.pk}/return", {"reason": "材料不全"}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "该事项已被他人处理，请刷新后查看最新状态"
    item.refresh_from_db()
    assert (item.status, item.returned_count) == (ItemStatus.ACCEPTED, 0)


def test_task_02_api_extension_asked_and_decided_once(client_for, tree):
    item = _item(tree, responsible="MA1", days=10)
    member = client_for(tree.users["member"])
    early = _post(member, f"/items/{item.pk}/extensions", {"deadline": _day(5), "reason": "x"})
    assert early.status_code == 422 and "deadline" in early.json()["errors"]
    asked = _post(
        member, f"/items/{item.pk}/extensions", {"deadline": _day(40), "reason": "等待审批"}
    )
    assert asked.status_code == 201, asked.content
    extension = asked.json()["id"]
    refused = _post(member, f"/extensions/{extension}/decide", {"grant": True})
    assert refused.status_code == 403
    officer = client_for(tree.users["county_officer"])
    granted = _post(officer, f"/extensions/{extension}/decide", {"grant": True, "note": "同意"})
    assert granted.status_code == 200 and granted.json()["decision"] == "granted"
    item.refresh_from_db()
    assert item.deadline.isoformat() == _day(40)
    again = _post(officer, f"/extensions/{extension}/decide", {"grant": False})
    assert again.status_code == 409
    outsider = client_for(tree.users["outsider"])
    assert _post(outsider, f"/extensions/{extension}/decide", {"grant": False}).status_code == 404
    detail = client_for(tree.users["member"]).get(f"{BASE}/items/{item.pk}").json()
    assert [e["decision"] for e in detail["extensions"]] == ["granted"]


LISTS = [
    # (case, query, titles expected, in deadline order)
    ("all of the subtree", "", ["逾期", "任务", "本组", "下级"]),
    ("kind", "?kind=task", ["任务"]),
    ("status", "?status=in_progress", ["任务"]),
    ("overdue", "?overdue=true", ["逾期"]),
    ("not overdue", "?overdue=false", ["任务", "本组", "下级"]),
    ("responsible me", "?responsible=me", ["本组"]),
]


@pytest.mark.parametrize(("case", "query", "titles"), LISTS, ids=[c[0] for c in LISTS])
def test_task_01_api_list_filters(client_for, tree, case, query, titles):
    secretary = tree.users["secretary"]
    late = _item(tree, title="逾期", days=-3, created=-10)
    task = _item(tree, kind="task", title="任务", days=5)
    domain.start_item(task, by=secretary)
    mine = _item(tree, title="本组", days=8)
    _item(tree, tree.group_a, title="下级", days=9)
    _item(tree, tree.branch_a2, title="他支部", days=9)
    Item.objects.exclude(pk=mine.pk).update(responsible_user=tree.users["member"])
    Item.objects.filter(pk=mine.pk).update(responsible_user=secretary)
    response = client_for(secretary).get(f"{BASE}/orgs/CA-T1-B1/items{query}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [row["title"] for row in data["items"]] == titles, case
    assert data["count"] == len(titles)
    assert all(row["overdue"] == (row["title"] == "逾期") for row in data["items"])
    assert (late.pk in {row["id"] for row in data["items"]}) == ("逾期" in titles)


def test_task_01_api_my_items_for_a_member_account(client_for, tree):
    """The responsible person's own account holds no post: it sees its own items."""
    mine = _item(tree, responsible="MA1", title="我的事项")
    _item(tree, title="别人的事项")
    client = client_for(tree.users["member"])
    data = client.get(f"{BASE}/items?responsible=me").json()
    assert [row["id"] for row in data["items"]] == [mine.pk]
    assert client.get(f"{BASE}/items").json()["count"] == 1
    assert client.get(f"{BASE}/orgs/CA-T1-B1/items").status_code == 404


@pytest.mark.parametrize(
    "query", ["?kind=wish", "?status=done", "?overdue=maybe", "?responsible=you", "?limit=0"]
)
def test_task_01_api_bad_filters_are_chinese_errors(client_for, tree, query):
    response = client_for(tree.users["secretary"]).get(f"{BASE}/orgs/CA-T1-B1/items{query}")
    assert response.status_code == 422
    assert response.json()["detail"] == "数据校验未通过"


def test_task_01_api_list_reads_do_not_grow_with_rows(client_for, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(tree.users["county_officer"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/orgs/CA/items?limit=100").status_code == 200
        return len(captured)

    _item(tree, title="一", responsible="MA1")
    _item(tree, tree.group_a, title="二", days=-1, created=-5)
    few = queries()
    for n in range(8):
        _item(
            tree,
            tree.branch_a2 if n % 2 else tree.branch_a,
            title=f"更多{n}",
            days=n - 4,
            created=-5,
        )
    assert queries() == few
