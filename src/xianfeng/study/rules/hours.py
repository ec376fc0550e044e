"""STUDY-01 concentrated study hours: per member, the counted hours of an ended year below
the requirement — error; a secretary or leadership member without the yearly
concentrated training — error; in a year in progress, hours behind the pro-rata pace —
warning. Member-level, at the member's org on the day looked at. `required_hours` is the
study standing pages' too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xianfeng.compliance.parts import cited, placed_on
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months
from xianfeng.orgs.models import MEMBER_KINDS

from ..queries import (
    ZERO,
    RawHours,
    clipped_spells,
    counted_hours,
    days_covered,
    hours_by_source,
    tenths,
)
from .parts import ONE_DAY, hours_text, period_orgs, policy_entry, policy_lookup, sub_periods


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
    for year in sub_periods(ctx, "year"):
        if year.end <= ctx.as_of:
            yield from _judge_year(ctx, year)
        elif year.start < ctx.as_of:
            yield from _judge_pace(ctx, year)


def _placed(ctx: Context, day: dt.date) -> list[tuple[int, int, dt.date]]:
    """(member, org, joined_on) of members placed in the subtree on `day`."""
    return [(row[0], row[1], row[3]) for row in placed_on(ctx, day)]


def _seat_spells(ctx: Context, start: dt.date, end: dt.date) -> dict[int, list[tuple]]:
    """Per member, the day ranges of seats held (any org) in [start, end) — inside the
    period — clipped to it (from the shared fact `seats` of the period)."""

    def load() -> dict[int, list[tuple]]:
        seats = ctx.fact("seats", start=ctx.period.start, end=ctx.period.end)
        rows = ((s["member_id"], s["started_on"], s["ended_on"]) for s in seats)
        return clipped_spells(rows, start, end)

    return ctx.memo(("study", "spells", start, end), load)


def _judge_year(ctx: Context, year: Period) -> Iterator[Found]:
    orgs, last = period_orgs(ctx), year.end - ONE_DAY
    placed = _placed(ctx, last)
    if not placed:
        return
    raw = ctx.fact("study_hours", start=year.start, end=year.end)
    seats = _seat_spells(ctx, year.start, year.end)
    for member_id, org_id, joined in placed:
        org = orgs.get(org_id)
        if org is None:
            continue
        spells = seats.get(member_id, [])
        study = raw.get(member_id, RawHours())
        need = required_hours(ctx, org, year, joined, spells, year.end)
        yield from _check_hours(ctx, org, member_id, year, study, need)
        if any(first <= last < after for first, after in spells):
            yield from _check_training(ctx, org, member_id, year, study)


def required_hours(
    ctx: Context,
    org: dict[str, Any],
    year: Period,
    joined: dt.date,
    spells: list[tuple],
    through: dt.date,
) -> dict[str, Any]:
    """The hours a member owes (STUDY-01) from the year's start (or the joining day) up
    to `through` (exclusive): member_min per member-day plus (leader_min − member_min) per
    seat-day; with the entry cited, the days counted and the joining day within the year."""
    year_days = (year.end - year.start).days
    first = max(year.start, joined)
    member_days = max(0, (through - first).days)
    seat_days = days_covered(spells, first, through) if member_days else 0
    base = policy_entry(ctx, org, "study.hours.member_min")
    leader = policy_entry(ctx, org, "study.hours.leader_min")
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
    value = policy_lookup(ctx, org)
    total, counted = counted_hours(study, value)
    if total >= need["hours"]:
        return
    notes = ["书记、班子成员"] if need["seat_days"] else []
    if need["joined"] is not None:
        notes.append(f"{need['joined'].isoformat()}入党，按比例折算")
    elif need["seat_days"] not in (0, need["year_days"]):
        notes.append("按任职时间折算")
    message = f"{year.label}年集中学习培训{hours_text(total)}学时，应不少于{hours_text(need['hours'])}学时"
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
    return cited(evidence, need["entry"])


def _check_training(
    ctx: Context, org: dict, member_id: int, year: Period, study: RawHours
) -> Iterator[Found]:
    need = ctx.policy.entry("study.training.leader_min_per_year", org["path"])
    if study.trainings >= need["value"]:
        return
    message = (
        f"{year.label}年书记、班子成员参加集中培训{study.trainings}次，应不少于{need['value']}次"
    )
    evidence = cited({"trainings": study.trainings}, need)
    yield Found(org["id"], year.label, "error", message, evidence, member_id)


def _judge_pace(ctx: Context, year: Period) -> Iterator[Found]:
    """A year in progress: hours up to `day` against min_share × the pro-rata
    requirement up to that day, once check_after_months of the year have passed."""
    orgs, day = period_orgs(ctx), ctx.day

    def due(org: dict[str, Any]) -> dt.date:
        return add_months(year.start, policy_lookup(ctx, org)("study.pace.check_after_months"))

    if not any(day >= due(org) for org in orgs.values()):
        return
    placed = _placed(ctx, day)
    through = day + ONE_DAY
    raw = ctx.fact("study_hours", start=year.start, end=through) if placed else {}
    seats = _seat_spells(ctx, year.start, through) if placed else {}
    for member_id, org_id, joined in placed:
        org = orgs.get(org_id)
        if org is None or day < due(org):
            continue
        spells = seats.get(member_id, [])
        need = required_hours(ctx, org, year, joined, spells, through)
        share = Decimal(str(policy_lookup(ctx, org)("study.pace.min_share")))
        expected = tenths(need["hours"] * share)
        total, counted = counted_hours(raw.get(member_id, RawHours()), policy_lookup(ctx, org))
        if total < expected:
            full = required_hours(ctx, org, year, joined, spells, year.end)["hours"]
            message = (
                f"截至{day.isoformat()}集中学习培训{hours_text(total)}学时，按进度应不少于"
                f"{hours_text(expected)}学时（全年应不少于{hours_text(full)}学时）"
            )
            evidence = _hours_evidence(
                raw.get(member_id, RawHours()), policy_lookup(ctx, org), total, counted, need
            )
            evidence.update(expected=str(expected), day=day.isoformat())
            yield Found(org["id"], year.label, "warning", message, evidence, member_id)
