"""Background tasks of organizational life (run by `xianfeng worker`)."""

from __future__ import annotations

from django_tasks import task

from xianfeng.core.actor import acting_as
from xianfeng.lib.dates import parse_date, today

from .reminders import send_reminders

REMIND_KIND = "orglife.remind"


@task()
def remind_task(as_of: str = "") -> int:
    """Send the yearly plan's upcoming and overdue notices for `as_of` (ISO date; default
    today). Idempotent: a notice already sent is not sent again."""
    day = parse_date(as_of) if as_of else today()
    with acting_as(None, f"worker: {REMIND_KIND} {day.isoformat()}"):
        return send_reminders(as_of=day)
