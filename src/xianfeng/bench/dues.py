"""`xianfeng bench dues`: the dues targets of issue 18 on the database at hand (a demo),
with the machine's cores:

- the city's dues owed for a year (≈ 300,000 members × 12 months ≈ 3.6 M lines), the
  computation the ledger uses (`dues.ledger.compute`) ≤ 60 s, and writing them
  (`dues.ledger.refresh`) from an empty year, rolled back afterwards;
- the dues rules (DUES-…) over the whole tree for the current year, the better of two,
  ≤ 3 s, once they are registered;
- the yearly totals table of the root (the subtree's months and its children's sums, as
  the totals page reads it), the better of two, ≤ 1 s.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from django.db import connection, transaction

from xianfeng.bench import check
from xianfeng.lib.dates import parse_period, today

TARGET_COMPUTE_S = 60.0
TARGET_RULES_S = 3.0
TARGET_TOTALS_S = 1.0


class _RolledBack(Exception):
    pass


def time_compute(year: int) -> dict[str, Any]:
    """`ledger.compute(year)` over every member."""
    from xianfeng.dues import ledger

    start = time.perf_counter()
    lines = ledger.compute(year)
    seconds = time.perf_counter() - start
    return {
        "year": year,
        "rows": len(lines),
        "members": len({line.member for line in lines}),
        "seconds": round(seconds, 3),
        "target_s": TARGET_COMPUTE_S,
        "ratio": round(seconds / TARGET_COMPUTE_S, 2),
        "met": seconds <= TARGET_COMPUTE_S,
    }


def time_refresh(year: int) -> dict[str, Any]:
    """`ledger.refresh(year)` after the year's lines are emptied; nothing is kept."""
    from xianfeng.dues import ledger
    from xianfeng.dues.models import Due

    table = connection.ops.quote_name(Due._meta.db_table)
    report: dict[str, Any] = {"year": year}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {table} WHERE month >= %s AND month <= %s",  # noqa: S608
                    [dt.date(year, 1, 1), dt.date(year, 12, 1)],
                )
                report["emptied"] = cursor.rowcount
            start = time.perf_counter()
            counts = ledger.refresh(year)
            report["seconds"] = round(time.perf_counter() - start, 3)
            report["rows"] = counts["added"]
            raise _RolledBack
    except _RolledBack:
        pass
    return report


def dues_rules() -> list[str]:
    from xianfeng.compliance.registry import load_rules

    return sorted(r for r in load_rules() if r.startswith("DUES-"))


def time_rules(year: int) -> dict[str, Any]:
    """The dues rules over every root for `year`, the better of two."""
    rules = dues_rules()
    if not rules:
        return {"skipped": "尚未登记党费规则（DUES-…）"}
    period = parse_period(str(year))
    return check.time_rules(rules, period=period, as_of=today(), target_s=TARGET_RULES_S)


def time_totals(year: int) -> dict[str, Any]:
    """`queries.totals.org_totals` of each root for `year`, the better of two."""
    from xianfeng.dues.queries.totals import org_totals
    from xianfeng.orgs.models import Org

    roots = list(Org.objects.get_root_nodes())
    best = None
    for _ in range(2):
        start = time.perf_counter()
        tables = [org_totals(root, year) for root in roots]
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    assert best is not None
    return {
        "year": year,
        "roots": len(roots),
        "children": sum(len(t.children) for t in tables),
        "lines": sum(t.total.lines for t in tables),
        "seconds": round(best, 3),
        "target_s": TARGET_TOTALS_S,
        "ratio": round(best / TARGET_TOTALS_S, 2),
        "met": best <= TARGET_TOTALS_S,
    }


def run(year: int | None = None) -> dict[str, Any]:
    from xianfeng.dues.models import Due
    from xianfeng.members.models import Member

    year = year or today().year
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "members": Member.objects.count(),
        "lines": Due.objects.count(),
        "compute": time_compute(year),
        "refresh_from_empty": time_refresh(year),
        "rules": time_rules(year),
        "totals": time_totals(year),
    }
