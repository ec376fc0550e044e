"""Member-level attendance: LIFE-04 absent without leave at the last
life.absence.consecutive_limit meetings (warning); LIFE-01 no organizational life for
life.no_org_life.months months (党章 第九条, 自行脱党) — error, info when an approved
exemption covers the whole window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from xianfeng.compliance.parts import cited, placed_on, placed_since
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import add_months
from xianfeng.orgs.models import MEMBER_KINDS

from ..models import MeetingKind
from ..queries import exemptions_covering, latest_roster_entries
from .parts import ONE_DAY, period_orgs

MIN = dt.date.min
NO_LIFE = "life.no_org_life.months"


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
    orgs = {org["id"]: org for org in period_orgs(ctx)}
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
    LIFE-04 looks at up to `day` (the shared fact `attendance` of that span)."""

    def load() -> dict[int, tuple[dt.date | None, dt.date | None]]:
        orgs = period_orgs(ctx)
        months = max((ctx.policy.value(NO_LIFE, org["path"]) for org in orgs), default=0)
        first = min(ctx.period.start, add_months(ctx.day, -months) + ONE_DAY)
        found = ctx.fact("attendance", start=first, end=ctx.day + ONE_DAY)
        return {member_id: (row.present, row.absent) for member_id, row in found.items()}

    return ctx.memo(("life", "last_attended"), load)


def _placed_on_day(ctx: Context) -> list[tuple[int, int]]:
    """(member, org) of the members placed in the subtree on `day`."""
    return [(row[0], row[1]) for row in placed_on(ctx, ctx.day)]


def _absence_found(ctx: Context, member_id: int, org_id: int, rows: list, entry: dict) -> Found:
    oldest_first = list(reversed(rows))
    dates = [held_on.isoformat() for _meeting, held_on, _status in oldest_first]
    message = f"连续{len(rows)}次缺席组织生活且未请假（{'、'.join(dates)}）"
    evidence = cited({"meetings": [m for m, _d, _s in oldest_first], "dates": dates}, entry)
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
    entries = {org["id"]: ctx.policy.entry(NO_LIFE, org["path"]) for org in period_orgs(ctx)}
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
    evidence = cited(window, entry)
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
