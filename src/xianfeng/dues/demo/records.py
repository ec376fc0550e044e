"""The dues records saved before the ledger is computed: each branch's central payment
day and farmers' monthly amount, the dues kinds that differ from what the member category
implies (the self-employed; retired farmers in the villages; in each block a retirement
in the last full year and one this year, a lay-off), the declared monthly bases (yearly;
quarterly for the self-employed), a hardship waiver approved by the committee above and
one still proposed, and a member paying quarterly by the branch's consent.

A few members of each block declare no base for this year, and a few none for the last
full year (their base of the year before is carried over), for DUES-01."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xianfeng.core.demo import DemoContext
from xianfeng.members.models import Category, Flag
from xianfeng.orgs.models import Level, OrgPreference

from ..ledger import BASED_KINDS, FARMER_KEY, default_kind
from ..models import Arrangement, Declaration, DuesKind, KindSpell, Reduction, ReductionState
from .common import money, month_label, save_tracked
from .world import Block, Person, World

K = DuesKind
SELF_EMPLOYED_JOBS = frozenset({"个体工商户", "农村个体工商户", "自由职业者"})
PAY_DAY_KEY = "dues.payment_day"
PAY_DAYS = ((5, 10, 15, 20, 25), (3, 4, 3, 2, 1))
FARMER_AMOUNTS = (0.3, 0.5, 0.5, 1.0)  # what a village branch fixes (0.2 when it fixes none)
# monthly base (yuan, after tax) as (low, high, mode): salaried by the unit's sector
SALARY = {
    "government": (4000, 15000, 7500),
    "institution": (3500, 14000, 6500),
    "school": (3500, 12000, 6500),
    "hospital": (4000, 15000, 8000),
    "soe": (3500, 15000, 7000),
    "private": (2500, 15000, 5500),
    "social": (2500, 10000, 4500),
}
OTHER_SALARY = (2000, 9000, 4000)  # villages, communities: workers, cadres
MOBILE_SALARY = (2500, 9000, 4800)  # working away
PENSION = (2000, 8000, 4200)
SELF_EMPLOYED = (2000, 12000, 4500)


@dataclass
class Plan:
    """What the payments need to know of the records saved here."""

    kinds: dict[int, list[tuple[dt.date, str]]] = field(default_factory=dict)  # recorded
    pay_days: dict[int, int] = field(default_factory=dict)  # org → day of the month
    special: set[int] = field(default_factory=set)  # members given a case here
    quarterly: set[int] = field(default_factory=set)
    cases: list[tuple[str, str]] = field(default_factory=list)  # (org code, what) for the summary
    counts: Counter[str] = field(default_factory=Counter)

    def kind_on(self, person: Person, day: dt.date) -> str:
        found = default_kind(person.category)
        for started, kind in self.kinds.get(person.pk, ()):
            if started > day:
                break
            found = kind
        return found


class RecordsBuilder:
    def __init__(self, ctx: DemoContext, rng: random.Random, world: World):
        self.ctx, self.rng, self.world = ctx, rng, world
        self.plan = Plan()
        self.y1, self.y2 = world.years
        self.no_declaration: dict[int, set[int]] = {self.y1: set(), self.y2: set()}
        self.bases: dict[tuple[int, str], Decimal] = {}
        self.spells: dict[int, list[tuple[dt.date, str, str]]] = {}  # (from, kind, note)

    def build(self) -> Plan:
        self._preferences()
        self._usual_kinds()
        reductions: list[Reduction] = []
        arrangements: list[Arrangement] = []
        for block in self.world.blocks:
            self._block_cases(block, reductions, arrangements)
        self.ctx.insert.objects(Reduction, reductions)
        self.ctx.insert.objects(Arrangement, arrangements)
        spells = [
            (member, kind, started, note)
            for member, kinds in sorted(self.spells.items())
            for started, kind, note in kinds
        ]
        self.plan.kinds = {m: [(s, k) for s, k, _n in ks] for m, ks in self.spells.items()}
        counts = self.plan.counts
        counts["kinds"] = save_tracked(
            self.ctx, KindSpell, ["member", "kind", "started_on", "note"], spells
        )
        counts["declarations"] = save_tracked(
            self.ctx,
            Declaration,
            ["member", "period", "monthly_base", "declared_on"],
            self._declarations(),
        )
        counts["reductions"] = len(reductions)
        counts["arrangements"] = len(arrangements)
        return self.plan

    # --- the branches' own choices ---------------------------------------------------------

    def _preferences(self) -> None:
        rng, rows = self.rng, []
        for block in self.world.blocks:
            for org in block.branches:
                day = rng.choices(PAY_DAYS[0], weights=PAY_DAYS[1])[0]
                self.plan.pay_days[org.pk] = day
                rows.append(OrgPreference(org_id=org.pk, key=PAY_DAY_KEY, value=day))
                if org.level == Level.VILLAGE and org.sector == "rural" and rng.random() < 0.5:
                    amount = rng.choice(FARMER_AMOUNTS)
                    rows.append(OrgPreference(org_id=org.pk, key=FARMER_KEY, value=amount))
        self.ctx.insert.objects(OrgPreference, rows)

    # --- dues kinds ------------------------------------------------------------------------

    def _usual_kinds(self) -> None:
        """The self-employed, and the retired farmers of the villages (no pension)."""
        kinds = self.spells
        for person in self.world.members.values():
            if person.occupation in SELF_EMPLOYED_JOBS and person.category in (
                Category.IN_SERVICE,
                Category.MOBILE,
                Category.RURAL,
            ):
                kinds[person.pk] = [(person.joined_on, K.SELF_EMPLOYED, "个体经营等其他收入")]
            elif person.occupation == "农民" and person.category in (
                Category.RETIRED,
                Category.FRAIL,
            ):
                kinds[person.pk] = [(person.joined_on, K.FARMER, "农村老党员，按农民党员交纳")]

    def _block_cases(
        self, block: Block, reductions: list[Reduction], arrangements: list[Arrangement]
    ) -> None:
        world, plan = self.world, self.plan
        free = [
            p
            for p in block.members
            if p.pk not in world.seated and p.pk not in plan.special and p.pk not in self.spells
        ]
        retired = sorted(
            (p for p in free if p.category == Category.RETIRED and p.occupation == "离退休人员"),
            key=lambda p: (p.birth_date, p.pk),
            reverse=True,
        )[:6]  # the youngest retired: they retired lately
        months = [self.y1] + ([self.y2] if world.as_of.month >= 3 else [])
        for year, person in zip(months, self._draw(retired, len(months)), strict=False):
            last = 9 if year == self.y1 else world.as_of.month - 1
            day = dt.date(year, self.rng.randint(4 if year == self.y1 else 2, last), 15)
            self._change_kind(person, K.SALARIED, K.RETIRED, day, "退休")
        private = [
            p
            for p in free
            if p.category == Category.IN_SERVICE and world.orgs[p.stays].sector == "private"
        ]
        for person in self._draw(private, 1):
            day = dt.date(self.y1, self.rng.randint(3, 10), self.rng.randint(1, 28))
            self._change_kind(person, K.SALARIED, K.MINIMUM, day, "下岗失业")
        self._reductions(free, reductions)
        self._arrangement(block, arrangements)
        self._declaration_gaps(free)

    def _draw(self, pool: list[Person], count: int) -> list[Person]:
        pool = [p for p in pool if p.pk not in self.plan.special]
        drawn = self.rng.sample(pool, min(count, len(pool)))
        self.plan.special.update(p.pk for p in drawn)
        return drawn

    def _change_kind(self, person: Person, before: str, after: str, day: dt.date, why: str) -> None:
        self.spells[person.pk] = [(person.joined_on, before, ""), (day, after, why)]
        label = K(after).label
        self.plan.cases.append(
            (
                self.world.orgs[person.stays].code,
                f"{person.name}{day:%Y-%m-%d}{why}，党费改按{label}",
            )
        )

    def _reductions(self, free: list[Person], reductions: list[Reduction]) -> None:
        """One waiver approved by the committee above, one still proposed."""
        world, rng = self.world, self.rng
        hardship = [p for p in free if Flag.HARDSHIP in p.flags] or [
            p for p in free if p.category in (Category.RURAL, Category.FRAIL)
        ]
        for number, person in enumerate(self._draw(hardship, 2)):
            branch = world.orgs[person.stays]
            if number == 0:
                proposed = dt.date(self.y1, 2, rng.randint(10, 25))
                first, what = dt.date(self.y1, 3, 1), "免交党费（已批准）"
                decided: dict[str, Any] = {
                    "state": ReductionState.APPROVED,
                    "decided_by_org_id": world.committee_above(branch.pk).pk,
                    "decided_on": proposed + dt.timedelta(days=rng.randint(7, 20)),
                    "decision_note": "经党委会研究，同意免交",
                }
            else:
                proposed = max(world.as_of - dt.timedelta(days=rng.randint(3, 10)), world.first)
                first, what, decided = world.as_of.replace(day=1), "申请免交党费（待审批）", {}
            reductions.append(
                Reduction(
                    member_id=person.pk,
                    first_month=first,
                    last_month=dt.date(self.y2, 12, 1),
                    monthly_amount=Decimal("0.00"),
                    reason="本人身患重病，家庭生活困难，经支部委员会研究，提出免交党费",
                    proposed_by_org_id=branch.pk,
                    proposed_on=proposed,
                    **decided,
                )
            )
            self.plan.cases.append((branch.code, f"{person.name}自{month_label(first)}起{what}"))

    def _arrangement(self, block: Block, arrangements: list[Arrangement]) -> None:
        self_employed = [
            p
            for p in block.members
            if p.pk not in self.world.seated
            and [k for _s, k, _n in self.spells.get(p.pk, ())] == [K.SELF_EMPLOYED]
        ]
        for person in self._draw(self_employed, 1):
            agreed = dt.date(self.y1 - 1, 12, self.rng.randint(10, 28))
            arrangements.append(
                Arrangement(
                    member_id=person.pk,
                    first_month=dt.date(self.y1, 1, 1),
                    agreed_on=agreed,
                    note="常年在外经营，经支部委员会同意按季交纳",
                )
            )
            self.plan.quarterly.add(person.pk)
            code = self.world.orgs[person.stays].code
            self.plan.cases.append((code, f"{person.name}经支部同意按季交纳党费"))

    def _declaration_gaps(self, free: list[Person]) -> None:
        salaried = [
            p
            for p in free
            if p.pk not in self.plan.special and default_kind(p.category) == K.SALARIED
        ]
        for number, person in enumerate(self._draw(salaried, 5)):
            year = self.y2 if number < 3 else self.y1
            self.no_declaration[year].add(person.pk)
            code = self.world.orgs[person.stays].code
            self.plan.cases.append((code, f"{person.name}未申报{year}年度党费基数"))

    # --- declared bases --------------------------------------------------------------------

    def _declarations(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for person in self.world.members.values():
            for year in (self.y1, self.y2):
                rows += self._declared(person, year)
        return rows

    def _declared(self, person: Person, year: int) -> list[tuple[Any, ...]]:
        last = min(dt.date(year, 12, 31), self.world.as_of)
        spans = person.active_in(dt.date(year, 1, 1), last)
        if not spans:
            return []
        kinds = self._kinds_in(person, spans)
        based = [k for k in kinds if k in BASED_KINDS]
        if not based:
            return []
        if person.pk in self.no_declaration[year]:
            if year == self.y2:
                return []
            day = dt.date(year - 1, 2, self.rng.randint(1, 28))  # the year before, carried over
            return [(person.pk, str(year - 1), self._base(person, based[0], year - 1), day)]
        if based[0] == K.SELF_EMPLOYED:
            return self._quarters(person, year, spans)
        first = spans[0][0]
        day = first + dt.timedelta(days=self.rng.randint(2, 60 if first.month == 1 else 20))
        if day > self.world.as_of:
            return []
        return [(person.pk, str(year), self._base(person, based[0], year), day)]

    def _kinds_in(self, person: Person, spans: list[tuple[dt.date, dt.date]]) -> list[str]:
        if person.pk not in self.plan.kinds:
            return [default_kind(person.category)]
        days = [spans[0][0], spans[-1][1]]
        days += [s for s, _k in self.plan.kinds[person.pk] if spans[0][0] <= s <= spans[-1][1]]
        return list(dict.fromkeys(self.plan.kind_on(person, day) for day in sorted(days)))

    def _quarters(self, person: Person, year: int, spans: list[tuple[dt.date, dt.date]]) -> list:
        rows = []
        for quarter in range(1, 5):
            start = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year, 3 * quarter, 28)
            if not any(low <= end and high >= start for low, high in spans):
                continue
            day = max(start, spans[0][0]) + dt.timedelta(days=self.rng.randint(2, 25))
            if day > self.world.as_of:
                break
            base = self._base(person, K.SELF_EMPLOYED, year)
            varied = money(float(base) * self.rng.uniform(0.85, 1.15))
            varied = min(max(varied, Decimal(SELF_EMPLOYED[0])), Decimal(SELF_EMPLOYED[1]))
            rows.append((person.pk, f"{year}-Q{quarter}", varied, day))
        return rows

    def _base(self, person: Person, kind: str, year: int) -> Decimal:
        """A member's monthly base for `kind`: drawn once, a little higher a year later."""
        key = (person.pk, kind)
        low, high, mode = self._range(person, kind)
        if key not in self.bases:
            self.bases[key] = money(self.rng.triangular(low, high, mode))
        base = self.bases[key]
        if year > self.y1:
            base = money(float(base) * self.rng.uniform(1.0, 1.06))
        return min(base, Decimal(high))

    def _range(self, person: Person, kind: str) -> tuple[int, int, int]:
        if kind == K.RETIRED:
            return PENSION
        if kind == K.SELF_EMPLOYED:
            return SELF_EMPLOYED
        if person.category == Category.MOBILE:
            return MOBILE_SALARY
        return SALARY.get(self.world.orgs[person.org].sector, OTHER_SALARY)
