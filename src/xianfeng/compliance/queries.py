"""Reads of runs, findings and effective parameters, reused by the compliance pages,
the org page's card and the findings export (PLAT-04)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast

from xianfeng.accounts.scope import path_q
from xianfeng.lib.dates import Period
from xianfeng.orgs.models import Org

from .engine import CALENDAR_RULE, evaluate
from .models import Finding, Run
from .parameters import PARAMETERS
from .policy import PREFERENCE_LAYER, PolicyError, Resolver, resolver
from .registry import Found, Rule, load_rules

CALENDAR = Rule(
    CALENDAR_RULE,
    "节假日安排已核对",
    "涉及节假日、调休的检查以国务院办公厅公布的当年节假日安排为准；尚未核对的年份按程序推算。",
    "国务院办公厅关于部分节假日安排的通知（每年）",
    "year",
    "info",
    (),
    (),
    lambda ctx: [],
)


def rules_by_id() -> dict[str, Rule]:
    """Every registered rule, plus the calendar note the engine adds on its own."""
    return {**dict(sorted(load_rules().items())), CALENDAR_RULE: CALENDAR}


# --- runs and findings -------------------------------------------------------------------


def _self_and_ancestor_codes(org: Org) -> list[str]:
    step = Org.steplen
    paths = [org.path[:end] for end in range(step, len(org.path) + 1, step)]
    return list(Org.objects.filter(path__in=paths).values_list("code", flat=True))


def latest_run_for(org: Org) -> Run | None:
    """The most recent run whose scope roots include `org` or one of its ancestors.

    Runs made with policy overrides (`xianfeng check --policy-override`) answer a
    hypothetical question and are never taken as the current state.
    """
    # Run.scope is a JSON list of org codes; codes are [A-Za-z0-9._-], so the quoted code
    # in the JSON text matches one element exactly, on SQLite and PostgreSQL alike.
    query = Q(pk__in=[])
    for code in _self_and_ancestor_codes(org):
        query |= Q(scope_text__contains=f'"{code}"')
    runs = Run.objects.annotate(scope_text=Cast("scope", TextField())).filter(query)
    return runs.filter(overrides={}).order_by("-started_at", "-pk").first()


def findings_for(user: Any, org: Org, run: Run | None) -> QuerySet[Finding]:
    """The run's findings in `org`'s subtree that lie in the user's scope."""
    if run is None:
        return Finding.objects.none()
    rows = Finding.objects.filter(run=run, org__path__startswith=org.path)
    return rows.filter(path_q(user, "org__path"))


def scope_findings(user: Any, org: Org | None = None) -> QuerySet[Finding]:
    """Current findings of `org`'s subtree, or of every root of the user's scope, each
    from the latest run covering it."""
    from xianfeng.orgs.queries import scope_roots

    query = Q(pk__in=[])
    for root in [org] if org is not None else scope_roots(user):
        run = latest_run_for(root)
        if run is not None:
            query |= Q(run=run, org__path__startswith=root.path)
    return Finding.objects.filter(query).filter(path_q(user, "org__path"))


def severity_counts(findings: QuerySet[Finding]) -> dict[str, int]:
    rows = findings.order_by().values("severity").annotate(n=Count("pk"))
    return {row["severity"]: row["n"] for row in rows}


def rule_counts(findings: QuerySet[Finding]) -> dict[str, Counter[str]]:
    """Per rule, the number of findings by severity (one grouped query)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in findings.order_by().values("rule", "severity").annotate(n=Count("pk")):
        counts[row["rule"]][row["severity"]] += row["n"]
    return counts


def counts_by_child(findings: QuerySet[Finding], org: Org) -> dict[str, Counter[str]]:
    """Per direct child's path (and `org.path` for the org itself), findings by rule.

    One query grouped by (rule, org path); the rows are summed up to the child in memory.
    """
    depth = len(org.path) + Org.steplen
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    rows = findings.order_by().values("rule", "org__path").annotate(n=Count("pk"))
    for row in rows:
        counts[row["org__path"][:depth]][row["rule"]] += row["n"]
    return counts


# --- parameters --------------------------------------------------------------------------


def effective_parameters(org: Org, day: dt.date) -> list[dict[str, Any]]:
    """Every parameter with the value in effect for `org` on `day` and where it comes from:
    the entry (value, source, policy) and the layer, the org whose policy or own choice
    sets it (None for the national policy)."""
    policy = resolver(day=day)
    layer_paths = _layer_paths(policy, org)
    orgs = {o.path: o for o in Org.objects.filter(path__in=set(layer_paths.values()))}
    rows = []
    for key, param in PARAMETERS.items():
        try:
            entry: dict[str, Any] | None = policy.entry(key, org.path)
        except PolicyError:
            entry = None
        layer = None
        if entry is not None:
            path = (
                org.path
                if entry["policy"] == PREFERENCE_LAYER
                else layer_paths.get(entry["policy"])
            )
            layer = orgs.get(path or "")
        rows.append(
            {"key": key, "title": param.title, "unit": param.unit, "entry": entry, "layer": layer}
        )
    return rows


def _layer_paths(policy: Resolver, org: Org) -> dict[str, str]:
    """Policy code → org path of the layers that apply to `org` (the deepest per code)."""
    found: dict[str, str] = {}
    for layer in policy.layers:  # deepest first
        if org.path.startswith(layer.path):
            found.setdefault(layer.code, layer.path)
    return found


# --- what-if -----------------------------------------------------------------------------

Key = tuple[str, int, int | None, str]


@dataclass
class WhatIf:
    appear: list[tuple[Rule | None, Found]]
    disappear: list[tuple[Rule | None, Found]]
    unchanged: int


def _key(pair: tuple[Rule | None, Found]) -> Key:
    rule, found = pair
    return (rule.id if rule else CALENDAR_RULE, found.org_id, found.member_id, found.period)


def _order(key: Key) -> tuple[int, str, int, str]:
    return (key[1], key[0], key[2] or 0, key[3])


def what_if(*, org: Org, period: Period, as_of: dt.date, overrides: dict[str, Any]) -> WhatIf:
    """Evaluate `org`'s subtree with and without `overrides`, storing nothing."""
    before, _orgs = evaluate(roots=[org], period=period, as_of=as_of)
    after, _orgs = evaluate(roots=[org], period=period, as_of=as_of, overrides=overrides)
    old = {_key(pair): pair for pair in before}
    new = {_key(pair): pair for pair in after}
    return WhatIf(
        appear=[new[key] for key in sorted(new.keys() - old.keys(), key=_order)],
        disappear=[old[key] for key in sorted(old.keys() - new.keys(), key=_order)],
        unchanged=len(old.keys() & new.keys()),
    )
