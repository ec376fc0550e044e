"""Which unfinished items are overdue on a day (TASK-01), shared by the API's filter and
the reminders: an item not yet accepted whose deadline plus the policy's grace
(`supervision.overdue.grace_days`, per org path) lies before the day.

Set-wise: one query for the distinct org paths of the candidates (unfinished items past
their deadline), the grace resolved once per set of policy layers, and one condition per
distinct grace (all orgs share the national value unless a policy says otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from xianfeng.compliance.policy import Resolver, resolver

from .models import UNFINISHED, Item

GRACE_KEY = "supervision.overdue.grace_days"


def grace_days(policy: Resolver, path: str) -> int:
    return int(policy.value(GRACE_KEY, path))


def overdue_q(items: QuerySet[Item], day: dt.date, policy: Resolver | None = None) -> Q:
    """A condition on `Item` rows keeping those of `items` overdue on `day`."""
    policy = policy or resolver(day=day)
    late = items.filter(status__in=UNFINISHED, deadline__lt=day)
    paths = late.order_by().values_list("org__path", flat=True).distinct()
    by_grace: dict[int, list[str]] = defaultdict(list)
    for path in paths:
        by_grace[grace_days(policy, path)].append(path)
    unfinished = Q(status__in=UNFINISHED)
    if len(by_grace) <= 1:  # none late (nothing of `items` matches) or one grace for all
        grace = next(iter(by_grace), 0)
        return unfinished & Q(deadline__lt=day - dt.timedelta(days=grace))
    condition = Q()
    for grace, org_paths in by_grace.items():
        condition |= Q(org__path__in=org_paths, deadline__lt=day - dt.timedelta(days=grace))
    return unfinished & condition


def is_overdue(deadline: dt.date, day: dt.date, grace: int) -> bool:
    return deadline + dt.timedelta(days=grace) < day
