"""Compliance rules of study and training, registered by requirement ID.

Which finding lives under which ID (IDs of requirements.md, none invented):

- STUDY-01 (concentrated study hours): per member, the counted hours of an ended year
  below the requirement — error; a secretary or leadership member without the yearly
  concentrated training — error; in a year in progress, hours behind the pro-rata pace —
  warning. Member-level, at the member's org on the day looked at.
- STUDY-03 (study plans): an org without its annual plan — error; an ended quarter without
  an arrangement, an ended month without tasks or with tasks not done — warning; a leading
  cadre without a personal plan (error) or without a month's arrangement (warning).
- STUDY-04 (training classes): a town committee's quarter without a practical-technique
  training; a government org's year without a rotation training of at least a day (held
  by it or an ancestor) and its members who attended none; a city or county committee's
  year without a dual-lead backbone class — errors.

Readings (see the notes of national.toml [study]): hours are Decimals with one decimal;
32.0 passes and 31.5 fails; a member who joined the party during the year, or held a
seat for part of it, is judged pro rata by days; only ended months, quarters and years
are judged, besides the pace warning of a year in progress. Hours count wherever the
member studied (any org), so the members are read from the subtree and their study by
member; rules are local: each finding depends on its org's subtree (and, for rotation
classes, its ancestors').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q

from xianfeng.compliance.parts import FEW_MEMBERS, parts_of, placed_on
from xianfeng.compliance.parts import cited as _cited
from xianfeng.compliance.parts import existed as _existed
from xianfeng.compliance.parts import month_name as _month_name
from xianfeng.compliance.parts import quarter_name as _quarter_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months
from xianfeng.members.queries import members_placed_on
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from .models import PlanKind, TrainingKind
from .queries import (
    ZERO,
    RawHours,
    classes_attended,
    counted_hours,
    days_covered,
    held_classes,
    hours_by_source,
    plans_of_year,
    raw_hours,
    seat_spells,
    tenths,
)

K = OrgKind
ONE_DAY = dt.timedelta(days=1)
PLAN_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
ROTATION_KINDS = PLAN_KINDS  # the kinds whose top org in a department holds the rotation


# --- shared ------------------------------------------------------------------------------


def _orgs(ctx: Context) -> dict[int, dict[str, Any]]:
    """Orgs of the subtree that existed at some time in the period, by id (one query)."""

    def load() -> dict[int, dict[str, Any]]:
        rows = Org.objects.filter(ctx.path_q()).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lt=ctx.period.end),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=ctx.period.start),
        )
        names = ("id", "path", "kind", "level", "sector", "founded_on", "dissolved_on")
        return {row["id"]: row for row in rows.values(*names)}

    return ctx.memo(("study", "orgs"), load)


def _parts(ctx: Context, size: str) -> list[Period]:
    """The months, quarters, halves or years inside the evaluated period."""
    return parts_of(ctx.period, size)


def _ended(ctx: Context, size: str, within: Period | None = None) -> list[Period]:
    parts = [p for p in _parts(ctx, size) if p.end <= ctx.as_of]
    return [p for p in parts if within is None or within.start <= p.start < within.end]


def _hours(value: Decimal) -> str:
    """31.5 → '31.5', 32.0 → '32' (for messages)."""
    return f"{value:f}".removesuffix(".0")


class _Lookup(dict):
    """The policy values for one org, each key resolved once: STUDY-01 asks the same dozen
    keys for each of a city's 300,000 members. Called like a function (`value(key)`), it
    is a dict lookup; a missing key is resolved and kept."""

    def __init__(self, ctx: Context, path: str) -> None:
        super().__init__()
        self.ctx, self.path = ctx, path

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.ctx.policy.value(key, self.path)
        return value

    __call__ = dict.__getitem__


def _value(ctx: Context, org: dict[str, Any]) -> Any:
    return ctx.memo(("study", "lookup", org["id"]), lambda: _Lookup(ctx, org["path"]))


def _entry(ctx: Context, org: dict[str, Any], key: str) -> dict[str, Any]:
    """The policy entry of `key` for the org (resolved once per org and key)."""
    return ctx.memo(("study", "entry", org["id"], key), lambda: ctx.policy.entry(key, org["path"]))


# --- STUDY-01 concentrated study hours ---------------------------------------------------


@rule(
    "STUDY-01",
    local=True,
    title="党员每年集中学习培训学时",
    text="党员每年集中学习培训时间，根据实际情况确定，一般不少于32学时（seed 000）；"
    "党组织书记及班子成员每人每年学习培训时间不少于56学时，至少参加1次集中培训；党员每年"
    "参加集中学习的时间一般不少于32学时（seed 003 附件第7、8条）。",
    source="《中国共产党党员教育管理工作条例》；seed 000 §4.1；seed 003 §4.4、附件第7–8条",
    period="year",
    severity="error",
    kinds=sorted(MEMBER_KINDS),
)
def study_01_concentrated_hours(ctx: Context) -> Iterator[Found]:
    """Per ended year of the period: members (full or probationary, placed in the subtree
    on the year's last day) whose counted hours fall short of the pro-rata requirement,
    and seat holders on that day without the concentrated training — errors. For a year
    in progress past study.pace.check_after_months: members behind the pace — warning."""
    for year in _parts(ctx, "year"):
        if year.end <= ctx.as_of:
            yield from _judge_year(ctx, year)
        elif year.start < ctx.as_of:
            yield from _judge_pace(ctx, year)


def _placed(ctx: Context, day: dt.date) -> tuple[list[tuple[int, int, dt.date]], Any]:
    """(member, org, joined_on) of members placed in the subtree on `day`, and the member
    filter of the study reads: their ids when they are few (read by the member index),
    else None (every member's study of the span)."""
    rows = [(row[0], row[1], row[3]) for row in placed_on(ctx, day)]
    members = [row[0] for row in rows] if len(rows) <= FEW_MEMBERS else None
    return rows, members


def _judge_year(ctx: Context, year: Period) -> Iterator[Found]:
    orgs, last = _orgs(ctx), year.end - ONE_DAY
    placed, members = _placed(ctx, last)
    if not placed:
        return
    raw = raw_hours(members, year.start, year.end)
    seats = seat_spells(members, year.start, year.end)
    for member_id, org_id, joined in placed:
        org = orgs.get(org_id)
        if org is None:
            continue
        spells = seats.get(member_id, [])
        study = raw.get(member_id, RawHours())
        need = _required(ctx, org, year, joined, spells, year.end)
        yield from _check_hours(ctx, org, member_id, year, study, need)
        if any(first <= last < after for first, after in spells):
            yield from _check_training(ctx, org, member_id, year, study)


def _required(
    ctx: Context,
    org: dict[str, Any],
    year: Period,
    joined: dt.date,
    spells: list[tuple],
    through: dt.date,
) -> dict[str, Any]:
    """Hours required from the year's start (or the joining day) up to `through`
    (exclusive): member_min per member-day plus (leader_min − member_min) per seat-day."""
    year_days = (year.end - year.start).days
    first = max(year.start, joined)
    member_days = max(0, (through - first).days)
    seat_days = days_covered(spells, first, through) if member_days else 0
    base = _entry(ctx, org, "study.hours.member_min")
    leader = _entry(ctx, org, "study.hours.leader_min")
    extra = max(tenths(leader["value"]) - tenths(base["value"]), ZERO)
    hours = (tenths(base["value"]) * member_days + extra * seat_days) / year_days
    return {
        "hours": tenths(hours),
        "entry": leader if seat_days else base,
        "member_days": member_days,
        "seat_days": seat_days,
        "year_days": year_days,
        "joined": joined if joined > year.start else None,
    }


def _check_hours(
    ctx: Context, org: dict, member_id: int, year: Period, study: RawHours, need: dict
) -> Iterator[Found]:
    value = _value(ctx, org)
    total, counted = counted_hours(study, value)
    if total >= need["hours"]:
        return
    notes = ["书记、班子成员"] if need["seat_days"] else []
    if need["joined"] is not None:
        notes.append(f"{need['joined'].isoformat()}入党，按比例折算")
    elif need["seat_days"] not in (0, need["year_days"]):
        notes.append("按任职时间折算")
    message = f"{year.label}年集中学习培训{_hours(total)}学时，应不少于{_hours(need['hours'])}学时"
    if notes:
        message += f"（{'，'.join(notes)}）"
    yield Found(
        org["id"],
        year.label,
        "error",
        message,
        _hours_evidence(study, value, total, counted, need),
        member_id,
    )


def _hours_evidence(
    study: RawHours, value: Any, total: Decimal, counted: dict, need: dict
) -> dict[str, Any]:
    every = hours_by_source(study, value)
    evidence = {
        "hours": str(total),
        "required": str(need["hours"]),
        "counted": {source: str(hours) for source, hours in counted.items()},
        "not_counted": {
            source: str(hours - counted.get(source, ZERO))
            for source, hours in every.items()
            if hours > counted.get(source, ZERO)
        },
        "member_days": need["member_days"],
        "seat_days": need["seat_days"],
        "year_days": need["year_days"],
    }
    return _cited(evidence, need["entry"])


def _check_training(
    ctx: Context, org: dict, member_id: int, year: Period, study: RawHours
) -> Iterator[Found]:
    need = ctx.policy.entry("study.training.leader_min_per_year", org["path"])
    if study.trainings >= need["value"]:
        return
    message = (
        f"{year.label}年书记、班子成员参加集中培训{study.trainings}次，应不少于{need['value']}次"
    )
    evidence = _cited({"trainings": study.trainings}, need)
    yield Found(org["id"], year.label, "error", message, evidence, member_id)


def _judge_pace(ctx: Context, year: Period) -> Iterator[Found]:
    """A year in progress: hours up to `day` against min_share × the pro-rata
    requirement up to that day, once check_after_months of the year have passed."""
    orgs, day = _orgs(ctx), ctx.day
    due = lambda org: add_months(year.start, _value(ctx, org)("study.pace.check_after_months"))  # noqa: E731
    if not any(day >= due(org) for org in orgs.values()):
        return
    placed, members = _placed(ctx, day)
    through = day + ONE_DAY
    raw = raw_hours(members, year.start, through) if placed else {}
    seats = seat_spells(members, year.start, through) if placed else {}
    for member_id, org_id, joined in placed:
        org = orgs.get(org_id)
        if org is None or day < due(org):
            continue
        spells = seats.get(member_id, [])
        need = _required(ctx, org, year, joined, spells, through)
        share = Decimal(str(_value(ctx, org)("study.pace.min_share")))
        expected = tenths(need["hours"] * share)
        total, counted = counted_hours(raw.get(member_id, RawHours()), _value(ctx, org))
        if total < expected:
            full = _required(ctx, org, year, joined, spells, year.end)["hours"]
            message = (
                f"截至{day.isoformat()}集中学习培训{_hours(total)}学时，按进度应不少于"
                f"{_hours(expected)}学时（全年应不少于{_hours(full)}学时）"
            )
            evidence = _hours_evidence(
                raw.get(member_id, RawHours()), _value(ctx, org), total, counted, need
            )
            evidence.update(expected=str(expected), day=day.isoformat())
            yield Found(org["id"], year.label, "warning", message, evidence, member_id)


# --- STUDY-03 study plans ----------------------------------------------------------------


@rule(
    "STUDY-03",
    local=True,
    title="制定学习计划并按月落实",
    text="各基层党组织要按年度制定学习计划，按季度作出学习安排，按月落实学习任务。党员领导"
    "干部要根据自身实际，每年制定个人自学计划，按月作出安排，确保完成规定的学习任务。",
    source="seed 004 §3.1.2",
    period="year",
    severity="error",
    kinds=sorted(PLAN_KINDS),
)
def study_03_plans(ctx: Context) -> Iterator[Found]:
    """Per year of the period whose plan is due by as_of (study.plan.due_months): orgs of
    study.plan.org_kinds without an annual plan (error), ended quarters without an
    arrangement and ended months without tasks or with tasks not done (warning); leading
    cadres placed on `day` without a personal plan (error) or a month's arrangement."""
    for year in _parts(ctx, "year"):
        if year.start >= ctx.as_of:
            continue
        yield from _org_plans(ctx, year)
        yield from _personal_plans(ctx, year)


def _plan_due(ctx: Context, org: dict, year: Period) -> dt.date:
    """The first day on which the year's plan is overdue."""
    return add_months(year.start, _value(ctx, org)("study.plan.due_months"))


def _org_plans(ctx: Context, year: Period) -> Iterator[Found]:
    judged = [
        org
        for org in _orgs(ctx).values()
        if org["kind"] in _value(ctx, org)("study.plan.org_kinds")
        and (org["founded_on"] is None or org["founded_on"] <= year.start)
        and (org["dissolved_on"] is None or org["dissolved_on"] > ctx.day)
        and ctx.as_of >= _plan_due(ctx, org, year)
    ]
    if not judged:
        return
    plans = plans_of_year(year.start.year, PlanKind.ORG, **_q_kwargs(ctx))
    for org in judged:
        plan = plans.get(org["id"])
        if plan is None:
            yield _no_plan(ctx, org, year, None, "study.plan.org_kinds", "学习计划")
            continue
        yield from _quarters(ctx, org, year, plan.items)
        key = "study.plan.min_tasks_per_month"
        yield from _months(ctx, org, year, plan.items, None, key, "学习任务")


def _q_kwargs(ctx: Context) -> dict[str, Any]:
    """The plans of the subtree's orgs, as keyword filters (a path prefix per root)."""
    return {"org__in": Org.objects.filter(ctx.path_q()).values("id")}


def _no_plan(
    ctx: Context, org: dict, year: Period, member_id: int | None, key: str, what: str
) -> Found:
    deadline = _plan_due(ctx, org, year) - ONE_DAY
    who = "党员领导干部未制定个人自学计划" if member_id else f"未制定年度{what}"
    message = f"{year.label}年度{who}（应于{deadline.isoformat()}前制定）"
    evidence = _cited({"deadline": deadline.isoformat()}, ctx.policy.entry(key, org["path"]))
    return Found(org["id"], year.label, "error", message, evidence, member_id)


def _quarters(ctx: Context, org: dict, year: Period, items: list) -> Iterator[Found]:
    need = ctx.policy.entry("study.plan.min_arrangements_per_quarter", org["path"])
    for quarter in _ended(ctx, "quarter", year) if need["value"] > 0 else []:
        count = sum(1 for period, _done in items if period == quarter.label)
        if count < need["value"]:
            message = (
                f"{_quarter_name(quarter)}学习安排{count}条，应不少于{need['value']}条"
                if count
                else f"{_quarter_name(quarter)}未作出学习安排（应不少于{need['value']}条）"
            )
            evidence = _cited({"arrangements": count}, need)
            yield Found(org["id"], quarter.label, "warning", message, evidence)


def _months(
    ctx: Context,
    org: dict,
    year: Period,
    items: list,
    member_id: int | None,
    key: str,
    what: str,
) -> Iterator[Found]:
    """Ended months of the year short of items, or with items not done (warning)."""
    need = ctx.policy.entry(key, org["path"])
    for month in _ended(ctx, "month", year) if need["value"] > 0 else []:
        done = [d for period, d in items if period == month.label]
        finished = sum(1 for d in done if d is not None)
        if len(done) < need["value"]:
            message = (
                f"{_month_name(month)}未安排{what}（{len(done)}条，应不少于{need['value']}条）"
            )
        elif finished < len(done):
            message = f"{_month_name(month)}{what}未全部完成（完成{finished}条，共{len(done)}条）"
        else:
            continue
        evidence = _cited({"items": len(done), "done": finished}, need)
        yield Found(org["id"], month.label, "warning", message, evidence, member_id)


def _personal_plans(ctx: Context, year: Period) -> Iterator[Found]:
    orgs = _orgs(ctx)
    key = "study.plan.leading_cadre_personal"
    if not any(_value(ctx, org)(key) for org in orgs.values()):
        return
    cadres = [
        (member_id, orgs[org_id])
        for member_id, org_id, _since, _joined, cadre in placed_on(ctx, ctx.day)
        if cadre
        and org_id in orgs
        and _value(ctx, orgs[org_id])(key)
        and ctx.as_of >= _plan_due(ctx, orgs[org_id], year)
    ]
    if not cadres:
        return
    ids = [member_id for member_id, _org in cadres]
    few = {"member_id__in": ids} if len(ids) <= FEW_MEMBERS else {}  # else every plan
    plans = plans_of_year(year.start.year, PlanKind.PERSONAL, **few)
    for member_id, org in cadres:
        plan = plans.get(member_id)
        if plan is None:
            yield _no_plan(ctx, org, year, member_id, key, "个人自学计划")
            continue
        items_key = "study.plan.personal_min_items_per_month"
        yield from _months(ctx, org, year, plan.items, member_id, items_key, "自学安排")


# --- STUDY-04 training classes -----------------------------------------------------------


@rule(
    "STUDY-04",
    local=True,
    title="举办培训班",
    text="乡镇（街道）党委每季度组织举办1次以上实用技术培训；市县两级层面每年分类举办“双带”"
    "型党员骨干示范培训班（seed 000）。每年组织开展一次机关党员集中轮训，时间不少于1天"
    "（seed 003）。",
    source="seed 000 §4.1；seed 003 §4.4、附件第8条",
    period="year",
    severity="error",
    kinds=sorted(ROTATION_KINDS),
)
def study_04_training_classes(ctx: Context) -> Iterator[Found]:
    """Town committees' ended quarters without a practical-technique training; per ended
    year, the top government orgs without a rotation training of at least
    study.rotation.min_days (their own or an ancestor's), their members without one, and
    city and county committees without a dual-lead backbone class (errors)."""
    yield from _practical(ctx)
    for year in _ended(ctx, "year"):
        yield from _rotation(ctx, year)
        yield from _rotation_members(ctx, year)
        yield from _dual_lead(ctx, year)


def _count_own(classes: list[dict], org_id: int, part: Period) -> list[int]:
    return [c["id"] for c in classes if c["org_id"] == org_id and c["starts_on"] in part]


def _practical(ctx: Context) -> Iterator[Found]:
    key = "study.practical.min_per_quarter"
    quarters = _ended(ctx, "quarter")
    towns = [
        org
        for org in _orgs(ctx).values()
        if org["kind"] == K.PARTY_COMMITTEE
        and org["level"] == "town"
        and ctx.policy.value(key, org["path"]) > 0
    ]
    if not quarters or not towns:
        return
    kinds = [TrainingKind.PRACTICAL]
    classes = held_classes(ctx.path_q("org__path"), kinds, quarters[0].start, quarters[-1].end)
    for org in towns:
        need = ctx.policy.entry(key, org["path"])
        for quarter in (q for q in quarters if _existed(org, q)):
            held = _count_own(classes, org["id"], quarter)
            if len(held) < need["value"]:
                message = (
                    f"{_quarter_name(quarter)}举办实用技术培训{len(held)}次，"
                    f"应不少于{need['value']}次"
                )
                evidence = _cited({"classes": held}, need)
                yield Found(org["id"], quarter.label, "error", message, evidence)


def _dual_lead(ctx: Context, year: Period) -> Iterator[Found]:
    key = "study.dual_lead.min_per_year"
    judged = [
        org
        for org in _orgs(ctx).values()
        if org["kind"] == K.PARTY_COMMITTEE
        and ctx.policy.value(key, org["path"]) > 0
        and org["level"] in ctx.policy.value("study.dual_lead.levels", org["path"])
        and _existed(org, year)
    ]
    if not judged:
        return
    kinds = [TrainingKind.DUAL_LEAD]
    classes = held_classes(ctx.path_q("org__path"), kinds, year.start, year.end)
    for org in judged:
        need = ctx.policy.entry(key, org["path"])
        held = _count_own(classes, org["id"], year)
        if len(held) < need["value"]:
            message = (
                f"{year.label}年举办“双带”型党员骨干示范培训班{len(held)}期，"
                f"应不少于{need['value']}期"
            )
            yield Found(org["id"], year.label, "error", message, _cited({"classes": held}, need))


def _parents_of_roots(ctx: Context) -> dict[str, dict[str, Any]]:
    """The ancestors of the evaluated roots, by path (one query over a few rows)."""

    def load() -> dict[str, dict[str, Any]]:
        paths = {
            root.path[:n]
            for root in ctx.roots
            for n in range(Org.steplen, len(root.path), Org.steplen)
        }
        rows = Org.objects.filter(path__in=paths).values("id", "path", "kind", "sector")
        return {row["path"]: row for row in rows}

    return ctx.memo(("study", "ancestors"), load)


def _rotation_org(ctx: Context, org: dict[str, Any]) -> bool:
    """An org of a rotation sector and kind (机关党委, 党总支 or 党支部)."""
    sectors = ctx.policy.value("study.rotation.sectors", org["path"])
    return org["kind"] in ROTATION_KINDS and org["sector"] in sectors


def _rotation(ctx: Context, year: Period) -> Iterator[Found]:
    """The top rotation org of each department: its parent is not a rotation org."""
    key = "study.rotation.min_per_year"
    orgs, above = _orgs(ctx), _parents_of_roots(ctx)
    by_path = {**above, **{org["path"]: org for org in orgs.values()}}
    judged = [
        org
        for org in orgs.values()
        if ctx.policy.value(key, org["path"]) > 0
        and _rotation_org(ctx, org)
        and _existed(org, year)
        and not _is_rotation_parent(ctx, by_path.get(org["path"][: -Org.steplen]))
    ]
    if not judged:
        return
    wider = ctx.path_q("org__path") | Q(org__path__in=list(above))
    classes = held_classes(wider, [TrainingKind.ROTATION], year.start, year.end)
    for org in judged:
        need = ctx.policy.entry(key, org["path"])
        days = Decimal(str(ctx.policy.value("study.rotation.min_days", org["path"])))
        held = [
            c["id"] for c in classes if org["path"].startswith(c["org__path"]) and c["days"] >= days
        ]
        if len(held) < need["value"]:
            message = (
                f"{year.label}年组织党员集中轮训（不少于{_hours(tenths(days))}天）{len(held)}次，"
                f"应不少于{need['value']}次"
            )
            evidence = _cited({"classes": held, "min_days": str(tenths(days))}, need)
            yield Found(org["id"], year.label, "error", message, evidence)


def _is_rotation_parent(ctx: Context, parent: dict[str, Any] | None) -> bool:
    return parent is not None and _rotation_org(ctx, parent)


def _rotation_members(ctx: Context, year: Period) -> Iterator[Found]:
    """Members placed the whole year in a branch of a rotation sector, with the rotation
    classes of at least min_days they attended (any organizer)."""
    key = "study.rotation.member_min_per_year"
    orgs = _orgs(ctx)
    branches = {
        org_id
        for org_id, org in orgs.items()
        if org["kind"] in MEMBER_KINDS
        and _rotation_org(ctx, org)
        and ctx.policy.value(key, org["path"]) > 0
    }
    if not branches:
        return
    through = members_placed_on(ctx.path_q("org__path"), year.end - ONE_DAY).filter(
        started_on__lte=year.start, org_id__in=list(branches)
    )
    placed = list(through.values_list("member_id", "org_id"))
    if not placed:
        return
    members = through.values("member_id")
    attended = classes_attended(members, [TrainingKind.ROTATION], year.start, year.end)
    for member_id, org_id in placed:
        org = orgs[org_id]
        need = ctx.policy.entry(key, org["path"])
        days = Decimal(str(ctx.policy.value("study.rotation.min_days", org["path"])))
        went = [class_id for class_id, d in attended.get(member_id, []) if d >= days]
        if len(went) < need["value"]:
            message = f"{year.label}年参加党员集中轮训{len(went)}次，应不少于{need['value']}次"
            evidence = _cited({"classes": went}, need)
            yield Found(org_id, year.label, "error", message, evidence, member_id)
