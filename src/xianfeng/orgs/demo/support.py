"""ORG-07 … ORG-09 records of the demo: contact points and visits, activity venues,
party-affairs staff posts, budgets and spending (see `xianfeng.demo`), drawn from the
`support` stream; the deliberate gaps go to `support_gaps`."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xianfeng.core.demo import DemoContext, DemoPart, month_end, words, yuan
from xianfeng.members.models import Status
from xianfeng.orgs.models import (
    MEMBER_KINDS,
    VENUE_ITEMS,
    Budget,
    ContactPoint,
    Level,
    OrgKind,
    Sector,
    Spending,
    StaffPost,
    Venue,
    Visit,
    VisitKind,
)

from .plan import OrgPlan, base_name

if TYPE_CHECKING:
    from xianfeng.members.demo import Person, SeatPlan


K, L, S = OrgKind, Level, Sector


# ORG-07 … ORG-09: who keeps contact points (the national org.contact.leader_kinds), what a
# visit is about, what the activity money buys.
LEADER_KINDS = frozenset({K.PARTY_COMMITTEE, K.WORKING_COMMITTEE})
BUDGET_PER_MEMBER = 600  # yuan a member a year: seed 003's org.budget.per_member_yuan
GROUP_KINDS = frozenset({K.PARTY_GROUP, K.TEMPORARY_ORG})  # no venue, staff or budget
VENUE_VILLAGE_KINDS = frozenset({K.BRANCH, K.GENERAL_BRANCH, K.JOINT_BRANCH})
VENUE_ITEM_FIELDS = tuple(VENUE_ITEMS)
BUDGET_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
VISIT_KINDS = (VisitKind.VISIT, VisitKind.GUIDANCE, VisitKind.REPORT, VisitKind.PROBLEM)
VISIT_WEIGHTS = (45, 20, 20, 15)
VISIT_TOPICS = words(
    "党员教育管理 发展党员工作 “三会一课”落实 基层组织建设 党员先锋作用发挥 为民办实事 "
    "党务公开 主题党日活动 党风廉政建设 乡村振兴 基层治理"
)
VISIT_PROBLEMS = words(
    "党员活动室漏雨维修 党建工作经费保障 流动党员联系管理 远程教育设备老化 困难党员帮扶 "
    "党员组织关系转接遗留 党建阵地标识更新 年轻党员发展断档"
)
VISIT_TEXTS: dict[str, tuple[str, ...]] = {
    VisitKind.VISIT: (
        "到{org}走访调研，了解{topic}情况",
        "走访{org}老党员和困难党员，听取意见建议",
        "到{org}调研{topic}，与支部班子成员座谈",
    ),
    VisitKind.GUIDANCE: (
        "指导{org}开展主题党日活动",
        "参加{org}组织生活会并作点评",
        "指导{org}做好{topic}",
        "到{org}讲专题党课",
    ),
    VisitKind.REPORT: (
        "听取{org}党建工作汇报，研究{topic}",
        "听取{org}书记抓基层党建工作情况汇报",
    ),
    VisitKind.PROBLEM: (
        "协调解决{org}{problem}问题",
        "帮助{org}解决{problem}问题",
    ),
}
# Monthly-ish spending of the activity budget: every month a 主题党日, seasonal items,
# now and then something else (purpose, relative size).
SPENDING_MONTHLY = ("主题党日活动", 10)
SPENDING_SEASONAL = {
    1: ("春节走访慰问困难党员", 30),
    3: ("党课教材和学习资料", 14),
    6: ("“七一”表彰和慰问老党员", 30),
    9: ("党建阵地维护", 20),
    11: ("订阅下一年度党报党刊", 22),
}
SPENDING_OTHER = (
    ("党员教育培训", 16),
    ("党课教材和学习资料", 8),
    ("党建阵地维护", 12),
    ("党务公开栏更新", 6),
    ("党员志愿服务活动", 8),
    ("慰问困难党员", 12),
)


class OrgSupport(DemoPart):
    """Plans and saves a block's support records (`save_support`)."""

    def __init__(self, ctx: DemoContext, orgs: list[OrgPlan]):
        super().__init__(ctx)
        self.orgs = orgs
        self.support = ctx.stream("support")
        self.office: OrgPlan | None = None  # the root of seed 003's subtree
        self.office_orgs: set[int] = set()  # id() of the plans in it
        self.support_gaps: list[tuple[str, str]] = []
        self.targets: dict[OrgPlan, list[OrgPlan]] = {}
        self._find_office()

    def _find_office(self) -> None:
        """The subtree seed 003 goes on (`_attach_policies`): the first government working
        committee in path order; at town scale, which has none, the town's organs branch
        (the first government branch), so that ORG-08, ORG-09, LIFE-07 and the rotation
        of STUDY-04 are at work in the town demo too."""
        self.office = next(
            (p for p in self.orgs if p.kind == K.WORKING_COMMITTEE and p.sector == S.GOVERNMENT),
            None,
        )
        if self.office is None and self.scale == "town":
            self.office = next(
                (p for p in self.orgs if p.kind in MEMBER_KINDS and p.sector == S.GOVERNMENT),
                None,
            )
        stack = [self.office] if self.office is not None else []
        while stack:
            plan = stack.pop()
            self.office_orgs.add(id(plan))
            stack += plan.children

    def _sday(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.support.randint(0, max(0, (high - low).days)))

    def _gap(self, plan: OrgPlan, note: str) -> None:
        self.support_gaps.append((plan.code, note))

    def _targets(self, plan: OrgPlan) -> list[OrgPlan]:
        """The branches (and joint branches) below a leadership org: its contact points."""
        if plan not in self.targets:
            found, stack = [], list(reversed(plan.children))
            while stack:
                child = stack.pop()
                if child.kind in MEMBER_KINDS:
                    found.append(child)
                elif child.kind != K.TEMPORARY_ORG:
                    stack += reversed(child.children)
            self.targets[plan] = found
        return self.targets[plan]

    def _target(self, targets: list[OrgPlan], taken: set[int], own: list[Any]) -> OrgPlan:
        """A target no other leader of the body follows yet, if any is left."""
        free = [t for t in targets if id(t) not in taken] or [
            t for t in targets if all(t is not row[1] for row in own)
        ]
        chosen = self.support.choice(free or targets)
        taken.add(id(chosen))
        return chosen

    def plan_contacts(
        self, seats: list[SeatPlan]
    ) -> tuple[list[ContactPoint], list[tuple[ContactPoint, dt.date, str, str]]]:
        """Contact points of the leaders of party committees and working committees since
        their seat began, and their visits in the last full year and this year (ORG-07)."""
        rng, last = self.support, self.as_of.year - 1
        jan1 = dt.date(last, 1, 1)
        leaders = [s for s in seats if s.org.kind in LEADER_KINDS]
        steady = [s for s in leaders if s.started_on <= jan1 and s.ended_on is None]
        without = {id(s) for s in rng.sample(steady, min(len(steady), rng.randint(2, 3)))}
        idle = {id(s) for s in steady if rng.random() < 0.015}
        towns = [s for s in steady if s.org.level == L.TOWN and id(s) not in without]
        if towns:  # one in the block's first town (seed 004 goes on the demo's first town)
            first = min(s.org.path for s in towns)
            idle.add(id(rng.choice([s for s in towns if s.org.path == first])))
        office = [s for s in steady if id(s.org) in self.office_orgs and id(s) not in without]
        lapse = {id(rng.choice(office)): rng.randint(1, 4)} if office else {}
        points: list[ContactPoint] = []
        visits: list[tuple[ContactPoint, dt.date, str, str]] = []
        taken: dict[OrgPlan, set[int]] = {}
        for seat in leaders:
            name = f"{seat.org.name}班子成员{seat.person.member.name}"
            if id(seat) in without:
                self._gap(seat.org, f"{name}未建立联系点")
                continue
            targets = self._targets(seat.org)
            if not targets:
                continue
            used = taken.setdefault(seat.org, set())
            spans, start, end = self._spans(seat, targets, used, jan1)
            points += [span[0] for span in spans]
            if id(seat) in idle:
                self._gap(seat.org, f"{name}{last}年未到联系点走访")
            if id(seat) in lapse:
                self._gap(seat.org, f"{name}{last}年第{lapse[id(seat)]}季度未履行联系点职责")
            visits += self._visits(seat, spans, (start, end), idle, lapse)
        return points, visits

    def _spans(
        self, seat: SeatPlan, targets: list[OrgPlan], used: set[int], jan1: dt.date
    ) -> tuple[list[list[Any]], dt.date, dt.date | None]:
        """A leader's contact points as [point, target, start, end], a few moved last year."""
        rng = self.support
        end = seat.ended_on
        start = min(seat.started_on + dt.timedelta(days=rng.randint(0, 10)), self.as_of)
        start = min(start, end) if end is not None else start
        spans: list[list[Any]] = []
        spans.append([None, self._target(targets, used, spans), start, end])
        r = rng.random()
        if r < 0.2 and len(targets) > 1:
            spans.append([None, self._target(targets, used, spans), start, end])
        elif r < 0.26 and end is None and start < jan1:  # the point moved to another branch
            moved = self._sday(jan1 + dt.timedelta(days=60), self.as_of - dt.timedelta(days=30))
            spans[0][3] = moved - dt.timedelta(days=1)
            spans.append([None, self._target(targets, used, spans), moved, None])
        for span in spans:  # not before the target exists (founded later: from then)
            span[2] = max(span[2], span[1].founded_on)
        spans = [span for span in spans if span[3] is None or span[2] <= span[3]]
        for span in spans:
            span[0] = ContactPoint(
                org_id=seat.org.pk,
                leader_id=seat.person.member.pk,
                target_id=span[1].pk,
                started_on=span[2],
                ended_on=span[3],
            )
        return spans, start, end

    def _visits(
        self,
        seat: SeatPlan,
        spans: list[list[Any]],
        held: tuple[dt.date, dt.date | None],
        idle: set[int],
        lapse: dict[int, int],
    ) -> list[tuple[ContactPoint, dt.date, str, str]]:
        """A leader's visits to the contact points in the last full year and this year."""
        rng, last = self.support, self.as_of.year - 1
        (start, end), visits = held, []
        for year in (last, last + 1):
            low = max(dt.date(year, 1, 1), start)
            high = min(dt.date(year, 12, 31), self.as_of, end or self.as_of)
            if low > high or (year == last and id(seat) in idle):
                continue
            if id(seat.org) in self.office_orgs:
                plan = self._quarterly(low, high, lapse.get(id(seat), 0) if year == last else 0)
            else:
                plan = self._yearly(low, high)
            for day, kind in plan:
                active = [s for s in spans if s[2] <= day and (s[3] is None or s[3] >= day)]
                if active:
                    point, target = rng.choice(active)[:2]
                    visits.append((point, day, kind, self._visit_text(kind, target)))
        return visits

    def _quarterly(self, low: dt.date, high: dt.date, skip: int) -> list[tuple[dt.date, str]]:
        """Seed 003: each quarter a report heard, a visit and a problem solved (a few missed)."""
        rng = self.support
        rows: list[tuple[dt.date, str]] = []
        for quarter in range(1, 5):
            start = dt.date(low.year, quarter * 3 - 2, 1)
            end = (
                dt.date(low.year, quarter * 3 + 1, 1) - dt.timedelta(days=1)
                if quarter < 4
                else dt.date(low.year, 12, 31)
            )
            a, b = max(start, low), min(end, high)
            r = rng.random()
            if a > b or quarter == skip or r < 0.03:
                continue
            kinds = [VisitKind.REPORT, VisitKind.VISIT, VisitKind.PROBLEM]
            if r < 0.09:
                kinds.remove(rng.choice(kinds))
            if rng.random() < 0.25:
                kinds.append(VisitKind.GUIDANCE)
            rows += [(self._sday(a, b), kind) for kind in kinds]
        return rows

    def _yearly(self, low: dt.date, high: dt.date) -> list[tuple[dt.date, str]]:
        """2–6 contacts a year (fewer for part of a year), the first a visit."""
        rng = self.support
        share = ((high - low).days + 1) / 365
        count = max(1 if share >= 0.25 else 0, round(rng.randint(2, 6) * share))
        kinds = [VisitKind.VISIT, *rng.choices(VISIT_KINDS, VISIT_WEIGHTS, k=max(0, count - 1))]
        return [(self._sday(low, high), kind) for kind in kinds[:count]]

    def _visit_text(self, kind: str, target: OrgPlan) -> str:
        rng = self.support
        return rng.choice(VISIT_TEXTS[kind]).format(
            org=target.name, topic=rng.choice(VISIT_TOPICS), problem=rng.choice(VISIT_PROBLEMS)
        )

    def _venue(
        self,
        plan: OrgPlan,
        name: str,
        address: str,
        *,
        shared: bool = False,
        lacking: Iterable[str] = (),
        closed: dt.date | None = None,
    ) -> Venue:
        rng, missing = self.support, set(lacking)
        items = {item: item not in missing for item in (*VENUE_ITEM_FIELDS, "has_disclosure_board")}
        return Venue(
            org_id=plan.pk,
            name=name,
            address=address,
            area_m2=Decimal(f"{rng.uniform(30, 240):.1f}"),
            shared=shared,
            checked_on=self._sday(dt.date(self.as_of.year - 1, 3, 1), self.as_of),
            closed_on=closed,
            **items,
        )

    def _random_lacking(self) -> list[str]:
        rng = self.support
        lacking = [item for item in VENUE_ITEM_FIELDS if rng.random() < 0.03]
        return lacking + (["has_disclosure_board"] if rng.random() < 0.08 else [])

    def plan_venues(self, orgs: list[OrgPlan]) -> list[Venue]:
        """Venues of the 003 subtree's orgs (a few gaps), of villages, communities and towns."""
        return self._office_venues(orgs) + self._local_venues(orgs)

    def _office_venues(self, orgs: list[OrgPlan]) -> list[Venue]:
        """Venues of the 003 subtree's orgs, with a few gaps."""
        rng, venues = self.support, []
        office = [o for o in orgs if id(o) in self.office_orgs and o.kind not in GROUP_KINDS]
        direct = [o for o in office if o.parent is self.office and o.kind in MEMBER_KINDS]
        picks = rng.sample(direct, min(len(direct), 4))
        bare, no_board, no_reading, moved = (picks + [None] * 4)[:4]
        for plan in office:
            base = base_name(plan.name)
            where = f"{plan.unit_name or base}办公楼{rng.randint(1, 6)}楼"
            if plan is self.office and plan.kind in MEMBER_KINDS:  # a town's organs branch
                venues.append(self._venue(plan, f"{base}党员活动室", where))
            elif plan is self.office:
                venues.append(self._venue(plan, f"{base}党员活动中心", where))
            elif plan.kind not in MEMBER_KINDS:  # a general branch: shared with its branches
                venues.append(self._venue(plan, f"{plan.unit_name}党员活动室", where, shared=True))
            elif plan is bare:
                self._gap(plan, "未建立党建活动阵地")
            elif plan.parent is self.office or rng.random() < 0.3:  # else the shared room
                room = f"{base}党员活动室" if plan.parent is self.office else f"{plan.name}活动室"
                lacking = []
                if plan is no_board:
                    lacking = ["has_disclosure_board"]
                    self._gap(plan, "活动阵地未设党务公开栏")
                elif plan is no_reading:
                    lacking = ["has_reading"]
                    self._gap(plan, "活动阵地缺少书报资料")
                elif plan is moved:  # the old room closed since last year, a new one in use
                    closed = self._sday(dt.date(self.as_of.year - 1, 2, 1), self.as_of)
                    old = ["has_facilities", "has_disclosure_board"]
                    venues.append(
                        self._venue(plan, f"{room}（旧址）", where, lacking=old, closed=closed)
                    )
                venues.append(self._venue(plan, room, where, lacking=lacking))
        return venues

    def _local_venues(self, orgs: list[OrgPlan]) -> list[Venue]:
        """Party-and-mass service centres of towns, villages and communities."""
        venues: list[Venue] = []
        for plan in orgs:
            if id(plan) in self.office_orgs:
                continue
            base = base_name(plan.name)
            if plan.level == L.TOWN and plan.kind == K.PARTY_COMMITTEE:
                office_name = "办事处" if base.endswith("街道") else "人民政府"
                venues.append(
                    self._venue(
                        plan,
                        f"{base}党群服务中心",
                        f"{base}{office_name}院内",
                        shared=True,
                        lacking=self._random_lacking(),
                    )
                )
            elif (
                plan.level == L.VILLAGE
                and plan.kind in VENUE_VILLAGE_KINDS
                and (plan.parent is None or plan.parent.level != L.VILLAGE)
            ):
                committee = "村民委员会" if base.endswith("村") else "居民委员会"
                venues.append(
                    self._venue(
                        plan,
                        f"{base}党群服务中心",
                        f"{base}{committee}",
                        shared=plan.kind == K.GENERAL_BRANCH,
                        lacking=self._random_lacking(),
                    )
                )
        return venues

    def _staff_pool(self, plan: OrgPlan, by_org: dict[OrgPlan, list[Person]]) -> list[Person]:
        """Full members in the org (a committee: in its branches), there since before last year."""
        found, stack = [], [plan]
        while stack:
            org = stack.pop()
            found += by_org.get(org, [])
            stack += [c for c in org.children if c.kind != K.PARTY_GROUP]
        fit = [p for p in found if p.member.status == Status.FULL and not p.in_transit]
        jan1 = dt.date(self.as_of.year - 1, 1, 1)
        return [p for p in fit if p.start < jan1] or fit

    def plan_staff(self, orgs: list[OrgPlan], persons: list[Person]) -> list[StaffPost]:
        """Party-affairs staff of the 003 subtree: 2 full-time at a general branch, 1 at a
        branch; a few short, a branch with only a part-time post, the retirees' branch
        without (ORG-08)."""
        rng = self.support
        office = [o for o in orgs if id(o) in self.office_orgs and o.kind not in GROUP_KINDS]
        if not office:
            return []
        by_org: dict[OrgPlan, list[Person]] = {}
        for person in persons:
            by_org.setdefault(person.org, []).append(person)
        branches = [o for o in office if o.kind in MEMBER_KINDS]
        committees = [o for o in office if o.kind in (K.GENERAL_BRANCH, K.PARTY_COMMITTEE)]
        few = max(1, round(len(branches) * 0.03))
        # the retirees' branch has no staff post, `few` - 1 others neither, `few` only a
        # part-time one (not the small 档案馆, whose ratio is above 2%)
        units = [o for o in branches if o.unit_name and not o.code.endswith("-S03")]
        picks = rng.sample(units, min(len(units), 2 * few - 1))
        vacant = [o for o in branches if o.code.endswith("-R01")] + picks[: few - 1]
        part_only = picks[few - 1 :]
        short = rng.sample(committees, min(len(committees), max(1, round(len(committees) * 0.2))))
        posts: list[StaffPost] = []
        jan1 = dt.date(self.as_of.year - 1, 1, 1)
        for plan in office:
            pool = self._staff_pool(plan, by_org)
            if plan is self.office and plan.kind in MEMBER_KINDS:  # a town's organs branch
                wanted = [("兼职组织员", False)]
                self._gap(plan, "只有兼职党务干部，未配备专职党务干部")
            elif plan is self.office:
                wanted = [("专职副书记", True), ("组织科科长", True), ("宣传科科长", True)]
            elif plan in committees:
                wanted = [("专职副书记", True), ("专职组织员", True)][: 1 if plan in short else 2]
                if plan in short:
                    self._gap(plan, "只配备1名专职党务干部（应为2名）")
            elif plan in vacant:
                wanted = []
                self._gap(plan, "未配备专职党务干部")
            elif plan in part_only:
                wanted = [("兼职组织员", False)]
                self._gap(plan, "只有兼职党务干部，未配备专职党务干部")
            else:
                wanted = [("党务专干", True)]
                if rng.random() < 0.25:
                    wanted.append(("兼职党务工作者", False))
            holders = rng.sample(pool, min(len(pool), len(wanted) + 1))
            handed = len(holders) <= len(wanted)  # no one left to have been the predecessor
            for (position, full_time), person in zip(wanted, holders, strict=False):
                low = max(person.start, dt.date(self.as_of.year - 9, 1, 1))
                started = self._sday(low, jan1 - dt.timedelta(days=1)) if low < jan1 else low
                if full_time and not handed and rng.random() < 0.12:
                    # handed over since last year: the predecessor left the day before
                    handed, before, started_before = True, holders[-1], started
                    started = self._sday(jan1, self.as_of - dt.timedelta(days=20))
                    posts.append(self._post(plan, before, position, True, started_before, started))
                posts.append(self._post(plan, person, position, full_time, started, None))
        for plan in office:
            if plan.code.endswith("-S03") and plan.unit_headcount:
                self._gap(plan, f"职工{plan.unit_headcount}人，专职党务干部比例高于2%（提示）")
        return posts

    def _post(
        self,
        plan: OrgPlan,
        person: Person,
        position: str,
        full_time: bool,
        started: dt.date,
        successor_started: dt.date | None,
    ) -> StaffPost:
        return StaffPost(
            org_id=plan.pk,
            member_id=person.member.pk,
            name=person.member.name,
            position=position,
            full_time=full_time,
            started_on=started,
            ended_on=successor_started - dt.timedelta(days=1) if successor_started else None,
        )

    def _members_on(self, persons: list[Person], day: dt.date) -> Counter[OrgPlan]:
        """Full and probationary members of the 003 subtree's branches on `day` (as
        `counts_by_org_on` counts them: placements and spells with exclusive ends)."""
        counts: Counter[OrgPlan] = Counter()
        for p in persons:
            status = next((s for s, a, b, _ in p.spells if a <= day and (b is None or b > day)), "")
            if status not in (Status.FULL, Status.PROBATIONARY):
                continue
            if p.prior is not None and p.prior_start is not None and p.prior_start <= day < p.start:
                counts[p.prior] += 1
            elif p.start <= day and (p.member.status != Status.LEFT or p.spells[-1][1] > day):
                counts[p.org] += 1
        return counts

    def plan_budgets(
        self, orgs: list[OrgPlan], persons: list[Person]
    ) -> tuple[list[Budget], list[Spending]]:
        """Budgets (≥ 600 yuan a member, one short, one missing last year; a lone unit, as
        at town scale, misses last year's and is short this year) and spending
        through the year (one unit over its budget last year) of the 003 subtree's units."""
        rng, last = self.support, self.as_of.year - 1
        tops = [
            o
            for o in orgs
            if id(o) in self.office_orgs
            and o.kind in BUDGET_KINDS
            and o.unit_name
            and (o.parent is None or o.parent.unit_name != o.unit_name)
        ]
        if not tops:
            return [], []
        missing, short, over = (rng.sample(tops, min(len(tops), 3)) + [None] * 3)[:3]
        office = self.office_orgs
        persons = [
            p
            for p in persons
            if id(p.org) in office or (p.prior is not None and id(p.prior) in office)
        ]
        budgets: list[Budget] = []
        spendings: list[Spending] = []
        for year in (last, last + 1):
            counts = self._members_on(persons, dt.date(year, 1, 1))
            end = min(dt.date(year, 12, 31), self.as_of)
            elapsed = ((end - dt.date(year, 1, 1)).days + 1) / 365
            for top in tops:
                members = counts[top] + sum(counts[c] for c in top.children)
                required = BUDGET_PER_MEMBER * members
                if top is missing and year == last:
                    amount = 0
                    self._gap(top, f"未列入{year}年度党建活动经费预算")
                elif top is short or (short is None and top is missing and year > last):
                    amount = max(100, int(required * rng.uniform(0.55, 0.8)) // 100 * 100)
                    self._gap(
                        top,
                        f"{year}年度预算{amount}元，"
                        f"不足{members}名党员×{BUDGET_PER_MEMBER}元={required}元",
                    )
                else:  # a little above the standard (and a member more), in 500 yuan steps
                    ample = BUDGET_PER_MEMBER * (members + 1) * rng.uniform(1, 1.2)
                    amount = math.ceil(ample / 500) * 500
                if amount:
                    budgets.append(Budget(org_id=top.pk, year=year, amount=yuan(amount)))
                if top is over and year == last:
                    spent = amount * rng.uniform(1.08, 1.2)
                    self._gap(top, f"{year}年度党建活动经费超支")
                elif amount:
                    spent = amount * rng.uniform(0.72, 0.95) * elapsed
                else:
                    spent = required * rng.uniform(0.4, 0.6) * elapsed
                spendings += self._spendings(top, year, end, spent)
        return budgets, spendings

    def _spendings(self, top: OrgPlan, year: int, end: dt.date, total: float) -> list[Spending]:
        """`total` yuan spent in rows through the year up to `end`: a 主题党日 most months,
        seasonal items (春节 visits, 七一, newspapers…), now and then something else."""
        rng, rows = self.support, []
        for month in range(1, end.month + 1):
            first = dt.date(year, month, 1)
            last = min(end, month_end(first))
            if rng.random() < 0.9:
                day = self._sday(first, min(last, first + dt.timedelta(days=9)))
                rows.append((day, f"{month}月{SPENDING_MONTHLY[0]}", SPENDING_MONTHLY[1]))
            if month in SPENDING_SEASONAL:
                rows.append((self._sday(first, last), *SPENDING_SEASONAL[month]))
            if rng.random() < 0.3:
                rows.append((self._sday(first, last), *rng.choice(SPENDING_OTHER)))
        weights = [weight * rng.uniform(0.7, 1.3) for _, _, weight in rows]
        scale = total / sum(weights) if weights else 0
        orgs = [top, *(c for c in top.children if c.kind in MEMBER_KINDS)]
        spendings = []
        for (day, purpose, _), weight in zip(rows, weights, strict=True):
            amount = yuan(weight * scale)
            if amount > 0:
                org = top if rng.random() < 0.6 else rng.choice(orgs)
                spendings.append(
                    Spending(org_id=org.pk, spent_on=day, amount=amount, purpose=purpose)
                )
        return spendings

    def save_support(
        self, orgs: list[OrgPlan], persons: list[Person], seats: list[SeatPlan]
    ) -> None:
        insert = self.insert
        points, visits = self.plan_contacts(seats)
        insert.objects(ContactPoint, points)
        insert.objects(
            Visit,
            [
                Visit(contact_point_id=point.pk, visited_on=day, kind=kind, summary=text)
                for point, day, kind, text in visits
            ],
        )
        insert.objects(Venue, self.plan_venues(orgs))
        insert.objects(StaffPost, self.plan_staff(orgs, persons))
        budgets, spendings = self.plan_budgets(orgs, persons)
        insert.objects(Budget, budgets)
        insert.objects(Spending, spendings)
