"""The pipeline of every town: people from applicant to full member with their steps,
mentors and introducers; the admitted ones registered as members (the rows
`members.domain.register_member` and `set_member_status` make), a few of them late so that
DEV-01 and DEV-02 report (`CASES`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from faker import Faker

from xianfeng.core.demo import DemoContext, add_years
from xianfeng.lib.cipher import stored_id_number
from xianfeng.lib.dates import add_months
from xianfeng.lib.idcard import make_id_number
from xianfeng.lib.pinyin import person_initials
from xianfeng.members.models import Member, Placement, Status, StatusSpell

from ..models import Introducer, Mentor, Person, Stage, Step, TalentEntry
from ..models import StepKind as K
from .timeline import Late, Planned, Timeline
from .world import Branch, Town, World, case_branch, case_towns

REGION = "320684"
STAGE_OF: dict[str, str] = {
    K.APPLICATION: Stage.APPLICANT,
    K.ACTIVIST: Stage.ACTIVIST,
    K.CANDIDATE: Stage.ADMISSION_CANDIDATE,
    K.APPROVAL: Stage.PROBATIONARY,
    K.CONVERSION_APPROVAL: Stage.FULL,
    K.END: Stage.ENDED,
}
DATE_OF: dict[str, str] = {
    K.APPLICATION: "applied_on",
    K.ACTIVIST: "activist_on",
    K.CANDIDATE: "candidate_on",
    K.ADMISSION_MEETING: "admitted_on",
    K.APPROVAL: "approved_on",
}
DECIDED_BY: dict[str, str] = {
    K.TALK: "党支部组织委员",
    K.ACTIVIST: "党支部委员会",
    K.ACTIVIST_FILED: "基层党委组织委员",
    K.REVIEW: "党支部委员会",
    K.CANDIDATE: "党支部委员会",
    K.CANDIDATE_AGREED: "基层党委",
    K.POLITICAL_REVIEW: "党支部",
    K.SHORT_TRAINING: "基层党委党校",
    K.PRE_REVIEW: "基层党委",
    K.ADMISSION_MEETING: "党员大会",
    K.APPROVAL: "基层党委会议",
    K.CONVERSION_MEETING: "党员大会",
    K.CONVERSION_APPROVAL: "基层党委会议",
}
END_REASONS = ("本人撤回入党申请", "外出务工，失去联系", "考察期间表现不符合党员条件", "病故")
OCCUPATIONS = {
    "rural": ("农民", "种养殖户", "村务工作者", "农村个体工商户", "返乡创业青年"),
    "community": ("社区工作者", "个体工商户", "企业职工", "志愿者"),
}
OTHER_OCCUPATIONS = ("企业职工", "专业技术人员", "教师", "医生", "管理人员")
EDUCATION = (("10", "20", "30", "40", "60", "70"), (3, 25, 30, 15, 17, 10))


@dataclass(eq=False, slots=True)
class Plan:
    """A person in the pipeline with what the builder saves for them."""

    person: Person
    branch: Branch
    planned: Planned
    case: str = ""
    steps: list[tuple[str, dt.date, bool, dict[str, object]]] = field(default_factory=list)
    member: Member | None = None
    talent: TalentEntry | None = None


# The late cases of a case town, each for the end of the last full year and for the
# as-of date (what DEV-01 and DEV-02 find): the step placed, its day before the
# evaluation day, and what is late.
CASES: tuple[tuple[str, str, int, Late], ...] = (
    ("talk_late", K.APPLICATION, 50, Late(talk=70)),
    ("review_late", K.ACTIVIST, 250, Late()),
    ("report_missing", K.ACTIVIST, 300, Late()),
    ("mentor_missing", K.ACTIVIST, 200, Late()),
    ("approval_late", K.ADMISSION_MEETING, 110, Late(approval=150)),
    ("oath_late", K.APPROVAL, 50, Late(oath=60)),
    ("conversion_late", K.ADMISSION_MEETING, 110 + 365, Late(conversion=120)),
)


class PipelineBuilder:
    """Plans the people of every town (`plan`) and saves them (`save`)."""

    def __init__(self, ctx: DemoContext, world: World, used_ids: set[str], member_seq: int):
        self.ctx, self.world, self.as_of = ctx, world, ctx.as_of
        self.rng: random.Random = ctx.stream("recruitment")
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(f"{ctx.seed}:recruitment")
        self.timeline = Timeline(self.rng, world.calendar)
        self.used_ids, self.member_seq = used_ids, member_seq
        self.plans: list[Plan] = []
        self.talents: list[TalentEntry] = []
        self.last_year_end = dt.date(ctx.as_of.year - 1, 12, 31)

    # --- planning ------------------------------------------------------------------------
    def plan(self) -> list[Plan]:
        for town in self.world.towns:
            for branch in town.branches:
                for _n in range(1 + len(branch.full) // 15):
                    self._ordinary(branch)
        for town in case_towns(self.world):
            self._cases(town)
        return self.plans

    def _ordinary(self, branch: Branch) -> None:
        rng = self.rng
        applied = self.as_of - dt.timedelta(days=rng.randint(5, 1230))
        options = {"slow": 300 if rng.random() < 0.25 else 0, "extend": rng.random() < 0.03}
        planned = self.timeline.plan(applied, Late(), **options)  # type: ignore[arg-type]
        ended = None
        if rng.random() < 0.08:
            ended = applied + dt.timedelta(
                days=rng.randint(20, max(20, (self.as_of - applied).days))
            )
        self._add(branch, planned, ended=ended)

    def _cases(self, town: Town) -> None:
        """The late cases, in one branch of the town (its records fall behind)."""
        branch = case_branch(town)
        for day in (self.last_year_end, self.as_of):
            for name, kind, before, late in CASES:
                late = _gaps(late, name, day)
                on = day - dt.timedelta(days=before)
                planned = self.timeline.placed(kind, on, late, slow=300 if before >= 200 else 0)
                self._add(branch, planned, case=name)
        national_day = self.world.calendar.shift(dt.date(self.as_of.year - 1, 9, 29), 1)
        self._add(branch, self.timeline.placed(K.CANDIDATE_NOTICE, national_day, Late()))
        withdrawn = self.as_of - dt.timedelta(days=200)
        planned = self.timeline.placed(K.ACTIVIST, withdrawn - dt.timedelta(days=150), Late())
        self._add(branch, planned, ended=withdrawn)

    def _add(
        self, branch: Branch, planned: Planned, case: str = "", ended: dt.date | None = None
    ) -> None:
        cut = min(self.as_of, ended or self.as_of)
        steps = [s for s in planned.steps if s[1] <= cut]
        if any(s[0] == K.APPROVAL for s in steps):  # admitted: a member, no longer ended here
            steps = [s for s in planned.steps if s[1] <= self.as_of]
        elif ended is not None and ended < self.as_of:
            steps.append((K.END, ended, False, {"conclusion": self.rng.choice(END_REASONS)}))
        plan = Plan(self._person(branch, steps), branch, planned, case, steps)
        self.plans.append(plan)

    def _person(
        self, branch: Branch, steps: list[tuple[str, dt.date, bool, dict[str, object]]]
    ) -> Person:
        rng, fake = self.rng, self.fake
        applied = steps[0][1]
        male = rng.random() < 0.55
        age = round(rng.triangular(19, 45, 27))
        birth = add_years(applied, -age) - dt.timedelta(days=rng.randint(1, 360))
        number = self._id_number(birth, male)
        name = fake.last_name() + (fake.first_name_male() if male else fake.first_name_female())
        person = Person(
            org_id=branch.pk,
            name=name,
            name_initials=person_initials(name),
            gender="1" if male else "2",
            birth_date=birth,
            **stored_id_number(number, cipher=self.ctx.cipher),
            education=rng.choices(*EDUCATION)[0],
            occupation=rng.choice(OCCUPATIONS.get(branch.sector, OTHER_OCCUPATIONS)),
            sector=branch.sector,
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            applied_on=applied,
            stage_since=applied,
        )
        for kind, on, _committee, fields in steps:
            if kind in DATE_OF:
                setattr(person, DATE_OF[kind], on)
            if kind in STAGE_OF:
                person.stage, person.stage_since = STAGE_OF[kind], on
            if kind == K.END:
                person.ended_on, person.ended_reason = on, str(fields["conclusion"])
        if person.admitted_on is not None:
            extended = any(k == K.EXTENSION for k, *_ in steps)
            ends = add_years(person.admitted_on, 1)
            person.probation_ends_on = add_months(ends, 6) if extended else ends
        if person.stage == Stage.FULL:  # party age from the end of the probation
            person.full_on = person.probation_ends_on
        if any(k == K.VOLUNTEER_BOOK for k, *_ in steps):
            person.volunteer_book_no = f"{REGION}{applied.year}{rng.randrange(10**5):05d}"
        return person

    def _id_number(self, birth: dt.date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = make_id_number(REGION, birth, max(sequence, 2 if not male else 1))
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # --- saving --------------------------------------------------------------------------
    def save(self, disciplined: set[int]) -> None:
        """Talent entries, members, people, steps, mentors and introducers, in bulk."""
        insert = self.ctx.insert
        self._talents()
        insert.objects(TalentEntry, self.talents)
        self._members()
        members = [p.member for p in self.plans if p.member is not None]
        insert.objects(Member, members)
        self._member_rows(members)
        for plan in self.plans:
            plan.person.member_id = plan.member.pk if plan.member is not None else None
            plan.person.talent_id = plan.talent.pk if plan.talent is not None else None
        insert.objects(Person, [p.person for p in self.plans])
        insert.objects(Step, [self._step(*row) for row in steps_of(self.plans)])
        insert.objects(Mentor, [m for p in self.plans for m in self._mentors(p, disciplined)])
        insert.objects(
            Introducer, [i for p in self.plans for i in self._introducers(p, disciplined)]
        )

    def _talents(self) -> None:
        """A third of the ordinary people were found by the talent survey first."""
        for plan in self.plans:
            if plan.case or self.rng.random() >= 0.3:
                continue
            p = plan.person
            entry = TalentEntry(
                org_id=p.org_id,
                name=p.name,
                gender=p.gender,
                birth_date=p.birth_date,
                id_number_cipher=p.id_number_cipher,
                id_number_hmac=p.id_number_hmac,
                id_number_masked=p.id_number_masked,
                phone=p.phone,
                kind=self.rng.choice(TALENT_KINDS.get(p.sector, ("skilled", "other"))),
                occupation=p.occupation,
                sector=p.sector,
                surveyed_on=p.applied_on - dt.timedelta(days=self.rng.randint(30, 400)),
                status="pipeline",
            )
            self.talents.append(entry)
            plan.talent = entry

    def _members(self) -> None:
        """The admitted people's member records, as registration at the approval makes them."""
        for plan in self.plans:
            p = plan.person
            if p.approved_on is None or p.admitted_on is None:
                continue
            self.member_seq += 1
            full = p.full_on is not None
            plan.member = Member(
                code=f"P{self.member_seq:08d}",
                name=p.name,
                name_initials=p.name_initials,
                gender=p.gender,
                birth_date=p.birth_date,
                id_number_cipher=p.id_number_cipher,
                id_number_hmac=p.id_number_hmac,
                id_number_masked=p.id_number_masked,
                education=p.education,
                occupation=p.occupation,
                phone=p.phone,
                joined_on=p.admitted_on,
                full_on=p.probation_ends_on if full else None,
                status=Status.FULL if full else Status.PROBATIONARY,
                status_since=(p.probation_ends_on if full else None) or p.admitted_on,
                org_id=p.org_id,
            )

    def _member_rows(self, members: list[Member]) -> None:
        spells: list[tuple[int, str, dt.date, dt.date | None]] = []
        for m in members:
            spells.append((m.pk, Status.PROBATIONARY, m.joined_on, m.full_on))
            if m.full_on is not None:
                spells.append((m.pk, Status.FULL, m.full_on, None))
        insert = self.ctx.insert
        insert.rows(StatusSpell, ["member", "status", "started_on", "ended_on"], spells)
        placements = [(m.pk, m.org_id, m.joined_on) for m in members]
        insert.rows(Placement, ["member", "org", "started_on"], placements)

    def _step(
        self, plan: Plan, kind: str, on: dt.date, committee: bool, fields: dict[str, object]
    ) -> Step:
        step = Step(
            person_id=plan.person.pk,
            kind=kind,
            on=on,
            org_id=plan.branch.committee if committee else plan.branch.pk,
            decided_by=DECIDED_BY.get(kind, ""),
        )
        for name, value in fields.items():
            setattr(step, name, value)
        if kind == K.VOLUNTEER_BOOK:
            step.conclusion = plan.person.volunteer_book_no
        return step

    def _mentors(self, plan: Plan, disciplined: set[int]) -> list[Mentor]:
        p = plan.person
        if p.activist_on is None:
            return []
        pool = [
            m for m, full_on in plan.branch.full if full_on < p.activist_on and m not in disciplined
        ]
        chosen = self.rng.sample(pool, min(len(pool), 1 if self.rng.random() < 0.7 else 2))
        end = p.approved_on or p.ended_on
        gap = plan.planned.mentor_gap
        if gap is None:
            return [
                Mentor(person_id=p.pk, member_id=m, started_on=p.activist_on, ended_on=end)
                for m in chosen
            ]
        first = Mentor(
            person_id=p.pk,
            member_id=chosen[0],
            started_on=p.activist_on,
            ended_on=gap - dt.timedelta(days=40),
        )
        again = gap + dt.timedelta(days=20)
        if again > self.as_of:
            return [first]
        other = next(m for m in pool if m != chosen[0])
        return [first, Mentor(person_id=p.pk, member_id=other, started_on=again, ended_on=end)]

    def _introducers(self, plan: Plan, disciplined: set[int]) -> list[Introducer]:
        chosen_on = next((on for kind, on, *_ in plan.steps if kind == K.INTRODUCERS), None)
        if chosen_on is None:
            return []
        pool = [
            m for m, full_on in plan.branch.full if full_on < chosen_on and m not in disciplined
        ]
        return [
            Introducer(person_id=plan.person.pk, member_id=m, chosen_on=chosen_on)
            for m in self.rng.sample(pool, 2)
        ]


TALENT_KINDS = {
    "rural": ("grower", "broker", "migrant", "skilled"),
    "community": ("business_owner", "skilled", "other"),
    "private": ("skilled", "business_owner"),
}


def _gaps(late: Late, name: str, day: dt.date) -> Late:
    """The case's late parts that hang on the evaluation day."""
    if name == "review_late":
        return Late(review_gap=day)
    if name == "report_missing":
        return Late(report_gap=day)
    if name == "mentor_missing":
        return Late(mentor_gap=day)
    return late


def steps_of(plans: list[Plan]) -> Iterator[tuple[Plan, str, dt.date, bool, dict[str, object]]]:
    for plan in plans:
        for kind, on, committee, fields in plan.steps:
            yield plan, kind, on, committee, fields
