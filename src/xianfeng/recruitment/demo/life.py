"""The organizational life of the newly admitted: each has a heart-to-heart talk
(谈心谈话) with a leader of the branch in the last full year and in this one, as the
orglife demo gives every other member (LIFE-08 finds only its own planned gaps)."""

from __future__ import annotations

import datetime as dt
import random

from xianfeng.core.demo import DemoContext
from xianfeng.members.models import Member
from xianfeng.orglife.models import Attendance, Meeting, MeetingKind, MeetingStatus
from xianfeng.orgs.models import SeatRole

from .world import World

TOPICS = ("谈心谈话：思想和工作情况", "谈心谈话：预备期表现", "谈心谈话：交流思想")


def save_talks(ctx: DemoContext, world: World, members: list[Member]) -> None:
    rng: random.Random = ctx.stream("recruitment:life")
    leaders: dict[int, list[tuple[int, dt.date | None, dt.date | None, bool]]] = {}
    for org, holder, start, end, role in world.seats:
        leaders.setdefault(org, []).append((holder, start, end, role == SeatRole.SECRETARY))
    talks: list[tuple[Meeting, list[tuple[int, bool]]]] = []
    for member in members:
        for year in (ctx.as_of.year - 1, ctx.as_of.year):
            low = max(member.joined_on, dt.date(year, 1, 1))
            high = min(dt.date(year, 12, 31), ctx.as_of)
            if low > high:
                continue
            day = low + dt.timedelta(days=rng.randint(0, (high - low).days))
            host = _host(leaders.get(member.org_id, []), day, member.pk)
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


def _host(
    seats: list[tuple[int, dt.date | None, dt.date | None, bool]], day: dt.date, member: int
) -> int | None:
    """A leader of the branch seated on `day` (the secretary first), not the member."""
    held = [
        (not secretary, who)
        for who, start, end, secretary in seats
        if (start is None or start <= day) and (end is None or end >= day) and who != member
    ]
    return min(held)[1] if held else None
