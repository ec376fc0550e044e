"""The yearly plan's reminder source (LIFE-02, LIFE-03, LIFE-05): what is due before a due
date and overdue after it, and who is told; the daily digest sends them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_org, make_user
from xianfeng.accounts.models import User
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import resolver
from xianfeng.notices.digest import send_digests
from xianfeng.notices.models import Notice
from xianfeng.orglife import domain
from xianfeng.orglife.reminders import due_reminders, meeting_reminders

pytestmark = pytest.mark.django_db
D = dt.date
SOURCES = [meeting_reminders]


def _keys(tree, as_of: dt.date, user: Any = None) -> set[str]:
    """The user's (default: the branch secretary's) reminders on `as_of` as
    "branch|group:<kind>:<period>:due|overdue"."""
    a, g = tree.branch_a.pk, tree.group_a.pk
    names = {f"life:{a}:": "branch:", f"life:{g}:": "group:"}
    pk = (user or tree.users["secretary"]).pk
    found = set()
    for reminder in meeting_reminders(as_of):
        if pk not in reminder.recipients:
            continue
        for prefix, name in names.items():
            if reminder.key.startswith(prefix):
                found.add(f"{name}{reminder.key[len(prefix) :]}:{reminder.what}")
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
        "theme days held in May and June: no theme-day reminder",
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
    assert _keys(tree, as_of) == expected


def test_reminders_sent_once_in_the_daily_digest(tree):
    assert send_digests(D(2025, 6, 24), SOURCES).digests > 0
    assert send_digests(D(2025, 6, 24), SOURCES).digests == 0
    assert send_digests(D(2025, 6, 25), SOURCES).digests == 0
    notice = Notice.objects.get(user=tree.users["secretary"])
    assert notice.kind == "digest"
    assert (
        "· 提醒：青山村党支部2025年6月主题党日应于6月30日前召开（LIFE-03），尚未登记召开\n"
        "  /orglife/CA-T1-B1/plan/2025/"
    ) in notice.body
    assert "· 逾期：青山村党支部2025年5月主题党日未召开（LIFE-03，应于2025-05-31前召开）" in (
        notice.body
    )


def test_reminders_go_to_the_orgs_own_officers(tree):
    officer = make_user("branch_officer", org=tree.branch_a, role="officer")
    make_user("branch_viewer", org=tree.branch_a, role="viewer")
    as_of = D(2025, 6, 24)
    assert "branch:theme_day:2025-06:due" in _keys(tree, as_of, officer)
    reminders = meeting_reminders(as_of)
    told = {pk for r in reminders for pk in r.recipients}
    assert officer.pk in told
    viewers = User.objects.filter(username__in=["branch_viewer", "county_viewer"])
    assert not told & set(viewers.values_list("pk", flat=True))
    county = {r.key for r in reminders if tree.users["county_officer"].pk in r.recipients}
    assert not any(key.startswith(f"life:{tree.branch_a.pk}:") for key in county)
    # 绿水村 has no accounts: the nearest org above with some (the county) is told.
    assert f"life:{tree.branch_a2.pk}:theme_day:2025-06" in county
    city = {r.key for r in reminders if tree.users["city_admin"].pk in r.recipients}
    assert not any(key.startswith(f"life:{tree.branch_a2.pk}:") for key in city)


def test_overdue_reminder_only_when_not_held(tree):
    assert "branch:theme_day:2025-06:overdue" in _keys(tree, D(2025, 7, 2))
    domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=D(2025, 6, 28))
    assert "branch:theme_day:2025-06:overdue" not in _keys(tree, D(2025, 7, 2))


def test_due_then_overdue_each_told_once(tree):
    send_digests(D(2025, 6, 24), SOURCES)
    assert send_digests(D(2025, 7, 2), SOURCES).digests > 0
    latest = Notice.objects.filter(user=tree.users["secretary"]).order_by("-pk").first()
    assert latest is not None and latest.key == "digest:2025-07-02"
    assert "· 逾期：青山村党支部2025年6月主题党日未召开" in latest.body
    assert "· 提醒：青山村党支部2025年6月主题党日" not in latest.body


def test_due_reminders_queries_do_not_grow_with_the_tree(tree):
    def count() -> int:
        day = D(2025, 6, 24)
        policy, calendar = resolver(day=day), Calendar()
        with CaptureQueriesContext(connection) as queries:
            due_reminders(as_of=day, policy=policy, calendar=calendar)
        return len(queries)

    small = count()
    for _ in range(5):
        make_org(tree.town_b, kind="branch")
    assert count() == small


def test_meeting_reminders_queries_do_not_grow_with_the_tree(tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert meeting_reminders(D(2025, 6, 24))
        return len(queries)

    small = count()
    for n in range(5):
        branch = make_org(tree.town_b, kind="branch")
        make_user(f"branch_admin{n}", org=branch, role="admin")
    assert count() == small
