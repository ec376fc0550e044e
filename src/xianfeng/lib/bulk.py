"""Fast bulk inserts for imports of hundreds of thousands of rows.

Django's bulk_create builds a model object and prepares every value through the field
machinery (about 25 µs a row); an import of a city writes 1.5 million rows. Here rows are
plain tuples already in database form: PostgreSQL receives them by COPY, SQLite by
executemany. Primary keys are reserved up front so dependent rows can refer to them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model` (call inside the import's transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(start, (row[0] + 1) if row else 1)
    return list(range(start, start + count))


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # Django keeps UTC without offset in SQLite
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite_batches(
    rows: Iterable[Sequence[Any]], width: int, size: int = 5000
) -> Iterable[list[Any]]:
    """Rows in batches, dates and JSON values converted for SQLite.

    Which columns need converting is learnt from the first non-empty value of each
    column, so the per-row cost is only the conversion itself.
    """
    batch: list[Any] = []
    unknown = set(range(width))
    convert: list[int] = []
    for row in rows:
        if unknown:
            for i in [i for i in unknown if row[i] is not None]:
                unknown.discard(i)
                if isinstance(row[i], dt.date | list | dict):
                    convert.append(i)
        if convert:
            row = list(row)
            for i in convert:
                if row[i] is not None:
                    row[i] = _sqlite_value(row[i])
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in `columns` order) into `table`; returns the row count."""
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            json_columns = [c.attname for c in _json_fields(table)]
            wrap = [i for i, name in enumerate(columns) if name in json_columns]
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    if wrap:
                        row = list(row)
                        for i in wrap:
                            row[i] = Jsonb(row[i])
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["?"] * len(columns))
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
        raw = cursor.cursor
        for batch in _sqlite_batches(rows, len(columns)):
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def _json_fields(table: str) -> list[Any]:
    """The JSON fields of the model stored in `table` (wrapped for COPY)."""
    from django.apps import apps
    from django.db.models import JSONField

    for model in apps.get_models():
        if model._meta.db_table == table:
            return [f for f in model._meta.concrete_fields if isinstance(f, JSONField)]
    return []


def column_names(model: type[Model], exclude: Iterable[str] = ()) -> list[str]:
    """The concrete columns of `model` (attnames, FK as `<name>_id`), in field order."""
    skip = set(exclude)
    return [f.column for f in model._meta.concrete_fields if f.name not in skip]
