"""What the recruitment demo reads from the saved demo: the towns, their branches with
full members, the committees that decide, the seats, and the holiday calendar."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xianfeng.compliance.calendar import Calendar
from xianfeng.members.models import Member, Placement, Status
from xianfeng.orgs.models import MEMBER_KINDS, Level, Org, OrgKind, Seat

# Branches smaller than this take no one into the pipeline (too few mentors and
# introducers); the demo's deliberately irregular orgs are left as they are.
MIN_FULL = 6


@dataclass(eq=False, slots=True)
class Branch:
    """A branch-level org under a town that develops members."""

    pk: int
    code: str
    name: str
    path: str
    sector: str
    committee: int  # the nearest party committee above (decides the committee steps)
    town: Town
    full: list[tuple[int, dt.date]] = field(default_factory=list)  # (member id, full_on)


@dataclass(eq=False, slots=True)
class Town:
    """A town party committee (at town scale the root) and its branches."""

    pk: int
    code: str
    name: str
    path: str
    block: int  # index of its county (cases go to the first town of each)
    branches: list[Branch] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class World:
    root: Org
    orgs: dict[int, tuple[str, str, str, str, int]]  # pk → path, kind, level, code, depth
    towns: list[Town]
    seats: list[
        tuple[int, int, dt.date | None, dt.date | None, str]
    ]  # org, member, start, end, role
    calendar: Calendar
    skipped: set[int]  # orgs under irregular ones: nothing added there

    @property
    def branches(self) -> list[Branch]:
        return [b for t in self.towns for b in t.branches]


def load_world(root: Org, irregular: set[str]) -> World:
    rows = list(
        Org.objects.filter(path__startswith=root.path)
        .order_by("path")
        .values_list("pk", "path", "kind", "level", "code", "depth", "name", "sector")
    )
    orgs = {pk: (path, kind, level, code, depth) for pk, path, kind, level, code, depth, *_ in rows}
    odd = [path for path, _k, _l, code, _p in orgs.values() if code in irregular]
    skipped = {pk for pk, o in orgs.items() if any(o[0].startswith(p) for p in odd)}
    towns = _towns(root, rows)
    by_path = {t.path: t for t in towns}
    committees = {o[0]: pk for pk, o in orgs.items() if o[1] == OrgKind.PARTY_COMMITTEE}
    for pk, path, kind, _level, code, _depth, name, sector in rows:
        ends = range(len(path), 0, -Org.steplen)
        town = next((by_path[path[:end]] for end in ends if path[:end] in by_path), None)
        if kind not in MEMBER_KINDS or town is None or pk in skipped:
            continue
        committee = _nearest(committees, path)
        town.branches.append(Branch(pk, code, name, path, sector, committee, town))
    _full_members(towns)
    return World(root, orgs, towns, _seats(root), Calendar(), skipped)


def _nearest(committees: dict[str, int], path: str) -> int:
    """The party committee nearest above the org at `path` (it decides committee steps)."""
    for end in range(len(path) - Org.steplen, 0, -Org.steplen):
        if path[:end] in committees:
            return committees[path[:end]]
    raise ValueError(f"no party committee above {path}")


def _towns(root: Org, rows: Iterable[tuple[Any, ...]]) -> list[Town]:
    towns: list[Town] = []
    blocks: dict[str, int] = {}
    for pk, path, kind, level, code, _depth, name, _sector in rows:
        town_scale = root.level == Level.TOWN
        if kind != OrgKind.PARTY_COMMITTEE or (
            pk != root.pk if town_scale else level != Level.TOWN
        ):
            continue
        county = path[: len(root.path) + Org.steplen] if root.level == Level.CITY else root.path
        block = blocks.setdefault(county, len(blocks))
        towns.append(Town(pk, code, name, path, block))
    return towns


def _full_members(towns: list[Town]) -> None:
    branches = {b.pk: b for t in towns for b in t.branches}
    found = (
        Member.objects.filter(org_id__in=list(branches), status=Status.FULL)
        .order_by("org_id", "pk")
        .values_list("org_id", "pk", "full_on")
    )
    for org, pk, full_on in found:
        if full_on is not None:
            branches[org].full.append((pk, full_on))
    for town in towns:
        town.branches = [b for b in town.branches if len(b.full) >= MIN_FULL]


def _seats(root: Org) -> list[tuple[int, int, dt.date | None, dt.date | None, str]]:
    found = Seat.objects.filter(org__path__startswith=root.path, member__isnull=False)
    rows = found.order_by("pk").values_list("org_id", "member_id", "started_on", "ended_on", "role")
    return [(o, m, a, b, r) for o, m, a, b, r in rows if m is not None]


def members_by_org(root: Org) -> dict[int, list[tuple[int, dt.date, str, dt.date | None]]]:
    """org id → the members placed there now, full or probationary: (id, placed since,
    status, full_on)."""
    found: dict[int, list[tuple[int, dt.date, str, dt.date | None]]] = defaultdict(list)
    rows = (
        Placement.objects.filter(
            org__path__startswith=root.path,
            ended_on__isnull=True,
            member__status__in=[Status.FULL, Status.PROBATIONARY],
        )
        .order_by("org_id", "member_id")
        .values_list("org_id", "member_id", "started_on", "member__status", "member__full_on")
    )
    for org, pk, since, status, full_on in rows:
        found[org].append((pk, since, status, full_on))
    return found


def case_towns(world: World) -> list[Town]:
    """The towns with the demo's late cases: the second town of each county (the first
    one holds document 004, without the talent rules of 001), the only town at town scale."""
    by_block: dict[int, list[Town]] = defaultdict(list)
    for town in world.towns:
        if town.branches:
            by_block[town.block].append(town)
    return [towns[1] if len(towns) > 1 else towns[0] for towns in by_block.values()]


def case_branch(town: Town) -> Branch:
    """The branch of a case town whose records fall behind: its largest village branch."""
    rural = [b for b in town.branches if b.sector == "rural"] or town.branches
    return max(rural, key=lambda b: (len(b.full), b.path))
