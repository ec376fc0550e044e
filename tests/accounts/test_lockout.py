"""Lockout by account and address together, a per-account delay, and the client address
from a trusted proxy only (issue 12, Deliver 10 and problem 12; PLAT-01).

Time never passes for real: the tests move the stored failure times back instead.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone

from xianfeng.accounts import throttle
from xianfeng.accounts.lockout import client_ip
from xianfeng.accounts.models import FailedLogins

pytestmark = pytest.mark.django_db

TEST_PASSWORD = "Xianfeng-Test-2025"
LIMIT = 10
SLOW = 6  # failures after which the next try waits 8 s: ample for a slow test machine


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT


def _wait_out_delay() -> None:
    """Let the per-account delay pass (it never exceeds MAX_DELAY)."""
    past = timezone.now() - throttle.MAX_DELAY - dt.timedelta(seconds=1)
    FailedLogins.objects.update(last_failed_at=past)


def _age_attempts(minutes: int) -> None:
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def _login(client, username, password, ip="10.0.0.1", **extra):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def _fail(client, username, times, ip="10.0.0.1", **extra):
    for _ in range(times):
        _wait_out_delay()
        response = _login(client, username, "wrong-password", ip, **extra)
        assert response.status_code in {200, 429}
    return response


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_problem_12_lock_is_per_username_and_address(client, tree):
    """Issue 12 problem 12: ten wrong passwords from one address locked every user of that
    address (behind a proxy: the whole site), and a known username from anywhere."""
    response = _fail(client, "secretary", LIMIT)
    assert response.status_code == 429
    _wait_out_delay()
    assert _login(client, "secretary", TEST_PASSWORD).status_code == 429  # this pair: locked
    assert _logged_in(_login(client, "member", TEST_PASSWORD))  # same address, other user
    client.logout()
    assert _logged_in(_login(client, "secretary", TEST_PASSWORD, ip="10.0.0.2"))  # elsewhere


def test_problem_12_blocked_tries_do_not_extend_the_cool_off(client, tree):
    """Issue 12 problem 12: every blocked try, even with the right password, restarted the
    30-minute clock; now 15 minutes after the last counted failure the owner gets in."""
    _fail(client, "secretary", LIMIT)
    _age_attempts(10)
    _wait_out_delay()
    assert _login(client, "secretary", TEST_PASSWORD).status_code == 429
    assert _login(client, "secretary", "wrong-password").status_code == 429
    _age_attempts(6)  # 16 minutes after the tenth failure
    _wait_out_delay()
    assert _logged_in(_login(client, "secretary", TEST_PASSWORD))


def test_lockout_page_is_chinese(client, tree):
    response = _fail(client, "secretary", LIMIT)
    body = response.content.decode()
    assert response.status_code == 429
    assert "登录已暂停" in body and "15 分钟" in body


def test_forwarded_header_ignored_without_a_configured_proxy(client, tree):
    """A client cannot choose its address: X-Forwarded-For counts only behind a proxy."""
    _fail(client, "secretary", LIMIT, HTTP_X_FORWARDED_FOR="1.1.1.1")
    _wait_out_delay()
    forged = _login(client, "secretary", TEST_PASSWORD, HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert forged.status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_lock(client, tree, settings):
    settings.XIANFENG_TRUSTED_PROXY_COUNT = 1
    proxy = "192.168.0.1"
    _fail(client, "secretary", LIMIT, ip=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1")
    _wait_out_delay()
    locked = _login(client, "secretary", TEST_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert locked.status_code == 429
    other = _login(client, "secretary", TEST_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert _logged_in(other)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.9"),
        (1, "", "10.0.0.9"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),
        (2, "6.6.6.6, 1.1.1.1, 172.16.0.2", "1.1.1.1"),
        (2, "1.1.1.1", "10.0.0.9"),
    ],
)
def test_client_ip_reads_only_what_trusted_proxies_wrote(settings, count, forwarded, expected):
    settings.XIANFENG_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- the per-account delay --------------------------------------------------------------


def test_delay_grows_with_failures_and_stays_bounded():
    delays = [throttle.delay_after(n).total_seconds() for n in range(12)]
    assert delays == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30, 30]


def test_delay_counts_failures_from_any_address(client, tree):
    for n in range(SLOW):
        _wait_out_delay()
        _login(client, "secretary", "wrong-password", ip=f"10.0.1.{n}")
    assert FailedLogins.objects.get(username="secretary").count == SLOW
    response = _login(client, "secretary", TEST_PASSWORD, ip="10.0.2.1")
    assert response.status_code == 200
    assert "请稍后再试" in str(response.context["form"].errors)
    assert FailedLogins.objects.get(username="secretary").count == SLOW  # refused: free
    assert not AccessAttempt.objects.filter(ip_address="10.0.2.1").exists()
    _wait_out_delay()
    assert _logged_in(_login(client, "secretary", TEST_PASSWORD, ip="10.0.2.1"))
    assert not FailedLogins.objects.exists()  # the right password clears the count


def test_delay_holds_for_unknown_usernames_too(client, tree):
    for _ in range(SLOW):
        _wait_out_delay()
        _login(client, "no-such-user", "wrong-password")
    response = _login(client, "No-Such-User", "wrong-password")
    assert "请稍后再试" in str(response.context["form"].errors)


def test_failures_a_day_old_start_afresh(tree):
    now = timezone.now()
    for _ in range(6):
        throttle.record_failure("secretary", now=now)
    assert throttle.seconds_to_wait("secretary", now=now) == 8
    assert throttle.seconds_to_wait("secretary", now=now + dt.timedelta(seconds=8)) == 0
    throttle.record_failure("secretary", now=now + dt.timedelta(days=2))
    assert FailedLogins.objects.get(username="secretary").count == 1


def test_password_change_current_password_check_is_rate_limited(client_for, tree):
    client = client_for(tree.users["secretary"])
    new = "Qingshan-2025!x"

    def change(old):
        data = {"old_password": old, "new_password1": new, "new_password2": new}
        return client.post("/accounts/password/", data)

    for _ in range(SLOW):
        _wait_out_delay()
        assert change("wrong-password").context["form"].errors["old_password"] == ["原密码不正确"]
    refused = change(TEST_PASSWORD)
    assert "请稍后再试" in refused.context["form"].errors["old_password"][0]
    _wait_out_delay()
    assert change(TEST_PASSWORD).status_code == 302
