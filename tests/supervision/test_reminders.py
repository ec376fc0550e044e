"""The lists' reminder source (TASK-01, TASK-02): the responsible account is told of an
item DAYS_BEFORE days before its deadline and once it is overdue; the reviewing org's
officers of items waiting for acceptance and of overdue items below them, one line per
org when there are many; the daily digest sends them once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.compliance.policy import resolver
from xianfeng.notices.digest import send_digests
from xianfeng.notices.models import Notice
from xianfeng.supervision.domain import items as domain
from xianfeng.supervision.models import Item
from xianfeng.supervision.reminders import (
    DAYS_BEFORE,
    SUMMARY_AFTER,
    item_reminders,
    own_reminders,
)

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 15)
CREATED = dt.date(2026, 1, 5)


def _item(tree, *, days: int, status: str = "open", title: str = "记录不全", org=None) -> Item:
    admin, officer = tree.users["city_admin"], tree.users["county_officer"]
    item = domain.create_item(
        org or tree.branch_a,
        kind="problem",
        title=title,
        deadline=AS_OF + dt.timedelta(days=days),
        created_on=CREATED,
        responsible="MA1" if org is None else "",
        by=admin,
    )
    if status in ("in_progress", "submitted", "accepted"):
        domain.start_item(item, by=admin)
    if status in ("submitted", "accepted"):
        domain.submit_item(item, evidence="已整改", by=tree.users["member"])
    if status == "accepted":
        domain.accept_item(item, by=officer)
    return item


def _told(tree, who: str, as_of: dt.date = AS_OF) -> list[str]:
    """What `who` is told on `as_of`: "<key prefix>:<due|overdue>" per reminder."""
    pk = tree.users[who].pk
    return sorted(
        f"{r.key.split(':')[1]}:{r.what}" for r in item_reminders(as_of) if pk in r.recipients
    )


CASES = [
    # (case, days to the deadline, status, the responsible account's, the reviewers')
    ("a day more than the lead time: nothing", DAYS_BEFORE + 1, "open", [], []),
    ("the lead time: due", DAYS_BEFORE, "open", ["item:due"], []),
    ("the deadline itself: due", 0, "in_progress", ["item:due"], []),
    ("the day after: overdue to both", -1, "open", ["item:overdue"], ["late:overdue"]),
    ("submitted before the deadline: the queue", 20, "submitted", [], ["review:due"]),
    (
        "submitted after the deadline: queue and overdue",
        -3,
        "submitted",
        [],
        ["late:overdue", "review:due"],
    ),
    ("accepted: nothing", -30, "accepted", [], []),
]


@pytest.mark.parametrize(
    ("case", "days", "status", "own", "reviewers"), CASES, ids=[c[0] for c in CASES]
)
def test_task_01_item_reminders(tree, case, days, status, own, reviewers):
    _item(tree, days=days, status=status)
    assert _told(tree, "member") == own, case
    assert _told(tree, "county_officer") == reviewers, case
    assert _told(tree, "secretary") == [], case  # the item's own org does not review it
    assert _told(tree, "outsider") == [], case


def test_task_01_grace_days_postpone_overdue(tree):
    item = _item(tree, days=-2)
    policy = resolver(day=AS_OF, overrides={"supervision.overdue.grace_days": {"value": 3}})
    [reminder] = own_reminders(AS_OF, policy)
    assert (reminder.overdue, reminder.key) == (False, f"sv:item:{item.pk}:{item.deadline}")
    [late] = own_reminders(AS_OF + dt.timedelta(days=2), policy)
    assert late.overdue and "已超过整改时限" in late.title


def test_task_02_many_items_of_one_org_are_one_line(tree):
    for n in range(SUMMARY_AFTER + 2):
        _item(tree, days=-10 - n, title=f"逾期事项{n}")
    _item(tree, days=-1, title="下级逾期", org=tree.group_a)  # reviewed by the branch
    officer = [r for r in item_reminders(AS_OF) if tree.users["county_officer"].pk in r.recipients]
    assert [r.title for r in officer] == [
        f"青山村党支部有 {SUMMARY_AFTER + 2} 项清单事项逾期未销号（最早时限 2026-06-01）"
    ]
    # the group's item: its account in charge (the branch's admin, no secretary seat) and
    # the branch's officers as its reviewers are the same account here
    secretary = [r for r in item_reminders(AS_OF) if tree.users["secretary"].pk in r.recipients]
    assert [r.category for r in secretary] == ["清单整改", "清单督办"]
    assert [r.title for r in secretary][1:] == [
        "第一党小组“下级逾期”已超过整改时限（2026-06-14），尚未销号"
    ]
    assert len(_told(tree, "member")) == SUMMARY_AFTER + 2


def test_task_01_reminders_read_set_wise(tree):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            item_reminders(AS_OF)
        return len(captured)

    _item(tree, days=-1)
    _item(tree, days=3, status="submitted")
    few = queries()
    for n in range(6):
        _item(tree, days=-n - 2, title=f"更多{n}", org=tree.branch_a2)
        _item(tree, days=n, status="submitted", title=f"待验收{n}")
    assert queries() == few


def test_task_01_digest_tells_once(tree):
    _item(tree, days=-1)
    first = send_digests(AS_OF, sources=[item_reminders])
    assert first.digests == 2  # the responsible account and the reviewing officer
    notice = Notice.objects.get(user=tree.users["member"])
    assert "【清单整改】" in notice.body and "已超过整改时限" in notice.body
    assert send_digests(AS_OF + dt.timedelta(days=1), sources=[item_reminders]).told == 0
