"""Compliance rules of organizational life, registered by requirement ID.

Which finding lives under which ID (IDs of requirements.md, none invented):

- LIFE-01 (meetings recorded and attended): a member with no organizational life for
  life.no_org_life.months months (党章 第九条, 自行脱党) — error; info when an approved
  exemption covers the whole window. Member-level.
- LIFE-02 (frequencies): general meetings with quorum per quarter, committee meetings and
  party-group meetings per month, the secretary's lesson per year (org-level); the leading
  cadres' lesson and the members' lessons per year (member-level).
- LIFE-03 (theme day): none in a month — error; all off the fixed day / weekdays without a
  reason — warning.
- LIFE-04 (请销假): a member absent without leave at the last life.absence.consecutive_limit
  meetings on their roster — warning, member-level.
- LIFE-05: the yearly life meeting (branches) and leadership life meeting (党委, 党总支).

A duty per month, quarter or year is judged for the sub-periods of the evaluated period
that have ended by as_of (end exclusive <= as_of), for orgs that existed on the
sub-period's first day and were not dissolved before its last day; its findings carry the
sub-period's label. Only held meetings with a date count, at the org they are recorded at.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months, parse_period
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind, SeatRole

from .models import MeetingKind
from .queries import (
    counts_by_month,
    exemptions_covering,
    general_meetings,
    latest_roster_entries,
    leading_cadres_on,
    lectures_by_leading_cadres,
    lessons_attended,
    lessons_with_secretary,
    members_placed_on,
    members_placed_since,
    members_placed_through,
    members_present_between,
    seats_during,
    theme_days,
    yearly_meetings,
)

K = OrgKind
M = MeetingKind
COMMITTEE_KINDS = MEMBER_KINDS | {K.GENERAL_BRANCH}  # orgs that may hold 支委会
LEADERSHIP_LIFE_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH})  # 民主生活会
MONTHLY = (M.COMMITTEE_MEETING, M.PARTY_GROUP_MEETING, M.THEME_DAY)
ONE_DAY = dt.timedelta(days=1)


# --- shared ------------------------------------------------------------------------------


def _orgs(ctx: Context) -> list[dict[str, Any]]:
    """Orgs of the subtree that existed at some time in the period (one query, shared)."""

    def load() -> list[dict[str, Any]]:
        rows = Org.objects.filter(ctx.path_q()).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lt=ctx.period.end),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=ctx.period.start),
        )
        return list(rows.values("id", "path", "kind", "sector", "founded_on", "dissolved_on"))

    return ctx.memo(("life", "orgs"), load)


def _existed(org: dict[str, Any], part: Period) -> bool:
    """Founded by the part's first day and not dissolved before its last day."""
    founded, dissolved = org["founded_on"], org["dissolved_on"]
    return (founded is None or founded <= part.start) and (
        dissolved is None or dissolved >= part.end
    )


def _parts(ctx: Context, size: str) -> list[Period]:
    """The months, quarters or years inside the period (not only the ended ones)."""
    labels = {
        "month": lambda y: [f"{y}-{m:02d}" for m in range(1, 13)],
        "quarter": lambda y: [f"{y}-Q{q}" for q in range(1, 5)],
        "year": lambda y: [str(y)],
    }[size]
    last_year = (ctx.period.end - ONE_DAY).year
    parts = [
        parse_period(label)
        for y in range(ctx.period.start.year, last_year + 1)
        for label in labels(y)
    ]
    return [p for p in parts if ctx.period.start <= p.start and p.end <= ctx.period.end]


def _ended(ctx: Context, size: str) -> list[Period]:
    return [part for part in _parts(ctx, size) if part.end <= ctx.as_of]


def _cited(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **evidence,
        "threshold": entry["value"],
        "policy": entry["policy"],
        "source": entry["source"],
    }


def _month_name(part: Period) -> str:
    return f"{part.start.year}年{part.start.month}月"


def _quarter_name(part: Period) -> str:
    return f"{part.start.year}年第{(part.start.month - 1) // 3 + 1}季度"


def _short(
    when: str, verb: str, what: str, count: int, need: int, unit: str = "", more: str = ""
) -> str:
    """'2025年6月未召开支委会（0次，应不少于1次）' or '…召开支委会次数不足（1次，…）'."""
    counted = f"{unit}{count}次，应不少于{need}次{more}"
    if count == 0:
        return f"{when}未{verb}{what}（{counted}）"
    return f"{when}{verb}{what}次数不足（{counted}）"


def _monthly_counts(ctx: Context) -> dict[tuple[int, str, dt.date], int]:
    """Held committee meetings, party-group meetings and theme days per (org, kind, month)."""
    return ctx.memo(
        ("life", "monthly"),
        lambda: counts_by_month(ctx.path_q("org__path"), MONTHLY, ctx.period.start, ctx.period.end),
    )


def _seats(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """Seats held at some time in the period, per org (one query, shared)."""
    return ctx.memo(
        ("life", "seats"),
        lambda: seats_during(ctx.path_q("org__path"), ctx.period.start, ctx.period.end),
    )


def _is_active(seat: dict[str, Any], day: dt.date) -> bool:
    """A seat on `day`: started (or no date), not past its last day (`ended_on`)."""
    started = seat["started_on"] is None or seat["started_on"] <= day
    return started and (seat["ended_on"] is None or seat["ended_on"] >= day)


# --- LIFE-02 三会一课 -----------------------------------------------------------------------


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
    orgs = _orgs(ctx)
    quarters, months = _ended(ctx, "quarter"), _ended(ctx, "month")
    if quarters:
        yield from _general_meetings(ctx, orgs, quarters)
    if months:
        yield from _committee_meetings(ctx, orgs, months)
        yield from _group_meetings(ctx, orgs, months)
    for year in _ended(ctx, "year"):
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
            if need["value"] > 0 and _existed(org, quarter):
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
    when = _quarter_name(quarter)
    message = _short(when, "召开", "党员大会", len(valid), need["value"], unit="有效会议")
    evidence = {"valid_meetings": [m["id"] for m in valid], "failed_quorum": failed}
    yield Found(org["id"], quarter.label, "error", message, _cited(evidence, need))


def _committee_meetings(ctx: Context, orgs: list[dict], months: list[Period]) -> Iterator[Found]:
    """LIFE-02 b): per branch or general branch that has a committee (at least
    committee_min_seats people in seats on the month's last day), committee meetings."""
    judged = [org for org in orgs if org["kind"] in COMMITTEE_KINDS]
    if not judged:
        return
    counts, seats = _monthly_counts(ctx), _seats(ctx)
    for org in judged:
        need = ctx.policy.entry("life.committee_meeting.min_per_month", org["path"])
        size = ctx.policy.value("org.leadership.committee_min_seats", org["path"])
        for month in months:
            last = month.end - ONE_DAY
            people = {s["member_id"] for s in seats.get(org["id"], []) if _is_active(s, last)}
            if need["value"] <= 0 or len(people) < size or not _existed(org, month):
                continue
            count = counts.get((org["id"], M.COMMITTEE_MEETING, month.start), 0)
            if count < need["value"]:
                message = _short(_month_name(month), "召开", "支委会", count, need["value"])
                evidence = {"meetings": count, "committee_members": len(people)}
                yield Found(org["id"], month.label, "error", message, _cited(evidence, need))


def _group_meetings(ctx: Context, orgs: list[dict], months: list[Period]) -> Iterator[Found]:
    """LIFE-02 c): per party group and ended month, party-group meetings (warning)."""
    counts = None
    for org in orgs:
        if org["kind"] != K.PARTY_GROUP:
            continue
        counts = _monthly_counts(ctx) if counts is None else counts
        need = ctx.policy.entry("life.party_group_meeting.min_per_month", org["path"])
        for month in months:
            count = counts.get((org["id"], M.PARTY_GROUP_MEETING, month.start), 0)
            if need["value"] > 0 and _existed(org, month) and count < need["value"]:
                message = _short(_month_name(month), "召开", "党小组会", count, need["value"])
                evidence = {"meetings": count}
                yield Found(org["id"], month.label, "warning", message, _cited(evidence, need))


def _secretary_lessons(ctx: Context, orgs: list[dict], year: Period) -> Iterator[Found]:
    """LIFE-02 d): per branch or general branch and ended year, held lessons at the org
    given by the holder of its secretary seat on the lesson day; the finding names the
    secretary in office on the year's last day (if any)."""
    key = "life.party_lesson.secretary_min_per_year"
    judged = [
        org
        for org in orgs
        if org["kind"] in COMMITTEE_KINDS
        and _existed(org, year)
        and ctx.policy.value(key, org["path"]) > 0
    ]
    if not judged:
        return
    lessons: dict[int, list[dict]] = defaultdict(list)
    for row in lessons_with_secretary(ctx.path_q("org__path"), year.start, year.end):
        lessons[row["org_id"]].append(row)
    seats, last = _seats(ctx), year.end - ONE_DAY
    for org in judged:
        need = ctx.policy.entry(key, org["path"])
        given = [row["id"] for row in lessons[org["id"]] if row["by_secretary"]]
        if len(given) >= need["value"]:
            continue
        holders = [
            s["member_id"]
            for s in seats.get(org["id"], [])
            if s["role"] == SeatRole.SECRETARY and _is_active(s, last)
        ]
        message = f"{year.label}年党组织书记讲党课{len(given)}次，应不少于{need['value']}次"
        evidence = {"lessons": [row["id"] for row in lessons[org["id"]]], "by_secretary": given}
        yield Found(
            org["id"],
            year.label,
            "error",
            message,
            _cited(evidence, need),
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
    cadres = leading_cadres_on(ctx.path_q("org__path"), last)
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
        evidence = _cited({"lessons": given, "year": year.label}, need)
        yield Found(org_id, year.label, "warning", message, evidence, member_id)


def _member_lessons(ctx: Context, orgs: list[dict], year: Period) -> Iterator[Found]:
    """LIFE-02 f): members placed in one org the whole year and full or probationary on its
    last day, with the held lessons (any org) they were present at (warning)."""
    key = "life.party_lesson.member_min_per_year"
    need_of = {org["id"]: ctx.policy.entry(key, org["path"]) for org in orgs}
    if not any(entry["value"] > 0 for entry in need_of.values()):
        return
    last = year.end - ONE_DAY
    placed = members_placed_through(ctx.path_q("org__path"), year.start, last)
    attended = lessons_attended(year.start, year.end) if placed else {}
    for member_id, org_id in placed:
        need = need_of.get(org_id)
        count = attended.get(member_id, 0)
        if need is None or count >= need["value"]:
            continue
        message = f"{year.label}年参加党课{count}次，应不少于{need['value']}次"
        evidence = _cited({"lessons_attended": count, "year": year.label}, need)
        yield Found(org_id, year.label, "warning", message, evidence, member_id)


# --- LIFE-03 theme day -------------------------------------------------------------------

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = dict(zip(WEEKDAY_NAMES, "一二三四五六日", strict=True))
EVENING = dt.time(17, 0)  # 周一晚上: a Monday theme day starts at 17:00 or later


@dataclass(frozen=True)
class Schedule:
    """When an org's theme day is due: a fixed day of the month or a set of weekdays."""

    entry: dict[str, Any]  # the parameter that sets it (fixed_day_of_month or weekdays)
    window: int = 0  # shift window (days) of a fixed day

    @property
    def fixed(self) -> bool:
        return isinstance(self.entry["value"], int)

    def describe(self) -> str:
        if self.fixed:
            return f"每月{self.entry['value']}日，逢节假日可在前后{self.window}天内的当月工作日"
        names = [f"周{WEEKDAY_LABELS[d]}" for d in self.entry["value"]]
        return "或".join(f"{n}晚上17:00以后" if n == "周一" else n for n in names)


def _schedule(ctx: Context, org: dict) -> Schedule | None:
    value = lambda key: ctx.policy.value(f"life.theme_day.{key}", org["path"])  # noqa: E731
    fixed = ctx.policy.entry("life.theme_day.fixed_day_of_month", org["path"])
    if fixed["value"] > 0 and org["sector"] in value("fixed_day_sectors"):
        return Schedule(fixed, value("shift_window_days"))
    weekdays = ctx.policy.entry("life.theme_day.weekdays", org["path"])
    if weekdays["value"] and org["sector"] in value("weekday_sectors"):
        return Schedule(weekdays)
    return None


def _on_time(ctx: Context, schedule: Schedule, meeting: dict) -> bool:
    held: dt.date = meeting["held_on"]
    if not schedule.fixed:
        name = WEEKDAY_NAMES[held.weekday()]
        evening = meeting["starts_at"] is not None and meeting["starts_at"] >= EVENING
        return name in schedule.entry["value"] and (name != "monday" or evening)
    due = held.replace(day=schedule.entry["value"])
    if held == due:
        return True
    near = abs((held - due).days) <= schedule.window
    return not ctx.calendar.is_workday(due) and near and ctx.calendar.is_workday(held)


@rule(
    "LIFE-03",
    local=True,
    title="每月开展主题党日",
    text="党支部每月相对固定1天开展主题党日。原则上明确每月5日作为农村党组织的主题党日活动"
    "时间，如遇节假日或特殊情况，可适当提前或顺延活动开展时间，但须确保每月组织开展活动不少于"
    "1次。机关事业单位党组织开展主题党日的时间一般安排在周一晚上或周六。",
    source="支部工作条例 第十二条；seed 004 §4.5.2；seed 003 §4.1",
    period="year",
    severity="error",
    kinds=sorted(MEMBER_KINDS),
)
def life_03_theme_days(ctx: Context) -> Iterator[Found]:
    """Per branch and ended month: no theme day held in the month → error; where the
    policy fixes the day or the weekdays, theme days all off time and none with a recorded
    reason → warning (LIFE-03). A theme day counts for the month it is held in."""
    months = _ended(ctx, "month")
    orgs = [org for org in _orgs(ctx) if org["kind"] in MEMBER_KINDS]
    if not months or not orgs:
        return
    counts = _monthly_counts(ctx)
    schedules = {org["id"]: s for org in orgs if (s := _schedule(ctx, org)) is not None}
    days: dict[tuple[int, dt.date], list[dict]] = defaultdict(list)
    sectors = {org["sector"] for org in orgs if org["id"] in schedules}
    if sectors:
        rows = theme_days(ctx.path_q("org__path"), sectors, months[0].start, months[-1].end)
        for row in rows:
            days[(row["org_id"], row["held_on"].replace(day=1))].append(row)
    for org in orgs:
        need = ctx.policy.entry("life.theme_day.min_per_month", org["path"])
        for month in (m for m in months if _existed(org, m)):
            count = counts.get((org["id"], M.THEME_DAY, month.start), 0)
            if count < need["value"]:
                message = _short(_month_name(month), "开展", "主题党日", count, need["value"])
                evidence = _cited({"theme_days": count}, need)
                yield Found(org["id"], month.label, "error", message, evidence)
            elif org["id"] in schedules:
                held = days[(org["id"], month.start)]
                yield from _check_timing(ctx, org, month, held, schedules[org["id"]])


def _check_timing(
    ctx: Context, org: dict, month: Period, held: list[dict], schedule: Schedule
) -> Iterator[Found]:
    if not held or any(m["off_day_reason"] or _on_time(ctx, schedule, m) for m in held):
        return
    dates = "、".join(f"{m['held_on'].month}月{m['held_on'].day}日" for m in held)
    message = (
        f"{_month_name(month)}主题党日于{dates}开展，不在规定时间（{schedule.describe()}），"
        "且未说明原因"
    )
    evidence: dict[str, Any] = {
        "meetings": [{"meeting": m["id"], "held_on": m["held_on"].isoformat()} for m in held]
    }
    if schedule.fixed:
        evidence["shift_window_days"] = schedule.window
    yield Found(org["id"], month.label, "warning", message, _cited(evidence, schedule.entry))


# --- LIFE-05 life meetings ---------------------------------------------------------------

YEARLY: dict[str, tuple[frozenset[str], str, str]] = {  # models.YEARLY_KINDS
    # meeting kind: (org kinds that hold it, parameter, name)
    M.LIFE_MEETING: (MEMBER_KINDS, "life.life_meeting.min_per_year", "组织生活会"),
    M.LEADERSHIP_LIFE_MEETING: (
        LEADERSHIP_LIFE_KINDS,
        "life.leadership_life_meeting.min_per_year",
        "领导班子民主生活会",
    ),
}


@rule(
    "LIFE-05",
    local=True,
    title="召开组织生活会和民主生活会",
    text="党委（党总支）每年至少召开1次班子成员民主生活会，支部每年召开1次党员组织生活会，"
    "领导干部参加双重组织生活（seed 003）；组织生活会一般每年召开1次（支部工作条例）。",
    source="seed 003 附件第9条；支部工作条例 第十三条；"
    "《县以上党和国家机关党员领导干部民主生活会若干规定》",
    period="year",
    severity="error",
    kinds=sorted(MEMBER_KINDS | LEADERSHIP_LIFE_KINDS),
)
def life_05_life_meetings(ctx: Context) -> Iterator[Found]:
    """Per year of the period: branches short of life meetings, party committees and
    general branches short of leadership life meetings (LIFE-05). A year Y is judged once
    its grace months in Y+1 (life.life_meeting.grace_months) have passed by as_of."""
    for year in _parts(ctx, "year"):
        judged = [
            (org, kind)
            for org in _orgs(ctx)
            for kind, (kinds, _key, _name) in YEARLY.items()
            if org["kind"] in kinds and _existed(org, year) and ctx.as_of >= _due(ctx, org, year)
        ]
        if judged:
            meetings = yearly_meetings(ctx.path_q("org__path"), year.start.year)
            for org, kind in judged:
                yield from _check_year(ctx, org, kind, year, meetings[(org["id"], kind)])


def _due(ctx: Context, org: dict, year: Period) -> dt.date:
    """The first day after the grace months of the next year."""
    return add_months(year.end, ctx.policy.value("life.life_meeting.grace_months", org["path"]))


def _check_year(
    ctx: Context, org: dict, kind: str, year: Period, held: list[int]
) -> Iterator[Found]:
    _kinds, key, name = YEARLY[kind]
    need = ctx.policy.entry(key, org["path"])
    if len(held) >= need["value"]:
        return
    deadline = _due(ctx, org, year) - ONE_DAY
    more = f"，最迟应于{deadline.isoformat()}前召开"
    message = _short(f"{year.label}年度", "召开", name, len(held), need["value"], more=more)
    evidence = _cited({"meetings": held, "deadline": deadline.isoformat()}, need)
    yield Found(org["id"], year.label, "error", message, evidence)


# --- member-level attendance: LIFE-04 consecutive absence, LIFE-01 no organizational life --


@rule(
    "LIFE-04",
    local=True,
    title="请销假：连续缺席组织生活",
    text="严格履行党员参加政治生活请销假制度（seed 003 §4.1）。本系统解读：党员最近连续"
    "3次（life.absence.consecutive_limit）应参加的组织生活均缺席且未请假，即预警。",
    source="seed 003 §4.1；地方惯例（本系统解读）",
    period="year",
    severity="warning",
    kinds=sorted(MEMBER_KINDS),
)
def life_04_consecutive_absence(ctx: Context) -> Iterator[Found]:
    """Members whose life.absence.consecutive_limit most recent roster entries up to
    `day` (approved leave and exemptions skipped: they neither break nor extend a run)
    are all absences, the last of them inside the period; org = the member's placement
    on `day` (LIFE-04)."""
    key = "life.absence.consecutive_limit"
    orgs = {org["id"]: org for org in _orgs(ctx)}
    if not orgs:
        return
    limit = max(ctx.policy.value(key, org["path"]) for org in orgs.values())
    entries = latest_roster_entries(ctx.period.start, ctx.day, limit)
    if not entries:
        return
    for member_id, org_id in _placed_on_day(ctx):
        if member_id not in entries or org_id not in orgs:
            continue
        entry = ctx.policy.entry(key, orgs[org_id]["path"])
        last = entries[member_id][: entry["value"]]
        if len(last) == entry["value"] and all(status == "absent" for _m, _d, status in last):
            yield _absence_found(ctx, member_id, org_id, last, entry)


def _placed_on_day(ctx: Context) -> list[tuple[int, int]]:
    """(member, org) of the members placed in the subtree on `day` (one query, shared)."""
    return ctx.memo(
        ("life", "placed", ctx.day),
        lambda: list(
            members_placed_on(ctx.path_q("org__path"), ctx.day).values_list("member_id", "org_id")
        ),
    )


def _absence_found(ctx: Context, member_id: int, org_id: int, rows: list, entry: dict) -> Found:
    oldest_first = list(reversed(rows))
    dates = [held_on.isoformat() for _meeting, held_on, _status in oldest_first]
    message = f"连续{len(rows)}次缺席组织生活且未请假（{'、'.join(dates)}）"
    evidence = _cited({"meetings": [m for m, _d, _s in oldest_first], "dates": dates}, entry)
    return Found(org_id, ctx.period.label, "warning", message, evidence, member_id)


@rule(
    "LIFE-01",
    local=True,
    title="党员参加党的组织生活",
    text="党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的"
    "工作，就被认为是自行脱党。年老体弱、长期患病卧病在床的党员，经本人申请、所属党组织审核"
    "同意，可以不参加有关活动（seed 004）。",
    source="党章 第九条；seed 004 §4.5.2",
    period="year",
    severity="error",
    kinds=sorted(MEMBER_KINDS),
)
def life_01_no_organizational_life(ctx: Context) -> Iterator[Found]:
    """Members full or probationary on `day`, placed since the window's first day, present
    at no held meeting dated in (day − N months, day], N = life.no_org_life.months →
    error; with an approved exemption (any kind) covering the whole window → info
    (LIFE-01)."""
    key = "life.no_org_life.months"
    entries = {org["id"]: ctx.policy.entry(key, org["path"]) for org in _orgs(ctx)}
    day = ctx.day
    for months in sorted({entry["value"] for entry in entries.values()}):
        first = add_months(day, -months) + ONE_DAY
        placed = members_placed_since(ctx.path_q("org__path"), first, day)
        if not placed:
            continue
        present = members_present_between(first, day)
        exempted = exemptions_covering(first, day)
        for member_id, org_id in placed:
            entry = entries.get(org_id)
            if entry is not None and entry["value"] == months and member_id not in present:
                window = {"from": first.isoformat(), "to": day.isoformat()}
                yield _no_life_found(ctx, member_id, org_id, entry, window, exempted.get(member_id))


def _no_life_found(
    ctx: Context, member_id: int, org_id: int, entry: dict, window: dict, exemption: dict | None
) -> Found:
    message = f"连续{entry['value']}个月未参加党的组织生活（自行脱党情形之一）"
    evidence = _cited(window, entry)
    if exemption is None:
        return Found(org_id, ctx.period.label, "error", message, evidence, member_id)
    evidence["exemption"] = exemption["id"]
    ends = exemption["ends_on"].isoformat() if exemption["ends_on"] else "长期"
    message = (
        f"连续{entry['value']}个月未参加党的组织生活，已批准免于参加"
        f"（{MeetingKind(exemption['kind']).label}，{exemption['reason']}，"
        f"{exemption['starts_on'].isoformat()}至{ends}）"
    )
    return Found(org_id, ctx.period.label, "info", message, evidence, member_id)
