"""Background tasks of data in/out (run by `xianfeng worker`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .actor import acting_as
from .importing import ImportFailed, run_import
from .jobs import fail_job, finish_job, mark_running, report_progress
from .models import Job
from .workbooks import write_errors

IMPORT_KIND = "core.import"
ERRORS_SHOWN = 200  # on the page; the downloadable workbook lists them all
UPLOAD_GRACE = dt.timedelta(minutes=10)
ABANDONED_AFTER = dt.timedelta(hours=1)  # a city-sized import takes minutes


def errors_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job_id}-errors.xlsx"


@task()
def import_file_task(*, job_id: int, path: str, filename: str) -> None:
    """Job body of an uploaded import: all-or-nothing, progress reported as it goes.

    The uploaded file (full ID numbers) is removed however the job ends; a worker killed
    mid-import leaves it to `sweep_import_files` at the next worker start.
    """
    try:
        _run_import_job(job_id, Path(path), filename)
    finally:
        Path(path).unlink(missing_ok=True)


def _run_import_job(job_id: int, path: Path, filename: str) -> None:
    job = Job.objects.select_related("created_by").get(pk=job_id)
    mark_running(job_id)

    def progress(done: int, total: int, message: str) -> None:
        report_progress(job_id, done=done, total=total or done * 2, message=message)

    try:
        with acting_as(job.created_by, f"worker: 导入 {filename}"):
            result = run_import(path, filename=filename, by=job.created_by, progress=progress)
    except ImportFailed as failure:
        _report_failure(job_id, failure)
        return
    except Exception as error:
        fail_job(job_id, message=f"导入出错：{error}")
        raise
    finish_job(job_id, result={"counts": result.counts}, message=f"导入完成。{result.summary()}")


def _report_failure(job_id: int, failure: ImportFailed) -> None:
    errors_path(job_id).parent.mkdir(parents=True, exist_ok=True)
    write_errors(errors_path(job_id), failure.errors)
    shown = [[e.sheet, e.row, e.column, e.message] for e in failure.errors[:ERRORS_SHOWN]]
    Job.objects.filter(pk=job_id).update(
        result={
            "headers": ["工作表", "行", "列", "问题"],
            "rows": shown,
            "errors": len(failure.errors),
            "errors_file": True,
        }
    )
    fail_job(job_id, message=f"导入失败：共 {len(failure.errors)} 处错误，未写入任何数据")


def sweep_import_files(*, now: dt.datetime | None = None) -> int:
    """Remove uploaded import files whose job is no longer queued or running (worker start).

    An import still marked running an hour after it started was cut off (its worker was
    killed): it is marked failed. A file no job refers to is removed once it is older than
    the upload grace period (a request may have saved it and not yet committed its job).
    Error workbooks (masked messages only) stay for the job page. Returns files removed.
    """
    now = now or timezone.now()
    _fail_abandoned_imports(now)
    live = _live_upload_paths()
    removed = 0
    folder = Path(settings.MEDIA_ROOT) / "imports"
    for path in folder.glob("*") if folder.is_dir() else ():
        if not path.is_file() or path.name.endswith("-errors.xlsx") or str(path) in live:
            continue
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if now - modified >= UPLOAD_GRACE:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _fail_abandoned_imports(now: dt.datetime) -> None:
    Job.objects.filter(
        kind=IMPORT_KIND, status=Job.Status.RUNNING, started_at__lt=now - ABANDONED_AFTER
    ).update(
        status=Job.Status.FAILED,
        message="导入中断：后台任务进程在导入过程中停止，未写入任何数据，请重新上传",
        finished_at=now,
    )


def _live_upload_paths() -> set[str]:
    """Upload paths of import jobs still queued or running (from their queued tasks)."""
    from django_tasks_db.models import DBTaskResult

    live = set(
        Job.objects.filter(
            kind=IMPORT_KIND, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).values_list("pk", flat=True)
    )
    tasks = DBTaskResult.objects.filter(task_path__endswith=".import_file_task")
    paths = set()
    for args_kwargs in tasks.values_list("args_kwargs", flat=True):
        kwargs = args_kwargs.get("kwargs", {})
        if kwargs.get("job_id") in live and kwargs.get("path"):
            paths.add(str(kwargs["path"]))
    return paths
