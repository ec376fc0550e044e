"""Writing the archive: the database copy, the manifest, the key files (plain or sealed)
and the uploaded files, into a partial file renamed into place when complete."""

from __future__ import annotations

import datetime as dt
import json
import os
import tarfile
from pathlib import Path
from typing import Any

from . import postgres, sqlite
from .common import (
    ENCRYPTED_KEYS,
    FORMAT,
    KEY_FILES,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    VERSION,
    BackupError,
    Outcome,
    add_bytes,
    as_private,
    database_vendor,
    media_files,
    media_root,
    open_for_writing,
    scratch_folder,
)
from .keys import current_keys, seal_keys, verify_live_keys


def _manifest(vendor: str, counts: dict[str, int], status: dict[str, str]) -> dict[str, Any]:
    from xianfeng import __version__

    return {
        "format": FORMAT,
        "version": VERSION,
        "program_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "tables": counts, "rows": sum(counts.values())},
        "media_files": len(media_files()),
        "keys": {
            name: (f"environment:{KEY_FILES[name]}" if state == "environment" else state)
            for name, state in status.items()
        },
        "keys_encrypted": None,
    }


def _key_notes(status: dict[str, str], sealed: bool) -> list[str]:
    notes = []
    for name, state in status.items():
        if state == "environment":
            notes.append(
                f"{name} 来自环境变量 {KEY_FILES[name]}，未放入备份：恢复时请设置同一个环境变量"
            )
        elif state == "missing":
            notes.append(f"var/{name} 不存在，未放入备份")
    if any(state == "included" for state in status.values()):
        notes.append(
            "备份中的密钥已用口令加密"
            if sealed
            else "备份中的密钥未加密：请像保管密钥一样保管备份文件"
        )
    return notes


def _dump_database(folder: Path) -> tuple[str, Path, dict[str, int]]:
    vendor = database_vendor()
    if vendor == "postgresql":
        path = folder / "xianfeng.pgdump"
        return PG_MEMBER, path, postgres.dump(path)
    path = folder / "xianfeng.sqlite3"
    sqlite.copy_live(path)
    return SQLITE_MEMBER, path, sqlite.table_counts(path)


def backup(target: Path, *, passphrase: str | None = None) -> Outcome:
    """Write the archive to `target` (.tar, or .tar.gz/.tgz compressed)."""
    files, status = current_keys()
    notes = []
    try:
        verify_live_keys()
    except BackupError as error:
        notes.append(f"警告：{error}")
    target = target.resolve()
    with scratch_folder(target.parent) as folder:
        member, dumped, counts = _dump_database(folder)
        manifest = _manifest(database_vendor(), counts, status)
        partial = folder / "archive.partial"
        with open_for_writing(partial, target) as tar:
            _add_keys(tar, files, manifest, passphrase)
            add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dumped, arcname=member, filter=as_private)
            dumped.unlink()
            for path in media_files():
                tar.add(path, arcname=f"media/{path.relative_to(media_root())}", filter=as_private)
        partial.chmod(0o600)
        os.replace(partial, target)
    return Outcome(manifest, notes + _key_notes(status, bool(passphrase)))


def _add_keys(
    tar: tarfile.TarFile, files: dict[str, str], manifest: dict[str, Any], passphrase: str | None
) -> None:
    if passphrase and files:
        token, sealing = seal_keys(files, passphrase)
        manifest["keys_encrypted"] = sealing
        add_bytes(tar, ENCRYPTED_KEYS, token)
        return
    manifest["keys_encrypted"] = False
    for name, content in files.items():
        add_bytes(tar, f"keys/{name}", content.encode())
