"""Tokens cannot change credentials (issue 12, Deliver 11 and problem 13; PLAT-01)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xianfeng.accounts.domain import create_api_token, reset_password
from xianfeng.accounts.models import ApiToken, FailedLogins, User

pytestmark = pytest.mark.django_db

TEST_PASSWORD = "Xianfeng-Test-2025"
MUST_CHANGE = {"detail": "请先登录网页修改密码，修改后才能使用接口"}


def _bearer(user):
    _token, key = create_api_token(user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_problem_13_token_cannot_reset_its_own_password(client, tree):
    """Issue 12 problem 13: a leaked token reset its own account's password and took it."""
    secretary = tree.users["secretary"]
    old_hash = secretary.password
    response = client.post("/api/accounts/secretary/reset-password", **_bearer(secretary))
    assert response.status_code == 403
    assert "password" not in response.json()
    secretary.refresh_from_db()
    assert secretary.password == old_hash and secretary.must_change_password is False


def test_token_cannot_reset_another_accounts_password(client, tree):
    member = tree.users["member"]
    old_hash = member.password
    response = client.post(
        "/api/accounts/member/reset-password", **_bearer(tree.users["secretary"])
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.password == old_hash


def test_session_resets_another_account_through_the_api(client_for, tree):
    response = client_for(tree.users["secretary"]).post("/api/accounts/member/reset-password")
    assert response.status_code == 200
    assert User.objects.get(username="member").check_password(response.json()["password"])


def test_problem_13_session_under_forced_change_gets_no_api(client, tree):
    """Issue 12 problem 13: a session that must change its password kept using /api/."""
    password = reset_password(user=tree.users["secretary"])
    client.post("/accounts/login/", {"username": "secretary", "password": password})
    for path in ["/api/orgs", "/api/members", "/api/accounts"]:
        response = client.get(path)
        assert (response.status_code, response.json()) == (403, MUST_CHANGE), path
    assert client.get("/api/accounts/me").json()["username"] == "secretary"
    assert client.get("/orgs/")["Location"].startswith("/accounts/password/")


def test_token_of_account_under_forced_change_gets_no_api(client, tree):
    auth = _bearer(tree.users["secretary"])
    reset_password(user=tree.users["secretary"])
    response = client.get("/api/orgs", **auth)
    assert (response.status_code, response.json()) == (403, MUST_CHANGE)
    header = {"HTTP_X_API_KEY": auth["HTTP_AUTHORIZATION"].removeprefix("Bearer ")}
    assert client.get("/api/members", **header).status_code == 403


def test_token_creation_needs_the_current_password(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post("/accounts/tokens/", {"name": "脚本"})
    assert "password" in response.context["form"].errors
    response = client.post("/accounts/tokens/", {"name": "脚本", "password": "wrong-one"})
    assert response.context["form"].errors["password"] == ["密码不正确"]
    assert not ApiToken.objects.exists()
    response = client.post("/accounts/tokens/", {"name": "脚本", "password": TEST_PASSWORD})
    assert response.context["new_key"] and ApiToken.objects.count() == 1


def test_token_page_password_check_is_rate_limited(client_for, tree):
    client = client_for(tree.users["secretary"])
    for _ in range(6):  # then the next try waits 8 s
        FailedLogins.objects.update(last_failed_at=timezone.now() - dt.timedelta(minutes=1))
        response = client.post("/accounts/tokens/", {"name": "脚本", "password": "wrong-one"})
        assert response.context["form"].errors["password"] == ["密码不正确"]
    assert FailedLogins.objects.get(username="secretary").count == 6
    response = client.post("/accounts/tokens/", {"name": "脚本", "password": TEST_PASSWORD})
    assert "请稍后再试" in response.context["form"].errors["password"][0]
    assert not ApiToken.objects.exists()
