"""The secretaries' yearly duties: a secretary-led project (TASK-05), a post-adjustment
proposal after a second admonition decided in time (TASK-06), the two-way duty report
on the last year (TASK-07).

Who owes a project or a report (TASK-05, TASK-07): the secretary of a party committee,
general branch or branch (`SECRETARY_KINDS`) seated on the year's due day and still
seated on `day` (the period's last day, or as-of if earlier), at an org that exists on
`day`. A secretary who took office after the due day owes nothing that year (the policy
sets no later day for a newcomer); one who has left by `day` is no longer judged, the
org's new secretary owing from the next year. A report also needs the secretary seated
on 1 January of the year (a secretary who took office in the year does not report on the
last year's work). A due day is judged from the day after it, on `day`: the check of
2025 judges the project of 2025 (due 31 March 2025) and the report on 2024 (due 31 March
2025); the check of 2026 to date the project of 2026 and the report on 2025. A project or
report recorded by `day` counts, late or not. One finding per org and secretary.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import add_months

from ..models import AdjustmentProposal, Admonition, DutyReport, Project
from .parts import SECRETARY_KINDS, cited, due_in, seated_through, secretary_seats


def _due(ctx: Context, org: dict[str, Any], key: str, year: int) -> tuple[dt.date, dict]:
    """The due day in `year` of `key` ("supervision.project" …) for `org`, and the entry
    of its month (cited as the policy)."""
    policy = ctx.policy.at(org["path"])
    month = policy.entry(f"{key}.due_month")
    return due_in(year, month["value"], policy.value(f"{key}.due_day")), month


def _owing(ctx: Context, key: str, also_on: dt.date | None = None) -> Iterator[tuple]:
    """(org, member, due day, policy entry) of the secretaries owing `key`'s duty of the
    period's year, its due day passed by `day` (see the module's docstring)."""
    year, day = ctx.period.start.year, ctx.day
    orgs = {org["id"]: org for org in ctx.orgs(kinds=SECRETARY_KINDS)}
    if not orgs:
        return
    for (org_id, member_id), seats in secretary_seats(ctx, year).items():
        org = orgs.get(org_id)
        if org is None:
            continue
        due, entry = _due(ctx, org, key, year)
        days = [due, day] if also_on is None else [also_on, due, day]
        if due < day and seated_through(seats, days):
            yield org, member_id, due, entry


@rule(
    "TASK-05",
    title="书记领办党建项目",
    text="党组织书记是党建工作的第一责任人，带头领办1个党建项目；大力推行书记领办党建项目。",
    source="seed 003 §4.2；seed 003 §5.3",
    period="year",
    severity="error",
    kinds=sorted(SECRETARY_KINDS),
)
def task_05_secretary_project(ctx: Context) -> Iterator[Found]:
    """Secretaries owing a project for the period's year without one registered by
    `day` (TASK-05; the secretaries from the shared fact `seats`, one query of projects)."""
    year, day = ctx.period.start.year, ctx.day
    owing = list(_owing(ctx, "supervision.project"))
    if not owing:
        return
    projects = set(
        Project.objects.filter(
            ctx.path_q("org__path"), year=year, registered_on__lte=day
        ).values_list("org_id", "secretary_id")
    )
    for org, member_id, due, entry in owing:
        if (org["id"], member_id) in projects:
            continue
        message = f"书记未领办{year}年度党建项目（应于{due.isoformat()}前立项）"
        evidence = {"year": year, "deadline": due.isoformat(), "as_of": day.isoformat()}
        yield Found(
            org["id"], ctx.period.label, "error", message, cited(evidence, entry), member_id
        )


# --- TASK-06 ----------------------------------------------------------------------------


def _proposals(ctx: Context) -> list[dict[str, Any]]:
    """The post-adjustment proposals raised by `day` on admonitions by the subtree's orgs
    (one query)."""
    rows = AdjustmentProposal.objects.filter(
        ctx.path_q("admonition__by_org__path"), raised_on__lte=ctx.day
    )
    names = ("id", "member_id", "raised_on", "decided_on", "decision", "admonition__by_org_id")
    return [dict(zip(names, row, strict=True)) for row in rows.values_list(*names)]


def _pending_on(proposal: dict[str, Any], day: dt.date) -> bool:
    """Not decided on `day` (a decision dated later was not taken yet)."""
    decided = proposal["decided_on"]
    return proposal["decision"] == AdjustmentProposal.Decision.PENDING or (
        decided is not None and decided > day
    )


def _second_admonitions(ctx: Context) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(earlier, later) admonitions of the same member by the subtree's orgs, the later
    one within supervision.admonition.window_months of the earlier (by the policy of the
    later one's admonishing org), both by `day` (one query)."""
    rows = (
        Admonition.objects.filter(ctx.path_q("by_org__path"), date__lte=ctx.day)
        .order_by("member_id", "date", "pk")
        .values("id", "member_id", "org_id", "by_org_id", "by_org__path", "date")
    )
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    previous: dict[str, Any] | None = None
    for values in rows:
        row: dict[str, Any] = dict(values)
        if previous is not None and previous["member_id"] == row["member_id"]:
            window = ctx.policy.at(row["by_org__path"]).value(
                "supervision.admonition.window_months"
            )
            if row["date"] <= add_months(previous["date"], window):
                pairs.append((previous, row))
        previous = row
    return pairs


def _answers(proposal: dict[str, Any], earlier: dict, later: dict) -> bool:
    """Whether `proposal` (of the same member) answers the second admonition `later`:
    raised since `earlier`, and not decided before `later` (a proposal decided, then a
    new second admonition, needs a new proposal)."""
    decided = proposal["decided_on"]
    return proposal["raised_on"] >= earlier["date"] and (
        decided is None or decided >= later["date"] or proposal["raised_on"] >= later["date"]
    )


@rule(
    "TASK-06",
    title="约谈后岗位调整建议及时决定",
    text="对履职不到位的党组织书记进行约谈，连续两次被约谈的，提出岗位调整建议，"
    "并由上级党组织及时作出决定。",
    source="seed 003 §4.5",
    period="state",
    severity="error",
)
def task_06_adjustment_decided(ctx: Context) -> Iterator[Found]:
    """At the admonishing org, per secretary: a post-adjustment proposal still undecided
    on `day` more than supervision.admonition.decision_days after it was raised, else a
    second admonition within the window without a proposal answering it (TASK-06; two
    queries). The finding is the admonishing org's: it owes the proposal and the
    decision."""
    day = ctx.day
    orgs = {org["id"]: org for org in ctx.orgs()}
    proposals = _proposals(ctx)
    by_member: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for proposal in proposals:
        by_member[proposal["member_id"]].append(proposal)
    found: dict[tuple[int, int], Found] = {}
    for proposal in sorted(proposals, key=lambda p: (p["raised_on"], p["id"])):
        org = orgs.get(proposal["admonition__by_org_id"])
        key = (proposal["admonition__by_org_id"], proposal["member_id"])
        if org is None or key in found or not _pending_on(proposal, day):
            continue
        entry = ctx.policy.at(org["path"]).entry("supervision.admonition.decision_days")
        due = proposal["raised_on"] + dt.timedelta(days=entry["value"])
        if due < day:
            raised = proposal["raised_on"].isoformat()
            message = (
                f"岗位调整建议于{raised}提出，超过{entry['value']}天未作出决定"
                f"（应于{due.isoformat()}前决定）"
            )
            evidence = {
                "proposal_raised_on": raised,
                "deadline": due.isoformat(),
                "decision_days": entry["value"],
                "as_of": day.isoformat(),
            }
            found[key] = Found(
                org["id"], ctx.period.label, "error", message, cited(evidence, entry), key[1]
            )
    for earlier, later in reversed(_second_admonitions(ctx)):  # the latest pair first
        org = orgs.get(later["by_org_id"])
        key = (later["by_org_id"], later["member_id"])
        if org is None or key in found:
            continue
        if any(_answers(p, earlier, later) for p in by_member[later["member_id"]]):
            continue
        entry = ctx.policy.at(org["path"]).entry("supervision.admonition.window_months")
        first, second = earlier["date"].isoformat(), later["date"].isoformat()
        message = f"书记{entry['value']}个月内第二次被约谈（{first}、{second}），未提出岗位调整建议"
        evidence = {
            "admonitions": [earlier["id"], later["id"]],
            "admonition_window_months": entry["value"],
            "as_of": day.isoformat(),
        }
        found[key] = Found(
            org["id"], ctx.period.label, "error", message, cited(evidence, entry), key[1]
        )
    yield from found.values()


@rule(
    "TASK-07",
    title="书记年度双向述职",
    text="实行机关党组织书记年度“双向述职”制度；落实“述职评议考核”工作。"
    "上一年度的述职应在本年规定日期前完成。",
    source="seed 003 §5.3；seed 004 §4.4.1；seed 002 §4.2",
    period="year",
    severity="error",
    kinds=sorted(SECRETARY_KINDS),
)
def task_07_duty_report(ctx: Context) -> Iterator[Found]:
    """Secretaries owing the report on the year before the period's without one recorded
    by `day` (TASK-07; the secretaries from the shared fact `seats`, one query of
    reports)."""
    year, day = ctx.period.start.year, ctx.day
    owing = list(_owing(ctx, "supervision.duty_report", also_on=dt.date(year, 1, 1)))
    if not owing:
        return
    reports = set(
        DutyReport.objects.filter(
            ctx.path_q("org__path"), year=year - 1, date__lte=day
        ).values_list("org_id", "secretary_id")
    )
    for org, member_id, due, entry in owing:
        if (org["id"], member_id) in reports:
            continue
        message = f"书记未就{year - 1}年度抓党建工作述职（应于{due.isoformat()}前完成）"
        evidence = {"report_year": year - 1, "deadline": due.isoformat(), "as_of": day.isoformat()}
        yield Found(
            org["id"], ctx.period.label, "error", message, cited(evidence, entry), member_id
        )
