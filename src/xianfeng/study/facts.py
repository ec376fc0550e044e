"""Shared facts of study and training (compliance.facts; settings.FACT_MODULES): study
hours per member and source in a span, read once per run and span for every rule group
(STUDY-01 and the apps to come, e.g. appraisal)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from xianfeng.orglife.facts import scope_members

from .queries import STUDY_MEETING_KINDS, RawHours, add_meetings, add_records_and_trainings

if TYPE_CHECKING:
    from xianfeng.compliance.registry import Context


def study_hours(ctx: Context, start: dt.date, end: dt.date) -> dict[int, RawHours]:
    """Study dated in [start, end) per member, source by source, before any policy applies:
    {member: RawHours(records {source: hours}, training hours, trainings attended,
    meetings {kind: times present without credited hours}, credited meeting hours)};
    members without any are left out. The study records and enrolments are read here
    once (grouped); the lessons and study sessions attended come from the shared fact
    `attendance` of the same span. Of the scope's members when the scope is small
    (orglife.facts.scope_members), else of every member."""
    found: dict[int, RawHours] = defaultdict(RawHours)
    add_records_and_trainings(found, scope_members(ctx), start, end)
    present = {
        member_id: row.counts
        for member_id, row in ctx.fact("attendance", start=start, end=end).items()
        if any(kind in row.counts for kind in STUDY_MEETING_KINDS)
    }
    add_meetings(found, present, start, end)
    return dict(found)


FACTS: dict[str, Any] = {"study_hours": study_hours}
