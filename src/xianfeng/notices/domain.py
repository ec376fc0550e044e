"""Writing notices: `send_notice` (the one entry for every rule that tells people something)
and marking them read. E-mail goes out after commit when configured. Notices is a service
below the registry apps: what a notice says about their data is composed by them (the new
findings of a compliance run: `compliance.notify`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from xianfeng.core.actor import current_actor
from xianfeng.core.history import history_reason

from .models import Notice

if TYPE_CHECKING:
    from xianfeng.accounts.models import User
    from xianfeng.orgs.models import Org

logger = logging.getLogger(__name__)

# Runs made while loading demo data (`xianfeng demo`, `xianfeng quickstart`) notify nobody.
DEMO_VIAS = ("cli: xianfeng demo", "cli: xianfeng quickstart", "demo")
SUBJECT_PREFIX = "[先锋] "


# --- sending -----------------------------------------------------------------------------


def _history_defaults() -> dict[str, Any]:
    actor = current_actor()
    return {
        "default_user": actor.user if actor else None,
        "default_change_reason": history_reason(),
    }


def _not_yet_sent(notices: list[Notice]) -> list[Notice]:
    keys = {notice.key for notice in notices if notice.key}
    if not keys:
        return notices
    rows = Notice.objects.filter(key__in=keys).order_by()
    sent = set(rows.values_list("user_id", "kind", "key"))
    return [n for n in notices if not n.key or (n.user_id, n.kind, n.key) not in sent]


def _deliver(notices: list[Notice]) -> list[Notice]:
    """Store the notices not sent before (same user, kind and key) and e-mail them after
    commit."""
    notices = _not_yet_sent(notices)
    for notice in notices:
        notice.clean_fields(exclude=["user", "org"])  # FKs are ids we just read
    if not notices:
        return []
    with transaction.atomic():
        created = bulk_create_with_history(notices, Notice, batch_size=1000, **_history_defaults())
        transaction.on_commit(lambda: email_notices(created), robust=True)
    return created


def send_notice(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    org: Org | None = None,
    key: str = "",
) -> list[Notice]:
    """Put one notice into the inbox of every active user of `users`; returns the notices.

    `url` is a link inside the app; with a `key` (e.g. "run:42"), a user who already holds
    a notice of this kind and key gets no second one, so callers may safely repeat.
    Side effects: Notice rows with their history; after commit, when EMAIL_HOST is set,
    one e-mail per notice to users with an address (`emailed_at` set; failures logged).
    """
    now = timezone.now()
    recipients = {user.pk: user for user in users if user.is_active}
    notices = [
        Notice(
            user_id=pk, kind=kind, title=title, body=body, url=url, org=org, key=key, created_at=now
        )
        for pk in recipients
    ]
    return _deliver(notices)


def send_each(notices: list[Notice]) -> list[Notice]:
    """Store notices built by the caller, each with its own user, title and body (e.g. the
    daily digests), as `send_notice` does: a (user, kind, key) already held is skipped,
    e-mail goes out after commit when configured. The caller picks active users only."""
    return _deliver(notices)


def _message(notice: Notice, address: str) -> EmailMessage:
    body = notice.body
    if notice.url:
        body += f"\n\n查看详情：{settings.SITE_URL}{notice.url}"
    return EmailMessage(
        subject=SUBJECT_PREFIX + notice.title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )


def _send_each(notices: list[Notice], addresses: dict[int, str]) -> list[Notice]:
    sent: list[Notice] = []
    try:
        with get_connection() as connection:
            for notice in notices:
                try:
                    if connection.send_messages([_message(notice, addresses[notice.user_id])]):
                        sent.append(notice)
                except Exception:
                    logger.exception("通知邮件发送失败（通知 %s）", notice.pk)
    except Exception:
        logger.exception("无法连接邮件服务器 %s", settings.EMAIL_HOST)
    return sent


def email_notices(notices: list[Notice]) -> int:
    """E-mail each notice to its recipient (one mail each) when a mail server is configured.

    Failures are logged, never raised: the notice stays in the inbox either way.
    Side effect: `emailed_at` set on the notices that went out. Returns how many did.
    """
    if not settings.EMAIL_HOST or not notices:
        return 0
    users = get_user_model().objects.filter(pk__in={n.user_id for n in notices}, is_active=True)
    addresses = dict(users.exclude(email="").values_list("pk", "email"))
    sent = _send_each([n for n in notices if n.user_id in addresses], addresses)
    now = timezone.now()
    for notice in sent:
        notice.emailed_at = now
    bulk_update_with_history(sent, Notice, ["emailed_at"], **_history_defaults())
    return len(sent)


# --- reading -----------------------------------------------------------------------------


@transaction.atomic
def mark_read(notice: Notice, user: Any) -> Notice:
    """Mark the user's own notice read (once; marking again keeps the first time)."""
    if notice.user_id != user.pk:
        raise PermissionDenied("只能将自己的通知标为已读")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mark_all_read(user: Any) -> int:
    """Mark every unread notice of the user read; returns how many."""
    unread = list(Notice.objects.filter(user=user, read_at__isnull=True))
    now = timezone.now()
    for notice in unread:
        notice.read_at = now
    bulk_update_with_history(unread, Notice, ["read_at"], **_history_defaults())
    return len(unread)
