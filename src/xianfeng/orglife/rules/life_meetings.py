"""LIFE-05: the yearly life meeting (组织生活会, branches) and leadership life meeting
(民主生活会, 党委 and 党总支). `YEARLY` and `life_meeting_due` are the yearly plan's too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from xianfeng.compliance.parts import cited, existed
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months
from xianfeng.orgs.models import MEMBER_KINDS

from ..models import MeetingKind
from ..queries import yearly_meetings
from .parts import LEADERSHIP_LIFE_KINDS, ONE_DAY, period_orgs, shortfall_message, sub_periods

M = MeetingKind

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
    its grace months in Y+1 (life.life_meeting.grace_months) have passed by as_of; a
    meeting for Y held after them counts, but a year met only thanks to such meetings is
    reported as late (life.life_meeting.late_severity, issue 23)."""
    for year in sub_periods(ctx, "year"):
        judged = [
            (org, kind)
            for org in period_orgs(ctx)
            for kind, (kinds, _key, _name) in YEARLY.items()
            if org["kind"] in kinds
            and existed(org, year)
            and ctx.as_of >= life_meeting_due(ctx, org, year)
        ]
        if judged:
            meetings = yearly_meetings(ctx.path_q("org__path"), year.start.year)
            for org, kind in judged:
                yield from _check_year(ctx, org, kind, year, meetings[(org["id"], kind)])


def life_meeting_due(ctx: Context, org: dict, year: Period) -> dt.date:
    """The first day a year's life meetings are judged: the day after the grace months
    (life.life_meeting.grace_months) of the next year."""
    return add_months(year.end, ctx.policy.value("life.life_meeting.grace_months", org["path"]))


def _check_year(
    ctx: Context, org: dict, kind: str, year: Period, held: list[dict[str, Any]]
) -> Iterator[Found]:
    """A year short of meetings (error), or met only by meetings held after the due date
    (late, severity life.life_meeting.late_severity)."""
    _kinds, key, name = YEARLY[kind]
    need = ctx.policy.entry(key, org["path"])
    due = life_meeting_due(ctx, org, year)
    deadline = due - ONE_DAY
    if len(held) < need["value"]:
        more = f"，最迟应于{deadline.isoformat()}前召开"
        message = shortfall_message(
            f"{year.label}年度", "召开", name, len(held), need["value"], more=more
        )
        ids = [meeting["id"] for meeting in held]
        evidence = cited({"meetings": ids, "deadline": deadline.isoformat()}, need)
        yield Found(org["id"], year.label, "error", message, evidence)
        return
    yield from _late(ctx, org, year, name, deadline, late_meetings(held, need["value"], due))


def late_meetings(held: list[dict[str, Any]], need: int, due: dt.date) -> list[dict[str, Any]]:
    """The meetings held on or after `due` that the year needs to reach `need` (oldest
    first); none when the meetings held before `due` already reach it."""
    on_time = sum(1 for meeting in held if meeting["held_on"] < due)
    late = [meeting for meeting in held if meeting["held_on"] >= due]
    return late[: max(0, need - on_time)]


def _late(
    ctx: Context,
    org: dict,
    year: Period,
    name: str,
    deadline: dt.date,
    late: list[dict[str, Any]],
) -> Iterator[Found]:
    if not late:
        return
    severity = ctx.policy.entry("life.life_meeting.late_severity", org["path"])
    held_on = late[-1]["held_on"]
    message = (
        f"{year.label}年度{name}应于{deadline.isoformat()}前召开，"
        f"实际于{held_on.isoformat()}召开，逾期召开"
    )
    evidence = {
        "late_meetings": [meeting["id"] for meeting in late],
        "deadline": deadline.isoformat(),
        "held_on": held_on.isoformat(),
        "policy": severity["policy"],
        "source": severity["source"],
    }
    reasons = [meeting["period_reason"] for meeting in late if meeting["period_reason"]]
    if reasons:
        evidence["period_reason"] = "；".join(reasons)
    yield Found(org["id"], year.label, severity["value"], message, evidence)
