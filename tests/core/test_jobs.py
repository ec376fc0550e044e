import signal

import pytest
from django.core.management import call_command

from tests.accounts.test_domain import seat_holders
from tests.factories import build_tree
from xianfeng.accounts.models import User
from xianfeng.accounts.tasks import BULK_CREATE_KIND, create_accounts_for_seat_holders_task
from xianfeng.core.jobs import report_progress, start_job
from xianfeng.core.models import Job

IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _start_bulk(tree, org, by):
    return start_job(
        kind=BULK_CREATE_KIND,
        title="批量开通",
        by=by,
        org=org,
        task=create_accounts_for_seat_holders_task,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(0, 10, 0), (3, 10, 30), (10, 10, 100), (12, 10, 100), (0, 0, 100)],
)
def test_report_progress_percent(tree, done, total, percent):
    job = Job.objects.create(kind="test", title="测试")
    report_progress(job.pk, done=done, total=total, message="x" * 600)
    job.refresh_from_db()
    assert (job.progress, len(job.message)) == (percent, 500)


@pytest.mark.django_db
def test_bulk_job_without_org_fails_and_creates_nothing(
    tree, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    seat_holders(tree)
    with django_capture_on_commit_callbacks(execute=True):
        job = _start_bulk(tree, None, tree.users["city_admin"])
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "任务的党组织或发起人已不存在")
    assert not User.objects.filter(username="MA3").exists()


@pytest.mark.django_db
def test_bulk_job_by_non_admin_fails(tree, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    seat_holders(tree)
    with django_capture_on_commit_callbacks(execute=True):
        job = _start_bulk(tree, tree.county_a, tree.users["county_officer"])
    job.refresh_from_db()
    assert job.status == "failed" and "管理员" in job.message
    assert not User.objects.filter(username="MA3").exists()


@pytest.mark.django_db(transaction=True)
def test_bulk_job_runs_in_database_worker(settings):
    settings.TASKS = DATABASE
    tree = build_tree()
    seat_holders(tree)
    job = _start_bulk(tree, tree.county_a, tree.users["city_admin"])  # autocommit: enqueued now
    assert Job.objects.get(pk=job.pk).status == "queued"
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    job.refresh_from_db()
    assert (job.status, job.progress, job.message) == ("done", 100, "已开通 2 个账号")
    assert [row[0] for row in job.result["rows"]] == ["MA4", "MA3"]
    assert User.objects.get(username="MA3").posts.get().role == "admin"
