"""Reads of runs and findings (PLAT-04)."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.compliance.engine import run_check
from xianfeng.compliance.policy import parse_value
from xianfeng.compliance.queries import findings_for, latest_run_for, scope_findings
from xianfeng.lib.dates import parse_period

pytestmark = pytest.mark.django_db


def _check(*roots, **kwargs):
    period = parse_period("2025")
    return run_check(roots=list(roots), period=period, as_of=dt.date(2026, 1, 10), **kwargs).run


def test_latest_run_is_the_newest_covering_the_org_or_an_ancestor(tree):
    city = _check(tree.city)
    town = _check(tree.town_a)
    assert latest_run_for(tree.branch_a) == town
    assert latest_run_for(tree.town_a) == town
    assert latest_run_for(tree.county_a) == city  # the town's run does not cover the county
    assert latest_run_for(tree.branch_b) == city


def test_latest_run_matches_whole_codes_only(tree):
    run = _check(tree.county_b, tree.town_a)
    assert latest_run_for(tree.branch_a) == run
    assert latest_run_for(tree.county_a) is None  # "CA" is only a prefix of "CA-T1"


def test_latest_run_ignores_runs_with_policy_overrides(tree):
    plain = _check(tree.city)
    override = {"org.setup.branch_min_full": parse_value("org.setup.branch_min_full", "1")}
    _check(tree.city, overrides=override)
    assert latest_run_for(tree.branch_a) == plain


def test_findings_are_limited_to_the_subtree_and_the_scope(tree):
    run = _check(tree.city)
    viewer = tree.users["county_viewer"]
    codes = set(findings_for(viewer, tree.city, run).values_list("org__code", flat=True))
    assert {"CA-T1-B1", "CA-T1-B2"} <= codes
    assert all(code.startswith("CA") for code in codes)
    everyone = findings_for(tree.users["city_admin"], tree.city, run)
    assert "CB-T1-B1" in set(everyone.values_list("org__code", flat=True))
    assert findings_for(viewer, tree.city, None).count() == 0


def test_scope_findings_take_each_root_from_its_latest_run(tree):
    _check(tree.city)
    town = _check(tree.town_a)
    secretary = scope_findings(tree.users["secretary"])
    assert set(secretary.values_list("run", flat=True)) == {town.pk}
    assert set(secretary.values_list("org__code", flat=True)) <= {"CA-T1-B1", "CA-T1-B1-G1"}
    assert scope_findings(tree.users["nobody"]).count() == 0
