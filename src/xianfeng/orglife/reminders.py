"""Reminders of the yearly plan (LIFE-02, LIFE-03, LIFE-05), a reminder source of the daily
digest (`settings.REMINDER_SOURCES`): a required meeting not yet held is due within its
org's lead time (policy life.reminder.days_before) or overdue; the admins and officers of
the org that owes it are told (or, for an org without any, those of the nearest org above
it that has some: `accounts.queries.officers_in_charge`). `notices.digest` sends them.

Set-wise: one query for the orgs, one for their committees' seats, one for the held
meetings of all of them and one for the recipients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.notices.reminders import DUE, OVERDUE, Reminder

from .planning import DueItem, held_counts, items_for, org_rows, plan_context

DAYS_KEY = "life.reminder.days_before"
# An overdue item is reported only when it fell due in the last OVERDUE_DAYS days, so that
# the first run on an existing database does not report a whole year at once.
OVERDUE_DAYS = 31
CATEGORY = "组织生活"


@dataclass(frozen=True)
class DueMeeting:
    """A planned meeting not yet held that is due soon (DUE) or overdue (OVERDUE)."""

    item: DueItem
    org: dict[str, Any]
    what: str  # DUE or OVERDUE

    @property
    def key(self) -> str:
        """The item's stable key across days: "life:<org>:<kind>:<period>"."""
        return f"life:{self.item.key}"


def days_before(policy: Resolver, path: str) -> int:
    """The policy's reminder lead time (life.reminder.days_before) for the org at `path`."""
    return int(policy.value(DAYS_KEY, path))


def due_reminders(*, as_of: dt.date, policy: Resolver, calendar: Calendar) -> list[DueMeeting]:
    """Items not yet held that fall due within their org's lead time from `as_of`
    (DUE), or fell due in the OVERDUE_DAYS days before it (OVERDUE)."""
    first = dt.date(as_of.year - 1, 1, 1)
    orgs = org_rows(Q(), first, as_of + dt.timedelta(days=61))
    by_id = {org["id"]: org for org in orgs}
    found: list[DueMeeting] = []
    for year in sorted({as_of.year - 1, as_of.year, (as_of + dt.timedelta(days=60)).year}):
        ctx = plan_context(policy=policy, calendar=calendar, year=year, as_of=as_of)
        for item in items_for(ctx, orgs, committee_day=as_of):
            what = _what(item, as_of, days_before(policy, by_id[item.org_id]["path"]))
            if what:
                found.append(DueMeeting(item, by_id[item.org_id], what))
    held = held_counts((r.item for r in found), Q())
    return [r for r in found if held[r.item.key] < r.item.need]


def _what(item: DueItem, as_of: dt.date, days: int) -> str:
    if item.due - dt.timedelta(days=days) <= as_of <= item.due:
        return DUE
    if item.due < as_of <= item.due + dt.timedelta(days=OVERDUE_DAYS):
        return OVERDUE
    return ""


def _reminder(due: DueMeeting, recipients: list[int]) -> Reminder:
    item, org = due.item, due.org
    what = f"{org['name']}{item.period_name}{item.kind_label}"
    if due.what == DUE:
        title = f"{what}应于{item.due.month}月{item.due.day}日前召开（{item.rule}），尚未登记召开"
    else:
        title = f"{what}未召开（{item.rule}，应于{item.due.isoformat()}前召开）"
    return Reminder(
        recipients=tuple(recipients),
        key=due.key,
        category=CATEGORY,
        title=title,
        due=item.due,
        overdue=due.what == OVERDUE,
        org_name=org["name"],
        url=reverse("orglife:plan", args=[org["code"], item.start.year]),
    )


def meeting_reminders(as_of: dt.date) -> list[Reminder]:
    """The reminder source of the yearly plan: one Reminder per due or overdue meeting
    item, to the admins and officers in charge of its org (items nobody is in charge of
    are left out)."""
    policy, calendar = resolver(day=as_of), Calendar()
    found = due_reminders(as_of=as_of, policy=policy, calendar=calendar)
    if not found:
        return []
    recipients = officers_in_charge({due.org["path"] for due in found})
    return [
        _reminder(due, recipients[due.org["path"]]) for due in found if recipients[due.org["path"]]
    ]
