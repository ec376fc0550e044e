"""Background tasks of the accounts app (run by `xianfeng worker`)."""

from __future__ import annotations

from django_tasks import task

from xianfeng.core.actor import acting_as
from xianfeng.core.jobs import fail_job, finish_job, mark_running, report_progress
from xianfeng.core.models import Job

from . import domain

BULK_CREATE_KIND = "accounts.bulk_create"


def _result_table(rows: list[dict[str, str]]) -> dict[str, list]:
    keys = ["username", "name", "org", "role", "password", "note"]
    return {"headers": domain.BULK_HEADERS, "rows": [[row[key] for key in keys] for row in rows]}


def _summary(rows: list[dict[str, str]]) -> str:
    created = sum(1 for row in rows if row["password"])
    skipped = len(rows) - created
    text = f"已开通 {created} 个账号"
    return text + (f"，{skipped} 人未开通（见备注）" if skipped else "")


@task()
def create_accounts_for_seat_holders_task(*, job_id: int) -> None:
    """Job body for the bulk opening of leadership members' accounts (the job's org)."""
    job = Job.objects.select_related("org", "created_by").get(pk=job_id)
    if job.org is None or job.created_by is None:  # never run without a checked actor
        fail_job(job_id, message="任务的党组织或发起人已不存在")
        return
    mark_running(job_id)

    def progress(done: int, total: int) -> None:
        report_progress(job_id, done=done, total=total, message=f"已处理 {done} / {total} 人")

    try:
        with acting_as(job.created_by, f"worker: {job.kind}"):
            rows = domain.create_accounts_for_seat_holders(
                org=job.org, by=job.created_by, progress=progress
            )
    except Exception as error:
        fail_job(job_id, message=str(error) or type(error).__name__)
        raise
    finish_job(job_id, result=_result_table(rows), message=_summary(rows))
