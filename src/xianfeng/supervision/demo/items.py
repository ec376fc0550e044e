"""Demo items: a half-year inspection of last year with its notice and problems, problem
items made from last year's findings at the start of this year, a re-inspection that
reopened two of them, and the three-level duty lists of the government subtree."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.policy import resolver
from xianfeng.compliance.queries import finding_key
from xianfeng.compliance.registry import load_rules
from xianfeng.core.demo import DemoContext
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.models import Org

from ..models import (
    DutyLevel,
    DutyTemplate,
    DutyTemplateItem,
    Inspection,
    InspectionNotice,
    InspectionTarget,
    Item,
    ItemKind,
    ItemStatus,
    Origin,
    Reinspection,
    Step,
)
from ..people import default_responsibles
from .common import at, clamp, reviewer_for

# Rules whose org-level findings the demo turns into items (cheap on a city, org-level).
FINDING_RULES = ("ORG-", "LIFE-02", "LIFE-07", "STUDY-03")
BRANCH_KINDS = ("party_committee", "general_branch", "branch", "joint_branch")
PROBLEMS = (
    ("“三会一课”记录不完整", "抽查发现部分支部党员大会、党课记录缺少出席情况和议题。"),
    ("党务公开栏内容未及时更新", "公开栏仍为上季度内容，本季度党费收缴、发展党员情况未公开。"),
    ("发展党员材料不规范", "入党申请人谈话记录缺少谈话人签字。"),
    ("主题党日活动流于形式", "主题党日活动内容单一，未结合中心工作。"),
    ("党员教育台账不全", "部分党员学习时长未登记，学习笔记缺失。"),
)
DUTIES = (
    (DutyLevel.SECRETARY, "履行党建第一责任人职责，每季度专题研究党建工作", 6, 30),
    (DutyLevel.SECRETARY, "讲一次专题党课，领办一个党建项目", 11, 30),
    (DutyLevel.COMMITTEE, "落实“一岗双责”，每季度到联系支部指导一次", 9, 30),
    (DutyLevel.COMMITTEE, "参加双重组织生活，带头开展批评和自我批评", 12, 20),
    (DutyLevel.STAFF, "按月更新党员信息和组织生活台账", 6, 30),
    (DutyLevel.STAFF, "按季度报送党建工作推进情况", 12, 20),
)
# fate → its share of the items made from findings
FINDING_FATES = (
    ("accepted", 62),
    ("returned_then_accepted", 10),
    ("submitted", 8),
    ("in_progress", 6),
    ("open", 4),
    ("returned_twice", 5),
    ("returned_thrice", 5),
)


@dataclass
class Planned:
    """An item and its events (action, day, note) before it is saved."""

    item: Item
    events: list[tuple[str, dt.date, str]] = field(default_factory=list)


class ItemsBuilder:
    def __init__(self, ctx: DemoContext, rng: random.Random, root: Org, inspector: Org):
        self.ctx, self.rng, self.root, self.inspector = ctx, rng, root, inspector
        self.as_of = ctx.as_of
        self.last = ctx.as_of.year - 1
        self.policy = resolver(day=ctx.as_of)
        self.planned: list[Planned] = []

    def build(self) -> dict[str, Any]:
        inspection = self._inspection()
        self._finding_items()
        self._duty_lists()
        self._account_items()
        reinspection = self._reinspection()
        self._save()
        if reinspection is not None:
            record, sample = reinspection
            record.sample = [p.item.pk for p in sample]
            record.reopened = record.sample[:2]
            self.ctx.insert.objects(Reinspection, [record])
        return {"items": len(self.planned), "inspection": inspection}

    # --- last year's half-year inspection ------------------------------------------------

    def _inspection(self) -> Inspection | None:
        day = dt.date(self.last, 7, 15)
        orgs = list(
            Org.objects.filter(path__startswith=self.inspector.path, kind__in=BRANCH_KINDS)
            .exclude(pk=self.inspector.pk)
            .order_by("path")
        )
        if not orgs:
            return None
        seed = self.rng.randrange(1, 10**9)
        sample = _stratified(orgs, random.Random(seed), share=0.1, minimum=5)
        inspection = Inspection(
            org=self.inspector,
            kind=Inspection.Kind.HALF_YEAR,
            period=f"{self.last}-H1",
            title=f"{self.last}年上半年基层党建工作督查",
            date=day,
            seed=seed,
            sampling="按层级×领域分层随机抽取10%，每层至少5个（不足全抽）",
        )
        self.ctx.insert.objects(Inspection, [inspection])
        targets = [
            InspectionTarget(
                inspection=inspection,
                org=org,
                stratum=f"{org.get_level_display()}·{org.get_sector_display()}",
                looked_at="查阅“三会一课”记录、党务公开栏、党员教育台账，个别访谈党员",
                conclusion="",
            )
            for org in sample
        ]
        with_problem = [t for t in targets if self.rng.random() < 0.4] or targets[:1]
        for target in with_problem:
            title, text = self.rng.choice(PROBLEMS)
            target.conclusion = f"发现问题：{title}"
            self._plan(
                target.org,
                kind=ItemKind.PROBLEM,
                title=title,
                description=text,
                origin=Origin.INSPECTION,
                inspection=inspection,
                created=dt.date(self.last, 7, 20),
                deadline=dt.date(self.last, 9, 30),
                fate=self._pick(
                    (
                        ("accepted", 70),
                        ("returned_then_accepted", 12),
                        ("returned_thrice", 9),
                        ("open", 9),
                    )
                ),
            )
        for target in targets:
            target.conclusion = target.conclusion or "未发现明显问题"
        self.ctx.insert.objects(InspectionTarget, targets)
        self._notice(inspection, [t.org for t in targets], len(with_problem))
        return inspection

    def _notice(self, inspection: Inspection, orgs: list[Org], problems: int) -> None:
        day = dt.date(self.last, 8, 5)
        notice = InspectionNotice(
            org=self.inspector,
            inspection=inspection,
            number=f"{self.inspector.name[:2]}组督〔{self.last}〕3号",
            date=day,
            title=f"关于{self.last}年上半年基层党建工作督查情况的通报",
            body=(
                f"根据年度督查安排，{self.inspector.name}于{day.month}月对{len(orgs)}个基层党组织"
                f"开展了上半年督查，发现问题{problems}个，已逐一列入问题清单，限期整改。"
                "各党组织要对照问题清单认真整改，按期报送整改情况。"
            ),
            published_at=at(day),
        )
        self.ctx.insert.objects(InspectionNotice, [notice])
        notice.recipients.set(orgs)

    # --- this year's items from last year's findings ---------------------------------------

    def _finding_items(self) -> None:
        rules = load_rules()
        chosen = [r for r in rules if r.startswith(FINDING_RULES)]
        if not chosen or self.as_of < dt.date(self.as_of.year, 1, 20):
            return
        pairs, _count = evaluate(
            roots=[self.root],
            period=parse_period(str(self.last)),
            as_of=dt.date(self.last, 12, 31),
            rule_ids=chosen,
        )
        found = [(rule, f) for rule, f in pairs if rule is not None and f.member_id is None]
        orgs = Org.objects.in_bulk({f.org_id for _rule, f in found})
        keys: set[str] = set()  # a rule may report one org twice in a period (ORG-04)
        for rule, finding in found:
            org = orgs[finding.org_id]
            key = finding_key(rule.id, org.code, None, finding.period)
            if self.rng.random() >= 0.6 or key in keys:
                continue
            keys.add(key)
            created = dt.date(self.as_of.year, 1, 10) + dt.timedelta(self.rng.randint(0, 9))
            days = self.policy.value(f"supervision.deadline.{finding.severity}_days", org.path)
            self._plan(
                org,
                kind=ItemKind.PROBLEM,
                title=rule.title[:200],
                description=finding.message,
                origin=Origin.FINDING,
                created=created,
                deadline=created + dt.timedelta(int(days)),
                fate=self._pick(FINDING_FATES),
                finding_key=key,
                rule=rule.id,
                finding_period=finding.period,
            )

    # --- duty lists (TASK-03) --------------------------------------------------------------

    def _duty_lists(self) -> None:
        office = Org.objects.filter(policy__code="003-haimen").first()
        if office is None:
            return
        orgs = list(
            Org.objects.filter(
                path__startswith=office.path, sector="government", kind__in=BRANCH_KINDS
            ).order_by("path")
        )
        for year in (self.last, self.as_of.year):
            template = DutyTemplate(
                org=office,
                year=year,
                title=f"{year}年度机关党建三级责任清单",
                published_at=at(dt.date(year, 1, 15)),
            )
            self.ctx.insert.objects(DutyTemplate, [template])
            duties = [
                DutyTemplateItem(
                    template=template,
                    level=level,
                    title=title,
                    due=dt.date(year, month, day),
                    order=number,
                )
                for number, (level, title, month, day) in enumerate(DUTIES, start=1)
            ]
            self.ctx.insert.objects(DutyTemplateItem, duties)
            if dt.date(year, 1, 15) > self.as_of:
                continue
            for org in orgs:
                for duty in duties:
                    self._duty_item(org, duty, year)

    def _duty_item(self, org: Org, duty: DutyTemplateItem, year: int) -> None:
        fates = (
            ("accepted", 80),
            ("returned_then_accepted", 8),
            ("submitted", 6),
            ("in_progress", 6),
        )
        self._plan(
            org,
            kind=ItemKind.DUTY,
            title=duty.title,
            description="",
            origin=Origin.MANUAL,
            created=dt.date(year, 1, 15),
            deadline=duty.due,
            fate=self._pick(fates),
            duty_template_item=duty,
            duty_level=duty.level,
        )

    # --- items of the branches whose secretary has an account (the demo secretary) ------

    def _account_items(self) -> None:
        """Four items of recent weeks for each branch whose secretary signs in (a post held
        by an account linked to a member): one open, one overdue in progress, one returned
        twice, one submitted and waiting for acceptance — what a secretary's phone shows."""
        orgs = (
            Org.objects.filter(
                path__startswith=self.root.path,
                kind__in=BRANCH_KINDS,
                posts__is_active=True,
                posts__user__member__isnull=False,
            )
            .distinct()
            .order_by("path")
        )
        cases = (
            ("open", -10, 20),
            ("in_progress", -60, -5),
            ("returned_twice", -75, -30),
            ("submitted", -40, -1),
        )
        for org in orgs:
            for (title, text), (fate, created, due) in zip(PROBLEMS, cases, strict=False):
                made = self.as_of + dt.timedelta(created)
                self._plan(
                    org,
                    kind=ItemKind.TASK,
                    title=title,
                    description=text,
                    origin=Origin.SELF_CHECK,
                    created=made,
                    deadline=self.as_of + dt.timedelta(due),
                    fate=fate,
                )

    # --- the re-inspection (回头看) ----------------------------------------------------------

    def _reinspection(self) -> tuple[Reinspection, list[Planned]] | None:
        """A re-inspection 20 days ago of a fifth of the items accepted in the six months
        before it; the first two of the sample came back and were reopened."""
        day = self.as_of - dt.timedelta(days=20)
        since = day - dt.timedelta(days=183)
        accepted = [
            p
            for p in self.planned
            if p.item.origin == Origin.FINDING
            and _accepted_on(p) is not None
            and since <= _accepted_on(p) <= day  # type: ignore[operator]
        ]
        if len(accepted) < 2:
            return None
        seed = self.rng.randrange(1, 10**9)
        sample = random.Random(seed).sample(accepted, max(2, round(len(accepted) * 0.2)))
        for planned in sample[:2]:
            planned.events.append(("reopened", day, "回头看发现问题反弹，重新打开"))
        record = Reinspection(
            org=self.inspector, date=day, months=6, share=Decimal("0.2"), seed=seed
        )
        return record, sample

    # --- planning and saving ---------------------------------------------------------------

    def _pick(self, fates: Iterable[tuple[str, int]]) -> str:
        names, weights = zip(*fates, strict=True)
        return self.rng.choices(names, weights)[0]

    def _plan(
        self, org: Org, *, created: dt.date, deadline: dt.date, fate: str, **fields: Any
    ) -> None:
        item = Item(org=org, year=created.year, created_on=created, deadline=deadline, **fields)
        self.planned.append(Planned(item, _events(fate, created, deadline, self.rng)))

    def _save(self) -> None:
        planned = self.planned
        orgs = {p.item.org_id: p.item.org for p in planned}
        people = default_responsibles(orgs.values(), self.as_of)
        parents = _parents(orgs.values())
        officers = officers_in_charge({parents[o].path for o in orgs} | {self.root.path})
        steps: list[list[tuple[Any, ...]]] = []
        for p in planned:
            item = p.item
            item.reviewer_org = parents[item.org_id]
            item.responsible_id, item.responsible_user_id = people[item.org_id]
            reviewer = reviewer_for(
                officers, item.reviewer_org.path, self.root.path, item.responsible_user_id
            )
            steps.append(_apply(item, p.events, self.as_of, reviewer))
        self.ctx.insert.objects(Item, [p.item for p in planned])
        rows = [(p.item.pk, *row) for p, own in zip(planned, steps, strict=True) for row in own]
        self.ctx.insert.rows(Step, ["item", "action", "note", "by", "at"], rows)


def _stratified(orgs: list[Org], rng: random.Random, *, share: float, minimum: int) -> list[Org]:
    strata: dict[tuple[str, str], list[Org]] = {}
    for org in orgs:
        strata.setdefault((org.level, org.sector), []).append(org)
    chosen: list[Org] = []
    for key in sorted(strata):
        members = strata[key]
        size = min(len(members), max(minimum, round(len(members) * share)))
        chosen += rng.sample(members, size)
    return sorted(chosen, key=lambda org: org.path)


def _parents(orgs: Iterable[Org]) -> dict[int, Org]:
    """org id → its reviewing org (the parent; the root reviews its own)."""
    orgs = list(orgs)
    step = Org.steplen
    by_path = Org.objects.in_bulk(
        {org.path[:-step] for org in orgs if org.depth > 1}, field_name="path"
    )
    return {org.pk: by_path.get(org.path[:-step], org) for org in orgs}


def _events(
    fate: str, created: dt.date, deadline: dt.date, rng: random.Random
) -> list[tuple[str, dt.date, str]]:
    """The planned events of an item's life by its fate (before the as-of cut)."""
    events: list[tuple[str, dt.date, str]] = [("created", created, "")]
    if fate == "open":
        return events
    day = created + dt.timedelta(rng.randint(1, 5))
    events.append(("started", day, ""))
    if fate == "in_progress":
        return events
    day = clamp(deadline - dt.timedelta(rng.randint(2, 10)), day + dt.timedelta(1), deadline)
    returns = {"returned_then_accepted": 1, "returned_twice": 2, "returned_thrice": 3}.get(fate, 0)
    for _ in range(returns):
        events.append(("submitted", day, "已整改，材料见附件"))
        day += dt.timedelta(rng.randint(2, 6))
        events.append(("returned", day, "整改材料不全，请补充会议记录和照片"))
        day += dt.timedelta(rng.randint(5, 12))
    if fate in ("returned_twice", "returned_thrice"):
        return events
    events.append(("submitted", day, "已按要求整改到位"))
    if fate != "submitted":
        events.append(("accepted", day + dt.timedelta(rng.randint(2, 7)), "经核实，整改到位"))
    return events


def _accepted_on(planned: Planned) -> dt.date | None:
    days = [day for action, day, _note in planned.events if action == "accepted"]
    return days[-1] if days else None


def _apply(
    item: Item, events: list[tuple[str, dt.date, str]], as_of: dt.date, reviewer: int | None
) -> list[tuple[Any, ...]]:
    """Set the item's state from its events up to `as_of`; the steps to save."""
    item.status, rows = ItemStatus.OPEN, []
    for action, day, note in sorted(events, key=lambda e: e[1]):
        if day > as_of or (action == "accepted" and reviewer is None):
            break
        by = (
            reviewer if action in ("accepted", "returned", "reopened") else item.responsible_user_id
        )
        _change(item, action, day, note, by)
        rows.append((action, note, by, at(day)))
    return rows


def _change(item: Item, action: str, day: dt.date, note: str, by: int | None) -> None:
    if action == "started":
        item.status = ItemStatus.IN_PROGRESS
    elif action == "submitted":
        item.status, item.evidence = ItemStatus.SUBMITTED, note
        item.submitted_at, item.submitted_by_id = at(day), by
    elif action == "returned":
        item.status, item.returned_count = ItemStatus.IN_PROGRESS, item.returned_count + 1
    elif action == "accepted":
        item.status, item.accepted_at, item.accepted_by_id = ItemStatus.ACCEPTED, at(day), by
        item.accept_note = note
    elif action == "reopened":
        item.status, item.reopened_count = ItemStatus.OPEN, item.reopened_count + 1
        item.accepted_at = item.accepted_by_id = None
