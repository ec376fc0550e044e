"""send_notice, marking read, and e-mail when a mail server is configured."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.base import BaseEmailBackend

from xianfeng.accounts.models import User
from xianfeng.compliance.notify import notify_run
from xianfeng.notices.domain import mark_all_read, mark_read, send_notice
from xianfeng.notices.models import Notice

from .helpers import found, make_run

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("refused")


def _send(*users, **fields):
    values = {"kind": "system", "title": "系统维护", "body": "今晚停机一小时", **fields}
    return send_notice(users=users, **values)


def test_send_notice_puts_one_notice_in_each_active_users_inbox(tree):
    nobody = tree.users["nobody"]
    nobody.is_active = False
    nobody.save()
    sent = _send(tree.users["secretary"], tree.users["secretary"], nobody, url="/orgs/")
    assert [(n.user, n.kind, n.title, n.url) for n in sent] == [
        (tree.users["secretary"], "system", "系统维护", "/orgs/")
    ]
    assert Notice.objects.get().pk == sent[0].pk
    assert sent[0].history.get().history_type == "+"


def test_send_notice_with_a_key_sends_once_per_user(tree):
    secretary, officer = tree.users["secretary"], tree.users["county_officer"]
    assert len(_send(secretary, key="term:CA-T1-B1:2025")) == 1
    assert [n.user for n in _send(secretary, officer, key="term:CA-T1-B1:2025")] == [officer]
    assert len(_send(secretary, kind="reminder", key="term:CA-T1-B1:2025")) == 1
    assert len(_send(secretary)) == 1  # without a key: always sent


def test_send_notice_refuses_an_unknown_kind(tree):
    with pytest.raises(ValidationError):
        _send(tree.users["secretary"], kind="gossip")
    assert Notice.objects.count() == 0


def test_mark_read_marks_own_notice_once(tree):
    [notice] = _send(tree.users["secretary"])
    first = mark_read(notice, tree.users["secretary"]).read_at
    assert first is not None
    assert mark_read(notice, tree.users["secretary"]).read_at == first
    notice.refresh_from_db()
    assert notice.read_at == first
    assert [h.history_type for h in notice.history.order_by("history_id")] == ["+", "~"]


def test_mark_read_refuses_another_users_notice(tree):
    [notice] = _send(tree.users["secretary"])
    with pytest.raises(PermissionDenied):
        mark_read(notice, tree.users["outsider"])
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_marks_only_own_unread(tree):
    secretary, outsider = tree.users["secretary"], tree.users["outsider"]
    _send(secretary)
    _send(secretary)
    mark_read(_send(secretary)[0], secretary)
    _send(outsider)
    assert mark_all_read(secretary) == 2
    assert Notice.objects.filter(user=secretary, read_at__isnull=True).count() == 0
    assert Notice.objects.filter(user=outsider, read_at__isnull=True).count() == 1
    assert mark_all_read(secretary) == 0


# --- e-mail ------------------------------------------------------------------------------


def _give_addresses(tree):
    User.objects.filter(username="city_admin").update(email="city@example.org")
    User.objects.filter(username="county_officer").update(email="county@example.org")


def test_it_emails_each_notice_when_a_mail_server_is_configured(
    tree, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"
    settings.SITE_URL = "https://djgz.example.org"
    _give_addresses(tree)
    run = make_run(tree.city, findings=[found("ORG-03", tree.branch_a, message="人数不足")])
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_run(run.pk) == 3  # city admin, county officer, secretary (no address)
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("city@example.org", "[先锋] 合规检查新发现 1 条（2025）"),
        ("county@example.org", "[先锋] 合规检查新发现 1 条（2025）"),
    ]
    county = next(m for m in mailoutbox if m.to == ["county@example.org"])
    assert county.body.endswith("\n\n查看详情：https://djgz.example.org/compliance/orgs/CA/")
    assert "· 青山村党支部：人数不足" in county.body
    emailed = Notice.objects.filter(emailed_at__isnull=False)
    assert set(emailed.values_list("user__username", flat=True)) == {"city_admin", "county_officer"}
    assert Notice.objects.get(user=tree.users["secretary"]).emailed_at is None


def test_it_sends_no_email_without_a_mail_server(
    tree, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = ""
    _give_addresses(tree)
    with django_capture_on_commit_callbacks(execute=True):
        _send(tree.users["city_admin"])
    assert mailoutbox == []
    assert Notice.objects.get().emailed_at is None


def test_mail_failures_are_logged_not_raised(
    tree, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"
    settings.EMAIL_BACKEND = "tests.notices.test_domain.FailingBackend"
    _give_addresses(tree)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        [notice] = _send(tree.users["city_admin"])
    notice.refresh_from_db()
    assert notice.emailed_at is None
    assert "通知邮件发送失败" in caplog.text


def test_email_waits_for_the_commit(tree, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.example.org"
    _give_addresses(tree)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(tree.users["city_admin"])
    assert mailoutbox == []
    assert len(callbacks) == 1
