"""Background tasks of the compliance engine (run by `xianfeng worker`)."""

from __future__ import annotations

from django_tasks import task

from .freshness import patch, recheck


@task()
def recheck_task(*, run_id: int) -> None:
    """Evaluate a stale run's scope again after a write (PLAT-04)."""
    recheck(run_id)


@task()
def patch_task(*, org_ids: list[int], app: str) -> None:
    """Re-evaluate an app's local rules over the subtrees a write touched (PLAT-04)."""
    patch(org_ids, app)
