"""TASK-04: the quarterly progress report (季度推进) of the orgs the policy names.

Who owes it: orgs of supervision.progress.sectors that are party committees, general
branches or branches (joint branches too), and in every sector the kinds of
supervision.progress.kinds — except the top of the tree, which has no upper org to report
to. An org owes a quarter of the evaluated period when it existed from the quarter's
first day and still exists on `day` (an org dissolved since owes nothing).

When: a quarter is judged once its due day — its last day plus
supervision.progress.due_days — has passed by as-of, like the other rules' sub-periods
(the fourth quarter of 2025 is judged in the check of 2025 made after 10 January 2026;
judging by the period's last day instead would never judge a fourth quarter). A report
recorded by as-of counts, late or not. One finding per org and quarter, carrying the
quarter's label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from xianfeng.compliance.parts import parts_of, quarter_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.orgs.models import Org, OrgKind

from ..models import ProgressReport
from .parts import ONE_DAY, cited

K = OrgKind
# The kinds that report in the sectors of supervision.progress.sectors.
REPORTING_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
DUE_DAYS = "supervision.progress.due_days"


def owes_reports(org: dict[str, Any], policy: Any) -> bool:
    """Whether `org` owes quarterly progress reports under its `policy` (an OrgPolicy)."""
    if len(org["path"]) <= Org.steplen:  # the top of the tree reports to no one
        return False
    if org["kind"] in policy.value("supervision.progress.kinds"):
        return True
    sectors = policy.value("supervision.progress.sectors")
    return org["kind"] in REPORTING_KINDS and org["sector"] in sectors


def _founded(ctx: Context) -> dict[int, dt.date]:
    """Orgs of the subtree founded after the period began: id → founding day (one query)."""
    rows = Org.objects.filter(ctx.path_q(), founded_on__gt=ctx.period.start)
    return dict(rows.values_list("id", "founded_on"))


@rule(
    "TASK-04",
    title="季度推进情况按时报送",
    text="建立“月度提示、季度推进、半年督查、年度考评”制度；机关党组织和各级党委"
    "每季度结束后按时报送季度推进情况（工作进展、存在问题、下步打算、销号事项）。",
    source="seed 003 §5.3；seed 004 §5.2；seed 001 §5.3",
    period="quarter",
    severity="error",
)
def task_04_progress_reports(ctx: Context) -> Iterator[Found]:
    """Per owing org, each quarter of the period past its due day by as-of without a
    progress report (TASK-04; two queries: late-founded orgs, the period's reports)."""
    quarters = parts_of(ctx.period, "quarter")
    if not quarters or quarters[0].end > ctx.as_of:
        return
    owing = []
    for org in ctx.orgs():
        policy = ctx.policy.at(org["path"])
        if owes_reports(org, policy):
            owing.append((org, policy))
    if not owing:
        return
    founded = _founded(ctx)
    reports = set(
        ProgressReport.objects.filter(
            ctx.path_q("org__path"),
            period__in=[quarter.label for quarter in quarters],
            submitted_on__lte=ctx.as_of,
        ).values_list("org_id", "period")
    )
    for org, policy in owing:
        entry = policy.entry(DUE_DAYS)
        for quarter in quarters:
            due = quarter.end - ONE_DAY + dt.timedelta(days=entry["value"])
            if due >= ctx.as_of or (org["id"], quarter.label) in reports:
                continue
            if founded.get(org["id"], quarter.start) > quarter.start:
                continue
            message = f"{quarter_name(quarter)}推进情况未报送（应于{due.isoformat()}前报送）"
            evidence = {
                "progress_quarter": quarter.label,
                "deadline": due.isoformat(),
                "progress_due_days": entry["value"],
                "as_of": ctx.as_of.isoformat(),
            }
            yield Found(org["id"], quarter.label, "error", message, cited(evidence, entry))
