"""The organizational life of the newly admitted: each has a heart-to-heart talk
(谈心谈话) with a leader of the branch in the last full year and in this one, as the
orglife demo gives every other member (LIFE-08 finds only its own planned gaps)."""

from __future__ import annotations

import datetime as dt
import random

from xianfeng.core.demo import DemoContext
from xianfeng.members.models import Member
from xianfeng.orglife.models import Attendance, Meeting, MeetingKind, MeetingStatus
from xianfeng.orgs.models import Org, SeatRole

from .world import World

Seat = tuple[int, dt.date | None, dt.date | None, bool]  # holder, start, end, secretary
TOPICS = ("谈心谈话：思想和工作情况", "谈心谈话：预备期表现", "谈心谈话：交流思想")


def save_talks(ctx: DemoContext, world: World, members: list[Member]) -> int:
    """The talks; the number of attendance rows written."""
    rng: random.Random = ctx.stream("recruitment:life")
    leaders: dict[int, list[Seat]] = {}
    for org, holder, start, end, role in world.seats:
        leaders.setdefault(org, []).append((holder, start, end, role == SeatRole.SECRETARY))
    by_path = {path: pk for pk, (path, *_rest) in world.orgs.items()}
    talks: list[tuple[Meeting, list[tuple[int, bool]]]] = []
    for member in members:
        for year in (ctx.as_of.year - 1, ctx.as_of.year):
            low = max(member.joined_on, dt.date(year, 1, 1))
            high = min(dt.date(year, 12, 31), ctx.as_of)
            if low > high:
                continue
            day = low + dt.timedelta(days=rng.randint(0, (high - low).days))
            host = _host(_above(world, by_path, leaders, member.org_id), day, member.pk)
            if host is None:
                continue
            meeting = Meeting(
                org_id=member.org_id,
                kind=MeetingKind.HEART_TALK,
                status=MeetingStatus.HELD,
                held_on=day,
                topic=rng.choice(TOPICS),
                place="党员活动室",
                host_id=host,
            )
            voting = member.full_on is not None and member.full_on <= day
            talks.append((meeting, [(host, True), (member.pk, voting)]))
    ctx.insert.objects(Meeting, [meeting for meeting, _roster in talks])
    rows = [
        (meeting.pk, who, "present", voting, "")
        for meeting, roster in talks
        for who, voting in roster
    ]
    ctx.insert.rows(Attendance, ["meeting", "member", "status", "voting", "note"], rows)
    return len(rows)


def _above(
    world: World,
    by_path: dict[str, int],
    leaders: dict[int, list[Seat]],
    org: int,
) -> list[tuple[int, Seat]]:
    """The seats of the branch, then of the orgs above it, each with its distance (a
    leader above talks with the members of a branch whose own leadership cannot)."""
    path = world.orgs[org][0]
    ends = range(len(path), 0, -Org.steplen)
    return [
        (up, seat)
        for up, end in enumerate(ends)
        for seat in leaders.get(by_path.get(path[:end], 0), [])
    ]


def _host(seats: list[tuple[int, Seat]], day: dt.date, member: int) -> int | None:
    """The nearest leader seated on `day` (a secretary first), not the member."""
    held = [
        (up, not secretary, who)
        for up, (who, start, end, secretary) in seats
        if (start is None or start <= day) and (end is None or end >= day) and who != member
    ]
    return min(held)[2] if held else None
