"""Problem items made from findings (TASK-01; issue 16 Deliver 2) and kept in step with
later checks: one row per case where the cases are many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.compliance.engine import run_check
from xianfeng.compliance.models import Finding, Run
from xianfeng.lib.dates import parse_period
from xianfeng.orglife import domain as life
from xianfeng.orglife.models import Meeting
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.supervision.domain import findings as domain
from xianfeng.supervision.domain import items
from xianfeng.supervision.models import Item, ItemStatus, Origin, Step

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 3, 1)
YEAR = parse_period("2025")


def check(*roots, rules=("LIFE-03", "LIFE-08"), **options):
    """A stored run of the chosen rules over `roots` for 2025 (LIFE-03: a theme day every
    month, error; LIFE-08: a talk with each member, warning)."""
    return run_check(roots=list(roots), period=YEAR, as_of=AS_OF, rule_ids=list(rules), **options)


def found(run, org, rule="LIFE-03", period="2025-06"):
    return Finding.objects.get(run=run.run, org=org, rule=rule, period=period)


def hold_theme_day(org, day=dt.date(2025, 6, 5)):
    return life.record_meeting(org=org, kind="theme_day", topic="主题党日", held_on=day)


def accept(item, tree):
    items.start_item(item, by=tree.users["secretary"])
    items.submit_item(item, evidence="已补开主题党日", by=tree.users["secretary"])
    return items.accept_item(item, by=tree.users["county_officer"], note="已核实")


# --- making items ------------------------------------------------------------------------------


def test_task_01_items_from_findings_take_the_finding_and_the_defaults(tree):
    appoint_to_seat(org=tree.branch_a, role="secretary", member=tree.member_a, started_on=AS_OF)
    run = check(tree.branch_a)
    finding = found(run, tree.branch_a)
    officer = tree.users["county_officer"]
    result = domain.items_from_findings([finding.pk], by=officer, day=AS_OF)
    [item] = result.created
    item = Item.objects.get(pk=item.pk)
    assert (item.origin, item.kind, item.status) == (Origin.FINDING, "problem", ItemStatus.OPEN)
    assert item.finding_key == "LIFE-03|CA-T1-B1|-|2025-06"
    assert (item.rule, item.finding_period, item.finding_member_id) == ("LIFE-03", "2025-06", None)
    assert item.title.endswith("（青山村党支部）")
    assert item.description.startswith("2025年6月未开展主题党日")
    assert item.deadline == AS_OF + dt.timedelta(days=30)  # supervision.deadline.error_days
    assert (item.responsible, item.responsible_user) == (tree.member_a, tree.users["member"])
    assert item.reviewer_org == tree.town_a
    assert (item.created_by, item.created_on, item.year) == (officer, AS_OF, 2026)
    assert [h.history_user for h in item.history.all()] == [officer]
    assert list(item.steps.values_list("action", "by")) == [(Step.Action.CREATED, officer.pk)]
    assert result.skipped == []


DEADLINES = [  # (rule, severity of its finding, days: supervision.deadline.<severity>_days)
    ("LIFE-03", "error", 30),
    ("LIFE-08", "warning", 60),
]


@pytest.mark.parametrize(("rule", "severity", "days"), DEADLINES)
def test_task_01_deadline_by_severity_from_the_policy(tree, rule, severity, days):
    run = check(tree.branch_a)
    finding = Finding.objects.filter(run=run.run, rule=rule, org=tree.branch_a).first()
    assert finding.severity == severity
    [item] = domain.items_from_findings([finding.pk], by=None, day=AS_OF).created
    assert item.deadline == AS_OF + dt.timedelta(days=days)


def test_task_01_vacant_seat_falls_back_to_the_nearest_officer_account(tree):
    run = check(tree.branch_a2)
    [item] = domain.items_from_findings([found(run, tree.branch_a2).pk], by=None).created
    assert (item.responsible_id, item.responsible_user) == (None, tree.users["county_officer"])


def test_task_01_a_linked_finding_is_skipped_until_its_item_is_accepted(tree):
    run = check(tree.branch_a)
    finding = found(run, tree.branch_a)
    officer = tree.users["county_officer"]
    [first] = domain.items_from_findings([finding.pk], by=officer).created
    again = domain.items_from_findings([finding.pk], by=officer)
    assert (again.created, again.skipped) == ([], [finding.pk])
    accept(first, tree)
    [second] = domain.items_from_findings([finding.pk], by=officer).created
    assert second.finding_key == first.finding_key and second.pk != first.pk


def test_task_01_a_concurrent_click_is_skipped_not_an_error(tree, monkeypatch):
    """Another request made the item between this one's read of the held keys and its
    insert: the constraint refuses the insert, the remainder is made on the retry."""
    run = check(tree.branch_a)
    june, july = found(run, tree.branch_a), found(run, tree.branch_a, period="2025-07")
    [theirs] = domain.items_from_findings([june.pk], by=None).created
    real = domain.held_keys
    calls = []

    def late(keys):  # the first read happens before the other request's commit
        calls.append(1)
        return set() if len(calls) == 1 else real(keys)

    monkeypatch.setattr(domain, "held_keys", late)
    result = domain.items_from_findings([june.pk, july.pk], by=None)
    assert [i.finding_period for i in result.created] == ["2025-07"]
    assert result.skipped == [june.pk]
    assert Item.objects.filter(finding_key=theirs.finding_key).count() == 1


def _refusal(call):
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def test_task_01_out_of_scope_finding_reads_as_missing(tree):
    run = check(tree.city)
    secretary = tree.users["secretary"]
    out = found(run, tree.branch_b).pk
    answer = _refusal(lambda: domain.items_from_findings([out], by=secretary))
    missing = _refusal(lambda: domain.items_from_findings([987654], by=secretary))
    assert answer == {"findings": [f"没有找到检查发现“{out}”"]}
    assert missing == {"findings": ["没有找到检查发现“987654”"]}
    assert not Item.objects.exists()


def test_task_01_a_superseded_runs_finding_reads_as_missing(tree):
    old = check(tree.branch_a)
    check(tree.branch_a)
    stale = found(old, tree.branch_a).pk
    answer = _refusal(lambda: domain.items_from_findings([stale], by=None))
    assert answer == {"findings": [f"没有找到检查发现“{stale}”"]}


@pytest.mark.parametrize("who", ["county_viewer", "member"])
def test_task_01_only_admins_and_officers_make_items(tree, who):
    run = check(tree.branch_a)
    finding = found(run, tree.branch_a).pk
    if who == "member":  # no post at all: nothing is in scope
        assert _refusal(lambda: domain.items_from_findings([finding], by=tree.users[who]))
    else:
        with pytest.raises(PermissionDenied):
            domain.items_from_findings([finding], by=tree.users[who])
    assert not Item.objects.exists()


def test_task_01_reads_each_table_once_whatever_the_number_of_findings(tree):
    run = check(tree.city)
    one = Finding.objects.filter(run=run.run, org=tree.branch_a, rule="LIFE-03")
    every = Finding.objects.filter(run=run.run).exclude(org=tree.branch_a)
    with CaptureQueriesContext(connection) as few:
        small = domain.items_from_findings(one, by=None)
    with CaptureQueriesContext(connection) as many:
        large = domain.items_from_findings(every, by=None)
    assert (len(small.created), len(large.created) > 2 * len(small.created)) == (12, True)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- keeping items in step with later checks -------------------------------------------


def _made(run, tree, periods=("2025-06", "2025-07")):
    ids = [found(run, tree.branch_a, period=p).pk for p in periods]
    return {i.finding_period: i for i in domain.items_from_findings(ids, by=None).created}


def test_task_01_a_finding_no_longer_reported_is_marked_cleared(tree):
    made = _made(check(tree.branch_a), tree)
    hold_theme_day(tree.branch_a)
    run = check(tree.branch_a, by=tree.users["secretary"])
    synced = domain.sync_items_with_run(run.run)
    june, july = (Item.objects.get(pk=made[p].pk) for p in ("2025-06", "2025-07"))
    assert synced.cleared == [june.pk]
    assert (june.finding_cleared_on, july.finding_cleared_on) == (AS_OF, None)
    assert june.status == ItemStatus.OPEN  # a reviewer still accepts it
    step = june.steps.get(action=Step.Action.CLEARED)
    assert (step.note, step.by) == (
        "规则已不再报告此问题（自 2026-03-01 起）",
        tree.users["secretary"],
    )
    assert june.history.first().history_user == tree.users["secretary"]


def test_task_01_a_finding_reported_again_loses_the_cleared_date(tree):
    made = _made(check(tree.branch_a), tree)
    meeting = hold_theme_day(tree.branch_a)
    domain.sync_items_with_run(check(tree.branch_a).run)
    Meeting.objects.filter(pk=meeting.pk).delete()
    synced = domain.sync_items_with_run(check(tree.branch_a).run)
    assert synced.reported_again == [made["2025-06"].pk]
    assert Item.objects.get(pk=made["2025-06"].pk).finding_cleared_on is None


SYNC_SCOPE = [  # (what the later run covers, whether the June item is marked cleared)
    ("the_same_branch", True),
    ("its_town", True),
    ("another_county", False),
    ("other_rules", False),
    ("another_year", False),
    ("with_policy_overrides", False),
]


@pytest.mark.parametrize(("case", "cleared"), SYNC_SCOPE)
def test_task_01_sync_touches_only_the_runs_scope_rules_and_period(tree, case, cleared):
    made = _made(check(tree.branch_a), tree)
    hold_theme_day(tree.branch_a)
    runs = {
        "the_same_branch": lambda: check(tree.branch_a),
        "its_town": lambda: check(tree.town_a),
        "another_county": lambda: check(tree.county_b),
        "other_rules": lambda: check(tree.branch_a, rules=("LIFE-08",)),
        "another_year": lambda: run_check(
            roots=[tree.branch_a], period=parse_period("2024"), as_of=AS_OF, rule_ids=["LIFE-03"]
        ),
        "with_policy_overrides": lambda: check(
            tree.branch_a,
            overrides={"life.theme_day.min_per_month": {"value": 1, "source": "t", "policy": "t"}},
        ),
    }
    domain.sync_items_with_run(runs[case]().run)
    june = Item.objects.get(pk=made["2025-06"].pk)
    assert (june.finding_cleared_on is not None) == cleared


def test_task_01_sync_leaves_accepted_items_alone(tree):
    made = _made(check(tree.branch_a), tree)
    accept(made["2025-06"], tree)
    hold_theme_day(tree.branch_a)
    assert domain.sync_items_with_run(check(tree.branch_a).run).cleared == []


def test_task_01_a_stored_run_syncs_through_the_signal(tree, django_capture_on_commit_callbacks):
    made = _made(check(tree.branch_a), tree)
    hold_theme_day(tree.branch_a)
    with django_capture_on_commit_callbacks(execute=True):
        check(tree.branch_a)
    assert Item.objects.get(pk=made["2025-06"].pk).finding_cleared_on == AS_OF
    assert Run.objects.count() == 2
