"""The yearly plan (LIFE-02, LIFE-03, LIFE-05): due items from the policy, planned meetings
generated once, and the reminders before and after a due date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from tests.factories import make_org, make_user
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import parse_value, resolver
from xianfeng.notices.models import Notice
from xianfeng.orglife import domain
from xianfeng.orglife.models import Meeting, MeetingStatus
from xianfeng.orglife.planning import (
    due_items,
    org_rows,
    plan_context,
    plan_for,
    schedule_planned_meetings,
)
from xianfeng.orglife.reminders import due_reminders, send_reminders
from xianfeng.orglife.tasks import remind_task
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


# --- reminders ----------------------------------------------------------------------------


def _keys(tree, user: str = "secretary") -> set[str]:
    a, g = tree.branch_a.pk, tree.group_a.pk
    names = {f"life:{a}:": "branch:", f"life:{g}:": "group:"}
    found = set()
    for key in Notice.objects.filter(user=tree.users[user]).values_list("key", flat=True):
        for prefix, name in names.items():
            if key.startswith(prefix):
                found.add(name + key[len(prefix) :])
    return found


REMINDERS = [
    # (case, theme days held, as_of, expected keys of the branch secretary) — LIFE-02/03
    (
        "a week before the end of June: June due, May overdue",
        [],
        D(2025, 6, 24),
        {
            "branch:general_meeting:2025-Q2:due",
            "branch:theme_day:2025-06:due",
            "group:party_group_meeting:2025-06:due",
            "branch:theme_day:2025-05:overdue",
            "group:party_group_meeting:2025-05:overdue",
        },
    ),
    (
        "theme days held in May and June: no theme-day notice",
        [D(2025, 5, 10), D(2025, 6, 3)],
        D(2025, 6, 24),
        {
            "branch:general_meeting:2025-Q2:due",
            "group:party_group_meeting:2025-06:due",
            "group:party_group_meeting:2025-05:overdue",
        },
    ),
    (
        "before the lead time: nothing due, nothing overdue within a month",
        [D(2025, 5, 10)],
        D(2025, 6, 20),
        {"group:party_group_meeting:2025-05:overdue"},
    ),
]


@pytest.mark.parametrize(
    ("case", "held", "as_of", "expected"), REMINDERS, ids=[r[0] for r in REMINDERS]
)
def test_reminders_upcoming_and_overdue(tree, case, held, as_of, expected):
    for day in held:
        domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=day)
    assert send_reminders(as_of=as_of) > 0
    assert _keys(tree) == expected


def test_reminders_sent_once(tree):
    first = send_reminders(as_of=D(2025, 6, 24))
    assert first > 0
    assert send_reminders(as_of=D(2025, 6, 24)) == 0
    assert send_reminders(as_of=D(2025, 6, 25)) == 0
    notice = Notice.objects.get(user=tree.users["secretary"], key__endswith="theme_day:2025-06:due")
    assert notice.kind == "reminder"
    assert notice.title == "提醒：青山村党支部2025年6月主题党日应于6月30日前召开"
    assert notice.url == "/orglife/CA-T1-B1/plan/2025/"


def test_reminders_go_to_the_orgs_own_officers(tree):
    officer = make_user("branch_officer", org=tree.branch_a, role="officer")
    make_user("branch_viewer", org=tree.branch_a, role="viewer")
    send_reminders(as_of=D(2025, 6, 24))
    keys = set(Notice.objects.filter(user=officer).values_list("key", flat=True))
    assert f"life:{tree.branch_a.pk}:theme_day:2025-06:due" in keys
    assert not Notice.objects.filter(user__username="branch_viewer").exists()
    county = Notice.objects.filter(user=tree.users["county_officer"])
    assert not county.filter(key__startswith=f"life:{tree.branch_a.pk}:").exists()
    # 绿水村 has no accounts: the nearest org above with some (the county) is told.
    assert county.filter(key=f"life:{tree.branch_a2.pk}:theme_day:2025-06:due").exists()
    assert not Notice.objects.filter(user=tree.users["city_admin"], org=tree.branch_a2).exists()


def test_overdue_notice_only_when_not_held(tree):
    send_reminders(as_of=D(2025, 7, 2))
    assert "branch:theme_day:2025-06:overdue" in _keys(tree)
    Notice.objects.all().delete()
    domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=D(2025, 6, 28))
    send_reminders(as_of=D(2025, 7, 2))
    assert "branch:theme_day:2025-06:overdue" not in _keys(tree)


def test_remind_command_and_task(tree, settings):
    call_command("remind", "--as-of", "2025-06-24")
    count = Notice.objects.count()
    assert count > 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert remind_task.enqueue("2025-06-24").return_value == 0
    assert Notice.objects.count() == count


def test_due_reminders_queries_do_not_grow_with_the_tree(tree):
    def count() -> int:
        day = D(2025, 6, 24)
        policy, calendar = _policy(day), Calendar()
        with CaptureQueriesContext(connection) as queries:
            due_reminders(as_of=day, policy=policy, calendar=calendar)
        return len(queries)

    small = count()
    for _ in range(5):
        make_org(tree.town_b, kind="branch")
    assert count() == small
