"""What the TASK rules share: the items unfinished on a day, a due day of the year from
the policy's month and day, the secretaries seated on a day (from the shared fact
`seats`), and evidence citing a policy entry."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xianfeng.compliance.registry import Context
from xianfeng.orgs.models import OrgKind, SeatRole

from ..models import UNFINISHED, Item, ItemStatus

K = OrgKind
ONE_DAY = dt.timedelta(days=1)
# The party orgs whose secretary leads a project and reports on the year (TASK-05,
# TASK-07): the basic-level orgs, party committee down to branch ("branches and above";
# a working committee is the committee's appointed organ, not judged here).
SECRETARY_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` in the product's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day + ONE_DAY, dt.time.min))


def unfinished_on(ctx: Context, day: dt.date) -> QuerySet[Item]:
    """The subtree's items not yet accepted on `day`: created by then, and either not
    accepted now or accepted after `day` (an accepted item without its time counts as
    accepted). A reopened item counts from its creation (its earlier acceptance is gone)."""
    later = Q(status=ItemStatus.ACCEPTED, accepted_at__gte=end_of(day))
    return Item.objects.filter(
        ctx.path_q("org__path"),
        Q(status__in=UNFINISHED) | later,
        created_on__lte=day,
    )


def due_in(year: int, month: int, day: int) -> dt.date:
    """The policy's month and day in `year` (a day past the month's end is its last day:
    month 2, day 31 → 28 or 29 February)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def cited(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """`evidence` with the policy and source of the policy `entry` it was judged by."""
    return {**evidence, "policy": entry["policy"], "source": entry["source"]}


def is_seated_on(seat: dict[str, Any], day: dt.date) -> bool:
    """A seat row held on `day`: started (or no date), not past its last day."""
    started = seat["started_on"] is None or seat["started_on"] <= day
    return started and (seat["ended_on"] is None or seat["ended_on"] >= day)


def secretary_seats(ctx: Context, year: int) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Secretary seats held at some time in `year` at the subtree's orgs, per (org,
    member): from the shared fact `seats` of that year (LIFE-02, LIFE-08 and STUDY-01
    read the same rows for a year's check), once per run."""

    def load() -> dict[tuple[int, int], list[dict[str, Any]]]:
        roots = tuple(root.path for root in ctx.roots)
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        found: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for seat in ctx.fact("seats", start=start, end=end):
            if seat["role"] == SeatRole.SECRETARY and seat["org__path"].startswith(roots):
                found[(seat["org_id"], seat["member_id"])].append(seat)
        return found

    return ctx.memo(("supervision", "secretaries", year), load)


def seated_through(seats: list[dict[str, Any]], days: list[dt.date]) -> bool:
    """Whether some secretary seat of the same org and member is held on each of `days`
    (a tenure split in two rows by an election counts as one)."""
    return all(any(is_seated_on(seat, day) for seat in seats) for day in days)
