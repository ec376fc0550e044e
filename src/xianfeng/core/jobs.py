"""Starting background jobs and reporting their progress (worker: `xianfeng worker`).

A job running under `xianfeng worker` holds a lease (`Job.lease_until`) that the worker's
heartbeat thread renews; a worker that dies stops renewing, and the next sweep (at every
worker start and periodically in every worker) marks its jobs failed (issue 13).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)

LAPSED_MESSAGE = "后台任务进程在执行中停止，任务未完成，请重新提交"
LAPSED_MESSAGES = {
    "core.import": "导入中断：后台任务进程在导入过程中停止，未写入任何数据，请重新上传",
}


class JobLapsed(Exception):
    """Recorded on the task row of a job whose worker stopped renewing its lease."""


def start_job(*, kind: str, title: str, by: Any, org: Any, task: Any, **kwargs: Any) -> Job:
    """Create a Job row and enqueue `task(job_id=..., **kwargs)` after commit."""
    job = Job.objects.create(kind=kind, title=title, created_by=by, org=org)
    transaction.on_commit(lambda: task.enqueue(job_id=job.pk, **kwargs))
    return job


def mark_running(job_id: int) -> None:
    """Running; with a lease when this process renews leases (a process without the
    heartbeat, e.g. the immediate backend of tests, takes none and is never swept)."""
    lease = _lease_end() if HEARTBEAT.running else None
    HEARTBEAT.hold(job_id)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), lease_until=lease
    )


def report_progress(job_id: int, *, done: int, total: int, message: str = "") -> None:
    percent = 100 if total <= 0 else min(100, int(done * 100 / total))
    Job.objects.filter(pk=job_id).update(progress=percent, message=message[:500])


def finish_job(job_id: int, *, result: dict[str, Any], message: str = "") -> None:
    HEARTBEAT.release(job_id)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE,
        progress=100,
        result=result,
        message=message[:500],
        finished_at=timezone.now(),
        lease_until=None,
    )


def fail_job(job_id: int, *, message: str) -> None:
    HEARTBEAT.release(job_id)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED,
        message=message[:500],
        finished_at=timezone.now(),
        lease_until=None,
    )


def _lease_end(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(seconds=settings.XIANFENG_JOB_LEASE_SECONDS)


def renew_leases(job_ids: Collection[int], *, now: dt.datetime | None = None) -> int:
    """Extend the leases of these running jobs by a lease from `now`; returns jobs renewed."""
    if not job_ids:
        return 0
    return Job.objects.filter(pk__in=job_ids, status=Job.Status.RUNNING).update(
        lease_until=_lease_end(now)
    )


def fail_lapsed_jobs(*, now: dt.datetime | None = None, keep: Collection[int] = ()) -> list[Job]:
    """Mark failed the jobs whose worker died, with their task rows; returns those jobs.

    Lapsed: running with an expired lease, or still queued although its task was claimed
    more than a lease ago (the worker died before the job began) or has failed. Jobs in
    `keep` (held by the calling process, which is alive) are left alone.
    """
    now = now or timezone.now()
    claimed_before = now - dt.timedelta(seconds=settings.XIANFENG_JOB_LEASE_SECONDS)
    running = Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=now).exclude(
        pk__in=keep
    )
    queued = Job.objects.filter(
        status=Job.Status.QUEUED, pk__in=_stranded_queued(claimed_before)
    ).exclude(pk__in=keep)
    failed = []
    for job in [*running, *queued]:
        message = LAPSED_MESSAGES.get(job.kind, LAPSED_MESSAGE)
        # Checked again in the write: a heartbeat may have renewed the lease meanwhile.
        if (
            (running if job.status == Job.Status.RUNNING else queued)
            .filter(pk=job.pk)
            .update(status=Job.Status.FAILED, message=message, finished_at=now, lease_until=None)
        ):
            failed.append(job)
    _fail_task_rows([job.pk for job in failed], now)
    return failed


def _stranded_queued(claimed_before: dt.datetime) -> list[int]:
    """Ids of queued jobs whose task row was claimed long ago or has failed."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    queued = list(Job.objects.filter(status=Job.Status.QUEUED).values_list("pk", flat=True))
    if not queued:
        return []
    rows = DBTaskResult.objects.filter(args_kwargs__kwargs__job_id__in=queued).filter(
        Q(status="RUNNING", started_at__lt=claimed_before) | Q(status="FAILED")
    )
    return [row["kwargs"]["job_id"] for row in rows.values_list("args_kwargs", flat=True)]


def _fail_task_rows(job_ids: list[int], now: dt.datetime) -> None:
    """The task rows of lapsed jobs end failed rather than stay running forever."""
    if not job_ids:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(args_kwargs__kwargs__job_id__in=job_ids, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        return_value=None,
        exception_class_path=f"{JobLapsed.__module__}.{JobLapsed.__qualname__}",
        traceback=f"{JobLapsed.__qualname__}: {LAPSED_MESSAGE}\n",
    )


class Heartbeat:
    """The worker's thread that renews the leases of the jobs its process runs and, every
    sweep period, fails other workers' lapsed jobs (`sweep(keep=held job ids)`)."""

    def __init__(self) -> None:
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def hold(self, job_id: int) -> None:
        with self._lock:
            self._held.add(job_id)

    def release(self, job_id: int) -> None:
        with self._lock:
            self._held.discard(job_id)

    def held(self) -> set[int]:
        with self._lock:
            return set(self._held)

    def start(self, *, sweep: Callable[..., Any] | None = None) -> None:
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, args=(sweep,), name="job-heartbeat", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._thread = None

    def beat(self) -> int:
        """Renew the leases of the jobs held now; returns jobs renewed."""
        return renew_leases(self.held())

    def _run(self, sweep: Callable[..., Any] | None) -> None:
        every = settings.XIANFENG_JOB_HEARTBEAT_SECONDS
        next_sweep = time.monotonic() + settings.XIANFENG_JOB_SWEEP_SECONDS
        while not self._stopping.wait(every):
            self._safely(self.beat)
            if sweep is not None and time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + settings.XIANFENG_JOB_SWEEP_SECONDS
                self._safely(lambda: sweep(keep=self.held()))

    @staticmethod
    def _safely(step: Callable[[], Any]) -> None:
        """A step that fails (SQLite locked by a long import) is tried again next time; the
        sweep of other workers never fails the jobs this process holds."""
        try:
            step()
        except Exception as error:
            logger.warning("后台任务心跳未能写入数据库，稍后重试：%s", error)
        finally:
            close_old_connections()


HEARTBEAT = Heartbeat()
