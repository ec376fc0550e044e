"""Issue 12, problems 9, 10 and 14: safe exports, quiet logs, headers and files."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xianfeng.core.exports import export
from xianfeng.core.importing import run_import
from xianfeng.lib.idcard import make_id_number
from xianfeng.members.models import Member

pytestmark = pytest.mark.django_db

FORMULA_NAME = '=HYPERLINK("http://x","y")'
ORG_ROWS = [
    ["组织编码", "组织名称", "上级组织", "组织类别", "领域"],
    ["S1", "试点县委", "", "党委", ""],
    ["S1-1", "试点镇党委", "S1", "党委", "农村"],
    ["S1-1-1", "试点村党支部", "S1-1", "党支部", "农村"],
]
MEMBER_HEADER = ["姓名", "身份证号", "所在党组织", "入党日期", "转正日期", "党籍状态"]
ID1 = make_id_number("320602", dt.date(1970, 5, 6), 11)


def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        return "".join(archive.read(n).decode() for n in names)


def test_export_formula_name_is_a_string_cell_and_reimports_unchanged(tmp_path):
    members = [MEMBER_HEADER, [FORMULA_NAME, ID1, "S1-1-1", "1995-07-01", "1996-07-01", "正式党员"]]
    source = tmp_path / "in.xlsx"
    # The source workbook holds the name as text, as an officer's sheet would.
    _xlsx(source, {"党组织": ORG_ROWS, "党员": members})
    book = load_workbook(source)
    book["党员"]["A2"].data_type = "s"
    book.save(source)
    run_import(source)
    assert Member.objects.get().name == FORMULA_NAME

    target = tmp_path / "m.xlsx"
    export(kind="members", target=target, user=None, unmasked=True)
    xml = _sheet_xml(target)
    assert "<f>" not in xml and "<f " not in xml
    header, row = load_workbook(target).active.iter_rows(values_only=True)
    assert row[header.index("姓名")] == FORMULA_NAME

    Member.objects.all().delete()
    assert run_import(target).counts["members"]["created"] == 1
    assert Member.objects.get().name == FORMULA_NAME


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_export_cell_never_writes_a_formula(tmp_path, value):
    from xianfeng.core.workbooks import write_rows

    target = tmp_path / "x.xlsx"
    write_rows(target, "表", [value, "b"], [[value, "ok"]], text_columns=[1])
    assert "<f" not in _sheet_xml(target)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows == [(value, "b"), (value, "ok")]


# Problem 10: quiet logs -------------------------------------------------------------------


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_web_403_logs_one_line_with_user_path_and_reason(tree, client_for, caplog):
    from django.urls import reverse

    url = reverse("members:reveal_id", args=["MA1"])
    with caplog.at_level("WARNING", logger="django.request"):
        response = client_for(tree.users["county_officer"]).post(url)
    assert response.status_code == 403
    [record] = _request_records(caplog)
    assert record.exc_info is None and record.exc_text is None
    line = record.getMessage()
    assert "\n" not in line
    assert line.startswith(f"403 {url} user=county_officer reason=")
    assert line != f"403 {url} user=county_officer reason=-"
    assert "Traceback" not in caplog.text


def test_web_404_logs_one_line_with_user_and_reason(tree, client_for, caplog):
    from django.urls import reverse

    url = reverse("members:detail", args=["MB1"])
    with caplog.at_level("WARNING", logger="django.request"):
        response = client_for(tree.users["secretary"]).get(url)
    assert response.status_code == 404
    [record] = _request_records(caplog)
    assert record.exc_info is None
    assert record.getMessage().startswith(f"404 {url} user=secretary reason=")


def test_api_403_logs_one_line_with_reason(tree, client_for, caplog):
    with caplog.at_level("WARNING", logger="django.request"):
        response = client_for(tree.users["secretary"]).get("/api/members/MA1/id-number")
    assert response.status_code == 403
    [record] = _request_records(caplog)
    assert record.exc_info is None
    message = record.getMessage()
    assert message.startswith("403 /api/members/MA1/id-number user=secretary reason=")
    assert not message.endswith("reason=-")


def test_server_error_keeps_its_traceback(caplog):
    import logging

    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        with caplog.at_level("ERROR", logger="django.request"):
            logging.getLogger("django.request").error(
                "Internal Server Error: %s", "/x", exc_info=exc, extra={"status_code": 500}
            )
    [record] = _request_records(caplog)
    assert record.exc_info is not None
    assert record.getMessage() == "Internal Server Error: /x"
    assert "Traceback" in caplog.text


# Problem 14: headers and files --------------------------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "xianfeng"
INLINE = {
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*application/json)[^>]*>", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx inline handler": re.compile(r"\shx-on[:-]", re.I),
}


def test_templates_have_no_inline_script_or_style():
    """style-src/script-src 'self' would block them: handlers live in app.js, styles in
    app.css (data-confirm, data-progress)."""
    found = [
        (str(path.relative_to(SRC)), what)
        for path in sorted(SRC.glob("**/templates/**/*.html"))
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_pages_carry_a_content_security_policy(tree, client_for):
    response = client_for(tree.users["secretary"]).get("/")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert '"includeIndicatorStyles":false' in response.text


def test_confirm_dialogs_are_data_attributes(tree, client_for):
    response = client_for(tree.users["city_admin"]).get("/accounts/secretary/")
    assert response.status_code == 200
    assert "data-confirm=" in response.text
    assert "onsubmit" not in response.text and "onclick" not in response.text
    script = (SRC / "core" / "static" / "xianfeng" / "app.js").read_text()
    assert "data-confirm" in script and "data-progress" in script


def test_pages_and_api_answers_of_a_user_are_not_stored(tree, client_for):
    client = client_for(tree.users["secretary"])
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/members/MA1").headers["Cache-Control"] == "no-store"
    assert client.get("/members/MA1/").headers["Cache-Control"] == "no-store"


def _settings_in_child(tmp_path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Settings are read once at start: each environment is tried in a fresh process."""
    child_env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "XIANFENG_HTTPS",
            "XIANFENG_TRUSTED_PROXY_COUNT",
            "DEBUG",
            "SECRET_KEY",
        }
    }
    child_env.update(XIANFENG_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SHOW_HTTPS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
)


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({}, "0 False False False None"),
        ({"XIANFENG_HTTPS": "1"}, "31536000 True True True None"),
        (
            {"XIANFENG_HTTPS": "1", "XIANFENG_TRUSTED_PROXY_COUNT": "1"},
            "31536000 True True True ('HTTP_X_FORWARDED_PROTO', 'https')",
        ),
    ],
)
def test_https_setting_turns_on_hsts_and_secure_cookies(tmp_path, env, shown):
    env = {"DJANGO_SETTINGS_MODULE": "xianfeng.settings", **env}
    result = _settings_in_child(tmp_path, SHOW_HTTPS, **env)
    assert result.stdout.strip() == shown, result.stderr


def test_systemcheck_deploy_is_clean_under_production_settings(tmp_path):
    secret = "k7#Qv!x2$Lm9@pZ4^rT8&wB1*nH6(cJ3)yF5-gD0_sA" + "e" * 20
    code = (
        "import sys; from xianfeng.cli import main; "
        "main(['xianfeng', 'systemcheck', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = _settings_in_child(tmp_path, code, XIANFENG_HTTPS="1", DEBUG="0", SECRET_KEY=secret)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_keys_and_var_dir_are_private(tmp_path):
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'xianfeng.settings'; "
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); connection.cursor().execute('CREATE TABLE t (x)'); "
        "from xianfeng.lib.cipher import get_cipher; get_cipher()"
    )
    result = _settings_in_child(tmp_path, code)
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in var.iterdir()}
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert {"xianfeng.sqlite3", "secret_key", "id_keys", "id_hmac_key"} <= set(modes)
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}


def test_old_world_readable_files_are_narrowed_at_start(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "xianfeng.sqlite3").write_bytes(b"")
    (var / "xianfeng.sqlite3").chmod(0o644)
    var.chmod(0o755)
    result = _settings_in_child(
        tmp_path, "import django; django.setup()", DJANGO_SETTINGS_MODULE="xianfeng.settings"
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "xianfeng.sqlite3").stat().st_mode) == 0o600


def test_uploaded_import_file_is_private(tree, client_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    source = _xlsx(settings.MEDIA_ROOT.parent / "in.xlsx", {"党组织": ORG_ROWS})
    upload = SimpleUploadedFile("in.xlsx", source.read_bytes())
    response = client_for(tree.users["secretary"]).post("/data/", {"file": upload})
    assert response.status_code == 302
    folder = Path(settings.MEDIA_ROOT) / "imports"
    [saved] = list(folder.iterdir())
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700


def _import_job(tree):
    from xianfeng.core.models import Job
    from xianfeng.core.tasks import IMPORT_KIND

    return Job.objects.create(kind=IMPORT_KIND, title="导入", created_by=tree.users["secretary"])


def test_import_file_removed_after_a_refused_import(tree, tmp_path, settings):
    from xianfeng.core.models import Job
    from xianfeng.core.tasks import import_file_task

    bad = [MEMBER_HEADER, ["张三", "123", "CA-T1-B1", "1995-07-01", "", "预备党员"]]
    path = _xlsx(tmp_path / "upload.xlsx", {"党员": bad})
    job = _import_job(tree)
    import_file_task.call(job_id=job.pk, path=str(path), filename="a.xlsx")
    assert not path.exists()
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED


def test_import_file_removed_when_the_job_breaks(tmp_path):
    from xianfeng.core.models import Job
    from xianfeng.core.tasks import import_file_task

    path = _xlsx(tmp_path / "upload.xlsx", {"党组织": ORG_ROWS})
    with pytest.raises(Job.DoesNotExist):
        import_file_task.call(job_id=999999, path=str(path), filename="a.xlsx")
    assert not path.exists()


def test_worker_start_removes_files_of_ended_and_killed_imports(tree, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from xianfeng.core.models import Job
    from xianfeng.core.tasks import import_file_task, sweep_jobs

    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    later = now + dt.timedelta(minutes=30)
    files = {}
    for name, status, lease in [
        ("queued", Job.Status.QUEUED, None),
        ("running", Job.Status.RUNNING, later + dt.timedelta(seconds=30)),
        ("killed", Job.Status.RUNNING, later - dt.timedelta(seconds=1)),
        ("done", Job.Status.DONE, None),
    ]:
        path = folder / f"{name}.xlsx"
        path.write_bytes(b"x")
        job = Job.objects.create(
            kind="core.import", title=name, status=status, started_at=now, lease_until=lease
        )
        import_file_task.enqueue(job_id=job.pk, path=str(path), filename=path.name)
        files[name] = path
    orphan = folder / "orphan.xlsx"
    orphan.write_bytes(b"x")
    errors = folder / "job-1-errors.xlsx"
    errors.write_bytes(b"x")
    assert DBTaskResult.objects.count() == 4

    assert sweep_jobs(now=later) == (1, 3)
    assert sorted(p.name for p in folder.iterdir()) == [
        "job-1-errors.xlsx",
        "queued.xlsx",
        "running.xlsx",
    ]
    assert Job.objects.get(title="killed").status == Job.Status.FAILED


def test_stored_attachments_are_private(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("meetings/2025/a.pdf", ContentFile(b"%PDF-1.4"))
    path = Path(default_storage.path(name))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
