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
- LIFE-07 (党务公开): a month without a publication at the kinds life.disclosure.monthly_kinds
  names; a half without the report to all members and a year without the written report
  upward at a unit's party org — warnings, org-level.
- LIFE-08 (谈心谈话, 思想状况分析): leadership pairs without a talk in the year (one finding per
  org listing the pairs), members without a talk with a leadership member (member-level),
  a unit's government org without the year's ideological analysis — warnings.

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

from xianfeng.compliance.parts import FEW_MEMBERS, parts_of, placed_on, placed_since
from xianfeng.compliance.parts import cited as _cited
from xianfeng.compliance.parts import existed as _existed
from xianfeng.compliance.parts import month_name as _month_name
from xianfeng.compliance.parts import quarter_name as _quarter_name
from xianfeng.compliance.registry import SMALL_SCOPE, Context, Found, rule
from xianfeng.lib.dates import Period, add_months
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind, SeatRole

from .models import AffairsKind, MeetingKind
from .queries import (
    affairs_records,
    counts_by_month,
    exemptions_covering,
    general_meetings,
    heart_talks,
    last_attended,
    latest_roster_entries,
    lectures_by_leading_cadres,
    lessons_attended,
    lessons_with_secretary,
    member_names,
    members_placed_during,
    parent_kinds,
    seats_during,
    talkers_seats,
    theme_days,
    yearly_meetings,
)

K = OrgKind
M = MeetingKind
COMMITTEE_KINDS = MEMBER_KINDS | {K.GENERAL_BRANCH}  # orgs that may hold 支委会
LEADERSHIP_LIFE_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH})  # 民主生活会
MONTHLY = (M.COMMITTEE_MEETING, M.PARTY_GROUP_MEETING, M.THEME_DAY)
ONE_DAY = dt.timedelta(days=1)
MIN = dt.date.min
NO_LIFE = "life.no_org_life.months"
# A scope of at most SMALL_SCOPE orgs (a branch re-checked after one meeting is saved) reads
# attendance by its members; a larger one by date (see queries).


# --- shared ------------------------------------------------------------------------------


def _scope_members(ctx: Context) -> list[int] | None:
    """The members placed in a small scope at some time since a year before the period
    (the furthest any LIFE rule looks back), to restrict attendance reads to; None for a
    large scope. A superset is harmless: the rules intersect with the members they judge."""
    if len(ctx.orgs()) > SMALL_SCOPE:
        return None
    first = add_months(ctx.period.start, -12)
    members = ctx.memo(
        ("life", "scope_members"),
        lambda: members_placed_during(ctx.path_q("org__path"), first, ctx.as_of),
    )
    return members if len(members) <= FEW_MEMBERS else None


def _orgs(ctx: Context) -> list[dict[str, Any]]:
    """Orgs of the subtree that existed at some time in the period (one query, shared)."""

    def load() -> list[dict[str, Any]]:
        rows = Org.objects.filter(ctx.path_q()).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lt=ctx.period.end),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=ctx.period.start),
        )
        return list(rows.values("id", "path", "kind", "sector", "founded_on", "dissolved_on"))

    return ctx.memo(("life", "orgs"), load)


def _parts(ctx: Context, size: str) -> list[Period]:
    """The months, quarters, halves or years inside the evaluated period."""
    return parts_of(ctx.period, size)


def _ended(ctx: Context, size: str) -> list[Period]:
    return [part for part in _parts(ctx, size) if part.end <= ctx.as_of]


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
    placed = [(row[0], row[1]) for row in placed_on(ctx, last) if row[2] <= year.start]
    attended = lessons_attended(year.start, year.end, _scope_members(ctx)) if placed else {}
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
    start = ctx.period.start
    candidates = [  # the last absence since the period's start is later than any presence
        member_id
        for member_id, (present, absent) in _last_attended(ctx).items()
        if absent is not None and absent >= start and (present is None or absent > present)
    ]
    entries = latest_roster_entries(candidates, ctx.day, limit) if candidates else {}
    if not entries:
        return
    for member_id, org_id in _placed_on_day(ctx):
        if member_id not in entries or org_id not in orgs:
            continue
        entry = ctx.policy.entry(key, orgs[org_id]["path"])
        last = entries[member_id][: entry["value"]]
        if len(last) == entry["value"] and all(status == "absent" for _m, _d, status in last):
            yield _absence_found(ctx, member_id, org_id, last, entry)


def _last_attended(ctx: Context) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Last day present and last day absent per member, from the earliest day LIFE-01 or
    LIFE-04 looks at up to `day` (one scan of the attendance, shared by both)."""

    def load() -> dict[int, tuple[dt.date | None, dt.date | None]]:
        orgs = _orgs(ctx)
        months = max((ctx.policy.value(NO_LIFE, org["path"]) for org in orgs), default=0)
        first = min(ctx.period.start, add_months(ctx.day, -months) + ONE_DAY)
        return last_attended(first, ctx.day, _scope_members(ctx))

    return ctx.memo(("life", "last_attended"), load)


def _placed_on_day(ctx: Context) -> list[tuple[int, int]]:
    """(member, org) of the members placed in the subtree on `day`."""
    return [(row[0], row[1]) for row in placed_on(ctx, ctx.day)]


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
    entries = {org["id"]: ctx.policy.entry(NO_LIFE, org["path"]) for org in _orgs(ctx)}
    day, last = ctx.day, _last_attended(ctx)
    for months in sorted({entry["value"] for entry in entries.values()}):
        first = add_months(day, -months) + ONE_DAY
        placed = placed_since(ctx, first, day)
        if not placed:
            continue
        exempted = exemptions_covering(first, day)
        for member_id, org_id in placed:
            entry = entries.get(org_id)
            present = (last.get(member_id) or (None, None))[0]
            if entry is not None and entry["value"] == months and (present or MIN) < first:
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


# --- LIFE-07 party-affairs openness (党务公开) -----------------------------------------------

A = AffairsKind
HALF_NAMES = {"H1": "上半年", "H2": "下半年"}


def _sourced(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Evidence citing the parameter that makes the duty (its value is not a threshold)."""
    return {**evidence, "policy": entry["policy"], "source": entry["source"]}


def _due_after(ctx: Context, part: Period, key: str, org: dict) -> dt.date:
    """The first day `part` is judged: its end plus the policy's grace days."""
    return part.end + dt.timedelta(days=ctx.policy.value(key, org["path"]))


def _judged(ctx: Context, org: dict, parts: list[Period], key: str) -> list[Period]:
    """The parts the org existed through whose grace (`key`, days) has passed by as_of."""
    return [p for p in parts if _existed(org, p) and ctx.as_of >= _due_after(ctx, p, key, org)]


def _unit_orgs(ctx: Context, orgs: list[dict]) -> list[dict]:
    """A unit's party org: kind in life.affairs_report.kinds and a parent that is not (the
    机关党委, 党总支 or lone 党支部 of a department under a working committee); the branches
    under it belong to the same unit and are not judged again (shared by LIFE-07/08)."""

    def load() -> list[dict]:
        by_path = {org["path"]: org["kind"] for org in orgs}
        missing = [org["path"] for org in orgs if org["path"][: -Org.steplen] not in by_path]
        parents = {**by_path, **parent_kinds(missing, Org.steplen)} if missing else by_path
        units = []
        for org in orgs:
            kinds = ctx.policy.value("life.affairs_report.kinds", org["path"])
            if org["kind"] in kinds and parents.get(org["path"][: -Org.steplen]) not in kinds:
                units.append(org)
        return units

    return ctx.memo(("life", "units"), load)


@rule(
    "LIFE-07",
    local=True,
    title="党务公开",
    text="健全党务公开和民主监督，推行党务公开栏和党日活动中党务工作月公开制度，部门党组"
    "（党委）每半年向全体党员进行1次党建工作情况通报，每年向市委书面报告年度抓机关党建工作"
    "情况。",
    source="seed 003 §4.2；《中国共产党党务公开条例（试行）》",
    period="year",
    severity="warning",
    kinds=sorted(COMMITTEE_KINDS | LEADERSHIP_LIFE_KINDS),
)
def life_07_affairs_openness(ctx: Context) -> Iterator[Found]:
    """Months without a publication at orgs of life.disclosure.monthly_kinds; halves
    without the report to all members and years without the written report upward at a
    unit's party org in life.affairs_report.sectors (LIFE-07). A part is judged once its
    grace days have passed by as_of; a record counts for the period it is recorded for."""
    orgs = _orgs(ctx)
    months = _parts(ctx, "month")
    monthly = [
        org
        for org in orgs
        if org["kind"] in ctx.policy.value("life.disclosure.monthly_kinds", org["path"])
    ]
    if monthly and months:
        yield from _disclosures(ctx, monthly, months)
    units = [
        org
        for org in _unit_orgs(ctx, orgs)
        if org["sector"] in ctx.policy.value("life.affairs_report.sectors", org["path"])
    ]
    if units:
        yield from _reports(ctx, units)


def _disclosures(ctx: Context, orgs: list[dict], months: list[Period]) -> Iterator[Found]:
    key = "life.disclosure.grace_days"
    found = affairs_records(ctx.path_q("org__path"), [A.DISCLOSURE], [m.label for m in months])
    for org in orgs:
        entry = ctx.policy.entry("life.disclosure.monthly_kinds", org["path"])
        for month in _judged(ctx, org, months, key):
            if (org["id"], A.DISCLOSURE, month.label) in found:
                continue
            deadline = _due_after(ctx, month, key, org) - ONE_DAY
            message = f"{_month_name(month)}未进行党务公开（党务工作应按月公开）"
            evidence = _sourced({"deadline": deadline.isoformat(), "records": 0}, entry)
            yield Found(org["id"], month.label, "warning", message, evidence)


REPORTS = (
    # (kind, part size, parameter, what is missing)
    (
        A.REPORT_TO_MEMBERS,
        "half",
        "life.affairs_report.to_members_per_half",
        "向全体党员通报党建工作",
    ),
    (
        A.REPORT_UPWARD,
        "year",
        "life.affairs_report.upward_per_year",
        "向上级党组织书面报告党建工作",
    ),
)


def _part_name(part: Period) -> str:
    year, _sep, half = part.label.partition("-")
    return f"{year}年{HALF_NAMES[half]}" if half else f"{year}年度"


def _reports(ctx: Context, units: list[dict]) -> Iterator[Found]:
    key = "life.affairs_report.grace_days"
    parts = {size: _parts(ctx, size) for size in ("half", "year")}
    labels = [p.label for ps in parts.values() for p in ps]
    found = affairs_records(ctx.path_q("org__path"), [r[0] for r in REPORTS], labels)
    for org in units:
        for kind, size, param, what in REPORTS:
            need = ctx.policy.entry(param, org["path"])
            if need["value"] <= 0:
                continue
            for part in _judged(ctx, org, parts[size], key):
                if (org["id"], kind, part.label) not in found:
                    deadline = _due_after(ctx, part, key, org) - ONE_DAY
                    message = f"{_part_name(part)}未{what}（最迟应于{deadline.isoformat()}前完成）"
                    evidence = _cited({"deadline": deadline.isoformat(), "records": 0}, need)
                    yield Found(org["id"], part.label, "warning", message, evidence)


# --- LIFE-08 heart-to-heart talks (谈心谈话) and ideological analysis ----------------------


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
    orgs = _orgs(ctx)
    for year in _ended(ctx, "year"):
        talks = heart_talks(year.start, year.end, _scope_members(ctx))
        pairs = [pair for talk in talks.values() for pair in _talk_pairs(talk)]
        yield from _leadership_pairs(ctx, orgs, year, pairs)
        yield from _members_without_talk(ctx, orgs, year, talks)
    yield from _ideological_analysis(ctx, orgs)


def _together(ctx: Context, org: dict, year: Period) -> list[tuple[int, int]]:
    """Pairs of people in the org's seats on the year's last day who had both been seated
    for min_months_together months by then (seats started on an unknown day: long since)."""
    last = year.end - ONE_DAY
    since: dict[int, dt.date] = {}
    for seat in _seats(ctx).get(org["id"], []):
        if _is_active(seat, last):
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
        if need > 0 and _existed(org, year):
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
        evidence = _cited({"pairs": [list(p) for p in short], "year": year.label}, need)
        yield Found(org_id, year.label, "warning", message, evidence)


def _with_leaders(
    year: Period, talks: dict[int, dict], members: list[int] | None
) -> dict[int, list[tuple[int, str, frozenset]]]:
    """Per participant: (talk, the talk org's path, paths of the orgs where the other
    person held a seat on the talk day), for each person they talked with."""
    seats = talkers_seats(year.start, year.end, members) if talks else {}
    last = year.end - ONE_DAY
    spans: dict[int, tuple[frozenset, list[dict]]] = {}  # person → all-year paths, the rest
    for person, theirs in seats.items():
        whole = [s for s in theirs if _is_active(s, year.start) and _is_active(s, last)]
        spans[person] = (
            frozenset(s["org__path"] for s in whole),
            [s for s in theirs if s not in whole],
        )

    def held(person: int, day: dt.date) -> frozenset:
        always, partial = spans[person]
        if not partial:
            return always
        return always | {s["org__path"] for s in partial if _is_active(s, day)}

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
    talked = _with_leaders(year, talks, _scope_members(ctx))
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
            evidence = _cited({"talks": sorted(counted), "year": year.label}, entry)
            yield Found(org_id, year.label, "warning", message, evidence, member_id)


def _ideological_analysis(ctx: Context, orgs: list[dict]) -> Iterator[Found]:
    """A unit's party org in life.ideological_analysis.sectors, per year past its grace."""
    key, grace = "life.ideological_analysis.min_per_year", "life.ideological_analysis.grace_days"
    units = [
        org
        for org in _unit_orgs(ctx, orgs)
        if ctx.policy.value(key, org["path"]) > 0
        and org["sector"] in ctx.policy.value("life.ideological_analysis.sectors", org["path"])
    ]
    years = _parts(ctx, "year")
    if not units or not years:
        return
    labels = [y.label for y in years]
    found = affairs_records(ctx.path_q("org__path"), [A.IDEOLOGICAL_ANALYSIS], labels)
    for org in units:
        need = ctx.policy.entry(key, org["path"])
        for year in _judged(ctx, org, years, grace):
            if (org["id"], A.IDEOLOGICAL_ANALYSIS, year.label) not in found:
                deadline = _due_after(ctx, year, grace, org) - ONE_DAY
                message = (
                    f"{year.label}年度未开展党员干部思想状况分析研判"
                    f"（最迟应于{deadline.isoformat()}前完成）"
                )
                evidence = _cited({"deadline": deadline.isoformat(), "records": 0}, need)
                yield Found(org["id"], year.label, "warning", message, evidence)
