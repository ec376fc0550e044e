"""What the LIFE rules share (and the yearly plan reuses): the org kinds that owe
meetings, the orgs and sub-periods of an evaluation, seats, monthly meeting counts and
the members of a small scope, each read once per check through `ctx.memo`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from xianfeng.compliance import registry
from xianfeng.compliance.parts import FEW_MEMBERS, existed, parts_of
from xianfeng.compliance.registry import Context, Found
from xianfeng.lib.dates import Period, add_months
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from ..models import MeetingKind
from ..queries import counts_by_month, members_placed_during, parent_kinds, seats_during

K = OrgKind
M = MeetingKind
COMMITTEE_KINDS = MEMBER_KINDS | {K.GENERAL_BRANCH}  # orgs that may hold 支委会
LEADERSHIP_LIFE_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH})  # 民主生活会
MONTHLY = (M.COMMITTEE_MEETING, M.PARTY_GROUP_MEETING, M.THEME_DAY)
ONE_DAY = dt.timedelta(days=1)
# A scope of at most registry.SMALL_SCOPE orgs (a branch re-checked after one meeting is
# saved) reads attendance by its members; a larger one by date (see queries).


def scope_members(ctx: Context) -> list[int] | None:
    """The members placed in a small scope at some time since a year before the period
    (the furthest any LIFE rule looks back), to restrict attendance reads to; None for a
    large scope. A superset is harmless: the rules intersect with the members they judge."""
    if len(ctx.orgs()) > registry.SMALL_SCOPE:  # read at call time: tests lower it
        return None
    first = add_months(ctx.period.start, -12)
    members = ctx.memo(
        ("life", "scope_members"),
        lambda: members_placed_during(ctx.path_q("org__path"), first, ctx.as_of),
    )
    return members if len(members) <= FEW_MEMBERS else None


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
    """Held committee meetings, party-group meetings and theme days per (org, kind, month)."""
    return ctx.memo(
        ("life", "monthly"),
        lambda: counts_by_month(ctx.path_q("org__path"), MONTHLY, ctx.period.start, ctx.period.end),
    )


def seats_by_org(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """Seats held at some time in the period, per org (one query, shared)."""
    return ctx.memo(
        ("life", "seats"),
        lambda: seats_during(ctx.path_q("org__path"), ctx.period.start, ctx.period.end),
    )


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
