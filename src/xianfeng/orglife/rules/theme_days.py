"""LIFE-03 theme day (主题党日): none in a month — error; all off the fixed day or the
weekdays without a reason — warning. `theme_day_schedule` tells when an org's theme day
is due (the yearly plan reuses it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from xianfeng.compliance.parts import cited, existed, month_name
from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period
from xianfeng.orgs.models import MEMBER_KINDS

from ..models import MeetingKind
from ..queries import theme_days
from .parts import ended_sub_periods, monthly_counts, period_orgs, shortfall_message

M = MeetingKind

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


def theme_day_schedule(ctx: Context, org: dict) -> Schedule | None:
    """When the org's theme day is due: the fixed day of the month where the policy fixes
    one for its sector, else the weekdays it names for its sector; None if neither."""
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
    months = ended_sub_periods(ctx, "month")
    orgs = [org for org in period_orgs(ctx) if org["kind"] in MEMBER_KINDS]
    if not months or not orgs:
        return
    counts = monthly_counts(ctx)
    schedules = {org["id"]: s for org in orgs if (s := theme_day_schedule(ctx, org)) is not None}
    days: dict[tuple[int, dt.date], list[dict]] = defaultdict(list)
    sectors = {org["sector"] for org in orgs if org["id"] in schedules}
    if sectors:
        rows = theme_days(ctx.path_q("org__path"), sectors, months[0].start, months[-1].end)
        for row in rows:
            days[(row["org_id"], row["held_on"].replace(day=1))].append(row)
    for org in orgs:
        need = ctx.policy.entry("life.theme_day.min_per_month", org["path"])
        for month in (m for m in months if existed(org, m)):
            count = counts.get((org["id"], M.THEME_DAY, month.start), 0)
            if count < need["value"]:
                message = shortfall_message(
                    month_name(month), "开展", "主题党日", count, need["value"]
                )
                evidence = cited({"theme_days": count}, need)
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
        f"{month_name(month)}主题党日于{dates}开展，不在规定时间（{schedule.describe()}），"
        "且未说明原因"
    )
    evidence: dict[str, Any] = {
        "meetings": [{"meeting": m["id"], "held_on": m["held_on"].isoformat()} for m in held]
    }
    if schedule.fixed:
        evidence["shift_window_days"] = schedule.window
    yield Found(org["id"], month.label, "warning", message, cited(evidence, schedule.entry))
