"""Background tasks of data in/out (run by `xianfeng worker`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from .actor import acting_as
from .importing import ImportFailed, run_import
from .jobs import fail_job, finish_job, mark_running, report_progress
from .models import Job
from .workbooks import write_errors

IMPORT_KIND = "core.import"
ERRORS_SHOWN = 200  # on the page; the downloadable workbook lists them all


def errors_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job_id}-errors.xlsx"


@task()
def import_file_task(*, job_id: int, path: str, filename: str) -> None:
    """Job body of an uploaded import: all-or-nothing, progress reported as it goes."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    mark_running(job_id)

    def progress(done: int, total: int, message: str) -> None:
        report_progress(job_id, done=done, total=total or done * 2, message=message)

    try:
        with acting_as(job.created_by, f"worker: 导入 {filename}"):
            result = run_import(Path(path), filename=filename, by=job.created_by, progress=progress)
    except ImportFailed as failure:
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
        return
    except Exception as error:
        fail_job(job_id, message=f"导入出错：{error}")
        raise
    finally:
        Path(path).unlink(missing_ok=True)
    finish_job(job_id, result={"counts": result.counts}, message=f"导入完成。{result.summary()}")
