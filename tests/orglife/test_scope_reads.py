"""LIFE rules read attendance by date for a large scope and by member for a small one
(a branch re-checked after one meeting is saved); both paths give the same findings."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.registry import load_rules
from xianfeng.core.demo import build_demo
from xianfeng.lib.dates import parse_period
from xianfeng.orglife import rules as life_rules
from xianfeng.orgs.models import Org

AS_OF = dt.date(2025, 6, 30)


def _findings(roots: list[Org], period: str) -> list[tuple]:
    life = [rule_id for rule_id in load_rules() if rule_id.startswith("LIFE")]
    pairs, _ = evaluate(roots=roots, period=parse_period(period), as_of=AS_OF, rule_ids=life)
    return sorted(
        (rule.id, f.org_id, f.member_id or 0, f.period, f.severity, f.message)
        for rule, f in pairs
        if rule is not None
    )


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2024", "2025"])
def test_life_rules_same_findings_reading_by_member_or_by_date(db, monkeypatch, period):
    build_demo(scale="town", seed=3, as_of=AS_OF)
    roots = list(Org.objects.filter(depth=1))
    monkeypatch.setattr(life_rules, "SMALL_SCOPE", 10**6)  # every scope reads by member
    by_member = _findings(roots, period)
    monkeypatch.setattr(life_rules, "SMALL_SCOPE", 0)  # every scope reads by date
    by_date = _findings(roots, period)
    assert by_member == by_date
    assert {row[0] for row in by_date} >= {"LIFE-02", "LIFE-03"}
