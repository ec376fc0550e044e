"""LIFE and STUDY rules read by date and org path for a large scope, and by member and
org ids for a small one (a branch re-checked after one meeting is saved); both paths give
the same findings."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.compliance import parts, registry
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.registry import load_rules
from xianfeng.demo.builder import build_demo
from xianfeng.lib.dates import parse_period
from xianfeng.members import facts as member_facts
from xianfeng.orglife import facts as life_facts
from xianfeng.orglife import rules as life_rules
from xianfeng.orgs.models import Org
from xianfeng.study import rules as study_rules
from xianfeng.study.rules import classes as study_classes

AS_OF = dt.date(2025, 6, 30)
# where the reads look up how few members a scope names by id (the shared facts)
FEW_NAMES = [
    (study_rules, "FEW_MEMBERS"),
    (parts, "FEW_MEMBERS"),
    (study_classes, "FEW_MEMBERS"),
    (member_facts, "FEW"),
    (life_facts, "FEW"),
]


def _findings(roots: list[Org], period: str) -> list[tuple]:
    chosen = [rule_id for rule_id in load_rules() if rule_id.startswith(("LIFE", "STUDY"))]
    pairs, _ = evaluate(roots=roots, period=parse_period(period), as_of=AS_OF, rule_ids=chosen)
    return sorted(
        (rule.id, f.org_id, f.member_id or 0, f.period, f.severity, f.message)
        for rule, f in pairs
        if rule is not None
    )


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2024", "2025"])
def test_life_and_study_rules_same_findings_reading_by_member_or_by_date(db, monkeypatch, period):
    build_demo(scale="town", seed=3, as_of=AS_OF)
    roots = list(Org.objects.filter(depth=1))
    for module, name in [(life_rules, "SMALL_SCOPE"), (registry, "SMALL_SCOPE")]:
        monkeypatch.setattr(module, name, 10**6)  # every scope reads by member and org ids
    for module, name in FEW_NAMES:
        monkeypatch.setattr(module, name, 10**6)
    by_member = _findings(roots, period)
    for module, name in [(life_rules, "SMALL_SCOPE"), (registry, "SMALL_SCOPE")]:
        monkeypatch.setattr(module, name, 0)  # every scope reads by date and org path
    for module, name in FEW_NAMES:
        monkeypatch.setattr(module, name, 0)
    by_date = _findings(roots, period)
    assert by_member == by_date
    expected = {"LIFE-02", "LIFE-03"} | ({"STUDY-01", "STUDY-03"} if period == "2024" else set())
    assert {row[0] for row in by_date} >= expected
