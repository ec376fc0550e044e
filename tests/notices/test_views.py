"""The inbox page and the navigation badge: own notices only."""

from __future__ import annotations

import pytest

from xianfeng.notices.domain import mark_read, send_notice
from xianfeng.notices.models import Notice

pytestmark = pytest.mark.django_db


def _send(user, title="系统维护", **fields):
    return send_notice(users=[user], kind="system", title=title, body="正文", **fields)[0]


def test_it_lists_own_notices_unread_first_and_bold(tree, client_for):
    secretary = tree.users["secretary"]
    old = _send(secretary, title="较早未读")
    read = _send(secretary, title="已读的通知")
    mark_read(read, secretary)
    _send(tree.users["outsider"], title="别人的通知")
    body = client_for(secretary).get("/notices/").content.decode()
    assert body.index("较早未读") < body.index("已读的通知")
    assert "别人的通知" not in body
    assert f'id="notice-{old.pk}"' in body
    assert body.count('<div class="fw-bold">') == 1
    assert "全部标为已读" in body


def test_it_pages_the_inbox(tree, client_for):
    secretary = tree.users["secretary"]
    for i in range(31):
        _send(secretary, title=f"通知{i:02d}")
    client = client_for(secretary)
    assert client.get("/notices/").content.decode().count('class="list-group-item') == 30
    second = client.get("/notices/?page=2").content.decode()
    assert second.count('class="list-group-item') == 1
    assert "第 2 / 2 页，共 31 条" in second


def test_the_badge_in_the_navigation_shows_the_unread_count(tree, client_for):
    secretary = tree.users["secretary"]
    _send(secretary)
    _send(secretary)
    mark_read(_send(secretary), secretary)
    body = client_for(secretary).get("/").content.decode()
    assert '<span id="xf-notice-badge" class="badge rounded-pill text-bg-danger">2<' in body


def test_the_badge_is_hidden_without_unread_notices(tree, client_for):
    body = client_for(tree.users["nobody"]).get("/").content.decode()
    assert 'id="xf-notice-badge" class="badge rounded-pill text-bg-danger d-none"' in body


def test_mark_read_with_htmx_returns_the_row_and_the_new_badge(tree, client_for):
    secretary = tree.users["secretary"]
    notice = _send(secretary, title="请查看")
    _send(secretary)
    response = client_for(secretary).post(f"/notices/{notice.pk}/read/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<li class="list-group-item" id="notice-{notice.pk}">')
    assert "标为已读" not in body
    assert 'hx-swap-oob="true">1<' in body
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_read_without_htmx_goes_back_to_the_inbox(tree, client_for):
    notice = _send(tree.users["secretary"])
    response = client_for(tree.users["secretary"]).post(f"/notices/{notice.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/notices/"


def test_another_users_notice_is_404(tree, client_for):
    notice = _send(tree.users["outsider"])
    response = client_for(tree.users["city_admin"]).post(f"/notices/{notice.pk}/read/")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_marks_only_own(tree, client_for):
    secretary = tree.users["secretary"]
    _send(secretary)
    _send(secretary)
    other = _send(tree.users["outsider"])
    response = client_for(secretary).post("/notices/read-all/", follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert Notice.objects.filter(user=secretary, read_at__isnull=True).count() == 0
    other.refresh_from_db()
    assert other.read_at is None


def test_reading_requires_post(tree, client_for):
    notice = _send(tree.users["secretary"])
    client = client_for(tree.users["secretary"])
    assert client.get(f"/notices/{notice.pk}/read/").status_code == 405
    assert client.get("/notices/read-all/").status_code == 405
