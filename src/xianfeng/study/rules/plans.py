"""STUDY-03 study plans: an org without its annual plan — error; an ended quarter without
an arrangement, an ended month without tasks or with tasks not done — warning; a leading
cadre without a personal plan (error) or without a month's arrangement (warning)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from xianfeng.compliance import parts as compliance_parts
from xianfeng.compliance.parts import cited, month_name, placed_on, quarter_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months
from xianfeng.orgs.models import Org, OrgKind

from ..models import PlanKind
from ..queries import plans_of_year
from .parts import ONE_DAY, ended_sub_periods, period_orgs, policy_lookup, sub_periods

K = OrgKind
PLAN_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})


@rule(
    "STUDY-03",
    local=True,
    title="制定学习计划并按月落实",
    text="各基层党组织要按年度制定学习计划，按季度作出学习安排，按月落实学习任务。党员领导"
    "干部要根据自身实际，每年制定个人自学计划，按月作出安排，确保完成规定的学习任务。",
    source="seed 004 §3.1.2",
    period="year",
    severity="error",
    kinds=sorted(PLAN_KINDS),
)
def study_03_plans(ctx: Context) -> Iterator[Found]:
    """Per year of the period whose plan is due by as_of (study.plan.due_months): orgs of
    study.plan.org_kinds without an annual plan (error), ended quarters without an
    arrangement and ended months without tasks or with tasks not done (warning); leading
    cadres placed on `day` without a personal plan (error) or a month's arrangement."""
    for year in sub_periods(ctx, "year"):
        if year.start >= ctx.as_of:
            continue
        yield from _org_plans(ctx, year)
        yield from _personal_plans(ctx, year)


def _plan_due(ctx: Context, org: dict, year: Period) -> dt.date:
    """The first day on which the year's plan is overdue."""
    return add_months(year.start, policy_lookup(ctx, org)("study.plan.due_months"))


def _org_plans(ctx: Context, year: Period) -> Iterator[Found]:
    judged = [
        org
        for org in period_orgs(ctx).values()
        if org["kind"] in policy_lookup(ctx, org)("study.plan.org_kinds")
        and (org["founded_on"] is None or org["founded_on"] <= year.start)
        and (org["dissolved_on"] is None or org["dissolved_on"] > ctx.day)
        and ctx.as_of >= _plan_due(ctx, org, year)
    ]
    if not judged:
        return
    plans = plans_of_year(year.start.year, PlanKind.ORG, **_q_kwargs(ctx))
    for org in judged:
        plan = plans.get(org["id"])
        if plan is None:
            yield _no_plan(ctx, org, year, None, "study.plan.org_kinds", "学习计划")
            continue
        yield from _quarters(ctx, org, year, plan.items)
        key = "study.plan.min_tasks_per_month"
        yield from _months(ctx, org, year, plan.items, None, key, "学习任务")


def _q_kwargs(ctx: Context) -> dict[str, Any]:
    """The plans of the subtree's orgs, as keyword filters (a path prefix per root)."""
    return {"org__in": Org.objects.filter(ctx.path_q()).values("id")}


def _no_plan(
    ctx: Context, org: dict, year: Period, member_id: int | None, key: str, what: str
) -> Found:
    deadline = _plan_due(ctx, org, year) - ONE_DAY
    who = "党员领导干部未制定个人自学计划" if member_id else f"未制定年度{what}"
    message = f"{year.label}年度{who}（应于{deadline.isoformat()}前制定）"
    evidence = cited({"deadline": deadline.isoformat()}, ctx.policy.entry(key, org["path"]))
    return Found(org["id"], year.label, "error", message, evidence, member_id)


def _quarters(ctx: Context, org: dict, year: Period, items: list) -> Iterator[Found]:
    need = ctx.policy.entry("study.plan.min_arrangements_per_quarter", org["path"])
    for quarter in ended_sub_periods(ctx, "quarter", year) if need["value"] > 0 else []:
        count = sum(1 for period, _done in items if period == quarter.label)
        if count < need["value"]:
            message = (
                f"{quarter_name(quarter)}学习安排{count}条，应不少于{need['value']}条"
                if count
                else f"{quarter_name(quarter)}未作出学习安排（应不少于{need['value']}条）"
            )
            evidence = cited({"arrangements": count}, need)
            yield Found(org["id"], quarter.label, "warning", message, evidence)


def _months(
    ctx: Context,
    org: dict,
    year: Period,
    items: list,
    member_id: int | None,
    key: str,
    what: str,
) -> Iterator[Found]:
    """Ended months of the year short of items, or with items not done (warning)."""
    need = ctx.policy.entry(key, org["path"])
    for month in ended_sub_periods(ctx, "month", year) if need["value"] > 0 else []:
        done = [d for period, d in items if period == month.label]
        finished = sum(1 for d in done if d is not None)
        if len(done) < need["value"]:
            message = f"{month_name(month)}未安排{what}（{len(done)}条，应不少于{need['value']}条）"
        elif finished < len(done):
            message = f"{month_name(month)}{what}未全部完成（完成{finished}条，共{len(done)}条）"
        else:
            continue
        evidence = cited({"items": len(done), "done": finished}, need)
        yield Found(org["id"], month.label, "warning", message, evidence, member_id)


def _personal_plans(ctx: Context, year: Period) -> Iterator[Found]:
    orgs = period_orgs(ctx)
    key = "study.plan.leading_cadre_personal"
    if not any(policy_lookup(ctx, org)(key) for org in orgs.values()):
        return
    cadres = [
        (member_id, orgs[org_id])
        for member_id, org_id, _since, _joined, cadre in placed_on(ctx, ctx.day)
        if cadre
        and org_id in orgs
        and policy_lookup(ctx, orgs[org_id])(key)
        and ctx.as_of >= _plan_due(ctx, orgs[org_id], year)
    ]
    if not cadres:
        return
    ids = [member_id for member_id, _org in cadres]
    few = {"member_id__in": ids} if len(ids) <= compliance_parts.FEW_MEMBERS else {}  # or all
    plans = plans_of_year(year.start.year, PlanKind.PERSONAL, **few)
    for member_id, org in cadres:
        plan = plans.get(member_id)
        if plan is None:
            yield _no_plan(ctx, org, year, member_id, key, "个人自学计划")
            continue
        items_key = "study.plan.personal_min_items_per_month"
        yield from _months(ctx, org, year, plan.items, member_id, items_key, "自学安排")
