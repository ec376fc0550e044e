"""MEM-03: the share of dual-lead members (“双带”型党员) rises year by year.

Where members.dual_lead.must_rise holds for an org: its members are those placed in its
subtree (full or probationary) on `day` (the year's last day, or as-of in the year in
progress), and on 31 December of the year before; an org with at least
members.dual_lead.min_members members on `day` whose share of members recognized for the
year (DualLead.year) is not higher than the share recognized for the year before among
its members then is a finding (a warning). Parties groups and temporary orgs are not
judged. Each day's counts from the shared fact `active_placements_on` when a rule of the
run has read that day's statuses (the nightly run, for `day`), else one read grouped by
org (the year before; the recruitment rules run alone).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.members.models import DualLead
from xianfeng.members.queries import FEW, active_counts_by_org
from xianfeng.orgs.models import Org, OrgKind

from .parts import cited

MUST_RISE = "members.dual_lead.must_rise"
MIN_MEMBERS = "members.dual_lead.min_members"
NOT_JUDGED = (OrgKind.PARTY_GROUP, OrgKind.TEMPORARY_ORG)


def shares(ctx: Context, day: dt.date, year: int) -> tuple[Counter[str], Counter[str]]:
    """Members placed in the subtree on `day` and those of them recognized as dual-lead
    for `year`, counted at their org and every org above it: ({path: n}, {path: n})."""
    if ctx.fact_if_read("statuses", day=day) is not None:
        per_org, dual_per_org = _counts_from_fact(ctx, day, year)
    else:
        per_org, dual_per_org = _counts_grouped(ctx, day, year)
    paths = org_paths(ctx, set(per_org))
    return up_the_tree(per_org, paths), up_the_tree(dual_per_org, paths)


def _counts_from_fact(ctx: Context, day: dt.date, year: int) -> tuple[Counter[int], Counter[int]]:
    """Per org, the placements of the shared fact `active_placements_on` (when a rule of
    the run has read the day's statuses: the nightly run) and those of dual-lead members
    (one query of the dual-lead records of `year`)."""
    placed = ctx.fact("active_placements_on", day=day)
    dual_lead = DualLead.objects.filter(year=year)
    if len(placed) <= FEW:
        dual_lead = dual_lead.filter(member_id__in=[row[0] for row in placed])
    leading = set(dual_lead.values_list("member_id", flat=True))
    per_org = Counter(org for _member, org, _since in placed)
    dual_per_org = Counter(org for member, org, _since in placed if member in leading)
    return per_org, dual_per_org


def _counts_grouped(ctx: Context, day: dt.date, year: int) -> tuple[Counter[int], Counter[int]]:
    """The same counts as `_counts_from_fact` as one read grouped by org, the status
    spells and the dual-lead records as subqueries (`active_counts_by_org`; the
    recruitment rules run alone, and the year before: not a whole day's placements and
    statuses read into Python)."""
    marked = DualLead.objects.filter(year=year).values("member_id")
    counts = active_counts_by_org(day, ctx.path_q("org__path"), marked)
    per_org = Counter({org_id: n for org_id, (n, _dual) in counts.items()})
    dual_per_org = Counter({org_id: dual for org_id, (_n, dual) in counts.items() if dual})
    return per_org, dual_per_org


def up_the_tree(per_org: Counter[int], paths: dict[int, str]) -> Counter[str]:
    """Counts per org added to the org and every org above it: {path: n}."""
    step = Org.steplen
    found: Counter[str] = Counter()
    for org_id, n in per_org.items():
        path = paths.get(org_id, "")
        for end in range(step, len(path) + 1, step):
            found[path[:end]] += n
    return found


def org_paths(ctx: Context, org_ids: set[int]) -> dict[int, str]:
    """The paths of `org_ids`: the orgs of the run, and those dissolved since (one query
    when there are any)."""
    paths = {org["id"]: org["path"] for org in ctx.orgs()}
    missing = org_ids - set(paths)
    if missing:
        paths.update(Org.objects.filter(pk__in=missing).values_list("pk", "path"))
    return paths


def _share(dual: int, members: int) -> Decimal:
    return (Decimal(dual) / Decimal(members)).quantize(Decimal("0.0001")) if members else Decimal(0)


@rule(
    "MEM-03",
    title="“双带”型党员比例逐年提高",
    text="培养“双带”型党员（创业致富型、创新转型型、创优提质型），其占党员的比例逐年"
    "提高；本年比例不高于上年的党组织为问题（党员少于规定人数的不计）。",
    source="seed 000 §2–3",
    period="year",
    severity="warning",
)
def mem_03_dual_lead_share(ctx: Context) -> Iterator[Found]:
    """Per org under must_rise with enough members, a dual-lead share of the year not
    above the year before (MEM-03)."""
    year = ctx.period.start.year
    judged: list[tuple[dict[str, Any], Any]] = []
    for org in ctx.orgs():
        if org["kind"] in NOT_JUDGED:
            continue
        policy = ctx.policy.at(org["path"])
        if policy.value(MUST_RISE):
            judged.append((org, policy))
    if not judged:
        return
    members, dual = shares(ctx, ctx.day, year)
    before_day = dt.date(year - 1, 12, 31)
    members_before, dual_before = shares(ctx, before_day, year - 1)
    for org, policy in judged:
        path = org["path"]
        least = policy.entry(MIN_MEMBERS)
        if members[path] < least["value"]:
            continue
        now = _share(dual[path], members[path])
        before = _share(dual_before[path], members_before[path])
        if now > before:
            continue
        message = f"{year}年“双带”型党员占党员比例{now:.2%}，未高于{year - 1}年的{before:.2%}"
        evidence = {
            "dual_lead_share": str(now),
            "dual_lead_count": dual[path],
            "members_counted": members[path],
            "dual_lead_share_before": str(before),
            "dual_lead_count_before": dual_before[path],
            "members_counted_before": members_before[path],
            "min_members_counted": least["value"],
            "as_of": ctx.day.isoformat(),
        }
        yield Found(
            org["id"],
            ctx.period.label,
            "warning",
            message,
            cited(evidence, policy.entry(MUST_RISE), least),
        )
