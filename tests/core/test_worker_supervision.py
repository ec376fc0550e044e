"""Issue 13, problem 3: the worker is restarted when it exits, and the jobs of a worker
that died (expired lease) end failed with their uploads removed."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xianfeng.core.jobs import (
    HEARTBEAT,
    LAPSED_MESSAGE,
    Heartbeat,
    fail_lapsed_jobs,
    finish_job,
    mark_running,
)
from xianfeng.core.models import Job
from xianfeng.core.supervise import Supervisor
from xianfeng.core.tasks import IMPORT_KIND, import_file_task, sweep_jobs

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CRASHING = [sys.executable, "-c", "import sys; sys.exit(1)"]
LASTING = [sys.executable, "-c", "import time; time.sleep(60)"]


def _supervise(command, **options) -> tuple[Supervisor, threading.Thread, list[str]]:
    lines: list[str] = []
    supervisor = Supervisor(command, log=lines.append, poll=0.02, **options)
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    return supervisor, thread, lines


def _until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_supervisor_restarts_an_exiting_worker_with_back_off():
    supervisor, thread, lines = _supervise(CRASHING, first_delay=0.1, max_delay=0.4)
    try:
        _until(lambda: len(supervisor.restarts) >= 5)
    finally:
        supervisor.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert supervisor.restarts[:5] == [0.1, 0.2, 0.4, 0.4, 0.4]
    assert lines[0] == "后台任务进程已退出（退出码 1），0.1 秒后重启"


def test_supervisor_back_off_starts_over_after_a_steady_run():
    supervisor, thread, _lines = _supervise(CRASHING, first_delay=0.05, steady_after=0)
    try:
        _until(lambda: len(supervisor.restarts) >= 3)
    finally:
        supervisor.stop()
        thread.join(timeout=10)
    assert supervisor.restarts[:3] == [0.05, 0.05, 0.05]


def test_supervisor_keeps_trying_a_worker_that_cannot_start(tmp_path):
    supervisor, thread, lines = _supervise([str(tmp_path / "missing")], first_delay=0.05)
    try:
        _until(lambda: len(supervisor.restarts) >= 2)
    finally:
        supervisor.stop()
        thread.join(timeout=10)
    assert supervisor.restarts[:2] == [0.05, 0.1]
    assert lines[0].startswith("后台任务进程无法启动（")


def test_supervisor_stop_ends_the_running_worker():
    supervisor, thread, lines = _supervise(LASTING)
    _until(lambda: supervisor.process is not None)
    process = supervisor.process
    supervisor.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert process.returncode == -signal.SIGTERM
    assert (supervisor.restarts, lines) == ([], [])


@pytest.fixture
def uploads(settings) -> Path:
    settings.TASKS = DATABASE
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True)
    return folder


def _running_import(folder: Path, *, lease: dt.datetime) -> tuple[Job, Path, DBTaskResult]:
    """An import job as a worker runs it: its task row claimed, its upload just written."""
    path = folder / f"upload-{lease.timestamp()}.xlsx"
    path.write_bytes(b"x")
    job = Job.objects.create(
        kind=IMPORT_KIND,
        title="导入",
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        lease_until=lease,
    )
    import_file_task.enqueue(job_id=job.pk, path=str(path), filename="a.xlsx")
    row = DBTaskResult.objects.get(args_kwargs__kwargs__job_id=job.pk)
    row.claim("dead-worker")
    return job, path, row


@pytest.mark.django_db
def test_lapsed_job_fails_and_its_upload_is_removed(uploads):
    now = timezone.now()
    job, path, row = _running_import(uploads, lease=now - dt.timedelta(seconds=1))
    assert sweep_jobs(now=now) == (1, 1)
    job.refresh_from_db()
    row.refresh_from_db()
    assert (job.status, job.lease_until, job.finished_at) == ("failed", None, now)
    assert "后台任务进程在导入过程中停止" in job.message
    assert not path.exists()  # at once, not after the upload grace period
    assert (row.status, row.exception_class_path) == ("FAILED", "xianfeng.core.jobs.JobLapsed")
    assert row.finished_at == now


@pytest.mark.django_db
def test_live_lease_is_untouched(uploads):
    now = timezone.now()
    job, path, row = _running_import(uploads, lease=now + dt.timedelta(seconds=1))
    assert sweep_jobs(now=now) == (0, 0)
    job.refresh_from_db()
    row.refresh_from_db()
    assert (job.status, row.status) == ("running", "RUNNING")
    assert path.exists()


@pytest.mark.django_db
def test_jobs_held_by_the_sweeping_worker_are_untouched(uploads):
    now = timezone.now()
    job, path, _row = _running_import(uploads, lease=now - dt.timedelta(seconds=1))
    assert fail_lapsed_jobs(now=now, keep={job.pk}) == []
    assert Job.objects.get(pk=job.pk).status == "running"
    assert path.exists()


@pytest.mark.django_db
def test_queued_job_whose_task_was_claimed_a_lease_ago_fails(uploads):
    job = Job.objects.create(kind="accounts.bulk_create", title="批量开通")
    import_file_task.enqueue(job_id=job.pk, path="", filename="")
    row = DBTaskResult.objects.get(args_kwargs__kwargs__job_id=job.pk)
    row.claim("dead-worker")
    assert fail_lapsed_jobs(now=row.started_at + dt.timedelta(seconds=59)) == []
    assert fail_lapsed_jobs(now=row.started_at + dt.timedelta(seconds=61)) == [job]
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", LAPSED_MESSAGE)


@pytest.mark.django_db
def test_heartbeat_renews_the_leases_it_holds():
    heartbeat = Heartbeat()
    soon = timezone.now() + dt.timedelta(seconds=5)
    held, other = (Job.objects.create(kind="t", title=n, status="running") for n in "ab")
    Job.objects.filter(pk__in=[held.pk, other.pk]).update(lease_until=soon)
    heartbeat.hold(held.pk)
    assert heartbeat.beat() == 1
    assert Job.objects.get(pk=held.pk).lease_until > soon + dt.timedelta(seconds=50)
    assert Job.objects.get(pk=other.pk).lease_until == soon
    heartbeat.release(held.pk)
    assert heartbeat.beat() == 0


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_renews_and_releases_on_finish(settings):
    settings.XIANFENG_JOB_HEARTBEAT_SECONDS = 0.05
    job = Job.objects.create(kind="t", title="t")
    mark_running(job.pk)
    assert Job.objects.get(pk=job.pk).lease_until is None  # no heartbeat: no lease
    HEARTBEAT.start()
    try:
        mark_running(job.pk)
        first = Job.objects.get(pk=job.pk).lease_until
        assert first is not None
        _until(lambda: Job.objects.get(pk=job.pk).lease_until > first)
        finish_job(job.pk, result={})
        assert HEARTBEAT.held() == set()
    finally:
        HEARTBEAT.stop()
    assert not HEARTBEAT.running
    assert Job.objects.get(pk=job.pk).lease_until is None


@pytest.mark.django_db(transaction=True)  # db_worker closes connections (PostgreSQL)
def test_worker_start_fails_the_jobs_of_a_dead_worker(uploads, capsys):
    job, path, _row = _running_import(uploads, lease=timezone.now() - dt.timedelta(seconds=1))
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("worker", batch=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert "已将 1 个进程中断的后台任务标记为失败" in capsys.readouterr().out
    assert Job.objects.get(pk=job.pk).status == "failed"
    assert not path.exists()
    assert not HEARTBEAT.running
