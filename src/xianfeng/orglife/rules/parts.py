"""What the LIFE rules share (and the yearly plan reuses): the org kinds that owe
meetings, the orgs and sub-periods of an evaluation, and the seats, monthly meeting
counts and members of a small scope taken from the shared facts (orglife.facts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from xianfeng.compliance.parts import existed, parts_of
from xianfeng.compliance.registry import Context, Found
from xianfeng.lib.dates import Period
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from ..models import MeetingKind
from ..queries import parent_kinds

K = OrgKind
M = MeetingKind
COMMITTEE_KINDS = MEMBER_KINDS | {K.GENERAL_BRANCH}  # orgs that may hold 支委会
LEADERSHIP_LIFE_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH})  # 民主生活会
ONE_DAY = dt.timedelta(days=1)


def period_orgs(ctx: Context) -> list[dict[str, Any]]:
    """Orgs of the subtree that existed at some time in the period (one query, shared)."""

    def load() -> list[dict[str, Any]]:
        rows = Org.objects.filter(ctx.path_q()).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lt=ctx.period.end),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=ctx.period.start),
        )
        return list(rows.values("id", "path", "kind", "sector", "founded_on", "dissolved_on"))

    return ctx.memo(("life", "orgs"), load)


def sub_periods(ctx: Context, size: str) -> list[Period]:
    """The months, quarters, halves or years inside the evaluated period."""
    return parts_of(ctx.period, size)


def ended_sub_periods(ctx: Context, size: str) -> list[Period]:
    """The sub-periods of `size` that have ended by as_of (end exclusive <= as_of)."""
    return [part for part in sub_periods(ctx, size) if part.end <= ctx.as_of]


def shortfall_message(
    when: str, verb: str, what: str, count: int, need: int, unit: str = "", more: str = ""
) -> str:
    """'2025年6月未召开支委会（0次，应不少于1次）' or '…召开支委会次数不足（1次，…）'."""
    counted = f"{unit}{count}次，应不少于{need}次{more}"
    if count == 0:
        return f"{when}未{verb}{what}（{counted}）"
    return f"{when}{verb}{what}次数不足（{counted}）"


def monthly_counts(ctx: Context) -> dict[tuple[int, str, dt.date], int]:
    """Held committee meetings, party-group meetings and theme days per (org, kind, month)
    of the period (the shared fact `monthly_meeting_counts`)."""
    return ctx.fact("monthly_meeting_counts", start=ctx.period.start, end=ctx.period.end)


def seats_by_org(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """Seats of the subtree's orgs held at some time in the period, per org (from the
    shared fact `seats`)."""

    def load() -> dict[int, list[dict[str, Any]]]:
        roots = tuple(root.path for root in ctx.roots)
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for seat in ctx.fact("seats", start=ctx.period.start, end=ctx.period.end):
            if seat["org__path"].startswith(roots):
                found[seat["org_id"]].append(seat)
        return found

    return ctx.memo(("life", "seats"), load)


def is_seated_on(seat: dict[str, Any], day: dt.date) -> bool:
    """Whether a seat row is held on `day`: started (or no date), not past its last day
    (`ended_on`)."""
    started = seat["started_on"] is None or seat["started_on"] <= day
    return started and (seat["ended_on"] is None or seat["ended_on"] >= day)


def due_after(ctx: Context, part: Period, key: str, org: dict) -> dt.date:
    """The first day `part` is judged: its end plus the policy's grace days (`key`)."""
    return part.end + dt.timedelta(days=ctx.policy.value(key, org["path"]))


def judged_parts(ctx: Context, org: dict, parts: list[Period], key: str) -> list[Period]:
    """The parts the org existed through whose grace (`key`, days) has passed by as_of."""
    return [p for p in parts if existed(org, p) and ctx.as_of >= due_after(ctx, p, key, org)]


def late_record(
    ctx: Context, org: dict, part: Period, what: str, done_on: dt.date, grace: str
) -> Iterator[Found]:
    """A party-affairs record for `part` done on or after the part's due date (its end
    plus the grace days `grace`): counted, and reported as late with the severity
    life.affairs_report.late_severity (LIFE-07/08, issue 23)."""
    due = due_after(ctx, part, grace, org)
    if done_on < due:
        return
    entry = ctx.policy.entry("life.affairs_report.late_severity", org["path"])
    deadline = (due - ONE_DAY).isoformat()
    message = f"{what}应于{deadline}前完成，实际于{done_on.isoformat()}完成，逾期完成"
    evidence = {"deadline": deadline, "done_on": done_on.isoformat()}
    evidence |= {"policy": entry["policy"], "source": entry["source"]}
    yield Found(org["id"], part.label, entry["value"], message, evidence)


def unit_orgs(ctx: Context, orgs: list[dict]) -> list[dict]:
    """A unit's party org: kind in life.affairs_report.kinds and a parent that is not (the
    机关党委, 党总支 or lone 党支部 of a department under a working committee); the branches
    under it belong to the same unit and are not judged again (shared by LIFE-07/08)."""

    def load() -> list[dict]:
        by_path = {org["path"]: org["kind"] for org in orgs}
        missing = [org["path"] for org in orgs if org["path"][: -Org.steplen] not in by_path]
        parents = {**by_path, **parent_kinds(missing, Org.steplen)} if missing else by_path
        units = []
        for org in orgs:
            kinds = ctx.policy.value("life.affairs_report.kinds", org["path"])
            if org["kind"] in kinds and parents.get(org["path"][: -Org.steplen]) not in kinds:
                units.append(org)
        return units

    return ctx.memo(("life", "units"), load)
