"""LIFE-08 heart-to-heart talks (谈心谈话) and ideological analysis: leadership pairs
without a talk in the year (one finding per org listing the pairs), members without a talk
with a leadership member (member-level), a unit's government org without the year's
ideological analysis — warnings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from xianfeng.compliance.parts import cited, existed, placed_since
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months

from ..facts import scope_members
from ..models import AffairsKind
from ..queries import affairs_records, heart_talks, member_names, talkers_seats
from .parts import (
    COMMITTEE_KINDS,
    LEADERSHIP_LIFE_KINDS,
    ONE_DAY,
    due_after,
    ended_sub_periods,
    is_seated_on,
    judged_parts,
    late_record,
    period_orgs,
    seats_by_org,
    sub_periods,
    unit_orgs,
)

A = AffairsKind


def _talk_pairs(talk: dict[str, Any]) -> set[frozenset[int]]:
    """Who talked with whom: the two people of a one-to-one talk; in a talk with more people
    present, the host (谈话人) with each of the others ("一对多"); none without a host."""
    people, host = talk["people"], talk["host"]
    if len(people) == 2:
        return {frozenset(people)}
    if host in people:
        return {frozenset((host, other)) for other in people - {host}}
    return set()


@rule(
    "LIFE-08",
    local=True,
    title="谈心谈话和思想状况分析",
    text="党组织领导班子成员之间、班子成员和党员之间、党员和党员之间要开展经常性的谈心谈话"
    "（每年一般不少于1次）；每年开展1次机关党员干部思想状况分析研判，落实领导干部和下属"
    "谈心谈话制度（seed 003）。",
    source="《关于新形势下党内政治生活的若干准则》；seed 003 §4.4、附件第10条",
    period="year",
    severity="warning",
    kinds=sorted(COMMITTEE_KINDS | LEADERSHIP_LIFE_KINDS),
)
def life_08_heart_talks(ctx: Context) -> Iterator[Found]:
    """Per ended year: pairs of leadership members without a talk (one finding per org),
    members without a talk with a leadership member (member-level); per year past its
    grace days: a unit's party org in life.ideological_analysis.sectors without the
    year's ideological analysis (LIFE-08). Talks are held heart_talk meetings at any org;
    their participants are the roster rows marked present."""
    orgs = period_orgs(ctx)
    for year in ended_sub_periods(ctx, "year"):
        talks = heart_talks(year.start, year.end, scope_members(ctx))
        pairs = [pair for talk in talks.values() for pair in _talk_pairs(talk)]
        yield from _leadership_pairs(ctx, orgs, year, pairs)
        yield from _members_without_talk(ctx, orgs, year, talks)
    yield from _ideological_analysis(ctx, orgs)


def _together(ctx: Context, org: dict, year: Period) -> list[tuple[int, int]]:
    """Pairs of people in the org's seats on the year's last day who had both been seated
    for min_months_together months by then (seats started on an unknown day: long since)."""
    last = year.end - ONE_DAY
    since: dict[int, dt.date] = {}
    for seat in seats_by_org(ctx).get(org["id"], []):
        if is_seated_on(seat, last):
            started = seat["started_on"] or dt.date.min
            since[seat["member_id"]] = min(since.get(seat["member_id"], started), started)
    months = ctx.policy.value("life.heart_talk.min_months_together", org["path"])
    people = sorted(since)
    return [
        (a, b)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if add_months(max(since[a], since[b]), months) <= year.end
    ]


def _leadership_pairs(
    ctx: Context, orgs: list[dict], year: Period, pairs: list[frozenset[int]]
) -> Iterator[Found]:
    key = "life.heart_talk.leadership_pairs_min_per_year"
    counts: dict[frozenset[int], int] = defaultdict(int)
    for pair in pairs:
        counts[pair] += 1
    missing: dict[int, list[tuple[int, int]]] = {}
    for org in orgs:
        need = ctx.policy.value(key, org["path"])
        if need > 0 and existed(org, year):
            short = [p for p in _together(ctx, org, year) if counts[frozenset(p)] < need]
            if short:
                missing[org["id"]] = short
    if not missing:
        return
    names = member_names({m for short in missing.values() for p in short for m in p})
    by_id = {org["id"]: org for org in orgs}
    for org_id, short in missing.items():
        need = ctx.policy.entry(key, by_id[org_id]["path"])
        listed = "、".join(f"{names.get(a, a)}与{names.get(b, b)}" for a, b in short[:10])
        more = f"等{len(short)}对" if len(short) > 10 else ""
        message = f"{year.label}年班子成员之间未按要求谈心谈话：{listed}{more}"
        evidence = cited({"pairs": [list(p) for p in short], "year": year.label}, need)
        yield Found(org_id, year.label, "warning", message, evidence)


TALKER_SEAT = ("member_id", "org__path", "started_on", "ended_on")


def _talkers_seats(
    ctx: Context, year: Period, members: list[int] | None
) -> dict[int, list[dict[str, Any]]]:
    """Seats (any org) held at some time in the year, per member, with the seat org's
    path: a small scope's talkers' own read, else from the shared fact `seats`."""
    if members is not None:
        return talkers_seats(year.start, year.end, members)
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for seat in ctx.fact("seats", start=ctx.period.start, end=ctx.period.end):
        started, ended = seat["started_on"], seat["ended_on"]
        if (started is None or started < year.end) and (ended is None or ended >= year.start):
            found[seat["member_id"]].append({key: seat[key] for key in TALKER_SEAT})
    return found


def _with_leaders(
    ctx: Context, year: Period, talks: dict[int, dict], members: list[int] | None
) -> dict[int, list[tuple[int, str, frozenset]]]:
    """Per participant: (talk, the talk org's path, paths of the orgs where the other
    person held a seat on the talk day), for each person they talked with."""
    seats = _talkers_seats(ctx, year, members) if talks else {}
    last = year.end - ONE_DAY
    spans: dict[int, tuple[frozenset, list[dict]]] = {}  # person → all-year paths, the rest
    for person, theirs in seats.items():
        whole = [s for s in theirs if is_seated_on(s, year.start) and is_seated_on(s, last)]
        spans[person] = (
            frozenset(s["org__path"] for s in whole),
            [s for s in theirs if s not in whole],
        )

    def held(person: int, day: dt.date) -> frozenset:
        always, partial = spans[person]
        if not partial:
            return always
        return always | {s["org__path"] for s in partial if is_seated_on(s, day)}

    found: dict[int, list[tuple[int, str, frozenset]]] = defaultdict(list)
    for talk_id, talk in talks.items():
        for pair in _talk_pairs(talk):
            for member, other in (tuple(pair), tuple(pair)[::-1]):
                if other in seats:
                    paths = held(other, talk["day"])
                    if paths:
                        found[member].append((talk_id, talk["path"], paths))
    return found


def _members_without_talk(
    ctx: Context, orgs: list[dict], year: Period, talks: dict[int, dict]
) -> Iterator[Found]:
    """Members full or probationary on the year's last day, placed in the subtree then and
    placed somewhere on its first day, with fewer talks than required with someone who on
    the talk day held a seat at an org above or equal to the member's org or the talk's."""
    key = "life.heart_talk.member_min_per_year"
    entries = {org["id"]: ctx.policy.entry(key, org["path"]) for org in orgs}
    if not any(entry["value"] > 0 for entry in entries.values()):
        return
    paths = {org["id"]: org["path"] for org in orgs}
    placed = placed_since(ctx, year.start, year.end - ONE_DAY)
    talked = _with_leaders(ctx, year, talks, scope_members(ctx))
    above: dict[tuple[str, str, frozenset], bool] = {}  # (org, talk org, seat orgs) → counts

    def counts(path: str, talk_path: str, held: frozenset) -> bool:
        key = (path, talk_path, held)
        if key not in above:
            above[key] = any(path.startswith(p) or talk_path.startswith(p) for p in held)
        return above[key]

    for member_id, org_id in placed:
        entry, path = entries.get(org_id), paths.get(org_id, "")
        if entry is None or entry["value"] <= 0:
            continue
        counted = {
            talk_id
            for talk_id, talk_path, held in talked.get(member_id, [])
            if counts(path, talk_path, held)
        }
        if len(counted) < entry["value"]:
            message = (
                f"{year.label}年未与党组织班子成员谈心谈话"
                f"（{len(counted)}次，应不少于{entry['value']}次）"
            )
            evidence = cited({"talks": sorted(counted), "year": year.label}, entry)
            yield Found(org_id, year.label, "warning", message, evidence, member_id)


def _ideological_analysis(ctx: Context, orgs: list[dict]) -> Iterator[Found]:
    """A unit's party org in life.ideological_analysis.sectors, per year past its grace."""
    key, grace = "life.ideological_analysis.min_per_year", "life.ideological_analysis.grace_days"
    units = [
        org
        for org in unit_orgs(ctx, orgs)
        if ctx.policy.value(key, org["path"]) > 0
        and org["sector"] in ctx.policy.value("life.ideological_analysis.sectors", org["path"])
    ]
    years = sub_periods(ctx, "year")
    if not units or not years:
        return
    labels = [y.label for y in years]
    found = affairs_records(ctx.path_q("org__path"), [A.IDEOLOGICAL_ANALYSIS], labels)
    for org in units:
        need = ctx.policy.entry(key, org["path"])
        for year in judged_parts(ctx, org, years, grace):
            done_on = found.get((org["id"], A.IDEOLOGICAL_ANALYSIS, year.label))
            if done_on is not None:
                what = f"{year.label}年度党员干部思想状况分析研判"
                yield from late_record(ctx, org, year, what, done_on, grace)
            else:
                deadline = due_after(ctx, year, grace, org) - ONE_DAY
                message = (
                    f"{year.label}年度未开展党员干部思想状况分析研判"
                    f"（最迟应于{deadline.isoformat()}前完成）"
                )
                evidence = cited({"deadline": deadline.isoformat(), "records": 0}, need)
                yield Found(org["id"], year.label, "warning", message, evidence)
