"""`xianfeng bench check`: a full evaluation of the rules over the city demo.

Target (issue "Compliance engine"): ORG rules at city scale (≈10,000 orgs, ≈300,000
members) ≤ 5 s on 2 cores on both databases, within 3× of the SQL floor — a plain
scan-and-group over the same tables (orgs, placements × status spells, seats, terms,
contact points and visits, venues, staff posts, budgets and spending; for STUDY rules the
study records, enrolments, study meetings' attendance, training classes and plans).
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
# ORG-07/08/09: contact points, visits, venues, staff posts, budgets and spending.
SUPPORT_SQL = [
    "SELECT org_id, leader_id, COUNT(*) FROM orgs_contactpoint WHERE started_on <= %(day)s"
    " AND (ended_on IS NULL OR ended_on >= %(day)s) GROUP BY org_id, leader_id",
    "SELECT contact_point_id, kind, COUNT(*) FROM orgs_visit WHERE visited_on <= %(day)s"
    " GROUP BY contact_point_id, kind",
    "SELECT org_id, COUNT(*) FROM orgs_venue WHERE closed_on IS NULL OR closed_on > %(day)s"
    " GROUP BY org_id",
    "SELECT org_id, COUNT(*) FROM orgs_staffpost WHERE full_time AND started_on <= %(day)s"
    " AND (ended_on IS NULL OR ended_on >= %(day)s) GROUP BY org_id",
    "SELECT org_id, SUM(amount) FROM orgs_budget GROUP BY org_id",
    "SELECT org_id, SUM(amount) FROM orgs_spending WHERE spent_on <= %(day)s GROUP BY org_id",
]

# LIFE: meetings by org, kind and day; attendance by meeting and status.
LIFE_SQL = [
    "SELECT org_id, kind, held_on, COUNT(*) FROM orglife_meeting WHERE status = 'held'"
    " AND held_on <= %(day)s GROUP BY org_id, kind, held_on",
    "SELECT a.member_id, a.status, COUNT(*) FROM orglife_attendance a JOIN orglife_meeting m"
    " ON m.id = a.meeting_id WHERE m.held_on <= %(day)s GROUP BY a.member_id, a.status",
]

# STUDY: study records, attended enrolments and study meetings' attendance by member;
# training classes by org, kind and day; plans and their items.
STUDY_SQL = [
    "SELECT member_id, source, SUM(hours) FROM study_studyrecord WHERE status = 'approved'"
    " AND studied_on <= %(day)s GROUP BY member_id, source",
    "SELECT e.member_id, SUM(COALESCE(e.hours, c.hours)), COUNT(*) FROM study_enrollment e"
    " JOIN study_trainingclass c ON c.id = e.training_class_id WHERE e.status = 'attended'"
    " AND c.status = 'held' AND c.ends_on <= %(day)s GROUP BY e.member_id",
    "SELECT a.member_id, m.kind, COUNT(*) FROM orglife_attendance a JOIN orglife_meeting m"
    " ON m.id = a.meeting_id WHERE a.status = 'present' AND m.kind IN ('party_lesson',"
    " 'study_session') AND m.held_on <= %(day)s GROUP BY a.member_id, m.kind",
    "SELECT org_id, kind, starts_on, COUNT(*) FROM study_trainingclass WHERE status = 'held'"
    " AND starts_on <= %(day)s GROUP BY org_id, kind, starts_on",
    "SELECT p.org_id, p.member_id, i.period, COUNT(i.done_on) FROM study_studyplan p"
    " JOIN study_planitem i ON i.plan_id = p.id GROUP BY p.org_id, p.member_id, i.period",
    "SELECT member_id, started_on, ended_on FROM orgs_seat WHERE started_on <= %(day)s",
]


def _floor(day: dt.date, rules: list[str]) -> float:
    """The plain scan-and-group of the tables the chosen rules read."""
    queries = [FLOOR_SQL, ORGS_SQL]
    if any(r.startswith("ORG") for r in rules):
        queries += [SEATS_SQL, TERMS_SQL, *SUPPORT_SQL]
    if any(r.startswith("LIFE") for r in rules):
        queries += LIFE_SQL
    if any(r.startswith("STUDY") for r in rules):
        queries += STUDY_SQL
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in queries:
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
    floor = min(_floor(day, rules) for _ in range(3))
    timings: list[float] = []
    by_rule: list[dict[str, float]] = []
    for _ in range(3):
        start = time.perf_counter()
        by_rule.append({})
        found, orgs = evaluate(
            roots=roots, period=chosen, as_of=as_of, rule_ids=rules, timings=by_rule[-1]
        )
        timings.append(time.perf_counter() - start)
    evaluation = min(timings)
    patch = _patch_seconds(roots, chosen, as_of, rules)
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
        "rule_s": by_rule[timings.index(evaluation)],
        **patch,
    }


def _patch_seconds(roots: list[Any], period: Any, as_of: dt.date, rules: list[str]) -> dict:
    """Time re-evaluating the local rules for the branch with the most members inside a
    stored run, as the worker does after one meeting is saved (target ≤ 200 ms)."""
    from django.db.models import Count

    from xianfeng.compliance.engine import patch_run, run_check
    from xianfeng.compliance.registry import load_rules
    from xianfeng.orgs.models import Org

    local = [r for r in rules if load_rules()[r].local]
    if not local:
        return {}
    branch = Org.objects.filter(kind="branch").annotate(n=Count("members")).order_by("-n").first()
    if branch is None:
        return {}
    run = run_check(roots=roots, period=period, as_of=as_of, rule_ids=local).run
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        patch_run(run=run, root=branch, rule_ids=local, as_of=as_of)
        timings.append(time.perf_counter() - start)
    run.delete()
    return {"patch_branch": branch.code, "patch_rules": local, "patch_s": round(min(timings), 3)}
