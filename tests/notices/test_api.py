"""GET /api/notices, POST /api/notices/{id}/read, POST /api/notices/read-all."""

from __future__ import annotations

import pytest

from xianfeng.accounts.domain import create_api_token
from xianfeng.notices.domain import mark_read, send_notice
from xianfeng.notices.models import Notice

pytestmark = pytest.mark.django_db


def _send(user, title="系统维护", **fields):
    return send_notice(users=[user], kind="system", title=title, body="正文", **fields)[0]


def test_it_lists_own_notices_only_unread_first(tree, client_for):
    secretary = tree.users["secretary"]
    first = _send(secretary, title="一", org=tree.branch_a, url="/orgs/CA-T1-B1/")
    second = _send(secretary, title="二")
    mark_read(second, secretary)
    _send(tree.users["outsider"], title="别人的")
    data = client_for(secretary).get("/api/notices").json()
    assert data["count"] == 2
    assert [item["title"] for item in data["items"]] == ["一", "二"]
    item = data["items"][0]
    assert item["id"] == first.pk
    assert (item["kind"], item["kind_label"], item["org"], item["url"], item["read_at"]) == (
        "system",
        "系统通知",
        "CA-T1-B1",
        "/orgs/CA-T1-B1/",
        None,
    )
    unread = client_for(secretary).get("/api/notices?unread=true").json()
    assert [item["title"] for item in unread["items"]] == ["一"]


def test_read_marks_own_notice(tree, client_for):
    notice = _send(tree.users["secretary"])
    response = client_for(tree.users["secretary"]).post(f"/api/notices/{notice.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None


def test_another_users_notice_is_404(tree, client_for):
    notice = _send(tree.users["outsider"])
    response = client_for(tree.users["city_admin"]).post(f"/api/notices/{notice.pk}/read")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_read_all_marks_own_and_counts(tree, client_for):
    _send(tree.users["secretary"])
    _send(tree.users["secretary"])
    other = _send(tree.users["outsider"])
    response = client_for(tree.users["secretary"]).post("/api/notices/read-all")
    assert response.json() == {"marked": 2}
    other.refresh_from_db()
    assert other.read_at is None


def test_a_token_reads_its_users_notices(tree, client):
    _send(tree.users["secretary"], title="令牌可见")
    _send(tree.users["outsider"], title="别人的")
    _token, key = create_api_token(user=tree.users["secretary"], name="script")
    data = client.get("/api/notices", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [item["title"] for item in data["items"]] == ["令牌可见"]


def test_anonymous_gets_401(client, tree):
    notice = _send(tree.users["secretary"])
    assert client.get("/api/notices").status_code == 401
    assert client.post(f"/api/notices/{notice.pk}/read").status_code == 401
    assert Notice.objects.get().read_at is None
