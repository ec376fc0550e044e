"""A per-account delay after wrong passwords (PLAT-01): it slows guessing from many
addresses without locking the owner out.

django-axes locks the pair (username, address) after AXES_FAILURE_LIMIT failures; this
delay counts the failures for a username from *any* address. After FREE_FAILURES wrong
passwords each further try is refused unchecked ("请稍后再试") until
`last failure + delay(count)`, the delay doubling up to MAX_DELAY. Nobody sleeps: a refused
try costs nothing and does not count, so the owner only waits out the current delay. The
count is forgotten after a right password or after FORGET_AFTER without failures.
The same delay guards the current-password check of the password change and token pages.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from .models import FailedLogins

FREE_FAILURES = 3
MAX_DELAY = dt.timedelta(seconds=30)
FORGET_AFTER = dt.timedelta(days=1)


def delay_after(failures: int) -> dt.timedelta:
    """How long after the last failure the next try is checked: 0 for the first
    FREE_FAILURES failures, then 1 s, 2 s, 4 s … up to MAX_DELAY."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_DELAY)


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def seconds_to_wait(username: str, now: dt.datetime | None = None) -> int:
    """Whole seconds before a password for `username` is checked again (0: now)."""
    row = FailedLogins.objects.filter(username=_key(username)).first()
    if row is None:
        return 0
    remaining = row.last_failed_at + delay_after(row.count) - (now or timezone.now())
    return max(0, math.ceil(remaining.total_seconds()))


@transaction.atomic
def record_failure(username: str, now: dt.datetime | None = None) -> None:
    """Count one wrong password for `username`; counts idle for a day are dropped first
    (so a day without failures starts afresh and guessed usernames do not pile up)."""
    now = now or timezone.now()
    FailedLogins.objects.filter(last_failed_at__lt=now - FORGET_AFTER).delete()
    row, created = FailedLogins.objects.select_for_update().get_or_create(
        username=_key(username), defaults={"count": 1, "last_failed_at": now}
    )
    if created:
        return
    row.count, row.last_failed_at = row.count + 1, now
    row.save(update_fields=["count", "last_failed_at"])


def clear_failures(username: str) -> None:
    """Forget the failures of `username` after its right password."""
    FailedLogins.objects.filter(username=_key(username)).delete()


def wait_message(seconds: int) -> str:
    return f"密码错误次数较多，请稍后再试（{seconds} 秒后）"
