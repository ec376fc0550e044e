"""What the dues demo reads from the saved demo: the orgs, the blocks (counties; the
root at town and county scale), the members who owe dues in the last full year or this
one to date, with their category, the status spells and the org they stay in."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from xianfeng.members.models import Member, Placement, StatusSpell
from xianfeng.members.queries import ACTIVE
from xianfeng.orgs.models import MEMBER_KINDS, Level, Org, OrgKind, Seat


@dataclass(eq=False, slots=True)
class OrgRow:
    pk: int
    path: str
    kind: str
    level: str
    sector: str
    code: str
    name: str


@dataclass(eq=False, slots=True)
class Person:
    """A member owing dues at some time in the window."""

    pk: int
    code: str
    name: str
    category: str
    occupation: str
    flags: list[str]
    joined_on: dt.date
    birth_date: dt.date
    org: int  # the member's org now
    spells: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)  # active
    stays: int = 0  # the org of a member placed in one org over the whole window, else 0

    def active_in(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
        """The active days of [first, last] as (from, to) spans, both inclusive."""
        spans: list[tuple[dt.date, dt.date]] = []
        for start, end in self.spells:
            low = max(start, first)
            high = last if end is None else min(end - dt.timedelta(days=1), last)
            if low > high:
                continue
            if spans and spans[-1][1] + dt.timedelta(days=1) >= low:  # probationary → full
                spans[-1] = (spans[-1][0], max(high, spans[-1][1]))
            else:
                spans.append((low, high))
        return spans


@dataclass(eq=False, slots=True)
class Block:
    """A county (the root at town and county scale): each gets its own cases."""

    org: OrgRow
    branches: list[OrgRow] = field(default_factory=list)  # member-holding orgs, by path
    members: list[Person] = field(default_factory=list)  # staying members, by id


@dataclass(eq=False, slots=True)
class World:
    as_of: dt.date
    first: dt.date  # 1 January of the last full year
    orgs: dict[int, OrgRow]
    blocks: list[Block]
    towns: list[OrgRow]  # the town party committees (at town scale the root)
    members: dict[int, Person]  # by id, ascending
    seated: set[int]  # members holding a seat now

    @property
    def years(self) -> tuple[int, int]:
        return self.as_of.year - 1, self.as_of.year

    def committee_above(self, org: int) -> OrgRow:
        """The nearest party committee above `org` (it approves a branch's reductions)."""
        path = self.orgs[org].path
        by_path = {o.path: o for o in self.orgs.values() if o.kind == OrgKind.PARTY_COMMITTEE}
        for end in range(len(path) - Org.steplen, 0, -Org.steplen):
            if path[:end] in by_path:
                return by_path[path[:end]]
        return self.orgs[org]

    def town_of(self, org: int) -> OrgRow | None:
        path = self.orgs[org].path
        return next((t for t in self.towns if path.startswith(t.path)), None)


def load_world(root: Org, as_of: dt.date) -> World:
    first = dt.date(as_of.year - 1, 1, 1)
    orgs = _orgs(root)
    members = _members(first, as_of)
    _stays(members, first, as_of)
    blocks = _blocks(root, orgs)
    for person in members.values():
        if person.stays:
            block = _block_of(blocks, orgs[person.stays].path)
            if block is not None:
                block.members.append(person)
    seated = Seat.objects.filter(member__isnull=False, ended_on__isnull=True)
    town_rows = [
        o for o in orgs.values() if o.level == Level.TOWN and o.kind == OrgKind.PARTY_COMMITTEE
    ]
    return World(
        as_of,
        first,
        orgs,
        blocks,
        sorted(town_rows, key=lambda o: o.path),
        members,
        set(seated.values_list("member_id", flat=True)),
    )


def _orgs(root: Org) -> dict[int, OrgRow]:
    rows = Org.objects.filter(path__startswith=root.path).order_by("path")
    names = ("pk", "path", "kind", "level", "sector", "code", "name")
    return {row[0]: OrgRow(*row) for row in rows.values_list(*names)}


def _blocks(root: Org, orgs: dict[int, OrgRow]) -> list[Block]:
    counties = [
        o
        for o in orgs.values()
        if o.level == Level.COUNTY and o.kind == OrgKind.PARTY_COMMITTEE and o.path != root.path
    ]
    blocks = [Block(o) for o in counties] or [Block(orgs[root.pk])]
    for org in orgs.values():  # by path
        block = _block_of(blocks, org.path)
        if org.kind in MEMBER_KINDS and block is not None:
            block.branches.append(org)
    return blocks


def _block_of(blocks: list[Block], path: str) -> Block | None:
    return next((b for b in blocks if path.startswith(b.org.path)), None)


def _members(first: dt.date, as_of: dt.date) -> dict[int, Person]:
    """The members with an active status spell in the window, with those spells."""
    spells: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = StatusSpell.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=first),
        status__in=ACTIVE,
        started_on__lte=as_of,
    ).order_by("member_id", "started_on")
    for member, started, ended in rows.values_list("member_id", "started_on", "ended_on"):
        spells[member].append((started, ended))
    roster = Member.objects.order_by("pk").values_list(
        "pk", "code", "name", "category", "occupation", "flags", "joined_on", "birth_date", "org_id"
    )
    found: dict[int, Person] = {}
    for pk, code, name, category, occupation, flags, joined_on, birth_date, org in roster:
        if pk in spells:
            found[pk] = Person(
                pk, code, name, category, occupation, flags, joined_on, birth_date, org, spells[pk]
            )
    return found


def _stays(members: dict[int, Person], first: dt.date, as_of: dt.date) -> None:
    """Mark the members active on every day of the window and placed in one org all along."""
    orgs: dict[int, set[int]] = defaultdict(set)
    covered: dict[int, bool] = {}
    rows = Placement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=first), started_on__lte=as_of
    ).order_by("member_id", "started_on")
    for member, org, started, ended in rows.values_list(
        "member_id", "org_id", "started_on", "ended_on"
    ):
        orgs[member].add(org)
        covered[member] = started <= first and ended is None
    for person in members.values():
        active = person.active_in(first, as_of)
        whole = len(active) == 1 and active[0] == (first, as_of)
        if whole and len(orgs.get(person.pk, ())) == 1 and covered.get(person.pk):
            person.stays = next(iter(orgs[person.pk]))
