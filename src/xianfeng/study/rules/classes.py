"""STUDY-04 training classes: a town committee's quarter without a practical-technique
training; a government org's year without a rotation training of at least a day (held
by it or an ancestor) and its members who attended none; a city or county committee's
year without a dual-lead backbone class — errors."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q

from xianfeng.compliance.parts import FEW_MEMBERS, cited, existed, placed_on, quarter_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from ..models import TrainingKind
from ..queries import classes_attended, held_classes, tenths
from .parts import ONE_DAY, ended_sub_periods, hours_text, period_orgs
from .plans import PLAN_KINDS

K = OrgKind
ROTATION_KINDS = PLAN_KINDS  # the kinds whose top org in a department holds the rotation


@rule(
    "STUDY-04",
    local=True,
    title="举办培训班",
    text="乡镇（街道）党委每季度组织举办1次以上实用技术培训；市县两级层面每年分类举办“双带”"
    "型党员骨干示范培训班（seed 000）。每年组织开展一次机关党员集中轮训，时间不少于1天"
    "（seed 003）。",
    source="seed 000 §4.1；seed 003 §4.4、附件第8条",
    period="year",
    severity="error",
    kinds=sorted(ROTATION_KINDS),
)
def study_04_training_classes(ctx: Context) -> Iterator[Found]:
    """Town committees' ended quarters without a practical-technique training; per ended
    year, the top government orgs without a rotation training of at least
    study.rotation.min_days (their own or an ancestor's), their members without one, and
    city and county committees without a dual-lead backbone class (errors)."""
    yield from _practical(ctx)
    for year in ended_sub_periods(ctx, "year"):
        yield from _rotation(ctx, year)
        yield from _rotation_members(ctx, year)
        yield from _dual_lead(ctx, year)


def _count_own(classes: list[dict], org_id: int, part: Period) -> list[int]:
    return [c["id"] for c in classes if c["org_id"] == org_id and c["starts_on"] in part]


def _practical(ctx: Context) -> Iterator[Found]:
    key = "study.practical.min_per_quarter"
    quarters = ended_sub_periods(ctx, "quarter")
    towns = [
        org
        for org in period_orgs(ctx).values()
        if org["kind"] == K.PARTY_COMMITTEE
        and org["level"] == "town"
        and ctx.policy.value(key, org["path"]) > 0
    ]
    if not quarters or not towns:
        return
    kinds = [TrainingKind.PRACTICAL]
    classes = held_classes(ctx.path_q("org__path"), kinds, quarters[0].start, quarters[-1].end)
    for org in towns:
        need = ctx.policy.entry(key, org["path"])
        for quarter in (q for q in quarters if existed(org, q)):
            held = _count_own(classes, org["id"], quarter)
            if len(held) < need["value"]:
                message = (
                    f"{quarter_name(quarter)}举办实用技术培训{len(held)}次，"
                    f"应不少于{need['value']}次"
                )
                evidence = cited({"classes": held}, need)
                yield Found(org["id"], quarter.label, "error", message, evidence)


def _dual_lead(ctx: Context, year: Period) -> Iterator[Found]:
    key = "study.dual_lead.min_per_year"
    judged = [
        org
        for org in period_orgs(ctx).values()
        if org["kind"] == K.PARTY_COMMITTEE
        and ctx.policy.value(key, org["path"]) > 0
        and org["level"] in ctx.policy.value("study.dual_lead.levels", org["path"])
        and existed(org, year)
    ]
    if not judged:
        return
    kinds = [TrainingKind.DUAL_LEAD]
    classes = held_classes(ctx.path_q("org__path"), kinds, year.start, year.end)
    for org in judged:
        need = ctx.policy.entry(key, org["path"])
        held = _count_own(classes, org["id"], year)
        if len(held) < need["value"]:
            message = (
                f"{year.label}年举办“双带”型党员骨干示范培训班{len(held)}期，"
                f"应不少于{need['value']}期"
            )
            yield Found(org["id"], year.label, "error", message, cited({"classes": held}, need))


def _parents_of_roots(ctx: Context) -> dict[str, dict[str, Any]]:
    """The ancestors of the evaluated roots, by path (one query over a few rows)."""

    def load() -> dict[str, dict[str, Any]]:
        paths = {
            root.path[:n]
            for root in ctx.roots
            for n in range(Org.steplen, len(root.path), Org.steplen)
        }
        rows = Org.objects.filter(path__in=paths).values("id", "path", "kind", "sector")
        return {row["path"]: row for row in rows}

    return ctx.memo(("study", "ancestors"), load)


def _rotation_org(ctx: Context, org: dict[str, Any]) -> bool:
    """An org of a rotation sector and kind (机关党委, 党总支 or 党支部)."""
    sectors = ctx.policy.value("study.rotation.sectors", org["path"])
    return org["kind"] in ROTATION_KINDS and org["sector"] in sectors


def _rotation(ctx: Context, year: Period) -> Iterator[Found]:
    """The top rotation org of each department: its parent is not a rotation org."""
    key = "study.rotation.min_per_year"
    orgs, above = period_orgs(ctx), _parents_of_roots(ctx)
    by_path = {**above, **{org["path"]: org for org in orgs.values()}}
    judged = [
        org
        for org in orgs.values()
        if ctx.policy.value(key, org["path"]) > 0
        and _rotation_org(ctx, org)
        and existed(org, year)
        and not _is_rotation_parent(ctx, by_path.get(org["path"][: -Org.steplen]))
    ]
    if not judged:
        return
    wider = ctx.path_q("org__path") | Q(org__path__in=list(above))
    classes = held_classes(wider, [TrainingKind.ROTATION], year.start, year.end)
    for org in judged:
        need = ctx.policy.entry(key, org["path"])
        days = Decimal(str(ctx.policy.value("study.rotation.min_days", org["path"])))
        held = [
            c["id"] for c in classes if org["path"].startswith(c["org__path"]) and c["days"] >= days
        ]
        if len(held) < need["value"]:
            message = (
                f"{year.label}年组织党员集中轮训（不少于{hours_text(tenths(days))}天）{len(held)}次，"
                f"应不少于{need['value']}次"
            )
            evidence = cited({"classes": held, "min_days": str(tenths(days))}, need)
            yield Found(org["id"], year.label, "error", message, evidence)


def _is_rotation_parent(ctx: Context, parent: dict[str, Any] | None) -> bool:
    return parent is not None and _rotation_org(ctx, parent)


def _rotation_members(ctx: Context, year: Period) -> Iterator[Found]:
    """Members placed the whole year in a branch of a rotation sector, with the rotation
    classes of at least min_days they attended (any organizer)."""
    key = "study.rotation.member_min_per_year"
    orgs = period_orgs(ctx)
    branches = {
        org_id
        for org_id, org in orgs.items()
        if org["kind"] in MEMBER_KINDS
        and _rotation_org(ctx, org)
        and ctx.policy.value(key, org["path"]) > 0
    }
    if not branches:
        return
    placed = [
        (row[0], row[1])
        for row in placed_on(ctx, year.end - ONE_DAY)
        if row[1] in branches and row[2] <= year.start
    ]
    if not placed:
        return
    members = [member_id for member_id, _org in placed] if len(placed) <= FEW_MEMBERS else None
    attended = classes_attended(members, [TrainingKind.ROTATION], year.start, year.end)
    for member_id, org_id in placed:
        org = orgs[org_id]
        need = ctx.policy.entry(key, org["path"])
        days = Decimal(str(ctx.policy.value("study.rotation.min_days", org["path"])))
        went = [class_id for class_id, d in attended.get(member_id, []) if d >= days]
        if len(went) < need["value"]:
            message = f"{year.label}年参加党员集中轮训{len(went)}次，应不少于{need['value']}次"
            evidence = cited({"classes": went}, need)
            yield Found(org_id, year.label, "error", message, evidence, member_id)
