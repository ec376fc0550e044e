"""TASK-01: items past their deadline and not accepted; TASK-02: items returned more
often than the policy allows and still not accepted.

Both judge the items as they stood on `day` (the period's last day, or as-of if earlier):
an item counts from its creation day until the day it was accepted (`accepted_at`), so a
check of 2025 made in 2026 sees the end of 2025, whatever was accepted since. The
deadline is the item's current one (an extension granted later counts as if granted
then: the history keeps the older deadline, the check does not read it). One finding per
org, listing its items; orgs dissolved by `day` owe nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count
from django.utils import timezone

from xianfeng.compliance.parameters import PARAMETERS
from xianfeng.compliance.registry import Context, Found, rule

from ..models import Step
from .parts import cited, end_of, unfinished_on

GRACE = "supervision.overdue.grace_days"
RETURNS = "supervision.returns.max"


@rule(
    "TASK-01",
    title="问题清单事项按期整改",
    text="列出问题清单、任务清单、责任清单，确定每项任务的具体责任人和完成时限；"
    "超过完成时限仍未验收销号的事项为逾期。",
    source="seed 002 §3.1；seed 002 §3.4（逐个挂账销号）",
    period="state",
    severity="error",
)
def task_01_overdue_items(ctx: Context) -> Iterator[Found]:
    """Per org, the items unfinished on `day` whose deadline plus the policy's grace days
    is before `day` (TASK-01; one query)."""
    day = ctx.day
    orgs = {org["id"]: org for org in ctx.orgs()}
    rows = (
        unfinished_on(ctx, day)
        .filter(deadline__lt=day)  # grace_days >= 0: only these can be overdue
        .order_by("deadline", "pk")
        .values_list("pk", "org_id", "deadline")
    )
    # per org, the last deadline that is overdue on `day` (day - 1 - grace_days)
    last = {
        org_id: day - dt.timedelta(days=1 + ctx.policy.at(org["path"]).value(GRACE))
        for org_id, org in orgs.items()
    }
    overdue: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for pk, org_id, deadline in rows:
        if org_id in last and deadline <= last[org_id]:
            overdue[org_id].append((pk, deadline))
    for org_id, items in overdue.items():
        entry = ctx.policy.at(orgs[org_id]["path"]).entry(GRACE)
        oldest = items[0][1]
        message = (
            f"{len(items)}项清单事项超过整改时限未销号（最早的整改时限为{oldest.isoformat()}）"
        )
        evidence = {
            "overdue_items": [pk for pk, _deadline in items],
            "overdue_count": len(items),
            "oldest_deadline": oldest.isoformat(),
            "grace_days": entry["value"],
            "as_of": day.isoformat(),
        }
        yield Found(org_id, ctx.period.label, "error", message, cited(evidence, entry))


def _returns_after(ctx: Context, day: dt.date) -> dict[int, int]:
    """Returns recorded after `day` per item of the subtree (one query; none when `day`
    is today: nothing is recorded in the future)."""
    after = end_of(day)
    if after > timezone.now():
        return {}
    rows = (
        Step.objects.filter(
            ctx.path_q("item__org__path"), action=Step.Action.RETURNED, at__gte=after
        )
        .values("item_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows.values_list("item_id", "n"))


@rule(
    "TASK-02",
    title="整改严格验收",
    text="问题整改严格验收，逐个挂账销号；同一事项多次验收不通过被退回，说明整改不实，"
    "提示上级督促。",
    source="seed 002 §3.4；seed 003 §5.3（问题整改“回头看”）；seed 004 §3.3",
    period="state",
    severity="warning",
)
def task_02_returned_items(ctx: Context) -> Iterator[Found]:
    """Per org, the items unfinished on `day` returned more than supervision.returns.max
    times by then (TASK-02; one query of the returned items, and for a past day one of
    the returns recorded since, subtracted)."""
    day = ctx.day
    orgs = {org["id"]: org for org in ctx.orgs()}
    # the policy's least limit is the parameter's minimum: fewer returns never count
    least = int(PARAMETERS[RETURNS].min or 0)
    candidates = unfinished_on(ctx, day).filter(returned_count__gt=least)
    later = _returns_after(ctx, day)
    returned: dict[int, list[dict[str, int]]] = defaultdict(list)
    rows = candidates.order_by("-returned_count", "pk").values_list(
        "pk", "org_id", "returned_count"
    )
    limits: dict[int, int] = {}
    for pk, org_id, count in rows:
        org = orgs.get(org_id)
        if org is None:
            continue
        if org_id not in limits:
            limits[org_id] = ctx.policy.at(org["path"]).value(RETURNS)
        times = count - later.get(pk, 0)
        if times > limits[org_id]:
            returned[org_id].append({"item": pk, "returned": times})
    for org_id, items in returned.items():
        entry = ctx.policy.at(orgs[org_id]["path"]).entry(RETURNS)
        most = max(item["returned"] for item in items)
        message = f"{len(items)}项清单事项被退回超过{entry['value']}次仍未销号（最多退回{most}次）"
        evidence = {
            "returned_items": sorted(items, key=lambda item: (-item["returned"], item["item"])),
            "max_returns": entry["value"],
            "as_of": day.isoformat(),
        }
        yield Found(org_id, ctx.period.label, "warning", message, cited(evidence, entry))
