"""Database helpers for query functions: native date parts, fresh planner statistics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Func, IntegerField


class YearMonth(Func):
    """A date column's year × 100 + month as an integer (202503), computed by the
    database itself: Django's ExtractYear/ExtractMonth call back into Python once per row
    on SQLite (3.5 s for the 1.8 million meetings a city holds in a year)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('%%Y%%m', {sql}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(to_char({sql}, 'YYYYMM') AS INTEGER)", params


class Unindexed(Func):
    """A column compared so that SQLite cannot use an index for it (CAST AS TEXT; ISO
    dates compare the same as text): a read of most of a table then scans it in rowid
    order. For a year of a city's attendance SQLite otherwise skip-scans the meetings'
    (kind, held_on) index and visits them in date order, which scatters the join to the
    attendance index: 8.2 s instead of 5.3 s. PostgreSQL gets the plain column."""

    def __init__(self, expression: Any, output_field: Any) -> None:
        super().__init__(expression, output_field=output_field)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS TEXT)", params


def refresh_statistics() -> None:
    """Let the query planner know the tables' sizes after a bulk load (demo, import) or
    before a large check.

    SQLite has no statistics until ANALYZE runs, and without them it drives a branch's
    reads from a city-wide index (a branch re-checked in 24 s instead of 0.1 s).
    `analysis_limit` samples about a thousand rows per index: 0.02 s on a city. PostgreSQL
    gathers its own (autovacuum), but only some time after a bulk load."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")


@contextmanager
def large_page_cache() -> Iterator[None]:
    """On SQLite, a 256 MiB page cache while loading (far fewer pages spilled and
    rewritten when hundreds of thousands of rows go into indexed tables) or while checking
    a city (its grouped reads of millions of attendance rows); restored afterwards."""
    with _page_cache(-262144):
        yield


@contextmanager
def small_page_cache() -> Iterator[None]:
    """On SQLite, SQLite's default 2 MiB page cache for one scan of a whole table (read
    once, in order), even inside `large_page_cache`: the scan gains nothing from keeping
    its pages, which would cost the process their memory (a city's members: ≈150 MiB)."""
    with _page_cache(-2000):
        yield


@contextmanager
def _page_cache(size: int) -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {int(size)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def indexes_set_aside(tables: list[str]) -> Iterator[None]:
    """On SQLite, drop the secondary indexes of `tables` for a bulk load and build them
    again after it (inside the caller's transaction): an index built once from the loaded
    rows costs a fraction of keeping it up row by row. Indexes that back a constraint
    (primary keys, unique constraints) stay. PostgreSQL keeps its indexes: COPY keeps them
    up fast enough, and it refuses CREATE INDEX on a table with deferred foreign-key
    checks pending in the transaction."""
    if connection.vendor != "sqlite":
        yield
        return
    kept = _secondary_indexes(tables)
    with connection.cursor() as cursor:
        for name, _sql in kept:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in kept:
                cursor.execute(sql)


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each SQLite index of `tables` that backs no constraint
    (those SQLite makes itself have no statement; unique ones are left alone)."""
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name",  # noqa: S608
            tables,
        )
        return [(name, sql) for name, sql in cursor.fetchall() if "UNIQUE" not in sql.upper()]
