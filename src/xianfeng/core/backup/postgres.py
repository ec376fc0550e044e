"""The PostgreSQL side of backup and restore: pg_dump in one snapshot with its row counts,
ID-number samples read from a dump, and pg_restore in one transaction."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

from .common import SAMPLE, BackupError


def _env() -> dict[str, str]:
    conf = connection.settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", conf.get("HOST")),
        ("PGPORT", conf.get("PORT")),
        ("PGUSER", conf.get("USER")),
        ("PGPASSWORD", conf.get("PASSWORD")),
        ("PGSSLMODE", (conf.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端工具（与服务器同一主版本）"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[-2000:]}")


def _tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor: Any) -> dict[str, int]:
    """Rows per table of the current schema, read through `cursor`."""
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def dump(target: Path) -> dict[str, int]:
    """pg_dump of the configured database in one snapshot that the counts share."""
    other = connection.copy()
    try:
        other.ensure_connection()
        with other.connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor)
            name = str(connection.settings_dict["NAME"])
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", name])
            cursor.execute("COMMIT")
    finally:
        other.close()
    return counts


def id_samples(dump: Path) -> list[tuple[str, str]]:
    """The first rows of members_member's ciphertext and HMAC, read from the dump."""
    command = ["pg_restore", "--data-only", "--table=members_member", "--file=-", str(dump)]
    process = subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE, text=True)
    samples: list[tuple[str, str]] = []
    try:
        assert process.stdout is not None
        columns: list[str] = []
        for line in process.stdout:
            if line.startswith("COPY ") and "members_member" in line:
                inside = line[line.index("(") + 1 : line.index(")")]
                columns = [c.strip().strip('"') for c in inside.split(",")]
                continue
            if not columns or line.startswith("\\."):
                if columns:
                    break
                continue
            values = dict(zip(columns, line.rstrip("\n").split("\t"), strict=False))
            samples.append((values["id_number_cipher"], values["id_number_hmac"]))
            if len(samples) >= SAMPLE:
                break
    finally:
        process.kill()
        process.wait()
    return samples


def _drop_others(keep: set[str]) -> None:
    """Drop the tables the archive does not hold (a newer schema's), so that migrate runs."""
    with connection.cursor() as cursor:
        others = [t for t in _tables(cursor) if t not in keep]
        if others:
            cursor.execute("DROP TABLE " + ", ".join(f'"{t}"' for t in others) + " CASCADE")


def restore_dump(dump: Path, *, tables: set[str]) -> None:
    """Restore in one transaction: the dump's objects replace their namesakes (--clean),
    and a failure leaves the database as it was."""
    connection.close()
    name = str(connection.settings_dict["NAME"])
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--dbname={name}",
            str(dump),
        ]
    )
    _drop_others(tables)
