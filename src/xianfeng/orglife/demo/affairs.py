"""Demo records of LIFE-07 and LIFE-08 for one block of the demo (called by xianfeng.demo).

Heart-to-heart talks (谈心谈话) of the last full year and of this year to date (this year's
in proportion to the days gone): every pair of an org's leadership once a year, and every
branch member once a year with one of the branch's leadership members, one-to-one or
several members with the leader as host ("一对多"). In seed 003's subtree (the government
working committee): each branch's monthly publication (党务公开), and at each department's
unit org (the org right under the working committee) the half-year reports to all members,
the annual report upward and the annual ideological analysis.

A few gaps are deliberate and go to the builder's LIFE gaps: a leadership pair and two
members without a talk last year, a branch month without a publication, a unit without
last year's second-half report, report upward or ideological analysis. Every draw comes
from the builder's `affairs` stream, so the rest of a seed stays as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from typing import Any

from xianfeng.lib.dates import add_months, parse_period
from xianfeng.orglife.models import (
    AffairsKind,
    AffairsRecord,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from xianfeng.orgs.models import MEMBER_KINDS, OrgKind, SeatRole, Sector

K = OrgKind
UNIT_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
ONE_DAY = dt.timedelta(days=1)
TALK_TOPICS = ("谈心谈话：思想和工作情况", "谈心谈话：听取意见建议", "谈心谈话：交流思想")


PAIR_MONTHS = 6  # national life.heart_talk.min_months_together
REPORT_GRACE = dt.timedelta(days=31)  # national life.affairs_report.grace_days


def save_affairs(builder: Any, orgs: list[Any], persons: list[Any], seats: list[Any]) -> None:
    """Plan and bulk-load the block's talks (their people all present) and, in the 003
    subtree, its party-affairs records (without history rows, like attendance)."""
    rng: random.Random = builder.affairs
    stays = builder.stays(persons)
    by_org: dict[Any, list[Any]] = defaultdict(list)
    for seat in seats:
        by_org[seat.org].append(seat)
    talks: list[tuple[Meeting, list[tuple[Any, bool]]]] = []
    for year, last, share in _years(builder.as_of):
        judged = share == 1.0
        skip_pair = _skip_pair(builder, rng, orgs, by_org, last) if judged else None
        branches = [o for o in orgs if o.kind in MEMBER_KINDS and len(stays.get(o, [])) >= 8]
        lax = rng.choice(branches) if judged and branches else None
        for org in orgs:
            own = by_org.get(org, [])
            talks += _pair_talks(rng, org, own, year, last, share, skip_pair)
            if org.kind in MEMBER_KINDS:
                members = stays.get(org, [])
                if org is lax:
                    skipped = _skipped(builder, rng, members, year)
                    members = [s for s in members if s.person.member.pk not in skipped]
                upper = _upper_seats(org, by_org)
                absent = getattr(builder, "absent", {})
                talks += _member_talks(rng, org, own + upper, members, (year, last, share), absent)
    talks = _keep_out_of_away(talks, getattr(builder, "away", {}), builder.as_of)
    builder.insert.objects(Meeting, [meeting for meeting, _roster in talks])
    rows = [
        (meeting.pk, person.member.pk, "present", voting, "")
        for meeting, roster in talks
        for person, voting in roster
    ]
    builder.insert.rows(Attendance, ["meeting", "member", "status", "voting", "note"], rows)
    builder.attendance += len(rows)
    names = ["org", "kind", "period", "done_on", "summary"]
    builder.insert.rows(AffairsRecord, names, _office_records(builder, rng, orgs))


def _keep_out_of_away(talks: list[Any], away: dict[int, tuple[dt.date, dt.date]], as_of: dt.date):  # type: ignore[no-untyped-def]
    """Talks moved out of the window of a member working away (`LifeBuilder._away`): to
    the day before they left or after they came back, in the same year; failing that the
    member leaves the group (a talk of two is dropped). No draws: the stream is as it was."""
    kept = []
    for meeting, roster in talks:
        gone = [p for p, _v in roster if _away_on(away, p, meeting.held_on)]
        if gone:
            window = away[id(gone[0])]
            before, after = window[0] - ONE_DAY, window[1] + ONE_DAY
            if before.year == meeting.held_on.year:
                meeting.held_on = before
            elif after.year == meeting.held_on.year and after <= as_of:
                meeting.held_on = after
            elif len(roster) > 2:
                roster = [(p, v) for p, v in roster if p not in gone]
            else:
                continue
        kept.append((meeting, roster))
    return kept


def _away_on(away: dict[int, tuple[dt.date, dt.date]], person: Any, day: dt.date) -> bool:
    window = away.get(id(person))
    return window is not None and window[0] <= day <= window[1]


def _years(as_of: dt.date) -> list[tuple[int, dt.date, float]]:
    """(year, last day covered, share of the talks held) for last year and this year."""
    share = min(0.99, (as_of - dt.date(as_of.year, 1, 1)).days / 365)
    return [(as_of.year - 1, dt.date(as_of.year - 1, 12, 31), 1.0), (as_of.year, as_of, share)]


def _holders(seats: list[Any], day: dt.date) -> list[Any]:
    """The seats held on `day`, the secretary's first, one per person."""
    found = [s for s in seats if s.started_on <= day and (s.ended_on is None or s.ended_on >= day)]
    found.sort(key=lambda s: (s.role != SeatRole.SECRETARY, s.role, s.started_on))
    return list({id(s.person): s for s in found}.values())


def _talk(org: Any, day: dt.date, host: Any, people: list[Any], rng: random.Random) -> Any:
    meeting = Meeting(
        org_id=org.pk,
        kind=MeetingKind.HEART_TALK,
        status=MeetingStatus.HELD,
        held_on=day,
        topic=rng.choice(TALK_TOPICS),
        place="党员活动室",
        host_id=host.member.pk,
    )
    roster = [(p, p.member.full_on is not None and p.member.full_on <= day) for p in people]
    return meeting, roster


def _day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _pair_talks(
    rng: random.Random,
    org: Any,
    seats: list[Any],
    year: int,
    last: dt.date,
    share: float,
    skip: tuple[Any, Any, Any] | None,
) -> list[Any]:
    """One talk in the year for each pair of the people seated on `last` (one-to-one)."""
    talks = []
    for a, b in itertools.combinations(_holders(seats, last), 2):
        if skip == (org, a.person, b.person) or rng.random() >= share:
            continue
        low = max(a.started_on, b.started_on, dt.date(year, 1, 1))
        talks.append(_talk(org, _day(rng, low, last), a.person, [a.person, b.person], rng))
    return talks


def _skip_pair(
    builder: Any, rng: random.Random, orgs: list[Any], by_org: dict, last: dt.date
) -> tuple[Any, Any, Any] | None:
    """A pair of one org's leadership without a talk last year (a deliberate gap)."""
    candidates = [o for o in orgs if len(_holders(by_org.get(o, []), last)) >= 3]
    if not candidates:
        return None
    org = rng.choice(candidates)
    a, b = _holders(by_org[org], last)[1:3]
    if add_months(max(a.started_on, b.started_on), PAIR_MONTHS) > last + ONE_DAY:
        return None  # seated together too recently to be judged
    note = f"{last.year}年班子成员{a.person.member.name}与{b.person.member.name}未谈心谈话"
    builder.life_gap(org, note)
    return org, a.person, b.person


def _upper_seats(org: Any, by_org: dict[Any, list[Any]]) -> list[Any]:
    """The seats of the orgs above `org`: their holders talk with a branch's members when
    the branch's own leadership cannot (a lone secretary talks with the town's leaders)."""
    seats, above = [], org.parent
    while above is not None:
        seats += by_org.get(above, [])
        above = above.parent
    return seats


def _member_talks(
    rng: random.Random,
    org: Any,
    seats: list[Any],
    stays: list[Any],
    span: tuple[int, dt.date, float],
    absent: dict[int, tuple[dt.date, dt.date]],
) -> list[Any]:
    """Each member placed in the branch during the year talks once with a seat holder (of
    the branch, else of an org above it: `seats` lists the branch's first), alone or with
    up to three others of the same month, the leader as host."""
    year, last, share = span
    first = dt.date(year, 1, 1)
    days = []
    for stay in stays:
        low, high = max(stay.start, first), min(last, (stay.end or last + ONE_DAY) - ONE_DAY)
        day = _free_day(rng, low, high, absent.get(id(stay.person)))
        if day is not None and rng.random() < share:
            days.append((day, stay))
    days.sort(key=lambda pair: (pair[0], pair[1].person.member.pk))
    talks = []
    while days:
        (day, stay), rest = days[0], days[1:]
        size, taken = rng.randint(1, 4), 0
        while taken < min(size - 1, len(rest)) and _joins(rest[taken], day, absent):
            taken += 1
        group = [stay.person] + [s.person for _d, s in rest[:taken]]
        days = rest[taken:]
        host = next((h.person for h in _ranked(seats, day) if h.person not in group), None)
        if host is not None:
            talks.append(_talk(org, day, host, [host, *group], rng))
    return talks


def _ranked(seats: list[Any], day: dt.date) -> list[Any]:
    """Seats held on `day` in the order given (the branch's before those above it)."""
    return [s for s in seats if s.started_on <= day and (s.ended_on is None or s.ended_on >= day)]


def _joins(candidate: tuple[dt.date, Any], day: dt.date, absent: dict) -> bool:
    """Whether a member due for a talk later in `day`'s month can join that day's talk."""
    other_day, stay = candidate
    placed = stay.start <= day and (stay.end is None or day < stay.end)
    window = absent.get(id(stay.person))
    away = window is not None and window[0] <= day <= window[1]
    return other_day.month == day.month and placed and not away


def _free_day(
    rng: random.Random, low: dt.date, high: dt.date, window: tuple[dt.date, dt.date] | None
) -> dt.date | None:
    """A day in [low, high] outside the member's planned absence (`LifeBuilder._patterns`:
    no organizational life, or a run of absences, in that window), or None."""
    if low > high:
        return None
    if window is None or window[1] < low or window[0] > high:
        return _day(rng, low, high)
    spans = [(low, window[0] - ONE_DAY), (window[1] + ONE_DAY, high)]
    spans = [(a, b) for a, b in spans if a <= b]
    return _day(rng, *rng.choice(spans)) if spans else None


def _skipped(builder: Any, rng: random.Random, stays: list[Any], year: int) -> set[int]:
    """Two members of a branch without a talk last year (deliberate gaps)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    steady = [
        s.person
        for s in stays
        if s.start <= first and (s.end is None or s.end > last) and not s.person.seated
    ]
    picks = rng.sample(steady, min(2, len(steady)))
    for person in picks:
        builder.life_gap(person.org, f"党员{person.member.name}{year}年未与班子成员谈心谈话")
    return {person.member.pk for person in picks}


# --- seed 003: party-affairs records ----------------------------------------------------


def _office_records(builder: Any, rng: random.Random, orgs: list[Any]) -> list[tuple]:
    office = [o for o in orgs if id(o) in builder.office_orgs]
    if not office:
        return []
    as_of = builder.as_of
    records = _disclosures(builder, rng, office, as_of)
    units = [
        o
        for o in office
        if o.kind in UNIT_KINDS
        and o.parent is not None
        and o.parent.kind == K.WORKING_COMMITTEE
        and o.sector == Sector.GOVERNMENT
    ]
    return records + _unit_records(builder, rng, units, as_of)


def _disclosures(builder: Any, rng: random.Random, office: list[Any], as_of: dt.date) -> list:
    """Each branch's publication for every month of last year and this year to date
    (done in the month's last week or the next month's first days); one month missed."""
    branches = [o for o in office if o.kind in MEMBER_KINDS]
    if not branches:
        return []
    lax, missed = rng.choice(branches), rng.randint(3, 10)
    late = _late_disclosure(builder, branches, as_of)
    records = []
    for org in branches:
        for year, month in itertools.product((as_of.year - 1, as_of.year), range(1, 13)):
            period = parse_period(f"{year}-{month:02d}")
            done = _day(rng, period.end - dt.timedelta(days=7), period.end + dt.timedelta(days=4))
            if (
                org is lax
                and (year, month) == (as_of.year - 1, missed)
                or ((org, year, month) == late)
            ):
                builder.life_gap(org, f"{year}年{month}月未进行党务公开")
            elif done <= as_of and done >= period.start:
                summary = f"{year}年{month}月党务公开：组织生活、党费收缴、发展党员等情况"
                records.append((org.pk, AffairsKind.DISCLOSURE, period.label, done, summary))
    return records


DISCLOSURE_GRACE = dt.timedelta(days=10)  # national life.disclosure.grace_days


def _late_disclosure(
    builder: Any, branches: list[Any], as_of: dt.date
) -> tuple[Any, int, int] | None:
    """(branch, year, month) of the publication one branch of the block skips in the last
    month of this year already past its grace days (the branch's party-affairs officer
    was on maternity leave; LIFE-07 in the year to date), drawn from the `cases` stream;
    None while no month of this year is judged yet."""
    month = as_of.month - 1
    while month >= 1 and parse_period(f"{as_of.year}-{month:02d}").end + DISCLOSURE_GRACE > as_of:
        month -= 1
    if month < 1:
        return None
    return builder.ctx.stream("cases:affairs").choice(branches), as_of.year, month


UNIT_WORK = (
    # (kind, period labels of a year, first day after the period to do it, days allowed, text)
    (AffairsKind.REPORT_TO_MEMBERS, ("H1", "H2"), 0, 25, "向全体党员通报半年党建工作情况"),
    (AffairsKind.REPORT_UPWARD, ("",), 0, 25, "向市委书面报告年度抓机关党建工作情况"),
    (AffairsKind.IDEOLOGICAL_ANALYSIS, ("",), -45, 40, "机关党员干部思想状况分析研判"),
)


def _unit_records(builder: Any, rng: random.Random, units: list[Any], as_of: dt.date) -> list:
    """Last year's and this year's reports and analyses of the units; last year one unit
    misses its second-half report, one its report upward, one its analysis."""
    if not units:
        return []
    last = as_of.year - 1
    gaps = {
        (rng.choice(units).code, AffairsKind.REPORT_TO_MEMBERS, f"{last}-H2"),
        (rng.choice(units).code, AffairsKind.REPORT_UPWARD, str(last)),
        (rng.choice(units).code, AffairsKind.IDEOLOGICAL_ANALYSIS, str(last)),
    }
    records = []
    for org, (kind, parts, offset, span, text) in itertools.product(units, UNIT_WORK):
        for year, part in itertools.product((last, as_of.year), parts):
            period = parse_period(f"{year}-{part}" if part else str(year))
            low = period.end + dt.timedelta(days=offset)
            done = _day(rng, low, low + dt.timedelta(days=span))
            due = period.end + REPORT_GRACE <= as_of
            if (org.code, kind, period.label) in gaps and due:
                builder.life_gap(org, f"{period.label}未登记{kind.label}")
            elif period.start <= done <= as_of:
                records.append((org.pk, kind, period.label, done, f"{period.label}{text}"))
    return records
