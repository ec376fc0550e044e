"""Re-inspection (回头看, TASK-02; seed 003 §5.3): a reproducible random sample of the items
made from findings and accepted in the last months, their rules re-run, those whose
problem is back reopened."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from xianfeng.accounts.scope import require_reference
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.policy import resolver
from xianfeng.compliance.queries import finding_key
from xianfeng.lib.dates import add_months, parse_period, today
from xianfeng.orgs.models import Org

from .. import permissions
from ..models import Item, ItemStatus, Origin, Reinspection
from .items import reopen_item, save

SEED_RANGE = 2**31  # a seed a person can type back in to repeat the draw


def _start_of(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def candidates(org: Org, *, day: dt.date, months: int) -> QuerySet[Item]:
    """Items of `org`'s subtree made from findings and accepted in the `months` before
    `day` (inclusive), in pk order (the order the sample is drawn from)."""
    since = _start_of(add_months(day, -months))
    until = _start_of(day + dt.timedelta(days=1))
    return (
        Item.objects.filter(
            org__path__startswith=org.path,
            origin=Origin.FINDING,
            status=ItemStatus.ACCEPTED,
            accepted_at__gte=since,
            accepted_at__lt=until,
        )
        .exclude(finding_key="")
        .order_by("pk")
    )


def draw(ids: list[int], *, share: float, seed: int) -> list[int]:
    """A reproducible sample of `share` of `ids` (at least one when there are any): the
    same ids, share and seed draw the same sample. Returned in pk order."""
    if not ids:
        return []
    size = min(len(ids), max(1, round(len(ids) * share)))
    return sorted(random.Random(seed).sample(sorted(ids), size))


def problems_back(items: list[Item], day: dt.date) -> set[int]:
    """The ids of `items` whose finding the rules report again on `day`: each (rule,
    period) evaluated once over the items' orgs, storing nothing (as the what-if page)."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.rule, item.finding_period)].append(item)
    back: set[int] = set()
    for (rule, label), group in groups.items():
        try:
            period = parse_period(label)
        except ValueError:
            continue
        roots = {item.org_id: item.org for item in group}
        pairs, _orgs = evaluate(
            roots=list(roots.values()), period=period, as_of=day, rule_ids=[rule]
        )
        found = {
            finding_key(r.id, roots[f.org_id].code, f.member_id, f.period)
            for r, f in pairs
            if r is not None and f.org_id in roots
        }
        back.update(item.pk for item in group if item.finding_key in found)
    return back


def reinspect(
    org: Org, *, by: Any, seed: int | None = None, day: dt.date | None = None
) -> Reinspection:
    """Re-inspect `org`'s subtree (admin or officer of the org or above).

    Draws `supervision.reinspection.share` (at least one) of the items made from findings
    and accepted in the last `supervision.reinspection.months` (policy of `org`) with
    `random.Random(seed)` over the ids in pk order (a random seed when none is given),
    re-runs the sampled items' rules for their orgs and periods without storing a run,
    and reopens (`reopen_item`) those whose finding is back; an item a newer unfinished
    item has replaced stays closed. Side effects: a Reinspection row with the seed, the
    sample and the reopened ids (history actor `by`); the reopened items' transitions.
    """
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if not permissions.may_manage(by, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以开展回头看")
    day = day or today()
    if seed is None:
        seed = random.SystemRandom().randrange(SEED_RANGE)
    if not 0 <= seed < 2**63:
        raise ValidationError({"seed": "抽样种子应为非负整数"})
    policy = resolver(day=day)
    months = int(policy.value("supervision.reinspection.months", org.path))
    share = float(policy.value("supervision.reinspection.share", org.path))
    ids = list(candidates(org, day=day, months=months).values_list("pk", flat=True))
    sample = draw(ids, share=share, seed=seed)
    items = list(Item.objects.filter(pk__in=sample).select_related("org").order_by("pk"))
    back = problems_back(items, day)
    with transaction.atomic():
        reopened = [item.pk for item in items if item.pk in back and _reopen(item, by, day)]
        record = Reinspection(
            org=org,
            date=day,
            months=months,
            share=Decimal(str(share)).quantize(Decimal("0.001")),
            seed=seed,
            sample=sample,
            reopened=reopened,
            by=by,
        )
        record.full_clean(exclude=["sample", "reopened"])  # empty lists are valid here
        save(record, by)
    return record


def _reopen(item: Item, by: Any, day: dt.date) -> bool:
    """Reopen one item; False when a newer unfinished item holds its finding."""
    reason = f"回头看（{day:%Y-%m-%d}）：检查规则再次报告此问题"
    try:
        with transaction.atomic():
            reopen_item(item, reason=reason, by=by)
    except ValidationError:
        return False
    return True
