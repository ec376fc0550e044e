"""The members' side of the recruitment demo: dual-lead members (“双带”型党员) of the two
years before and this one, rising everywhere but in one town (MEM-03); skills and talent
tags (MEM-04); a few disciplinary penalties (never on a mentor or an introducer)."""

from __future__ import annotations

import datetime as dt
import random

from xianfeng.compliance.policy import resolver
from xianfeng.core.demo import DemoContext
from xianfeng.members.models import (
    Discipline,
    DisciplineKind,
    DualLead,
    DualLeadType,
    MemberTag,
    TagKind,
)

from .world import World, members_by_org

EVIDENCE = {
    DualLeadType.ENTREPRENEURSHIP: "发展特色种养殖，带动周边农户增收",
    DualLeadType.INNOVATION: "引进新技术、新品种，带领群众转型发展",
    DualLeadType.EXCELLENCE: "牵头成立合作社，提升产品品质和品牌",
}
# penalty, months in effect (0: no end, the probation's own term is in months too)
PENALTIES = (
    (DisciplineKind.WARNING, 12),
    (DisciplineKind.SERIOUS_WARNING, 18),
    (DisciplineKind.PROBATION, 12),
    (DisciplineKind.REMOVAL, 24),
)


class TalentsBuilder:
    def __init__(self, ctx: DemoContext, world: World):
        self.ctx, self.world, self.as_of = ctx, world, ctx.as_of
        self.rng: random.Random = ctx.stream("recruitment:talents")
        self.members = members_by_org(world.root)
        self.year = ctx.as_of.year

    def disciplined(self) -> dict[int, tuple[str, int]]:
        """A few members of the towns' branches under a penalty: member → (kind, months)."""
        found: dict[int, tuple[str, int]] = {}
        for n, branch in enumerate(self.world.branches):
            if n % 9 == 4 and branch.full:
                found[branch.full[-1][0]] = self.rng.choice(PENALTIES)
        return found

    def save(self, disciplined: dict[int, tuple[str, int]], falling: str) -> None:
        insert = self.ctx.insert
        insert.objects(Discipline, [self._discipline(m, *p) for m, p in disciplined.items()])
        insert.objects(DualLead, self._dual_leads(falling))
        insert.objects(MemberTag, self._tags())

    def _discipline(self, member: int, kind: str, months: int) -> Discipline:
        decided = dt.date(self.year - 1, 1, 1) + dt.timedelta(days=self.rng.randint(30, 500))
        decided = min(decided, self.as_of - dt.timedelta(days=10))
        return Discipline(
            member_id=member,
            kind=kind,
            decided_on=decided,
            effective_until=decided + dt.timedelta(days=months * 30),
            decided_by="县纪委",
            reason=self.rng.choice(("违反工作纪律", "违反廉洁纪律", "违反群众纪律")),
        )

    def _dual_leads(self, falling: str) -> list[DualLead]:
        """Per org, a share that rises each year (falls in the org paths under `falling`)."""
        found: list[DualLead] = []
        years = (self.year - 2, self.year - 1, self.year)
        for org, members in self.members.items():
            path = self.world.orgs[org][0]
            n = len(members)
            rise = max(1, round(n * 0.03))
            counts = [round(n * 0.04) + rise * k for k in range(3)]
            if falling and path.startswith(falling):
                counts.reverse()
            for year, count in zip(years, counts, strict=True):
                start = dt.date(year, 1, 1)
                eligible = [m for m, joined, _s, _f in members if joined < start]
                for member in self.rng.sample(eligible, min(count, len(eligible))):
                    found.append(self._dual_lead(member, year))
        return found

    def _dual_lead(self, member: int, year: int) -> DualLead:
        kind = self.rng.choice(list(DualLeadType))
        if year == self.year:
            day = dt.date(year, 3, 1) + dt.timedelta(days=self.rng.randint(0, 100))
            recognized = min(day, self.as_of)
        else:
            recognized = dt.date(year, 12, self.rng.randint(10, 28))
        return DualLead(
            member_id=member,
            year=year,
            type=kind,
            evidence=EVIDENCE[kind],
            recognized_on=recognized,
        )

    def _tags(self) -> list[MemberTag]:
        policy = resolver(day=self.as_of).at(self.world.root.path)
        talents = list(policy.value("members.tags.talent"))
        skills = list(policy.value("members.tags.skills"))
        rng, found = self.rng, []
        for members in self.members.values():
            for member, joined, _status, _full in members:
                since = max(joined, dt.date(self.year - 3, 1, 1)) + dt.timedelta(
                    days=rng.randint(0, 300)
                )
                since = min(since, self.as_of)
                if rng.random() < 0.3:
                    found.append(
                        MemberTag(
                            member_id=member,
                            kind=TagKind.SKILL,
                            tag=rng.choice(skills),
                            since=since,
                        )
                    )
                if rng.random() < 0.2:
                    found.append(
                        MemberTag(
                            member_id=member,
                            kind=TagKind.TALENT,
                            tag=rng.choice(talents),
                            since=since,
                        )
                    )
        return found
