"""Reminders of dues collection, a source of the daily digest (settings.REMINDER_SOURCES),
told to the admins and officers in charge of each branch (`officers_in_charge`):

- due: from the policy's dues.payment.remind_days_before days before the branch's payment
  day of the month (the org's own setting 党费集中交纳日, seed 003 §4.4; the policy's
  dues.payment.default_day where it set none), how many of its members have not yet paid
  this month;
- overdue: last month still not closed after its closing deadline (dues.close.days_after
  of this month, DUES-01).

Set-wise: one query for the unpaid lines of the month per branch, one for last month's
branches with lines and one for their closings, one for the payment days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import add_months
from xianfeng.notices.reminders import Reminder
from xianfeng.orgs.models import OrgPreference

from .models import Due, MonthClose
from .rules.collection import close_deadline

CATEGORY = "党费收缴"


def _payment_days(orgs: Iterable[int]) -> dict[int, int]:
    rows = OrgPreference.objects.filter(key="dues.payment_day", org_id__in=list(orgs))
    return {org: int(value) for org, value in rows.values_list("org_id", "value")}


def _unpaid(month: dt.date) -> list[tuple[int, str, str, str, int]]:
    rows = (
        Due.objects.filter(month=month, settled=False)
        .values_list("org_id", "org__code", "org__name", "org__path")
        .annotate(n=Count("id"))
        .order_by("org__path")
    )
    return list(rows)


def _unclosed(month: dt.date) -> list[tuple[int, str, str, str]]:
    orgs = Due.objects.filter(month=month).values_list("org_id", flat=True).distinct()
    closed = MonthClose.objects.filter(month=month).values_list("org_id", flat=True)
    rows = (
        Due.objects.filter(month=month, org_id__in=orgs)
        .exclude(org_id__in=closed)
        .values_list("org_id", "org__code", "org__name", "org__path")
        .distinct()
        .order_by("org__path")
    )
    return list(rows)


def dues_reminders(as_of: dt.date) -> list[Reminder]:
    month = as_of.replace(day=1)
    found = _due(as_of, month) + _overdue(as_of, add_months(month, -1))
    return found


def _due(as_of: dt.date, month: dt.date) -> list[Reminder]:
    rows = _unpaid(month)
    set_days = _payment_days(row[0] for row in rows)
    policy = resolver(day=as_of)
    days, starts = {}, {}  # a branch's payment day, and its reminders' first day
    for org, _code, _name, path, _n in rows:
        days[org] = month.replace(
            day=set_days.get(org) or policy.value("dues.payment.default_day", path)
        )
        lead = policy.value("dues.payment.remind_days_before", path)
        starts[org] = days[org] - dt.timedelta(days=lead)
    soon = [r for r in rows if as_of >= starts[r[0]]]
    people = officers_in_charge([r[3] for r in soon])
    found = []
    for org, code, name, path, n in soon:
        day = days[org]
        if not people.get(path):
            continue
        found.append(
            Reminder(
                recipients=tuple(people[path]),
                key=f"dues:pay:{org}:{month.isoformat()}",
                category=CATEGORY,
                title=f"{name}{month.month}月党费集中交纳日为{day.day}日，尚有{n}名党员未交",
                due=day,
                overdue=as_of > day,
                org_name=name,
                url=f"/dues/orgs/{code}/month/{month.year}-{month.month:02d}/",
            )
        )
    return found


def _overdue(as_of: dt.date, month: dt.date) -> list[Reminder]:
    policy = resolver(day=as_of)
    rows = [
        r
        for r in _unclosed(month)
        if close_deadline(month, policy.value("dues.close.days_after", r[3])) < as_of
    ]
    people = officers_in_charge([r[3] for r in rows])
    found = []
    for org, code, name, path in rows:
        deadline = close_deadline(month, policy.value("dues.close.days_after", path))
        if not people.get(path):
            continue
        found.append(
            Reminder(
                recipients=tuple(people[path]),
                key=f"dues:close:{org}:{month.isoformat()}",
                category=CATEGORY,
                title=f"{name}{month.year}年{month.month}月党费收缴应于{deadline.month}月{deadline.day}日前结账，尚未结账",
                due=deadline,
                overdue=True,
                org_name=name,
                url=f"/dues/orgs/{code}/month/{month.year}-{month.month:02d}/",
            )
        )
    return found
