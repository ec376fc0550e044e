"""Evaluation reads on their own read-only connection (issue 13 §2).

A check of a city reads for minutes. Were it to read inside the write transaction that
stores its run (SQLite transactions begin IMMEDIATE here), every web write, login and token
use would wait on that lock and fail after the busy timeout. Instead the rules read through
a second connection to the same database, in one read-only transaction, so they see one
consistent snapshot while the site goes on writing (SQLite's WAL lets readers and one
writer proceed; PostgreSQL reads a REPEATABLE READ READ ONLY snapshot). The run is then
stored in one short write on the ordinary connection.

A parallel check (compliance.parallel) reads in several processes. On PostgreSQL they all
see the same snapshot: the coordinator exports its transaction's (`export_snapshot`) and
each shard opens `read_snapshot(shared=…)` on it. SQLite cannot share one: each shard reads
its own WAL snapshot, taken when it starts (see compliance.parallel for what that means).

The reading connection is put in place of this thread's default connection for the
duration, so every read the rules make (ORM or plain SQL through `django.db.connection`)
goes through it, and any write they attempted would fail instead of taking the lock.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.utils import load_backend

_outer = threading.local()  # this thread's ordinary connections, while a snapshot is open


def separate_reads_possible() -> bool:
    """A second connection sees what the first committed: not when the caller holds an
    open transaction (its own writes would be invisible, e.g. a test's), nor for an
    in-memory SQLite database."""
    if connection.in_atomic_block:
        return False
    if connection.vendor != "sqlite":
        return True
    name = str(connection.settings_dict["NAME"])
    return not (name == ":memory:" or "mode=memory" in name)


def _reader_settings(settings_dict: dict[str, Any]) -> dict[str, Any]:
    reader = copy.deepcopy(settings_dict)
    if reader["ENGINE"].endswith("sqlite3"):
        options = reader.setdefault("OPTIONS", {})
        command = options.get("init_command", "").rstrip().rstrip(";")
        # DEFERRED: the transaction takes no lock until it reads, and then a read snapshot
        options["transaction_mode"] = "DEFERRED"
        options["init_command"] = f"{command}; PRAGMA query_only = 1".lstrip("; ")
    reader["CONN_MAX_AGE"] = 0
    reader["CONN_HEALTH_CHECKS"] = False
    return reader


def _open_reader() -> Any:
    settings_dict = _reader_settings(connections[DEFAULT_DB_ALIAS].settings_dict)
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias=DEFAULT_DB_ALIAS)


def _begin_snapshot(shared: str | None) -> None:
    """Fix the snapshot now (PostgreSQL: read-only, repeatable read, the `shared` one when
    given; SQLite: the first read of a DEFERRED transaction takes it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            if shared:
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [shared])
        cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")


def export_snapshot() -> str | None:
    """Inside `read_snapshot`: the id other processes import to read the same snapshot
    while this transaction stays open (PostgreSQL); None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        return str(cursor.fetchone()[0])


@contextmanager
def read_snapshot(shared: str | None = None) -> Iterator[None]:
    """Within the block, this thread's default connection is a separate read-only one in
    a single transaction; falls back to the ordinary connection where a separate one
    cannot see the caller's data (`separate_reads_possible`). `shared`: a snapshot id from
    `export_snapshot` in another process (PostgreSQL), read instead of a new one (always
    on a separate connection: what it shows was committed)."""
    if shared is None and not separate_reads_possible():
        yield
        return
    previous = connections[DEFAULT_DB_ALIAS]
    reader = _open_reader()
    connections[DEFAULT_DB_ALIAS] = reader
    stack = _outer.__dict__.setdefault("stack", [])
    stack.append(previous)
    try:
        with transaction.atomic():
            _begin_snapshot(shared)
            yield
    finally:
        stack.pop()
        connections[DEFAULT_DB_ALIAS] = previous
        reader.close()


@contextmanager
def outside_snapshot() -> Iterator[None]:
    """Within `read_snapshot`: this thread's ordinary connection again for the block, to
    write (queue a task) or to read what others committed since the snapshot was taken."""
    stack = _outer.__dict__.get("stack") or []
    if not stack:
        yield
        return
    reader = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = stack[-1]
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = reader
