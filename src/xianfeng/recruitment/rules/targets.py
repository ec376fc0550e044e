"""DEV-06: the yearly targets, at pace and decomposed.

(1) Behind pace: once the year's first half has ended (as-of on or after 1 July), an
org's target (every kind but ADMISSIONS, a ceiling) whose subtree's progress by 30 June
is below recruitment.targets.pace_share × its value (queries.progress says what counts).
(2) Decomposition short: an org that set targets of the year for other orgs, whose
targets of a kind it set add up to less than its own target of that kind (ADMISSIONS
too). One finding per org and year; the people from the shared fact, one query each for
the targets and the finished cultivations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xianfeng.compliance.registry import Context, Found, rule

from ..models import Target, TargetKind
from ..queries.progress import progress_events, rolled_up
from .parts import cited

PACE = "recruitment.targets.pace_share"
PACED = [kind for kind in TargetKind.values if kind != TargetKind.ADMISSIONS]


def _targets(ctx: Context, year: int) -> list[dict[str, Any]]:
    rows = Target.objects.filter(ctx.path_q("org__path"), year=year)
    fields = ("org_id", "kind", "value", "set_by_id")
    return [dict(row) for row in rows.order_by("org__path", "kind").values(*fields)]


def behind_pace(
    ctx: Context, targets: list[dict[str, Any]], orgs: dict[int, dict[str, Any]], year: int
) -> dict[int, list[dict[str, Any]]]:
    """Per org, its paced targets behind pace at 30 June of `year`."""
    half = dt.date(year, 6, 30)
    paced = [t for t in targets if t["kind"] in PACED and t["org_id"] in orgs]
    if ctx.as_of <= half or not paced:
        return {}
    first = dt.date(year, 1, 1)
    people = ctx.fact("recruitment_people")
    counted = rolled_up(progress_events(ctx.path_q("org__path"), first, half, people))
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for target in paced:
        org = orgs[target["org_id"]]
        share = Decimal(str(ctx.policy.at(org["path"]).value(PACE)))
        expected = share * target["value"]
        done = counted.get((org["path"], target["kind"]), 0)
        if done < expected:
            row = {"kind": target["kind"], "target": target["value"], "progress": done}
            found[org["id"]].append({**row, "expected": str(expected.normalize())})
    return found


def short_decomposed(
    targets: list[dict[str, Any]], orgs: dict[int, dict[str, Any]]
) -> dict[int, list[dict[str, Any]]]:
    """Per org that set targets for others, its kinds whose set targets add up to less
    than its own."""
    own = {(t["org_id"], t["kind"]): t["value"] for t in targets}
    given: dict[tuple[int, str], int] = defaultdict(int)
    setters = set()
    for t in targets:
        if t["set_by_id"] != t["org_id"]:
            given[(t["set_by_id"], t["kind"])] += t["value"]
            setters.add(t["set_by_id"])
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (org_id, kind), value in own.items():
        if org_id in setters and org_id in orgs and given[(org_id, kind)] < value:
            found[org_id].append({"kind": kind, "target": value, "set": given[(org_id, kind)]})
    return found


@rule(
    "DEV-06",
    title="年度培养和发展目标逐级分解、按进度完成",
    text="年度“三培养”目标和发展党员计划逐级分解到下级党组织；上半年结束时完成进度"
    "低于年度目标的规定比例、下达下级的目标合计少于本级目标的为问题。",
    source="seed 001 §2、§5.1；本系统默认（issue 17 决定：上半年末完成一半）",
    period="year",
    severity="error",
)
def dev_06_targets(ctx: Context) -> Iterator[Found]:
    """Per org, its targets behind pace at mid-year and its targets decomposed short
    (DEV-06)."""
    year = ctx.period.start.year
    orgs = {org["id"]: org for org in ctx.orgs()}
    targets = _targets(ctx, year)
    if not targets:
        return
    slow = behind_pace(ctx, targets, orgs, year)
    short = short_decomposed(targets, orgs)
    for org_id in sorted(set(slow) | set(short), key=lambda pk: orgs[pk]["path"]):
        entry = ctx.policy.at(orgs[org_id]["path"]).entry(PACE)
        parts: list[str] = []
        evidence: dict[str, Any] = {}
        if slow.get(org_id):
            parts.append(f"{len(slow[org_id])}项年度目标上半年完成进度滞后")
            evidence["targets_behind"] = slow[org_id]
            evidence["pace_share"] = entry["value"]
        if short.get(org_id):
            parts.append(f"{len(short[org_id])}项年度目标分解到下级的合计少于本级目标")
            evidence["targets_short"] = short[org_id]
        evidence["as_of"] = ctx.day.isoformat()
        message = "，".join(parts)
        yield Found(org_id, ctx.period.label, "error", message, cited(evidence, entry))
