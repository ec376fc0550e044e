"""Background tasks of notices (run by `xianfeng worker`).

(The notices of a compliance run's new findings are queued by `compliance.notify`.)
"""

from __future__ import annotations

from django_tasks import task

from xianfeng.core.actor import acting_as
from xianfeng.lib.dates import parse_date, today

from .digest import send_digests

REMIND_KIND = "notices.remind"


@task()
def remind_task(as_of: str = "") -> int:
    """Send the daily digests for `as_of` (ISO date; default today), as `xianfeng remind`
    does; returns how many digests were sent. Idempotent per day."""
    day = parse_date(as_of) if as_of else today()
    with acting_as(None, f"worker: {REMIND_KIND} {day.isoformat()}"):
        return send_digests(day).digests
