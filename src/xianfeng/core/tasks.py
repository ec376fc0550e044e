"""Background tasks of data in/out (run by `xianfeng worker`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks import task

from .actor import acting_as
from .importing import ImportFailed, run_import
from .jobs import fail_job, fail_lapsed_jobs, finish_job, mark_running, report_progress
from .models import Job
from .workbooks import write_errors

IMPORT_KIND = "core.import"
EXPORT_KIND = "core.export"
ERRORS_SHOWN = 200  # on the page; the downloadable workbook lists them all
UPLOAD_GRACE = dt.timedelta(minutes=10)
EXPORT_KEPT = dt.timedelta(days=1)  # a background export's workbook waits this long


class Swept(NamedTuple):
    failed: int  # jobs whose worker died
    removed: int  # upload files


def errors_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job_id}-errors.xlsx"


@task()
def import_file_task(*, job_id: int, path: str, filename: str) -> None:
    """Job body of an uploaded import: all-or-nothing, progress reported as it goes.

    The uploaded file (full ID numbers) is removed however the job ends; a worker killed
    mid-import leaves it to `sweep_jobs` once the job's lease has expired.
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


def export_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"job-{job_id}.xlsx"


@task()
def export_file_task(*, job_id: int, export_kind: str, org_code: str, unmasked: bool) -> None:
    """Job body of a background export: rows written reported as progress; the workbook
    waits under media/exports for its creator (the job page links it)."""
    path = export_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        rows = _run_export_job(job_id, path, export_kind, org_code, unmasked=unmasked)
    except (PermissionDenied, ValidationError) as refused:
        path.unlink(missing_ok=True)
        fail_job(job_id, message="导出未完成：" + "；".join(_messages(refused)))
        return
    except Exception as error:
        path.unlink(missing_ok=True)
        fail_job(job_id, message=f"导出出错：{error}")
        raise
    finish_job(
        job_id,
        result={"export_file": True, "rows_written": rows},
        message=f"导出完成，共 {rows} 行",
    )


def _run_export_job(job_id: int, path: Path, kind: str, org_code: str, *, unmasked: bool) -> int:
    from .exports import export
    from .hooks import hook

    job = Job.objects.select_related("created_by").get(pk=job_id)
    mark_running(job_id)

    def progress(done: int, total: int) -> None:
        report_progress(job_id, done=done, total=total or done * 2, message=f"已写入 {done} 行")

    with acting_as(job.created_by, f"worker: 导出 {kind}"):
        org = hook("find_org")(job.created_by, org_code) if org_code else None
        record = export(
            kind=kind,
            target=path,
            user=job.created_by,
            org=org,
            unmasked=unmasked,
            progress=progress,
        )
    return record.rows


def _messages(error: Exception) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])


def sweep_jobs(*, now: dt.datetime | None = None, keep: Collection[int] = ()) -> Swept:
    """Fail the jobs whose worker died and remove uploads nobody will read (worker start,
    then periodically in every worker).

    A lapsed import's upload (full ID numbers) is removed at once. Any other upload no queued
    or running job refers to is removed once older than the upload grace period (a request
    may have saved it and not yet committed its job). Error workbooks (masked messages only)
    stay for the job page. Jobs in `keep` are held by the calling worker (alive).
    """
    now = now or timezone.now()
    lapsed = fail_lapsed_jobs(now=now, keep=keep)
    folder = Path(settings.MEDIA_ROOT) / "imports"
    removed = 0
    for path in _upload_paths([job.pk for job in lapsed if job.kind == IMPORT_KIND]):
        if path.parent == folder and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    removed += _remove_old_exports(now)
    live = {str(path) for path in _upload_paths(_live_import_jobs())}
    for path in folder.glob("*") if folder.is_dir() else ():
        if not path.is_file() or path.name.endswith("-errors.xlsx") or str(path) in live:
            continue
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if now - modified >= UPLOAD_GRACE:
            path.unlink(missing_ok=True)
            removed += 1
    return Swept(failed=len(lapsed), removed=removed)


def _remove_old_exports(now: dt.datetime) -> int:
    """Background exports (maybe full ID numbers) are removed a day after they were written."""
    folder = Path(settings.MEDIA_ROOT) / "exports"
    removed = 0
    for path in folder.glob("job-*.xlsx") if folder.is_dir() else ():
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if now - modified >= EXPORT_KEPT:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _live_import_jobs() -> list[int]:
    return list(
        Job.objects.filter(
            kind=IMPORT_KIND, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).values_list("pk", flat=True)
    )


def _upload_paths(job_ids: list[int]) -> list[Path]:
    """Upload paths of these import jobs (from their task rows)."""
    if not job_ids:
        return []
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(
        task_path__endswith=".import_file_task", args_kwargs__kwargs__job_id__in=job_ids
    )
    paths = []
    for args_kwargs in tasks.values_list("args_kwargs", flat=True):
        path = args_kwargs.get("kwargs", {}).get("path")
        if path:
            paths.append(Path(path))
    return paths
