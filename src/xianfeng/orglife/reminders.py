"""Reminders of the yearly plan (LIFE-02, LIFE-03, LIFE-05): before a due item and when
it is overdue, an inbox notice to the admins and officers of the org that owes it (or, for
an org without any, of the nearest org above it that has some).

Run daily (`xianfeng remind`, a cron job or systemd timer). Set-wise: one query for the
orgs, one for their committees' seats, one for the held meetings of all of them, one for
the recipients and one for the notices already sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from xianfeng.accounts.models import Post, Role
from xianfeng.compliance.calendar import Calendar
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.notices.domain import send_notice
from xianfeng.notices.models import Kind, Notice
from xianfeng.orgs.models import Org

from .planning import DueItem, held_counts, items_for, org_rows, plan_context

DAYS_KEY = "life.reminder.days_before"
# An overdue notice is sent only for items that fell due in the last OVERDUE_DAYS days, so
# that the first run on an existing database does not report a whole year at once.
OVERDUE_DAYS = 31
UPCOMING, OVERDUE = "due", "overdue"


@dataclass(frozen=True)
class Reminder:
    item: DueItem
    org: dict[str, Any]
    what: str  # UPCOMING or OVERDUE

    @property
    def key(self) -> str:
        return f"life:{self.item.key}:{self.what}"


def days_before(policy: Resolver, path: str) -> int:
    """The policy's reminder lead time (life.reminder.days_before) for the org at `path`."""
    return int(policy.value(DAYS_KEY, path))


def due_reminders(*, as_of: dt.date, policy: Resolver, calendar: Calendar) -> list[Reminder]:
    """Items not yet held that fall due within their org's lead time from `as_of`
    (upcoming), or fell due in the OVERDUE_DAYS days before it (overdue)."""
    first = dt.date(as_of.year - 1, 1, 1)
    orgs = org_rows(Q(), first, as_of + dt.timedelta(days=61))
    by_id = {org["id"]: org for org in orgs}
    found: list[Reminder] = []
    for year in sorted({as_of.year - 1, as_of.year, (as_of + dt.timedelta(days=60)).year}):
        ctx = plan_context(policy=policy, calendar=calendar, year=year, as_of=as_of)
        for item in items_for(ctx, orgs, committee_day=as_of):
            what = _what(item, as_of, days_before(policy, by_id[item.org_id]["path"]))
            if what:
                found.append(Reminder(item, by_id[item.org_id], what))
    held = held_counts((r.item for r in found), Q())
    return [r for r in found if held[r.item.key] < r.item.need]


def _what(item: DueItem, as_of: dt.date, days: int) -> str:
    if item.due - dt.timedelta(days=days) <= as_of <= item.due:
        return UPCOMING
    if item.due < as_of <= item.due + dt.timedelta(days=OVERDUE_DAYS):
        return OVERDUE
    return ""


def _recipients(reminders: list[Reminder]) -> dict[int, list[int]]:
    """Per org, the active admins and officers posted at it; where none is (a party group,
    a branch without accounts), those of the nearest org above that has some, which then
    looks after it (one query)."""
    owner = {r.org["id"]: r.org["path"] for r in reminders}
    paths = {p for path in owner.values() for p in _ancestor_paths(path)}
    posts = Post.objects.filter(
        org__path__in=paths,
        is_active=True,
        user__is_active=True,
        role__in=[Role.ADMIN, Role.OFFICER],
    ).values_list("org__path", "user_id")
    users: dict[str, set[int]] = defaultdict(set)
    for path, user_id in posts:
        users[path].add(user_id)
    found = {}
    for org_id, path in owner.items():
        nearest = next((p for p in reversed(_ancestor_paths(path)) if users.get(p)), None)
        found[org_id] = sorted(users[nearest]) if nearest else []
    return found


def _ancestor_paths(path: str) -> list[str]:
    """The paths of the org's ancestors and its own, top first."""
    return [path[:end] for end in range(Org.steplen, len(path) + 1, Org.steplen)]


def _notice(reminder: Reminder) -> dict[str, Any]:
    item, org = reminder.item, reminder.org
    what = f"{org['name']}{item.period_name}{item.kind_label}"
    due = f"{item.due.month}月{item.due.day}日"
    if reminder.what == UPCOMING:
        title = f"提醒：{what}应于{due}前召开"
        body = f"{what}（{item.rule}）应于{item.due.isoformat()}前召开，目前尚未登记召开。"
    else:
        title = f"逾期：{what}未召开"
        body = f"{what}（{item.rule}）应于{item.due.isoformat()}前召开，至今未登记召开。"
    body += "请按计划召开并在系统中登记，或补录已召开的会议。"
    url = reverse("orglife:plan", args=[org["code"], item.start.year])
    return {"title": title, "body": body, "url": url}


def send_reminders(*, as_of: dt.date) -> int:
    """Send the upcoming and overdue notices due on `as_of`; returns how many were sent.

    Idempotent per org, item and kind of notice: each notice carries the key
    "life:<org>:<kind>:<period>:due|overdue" and no user gets the same key twice, so the
    command may run any number of times a day. Side effects: those of `send_notice`.
    """
    policy, calendar = resolver(day=as_of), Calendar()
    reminders = due_reminders(as_of=as_of, policy=policy, calendar=calendar)
    sent_keys = set(
        Notice.objects.filter(key__in=[r.key for r in reminders]).values_list("key", flat=True)
    )
    reminders = [r for r in reminders if r.key not in sent_keys]
    recipients = _recipients(reminders) if reminders else {}
    users = {u.pk: u for u in _users({pk for pks in recipients.values() for pk in pks})}
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=list(recipients))}
    count = 0
    for reminder in reminders:
        to = [users[pk] for pk in recipients[reminder.org["id"]] if pk in users]
        if to:
            notice = _notice(reminder)
            org = orgs[reminder.org["id"]]
            count += len(
                send_notice(users=to, kind=Kind.REMINDER, org=org, key=reminder.key, **notice)
            )
    return count


def _users(ids: set[int]) -> list[Any]:
    from xianfeng.accounts.models import User

    return list(User.objects.filter(pk__in=ids, is_active=True)) if ids else []
