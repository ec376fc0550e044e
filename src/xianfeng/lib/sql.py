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
