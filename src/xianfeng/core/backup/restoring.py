"""Restoring an archive: everything checked (archive, keys, passphrase, a sample of ID
numbers, an empty target or `force`) before the database, key files and uploaded files
are replaced; the row counts compared with the manifest afterwards."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from . import postgres, sqlite
from .common import (
    COPY_BUFFER,
    ENCRYPTED_KEYS,
    FORMAT,
    KEY_FILES,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    VERSION,
    BackupError,
    Outcome,
    database_vendor,
    media_files,
    media_root,
    scratch_folder,
    vendor_label,
)
from .keys import check_id_keys, open_keys

# Tables whose rows say the database already holds someone's data.
DATA_TABLES = {"orgs_org": "个党组织", "members_member": "名党员", "accounts_user": "个账号"}


def _allowed(name: str) -> bool:
    return name in {MANIFEST, ENCRYPTED_KEYS, SQLITE_MEMBER, PG_MEMBER} or name.startswith(
        ("keys/", "media/")
    )


def _unpack(source: Path, folder: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r:*") as tar:
            tar.copybufsize = COPY_BUFFER  # type: ignore[attr-defined]
            members = [m for m in tar.getmembers() if _allowed(m.name)]
            tar.extractall(folder, members=members, filter="data")
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {source}") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{source} 不是完整的备份文件（{error}）") from None
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        raise BackupError(f"{source} 中没有有效的 manifest.json，不是本系统的备份") from None
    if manifest.get("format") != FORMAT or int(manifest.get("version", 0)) > VERSION:
        raise BackupError(f"{source} 不是本系统能读取的备份（格式 {manifest.get('format')}）")
    return manifest


def _archived_keys(
    folder: Path, manifest: dict[str, Any], passphrase: str | None
) -> dict[str, str]:
    sealing = manifest.get("keys_encrypted")
    if sealing:
        sealed = folder / ENCRYPTED_KEYS
        if not sealed.is_file():
            raise BackupError("备份中缺少加密的密钥文件 keys.enc，不能恢复")
        return open_keys(sealed.read_bytes(), passphrase, sealing)
    keys_dir = folder / "keys"
    return {
        name: (keys_dir / name).read_text() for name in KEY_FILES if (keys_dir / name).is_file()
    }


def _effective_key(name: str, archived: dict[str, str], manifest: dict[str, Any]) -> str:
    """The key the restored site will use: the environment's if set, else the archive's."""
    variable = KEY_FILES[name]
    if os.environ.get(variable):
        return os.environ[variable]
    if name in archived:
        return archived[name]
    state = str(manifest.get("keys", {}).get(name, "missing"))
    if state.startswith("environment"):
        raise BackupError(
            f"备份时 {name} 来自环境变量 {variable}，未放入备份：请先设置环境变量 {variable}"
            "（与备份时相同）再恢复"
        )
    raise BackupError(f"备份中缺少密钥 var/{name}，没有它无法使用数据库中的身份证号，不能恢复")


def _check_keys(
    folder: Path, manifest: dict[str, Any], archived: dict[str, str], vendor: str
) -> list[str]:
    id_keys = _effective_key("id_keys", archived, manifest)
    hmac_key = _effective_key("id_hmac_key", archived, manifest)
    if vendor == "postgresql":
        samples = postgres.id_samples(folder / PG_MEMBER)
    else:
        samples = sqlite.id_samples(folder / SQLITE_MEMBER)
    check_id_keys(samples, id_keys, hmac_key, "备份中的密钥（或环境变量中的密钥）")
    notes = [f"已用密钥试解密 {len(samples)} 个身份证号，均正确"] if samples else []
    for name in KEY_FILES:
        if os.environ.get(KEY_FILES[name]) and name in archived:
            notes.append(
                f"环境变量 {KEY_FILES[name]} 已设置：程序将使用它，而不是恢复的 var/{name}"
            )
    return notes


def _existing_data() -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table, label in DATA_TABLES.items():
            if table in tables:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                if count := cursor.fetchone()[0]:
                    found[label] = count
    return found


def _refuse_non_empty(force: bool) -> None:
    """Refuse a target holding data (or uploaded files) unless `force`."""
    found = _existing_data()
    media = media_files()
    if (found or media) and not force:
        what = "、".join(f"{n} {label}" for label, n in found.items())
        if media:
            what = "、".join(filter(None, [what, f"{len(media)} 个上传文件"]))
        raise BackupError(
            f"目标不是空的（已有 {what}）：恢复会用备份替换全部数据。"
            "确认要覆盖时请加 --force；或换一个空的数据库（DATABASE_URL）和数据目录（XIANFENG_VAR_DIR）"
        )


def _write_keys(archived: dict[str, str]) -> None:
    from xianfeng.lib.cipher import reset_cipher

    var_dir = Path(settings.VAR_DIR)
    for name, content in archived.items():
        if name in KEY_FILES:
            path = var_dir / name
            partial = var_dir / f".{name}.restoring"
            partial.write_text(content)
            partial.chmod(0o600)
            os.replace(partial, path)
    reset_cipher()


def _replace_media(folder: Path) -> int:
    root = media_root()
    if root.exists():
        shutil.rmtree(root)
    unpacked = folder / "media"
    if unpacked.is_dir():
        shutil.move(str(unpacked), str(root))
    else:
        root.mkdir(parents=True, mode=0o700)
    return sum(1 for p in root.rglob("*") if p.is_file())


def _live_counts() -> dict[str, int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return postgres.table_counts(cursor)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def _compare_counts(expected: dict[str, int]) -> list[str]:
    actual = _live_counts()
    wrong = [t for t, n in expected.items() if actual.get(t) != n]
    if wrong:
        detail = "、".join(f"{t}（备份 {expected[t]}，恢复后 {actual.get(t)}）" for t in wrong[:10])
        raise BackupError(f"恢复后的行数与备份清单不符：{detail}")
    return [f"已核对 {len(expected)} 张表共 {sum(expected.values())} 行，与备份清单一致"]


def restore(source: Path, *, passphrase: str | None = None, force: bool = False) -> Outcome:
    """Replace the configured database, uploaded files and key files with the archive's.

    Everything is checked (archive, keys, passphrase, a sample of ID numbers, an empty
    target or `force`) before anything is written."""
    vendor = database_vendor()
    with scratch_folder(Path(settings.VAR_DIR)) as folder:
        manifest = _unpack(source, folder)
        archived_vendor = manifest["database"]["vendor"]
        if archived_vendor != vendor:
            raise BackupError(
                f"备份来自 {vendor_label(archived_vendor)}，当前配置的是 {vendor_label(vendor)}："
                "请先配置同一种数据库（DATABASE_URL）再恢复"
            )
        archived = _archived_keys(folder, manifest, passphrase)
        notes = _check_keys(folder, manifest, archived, vendor)
        _refuse_non_empty(force)
        tables = manifest["database"]["tables"]
        if vendor == "postgresql":  # the database first: it is restored all or nothing
            postgres.restore_dump(folder / PG_MEMBER, tables=set(tables))
        else:
            sqlite.put_in_place(folder / SQLITE_MEMBER)
        _write_keys(archived)
        media = _replace_media(folder)
        notes += _compare_counts(tables)
    notes.append(f"已恢复 {media} 个上传文件和密钥 {', '.join(sorted(archived)) or '（无）'}")
    return Outcome(manifest, notes)
