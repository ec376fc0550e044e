"""The yearly plan (LIFE-02, LIFE-03, LIFE-05): due items from the policy and planned
meetings generated once (its reminders: test_reminders.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from tests.factories import make_org
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import parse_value, resolver
from xianfeng.orglife import domain
from xianfeng.orglife.models import Meeting, MeetingStatus
from xianfeng.orglife.planning import (
    due_items,
    org_rows,
    plan_context,
    plan_for,
    schedule_planned_meetings,
)
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db
D = dt.date
FIXED_5TH = {
    "life.theme_day.fixed_day_of_month": "5",
    "life.theme_day.fixed_day_sectors": '["rural"]',
}


def _policy(day: dt.date, **overrides: str):
    over = {key: parse_value(key, value) for key, value in overrides.items()}
    return resolver(day=day, overrides=over)


def _items(org: Org, year: int, overrides: dict[str, str], kind: str) -> list[tuple[str, dt.date]]:
    policy = _policy(D(year, 1, 1), **overrides)
    ctx = plan_context(policy=policy, calendar=Calendar(), year=year, as_of=D(year, 1, 1))
    [row] = org_rows(Q(pk=org.pk), D(year, 1, 1), D(year + 1, 1, 1))
    return [(i.period, i.due) for i in due_items(ctx, row) if i.kind == kind]


THEME_DAYS = [
    # (case, overrides, month, due date) — LIFE-03
    ("LIFE-03 fixed 5th on a workday stays", FIXED_5TH, 6, D(2025, 6, 5)),
    ("LIFE-03 5 Oct in the National Day holiday moves to 9 Oct", FIXED_5TH, 10, D(2025, 10, 9)),
    ("LIFE-03 Sunday 5 Jan moves to Monday 6 Jan", FIXED_5TH, 1, D(2025, 1, 6)),
    ("LIFE-03 Qingming Saturday 5 Apr moves to 7 Apr", FIXED_5TH, 4, D(2025, 4, 7)),
    ("LIFE-03 Labour Day 5 May moves to 6 May", FIXED_5TH, 5, D(2025, 5, 6)),
    (
        "LIFE-03 no workday inside a 2-day window: the fixed day stays",
        {**FIXED_5TH, "life.theme_day.shift_window_days": "2"},
        10,
        D(2025, 10, 5),
    ),
    ("LIFE-03 no fixed day: the month's last day", {}, 10, D(2025, 10, 31)),
    (
        "LIFE-03 weekdays: the month's last Saturday",
        {"life.theme_day.weekdays": '["saturday"]', "life.theme_day.weekday_sectors": '["rural"]'},
        6,
        D(2025, 6, 28),
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "month", "due"), THEME_DAYS, ids=[r[0] for r in THEME_DAYS]
)
def test_life_03_theme_day_due_date(tree, case, overrides, month, due):
    items = dict(_items(tree.branch_a, 2025, overrides, "theme_day"))
    assert items[f"2025-{month:02d}"] == due


GENERAL_MEETINGS = [
    # (case, founded_on, overrides, expected (period, due)) — LIFE-02 a)
    (
        "LIFE-02 one general meeting per quarter, due on the quarter's last day",
        None,
        {},
        [
            ("2025-Q1", D(2025, 3, 31)),
            ("2025-Q2", D(2025, 6, 30)),
            ("2025-Q3", D(2025, 9, 30)),
            ("2025-Q4", D(2025, 12, 31)),
        ],
    ),
    (
        "LIFE-02 founded in May: only the quarters it existed through",
        D(2025, 5, 1),
        {},
        [("2025-Q3", D(2025, 9, 30)), ("2025-Q4", D(2025, 12, 31))],
    ),
    (
        "LIFE-02 the policy asks for none",
        None,
        {"life.general_meeting.min_per_quarter": "0"},
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "founded_on", "overrides", "expected"),
    GENERAL_MEETINGS,
    ids=[r[0] for r in GENERAL_MEETINGS],
)
def test_life_02_general_meeting_due_dates(tree, case, founded_on, overrides, expected):
    branch = make_org(tree.town_a, kind="branch", founded_on=founded_on)
    assert _items(branch, 2025, overrides, "general_meeting") == expected


def test_life_05_life_meeting_due_after_the_grace_months(tree):
    items = _items(tree.branch_a, 2025, {}, "life_meeting")
    assert items == [("2025", D(2026, 2, 28))]
    assert _items(tree.town_a, 2025, {}, "leadership_life_meeting") == [("2025", D(2026, 2, 28))]
    assert _items(tree.town_a, 2025, {}, "life_meeting") == []


def _generate(org: Org, as_of: dt.date) -> list[Meeting]:
    policy = _policy(as_of)
    return schedule_planned_meetings(
        org=org, year=2025, policy=policy, calendar=Calendar(), as_of=as_of, by=None
    )


def test_planned_meetings_generated_once(tree):
    domain.record_meeting(
        org=tree.branch_a, kind="theme_day", topic="七月主题党日", held_on=D(2025, 7, 4)
    )
    first = _generate(tree.branch_a, D(2025, 6, 15))
    # Q2-Q4 general meetings 3, theme days June, Aug-Dec 6 (July held), the secretary's
    # lesson 1, the life meeting 1, the party group's meetings June-Dec 7.
    kinds = sorted(m.kind for m in first)
    assert len(first) == 18
    assert kinds.count("theme_day") == 6
    assert kinds.count("party_group_meeting") == 7
    assert {m.status for m in first} == {MeetingStatus.PLANNED}
    life = next(m for m in first if m.kind == "life_meeting")
    assert (life.planned_on, life.for_period, life.topic) == (
        D(2026, 2, 28),
        "2025",
        "2025年度组织生活会",
    )
    assert life.history.count() == 1
    assert _generate(tree.branch_a, D(2025, 6, 15)) == []
    assert _generate(tree.branch_a, D(2025, 8, 1)) == []


def test_plan_states_done_planned_overdue_open(tree):
    domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=D(2025, 5, 20))
    domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", planned_on=D(2025, 7, 1))
    lines = plan_for(
        tree.branch_a,
        2025,
        policy=_policy(D(2025, 6, 15)),
        calendar=Calendar(),
        as_of=D(2025, 6, 15),
    )
    states = {
        line.item.period: line.state
        for line in lines
        if line.item.kind == "theme_day" and line.item.org_id == tree.branch_a.pk
    }
    assert [states[f"2025-{m:02d}"] for m in (4, 5, 6, 7)] == ["overdue", "done", "open", "planned"]
