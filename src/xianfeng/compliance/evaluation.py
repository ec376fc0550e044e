"""Evaluating rules in a context on a read-only snapshot: shared by the engine (one process)
and the shards of a parallel run (compliance.parallel)."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from xianfeng.lib.dates import Period
from xianfeng.lib.sql import large_page_cache

from .calendar import Calendar
from .policy import resolver
from .registry import Context, Found, Rule
from .snapshot import read_snapshot


@contextmanager
def working_memory(shared: str | None = None) -> Iterator[None]:
    """A read-only snapshot (`read_snapshot`) in which PostgreSQL may use
    `XIANFENG_CHECK_WORK_MEM` per sort or hash, without Python's cycle collector.

    With the server's default work_mem (4 MB) the grouped reads of a city spill to disk in
    thousands of batches: one DISTINCT over half a year of attendance (8 million rows) took
    185 s instead of 3.5 s. The setting lasts until the end of the transaction only.

    SQLite gets a larger page cache (`large_page_cache`).

    Python's cycle collector is paused meanwhile: the rules build millions of short-lived
    tuples and dicts, and its repeated passes over them cost LIFE-08 a quarter of its time
    at city scale (10.5 s → 7.8 s); it runs again, and catches up, when the check ends.

    `shared`: the exported PostgreSQL snapshot a parallel run's shard reads.
    """
    gc.disable()
    try:
        with read_snapshot(shared), transaction.atomic(savepoint=False), large_page_cache():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('work_mem', %s, true)",
                        [settings.XIANFENG_CHECK_WORK_MEM],
                    )
            yield
    finally:
        gc.enable()


def context(
    *, roots: list[Any], period: Period, as_of: dt.date, overrides: dict[str, Any] | None = None
) -> Context:
    """The context rules evaluate (inside a snapshot)."""
    return Context(
        roots=roots,
        period=period,
        as_of=as_of,
        policy=resolver(day=min(as_of, period.end - dt.timedelta(days=1)), overrides=overrides),
        calendar=Calendar(),
    )


def apply_rules(
    ctx: Context, chosen: list[Rule], timings: dict[str, float] | None = None
) -> list[tuple[Rule | None, Found]]:
    """The findings of `chosen` rules in `ctx`, each rule's seconds into `timings`."""
    found: list[tuple[Rule | None, Found]] = []
    for rule in chosen:
        start = time.perf_counter()
        found += [(rule, f) for f in rule.fn(ctx)]
        if timings is not None:
            timings[rule.id] = round(timings.get(rule.id, 0) + time.perf_counter() - start, 3)
    return found
