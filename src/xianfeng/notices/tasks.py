"""Background tasks of notices (run by `xianfeng worker`)."""

from __future__ import annotations

from django_tasks import task

from xianfeng.core.actor import acting_as

from .domain import notify_run

NOTIFY_RUN_KIND = "notices.notify_run"


@task()
def notify_run_task(run_id: int) -> int:
    """Notify the scope's admins and officers of a stored run's new findings (idempotent)."""
    with acting_as(None, f"worker: {NOTIFY_RUN_KIND} {run_id}"):
        return notify_run(run_id)
