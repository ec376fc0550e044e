"""LIFE-02 三会一课: general meetings with quorum per quarter, committee and party-group
meetings per month, and the secretary's, the leading cadres' and the members' lessons
per year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from xianfeng.compliance.parts import cited, existed, month_name, placed_on, quarter_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period
from xianfeng.orgs.models import MEMBER_KINDS, OrgKind, SeatRole

from ..models import MeetingKind
from ..queries import (
    general_meetings,
    lectures_by_leading_cadres,
    lessons_with_secretary,
)
from .parts import (
    COMMITTEE_KINDS,
    ONE_DAY,
    ended_sub_periods,
    is_seated_on,
    monthly_counts,
    period_orgs,
    seats_by_org,
    shortfall_message,
)

K = OrgKind
M = MeetingKind


@rule(
    "LIFE-02",
    local=True,
    title="“三会一课”按期开展",
    text="党员大会至少每三个月召开一次，支委会会议至少每月召开一次，党小组会议至少每月召开"
    "一至两次，每年至少组织党员上一至两次党课……基层党组织书记每年带头给党员上党课不少于1次"
    "（seed 004）；党员领导干部……带头参加所在党支部的组织生活……带头上好1次党课（seed 003）。"
    "党员大会须有半数以上有表决权的党员到会。",
    source="支部工作条例 第十一条；seed 004 §4.5.1；seed 003 §4.1、附件第9条；seed 004 §4.2.1",
    period="year",
    severity="error",
    kinds=sorted(COMMITTEE_KINDS | {K.PARTY_GROUP}),
)
def life_02_meeting_frequencies(ctx: Context) -> Iterator[Found]:
    """Quarters short of general meetings with quorum, months of a committee or party
    group short of meetings, years short of the secretary's, the leading cadres' and the
    members' lessons (LIFE-02)."""
    orgs = period_orgs(ctx)
    quarters, months = ended_sub_periods(ctx, "quarter"), ended_sub_periods(ctx, "month")
    if quarters:
        yield from _general_meetings(ctx, orgs, quarters)
    if months:
        yield from _committee_meetings(ctx, orgs, months)
        yield from _group_meetings(ctx, orgs, months)
    for year in ended_sub_periods(ctx, "year"):
        yield from _secretary_lessons(ctx, orgs, year)
        yield from _leading_cadre_lessons(ctx, orgs, year)
        yield from _member_lessons(ctx, orgs, year)


def _has_quorum(meeting: dict[str, Any]) -> bool:
    """Voters present are more than half of the voters on the roster (none: no quorum)."""
    return meeting["voters"] > 0 and meeting["present"] * 2 > meeting["voters"]


def _general_meetings(ctx: Context, orgs: list[dict], quarters: list[Period]) -> Iterator[Found]:
    """LIFE-02 a): per branch and ended quarter, held general meetings with quorum."""
    judged = [org for org in orgs if org["kind"] in MEMBER_KINDS]
    if not judged:
        return
    meetings: dict[int, list[dict]] = defaultdict(list)
    for row in general_meetings(ctx.path_q("org__path"), quarters[0].start, quarters[-1].end):
        meetings[row["org_id"]].append(row)
    for org in judged:
        need = ctx.policy.entry("life.general_meeting.min_per_quarter", org["path"])
        for quarter in quarters:
            if need["value"] > 0 and existed(org, quarter):
                held = [m for m in meetings[org["id"]] if m["held_on"] in quarter]
                yield from _check_quarter(org, quarter, held, need)


def _check_quarter(org: dict, quarter: Period, held: list[dict], need: dict) -> Iterator[Found]:
    valid = [m for m in held if _has_quorum(m)]
    if len(valid) >= need["value"]:
        return
    failed = [
        {
            "meeting": m["id"],
            "held_on": m["held_on"].isoformat(),
            "present": m["present"],
            "voters": m["voters"],
        }
        for m in held
        if not _has_quorum(m)
    ]
    when = quarter_name(quarter)
    message = shortfall_message(
        when, "召开", "党员大会", len(valid), need["value"], unit="有效会议"
    )
    evidence = {"valid_meetings": [m["id"] for m in valid], "failed_quorum": failed}
    yield Found(org["id"], quarter.label, "error", message, cited(evidence, need))


def _committee_meetings(ctx: Context, orgs: list[dict], months: list[Period]) -> Iterator[Found]:
    """LIFE-02 b): per branch or general branch that has a committee (at least
    committee_min_seats people in seats on the month's last day), committee meetings."""
    judged = [org for org in orgs if org["kind"] in COMMITTEE_KINDS]
    if not judged:
        return
    counts, seats = monthly_counts(ctx), seats_by_org(ctx)
    for org in judged:
        need = ctx.policy.entry("life.committee_meeting.min_per_month", org["path"])
        size = ctx.policy.value("org.leadership.committee_min_seats", org["path"])
        for month in months:
            last = month.end - ONE_DAY
            people = {s["member_id"] for s in seats.get(org["id"], []) if is_seated_on(s, last)}
            if need["value"] <= 0 or len(people) < size or not existed(org, month):
                continue
            count = counts.get((org["id"], M.COMMITTEE_MEETING, month.start), 0)
            if count < need["value"]:
                message = shortfall_message(
                    month_name(month), "召开", "支委会", count, need["value"]
                )
                evidence = {"meetings": count, "committee_members": len(people)}
                yield Found(org["id"], month.label, "error", message, cited(evidence, need))


def _group_meetings(ctx: Context, orgs: list[dict], months: list[Period]) -> Iterator[Found]:
    """LIFE-02 c): per party group and ended month, party-group meetings (warning)."""
    counts = None
    for org in orgs:
        if org["kind"] != K.PARTY_GROUP:
            continue
        counts = monthly_counts(ctx) if counts is None else counts
        need = ctx.policy.entry("life.party_group_meeting.min_per_month", org["path"])
        for month in months:
            count = counts.get((org["id"], M.PARTY_GROUP_MEETING, month.start), 0)
            if need["value"] > 0 and existed(org, month) and count < need["value"]:
                message = shortfall_message(
                    month_name(month), "召开", "党小组会", count, need["value"]
                )
                evidence = {"meetings": count}
                yield Found(org["id"], month.label, "warning", message, cited(evidence, need))


def _secretary_lessons(ctx: Context, orgs: list[dict], year: Period) -> Iterator[Found]:
    """LIFE-02 d): per branch or general branch and ended year, held lessons at the org
    given by the holder of its secretary seat on the lesson day; the finding names the
    secretary in office on the year's last day (if any)."""
    key = "life.party_lesson.secretary_min_per_year"
    judged = [
        org
        for org in orgs
        if org["kind"] in COMMITTEE_KINDS
        and existed(org, year)
        and ctx.policy.value(key, org["path"]) > 0
    ]
    if not judged:
        return
    lessons: dict[int, list[dict]] = defaultdict(list)
    for row in lessons_with_secretary(ctx.path_q("org__path"), year.start, year.end):
        lessons[row["org_id"]].append(row)
    seats, last = seats_by_org(ctx), year.end - ONE_DAY
    for org in judged:
        need = ctx.policy.entry(key, org["path"])
        given = [row["id"] for row in lessons[org["id"]] if row["by_secretary"]]
        if len(given) >= need["value"]:
            continue
        holders = [
            s["member_id"]
            for s in seats.get(org["id"], [])
            if s["role"] == SeatRole.SECRETARY and is_seated_on(s, last)
        ]
        message = f"{year.label}年党组织书记讲党课{len(given)}次，应不少于{need['value']}次"
        evidence = {"lessons": [row["id"] for row in lessons[org["id"]]], "by_secretary": given}
        yield Found(
            org["id"],
            year.label,
            "error",
            message,
            cited(evidence, need),
            holders[0] if holders else None,
        )


def _leading_cadre_lessons(ctx: Context, orgs: list[dict], year: Period) -> Iterator[Found]:
    """LIFE-02 e): leading cadres placed in the subtree on the year's last day, with the
    held lessons they lectured that year at the org of that placement (warning)."""
    key = "life.party_lesson.leading_cadre_min_per_year"
    by_id = {org["id"]: org for org in orgs}
    if not any(ctx.policy.value(key, org["path"]) > 0 for org in orgs):
        return
    last = year.end - ONE_DAY
    cadres = [(row[0], row[1]) for row in placed_on(ctx, last) if row[4]]  # leading cadres
    if not cadres:
        return
    lectured = lectures_by_leading_cadres(ctx.path_q("org__path"), year.start, year.end)
    for member_id, org_id in cadres:
        org = by_id.get(org_id)
        need = ctx.policy.entry(key, org["path"]) if org else None
        given = lectured.get((org_id, member_id), [])
        if need is None or len(given) >= need["value"]:
            continue
        message = (
            f"党员领导干部{year.label}年在所在党支部讲党课{len(given)}次，应不少于{need['value']}次"
        )
        evidence = cited({"lessons": given, "year": year.label}, need)
        yield Found(org_id, year.label, "warning", message, evidence, member_id)


def _member_lessons(ctx: Context, orgs: list[dict], year: Period) -> Iterator[Found]:
    """LIFE-02 f): members placed in one org the whole year and full or probationary on its
    last day, with the held lessons (any org) they were present at (warning)."""
    key = "life.party_lesson.member_min_per_year"
    need_of = {org["id"]: ctx.policy.entry(key, org["path"]) for org in orgs}
    if not any(entry["value"] > 0 for entry in need_of.values()):
        return
    last = year.end - ONE_DAY
    placed = [(row[0], row[1]) for row in placed_on(ctx, last) if row[2] <= year.start]
    attended = _lessons_attended(ctx, year) if placed else {}
    for member_id, org_id in placed:
        need = need_of.get(org_id)
        count = attended.get(member_id, 0)
        if need is None or count >= need["value"]:
            continue
        message = f"{year.label}年参加党课{count}次，应不少于{need['value']}次"
        evidence = cited({"lessons_attended": count, "year": year.label}, need)
        yield Found(org_id, year.label, "warning", message, evidence, member_id)


def _lessons_attended(ctx: Context, year: Period) -> dict[int, int]:
    """Held party lessons (any org) of the year each member was present at (from the
    shared fact `attendance` of the year; members with none are left out)."""
    found = ctx.fact("attendance", start=year.start, end=year.end)
    lesson = M.PARTY_LESSON
    return {
        member_id: row.counts[lesson] for member_id, row in found.items() if lesson in row.counts
    }
