"""Background exports (issue 15 item 5): a job reports rows written as it goes and offers
the workbook to its creator only."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from tests.factories import make_member
from xianfeng.core import tasks, workbooks
from xianfeng.core.models import ExportRecord, Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def reported(monkeypatch):
    """The (done, total) of every progress report of the job, in order."""
    seen: list[tuple[int, int]] = []
    original = tasks.report_progress

    def record(job_id, *, done, total, message=""):
        seen.append((done, total))
        original(job_id, done=done, total=total, message=message)

    monkeypatch.setattr(tasks, "report_progress", record)
    monkeypatch.setattr(workbooks, "PROGRESS_EVERY", 2)
    return seen


def _start(client, kind, captured, **data):
    with captured(execute=True):
        response = client.post(f"/data/export/{kind}/job/", data)
    return response, Job.objects.get(kind=tasks.EXPORT_KIND)


def test_background_export_reports_rows_written_and_offers_the_file(
    client_for, tree, reported, django_capture_on_commit_callbacks
):
    for _ in range(4):
        make_member(tree.branch_a)
    client = client_for(tree.users["county_officer"])
    response, job = _start(client, "members", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    total = 6  # MA1, MA2 and four more in the officer's county
    assert reported == [(0, total), (2, total), (4, total), (6, total), (total, total)]
    assert job.status == "done" and job.progress == 100 and job.result["rows_written"] == total
    assert "导出完成" in client.get(f"/jobs/{job.pk}/").content.decode()
    download = client.get(f"/jobs/{job.pk}/export.xlsx")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    assert len(sheet.to_python()) == total + 1
    assert ExportRecord.objects.get().rows == total
    assert client_for(tree.users["outsider"]).get(f"/jobs/{job.pk}/export.xlsx").status_code == 404


def test_background_export_of_a_kind_without_a_count_still_reports(
    client_for, tree, reported, django_capture_on_commit_callbacks
):
    client = client_for(tree.users["city_admin"])
    _, job = _start(client, "orgs", django_capture_on_commit_callbacks)
    assert job.status == "done"
    assert (
        reported[0] == (0, 0) and reported[-1][0] == reported[-1][1] == job.result["rows_written"]
    )


def test_background_unmasked_export_needs_the_right(client_for, tree):
    response = client_for(tree.users["county_officer"]).post(
        "/data/export/members/job/", {"unmasked": "1"}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_sweep_removes_background_exports_a_day_old(settings):
    import datetime as dt
    import os

    from django.utils import timezone

    folder = settings.MEDIA_ROOT / "exports"
    folder.mkdir(parents=True)
    old, fresh = folder / "job-1.xlsx", folder / "job-2.xlsx"
    for path in (old, fresh):
        path.write_bytes(b"x")
    day_old = (timezone.now() - tasks.EXPORT_KEPT - dt.timedelta(minutes=1)).timestamp()
    os.utime(old, (day_old, day_old))
    assert tasks.sweep_jobs().removed == 1
    assert not old.exists() and fresh.exists()
