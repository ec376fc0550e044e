"""Reads the org rules share: members per org rolled up the tree, the orgs that head a
unit, sums over a unit's subtree, and a finding's evidence citing its policy entry.

Each read is one query (or none), memoised per evaluation where several rules need it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from xianfeng.compliance.registry import Context
from xianfeng.members.queries import counts_by_org_on

from ..models import Org, OrgKind

K = OrgKind
# kinds that keep a party-activity budget and full-time staff (ORG-08, ORG-09)
BUDGET_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
# above this many orgs a subtree's members are counted with every org's, not by their ids
# (under the 999 parameters of older SQLite)
MANY_ORGS = 900


def member_counts(ctx: Context, day: dt.date) -> dict[int, dict[str, int]]:
    """Members by org and status on `day`: the shared fact `member_counts_on`
    (members.facts), from the one read of the placements on `day` every rule group shares."""
    return ctx.fact("member_counts_on", day=day)


def member_totals(ctx: Context, day: dt.date) -> dict[str, dict[str, int]]:
    """Full and all members of each org's subtree on `day` (`rollup` of `member_counts`),
    summed once per evaluation for every rule."""
    return ctx.memo(("totals", day), lambda: rollup(ctx.orgs(), member_counts(ctx, day)))


def subtree_totals(ctx: Context, day: dt.date, tops: list[dict]) -> dict[str, dict[str, int]]:
    """Full and all members on `day` of each of `tops`' subtrees: from `member_totals` on
    the evaluation's day, else counted for the orgs under `tops` alone (one query by their
    ids; ORG-09's units are a few hundred orgs of a city), or for every org when they are
    many."""
    if day == ctx.day:
        return member_totals(ctx, day)
    paths = tuple(top["path"] for top in tops)
    under = [org for org in ctx.orgs() if org["path"].startswith(paths)]
    if len(under) > MANY_ORGS:
        return member_totals(ctx, day)
    return rollup(under, counts_by_org_on(day, Q(org__id__in=[org["id"] for org in under])))


def rollup(orgs: list[dict[str, Any]], counts: dict[int, dict[str, int]]) -> dict[str, dict]:
    """Full and all members of each org's subtree, summed up the paths in memory."""
    totals: dict[str, dict[str, int]] = {o["path"]: {"full": 0, "all": 0} for o in orgs}
    path_of = {o["id"]: o["path"] for o in orgs}
    for org_id, by_status in counts.items():
        path = path_of.get(org_id)
        full = by_status.get("full", 0)
        every = full + by_status.get("probationary", 0)
        while path:
            if path in totals:
                totals[path]["full"] += full
                totals[path]["all"] += every
            path = path[: -Org.steplen]
    return totals


def cited(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """`evidence` with the policy key and source of the policy `entry` it was judged by."""
    return {**evidence, "policy": entry["policy"], "source": entry["source"]}


def unit_tops(ctx: Context) -> list[dict[str, Any]]:
    """Orgs of the subtree that head their unit: a unit_name their parent does not share
    (ORG-08, ORG-09; one query over the subtree and the roots' parents, once per run)."""
    return ctx.memo("unit_tops", lambda: _load_unit_tops(ctx))


def _load_unit_tops(ctx: Context) -> list[dict[str, Any]]:
    parents = [root.path[: -Org.steplen] for root in ctx.roots if len(root.path) > Org.steplen]
    rows = Org.objects.filter(
        ctx.path_q() | Q(path__in=parents), Q(unit_name__gt="") | Q(numchild__gt=0)
    ).values("id", "path", "unit_name", "unit_headcount")
    unit_of = {row["path"]: row["unit_name"] for row in rows}
    existing = {org["id"]: org for org in ctx.orgs()}
    return [
        {**existing[row["id"]], "unit_headcount": row["unit_headcount"] or 0}
        for row in rows
        if row["id"] in existing
        and row["unit_name"]
        and unit_of.get(row["path"][: -Org.steplen]) != row["unit_name"]
    ]


def subtree_sums(tops: list[dict], by_path: dict[str, Any]) -> dict[str, Any]:
    """Each top's total of `by_path` over its subtree (every path walked up once)."""
    sums: dict[str, Any] = {top["path"]: 0 for top in tops}
    for path, value in by_path.items():
        while path:
            if path in sums:
                sums[path] += value
            path = path[: -Org.steplen]
    return sums
