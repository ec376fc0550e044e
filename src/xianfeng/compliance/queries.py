"""Reads of runs, findings and effective parameters, reused by the compliance pages,
the org page's card, the findings export and the findings API (PLAT-04)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast

from xianfeng.accounts.scope import path_q
from xianfeng.lib.dates import Period, parse_period
from xianfeng.orgs.models import Org

from .engine import CALENDAR_RULE, evaluate
from .models import Finding, Run
from .parameters import PARAMETERS
from .parts import LABELS, parts_of
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


def rule_by_id(rule_id: str) -> Rule | None:
    """One rule of `rules_by_id` (without building the whole table)."""
    return CALENDAR if rule_id == CALENDAR_RULE else load_rules().get(rule_id)


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


# --- a finding's identity across runs --------------------------------------------------

KEY_SEPARATOR = "|"
NO_MEMBER = "-"
KEY_FORMAT = "规则|组织编码|党员ID（无则写 -）|期间，如 LIFE-04|CA-T1-B1|-|2025"
FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_ID = 2**63 - 1


class FindingKey(NamedTuple):
    """What makes two findings of different runs the same finding: the key the engine
    carries first-seen dates over by (rule, org, member, period), with the org by code.
    As text: `LIFE-04|CA-T1-B1|-|2025` (member id, or `-` for a finding about the org)."""

    rule: str
    org: str  # org code ([A-Za-z0-9._-], never the separator)
    member: int | None  # member id
    period: str

    def __str__(self) -> str:
        return finding_key(self.rule, self.org, self.member, self.period)


def finding_key(rule: str, org_code: str, member_id: int | None, period: str) -> str:
    """A finding's identity as one string, e.g. `LIFE-04|CA-T1-B1|-|2025`."""
    member = NO_MEMBER if member_id is None else str(member_id)
    return KEY_SEPARATOR.join([rule, org_code, member, period])


def key_of(finding: Finding) -> FindingKey:
    """The identity of a stored finding (its org read with it: `select_related("org")`)."""
    return FindingKey(finding.rule, finding.org.code, finding.member_id, finding.period)


def parse_finding_key(text: str) -> FindingKey:
    """The parts of a key written by `finding_key`; ValueError with a Chinese message."""
    parts = text.strip().split(KEY_SEPARATOR)
    if len(parts) != 4 or not all(parts):
        raise ValueError(f"问题标识应写成 {KEY_FORMAT}，收到：{text}")
    rule, org, member, period = parts
    if member != NO_MEMBER and not (member.isascii() and member.isdigit()):
        raise ValueError(f"问题标识中的党员ID应为数字或 -，收到：{member}")
    if member != NO_MEMBER and int(member) > MAX_ID:
        raise ValueError(f"问题标识中的党员ID过大，收到：{member}")
    label = findings_period(period).label
    return FindingKey(rule, org, None if member == NO_MEMBER else int(member), label)


def findings_period(text: str) -> Period:
    """A period as the project writes it (2025, 2025-H1, 2025-Q3, 2025-06) with its year
    in 1900–2100; ValueError with a Chinese message."""
    year = text.strip()[:4]
    if year.isdecimal() and not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise ValueError(f"期间的年份应在 {FIRST_YEAR}–{LAST_YEAR} 之间，收到：{text}")
    return parse_period(text)


def finding_by_key(
    user: Any, rule: str, org_code: str, member_id: int | None, period: str
) -> Finding | None:
    """The current finding with this identity, as the org's findings page shows it: from
    the latest run covering the org, inside the user's scope. None when there is none —
    an org that does not exist and one outside the user's scope answer alike. The org,
    member and run are read with it."""
    org = Org.objects.filter(path_q(user)).filter(code=org_code).first()
    if org is None:
        return None
    member = Q(member__isnull=True) if member_id is None else Q(member_id=member_id)
    found = scope_findings(user, org).filter(member, org=org, rule=rule, period=period)
    return found.select_related("org", "member", "run").order_by("pk").first()


# --- filtering findings ------------------------------------------------------------------


def rule_q(text: str) -> Q:
    """One rule (`LIFE-04`) or a rule group (`LIFE`: every LIFE-… rule); ValueError with a
    Chinese message for neither."""
    wanted = text.strip().upper()
    rule_ids = rules_by_id()
    if wanted in rule_ids:
        return Q(rule=wanted)
    if any(rule_id.startswith(f"{wanted}-") for rule_id in rule_ids):
        return Q(rule__startswith=f"{wanted}-")
    raise ValueError(f"没有编号为“{text}”的规则或规则组（如 LIFE-04 或 LIFE）")


def periods_within(period: Period) -> list[str]:
    """The labels of `period` and of the halves, quarters and months inside it: the
    periods of the findings that fall within it (2025-H1: 2025-H1, 2025-Q1, 2025-Q2,
    2025-01 … 2025-06)."""
    return [part.label for size in LABELS for part in parts_of(period, size)]


def filter_findings(
    findings: QuerySet[Finding],
    *,
    rule: str = "",
    period: Period | None = None,
    severity: str = "",
) -> QuerySet[Finding]:
    """Findings of a rule or rule group (`rule_q`), of a period and the periods within it,
    of a severity; an empty filter keeps all."""
    if rule:
        findings = findings.filter(rule_q(rule))
    if period is not None:
        findings = findings.filter(period__in=periods_within(period))
    if severity:
        findings = findings.filter(severity=severity)
    return findings


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
