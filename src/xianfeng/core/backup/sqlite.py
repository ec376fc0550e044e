"""The SQLite side of backup and restore: a consistent copy of the live database (online
backup API), its row counts and ID-number samples, and putting a copy in its place."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from django.db import connection

from .common import SAMPLE, BackupError


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in rows]


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table of the SQLite database file at `path`."""
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in _tables(db)
        }
    finally:
        db.close()


def copy_live(target: Path) -> None:
    """Copy the configured SQLite database to `target` in one step of the online backup
    API: a consistent snapshot, while other connections keep reading and writing."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def id_samples(path: Path) -> list[tuple[str, str]]:
    """The first (ciphertext, HMAC) pairs of members_member in the file at `path`."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if "members_member" not in _tables(db):
            return []
        rows = db.execute(
            "SELECT id_number_cipher, id_number_hmac FROM members_member ORDER BY id LIMIT ?",
            [SAMPLE],
        )
        return [(str(a), str(b)) for a, b in rows]
    finally:
        db.close()


def put_in_place(source: Path) -> None:
    """Put `source` in place of the configured database: renamed into place (the site is
    stopped; the old database's WAL and shared-memory files are removed with it), or, for
    an in-memory database, copied in with the online backup API."""
    connection.close()
    if connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite wrapper
        _copy_into_connection(source)
        return
    with source.open("rb") as file:
        if file.read(16) != b"SQLite format 3\x00":
            raise BackupError("备份中的数据库文件不是 SQLite 数据库（可能已损坏），未恢复")
    target = Path(connection.settings_dict["NAME"])
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.move(str(source), str(target))
    target.chmod(0o600)


def _copy_into_connection(source: Path) -> None:
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        copy.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"恢复 SQLite 数据库失败，原数据库未改变：{error}") from None
    finally:
        copy.close()
        connection.close()
