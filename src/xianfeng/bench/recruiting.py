"""`xianfeng bench recruitment`: the recruitment targets of issue 17 on the database at
hand (a demo), with the machine's cores:

- the recruitment rules (DEV-…, MEM-03) over the whole tree for the current year and the
  last one, the better of two each ≤ 3 s (the city demo);
- the targets-vs-progress table (`recruitment.queries.progress.progress_table`) of the
  root for the current year ≤ 1 s.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.db import connection

from xianfeng.bench import check
from xianfeng.lib.dates import parse_period, today

TARGET_RULES_S = 3.0
TARGET_TABLE_S = 1.0
PREFIXES = ("DEV-", "MEM-03")


def recruitment_rules() -> list[str]:
    from xianfeng.compliance.registry import load_rules

    return sorted(r for r in load_rules() if r.startswith(PREFIXES))


def time_rules(year: int) -> dict[str, Any]:
    """The recruitment rules over every root for `year`, the better of two."""
    period = parse_period(str(year))
    return check.time_rules(
        recruitment_rules(), period=period, as_of=today(), target_s=TARGET_RULES_S
    )


def time_table(year: int) -> dict[str, Any]:
    """The root's targets-vs-progress table for `year`, the better of three."""
    from xianfeng.orgs.models import Org
    from xianfeng.recruitment.queries.progress import progress_table

    root = Org.objects.get_root_nodes().first()
    if root is None:
        return {"skipped": "当前数据库没有党组织，请先生成示范数据"}
    timings = []
    rows = 0
    for _ in range(3):
        start = time.perf_counter()
        table = progress_table(root, year)
        timings.append(time.perf_counter() - start)
        rows = len(table.rows)
    seconds = min(timings)
    return {
        "org": root.code,
        "year": year,
        "rows": rows,
        "seconds": round(seconds, 3),
        "target_s": TARGET_TABLE_S,
        "ratio": round(seconds / TARGET_TABLE_S, 2),
        "met": seconds <= TARGET_TABLE_S,
    }


def run() -> dict[str, Any]:
    from xianfeng.members.models import Member
    from xianfeng.orgs.models import Org
    from xianfeng.recruitment.models import Person

    year = today().year
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "orgs": Org.objects.count(),
        "members": Member.objects.count(),
        "people": Person.objects.count(),
        "rules_current_year": time_rules(year),
        "rules_last_year": time_rules(year - 1),
        "progress_table": time_table(year),
    }
