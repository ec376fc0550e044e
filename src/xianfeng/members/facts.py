"""Shared facts of the roster (compliance.facts; settings.FACT_MODULES): the placements of
the evaluated subtree on a day, read once per run and day for every rule group (ORG member
counts, LIFE and STUDY members judged). Registered through `FACTS` (members sits below
compliance and does not import it)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from xianfeng.orgs.models import Org

from .queries import (
    ACTIVE,
    FEW,
    Placed,
    PlacedRow,
    member_traits,
    members_placed_anywhere_on,
    members_placed_during,
    placements_in,
    statuses_on,
)

if TYPE_CHECKING:
    from xianfeng.compliance.registry import Context

ACTIVE_SET = frozenset(str(status) for status in ACTIVE)  # plain strings, as read


def placements_in_subtree(ctx: Context, day: dt.date) -> list[Placed]:
    """Every placement in the subtree covering `day`, whatever the member's status:
    [(member, org, placed since)]. The one read of the placements for `day`; the facts
    below derive from it."""
    return placements_in(ctx.path_q("org__path"), day)


def statuses(ctx: Context, day: dt.date) -> dict[int, tuple[str, ...]]:
    """Members' statuses on `day` (the status spells covering it): {member: (status, …)},
    members without one left out — every member's for a large scope, only those placed in
    the subtree on `day` when they are few (read by their ids). The one read of the status
    spells for `day`."""
    rows = ctx.fact("placements_in_subtree", day=day)
    return statuses_on(day, [row[0] for row in rows] if len(rows) <= FEW else None)


def active_placements_on(ctx: Context, day: dt.date) -> list[Placed]:
    """The members full or probationary on `day` and placed in the subtree then:
    [(member, org, placed since)]. Two reads matched here, not one join: joined with the
    status spells, SQLite drives the read from the status index and probes the placements
    member by member (1.7 s for a city instead of 0.8 s)."""
    found = ctx.fact("statuses", day=day)
    active = {m for m, statuses in found.items() if not ACTIVE_SET.isdisjoint(statuses)}
    return [row for row in ctx.fact("placements_in_subtree", day=day) if row[0] in active]


def placements_on(ctx: Context, day: dt.date) -> list[PlacedRow]:
    """`active_placements_on` with each member's own columns: [(member, org, placed
    since, joined the party, leading cadre)] (LIFE and STUDY rules). The members' columns
    are read once per run for a large scope (by id when the members are few)."""
    placed = ctx.fact("active_placements_on", day=day)
    if len(placed) <= FEW:
        traits = member_traits(sorted({row[0] for row in placed}))
    else:
        traits = ctx.memo(("members", "traits"), member_traits)
    return [(member, org, since, *traits[member]) for member, org, since in placed]


def member_counts_on(ctx: Context, day: dt.date) -> dict[int, dict[str, int]]:
    """Members placed per org of the subtree on `day`, by status: {org: {status: n}} (ORG
    rules; orgs with none are left out)."""
    statuses_of = ctx.fact("statuses", day=day)
    counts: Counter[tuple[int, str]] = Counter()
    for row in ctx.fact("placements_in_subtree", day=day):
        for status in statuses_of.get(row[0], ()):
            counts[(row[1], status)] += 1
    found: dict[int, dict[str, int]] = {}
    for (org_id, status), n in counts.items():
        found.setdefault(org_id, {})[status] = n
    return found


def placed_anywhere_on(ctx: Context, day: dt.date, among: dt.date) -> set[int]:
    """Members placed in some org (any, in the subtree or not) on `day`, of those active
    and placed in the subtree on `among` when they are few (else of every member): {member}.
    When the subtree is the whole tree (the nightly run), taken from
    `placements_in_subtree` of `day` instead of a second read of the placements."""
    if whole_tree(ctx):
        return {row[0] for row in ctx.fact("placements_in_subtree", day=day)}
    placed = ctx.fact("placements_on", day=among)
    members = [row[0] for row in placed] if len(placed) <= FEW else None
    return members_placed_anywhere_on(day, members)


def whole_tree(ctx: Context) -> bool:
    """Whether the roots evaluated are every root org (one small query, then cached)."""

    def load() -> bool:
        every = set(Org.objects.filter(depth=1).values_list("path", flat=True))
        return every <= {root.path for root in ctx.roots}

    return ctx.memo(("members", "whole_tree"), load)


def placed_during(ctx: Context, first: dt.date, last: dt.date) -> list[int]:
    """Members with a placement in the subtree at some time from `first` to `last`:
    [member] (a small scope's members, to which attendance and study reads are limited)."""
    return members_placed_during(ctx.path_q("org__path"), first, last)


FACTS: dict[str, Any] = {
    "placements_in_subtree": placements_in_subtree,
    "statuses": statuses,
    "active_placements_on": active_placements_on,
    "placements_on": placements_on,
    "member_counts_on": member_counts_on,
    "placed_anywhere_on": placed_anywhere_on,
    "placed_during": placed_during,
}
