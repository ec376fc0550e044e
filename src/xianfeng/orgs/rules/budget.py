"""ORG-09: each unit budgets its party-activity funds by members and keeps within them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from xianfeng.compliance.registry import Context, Found, rule

from ..models import Budget, Spending
from ._reads import BUDGET_KINDS, cited, subtree_sums, subtree_totals, unit_tops

CENT = Decimal("0.01")


def _budgets(ctx: Context, year: int) -> dict[str, Decimal]:
    """Budget amount of `year` per org path (ORG-09; one query)."""
    rows = Budget.objects.filter(ctx.path_q("org__path"), year=year)
    return dict(rows.values_list("org__path", "amount"))


def _spent(ctx: Context, year: int) -> dict[str, Decimal]:
    """Spending from Jan 1 of `year` up to `day` per org path (ORG-09; one grouped query)."""
    rows = (
        Spending.objects.filter(
            ctx.path_q("org__path"), spent_on__gte=dt.date(year, 1, 1), spent_on__lte=ctx.day
        )
        .values("org__path")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["org__path"]: row["total"] for row in rows}


def _money(amount: Any) -> str:
    return str(Decimal(amount).quantize(CENT))


@rule(
    "ORG-09",
    title="党建活动经费列入预算",
    text="党建活动经费列入年度部门预算，按每名党员600元标准统筹使用，重大活动落实专项经费；"
    "按每名党员600元标准设立党建活动经费专项科目。",
    source="seed 003 §5.2；seed 003 附件第17条",
    period="year",
    severity="error",
    kinds=sorted(BUDGET_KINDS),
)
def org_09_activity_budget(ctx: Context) -> Iterator[Found]:
    """Each unit's budget of the year against per_member_yuan × its members on the
    period's first day, and its spending up to `day` against the budget (ORG-09)."""
    tops = [
        top
        for top in unit_tops(ctx)
        if top["kind"] in BUDGET_KINDS
        and ctx.policy.value("org.budget.per_member_yuan", top["path"]) > 0
    ]
    if not tops:
        return
    year = ctx.period.start.year
    members = subtree_totals(ctx, ctx.period.start, tops)
    amounts = _budgets(ctx, year)
    budgets = subtree_sums(tops, amounts)
    recorded = subtree_sums(tops, dict.fromkeys(amounts, 1))
    spent = subtree_sums(tops, _spent(ctx, year))
    for top in tops:
        path = top["path"]
        money = {"budget": Decimal(budgets[path]), "spent": Decimal(spent[path])}
        if members[path]["all"] > 0:
            yield from _check_budget(ctx, top, members[path]["all"], recorded[path], money)


def _check_budget(
    ctx: Context, top: dict, members: int, recorded: int, money: dict[str, Decimal]
) -> Iterator[Found]:
    year, label = ctx.period.start.year, ctx.period.label
    per = ctx.policy.entry("org.budget.per_member_yuan", top["path"])
    required = (Decimal(per["value"]) * members).quantize(CENT)
    budget, spent = money["budget"], money["spent"]
    evidence = cited(
        {
            "year": year,
            "members": members,
            "per_member_yuan": per["value"],
            "threshold": _money(required),
            "budget": _money(budget),
            "spent": _money(spent),
            "as_of": ctx.day.isoformat(),
        },
        per,
    )
    if not recorded:
        yield Found(top["id"], label, "error", f"未列入{year}年度党建活动经费预算", evidence)
        return
    if budget < required:
        message = (
            f"{year}年度党建活动经费预算{_money(budget)}元，低于按党员{members}人×"
            f"{per['value']}元计算的{_money(required)}元，差{_money(required - budget)}元"
        )
        yield Found(top["id"], label, "error", message, evidence)
    if spent > budget:
        message = (
            f"{year}年党建活动经费已支出{_money(spent)}元，超出预算{_money(budget)}元"
            f"（超支{_money(spent - budget)}元）"
        )
        yield Found(top["id"], label, "warning", message, evidence)
