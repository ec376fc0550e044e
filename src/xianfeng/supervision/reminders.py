"""Reminders of the lists (TASK-01, TASK-02), a reminder source of the daily digest
(`settings.REMINDER_SOURCES`); `notices.digest` sends them, each user told of an item once
while it is due and once when it is overdue.

- To the account acting for the responsible person: an item not yet submitted (open or in
  progress) whose deadline is within DAYS_BEFORE days (a module constant, not a policy
  key: one week is the house's lead time for a single item), and, from the day after its
  deadline plus the policy's grace (`supervision.overdue.grace_days`), overdue. The key
  holds the deadline, so a granted extension starts over.
- To the admins and officers of the reviewing org (`accounts.queries.officers_in_charge`
  on the item's reviewer org, so the nearest org above with officers when it has none):
  items submitted and waiting for acceptance, and the overdue items of the orgs below it.
  Where one org has more than SUMMARY_AFTER of either, it is one line for the org (how
  many, the oldest deadline), not one line per item.

Set-wise: three queries for the items (those coming due, those submitted, the overdue
ones with their org paths), one for the recipients; the grace is resolved once per set of
policy layers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.notices.reminders import Reminder

from .models import Item, ItemStatus
from .overdue import grace_days, is_overdue, overdue_q

DAYS_BEFORE = 7
SUMMARY_AFTER = 3
CATEGORY_OWN = "清单整改"
CATEGORY_REVIEW = "清单督办"
# The pages of the lists (supervision/urls.py, issue 16): an item, an org's lists.
STILL_OPEN = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS)


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def own_reminders(as_of: dt.date, policy: Resolver) -> list[Reminder]:
    """The responsible accounts' items coming due or overdue (one query)."""
    rows = (
        Item.objects.filter(
            status__in=STILL_OPEN,
            responsible_user__isnull=False,
            deadline__lte=as_of + dt.timedelta(days=DAYS_BEFORE),
        )
        .order_by("deadline", "pk")
        .values_list("pk", "title", "deadline", "org__name", "org__path", "responsible_user_id")
    )
    found = []
    for pk, title, deadline, org_name, path, user_id in rows:
        late = is_overdue(deadline, as_of, grace_days(policy, path))
        if late:
            text = f"{org_name}“{title}”已超过整改时限（{deadline.isoformat()}），尚未提交整改材料"
        else:
            text = f"{org_name}“{title}”应于{_md(deadline)}前整改完成并提交整改材料"
        found.append(
            Reminder(
                recipients=(user_id,),
                key=f"sv:item:{pk}:{deadline.isoformat()}",
                category=CATEGORY_OWN,
                title=text,
                due=deadline,
                overdue=late,
                org_name=org_name,
                url=reverse("supervision:item", args=[pk]),
            )
        )
    return found


@dataclass(frozen=True)
class _Row:
    """An item a reviewing org is told of: `day` its deadline (overdue) or the day it was
    submitted (waiting); `mark` (sortable: the deadline, the submission's time) makes its
    key, so that a resubmission or a later deadline is told again, and an org's summary
    is told again when a newer item joins it."""

    pk: int
    title: str
    org_id: int
    org_name: str
    org_code: str
    reviewer_path: str
    day: dt.date
    mark: str


def _waiting(as_of: dt.date) -> list[_Row]:
    rows = Item.objects.filter(status=ItemStatus.SUBMITTED).values_list(
        "pk",
        "title",
        "org_id",
        "org__name",
        "org__code",
        "reviewer_org__path",
        "submitted_at",
    )
    found = []
    for pk, title, org_id, name, code, path, submitted_at in rows.order_by("pk"):
        day = timezone.localdate(submitted_at) if submitted_at else as_of
        mark = f"{int(submitted_at.timestamp()):012d}" if submitted_at else "0"
        found.append(_Row(pk, title, org_id, name, code, path, day, mark))
    return found


def _late(as_of: dt.date, policy: Resolver) -> list[_Row]:
    items = Item.objects.all()
    rows = items.filter(overdue_q(items, as_of, policy)).values_list(
        "pk", "title", "org_id", "org__name", "org__code", "reviewer_org__path", "deadline"
    )
    return [
        _Row(pk, title, org_id, name, code, path, deadline, deadline.isoformat())
        for pk, title, org_id, name, code, path, deadline in rows.order_by("deadline", "pk")
    ]


def _grouped(rows: Iterable[_Row]) -> dict[tuple[str, int], list[_Row]]:
    groups: dict[tuple[str, int], list[_Row]] = defaultdict(list)
    for row in rows:
        groups[(row.reviewer_path, row.org_id)].append(row)
    return groups


def _review_reminders(
    rows: list[_Row], recipients: dict[str, list[int]], *, late: bool
) -> list[Reminder]:
    what = "late" if late else "review"
    found = []
    for (path, org_id), group in _grouped(rows).items():
        users = tuple(recipients.get(path, []))
        if not users:
            continue
        first = group[0]
        if len(group) > SUMMARY_AFTER:
            newest = max(row.mark for row in group)
            oldest = min(row.day for row in group)
            if late:
                text = f"{first.org_name}有 {len(group)} 项清单事项逾期未销号（最早时限 {oldest.isoformat()}）"
            else:
                text = f"{first.org_name}有 {len(group)} 项清单事项已提交整改材料，待验收"
            found.append(
                Reminder(
                    recipients=users,
                    key=f"sv:{what}-org:{org_id}:{newest}",
                    category=CATEGORY_REVIEW,
                    title=text,
                    due=oldest,
                    overdue=late,
                    org_name=first.org_name,
                    url=_org_url(first.org_code, what),
                )
            )
            continue
        for row in group:
            if late:
                text = (
                    f"{row.org_name}“{row.title}”已超过整改时限（{row.day.isoformat()}），尚未销号"
                )
            else:
                text = f"{row.org_name}“{row.title}”已提交整改材料，待验收"
            found.append(
                Reminder(
                    recipients=users,
                    key=f"sv:{what}:{row.pk}:{row.mark}",
                    category=CATEGORY_REVIEW,
                    title=text,
                    due=row.day,
                    overdue=late,
                    org_name=row.org_name,
                    url=reverse("supervision:item", args=[row.pk]),
                )
            )
    return found


def _org_url(code: str, what: str) -> str:
    """The org's list of the items a summarised reminder speaks of."""
    query = "?overdue=on" if what == "late" else "?status=submitted"
    return reverse("supervision:org_items", args=[code]) + query


def review_reminders(as_of: dt.date, policy: Resolver) -> list[Reminder]:
    """The reviewing orgs' officers: items waiting for acceptance and overdue items of
    the orgs below them, per item or, when many, per org."""
    waiting, late = _waiting(as_of), _late(as_of, policy)
    if not waiting and not late:
        return []
    recipients: dict[str, Any] = officers_in_charge({r.reviewer_path for r in waiting + late})
    return [
        *_review_reminders(waiting, recipients, late=False),
        *_review_reminders(late, recipients, late=True),
    ]


def item_reminders(as_of: dt.date) -> list[Reminder]:
    """The reminder source of the lists: the responsible accounts' items coming due or
    overdue, and the reviewing orgs' queue and overdue items."""
    policy = resolver(day=as_of)
    return [*own_reminders(as_of, policy), *review_reminders(as_of, policy)]
