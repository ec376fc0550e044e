"""What the backup and restore steps share: the archive's names and limits, the error and
outcome types, tar members that reveal no owner, a scratch folder, the database vendor
and the uploaded files."""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = "xianfeng-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/xianfeng.sqlite3"
PG_MEMBER = "database/xianfeng.pgdump"
ENCRYPTED_KEYS = "keys.enc"
# Key file under var/ → the environment variable that replaces it.
KEY_FILES = {
    "secret_key": "SECRET_KEY",
    "id_keys": "XIANFENG_ID_KEYS",
    "id_hmac_key": "XIANFENG_ID_HMAC_KEY",
}
# Without these the encrypted ID numbers (and their lookups) are lost.
REQUIRED_KEYS = ("id_keys", "id_hmac_key")
SAMPLE = 20
COPY_BUFFER = 4 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is for the user (Chinese)."""


@dataclass
class Outcome:
    """What a backup or restore did: its manifest and lines to show the user."""

    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def as_private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """A tar member that names no owner, readable by its owner only (0600, folders 0700)."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o700 if info.isdir() else 0o600
    return info


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """Add `data` to the archive as the private member `name`."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(as_private(info), io.BytesIO(data))


def open_for_writing(path: Path, target: Path) -> tarfile.TarFile:
    """Plain tar, or gzip (level 1: fast) when the target's name ends in .gz/.tgz."""
    if target.name.endswith((".gz", ".tgz")):
        tar = tarfile.open(path, "w:gz", compresslevel=1)  # noqa: SIM115  returned open
    else:
        tar = tarfile.open(path, "w")  # noqa: SIM115
    tar.copybufsize = COPY_BUFFER  # type: ignore[attr-defined]  # 16 KB by default
    return tar


@contextmanager
def scratch_folder(near: Path) -> Iterator[Path]:
    """A private temporary folder on the same file system as `near`."""
    near.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".xianfeng-backup-", dir=near))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def database_vendor() -> str:
    """The configured database: "postgresql" or "sqlite"."""
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def vendor_label(vendor: str) -> str:
    """A vendor's name for messages."""
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(vendor, vendor)


def media_root() -> Path:
    """Where the uploaded files live (MEDIA_ROOT)."""
    return Path(settings.MEDIA_ROOT)


def media_files() -> list[Path]:
    """Every uploaded file, sorted."""
    root = media_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
