"""The data page (PLAT-03): upload → background job with progress → counts or errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.test_importing import good_members, xlsx
from xianfeng.core.models import ExportRecord, Job
from xianfeng.members.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _upload(client, path):
    data = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post("/data/", {"file": data})


def _members_in(code: str) -> list[list]:
    rows = good_members()
    for row in rows[1:]:
        row[2] = code
    return rows


def test_plat_03_upload_runs_as_job_and_reports_counts(
    client_for, tree, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(tree.users["secretary"])
    path = xlsx(tmp_path / "m.xlsx", {"党员": _members_in("CA-T1-B1")})
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, path)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and "新增 2" in job.message
    assert Member.objects.filter(org__code="CA-T1-B1").count() == 3
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "导入完成" in page


def test_plat_03_upload_with_errors_offers_error_workbook(
    client_for, tree, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(tree.users["secretary"])
    path = xlsx(tmp_path / "m.xlsx", {"党员": _members_in("CB-T1-B1")})
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, path)
    job = Job.objects.get()
    assert job.status == "failed" and job.result["errors"] == 2
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "找不到党组织“CB-T1-B1”" in page  # out of scope reads like unknown
    download = client.get(f"/jobs/{job.pk}/errors.xlsx")
    assert download.status_code == 200
    assert client_for(tree.users["outsider"]).get(f"/jobs/{job.pk}/errors.xlsx").status_code == 404
    assert Member.objects.count() == 3


def test_plat_03_viewer_cannot_upload(client_for, tree, tmp_path):
    client = client_for(tree.users["county_viewer"])
    path = xlsx(tmp_path / "m.xlsx", {"党员": _members_in("CA-T1-B1")})
    assert _upload(client, path).status_code == 403


def test_plat_03_wrong_file_type_is_a_form_error(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    response = client.post("/data/", {"file": data})
    assert response.status_code == 200
    assert "不支持的文件类型" in response.content.decode()
    assert not Job.objects.exists()


def test_plat_03_template_download(client_for, tree):
    response = client_for(tree.users["county_viewer"]).get("/data/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_plat_03_export_download_scoped_and_recorded(client_for, tree):
    client = client_for(tree.users["secretary"])
    assert client.post("/data/export/members/", {"org": "CB-T1-B1"}).status_code == 404
    response = client.post("/data/export/members/", {"org": "CA-T1-B1"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.post("/data/export/members/", {"unmasked": "1"}).status_code == 403
    record = ExportRecord.objects.get()
    assert (record.org.code, record.unmasked, record.rows) == ("CA-T1-B1", False, 1)


def test_plat_03_data_page_offers_every_export_kind(client_for, tree):
    from xianfeng.core.exports import export_kinds

    client = client_for(tree.users["secretary"])
    body = client.get("/data/").content.decode()
    for kind, title in export_kinds().items():
        assert f'action="/data/export/{kind}/"' in body and title in body

    for who in ("secretary", "county_viewer"):
        client = client_for(tree.users[who])
        for kind in export_kinds():
            response = client.post(f"/data/export/{kind}/")
            assert response.status_code == 200, (who, kind)
            assert b"".join(response.streaming_content)[:2] == b"PK"
    assert ExportRecord.objects.count() == 2 * len(export_kinds())
