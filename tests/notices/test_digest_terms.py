"""The term source of the daily digest (换届提醒, ORG-04): terms whose deadline is within the
policy's lead time (org.term.reminder_months, 6 and 3 months) or past."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_org, make_user
from xianfeng.notices.digest import send_digests
from xianfeng.notices.models import Notice
from xianfeng.orgs.models import Term
from xianfeng.orgs.reminders import term_reminders

pytestmark = pytest.mark.django_db
D = dt.date
ELECTED = D(2020, 9, 1)  # a village branch: 5 years, expires on 2025-09-01

TERMS = [
    # (case, extra terms [(elected_on, extended until)], as_of, expected (key tail, overdue, title))
    ("outside the 6-month window: nothing", [], D(2025, 2, 28), None),
    (
        "6 months before the deadline",
        [],
        D(2025, 3, 1),
        (
            "2025-09-01:6",
            False,
            "青山村党支部第1届任期将于2025-09-01届满，距换届期限不足6个月，请做好换届准备",
        ),
    ),
    (
        "3 months before: the nearer step only",
        [],
        D(2025, 6, 1),
        (
            "2025-09-01:3",
            False,
            "青山村党支部第1届任期将于2025-09-01届满，距换届期限不足3个月，请做好换届准备",
        ),
    ),
    (
        "on the deadline: still due",
        [],
        D(2025, 9, 1),
        (
            "2025-09-01:3",
            False,
            "青山村党支部第1届任期将于2025-09-01届满，距换届期限不足3个月，请做好换届准备",
        ),
    ),
    (
        "the day after: overdue",
        [],
        D(2025, 9, 2),
        ("2025-09-01", True, "青山村党支部第1届任期已于2025-09-01届满，逾期未换届"),
    ),
    (
        "an approved extension moves the deadline",
        [(None, D(2026, 3, 1))],
        D(2025, 9, 2),
        (
            "2026-03-01:6",
            False,
            "青山村党支部第1届任期将于2025-09-01届满，经批准延期至2026-03-01，"
            "距换届期限不足6个月，请做好换届准备",
        ),
    ),
    ("re-elected: the new term is far from its end", [(D(2025, 8, 20), None)], D(2025, 9, 2), None),
    (
        "an election after the day looked at does not count yet",
        [(D(2025, 9, 10), None)],
        D(2025, 9, 2),
        ("2025-09-01", True, "青山村党支部第1届任期已于2025-09-01届满，逾期未换届"),
    ),
]


@pytest.mark.parametrize(("case", "extra", "as_of", "expected"), TERMS, ids=[r[0] for r in TERMS])
def test_org_04_term_reminders(tree, case, extra, as_of, expected):
    term = Term.objects.create(org=tree.branch_a, elected_on=ELECTED)
    for elected_on, until in extra:
        if elected_on is None:
            Term.objects.filter(pk=term.pk).update(approved_extension_until=until)
        else:
            Term.objects.create(org=tree.branch_a, elected_on=elected_on)
    found = term_reminders(as_of)
    if expected is None:
        assert found == []
        return
    [reminder] = found
    tail, overdue, title = expected
    assert (reminder.key, reminder.overdue, reminder.title) == (
        f"term:{term.pk}:{tail}",
        overdue,
        title,
    )
    assert (reminder.category, reminder.org_name) == ("换届", "青山村党支部")
    assert reminder.recipients == (tree.users["secretary"].pk,)
    assert reminder.url == "/orgs/CA-T1-B1/leadership/"


def test_term_reminders_go_to_the_nearest_org_with_officers(tree):
    Term.objects.create(org=tree.branch_a2, elected_on=ELECTED)  # 绿水村: no accounts
    Term.objects.create(org=tree.town_a, elected_on=ELECTED)  # 青山镇: no accounts
    found = {r.org_name: r.recipients for r in term_reminders(D(2025, 9, 2))}
    county = (tree.users["county_officer"].pk,)
    assert found == {"绿水村党支部": county, "青山镇党委": county}


def test_dissolved_orgs_and_party_groups_get_no_term_reminder(tree):
    gone = make_org(tree.town_a, kind="branch", dissolved_on=D(2025, 1, 1))
    Term.objects.create(org=gone, elected_on=ELECTED)
    Term.objects.create(org=tree.group_a, elected_on=ELECTED)
    assert term_reminders(D(2025, 9, 2)) == []


def test_term_reminders_in_the_digest_once_per_step(tree):
    Term.objects.create(org=tree.branch_a, elected_on=ELECTED)
    sources = [term_reminders]
    days = [D(2025, 3, 1), D(2025, 3, 2), D(2025, 6, 1), D(2025, 7, 1), D(2025, 9, 2)]
    assert [send_digests(day, sources).digests for day in days] == [1, 0, 1, 0, 1]
    bodies = Notice.objects.filter(user=tree.users["secretary"]).order_by("pk")
    assert ["【换届】" in notice.body for notice in bodies] == [True, True, True]
    assert "· 逾期：青山村党支部第1届任期已于2025-09-01届满，逾期未换届" in bodies.last().body


def test_term_reminders_queries_do_not_grow_with_the_tree(tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert term_reminders(D(2025, 9, 2))
        return len(queries)

    Term.objects.create(org=tree.branch_a, elected_on=ELECTED)
    small = count()
    for n in range(4):
        branch = make_org(tree.town_b, kind="branch")
        Term.objects.create(org=branch, elected_on=ELECTED)
        make_user(f"branch_admin{n}", org=branch, role="admin")
    assert count() == small
