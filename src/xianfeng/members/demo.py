"""The members' part of the demo: people with their status spells and placements,
transfers, seats, temporary memberships, saved one block at a time (`save_block`). Every
draw comes from the shared `rng` and Faker, in a fixed order."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from xianfeng.core.demo import DemoContext, DemoPart, add_years, cumulative, words
from xianfeng.lib.cipher import stored_id_number
from xianfeng.lib.idcard import make_id_number
from xianfeng.members.models import (
    Category,
    Flag,
    LeftReason,
    Member,
    Placement,
    Status,
    StatusSpell,
    TemporaryMembership,
    Transfer,
    TransferStatus,
)
from xianfeng.orgs.demo import OrgPlan
from xianfeng.orgs.models import MEMBER_KINDS, Level, OrgKind, Seat, SeatRole, Sector, Term

K, L, S, C = OrgKind, Level, Sector, Category

COMMITTEE_KINDS = frozenset({K.PARTY_COMMITTEE, K.WORKING_COMMITTEE, K.INDUSTRY_JOINT_ORG})

# Members born elsewhere: region codes of other places (first two digits are real provinces).
OTHER_REGIONS = words(
    "320102 320583 321002 340104 370102 410105 420106 430102 510107 330106 130102 110105 "
    "360102 440305"
)
MINORITIES = words("02 03 04 05 06 08 09 10 11 12 15 16")
TRANSFER_REASONS = ("工作调动", "居住地变更", "外出务工", "毕业分配", "退休后回原籍", "随迁")


# Per profile (what an org's members are like): primary categories with weights,
# share of men, education codes (GB/T 4658) with weights, occupations.
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "village": ((C.RURAL, C.MOBILE, C.FRAIL, C.RETIRED, C.IN_SERVICE), (72, 12, 9, 4, 3)),
    "community": ((C.RETIRED, C.IN_SERVICE, C.FRAIL, C.MOBILE, C.RURAL), (45, 30, 10, 12, 3)),
    "retired": ((C.RETIRED, C.FRAIL), (80, 20)),
    "enterprise": ((C.IN_SERVICE, C.MOBILE), (92, 8)),
    "student": ((C.STUDENT,), (1,)),
}
MALE_SHARE = {
    "village": 0.75,
    "community": 0.55,
    "organ": 0.7,
    "institution": 0.55,
    "retired": 0.65,
    "enterprise": 0.7,
    "social": 0.6,
    "school": 0.45,
    "hospital": 0.4,
    "student": 0.45,
}
EDUCATION: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "village": (("80", "70", "60", "40", "30", "20"), (15, 45, 20, 10, 7, 3)),
    "community": (("70", "60", "40", "30", "20", "10"), (20, 25, 15, 20, 17, 3)),
    "organ": (("10", "20", "30", "60"), (20, 60, 18, 2)),
    "professional": (("10", "20", "30"), (20, 55, 25)),
    "enterprise": (("10", "20", "30", "40", "60"), (5, 35, 35, 15, 10)),
    "student": (("60", "40"), (70, 30)),
}
OCCUPATIONS = {
    "village": ("农民", "村干部", "种养殖户", "农村个体工商户"),
    "community": ("社区工作者", "个体工商户", "企业职工", "自由职业者"),
    "organ": ("公务员", "参照公务员法管理人员", "机关工勤人员"),
    "institution": ("专业技术人员", "事业单位管理人员"),
    "enterprise": ("企业管理人员", "专业技术人员", "企业职工"),
    "social": ("社会组织从业人员", "律师", "会计师"),
    "school": ("教师", "学校管理人员"),
    "hospital": ("医生", "护士", "医院管理人员", "药剂师"),
}
AGES: dict[str, tuple[int, int, int]] = {  # (low, high, mode) age on the as-of date
    C.RURAL: (22, 86, 56),
    C.IN_SERVICE: (23, 60, 42),
    C.RETIRED: (58, 92, 70),
    C.FRAIL: (72, 96, 82),
    C.MOBILE: (21, 55, 35),
    C.STUDENT: (20, 24, 21),
}


@dataclass(eq=False, slots=True)
class Person:
    member: Member
    org: OrgPlan
    start: dt.date  # start of the current placement
    spells: list[tuple[str, dt.date, dt.date | None, str]]
    prior: OrgPlan | None = None  # org before a transfer received in the last year
    prior_start: dt.date | None = None
    in_transit: bool = False
    seated: bool = False


TransferRow = tuple[Person, OrgPlan, OrgPlan, str, dt.date, dt.date | None]
TemporaryRow = tuple[OrgPlan, Person, dt.date, dt.date | None]


@dataclass(eq=False, slots=True)
class SeatPlan:
    org: OrgPlan
    role: str
    title: str
    person: Person
    started_on: dt.date
    ended_on: dt.date | None = None


def _elected_before(plan: OrgPlan, day: dt.date) -> bool:
    """No election of the org on or after `day` (it would close a vacancy of that day)."""
    return plan.elected is None or plan.elected < day


class MemberBuilder(DemoPart):
    """Plans a block's members, transfers, seats and temporary memberships; saves them."""

    def __init__(self, ctx: DemoContext):
        super().__init__(ctx)
        self.used_ids: set[str] = set()
        self.member_seq = 0
        self.letter_seq = 0
        self.seat_gaps: list[tuple[str, str]] = []  # `plan_seat_cases` (ORG-05)

    def _statuses(self, full: int) -> list[str]:
        """`full` full members plus ≈5% probationary, a few suspended or lost, ≈2% left."""
        statuses: list[str] = [Status.FULL] * full
        for _ in range(full):
            r = self.rng.random()
            if r < 0.055:
                statuses.append(Status.PROBATIONARY)
            elif r < 0.058:
                statuses.append(Status.SUSPENDED)
            elif r < 0.063:
                statuses.append(Status.LOST_CONTACT)
            elif r < 0.085:
                statuses.append(Status.LEFT)
        self.rng.shuffle(statuses)
        return statuses

    def people(self, branch: OrgPlan) -> list[Person]:
        persons = [self._person(branch, status) for status in self._statuses(branch.full)]
        if branch.groups:
            current = [p for p in persons if p.member.status != Status.LEFT]
            for i, person in enumerate(current):
                person.member.party_group_id = branch.groups[i % len(branch.groups)].pk
        return persons

    def _category(self, org: OrgPlan, status: str) -> str:
        rng = self.rng
        if org.profile in CATEGORIES:
            values, weights = CATEGORIES[org.profile]
            category = rng.choices(values, cum_weights=cumulative(weights))[0]
        else:
            category = C.IN_SERVICE
        if status == Status.PROBATIONARY and category in (C.RETIRED, C.FRAIL):
            category = C.RURAL if org.profile == "village" else C.IN_SERVICE
        if (
            status in (Status.SUSPENDED, Status.LOST_CONTACT)
            and category != C.STUDENT
            and rng.random() < 0.6
        ):
            category = C.MOBILE
        return category

    def _age(self, category: str, status: str) -> int:
        if status == Status.PROBATIONARY:
            return self.tri(19, 22, 20) if category == C.STUDENT else self.tri(19, 45, 27)
        low, high, mode = AGES[category]
        return max(self.tri(low, high, mode), 21)

    def _joining(self, birth: dt.date, status: str) -> tuple[dt.date, dt.date | None]:
        """Joining date (aged 18 or more) and 转正 date (one year later, a few extended)."""
        earliest = add_years(birth, 18) + dt.timedelta(days=1)
        if status == Status.PROBATIONARY:
            return max(earliest, self.ago(7, 355)), None
        slack = 400 if status == Status.FULL else 1000
        latest = max(earliest, min(self.as_of - dt.timedelta(days=slack), add_years(birth, 58)))
        span = (latest - earliest).days
        joined = earliest + dt.timedelta(days=round(self.rng.triangular(0, span, min(span, 2200))))
        full_on = add_years(joined, 1)
        if status == Status.FULL and self.rng.random() < 0.03 and (self.as_of - full_on).days > 400:
            full_on += dt.timedelta(days=self.rng.choice((183, 365)))  # probation extended
        return joined, full_on

    def _spells(
        self, status: str, joined: dt.date, full_on: dt.date | None, age: int, start: dt.date
    ) -> tuple[list[tuple[str, dt.date, dt.date | None, str]], str]:
        """Status spells from joining to the as-of date, and the reason for leaving."""
        P, F = Status.PROBATIONARY, Status.FULL  # noqa: N806
        if full_on is None:
            return [(P, joined, None, "")], ""
        spells: list[tuple[str, dt.date, dt.date | None, str]] = [(P, joined, full_on, "")]
        after = max(full_on, start) + dt.timedelta(days=1)
        if status == F:
            return [*spells, (F, full_on, None, "")], ""
        if status == Status.LOST_CONTACT:
            lost = self.day(max(after, self.ago(700, 700)), self.ago(30, 30))
            return [*spells, (F, full_on, lost, ""), (Status.LOST_CONTACT, lost, None, "")], ""
        if status == Status.SUSPENDED:
            lost = self.day(max(after, self.ago(700, 700)), self.ago(220, 220))
            suspended = lost + dt.timedelta(days=self.rng.randint(183, 200))
            return [
                *spells,
                (F, full_on, lost, ""),
                (Status.LOST_CONTACT, lost, suspended, ""),
                (Status.SUSPENDED, suspended, None, ""),
            ], ""
        left = self.day(max(after, self.ago(730, 730)), self.ago(1, 1))
        reason = self._left_reason(age)
        return [*spells, (F, full_on, left, ""), (Status.LEFT, left, None, reason)], reason

    def _left_reason(self, age: int) -> str:
        R = LeftReason  # noqa: N806
        if age >= 70:
            return self.rng.choices((R.DECEASED, R.TRANSFERRED_OUT, R.REMOVED), (70, 25, 5))[0]
        return self.rng.choices(
            (R.TRANSFERRED_OUT, R.REMOVED, R.EXPELLED, R.DECEASED), (60, 25, 10, 5)
        )[0]

    def _id_number(self, region: str, birth: dt.date, male: bool) -> str:
        rng = self.rng
        while True:
            place = region if rng.random() < 0.88 else rng.choice(OTHER_REGIONS)
            sequence = rng.randrange(0, 500) * 2 + 1 if male else rng.randrange(1, 500) * 2
            number = make_id_number(place, birth, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _person(self, org: OrgPlan, status: str) -> Person:
        rng, fake = self.rng, self.fake
        category = self._category(org, status)
        age = self._age(category, status)
        birth = add_years(self.as_of, -age) - dt.timedelta(days=rng.randrange(1, 365))
        male = rng.random() < MALE_SHARE.get(org.profile, 0.6)
        name = fake.last_name() + (fake.first_name_male() if male else fake.first_name_female())
        joined, full_on = self._joining(birth, status)
        start = max(joined, org.founded_on)
        spells, reason = self._spells(status, joined, full_on, age, start)
        number = self._id_number(org.region_code, birth, male)
        self.member_seq += 1
        member = Member(
            code=f"P{self.member_seq:08d}",
            name=name,
            name_initials=self.initials_of(name, True),
            gender="1" if male else "2",
            birth_date=birth,
            ethnicity="01" if rng.random() < 0.96 else rng.choice(MINORITIES),
            **stored_id_number(number, cipher=self.cipher),
            education=self._education(org, category),
            occupation=self._occupation(org, category),
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            joined_on=joined,
            full_on=full_on,
            status=status,
            status_since=spells[-1][1],
            left_reason=reason,
            org_id=org.pk,
            category=category,
            flags=self._flags(org, category, age, male),
            leading_cadre=self._leading_cadre(org, category, age),
        )
        return Person(member=member, org=org, start=start, spells=spells)

    def _education(self, org: OrgPlan, category: str) -> str:
        key = "student" if category == C.STUDENT else org.profile
        key = {
            "institution": "professional",
            "school": "professional",
            "hospital": "professional",
            "retired": "community",
            "social": "enterprise",
        }.get(key, key)
        values, weights = EDUCATION.get(key, EDUCATION["enterprise"])
        return self.rng.choices(values, cum_weights=cumulative(weights))[0]

    def _occupation(self, org: OrgPlan, category: str) -> str:
        if category in (C.RETIRED, C.FRAIL):
            return "农民" if org.profile == "village" else "离退休人员"
        if category == C.STUDENT:
            return "学生"
        if category == C.MOBILE and org.profile == "village":
            return "外出务工人员"
        return self.rng.choice(OCCUPATIONS.get(org.profile, OCCUPATIONS["community"]))

    def _flags(self, org: OrgPlan, category: str, age: int, male: bool) -> list[str]:
        rng, flags = self.rng, []
        if age <= 35:
            flags.append(Flag.YOUTH.value)
        if male and rng.random() < 0.05:
            flags.append(Flag.VETERAN.value)
        if category in (C.RURAL, C.FRAIL) and rng.random() < 0.04:
            flags.append(Flag.HARDSHIP.value)
        if category == C.MOBILE and org.profile == "village":
            flags.append(Flag.MIGRANT_WORKER.value)
        return flags

    def _leading_cadre(self, org: OrgPlan, category: str, age: int) -> bool:
        share = {"organ": 0.15, "institution": 0.05}.get(org.profile, 0.0)
        return category == C.IN_SERVICE and age >= 35 and self.rng.random() < share

    # --- transfers, seats, temporary orgs ------------------------------------------------
    def _other_branch(
        self, plan: OrgPlan, branches: list[OrgPlan], local: list[OrgPlan]
    ) -> OrgPlan:
        pool = branches if self.rng.random() < 0.25 else local
        while (other := self.rng.choice(pool)) is plan:
            pass
        return other

    def plan_transfers(
        self, persons: list[Person], branches: list[OrgPlan], local: list[OrgPlan]
    ) -> list[TransferRow]:
        """≈0.5% received in the last year (placements split) and ≈0.3% still in transit."""
        rng = self.rng
        eligible = [p for p in persons if p.member.status in (Status.FULL, Status.PROBATIONARY)]
        received, transit = (
            max(2, round(len(eligible) * 0.005)),
            max(2, round(len(eligible) * 0.003)),
        )
        picks = rng.sample(eligible, min(len(eligible), received + transit))
        transfers: list[TransferRow] = []
        for i, person in enumerate(picks):
            other = self._other_branch(person.org, branches, local)
            if i < received:
                prior_start = max(person.member.joined_on, other.founded_on)
                low = max(self.as_of - dt.timedelta(days=365), prior_start + dt.timedelta(days=30))
                if low >= self.as_of:
                    continue
                on = self.day(low, self.as_of - dt.timedelta(days=1))
                sent = max(
                    prior_start + dt.timedelta(days=1), on - dt.timedelta(days=rng.randint(0, 14))
                )
                person.prior, person.prior_start, person.start = other, prior_start, on
                transfers.append((person, other, person.org, TransferStatus.RECEIVED, sent, on))
            else:
                sent = self.ago(1, 60)
                if sent <= person.start:
                    continue
                person.in_transit = True
                transfers.append((person, person.org, other, TransferStatus.IN_TRANSIT, sent, None))
        return transfers

    def _seat_roles(self, plan: OrgPlan) -> list[tuple[str, str]]:
        R = SeatRole  # noqa: N806
        committee = [(R.COMMITTEE_MEMBER, t) for t in ("组织委员", "宣传委员", "纪检委员")]
        if plan.kind in MEMBER_KINDS:
            if plan.full < 7:
                return [(R.SECRETARY, "")]
            if plan.full < 20:
                return [(R.SECRETARY, ""), *committee[:2]]
            return [(R.SECRETARY, ""), (R.DEPUTY_SECRETARY, ""), *committee]
        if plan.kind == K.GENERAL_BRANCH:
            return [(R.SECRETARY, ""), (R.DEPUTY_SECRETARY, ""), *committee]
        return [
            (R.SECRETARY, ""),
            (R.DEPUTY_SECRETARY, ""),
            (R.DEPUTY_SECRETARY, ""),
            *committee,
            (R.COMMITTEE_MEMBER, "统战委员"),
        ]

    def _pool(
        self, plan: OrgPlan, by_org: dict[OrgPlan, list[Person]], persons: list[Person]
    ) -> list[Person]:
        if plan.kind in MEMBER_KINDS:
            return by_org.get(plan, [])
        if plan.kind == K.GENERAL_BRANCH:
            return [p for child in plan.children for p in by_org.get(child, [])]
        inside = [p for p in persons if p.org.path.startswith(plan.path)]
        organs = [p for p in inside if p.org.profile == "organ"]
        return organs or inside

    def _holder(self, pool: list[Person], elected: dt.date, taken: set[int]) -> Person | None:
        """A full member for a seat: preferably one in the org since the election and not
        seated elsewhere; failing that anyone eligible (a town committee member may also
        lead a branch), never twice in the same body."""

        def fits(p: Person, level: int) -> bool:
            full_on = p.member.full_on
            if full_on is None or p.member.status != Status.FULL or p.in_transit:
                return False
            if id(p) in taken or (level < 2 and p.seated):
                return False
            return level > 0 or (p.start <= elected and full_on <= elected)

        for level in (0, 1, 2):
            for _ in range(40 if pool else 0):
                person = self.rng.choice(pool)
                if fits(person, level):
                    return person
            for person in pool:
                if fits(person, level):
                    return person
        return None

    def plan_seats(self, orgs: Iterable[OrgPlan], persons: list[Person]) -> list[SeatPlan]:
        """Leadership seats of most orgs; a few overdue terms and vacancies (ORG-04, ORG-05)."""
        rng, seats = self.rng, []
        by_org: dict[OrgPlan, list[Person]] = {}
        for person in persons:
            by_org.setdefault(person.org, []).append(person)
        for plan in orgs:
            if plan.kind in (K.PARTY_GROUP, K.TEMPORARY_ORG) or rng.random() < 0.02:
                continue
            five = plan.kind in COMMITTEE_KINDS or plan.sector in (S.RURAL, S.COMMUNITY)
            term = 365 * (5 if five else 3)
            elected = (
                self.ago(term + 30, term + 400) if rng.random() < 0.03 else self.ago(45, term - 45)
            )
            elected = max(elected, plan.founded_on + dt.timedelta(days=30))
            previous: dt.date | None = elected - dt.timedelta(days=term)
            if previous is not None and previous < plan.founded_on:
                previous = None
            if plan.kind != K.WORKING_COMMITTEE and rng.random() > 0.02:
                plan.elected, plan.previous = elected, previous
                plan.term_years = 5 if five else 3
            pool = self._pool(plan, by_org, persons)
            org_seats: list[SeatPlan] = []
            taken: set[int] = set()
            for role, title in self._seat_roles(plan):
                holder = self._holder(pool, elected, taken)
                if holder is None:
                    continue
                taken.add(id(holder))
                # holders were re-elected: their tenure began a term earlier
                since = previous or elected
                started = max(since, holder.start, holder.member.full_on or since)
                org_seats.append(SeatPlan(plan, role, title, holder, started))
                holder.seated = True
                if plan.kind in COMMITTEE_KINDS:
                    holder.member.leading_cadre = True
            self._vacate(org_seats)
            seats += org_seats
        return seats

    def _vacate(self, org_seats: list[SeatPlan]) -> None:
        """End a seat in ≈5% of bodies (the last committee member, rarely the secretary)."""
        r = self.rng.random()
        if not org_seats or r >= 0.05 or (len(org_seats) < 3 and r >= 0.01):
            return
        seat = org_seats[0] if r < 0.01 else org_seats[-1]
        ended = self.ago(20, 330)
        if ended > seat.started_on:
            seat.ended_on = ended

    def plan_seat_cases(
        self, orgs: Iterable[OrgPlan], persons: list[Person], seats: list[SeatPlan]
    ) -> list[tuple[SeatPlan, SeatPlan | None]]:
        """Two committee seats of the block left vacant too long (ORG-05), drawn from the
        `cases:members` stream after every app has planned the block (so nothing else
        changes): a committee member who moved away last spring, replaced only in
        February or March this year (vacant on 31 December of last year), and one who
        left seven to eight months ago, not replaced yet. Adds the successor's seat to
        `seats`; returns (ended seat, successor or None) for the meetings to follow."""
        cases, last = self.ctx.stream("cases:members"), self.as_of.year - 1
        left = dt.date(last, 4, 1) + dt.timedelta(days=cases.randint(0, 50))
        filled = dt.date(last + 1, 2, 16) + dt.timedelta(days=cases.randint(0, 28))
        recent = self.as_of - dt.timedelta(days=cases.randint(200, 260))
        bodies = self._case_bodies(orgs, seats)
        changes: list[tuple[SeatPlan, SeatPlan | None]] = []
        for ended, successor_on in ((left, filled), (recent, None)):
            fit = [(o, s) for o, s in bodies if s.started_on < ended and _elected_before(o, ended)]
            if not fit:
                continue
            org, seat = cases.choice(fit)
            bodies = [(o, s) for o, s in bodies if o is not org]
            seat.ended_on = ended
            new = self._successor(org, seat, persons, successor_on, cases)
            if new is not None:
                seats.append(new)
            changes.append((seat, new))
            since = f"{ended + dt.timedelta(days=1)}起空缺"
            note = f"{seat.title}{seat.person.member.name}调离，{since}" + (
                f"，{new.started_on}由{new.person.member.name}补任" if new else "，至今未补齐"
            )
            self.seat_gaps.append((org.code, note))
        return changes

    def _case_bodies(
        self, orgs: Iterable[OrgPlan], seats: list[SeatPlan]
    ) -> list[tuple[OrgPlan, SeatPlan]]:
        """(org, its last committee member's seat) of branches and general branches whose
        four or more seats are all held and whose holder stays a full member."""
        by_org: dict[OrgPlan, list[SeatPlan]] = {}
        for seat in seats:
            by_org.setdefault(seat.org, []).append(seat)
        found = []
        for plan in orgs:
            own = by_org.get(plan, [])
            if plan.kind not in MEMBER_KINDS | {K.GENERAL_BRANCH} or len(own) < 4:
                continue
            seat = own[-1]
            person = seat.person
            if seat.role != SeatRole.COMMITTEE_MEMBER or any(s.ended_on for s in own):
                continue
            if person.member.status == Status.FULL and not person.in_transit:
                found.append((plan, seat))
        return found

    def _successor(
        self,
        org: OrgPlan,
        seat: SeatPlan,
        persons: list[Person],
        day: dt.date | None,
        cases: random.Random,
    ) -> SeatPlan | None:
        if day is None or day >= self.as_of:
            return None
        by_org: dict[OrgPlan, list[Person]] = {}
        for person in persons:
            by_org.setdefault(person.org, []).append(person)
        pool = [
            p
            for p in self._pool(org, by_org, persons)
            if not p.seated
            and not p.in_transit
            and p.member.status == Status.FULL
            and p.start < day
            and p.member.full_on is not None
            and p.member.full_on < day
        ]
        if not pool:
            return None
        person = cases.choice(pool)
        person.seated = True
        return SeatPlan(org, seat.role, seat.title, person, day)

    def plan_temporary(self, orgs: Iterable[OrgPlan], persons: list[Person]) -> list[TemporaryRow]:
        rng, rows = self.rng, []
        pool = [p for p in persons if p.member.status == Status.FULL and not p.in_transit]
        for plan in orgs:
            if plan.kind != K.TEMPORARY_ORG or not pool:
                continue
            for person in rng.sample(pool, min(len(pool), rng.randint(6, 12))):
                started = max(plan.founded_on, person.start) + dt.timedelta(days=rng.randint(0, 20))
                if started >= self.as_of:
                    continue
                ended = started + dt.timedelta(days=rng.randint(20, 90))
                rows.append(
                    (
                        plan,
                        person,
                        started,
                        ended if rng.random() < 0.15 and ended < self.as_of else None,
                    )
                )
        return rows

    # --- saving -----------------------------------------------------------------------
    def save_seats(self, seats: list[SeatPlan]) -> None:
        """The terms and seats of the block (saved last: `plan_seat_cases` changes them
        after the other apps have planned the block)."""
        insert = self.insert
        elected = {s.org for s in seats if s.org.elected is not None}
        insert.objects(
            Term,
            [
                Term(org_id=o.pk, elected_on=day, years=o.term_years)
                for o in elected
                for day in (o.previous, o.elected)
                if day is not None
            ],
        )
        insert.objects(
            Seat,
            [
                Seat(
                    org_id=s.org.pk,
                    role=s.role,
                    title=s.title,
                    member_id=s.person.member.pk,
                    started_on=s.started_on,
                    ended_on=s.ended_on,
                )
                for s in seats
            ],
        )

    def save_block(
        self,
        persons: list[Person],
        transfers: list[TransferRow],
        seats: list[SeatPlan],
        temporary: list[TemporaryRow],
    ) -> None:
        insert = self.insert
        insert.objects(Member, [p.member for p in persons])
        spells = [(p.member.pk, *spell) for p in persons for spell in p.spells]
        insert.rows(StatusSpell, ["member", "status", "started_on", "ended_on", "reason"], spells)
        placements: list[tuple[int, int, dt.date | None, dt.date | None]] = []
        for p in persons:
            if p.prior is not None:
                placements.append((p.member.pk, p.prior.pk, p.prior_start, p.start))
            left = p.spells[-1][1] if p.member.status == Status.LEFT else None
            placements.append((p.member.pk, p.org.pk, p.start, left))
        insert.rows(Placement, ["member", "org", "started_on", "ended_on"], placements)
        insert.objects(Transfer, [self._transfer(*row) for row in transfers])
        insert.objects(
            TemporaryMembership,
            [
                TemporaryMembership(org_id=plan.pk, member_id=p.member.pk, started_on=a, ended_on=b)
                for plan, p, a, b in temporary
            ],
        )

    def _transfer(
        self,
        person: Person,
        source: OrgPlan,
        target: OrgPlan,
        status: str,
        sent: dt.date,
        received: dt.date | None,
    ) -> Transfer:
        self.letter_seq += 1
        return Transfer(
            member_id=person.member.pk,
            from_org_id=source.pk,
            to_org_id=target.pk,
            status=status,
            sent_on=sent,
            received_on=received,
            reason=self.rng.choice(TRANSFER_REASONS),
            letter_no=f"组转〔{sent.year}〕{self.letter_seq:05d}号",
        )
