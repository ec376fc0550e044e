"""LIFE-07 party-affairs openness (党务公开): a month without a publication at the kinds
life.disclosure.monthly_kinds names; a half without the report to all members and a year
without the written report upward at a unit's party org — warnings, org-level."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xianfeng.compliance.parts import cited, month_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period

from ..models import AffairsKind
from ..queries import affairs_records
from .parts import (
    COMMITTEE_KINDS,
    LEADERSHIP_LIFE_KINDS,
    ONE_DAY,
    due_after,
    judged_parts,
    late_record,
    period_orgs,
    sub_periods,
    unit_orgs,
)

A = AffairsKind
HALF_NAMES = {"H1": "上半年", "H2": "下半年"}


def _sourced(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Evidence citing the parameter that makes the duty (its value is not a threshold)."""
    return {**evidence, "policy": entry["policy"], "source": entry["source"]}


@rule(
    "LIFE-07",
    local=True,
    title="党务公开",
    text="健全党务公开和民主监督，推行党务公开栏和党日活动中党务工作月公开制度，部门党组"
    "（党委）每半年向全体党员进行1次党建工作情况通报，每年向市委书面报告年度抓机关党建工作"
    "情况。",
    source="seed 003 §4.2；《中国共产党党务公开条例（试行）》",
    period="year",
    severity="warning",
    kinds=sorted(COMMITTEE_KINDS | LEADERSHIP_LIFE_KINDS),
)
def life_07_affairs_openness(ctx: Context) -> Iterator[Found]:
    """Months without a publication at orgs of life.disclosure.monthly_kinds; halves
    without the report to all members and years without the written report upward at a
    unit's party org in life.affairs_report.sectors (LIFE-07). A part is judged once its
    grace days have passed by as_of; a record counts for the period it is recorded for."""
    orgs = period_orgs(ctx)
    months = sub_periods(ctx, "month")
    monthly = [
        org
        for org in orgs
        if org["kind"] in ctx.policy.value("life.disclosure.monthly_kinds", org["path"])
    ]
    if monthly and months:
        yield from _disclosures(ctx, monthly, months)
    units = [
        org
        for org in unit_orgs(ctx, orgs)
        if org["sector"] in ctx.policy.value("life.affairs_report.sectors", org["path"])
    ]
    if units:
        yield from _reports(ctx, units)


def _disclosures(ctx: Context, orgs: list[dict], months: list[Period]) -> Iterator[Found]:
    key = "life.disclosure.grace_days"
    found = affairs_records(ctx.path_q("org__path"), [A.DISCLOSURE], [m.label for m in months])
    for org in orgs:
        entry = ctx.policy.entry("life.disclosure.monthly_kinds", org["path"])
        for month in judged_parts(ctx, org, months, key):
            done_on = found.get((org["id"], A.DISCLOSURE, month.label))
            if done_on is not None:
                what = f"{month_name(month)}党务公开"
                yield from late_record(ctx, org, month, what, done_on, key)
                continue
            deadline = due_after(ctx, month, key, org) - ONE_DAY
            message = f"{month_name(month)}未进行党务公开（党务工作应按月公开）"
            evidence = _sourced({"deadline": deadline.isoformat(), "records": 0}, entry)
            yield Found(org["id"], month.label, "warning", message, evidence)


REPORTS = (
    # (kind, part size, parameter, what is missing)
    (
        A.REPORT_TO_MEMBERS,
        "half",
        "life.affairs_report.to_members_per_half",
        "向全体党员通报党建工作",
    ),
    (
        A.REPORT_UPWARD,
        "year",
        "life.affairs_report.upward_per_year",
        "向上级党组织书面报告党建工作",
    ),
)


def _part_name(part: Period) -> str:
    year, _sep, half = part.label.partition("-")
    return f"{year}年{HALF_NAMES[half]}" if half else f"{year}年度"


def _reports(ctx: Context, units: list[dict]) -> Iterator[Found]:
    key = "life.affairs_report.grace_days"
    parts = {size: sub_periods(ctx, size) for size in ("half", "year")}
    labels = [p.label for ps in parts.values() for p in ps]
    found = affairs_records(ctx.path_q("org__path"), [r[0] for r in REPORTS], labels)
    for org in units:
        for kind, size, param, what in REPORTS:
            need = ctx.policy.entry(param, org["path"])
            if need["value"] <= 0:
                continue
            for part in judged_parts(ctx, org, parts[size], key):
                done_on = found.get((org["id"], kind, part.label))
                if done_on is not None:
                    yield from late_record(ctx, org, part, _part_name(part) + what, done_on, key)
                else:
                    deadline = due_after(ctx, part, key, org) - ONE_DAY
                    message = f"{_part_name(part)}未{what}（最迟应于{deadline.isoformat()}前完成）"
                    evidence = cited({"deadline": deadline.isoformat(), "records": 0}, need)
                    yield Found(org["id"], part.label, "warning", message, evidence)
