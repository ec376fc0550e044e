"""Where members stand on their study hours (STUDY-01), for the pages, the API and the
exports: the same reads and the same pro-rata requirement as the rule, so a page never
shows a number the compliance check disagrees with.

A year that has ended is judged on its last day against the whole year's requirement; a
year in progress on the day looked at against the requirement up to that day (the rule's
pace warning: pro rata × study.pace.min_share).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Q

from xianfeng.compliance.policy import resolver
from xianfeng.lib.dates import Period, parse_period
from xianfeng.members.queries import members_placed_on
from xianfeng.orgs.models import Org

from .models import PlanKind, RecordSource, RecordStatus, StudyPlan, TrainingClass, TrainingStatus
from .queries import (
    ZERO,
    RawHours,
    counted_hours,
    hours_by_source,
    raw_hours,
    records_for_member,
    seat_spells,
    tenths,
)
from .rules.hours import required_hours

ONE_DAY = dt.timedelta(days=1)
SOURCE_LABELS = dict(RecordSource.choices)


@dataclass
class Standing:
    """One member's counted hours against the requirement of a year (or of its part
    up to the day looked at)."""

    member_id: int
    org_id: int
    required: Decimal
    full_year: Decimal
    total: Decimal
    counted: dict[str, Decimal]
    by_source: dict[str, Decimal]
    trainings: int
    leader: bool  # a secretary or leadership member on the day looked at
    trainings_required: int
    notes: list[str] = field(default_factory=list)

    @property
    def behind(self) -> Decimal:
        return max(self.required - self.total, ZERO)

    @property
    def short_of_training(self) -> bool:
        return self.leader and self.trainings < self.trainings_required


@dataclass(frozen=True)
class Span:
    """The year looked at: its period, the day members are placed on, and the end
    (exclusive) of the study that counts."""

    year: int
    period: Period
    day: dt.date
    through: dt.date
    ended: bool


def span_of(year: int, as_of: dt.date) -> Span:
    period = parse_period(str(year))
    ended = period.end <= as_of
    day = min(as_of, period.end - ONE_DAY)
    return Span(year, period, day, period.end if ended else day + ONE_DAY, ended)


def _value(policy: Any, path: str) -> Any:
    return lambda key: policy.value(key, path)


def standings(orgs_q: Q, span: Span) -> list[Standing]:
    """Members placed in the orgs of `orgs_q` (on `org__path`) on the span's day, each
    with their hours and requirement (a handful of grouped queries)."""
    placed = members_placed_on(orgs_q, span.day)
    rows = list(placed.values_list("member_id", "org_id", "member__joined_on"))
    if not rows:
        return []
    members = placed.values("member_id")
    raw = raw_hours(members, span.period.start, span.through)
    seats = seat_spells(members, span.period.start, span.through)
    paths = dict(Org.objects.filter(pk__in={r[1] for r in rows}).values_list("id", "path"))
    policy = resolver(day=span.day)
    memo: dict[Any, Any] = {}
    ctx = SimpleNamespace(  # the rule's requirement reads only ctx.policy and ctx.memo
        policy=policy,
        memo=lambda key, compute: memo[key] if key in memo else memo.setdefault(key, compute()),
    )
    found = []
    for member_id, org_id, joined in rows:
        org = {"id": org_id, "path": paths[org_id]}
        spells = seats.get(member_id, [])
        found.append(_standing(ctx, org, span, member_id, joined, spells, raw.get(member_id)))
    return found


def _standing(
    ctx: Any,
    org: dict[str, Any],
    span: Span,
    member_id: int,
    joined: dt.date,
    spells: list[tuple],
    study: RawHours | None,
) -> Standing:
    study = study or RawHours()
    value = _value(ctx.policy, org["path"])
    need = required_hours(ctx, org, span.period, joined, spells, span.through)
    full = required_hours(ctx, org, span.period, joined, spells, span.period.end)["hours"]
    required = need["hours"]
    if not span.ended:
        required = tenths(required * Decimal(str(value("study.pace.min_share"))))
    total, counted = counted_hours(study, value)
    leader = any(first <= span.day < after for first, after in spells)
    return Standing(
        member_id=member_id,
        org_id=org["id"],
        required=required,
        full_year=full,
        total=total,
        counted=counted,
        by_source=hours_by_source(study, value),
        trainings=study.trainings,
        leader=leader,
        trainings_required=int(value("study.training.leader_min_per_year")),
    )


def member_standing(member: Any, span: Span) -> Standing | None:
    """The member's standing, where they were placed on the span's day (None when they
    were not a full or probationary member placed anywhere then)."""
    found = standings(Q(member_id=member.pk), span)
    return found[0] if found else None


# --- what counted, row by row --------------------------------------------------------------


def explained_rows(member: Any, span: Span, standing: Standing | None) -> list[dict[str, Any]]:
    """Every study row of the member in the span, oldest first, with `counted` hours and
    the reason when some or all of it did not count (source not concentrated, not
    approved, above the source's cap)."""
    rows = records_for_member(member, span.period.start, span.through)
    rows.sort(key=lambda row: (row["date"], row["source"]))
    org = member.org if standing is None else Org.objects.get(pk=standing.org_id)
    value = _value(resolver(day=span.day), org.path)
    sources = value("study.concentrated_sources")
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row["hours"] is None:  # a meeting without credited hours: the policy's hours
            row["hours"] = tenths(value(f"study.meeting_hours.{row.get('kind', 'party_lesson')}"))
        row["source_label"] = SOURCE_LABELS.get(row["source"], row["source"])
        row["counted"], row["reason"] = _count(row, sources, value, used)
    return rows


def _count(row: dict, sources: list[str], value: Any, used: dict) -> tuple[Decimal, str]:
    source, hours = row["source"], tenths(row["hours"])
    if row["status"] == RecordStatus.PENDING:
        return ZERO, "待审核，审核认定后计入"
    if row["status"] == RecordStatus.REJECTED:
        return ZERO, "审核未认定"
    if row["status"] != RecordStatus.APPROVED:  # a training enrolment not attended
        return ZERO, "未参训"
    if source not in sources:
        return ZERO, f"{SOURCE_LABELS.get(source, source)}不计入集中学习培训（政策参数）"
    cap = tenths(value(f"study.cap.{source}"))
    if cap <= 0:
        return hours, ""
    room = max(cap - used[source], ZERO)
    used[source] += hours
    if hours <= room:
        return hours, ""
    label = SOURCE_LABELS.get(source, source)
    return room, f"{label}每年最多计入{cap:f}学时，超出部分不计入".replace(".0学时", "学时")


# --- orgs ----------------------------------------------------------------------------------


def child_summary(org: Org, span: Span) -> list[dict[str, Any]]:
    """Per direct child of `org` (and the org itself when it has members): members,
    members behind and by how many hours in all, leaders without training, the org
    plan's items done, held classes (STUDY-01/03/04 at a glance)."""
    children = list(Org.objects.get_children(org).exclude(kind="party_group").order_by("path"))
    found = standings(Q(org__path__startswith=org.path), span)
    paths = dict(Org.objects.filter(path__startswith=org.path).values_list("id", "path"))
    targets = [org, *children]
    by_target: dict[int, list[Standing]] = defaultdict(list)
    for s in found:
        owner = _owner(paths[s.org_id], targets, org)
        by_target[owner.pk].append(s)
    plans = _plan_counts(targets, span.year)
    classes = _class_counts(targets, span)
    rows = []
    for target in targets:
        members = by_target.get(target.pk, [])
        if target is org and not members and children:
            continue
        behind = [s for s in members if s.behind > 0]
        rows.append(
            {
                "org": target,
                "own": target is org,
                "members": len(members),
                "behind": len(behind),
                "shortfall": sum((s.behind for s in behind), ZERO),
                "no_training": sum(1 for s in members if s.short_of_training),
                "share": round(100 * (len(members) - len(behind)) / len(members))
                if members
                else None,
                "plan": plans.get(target.pk),
                "classes": classes.get(target.pk, 0),
            }
        )
    return rows


def _owner(path: str, targets: list[Org], org: Org) -> Org:
    for target in targets[1:]:
        if path.startswith(target.path):
            return target
    return org


def _plan_counts(targets: list[Org], year: int) -> dict[int, tuple[int, int]]:
    """(done, total) items of each target's own annual plan; absent without a plan."""
    found: dict[int, tuple[int, int]] = {}
    plans = StudyPlan.objects.filter(kind=PlanKind.ORG, year=year, org__in=targets)
    for plan in plans.prefetch_related("items"):
        items = list(plan.items.all())
        found[plan.org_id] = (sum(1 for i in items if i.done_on), len(items))
    return found


def _class_counts(targets: list[Org], span: Span) -> dict[int, int]:
    """Held classes organized in each target's subtree in the span."""
    classes = TrainingClass.objects.filter(
        status=TrainingStatus.HELD,
        starts_on__gte=span.period.start,
        starts_on__lt=span.through,
        org__path__startswith=targets[0].path,
    ).values_list("org__path", flat=True)
    counts: dict[int, int] = defaultdict(int)
    for path in classes:
        owner = _owner(path, targets, targets[0])
        counts[owner.pk] += 1
    return counts
