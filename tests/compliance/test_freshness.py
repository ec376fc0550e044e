"""Findings kept current after writes (PLAT-04): marks, queued re-checks, the stale notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories import make_member
from xianfeng.compliance.engine import run_check
from xianfeng.compliance.freshness import RECHECK_VIA, recheck
from xianfeng.compliance.models import Run
from xianfeng.compliance.policy import parse_value
from xianfeng.core.importing import data_imported
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.domain import appoint_to_seat

# Marks are made when a transaction commits: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PERIOD = parse_period("2025")
AS_OF = dt.date(2026, 1, 10)


def _check(*roots, **kwargs) -> Run:
    return run_check(roots=list(roots), period=PERIOD, as_of=AS_OF, **kwargs).run


def _stale(run: Run) -> bool:
    run.refresh_from_db()
    return run.stale_since is not None


def _queued() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="recheck_task").count()


def _appoint(tree):
    appoint_to_seat(org=tree.branch_a, role="secretary", member=tree.member_a, started_on=AS_OF)


def test_a_write_marks_the_runs_covering_the_org_and_queues_one_recheck(tree):
    city, county_b = _check(tree.city), _check(tree.county_b)
    _appoint(tree)
    assert _stale(city)
    assert not _stale(county_b)  # the write is outside that subtree
    assert _queued() == 1


def test_a_marked_run_is_not_queued_again(tree):
    _check(tree.city)
    _appoint(tree)
    make_member(tree.branch_a)
    assert _queued() == 1


def test_only_the_latest_run_of_a_scope_and_never_a_what_if_run_is_marked(tree):
    older = _check(tree.town_a)
    newer = _check(tree.town_a)
    override = {"org.setup.branch_min_full": parse_value("org.setup.branch_min_full", "1")}
    what_if = _check(tree.city, overrides=override)
    _appoint(tree)
    assert _stale(newer)
    assert not _stale(older)
    assert not _stale(what_if)


def test_recheck_replaces_the_findings_and_clears_the_mark(tree):
    run = _check(tree.town_a, rule_ids=["ORG-04"])
    assert any(f.org_id == tree.branch_a.pk for f in run.findings.all())  # no secretary
    _appoint(tree)
    new = recheck(run.pk)
    assert new is not None and new.via == RECHECK_VIA
    assert new.scope == run.scope and new.period == run.period and new.rules == ["ORG-04"]
    assert new.stale_since is None
    assert recheck(run.pk) is None  # superseded: nothing more to do
    assert recheck(new.pk) is None  # not stale


def test_a_recheck_run_replaced_by_another_recheck_is_deleted(tree):
    run = _check(tree.town_a)
    _appoint(tree)
    first = recheck(run.pk)
    Run.objects.filter(pk=first.pk).update(stale_since=dt.datetime(2026, 1, 11, tzinfo=dt.UTC))
    second = recheck(first.pk)
    assert not Run.objects.filter(pk=first.pk).exists()
    assert Run.objects.filter(pk=run.pk).exists()  # a person's run stays in the record
    assert second is not None


def test_an_import_marks_every_scope_of_the_importing_user(tree):
    city, county_b = _check(tree.city), _check(tree.county_b)
    data_imported.send(sender=None, by=tree.users["county_officer"], counts={})
    assert _stale(city)  # the city's subtree contains the county
    assert not _stale(county_b)


def test_an_org_change_marks_runs_inside_its_subtree(tree):
    town = _check(tree.town_a)
    tree.county_a.name = "东县县委（新）"
    tree.county_a.save()
    assert _stale(town)


def test_pages_say_when_findings_may_be_stale(tree, client_for):
    run = _check(tree.city)
    client = client_for(tree.users["city_admin"])
    page = client.get(f"/compliance/orgs/{tree.city.code}/")
    assert "data-stale" not in page.content.decode()
    Run.objects.filter(pk=run.pk).update(stale_since=dt.datetime(2026, 1, 11, tzinfo=dt.UTC))
    page = client.get(f"/compliance/orgs/{tree.city.code}/")
    assert "可能已过时" in page.content.decode()


# --- local rules: a write in an app with only local rules patches the touched subtree ---


def _theme_day_findings(run: Run, org) -> list[str]:
    return list(
        run.findings.filter(rule="LIFE-03", org=org).values_list("period", flat=True).order_by()
    )


def test_a_meeting_patches_its_branch_inside_the_current_run(tree):
    from xianfeng.compliance.freshness import patch
    from xianfeng.compliance.registry import load_rules
    from xianfeng.orglife.models import Meeting

    assert all(r.local for r in load_rules().values() if r.app == "orglife")
    run = _check(tree.city, rule_ids=["LIFE-03"])
    assert "2025-06" in _theme_day_findings(run, tree.branch_a)
    other = _theme_day_findings(run, tree.branch_b)
    first = run.findings.get(rule="LIFE-03", org=tree.branch_a, period="2025-07").first_seen
    Meeting.objects.create(
        org=tree.branch_a, kind="theme_day", held_on=dt.date(2025, 6, 10), topic="主题党日"
    )
    assert _queued_patches() == 1
    assert not _stale(run)  # no full re-check: the run is patched in place
    assert patch([tree.branch_a.pk], "orglife") == 1
    assert "2025-06" not in _theme_day_findings(run, tree.branch_a)
    assert _theme_day_findings(run, tree.branch_b) == other  # untouched
    kept = run.findings.get(rule="LIFE-03", org=tree.branch_a, period="2025-07")
    assert kept.first_seen == first


def test_a_party_group_meeting_is_evaluated_at_its_branch(tree):
    from xianfeng.compliance.freshness import _patch_roots

    roots = _patch_roots([tree.group_a.pk, tree.branch_a2.pk])
    assert [r.code for r in roots] == ["CA-T1-B1", "CA-T1-B2"]
    assert [r.code for r in _patch_roots([tree.town_a.pk, tree.branch_a.pk])] == ["CA-T1"]


def _queued_patches() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="patch_task").count()
