"""Starting background jobs and reporting their progress (worker: `xianfeng worker`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job


def start_job(*, kind: str, title: str, by: Any, org: Any, task: Any, **kwargs: Any) -> Job:
    """Create a Job row and enqueue `task(job_id=..., **kwargs)` after commit."""
    job = Job.objects.create(kind=kind, title=title, created_by=by, org=org)
    transaction.on_commit(lambda: task.enqueue(job_id=job.pk, **kwargs))
    return job


def mark_running(job_id: int) -> None:
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())


def report_progress(job_id: int, *, done: int, total: int, message: str = "") -> None:
    percent = 100 if total <= 0 else min(100, int(done * 100 / total))
    Job.objects.filter(pk=job_id).update(progress=percent, message=message[:500])


def finish_job(job_id: int, *, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE,
        progress=100,
        result=result,
        message=message[:500],
        finished_at=timezone.now(),
    )


def fail_job(job_id: int, *, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message[:500], finished_at=timezone.now()
    )
