"""Re-inspection (回头看, TASK-02; seed 003 §5.3): a reproducible sample of the items
accepted lately, their rules re-run, those whose problem is back reopened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.supervision.test_findings import accept, check, found, hold_theme_day
from xianfeng.lib.dates import today
from xianfeng.supervision.domain import findings as from_findings
from xianfeng.supervision.domain.reinspection import candidates, draw, reinspect
from xianfeng.supervision.models import Item, ItemStatus, Reinspection, Step

pytestmark = pytest.mark.django_db

DRAWS = [  # (ids, share, seed, size of the sample)
    (list(range(1, 11)), 0.2, 7, 2),
    (list(range(1, 11)), 0.2, 8, 2),
    (list(range(1, 4)), 0.2, 7, 1),  # at least one
    ([5], 0.2, 1, 1),
    ([], 0.2, 1, 0),
    (list(range(1, 101)), 0.25, 3, 25),
]


@pytest.mark.parametrize(("ids", "share", "seed", "size"), DRAWS)
def test_task_02_same_seed_draws_the_same_sample(ids, share, seed, size):
    sample = draw(ids, share=share, seed=seed)
    assert sample == draw(list(reversed(ids)), share=share, seed=seed)
    assert len(sample) == size and set(sample) <= set(ids) and sample == sorted(sample)


def test_task_02_another_seed_draws_another_sample():
    ids = list(range(1, 101))
    assert draw(ids, share=0.2, seed=1) != draw(ids, share=0.2, seed=2)


def _accepted_items(tree, periods):
    run = check(tree.branch_a, rules=("LIFE-03",))
    ids = [found(run, tree.branch_a, period=p).pk for p in periods]
    made = from_findings.items_from_findings(ids, by=tree.users["county_officer"]).created
    return [accept(item, tree) for item in made]


def test_task_02_reinspection_stores_seed_and_sample_and_repeats_it(tree):
    made = _accepted_items(tree, [f"2025-{m:02d}" for m in range(1, 11)])
    for month in range(1, 11):  # every problem stays solved: nothing is reopened
        hold_theme_day(tree.branch_a, dt.date(2025, month, 5))
    officer = tree.users["county_officer"]
    first = reinspect(tree.town_a, by=officer, seed=42)
    record = Reinspection.objects.get(pk=first.pk)
    assert (record.seed, record.months, str(record.share)) == (42, 6, "0.200")
    assert record.sample == draw([i.pk for i in made], share=0.2, seed=42)
    assert len(record.sample) == 2
    assert record.history.first().history_user == officer
    again = reinspect(tree.town_a, by=officer, seed=42)
    assert (again.sample, again.reopened) == (first.sample, [])


CASES = [  # (the problem is back, reopened)
    ("back", True),
    ("clear", False),
]


@pytest.mark.parametrize(("case", "reopened"), CASES)
def test_task_02_reinspection_reopens_what_came_back(tree, case, reopened):
    [item] = _accepted_items(tree, ["2025-06"])
    if case == "clear":
        hold_theme_day(tree.branch_a)
    done = reinspect(tree.town_a, by=tree.users["county_officer"], seed=1)
    item.refresh_from_db()
    assert done.sample == [item.pk]
    assert done.reopened == ([item.pk] if reopened else [])
    assert item.status == (ItemStatus.OPEN if reopened else ItemStatus.ACCEPTED)
    assert item.reopened_count == (1 if reopened else 0)
    assert item.steps.filter(action=Step.Action.REOPENED).exists() == reopened


def test_task_02_an_item_replaced_by_a_newer_one_stays_closed(tree):
    [item] = _accepted_items(tree, ["2025-06"])
    run = check(tree.branch_a, rules=("LIFE-03",))
    [newer] = from_findings.items_from_findings([found(run, tree.branch_a).pk], by=None).created
    done = reinspect(tree.town_a, by=tree.users["county_officer"], seed=1)
    assert (done.sample, done.reopened) == ([item.pk], [])
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ACCEPTED
    assert newer.status == ItemStatus.OPEN


WINDOW = [  # (days since acceptance, sampled): supervision.reinspection.months = 6
    (0, True),
    (150, True),
    (200, False),
]


@pytest.mark.parametrize(("days", "sampled"), WINDOW)
def test_task_02_only_items_accepted_within_the_months_are_drawn(tree, days, sampled):
    [item] = _accepted_items(tree, ["2025-06"])
    day = today() + dt.timedelta(days=days)
    assert list(candidates(tree.town_a, day=day, months=6)) == ([item] if sampled else [])


def test_task_02_no_accepted_items_draws_nothing(tree):
    done = reinspect(tree.branch_a, by=tree.users["secretary"], seed=5)
    assert (done.sample, done.reopened, done.seed) == ([], [], 5)


@pytest.mark.parametrize("who", ["county_viewer"])
def test_task_02_only_admins_and_officers_reinspect(tree, who):
    with pytest.raises(PermissionDenied):
        reinspect(tree.town_a, by=tree.users[who])
    assert not Reinspection.objects.exists()


def test_task_02_a_random_seed_is_stored_when_none_is_given(tree):
    done = reinspect(tree.town_a, by=tree.users["county_officer"])
    assert 0 <= done.seed < 2**31
