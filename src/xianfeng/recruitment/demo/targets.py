"""Yearly targets of the last full year and this one, decomposed from the root down to the
towns (at town scale: to the town's villages and units), set from what the pipeline and
the cultivations achieve so that everyone keeps pace — except one town behind pace at the
end of the first half and one org whose children's targets add up short (DEV-06)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xianfeng.core.demo import DemoContext
from xianfeng.orgs.models import Level, Org

from ..models import Target, TargetKind
from .world import World

Events = dict[str, list[tuple[str, dt.date]]]  # kind → (org path, day)
NOTES: dict[str, str] = {
    TargetKind.ADMISSIONS: "按上级下达的发展党员计划",
    TargetKind.MEMBER_TO_TALENT: "三培养工作目标",
}


def target_orgs(world: World) -> dict[int, int | None]:
    """org → the org that sets its targets (None: the root sets its own)."""
    root = world.root
    towns = [t.pk for t in world.towns]
    nodes: list[int] = [root.pk]
    if root.level == Level.TOWN:
        below = {b.path[: len(root.path) + Org.steplen] for b in world.branches}
        nodes += [pk for pk, o in world.orgs.items() if o[0] in below and pk != root.pk]
    else:
        county = [
            pk for pk, o in world.orgs.items() if o[2] == Level.COUNTY and o[1] == "party_committee"
        ]
        nodes += [pk for pk in county if pk != root.pk] + towns
    paths = {world.orgs[pk][0]: pk for pk in nodes}
    found: dict[int, int | None] = {}
    for pk in nodes:
        path = world.orgs[pk][0]
        above = [p for p in paths if path.startswith(p) and p != path]
        found[pk] = paths[max(above, key=len)] if above else None
    return found


class TargetsBuilder:
    def __init__(self, ctx: DemoContext, world: World, events: Events):
        self.ctx, self.world, self.events, self.as_of = ctx, world, events, ctx.as_of
        self.setters = target_orgs(world)
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, parent in self.setters.items():
            if parent is not None:
                self.children[parent].append(pk)
        self.done = self._count()

    def save(self) -> None:
        rows: list[Target] = []
        year = self.as_of.year
        leaves = [pk for pk in self.setters if not self.children.get(pk)]
        behind = (
            leaves[min(1, len(leaves) - 1)]
            if self.world.root.level != Level.TOWN
            else self.world.root.pk
        )
        for y in (year - 1, year):
            for kind in TargetKind.values:
                values = self._values(y, kind, behind)
                root = self.world.root.pk
                if kind == TargetKind.ADMISSIONS and root in values:
                    values[root] += 3  # the root keeps places it did not hand down
                for pk, value in values.items():
                    if value > 0:
                        setter = self.setters[pk] or pk
                        rows.append(
                            Target(
                                org_id=pk,
                                year=y,
                                kind=kind,
                                value=value,
                                set_by_id=setter,
                                note=NOTES.get(kind, ""),
                            )
                        )
        self.ctx.insert.objects(Target, rows)

    def _values(self, year: int, kind: str, behind: int) -> dict[int, int]:
        """Leaves from their progress; an org above, the sum of its children's; the org
        behind pace, more than twice its first half."""
        values: dict[int, int] = {}

        def value(pk: int) -> int:
            kids = self.children.get(pk)
            total = sum(value(k) for k in kids) if kids else self._leaf(pk, year, kind)
            if pk == behind and kind == TargetKind.MEMBER_TO_TALENT:
                total = max(total, 2 * self.done[(kind, year, pk)][0] + 3)
            values[pk] = total
            return total

        value(self.world.root.pk)
        return values

    def _count(self) -> dict[tuple[str, int, int], list[int]]:
        """(kind, year, org) → [done in the first half, done to date] in the org's subtree."""
        nodes = {self.world.orgs[pk][0]: pk for pk in self.setters}
        step = Org.steplen
        done: dict[tuple[str, int, int], list[int]] = defaultdict(lambda: [0, 0])
        for kind, found in self.events.items():
            for path, day in found:
                for end in range(step, len(path) + 1, step):
                    pk = nodes.get(path[:end])
                    if pk is not None:
                        counts = done[(kind, day.year, pk)]
                        counts[0] += day <= dt.date(day.year, 6, 30)
                        counts[1] += 1
        return done

    def _leaf(self, pk: int, year: int, kind: str) -> int:
        first_half, to_date = self.done[(kind, year, pk)]
        if kind == TargetKind.ADMISSIONS:
            return to_date * (2 if year == self.as_of.year else 1) + 1
        if year < self.as_of.year:
            return min(to_date, 2 * first_half)
        return first_half + (first_half * 4) // 5
