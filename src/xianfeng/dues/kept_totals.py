"""The ledger's sums per org and month (`MonthTotal`), kept in step with the lines.

Every write to the lines (`ledger.refresh`, a payment or reversal, a restored entry, the
demo) touches the (org, month) pairs it changed; `touch` recomputes their sums from the
lines in the same transaction, or, inside `deferred`, notes them and recomputes them
once when the block ends (a month's screen of fifty payments: one recomputation).

A recomputation first takes the row locks of the pairs' sums, and only then reads the
lines in a new statement: on PostgreSQL (read committed) two treasurers paying in the same
branch and month wait for each other, and the second sums what the first committed.
Pairs without lines lose their row. `xianfeng dues refresh` recomputes every year it
refreshes, which also mends sums written before this module existed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

from .models import Due, MonthTotal

Touched = dict[dt.date, set[int] | None]  # month → orgs (None: every org)
ORGS_AT_ONCE = 500  # orgs named in one statement

_DEFERRED: ContextVar[Touched | None] = ContextVar("dues_totals_deferred", default=None)


def touch(month: dt.date, orgs: Iterable[int] | None) -> None:
    """The sums of `orgs` (None: all) for `month` are stale: recompute them now, or at the
    end of the enclosing `deferred` block."""
    pending = _DEFERRED.get()
    touched: Touched = pending if pending is not None else {}
    _note(touched, month, orgs)
    if pending is None:
        retotal(touched)


def touch_pairs(pairs: Iterable[tuple[int, dt.date]]) -> None:
    """`touch` for (org, month) pairs."""
    by_month: dict[dt.date, set[int]] = {}
    for org, month in pairs:
        by_month.setdefault(month, set()).add(org)
    with deferred():
        for month, orgs in by_month.items():
            touch(month, orgs)


def touch_year(year: int) -> None:
    with deferred():
        for m in range(1, 13):
            touch(dt.date(year, m, 1), None)


def _note(touched: Touched, month: dt.date, orgs: Iterable[int] | None) -> None:
    if orgs is None:
        touched[month] = None
        return
    kept = touched.setdefault(month, set())
    if kept is not None:
        kept.update(orgs)


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block `touch` only notes; the sums are recomputed at its end (an inner
    block leaves them to the outer one)."""
    if _DEFERRED.get() is not None:
        yield
        return
    touched: Touched = {}
    token = _DEFERRED.set(touched)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    retotal(touched)


def retotal(touched: Touched) -> None:
    """Recompute the sums of the touched pairs from the lines, month by month in order."""
    with connection.cursor() as cursor:
        for month in sorted(touched):
            orgs = touched[month]
            if orgs is None:
                _retotal(cursor, month, None)
                continue
            ordered = sorted(orgs)
            for start in range(0, len(ordered), ORGS_AT_ONCE):
                _retotal(cursor, month, ordered[start : start + ORGS_AT_ONCE])


def _scope(month: dt.date, orgs: Sequence[int] | None) -> tuple[str, list]:
    sql = f"{connection.ops.quote_name('month')} = %s"
    if orgs is None:
        return sql, [month]
    marks = ", ".join(["%s"] * len(orgs))
    return f"{sql} AND org_id IN ({marks})", [month, *orgs]


def _retotal(cursor: Any, month: dt.date, orgs: Sequence[int] | None) -> None:
    q = connection.ops.quote_name
    total, due = q(MonthTotal._meta.db_table), q(Due._meta.db_table)
    where, params = _scope(month, orgs)
    # the rows' locks first: a concurrent writer's sums are committed before we read
    cursor.execute(f"UPDATE {total} SET lines = lines WHERE {where}", params)  # noqa: S608
    columns = "due, paid, owed, undeclared, unsettled, lines"
    cursor.execute(
        f"INSERT INTO {total} (org_id, {q('month')}, {columns})"  # noqa: S608
        f" SELECT org_id, {q('month')}, COALESCE(SUM(amount), 0), COALESCE(SUM(paid), 0),"
        " COALESCE(SUM(CASE WHEN settled OR amount IS NULL THEN 0 ELSE amount - paid END), 0),"
        " SUM(CASE WHEN amount IS NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN settled THEN 0 ELSE 1 END), COUNT(*)"
        f" FROM {due} WHERE {where} GROUP BY org_id, {q('month')}"
        f" ON CONFLICT (org_id, {q('month')}) DO UPDATE SET due = excluded.due,"
        " paid = excluded.paid, owed = excluded.owed, undeclared = excluded.undeclared,"
        " unsettled = excluded.unsettled, lines = excluded.lines",
        params,
    )
    cursor.execute(
        f"DELETE FROM {total} WHERE {where} AND NOT EXISTS ("  # noqa: S608
        f"SELECT 1 FROM {due} d WHERE d.org_id = {total}.org_id"
        f" AND d.{q('month')} = {total}.{q('month')})",
        params,
    )
