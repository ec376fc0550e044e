"""`xianfeng bench check`: a full evaluation of the rules over the city demo.

Target (issue "Compliance engine"): ORG rules at city scale (≈10,000 orgs, ≈300,000
members) ≤ 5 s on 2 cores on both databases, within 3× of the SQL floor — a plain
scan-and-group over the same tables (orgs, placements × status spells, seats, terms).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from django.db import connection

from xianfeng.lib.dates import parse_period, today

FLOOR_SQL = """
SELECT p.org_id, s.status, COUNT(*)
FROM members_placement p JOIN members_statusspell s ON s.member_id = p.member_id
WHERE p.started_on <= %(day)s AND (p.ended_on IS NULL OR p.ended_on > %(day)s)
  AND s.started_on <= %(day)s AND (s.ended_on IS NULL OR s.ended_on > %(day)s)
GROUP BY p.org_id, s.status
"""
ORGS_SQL = "SELECT id, path, kind, level, sector FROM orgs_org"
# The other tables the ORG rules read, scanned and grouped the same plain way.
SEATS_SQL = """
SELECT org_id, role, COUNT(*) FROM orgs_seat
WHERE started_on <= %(day)s AND (ended_on IS NULL OR ended_on >= %(day)s)
GROUP BY org_id, role
"""
TERMS_SQL = (
    "SELECT org_id, MAX(elected_on) FROM orgs_term WHERE elected_on <= %(day)s GROUP BY org_id"
)


def _floor(day: dt.date) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"day": day})
        cursor.fetchall()
        cursor.execute(ORGS_SQL)
        cursor.fetchall()
        for sql in (SEATS_SQL, TERMS_SQL):
            cursor.execute(sql, {"day": day})
            cursor.fetchall()
    return time.perf_counter() - start


def _ensure_city(progress: Any) -> bool:
    from xianfeng.orgs.models import Org

    if Org.objects.exists():
        return False
    from xianfeng.core.demo import build_demo

    build_demo(scale="city", seed=1, as_of=today(), progress=progress)
    return True


def run(*, rule_prefix: str = "", period: str = "", progress: Any = None) -> dict[str, Any]:
    from xianfeng.compliance.engine import evaluate
    from xianfeng.compliance.registry import load_rules
    from xianfeng.members.models import Member
    from xianfeng.orgs.models import Org

    built = _ensure_city(progress)
    as_of = today()
    chosen = parse_period(period or str(as_of.year - 1))
    rules = [r for r in load_rules() if r.startswith(rule_prefix)]
    roots = list(Org.objects.get_root_nodes())
    day = min(as_of, chosen.end - dt.timedelta(days=1))
    floor = min(_floor(day) for _ in range(3))
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        found, orgs = evaluate(roots=roots, period=chosen, as_of=as_of, rule_ids=rules)
        timings.append(time.perf_counter() - start)
    evaluation = min(timings)
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "built_demo": built,
        "rules": rules,
        "period": chosen.label,
        "orgs": Org.objects.count(),
        "orgs_evaluated": orgs,
        "members": Member.objects.count(),
        "findings": len(found),
        "evaluation_s": round(evaluation, 3),
        "floor_s": round(floor, 3),
        "ratio": round(evaluation / floor, 2) if floor else None,
    }
