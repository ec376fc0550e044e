"""One person's dated steps from the application on, in the order and within the time
rules of member development, or late where a demo case says so (`Late`)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from xianfeng.compliance.calendar import Calendar
from xianfeng.core.demo import add_years
from xianfeng.lib.dates import add_months

from ..models import StepKind as K

DAY = dt.timedelta(days=1)
NOTICE_WORKDAYS = 5


@dataclass(slots=True)
class Late:
    """What goes wrong for a case person: days added to a step, or a day around which a
    review, a thought report or a mentor is missing."""

    talk: int = 0
    approval: int = 0
    oath: int = 0
    conversion: int = 0
    review_gap: dt.date | None = None
    report_gap: dt.date | None = None
    mentor_gap: dt.date | None = None


@dataclass(slots=True)
class Planned:
    """The planned steps (kind, on, committee step, extra fields) and the mentors' spells."""

    steps: list[tuple[str, dt.date, bool, dict[str, object]]]
    mentor_gap: dt.date | None


def notice_end(calendar: Calendar, on: dt.date, workdays: int = NOTICE_WORKDAYS) -> dt.date:
    """The last day of a notice of `workdays` workdays starting `on` (counted if a workday)."""
    day, left = on, workdays
    while True:
        if calendar.is_workday(day):
            left -= 1
            if left == 0:
                return day
        day += DAY


class Timeline:
    """Draws a person's step dates (from the recruitment stream) from the application."""

    def __init__(self, rng: random.Random, calendar: Calendar):
        self.rng, self.calendar = rng, calendar
        self.steps: list[tuple[str, dt.date, bool, dict[str, object]]] = []

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

    def placed(self, kind: str, on: dt.date, late: Late, **options: int | bool) -> Planned:
        """A plan whose first step of `kind` falls on `on` (or a day or two off, where a
        notice moves to a workday): the same draws, shifted."""
        state, applied = self.rng.getstate(), on
        for _attempt in range(4):
            self.rng.setstate(state)
            planned = self.plan(applied, late, **options)  # type: ignore[arg-type]
            found = next(day for k, day, _c, _f in planned.steps if k == kind)
            if found == on:
                break
            applied += on - found
        return planned

    def plan(self, applied: dt.date, late: Late, slow: int = 0, extend: bool = False) -> Planned:
        """Every step from `applied` on (the caller cuts at the as-of date)."""
        self.steps = []
        self.add(K.APPLICATION, applied)
        talk = self.add(K.TALK, applied + self.days(3, 25) + dt.timedelta(days=late.talk))
        activist = self.add(K.ACTIVIST, max(applied + self.days(60, 200), talk + self.days(5, 20)))
        self.add(K.ACTIVIST_FILED, activist + self.days(3, 20), True)
        candidate = self.add(
            K.CANDIDATE, activist + dt.timedelta(days=366) + self.days(0, 150 + slow)
        )
        meeting = self._admission(candidate)
        approval = meeting + (dt.timedelta(days=late.approval) or self.days(10, 60))
        self.add(K.APPROVAL, approval, True, special=bool(late.approval))
        self._periodic(activist, approval, late)
        self.add(K.OATH, approval + (dt.timedelta(days=late.oath) or self.days(3, 25)))
        self._conversion(meeting, approval, late, extend)
        return Planned(sorted(self.steps, key=lambda s: s[1]), late.mentor_gap)

    def add(self, kind: str, on: dt.date, committee: bool = False, **fields: object) -> dt.date:
        self.steps.append((kind, on, committee, fields))
        return on

    def _admission(self, candidate: dt.date) -> dt.date:
        """From the candidate to the admission meeting; the meeting's date."""
        agreed = self.add(K.CANDIDATE_AGREED, candidate + self.days(2, 10), True)
        notice = self.calendar.shift(agreed + self.days(1, 8), 1)
        ends = notice_end(self.calendar, notice)
        self.add(K.CANDIDATE_NOTICE, notice, ends_on=ends)
        review = self.add(
            K.POLITICAL_REVIEW, candidate + self.days(10, 40), conclusion="政治审查合格"
        )
        training = self.add(K.SHORT_TRAINING, candidate + self.days(5, 50), days=3, hours=24)
        introducers = self.add(K.INTRODUCERS, ends + self.days(1, 10))
        pre = self.add(
            K.PRE_REVIEW, max(ends, introducers, review, training) + self.days(2, 15), True
        )
        book = self.add(K.VOLUNTEER_BOOK, pre + self.days(1, 5))
        voters = self.rng.randint(8, 40)
        present = voters - self.rng.randint(0, voters // 5)
        favour = present - self.rng.randint(0, 1)
        return self.add(
            K.ADMISSION_MEETING,
            book + self.days(1, 12),
            voters=voters,
            present=present,
            in_favour=favour,
        )

    def _periodic(self, activist: dt.date, approval: dt.date, late: Late) -> None:
        """Reviews every five to six months and a thought report every quarter, from the
        activist to the approval (gaps where a case says so)."""
        day = activist
        while True:
            day += self.days(140, 175)
            if day >= approval:
                break
            if (
                late.review_gap
                and late.review_gap - dt.timedelta(days=200) < day <= late.review_gap
            ):
                continue
            self.add(K.REVIEW, day, conclusion="表现良好，继续培养")
        quarter = _quarter_start(activist)
        while True:
            quarter = add_months(quarter, 3)
            on = quarter + self.days(5, 80)
            if on >= approval:
                break
            end = add_months(quarter, 3) - DAY
            gap = late.report_gap
            if gap and gap - dt.timedelta(days=92) <= end < gap:
                continue
            self.add(K.THOUGHT_REPORT, on)

    def _conversion(self, meeting: dt.date, approval: dt.date, late: Late, extend: bool) -> None:
        ends = add_years(meeting, 1)
        if extend:
            self.add(K.EXTENSION, ends - self.days(10, 40), months=6, conclusion="延长预备期半年")
            ends = add_months(ends, 6)
        applied = self.add(K.CONVERSION_APPLICATION, max(approval + DAY, ends - self.days(15, 40)))
        notice = self.calendar.shift(max(applied + DAY, ends - self.days(8, 14)), 1)
        notice_ends = notice_end(self.calendar, notice)
        self.add(K.CONVERSION_NOTICE, notice, ends_on=notice_ends)
        voters = self.rng.randint(8, 40)
        held = max(ends, notice_ends + DAY) + (
            dt.timedelta(days=late.conversion) or self.days(0, 20)
        )
        self.add(K.CONVERSION_MEETING, held, voters=voters, present=voters, in_favour=voters)
        self.add(K.CONVERSION_APPROVAL, held + self.days(7, 50), True)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def probation_end(meeting: dt.date, extension: int | None) -> dt.date:
    ends = add_years(meeting, 1)
    return add_months(ends, extension) if extension else ends
