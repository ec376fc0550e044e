"""The daily digest: every registered reminder source is asked what is due or overdue, and
each user gets at most one notice a day (kind DIGEST, 每日提醒) listing the items they have
not been told of yet, grouped by category, overdue first; e-mailed as well when a mail
server is configured (see `domain.send_notice`).

Once-only: a user is told of an item (its source's key) once while it is due and once when
it becomes overdue; `Reminded` rows record what went into whose digest. A user who already
has today's digest gets nothing more today; what is new waits for tomorrow's.
Run by `xianfeng remind` (cron or a systemd timer) and the worker task `notices.remind`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .domain import send_each
from .models import Kind, Notice, Reminded
from .reminders import Reminder, Source, collect

CHUNK = 5000  # keys per query when reading what was sent


@dataclass(frozen=True)
class DigestSummary:
    """What one run did: items the sources reported, new (user, item) pairs told, and
    digest notices sent (one per user at most)."""

    as_of: dt.date
    reported: int
    told: int
    digests: int


def digest_key(as_of: dt.date) -> str:
    return f"digest:{as_of.isoformat()}"


def send_digests(as_of: dt.date, sources: Iterable[Source] | None = None) -> DigestSummary:
    """Run every reminder source (default: `settings.REMINDER_SOURCES`) for `as_of` and send
    each user one digest of what they were not told before; returns a summary.

    Idempotent per day: a second run the same day sends nothing. Side effects: Notice rows
    (kind DIGEST, key "digest:<day>") and Reminded rows in one transaction; after commit,
    e-mail to users with an address when EMAIL_HOST is set (failures logged).
    """
    reminders = collect(as_of, sources)
    inboxes = _new_items(reminders, as_of)
    users = _active_users(set(inboxes))
    inboxes = {pk: items for pk, items in inboxes.items() if pk in users}
    notices = [_digest(pk, items, as_of) for pk, items in sorted(inboxes.items())]
    with transaction.atomic():
        sent = send_each(notices)
        told = {notice.user_id for notice in sent}
        rows = [
            Reminded(user_id=pk, key=item.key, what=item.what, day=as_of)
            for pk in told
            for item in inboxes[pk]
        ]
        Reminded.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return DigestSummary(as_of, len(reminders), len(rows), len(sent))


def _new_items(reminders: list[Reminder], as_of: dt.date) -> dict[int, list[Reminder]]:
    """Per user, the items not told before (by key and state), for users without a digest
    of `as_of` yet (one query for the digests, one per CHUNK keys for what was told)."""
    told = _told({r.key for r in reminders})
    done = set(
        Notice.objects.filter(kind=Kind.DIGEST, key=digest_key(as_of)).values_list(
            "user_id", flat=True
        )
    )
    inboxes: dict[int, dict[tuple[str, str], Reminder]] = defaultdict(dict)
    for reminder in reminders:
        for pk in reminder.recipients:
            seen = (pk, reminder.key, reminder.what) in told
            if not seen and pk not in done:
                inboxes[pk].setdefault((reminder.key, reminder.what), reminder)
    return {pk: list(items.values()) for pk, items in inboxes.items()}


def _told(keys: set[str]) -> set[tuple[int, str, str]]:
    ordered = sorted(keys)
    found: set[tuple[int, str, str]] = set()
    for start in range(0, len(ordered), CHUNK):
        rows = Reminded.objects.filter(key__in=ordered[start : start + CHUNK]).order_by()
        found.update(rows.values_list("user_id", "key", "what"))
    return found


def _active_users(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    users = get_user_model().objects.filter(pk__in=ids, is_active=True)
    return set(users.values_list("pk", flat=True))


def _digest(user_id: int, items: list[Reminder], as_of: dt.date) -> Notice:
    ordered = _ordered(items)
    late = sum(1 for item in items if item.overdue)
    title = f"每日提醒（{as_of.month}月{as_of.day}日）：{len(items)} 项待办"
    if late:
        title += f"，其中逾期 {late} 项"
    return Notice(
        user_id=user_id,
        kind=Kind.DIGEST,
        title=title,
        body=digest_body(ordered, as_of),
        url=ordered[0].url,
        key=digest_key(as_of),
        created_at=timezone.now(),
    )


def _ordered(items: list[Reminder]) -> list[Reminder]:
    """Grouped by category (categories with overdue items first, then in the order the
    sources report them), overdue before due, then by due date and title."""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.category, index)
    late = {item.category for item in items if item.overdue}

    def order(item: Reminder) -> tuple[Any, ...]:
        group = (item.category not in late, first[item.category])
        return (*group, not item.overdue, item.due, item.title)

    return sorted(items, key=order)


def digest_body(items: list[Reminder], as_of: dt.date) -> str:
    """The digest's text (inbox and e-mail): one section per category, one line per item
    with its link; `items` in the order `_ordered` gives."""
    lines = [f"截至{as_of.year}年{as_of.month}月{as_of.day}日，您负责的党组织有以下事项："]
    category = None
    for item in items:
        if item.category != category:
            category = item.category
            lines += ["", f"【{category}】"]
        mark = "逾期" if item.overdue else "提醒"
        lines.append(f"· {mark}：{item.title}")
        if item.url:
            lines.append(f"  {settings.SITE_URL}{item.url}")
    lines += ["", "请按时办理；已办理的请在系统中登记。"]
    return "\n".join(lines)
