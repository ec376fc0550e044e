"""Shared facts of organizational life (compliance.facts; settings.FACT_MODULES): the
attendance of a period per member, the monthly meeting counts per org and the seats held
in a period, each read once per run and period for every rule group (LIFE, STUDY and the
apps to come).

A small scope (at most registry.SMALL_SCOPE orgs, at most FEW members ever placed there)
reads by its members (`scope_members`); a larger one by date, as orglife.queries explains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xianfeng.compliance import registry
from xianfeng.lib.dates import add_months
from xianfeng.members.queries import FEW

from .models import MeetingKind
from .queries import attendance_by_member, counts_by_month, seats_of

if TYPE_CHECKING:
    from xianfeng.compliance.registry import Context

M = MeetingKind
MONTHLY = (M.COMMITTEE_MEETING, M.PARTY_GROUP_MEETING, M.THEME_DAY)
# kinds whose presence the attendance fact counts per member (party lessons: LIFE-02 and
# STUDY-01; study sessions: STUDY-01)
COUNTED_KINDS = (M.PARTY_LESSON, M.STUDY_SESSION)


def scope_members(ctx: Context) -> list[int] | None:
    """The members placed in a small scope at some time since a year before the period
    (the furthest a rule looks back), to restrict attendance, seat and study reads to;
    None for a large scope. A superset is harmless: the rules intersect with the members
    they judge."""
    if len(ctx.orgs()) > registry.SMALL_SCOPE:  # read at call time: tests lower it
        return None
    first = add_months(ctx.period.start, -12)
    members = ctx.fact("placed_during", first=first, last=ctx.as_of)
    return members if len(members) <= FEW else None


@dataclass
class Attended:
    """One member's roster entries at held meetings (any org) of a span."""

    present: dt.date | None = None  # the last day present
    absent: dt.date | None = None  # the last day absent (not on leave)
    counts: dict[str, int] = field(default_factory=dict)  # kind → times present (COUNTED_KINDS)


def attendance(ctx: Context, start: dt.date, end: dt.date) -> dict[int, Attended]:
    """Per member present or absent at a held meeting (any org) dated in [start, end):
    {member: Attended(last day present, last day absent, {kind: times present})}, the
    times counted for COUNTED_KINDS (a kind never attended is left out). One grouped scan
    of the attendance; LIFE-01, LIFE-02, LIFE-04 and STUDY-01 share it. Of the scope's
    members only when the scope is small (`scope_members`), else of every member."""
    rows = attendance_by_member(start, end, scope_members(ctx), COUNTED_KINDS)
    return {
        member_id: Attended(present, absent, {k: n for k, n in counts.items() if n})
        for member_id, present, absent, counts in rows
    }


def monthly_meeting_counts(
    ctx: Context, start: dt.date, end: dt.date
) -> dict[tuple[int, str, dt.date], int]:
    """Held committee meetings, party-group meetings and theme days (MONTHLY) dated in
    [start, end) at the orgs of the subtree: {(org, kind, first day of the month): n}."""
    return counts_by_month(ctx.path_q("org__path"), MONTHLY, start, end)


def seats(ctx: Context, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Seats with a holder at some time in [start, end), oldest id first: [{"id", "org_id",
    "org__path", "member_id", "role", "started_on", "ended_on"}] — every org's seats
    (a city has tens of thousands), or for a scope with few members only the seats of its
    orgs and of its members (`scope_members`). LIFE-02, LIFE-08 and STUDY-01 share it."""
    members = scope_members(ctx)
    return seats_of(start, end, None if members is None else (ctx.path_q("org__path"), members))


FACTS: dict[str, Any] = {
    "attendance": attendance,
    "monthly_meeting_counts": monthly_meeting_counts,
    "seats": seats,
}
