"""Issue 12, Deliver 13: no full ID number in clear anywhere the demo's data goes.

The town demo is built, then an import with ID numbers runs as a job (one accepted, one
refused), a masked export is written, a compliance check notifies the officers, and
pages and the API are read as its users. Then every table (history, jobs, notices and
task results included), the log, the exports and the media folder are searched for every
full number of the demo and of the import.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import Workbook

from xianfeng.accounts.models import User
from xianfeng.core.exports import export
from xianfeng.core.models import Job
from xianfeng.core.tasks import IMPORT_KIND, import_file_task
from xianfeng.demo.builder import build_demo
from xianfeng.lib.cipher import get_cipher
from xianfeng.lib.idcard import make_id_number
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 30)
MEMBER_HEADER = ["姓名", "身份证号", "所在党组织", "入党日期", "转正日期", "党籍状态"]


def _workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "党员"
    sheet.append(MEMBER_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _run_import_job(folder: Path, name: str, rows: list[list], by) -> Job:
    folder.mkdir(parents=True, exist_ok=True)
    path = _workbook(folder / name, rows)
    job = Job.objects.create(kind=IMPORT_KIND, title=f"导入 {name}", created_by=by)
    import_file_task.call(job_id=job.pk, path=str(path), filename=name)
    assert not path.exists()
    return Job.objects.get(pk=job.pk)


def _table_texts() -> list[tuple[str, str]]:
    """Every text cell of every table, as (table, text)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            found.extend((table, str(v)) for row in cursor.fetchall() for v in row if v)
    return found


def _file_texts(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                text = "".join(
                    archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                )
        else:
            text = path.read_bytes().decode("utf-8", "replace")
        found.append((str(path), text))
    return found


def _leaks(numbers: set[str], places: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Places holding a number in clear (or its first 17 characters, the check digit off)."""
    heads = {n[:17] for n in numbers}
    return sorted({(place, h) for place, text in places for h in heads if h in text.upper()})


def test_no_full_id_number_of_the_demo_anywhere(tmp_path, settings, client_for, caplog):
    from xianfeng.compliance.engine import run_check
    from xianfeng.compliance.notify import notify_run
    from xianfeng.lib.dates import parse_period
    from xianfeng.notices.models import Notice

    caplog.set_level("DEBUG")
    build_demo(scale="town", seed=1, as_of=AS_OF)
    cipher = get_cipher()
    numbers = {cipher.decrypt(c) for c in Member.objects.values_list("id_number_cipher", flat=True)}
    assert len(numbers) > 50

    secretary = User.objects.get(username="demo_secretary")
    branch = secretary.posts.get().org
    new = make_id_number(branch.region_code or "320583", dt.date(1990, 3, 4), 17)
    numbers.add(new)
    existing = sorted(numbers - {new})[0]
    imports = Path(settings.MEDIA_ROOT) / "imports"
    accepted = _run_import_job(
        imports, "ok.xlsx", [["新党员", new, branch.code, "2015-07-01", "", "预备党员"]], secretary
    )
    assert accepted.status == Job.Status.DONE, accepted.message
    refused = _run_import_job(
        imports,
        "bad.xlsx",
        [
            ["重复", existing, branch.code, "2015-07-01", "", "预备党员"],
            ["坏号", "1" * 18, branch.code, "2015-07-01", "", "预备党员"],
        ],
        secretary,
    )
    assert refused.status == Job.Status.FAILED and refused.result["errors"] >= 1

    exported = tmp_path / "exports" / "members.xlsx"
    exported.parent.mkdir()
    export(kind="members", target=exported, user=secretary)
    export(kind="members", target=tmp_path / "exports" / "all.xlsx", user=None)

    run = run_check(
        roots=list(Org.objects.get_root_nodes()),
        period=parse_period(str(AS_OF.year - 1)),
        as_of=AS_OF,
        rule_ids=["STUDY-01"],
    ).run
    assert notify_run(run.pk) > 0
    assert Notice.objects.exists()

    client = client_for(secretary)
    member = Member.objects.filter(org=branch).first()
    for url in [
        "/members/",
        f"/members/{member.code}/",
        "/api/members/",
        f"/api/members/{member.code}",
        "/api/members/NOPE",
    ]:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert not _leaks(numbers, [(url, response.content.decode())]), url

    places = _table_texts() + _file_texts(tmp_path) + [("log", caplog.text)]
    assert _leaks(numbers, places) == []


def test_import_error_masks_a_mistyped_id_number():
    """A 17-digit reference (one digit lost) is not quoted in clear in a row error."""
    from xianfeng.orgs.importers_support import unknown_member_message

    typo = make_id_number("320583", dt.date(1991, 7, 12), 123)[:17]
    message = unknown_member_message(typo)
    assert typo not in message and typo[:14] not in message
    assert unknown_member_message("P00000001") == "找不到党员编号为“P00000001”的党员"
