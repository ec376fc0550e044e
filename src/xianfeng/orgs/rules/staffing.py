"""ORG-08: full-time party-affairs staff and activity venues up to the "六有" standard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from xianfeng.compliance.registry import Context, Found, rule

from ..models import VENUE_ITEMS, Org, OrgKind, StaffPost, Venue
from ._reads import BUDGET_KINDS, cited, subtree_sums, unit_tops

K = OrgKind
STAFF_KEYS = {
    K.PARTY_COMMITTEE: "org.staff.min_full_time_committee",
    K.GENERAL_BRANCH: "org.staff.min_full_time_committee",
    K.BRANCH: "org.staff.min_full_time_branch",
    K.JOINT_BRANCH: "org.staff.min_full_time_branch",
}
VENUE_LABELS = {**VENUE_ITEMS, "has_disclosure_board": "有党务公开栏"}


def _full_time_staff(ctx: Context) -> dict[str, int]:
    """Full-time staff posts active on `day` per org path (ORG-08; one grouped query)."""
    day = ctx.day
    rows = (
        StaffPost.objects.filter(
            ctx.path_q("org__path"),
            Q(ended_on__isnull=True) | Q(ended_on__gte=day),
            full_time=True,
            started_on__lte=day,
        )
        .values("org__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["org__path"]: row["n"] for row in rows}


@rule(
    "ORG-08",
    title="党建活动阵地和专职党务干部",
    text="所有机关党组织必须按“六有”标准建好党建活动阵地，规范设置党务公开栏并有效利用。"
    "机关党委、党总支一般至少配备2名专职党务干部，党支部一般至少配备1名专职党务干部。"
    "机关专职党务干部一般占机关工作人员总数的1-2%，机关工作人员较少的单位可适当增加比例。",
    source="seed 003 §5.2；seed 003 附件第14、16条",
    period="state",
    severity="error",
    kinds=sorted(BUDGET_KINDS),
)
def org_08_venue_and_staff(ctx: Context) -> Iterator[Found]:
    """Full-time staff per org, staff ratio per unit and the venue standard on `day`
    (ORG-08); each part only where the policy sets its parameters."""
    staff = _full_time_staff(ctx)
    for org in ctx.orgs():
        if org["kind"] in STAFF_KEYS:
            yield from _check_staff(ctx, org, staff.get(org["path"], 0))
    yield from _check_ratios(ctx, staff)
    yield from _check_venues(ctx)


def _check_staff(ctx: Context, org: dict, count: int) -> Iterator[Found]:
    """ORG-08 a): full-time staff at the org itself (a minimum of 0 checks nothing)."""
    need = ctx.policy.entry(STAFF_KEYS[org["kind"]], org["path"])
    if count >= need["value"]:
        return
    label = OrgKind(org["kind"]).label
    message = f"{label}专职党务干部{count}人，少于{need['value']}人"
    evidence = {"full_time_staff": count, "threshold": need["value"], "as_of": ctx.day.isoformat()}
    yield Found(org["id"], ctx.period.label, "error", message, cited(evidence, need))


def _check_ratios(ctx: Context, staff: dict[str, int]) -> Iterator[Found]:
    """ORG-08 b): full-time staff of each unit's subtree against its headcount."""
    tops = [
        top
        for top in unit_tops(ctx)
        if top["unit_headcount"] > 0 and ctx.policy.value("org.staff.min_ratio", top["path"]) > 0
    ]
    totals = subtree_sums(tops, staff)
    for top in tops:
        yield from _check_ratio(ctx, top, totals[top["path"]])


def _percent(value: float) -> str:
    return f"{value * 100:g}%"


def _check_ratio(ctx: Context, top: dict, count: int) -> Iterator[Found]:
    low = ctx.policy.entry("org.staff.min_ratio", top["path"])
    high = ctx.policy.entry("org.staff.max_ratio", top["path"])
    headcount = top["unit_headcount"]
    share = f"专职党务干部{count}人，占单位职工{headcount}人的{count / headcount:.2%}"
    evidence = {
        "full_time_staff": count,
        "unit_headcount": headcount,
        "ratio": f"{count / headcount:.4f}",
        "as_of": ctx.day.isoformat(),
    }
    if count < Decimal(str(low["value"])) * headcount:
        message = f"{share}，低于{_percent(low['value'])}"
        evidence = cited({**evidence, "threshold": low["value"]}, low)
        yield Found(top["id"], ctx.period.label, "warning", message, evidence)
    elif count > Decimal(str(high["value"])) * headcount:
        message = f"{share}，高于{_percent(high['value'])}（工作人员较少的单位可适当增加比例）"
        evidence = cited({**evidence, "threshold": high["value"]}, high)
        yield Found(top["id"], ctx.period.label, "info", message, evidence)


def _open_venues(ctx: Context) -> dict[str, list[dict]]:
    """Venues open on `day` per org path, in the subtree and above its roots (one query)."""
    above = {
        root.path[:end]
        for root in ctx.roots
        for end in range(Org.steplen, len(root.path), Org.steplen)
    }
    rows = (
        Venue.objects.filter(ctx.path_q("org__path") | Q(org__path__in=above))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=ctx.day))
        .order_by("id")
        .values("id", "name", "shared", "org__path", *VENUE_LABELS)
    )
    venues: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        venues[row["org__path"]].append(row)
    return venues


def _usable(venues: dict[str, list[dict]], path: str) -> list[dict]:
    """The org's own venues, then the shared venues of its ancestors (共建共用)."""
    above = range(Org.steplen, len(path), Org.steplen)
    shared = [v for end in above for v in venues.get(path[:end], []) if v["shared"]]
    return venues.get(path, []) + shared


def _check_venues(ctx: Context) -> Iterator[Found]:
    """ORG-08 c): orgs of org.venue.required_kinds need a usable venue up to the standard."""
    venues: dict[str, list[dict]] | None = None
    for org in ctx.orgs():
        required = ctx.policy.entry("org.venue.required_kinds", org["path"])
        if org["kind"] in required["value"]:
            venues = _open_venues(ctx) if venues is None else venues
            yield from _check_venue(ctx, org, _usable(venues, org["path"]), required)


def _check_venue(ctx: Context, org: dict, usable: list[dict], required: dict) -> Iterator[Found]:
    evidence: dict[str, Any] = {"venues": [v["id"] for v in usable], "as_of": ctx.day.isoformat()}
    if not usable:
        message = "未建立党建活动阵地"
        yield Found(org["id"], ctx.period.label, "error", message, cited(evidence, required))
        return
    items = ctx.policy.entry("org.venue.items", org["path"])
    gaps = [(v, [item for item in items["value"] if not v[item]]) for v in usable]
    venue, missing = min(gaps, key=lambda gap: len(gap[1]))
    if missing:
        names = "、".join(VENUE_LABELS[item] for item in missing)
        message = f"党建活动阵地“{venue['name']}”未达到标准，缺：{names}"
        evidence |= {"venue": venue["id"], "missing": missing, "threshold": items["value"]}
        yield Found(org["id"], ctx.period.label, "warning", message, cited(evidence, items))
