"""`xianfeng bench check`: a full evaluation of the rules over the city demo.

Target (issue "Compliance engine"): ORG rules at city scale (≈10,000 orgs, ≈300,000
members) ≤ 5 s on 2 cores on both databases, within 3× of the SQL floor — a plain
scan-and-group over the same tables (orgs, placements × status spells, seats, terms,
contact points and visits, venues, staff posts, budgets and spending; for STUDY rules the
study records, enrolments, study meetings' attendance, training classes and plans).
Each app declares its floor queries in its own `bench.py` (settings.BENCH_FLOORS).

Issue 15: every rule evaluated serially and in `--jobs` processes (compliance.parallel),
with the ratio to the floor overall and per group, and whether both found the same.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from xianfeng.lib.dates import Period, parse_period, today


def floor_queries(rules: list[str]) -> list[str]:
    """The floor queries the apps declare (settings.BENCH_FLOORS) for the chosen rules."""
    queries: list[str] = []
    for path in settings.BENCH_FLOORS:
        for prefix, sql in import_string(path).items():
            if prefix == "" or any(r.startswith(prefix) for r in rules):
                queries += sql
    return queries


def _floor(day: dt.date, rules: list[str]) -> float:
    """The plain scan-and-group of the tables the chosen rules read."""
    queries = floor_queries(rules)
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
    from xianfeng.demo.builder import build_demo

    build_demo(scale="city", seed=1, as_of=today(), progress=progress)
    return True


def run(
    *, rule_prefix: str = "", period: str = "", jobs: int = 0, progress: Any = None
) -> dict[str, Any]:
    """Evaluate serially and in `jobs` processes (default: the cores), twice each, and
    report the better times against the floor, per rule group too, and whether both
    found the same."""
    from xianfeng.members.models import Member
    from xianfeng.orgs.models import Org

    built = _ensure_city(progress)
    as_of = today()
    chosen = parse_period(period or str(as_of.year - 1))
    rules = [r for r in _rules() if r.startswith(rule_prefix)]
    roots = list(Org.objects.get_root_nodes())
    day = min(as_of, chosen.end - dt.timedelta(days=1))
    floor = min(_floor(day, rules) for _ in range(3))
    jobs = jobs or os.cpu_count() or 1
    serial = _evaluations(roots, chosen, as_of, rules, jobs=1)
    parallel = _evaluations(roots, chosen, as_of, rules, jobs=jobs)
    patch = _patch_seconds(roots, chosen, as_of, rules)
    return {
        "database": connection.vendor,
        "cores": os.cpu_count(),
        "jobs": jobs,
        "built_demo": built,
        "rules": rules,
        "period": chosen.label,
        "orgs": Org.objects.count(),
        "orgs_evaluated": serial.orgs,
        "members": Member.objects.count(),
        "findings": len(serial.found),
        "identical": serial.found == parallel.found,
        "serial_s": round(serial.seconds, 3),
        "parallel_s": round(parallel.seconds, 3),
        "evaluation_s": round(parallel.seconds, 3),
        "floor_s": round(floor, 3),
        "ratio": round(parallel.seconds / floor, 2) if floor else None,
        "serial_ratio": round(serial.seconds / floor, 2) if floor else None,
        "speedup": round(serial.seconds / parallel.seconds, 2) if parallel.seconds else None,
        "groups": _groups(day, rules, serial.rule_s),
        "rule_s": serial.rule_s,
        **patch,
    }


def _rules() -> list[str]:
    from xianfeng.compliance.registry import load_rules

    return list(load_rules())


@dataclass
class Evaluation:
    seconds: float
    rule_s: dict[str, float]
    found: list[str]
    orgs: int


def best_evaluation(
    roots: list[Any], period: Any, as_of: dt.date, rules: list[str], *, jobs: int = 1
) -> tuple[float, dict[str, float], list[Any], int]:
    """The faster of two evaluations in `jobs` processes: its seconds, each rule's seconds,
    its (rule, found) pairs and the org count."""
    from xianfeng.compliance.engine import evaluate

    best: tuple[float, dict[str, float], list[Any], int] | None = None
    for _ in range(2):
        timings: dict[str, float] = {}
        start = time.perf_counter()
        pairs, orgs = evaluate(
            roots=roots, period=period, as_of=as_of, rule_ids=rules, timings=timings, jobs=jobs
        )
        seconds = time.perf_counter() - start
        if best is None or seconds < best[0]:
            best = (seconds, timings, pairs, orgs)
    assert best is not None
    return best


def time_rules(
    rules: list[str], *, period: Period, as_of: dt.date, target_s: float
) -> dict[str, Any]:
    """The chosen rules over every root, the better of two, against `target_s` (the
    domain benches: `bench dues`, `bench recruitment`, `bench supervision`)."""
    from xianfeng.orgs.models import Org

    roots = list(Org.objects.get_root_nodes())
    seconds, timings, pairs, _orgs = best_evaluation(roots, period, as_of, rules)
    return {
        "rules": rules,
        "period": period.label,
        "findings": len(pairs),
        "seconds": round(seconds, 3),
        "rule_s": {rule: round(s, 3) for rule, s in timings.items()},
        "target_s": target_s,
        "ratio": round(seconds / target_s, 2),
        "met": seconds <= target_s,
    }


def _evaluations(
    roots: list[Any], period: Any, as_of: dt.date, rules: list[str], *, jobs: int
) -> Evaluation:
    """The better of two evaluations in `jobs` processes; `found` as sorted keys."""
    seconds, timings, pairs, orgs = best_evaluation(roots, period, as_of, rules, jobs=jobs)
    return Evaluation(seconds, timings, _keys(pairs), orgs)


def _keys(pairs: list[Any]) -> list[str]:
    return sorted(
        json.dumps(
            [
                rule.id if rule else "",
                f.org_id,
                f.member_id,
                f.period,
                f.severity,
                f.message,
                f.evidence,
            ],
            sort_keys=True,
            default=str,
            ensure_ascii=False,
        )
        for rule, f in pairs
    )


def _groups(day: dt.date, rules: list[str], rule_s: dict[str, float]) -> dict[str, Any]:
    """Per rule group (ORG, LIFE, STUDY …): the serial seconds of its rules, its floor
    and the ratio (target ≤ 3)."""
    from xianfeng.compliance.parallel import group_of

    groups: dict[str, Any] = {}
    for prefix in sorted({group_of(r) for r in rules}):
        chosen = [r for r in rules if group_of(r) == prefix]
        seconds = sum(rule_s.get(r, 0.0) for r in chosen)
        floor = min(_floor(day, chosen) for _ in range(2))
        groups[prefix] = {
            "serial_s": round(seconds, 3),
            "floor_s": round(floor, 3),
            "ratio": round(seconds / floor, 2) if floor else None,
        }
    return groups


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
