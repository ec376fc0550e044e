"""Backup and restore (issue 13, Deliver 5): one archive with the database, the uploaded
files and the key files; restore gives back every table's rows and a stored run's
findings, and refuses what it cannot restore with a clear message."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.conftest import TEST_ID_KEY
from tests.factories import build_tree, make_member
from xianfeng.compliance.engine import run_check
from xianfeng.compliance.models import Finding, Run
from xianfeng.core.backup import BackupError, backup, restore
from xianfeng.core.exports import export
from xianfeng.lib.cipher import reset_cipher
from xianfeng.lib.dates import parse_period

HMAC_KEY = "test-hmac-key"
PASSPHRASE = "正确的口令 horse battery"


@pytest.fixture
def var_dir(settings, tmp_path):
    """Keys in files under a var dir of the test's own, as a real install has them."""
    return _use_var_dir(settings, tmp_path / "var", write_keys=True)


def _use_var_dir(settings, folder: Path, *, write_keys: bool) -> Path:
    folder.mkdir(mode=0o700)
    if write_keys:
        (folder / "id_keys").write_text(TEST_ID_KEY + "\n")
        (folder / "id_hmac_key").write_text(HMAC_KEY)
        (folder / "secret_key").write_text(settings.SECRET_KEY)
    settings.VAR_DIR = folder
    settings.ID_NUMBER_KEYS = ""
    settings.ID_NUMBER_HMAC_KEY = HMAC_KEY
    reset_cipher()
    return folder


def _all_rows() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            rows[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
        return rows


def _findings(run_id: int) -> list[tuple]:
    fields = ("rule", "org__code", "member_id", "severity", "period", "message", "first_seen")
    return sorted(Finding.objects.filter(run_id=run_id).values_list(*fields))


def _build_data(settings) -> Run:
    tree = build_tree()
    make_member(tree.branch_b, code="MB2", name="赵六", status="probationary", full_on=None)
    run = run_check(roots=[tree.city], period=parse_period("2025"), as_of=dt.date(2026, 1, 10)).run
    upload = Path(settings.MEDIA_ROOT) / "meetings" / "2026" / "abc.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 minutes")
    return run


def _rewrite(source: Path, target: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Copy an archive, letting `change(name, data)` drop (None) or replace members."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_round_trip_gives_back_every_row_the_findings_files_and_keys(settings, var_dir, tmp_path):
    run = _build_data(settings)
    before, findings = _all_rows(), _findings(run.pk)
    assert findings, "the stored run should have findings to compare"
    archive = tmp_path / "backup.tar.gz"

    done = backup(archive, passphrase=PASSPHRASE)

    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = {m.name: m.mode for m in tar.getmembers()}
    assert set(names.values()) == {0o600}
    assert "keys.enc" in names and not any(n.startswith("keys/") for n in names)
    manifest = done.manifest
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["tables"]["members_member"] == 4
    assert manifest["keys"] == {
        "secret_key": "included",
        "id_keys": "included",
        "id_hmac_key": "included",
    }
    assert manifest["media_files"] == 1

    call_command("flush", interactive=False, verbosity=0)  # the data is gone
    Path(settings.MEDIA_ROOT, "meetings", "2026", "abc.pdf").unlink()
    fresh = _use_var_dir(settings, tmp_path / "fresh-var", write_keys=False)  # a new machine

    with pytest.raises(BackupError, match="口令不正确"):
        restore(archive, passphrase="wrong")
    with pytest.raises(BackupError, match="已用口令加密"):
        restore(archive)
    assert not (fresh / "id_keys").exists()  # nothing written by a refused restore

    restore(archive, passphrase=PASSPHRASE)

    assert _all_rows() == before
    assert _findings(run.pk) == findings
    assert (
        Path(settings.MEDIA_ROOT, "meetings", "2026", "abc.pdf").read_bytes() == b"%PDF-1.4 minutes"
    )
    for name in ("id_keys", "id_hmac_key", "secret_key"):
        assert (fresh / name).read_text() == (var_dir / name).read_text()
        assert (fresh / name).stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_target_holding_data_unless_forced(settings, var_dir, tmp_path):
    tree = build_tree()
    archive = tmp_path / "backup.tar"
    backup(archive)
    before = _all_rows()
    make_member(tree.branch_a, code="NEW1")

    with pytest.raises(BackupError, match="目标不是空的.*--force"):
        restore(archive)
    done = restore(archive, force=True)

    assert _all_rows() == before
    assert any("与备份清单一致" in note for note in done.notes)


@pytest.mark.django_db(transaction=True)
def test_archive_without_its_keys_is_refused(settings, var_dir, tmp_path):
    build_tree()
    archive, stripped = tmp_path / "backup.tar", tmp_path / "no-keys.tar"
    backup(archive)
    _rewrite(archive, stripped, lambda name, data: None if name == "keys/id_keys" else data)
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(BackupError, match="缺少密钥 var/id_keys"):
        restore(stripped)


@pytest.mark.django_db(transaction=True)
def test_database_the_keys_cannot_decrypt_is_refused(settings, var_dir, tmp_path):
    build_tree()
    archive, other = tmp_path / "backup.tar", tmp_path / "other-keys.tar"
    backup(archive)
    wrong = Fernet.generate_key() + b"\n"
    _rewrite(archive, other, lambda name, data: wrong if name == "keys/id_keys" else data)
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(BackupError, match="身份证号密钥与数据库不符"):
        restore(other)
    assert (var_dir / "id_keys").read_text() == TEST_ID_KEY + "\n"  # left as it was


@pytest.mark.django_db(transaction=True)
def test_keys_from_the_environment_are_named_and_left_out(settings, var_dir, tmp_path, monkeypatch):
    build_tree()
    settings.ID_NUMBER_KEYS = TEST_ID_KEY  # XIANFENG_ID_KEYS
    archive = tmp_path / "backup.tar"

    done = backup(archive)

    assert done.manifest["keys"]["id_keys"] == "environment:XIANFENG_ID_KEYS"
    assert any("XIANFENG_ID_KEYS" in note for note in done.notes)
    with tarfile.open(archive) as tar:
        assert "keys/id_keys" not in tar.getnames()
    monkeypatch.delenv("XIANFENG_ID_KEYS", raising=False)
    with pytest.raises(BackupError, match="请先设置环境变量 XIANFENG_ID_KEYS"):
        restore(archive, force=True)
    monkeypatch.setenv("XIANFENG_ID_KEYS", TEST_ID_KEY)
    restore(archive, force=True)


@pytest.mark.django_db(transaction=True)
def test_commands_back_up_and_restore_with_a_passphrase_from_the_environment(
    settings, var_dir, tmp_path, monkeypatch
):
    build_tree()
    archive = tmp_path / "cli.tar"
    monkeypatch.setenv("XF_BACKUP_PASSPHRASE", PASSPHRASE)
    out = io.StringIO()
    call_command("backup", str(archive), passphrase_env="XF_BACKUP_PASSPHRASE", stdout=out)
    assert "已备份到" in out.getvalue() and "已用口令加密" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["keys_encrypted"]["kdf"] == "scrypt"

    with pytest.raises(CommandError, match="目标不是空的"):
        call_command("restore", str(archive), passphrase_env="XF_BACKUP_PASSPHRASE")
    out = io.StringIO()
    call_command(
        "restore", str(archive), passphrase_env="XF_BACKUP_PASSPHRASE", force=True, stdout=out
    )
    assert "已从" in out.getvalue()


@pytest.mark.django_db
def test_unmasked_export_with_the_wrong_keys_is_a_clear_error(settings, tmp_path):
    build_tree()
    settings.ID_NUMBER_KEYS = Fernet.generate_key().decode()  # the database came without its keys
    reset_cipher()

    with pytest.raises(ValidationError, match="身份证号密钥与数据库不符"):
        export(kind="members", target=tmp_path / "m.xlsx", user=None, unmasked=True)
    with pytest.raises(CommandError, match="身份证号密钥与数据库不符"):
        call_command("export", "members", str(tmp_path / "m.xlsx"), "--unmasked")
    reset_cipher()
