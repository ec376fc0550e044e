"""The three cultivations (三培养) of the towns: track (b) talents paired with the members of
the branch committees, track (a) young members trained, track (c) members paired with the
town committee; the talent pool around them. Most leaders are paired, a few not (DEV-05);
a few files fall short of the yearly trainings and sessions (DEV-03)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from faker import Faker

from xianfeng.core.demo import DemoContext
from xianfeng.members.models import Member, Status
from xianfeng.orgs.models import Level, Org, OrgKind
from xianfeng.study.models import Enrollment

from ..models import (
    Cultivation,
    CultivationEntry,
    CultivationStatus,
    EntryKind,
    TalentEntry,
    TalentKind,
    TalentStatus,
    Track,
)
from .world import World, case_branch, case_towns

PAIRED_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.JOINT_BRANCH})
TRAININGS = ("实用技术培训班", "电子商务培训", "种养殖技术培训", "经营管理培训", "农机维修培训")
THEORY = ("党的基本理论学习", "党的基本路线学习", "党的基本知识学习", "党章学习")
# From the policy's talent-tag catalogue (members.tags.talent): the import checks each tag.
TALENT_TAGS = {"grower": ["致富能手"], "broker": ["致富能手"], "business_owner": ["生产经营能手"]}
GOALS = {
    Track.MEMBER_TO_TALENT: "培养成致富能手",
    Track.TALENT_TO_MEMBER: "培养成入党积极分子",
    Track.TALENT_TO_CADRE: "培养成村（社区）后备干部",
}


@dataclass
class Progress:
    """Days on which track (a) and (c) files were done, per org path (for the targets)."""

    member_to_talent: list[tuple[str, dt.date]] = field(default_factory=list)
    promoted: list[tuple[str, dt.date]] = field(default_factory=list)


class CultivationBuilder:
    def __init__(self, ctx: DemoContext, world: World):
        self.ctx, self.world, self.as_of = ctx, world, ctx.as_of
        self.rng: random.Random = ctx.stream("recruitment:cultivation")
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(f"{ctx.seed}:cultivation")
        self.year = ctx.as_of.year
        self.talents: list[TalentEntry] = []
        self.files: list[tuple[Cultivation, list[CultivationEntry]]] = []
        self.progress = Progress()
        self.case_towns = {t.path for t in case_towns(world)}
        self.case_branches = {case_branch(t).pk for t in case_towns(world)}

    def build(self, taken: set[int]) -> Progress:
        """Plan and save; `taken` are members already in a file or disciplined."""
        young = _young_members([b.pk for b in self.world.branches], self.as_of)
        self._pool()
        self._pairs_b()
        self._track_a(young, taken)
        self._track_c(young, taken)
        insert = self.ctx.insert
        insert.objects(TalentEntry, self.talents)
        for cultivation, _entries in self.files:
            cultivation.talent_id = cultivation.talent.pk if cultivation.talent else None
        insert.objects(Cultivation, [c for c, _e in self.files])
        entries = []
        for cultivation, found in self.files:
            for entry in found:
                entry.cultivation_id = cultivation.pk
                entries.append(entry)
        insert.objects(CultivationEntry, entries)
        return self.progress

    # --- the talent pool -------------------------------------------------------------------
    def _talent(self, org: int, sector: str, status: str, surveyed: dt.date) -> TalentEntry:
        rng, fake = self.rng, self.fake
        male = rng.random() < 0.6
        kind = rng.choice(list(TalentKind.values))
        entry = TalentEntry(
            org_id=org,
            name=fake.last_name() + (fake.first_name_male() if male else fake.first_name_female()),
            gender="1" if male else "2",
            birth_date=self.as_of - dt.timedelta(days=rng.randint(22 * 365, 50 * 365)),
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            kind=kind,
            tags=TALENT_TAGS.get(kind, []),
            occupation=rng.choice(("种植户", "养殖户", "个体工商户", "返乡创业人员", "技术工人")),
            sector=sector,
            surveyed_on=surveyed,
            status=status,
        )
        self.talents.append(entry)
        return entry

    def _pool(self) -> None:
        first = dt.date(self.year - 2, 3, 1)
        for branch in self.world.branches:
            for _n in range(self.rng.randint(1, 3)):
                surveyed = first + dt.timedelta(days=self.rng.randint(0, 700))
                self._talent(branch.pk, branch.sector, TalentStatus.POOL, surveyed)

    # --- track (b): talents paired with the branch committees -----------------------------
    def _pairs_b(self) -> None:
        """A talent paired with each member of a branch committee (a few not paired); in a
        case branch one member never paired, a file with one session last year and one
        with none this year (DEV-05, DEV-03)."""
        seen: set[int] = set()
        cases = {pk: [1, 2, 3] for pk in self.case_branches}
        towns = tuple(t.path for t in self.world.towns)
        for org, member, start, end, _role in self.world.seats:
            path, kind = self.world.orgs[org][:2]
            if kind not in PAIRED_KINDS or member in seen:
                continue
            if not path.startswith(towns) or (end and end < dt.date(self.year - 1, 1, 1)):
                continue
            seen.add(member)
            both = end is None and (start is None or start <= dt.date(self.year - 1, 6, 30))
            case = cases[org].pop(0) if both and cases.get(org) else 0
            if case == 1 or (case == 0 and self.rng.random() < 0.03):
                continue
            self._file_b(org, member, start, case)

    def _sector(self, org: int) -> str:
        """The org's sector (what the talent pool's domain gives an entry without one)."""
        if not hasattr(self, "sectors"):
            self.sectors = dict(Org.objects.values_list("id", "sector"))
        return self.sectors[org]

    def _file_b(self, org: int, member: int, start: dt.date | None, case: int) -> None:
        started = max(start or dt.date(self.year - 3, 1, 1), dt.date(self.year - 2, 6, 1))
        started = min(started + dt.timedelta(days=self.rng.randint(5, 40)), self.as_of)
        surveyed = started - dt.timedelta(days=30)
        file = Cultivation(
            org_id=org,
            track=Track.TALENT_TO_MEMBER,
            pair_id=member,
            started_on=started,
            status=CultivationStatus.ACTIVE,
            status_since=started,
            goal=GOALS[Track.TALENT_TO_MEMBER],
        )
        file.talent = self._talent(org, self._sector(org), TalentStatus.CULTIVATING, surveyed)
        entries = self._entries(started, EntryKind.THEORY, THEORY, (2, 3), case)
        self.files.append((file, entries))

    def _entries(
        self,
        started: dt.date,
        kind: str,
        titles: tuple[str, ...],
        per_year: tuple[int, int],
        case: int,
    ) -> list[CultivationEntry]:
        """Entries in the last full year and the first half of this one (case 2: one
        entry last year; case 3: none this year)."""
        rng, found = self.rng, []
        last = dt.date(self.year - 1, 1, 1)
        counts = [
            (last, dt.date(self.year - 1, 12, 20), 1 if case == 2 else rng.randint(*per_year)),
            (
                dt.date(self.year, 1, 5),
                dt.date(self.year, 6, 25),
                0 if case == 3 else rng.randint(1, 2),
            ),
        ]
        for low, high, count in counts:
            low = max(low, started)
            if low > high or low > self.as_of:
                continue
            span = (min(high, self.as_of) - low).days
            for day in sorted(low + dt.timedelta(days=rng.randint(0, span)) for _n in range(count)):
                title = rng.choice(titles)
                hours = rng.choice((4, 6, 8)) if kind == EntryKind.TRAINING else None
                found.append(CultivationEntry(on=day, kind=kind, title=title, hours=hours))
        return found

    # --- track (a): young members trained; track (c): paired with the town committee ----
    def _track_a(self, young: dict[int, list[int]], taken: set[int]) -> None:
        trained = set(
            Enrollment.objects.filter(member__org_id__in=list(self.case_branches)).values_list(
                "member_id", flat=True
            )
        )
        for town in self.world.towns:
            for branch in town.branches:
                cases = [2, 3] if branch.pk in self.case_branches else []
                pool = [m for m in young.get(branch.pk, []) if m not in taken]
                if cases:  # short of trainings: none counted from training classes either
                    pool = [m for m in pool if m not in trained] + pool
                for member in list(dict.fromkeys(pool))[: max(1 + len(cases), len(pool) // 15)]:
                    taken.add(member)
                    self._file_a(branch.pk, member, cases.pop(0) if cases else 0)

    def _file_a(self, org: int, member: int, case: int) -> None:
        rng, year = self.rng, self.year
        started = dt.date(year - 2, 3, 1) + dt.timedelta(days=rng.randint(0, 300))
        status, since = CultivationStatus.ACTIVE, started
        if case == 0 and rng.random() < 0.35:
            done_year = rng.choice((year - 1, year))
            since = dt.date(done_year, 3, 1) + dt.timedelta(days=rng.randint(0, 110))
            status = CultivationStatus.DONE
        file = Cultivation(
            org_id=org,
            track=Track.MEMBER_TO_TALENT,
            member_id=member,
            started_on=started,
            status=status,
            status_since=since,
            goal=GOALS[Track.MEMBER_TO_TALENT],
        )
        entries = self._entries(started, EntryKind.TRAINING, TRAININGS, (4, 6), case)
        if status == CultivationStatus.DONE:
            entries = self._done_entries(since, entries)
            self.progress.member_to_talent.append((self.world.orgs[org][0], since))
        self.files.append((file, entries))

    def _done_entries(
        self, done: dt.date, entries: list[CultivationEntry]
    ) -> list[CultivationEntry]:
        """A file done this year keeps its trainings before it was done; one done last year
        had its four trainings of that year before."""
        kept = [e for e in entries if e.on <= done]
        if done.year == self.year - 1:
            first = dt.date(done.year, 1, 3)
            kept = [e for e in kept if e.on.year < done.year]
            step = max(1, (done - first).days // 5)
            kept += [
                CultivationEntry(
                    on=first + dt.timedelta(days=step * n),
                    kind=EntryKind.TRAINING,
                    title=self.rng.choice(TRAININGS),
                    hours=6,
                )
                for n in range(4)
            ]
        return kept

    def _track_c(self, young: dict[int, list[int]], taken: set[int]) -> None:
        orgs, world = self.world.orgs, self.world
        towns = {t.pk: t for t in world.towns}
        held: dict[int, list[int]] = {}
        for org, member, _start, end, _role in world.seats:
            if org in towns and end is None and orgs[org][2] == Level.TOWN:
                held.setdefault(org, []).append(member)
        for pk, town in towns.items():
            pool = [m for b in town.branches for m in young.get(b.pk, []) if m not in taken]
            leaders = list(dict.fromkeys(held.get(pk, [])))
            if town.path in self.case_towns and leaders:
                leaders = leaders[1:]  # a town committee member never paired (DEV-05)
            for n, member in enumerate(pool[: len(leaders) + 2]):
                taken.add(member)
                pair = leaders[n] if n < len(leaders) else None
                self._file_c(pk, member, pair)

    def _file_c(self, org: int, member: int, pair: int | None) -> None:
        rng, year = self.rng, self.year
        started = dt.date(year - 2, 4, 1) + dt.timedelta(days=rng.randint(0, 300))
        status, since = CultivationStatus.ACTIVE, started
        if pair is None:
            status = CultivationStatus.DONE
            since = dt.date(rng.choice((year - 1, year)), 3, 1) + dt.timedelta(
                days=rng.randint(0, 100)
            )
            self.progress.promoted.append((self.world.orgs[org][0], since))
        file = Cultivation(
            org_id=org,
            track=Track.TALENT_TO_CADRE,
            member_id=member,
            pair_id=pair,
            started_on=started,
            status=status,
            status_since=since,
            goal=GOALS[Track.TALENT_TO_CADRE],
        )
        practice = [
            CultivationEntry(
                on=started + dt.timedelta(days=60 * n + 20),
                kind=EntryKind.PRACTICE,
                title="到村（社区）挂职锻炼",
            )
            for n in range(3)
        ]
        self.files.append(
            (
                file,
                [
                    e
                    for e in practice
                    if e.on <= min(since if pair is None else self.as_of, self.as_of)
                ],
            )
        )


def _young_members(branches: Iterable[int], as_of: dt.date) -> dict[int, list[int]]:
    """branch → its members under 46, full or probationary, longest in the register first."""
    born_after = as_of.replace(year=as_of.year - 46)
    rows = (
        Member.objects.filter(
            org_id__in=list(branches),
            status__in=[Status.FULL, Status.PROBATIONARY],
            birth_date__gt=born_after,
        )
        .order_by("org_id", "joined_on", "pk")
        .values_list("org_id", "pk")
    )
    found: dict[int, list[int]] = {}
    for org, pk in rows:
        found.setdefault(org, []).append(pk)
    return found
