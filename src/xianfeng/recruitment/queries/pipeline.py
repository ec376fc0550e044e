"""A person's record as the pages, the API, the reminders and the record PDF read it
(DEV-01, DEV-02): the steps in order, the mentors, the introducers, and the next
deadlines (`due_dates`) with the rule each comes from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.lib.dates import add_months, today

from ..models import Introducer, Mentor, Person, Stage, Step, StepKind
from ..timing import anniversary

DETAIL = "《中国共产党发展党员工作细则》"
K = StepKind


@dataclass(frozen=True)
class Due:
    """A coming date of a person's record: `kind` the step due, `due` its date, `text`
    the rule in words with its source. `deadline` False marks an earliest date (the step
    may not come before it) rather than a latest one."""

    kind: str
    due: dt.date
    text: str
    deadline: bool = True

    def is_overdue(self, day: dt.date) -> bool:
        return self.deadline and self.due < day


def steps_of(person: Person) -> QuerySet[Step]:
    """The person's steps in order of date (then of entry), with their org, the account
    that entered them and their files."""
    return (
        Step.objects.filter(person=person)
        .select_related("org", "to_org", "entered_by", "training_class")
        .prefetch_related("files")
        .order_by("on", "pk")
    )


def open_mentors(person: Person, on: dt.date | None = None) -> QuerySet[Mentor]:
    """The mentors of `person` assigned on `on` (default today) and not ended by then."""
    day = on or today()
    mentors = Mentor.objects.filter(person=person, started_on__lte=day)
    mentors = mentors.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    return mentors.select_related("member", "member__org").order_by("started_on", "pk")


def mentors_of(person: Person) -> QuerySet[Mentor]:
    """Every mentor the person has had, in order of assignment."""
    return (
        Mentor.objects.filter(person=person).select_related("member").order_by("started_on", "pk")
    )


def introducers_of(person: Person) -> QuerySet[Introducer]:
    """The person's introducers with their members."""
    return Introducer.objects.filter(person=person).select_related("member", "member__org")


def _last(steps: list[Step], kind: str) -> Step | None:
    found = [s for s in steps if s.kind == kind]
    return found[-1] if found else None


def _quarter_end(day: dt.date) -> dt.date:
    first_of_next = add_months(dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), 3)
    return first_of_next - dt.timedelta(days=1)


class _Rules:
    """The policy values of one person's org."""

    def __init__(self, policy: Resolver, person: Person) -> None:
        self.policy, self.path = policy, person.org.path

    def __call__(self, key: str) -> int:
        return int(self.policy.value(f"recruitment.{key}", self.path))


def _early_dues(person: Person, steps: list[Step], rule: _Rules) -> list[Due]:
    dues: list[Due] = []
    if person.stage == Stage.APPLICANT and _last(steps, K.TALK) is None:
        months = rule("application.talk_months")
        dues.append(
            Due(
                K.TALK,
                add_months(person.applied_on, months),
                f"党组织收到入党申请书后，应当在{months}个月内派人同入党申请人谈话（{DETAIL}）",
            )
        )
    if person.stage in (Stage.ACTIVIST, Stage.ADMISSION_CANDIDATE) and person.activist_on:
        review = _last(steps, K.REVIEW)
        months = rule("activist.review_months")
        since = max(person.activist_on, review.on if review else person.activist_on)
        dues.append(
            Due(
                K.REVIEW,
                add_months(since, months),
                f"党支部每半年对入党积极分子进行一次考察（{DETAIL}）",
            )
        )
        report = _last(steps, K.THOUGHT_REPORT)
        since = max(person.activist_on, report.on if report else person.activist_on)
        dues.append(
            Due(
                K.THOUGHT_REPORT,
                _quarter_end(add_months(since, 3)),
                "入党积极分子、发展对象每个季度至少递交一份思想汇报（本系统规定）",
            )
        )
    if person.stage == Stage.ACTIVIST and person.activist_on:
        years = rule("activist.min_years")
        dues.append(
            Due(
                K.CANDIDATE,
                anniversary(person.activist_on, years),
                f"经过{years}年以上培养考察方可确定为发展对象（{DETAIL}）",
                deadline=False,
            )
        )
    return dues


def _admission_dues(person: Person, steps: list[Step], rule: _Rules) -> list[Due]:
    dues: list[Due] = []
    pre = _last(steps, K.PRE_REVIEW)
    meeting = _last(steps, K.ADMISSION_MEETING)
    if pre is not None and (meeting is None or meeting.on < pre.on):
        months = rule("admission.meeting_months")
        dues.append(
            Due(
                K.ADMISSION_MEETING,
                add_months(pre.on, months),
                f"基层党委预审后{months}个月内支部大会讨论接收，逾期须重新预审（{DETAIL}）",
            )
        )
    if meeting is not None and person.approved_on is None:
        months = rule("admission.approval_months")
        dues.append(
            Due(
                K.APPROVAL,
                add_months(meeting.on, months),
                f"支部大会通过后党委应当在{months}个月内审批（{DETAIL}）",
            )
        )
    notice = _last(steps, K.CANDIDATE_NOTICE)
    if notice is not None and notice.ends_on and pre is None:
        dues.append(
            Due(
                K.PRE_REVIEW,
                notice.ends_on + dt.timedelta(days=1),
                f"发展对象公示结束后方可预审（{DETAIL}）",
                deadline=False,
            )
        )
    return dues


def _probation_dues(person: Person, steps: list[Step], rule: _Rules) -> list[Due]:
    dues: list[Due] = []
    if person.stage != Stage.PROBATIONARY or not person.approved_on:
        return dues
    if _last(steps, K.OATH) is None:
        months = rule("admission.oath_months")
        dues.append(
            Due(
                K.OATH,
                add_months(person.approved_on, months),
                f"预备党员一般在党委审批后{months}个月内举行入党宣誓（{DETAIL}）",
            )
        )
    ends = person.probation_ends_on
    if ends is None:
        return dues
    meeting = _last(steps, K.CONVERSION_MEETING)
    if meeting is None:
        dues.append(
            Due(
                K.CONVERSION_MEETING,
                ends,
                "预备期满后支部大会讨论转正，预备期从支部大会通过之日算起（《中国共产党章程》第七条）",
                deadline=False,
            )
        )
    months = rule("probation.conversion_months")
    base = meeting.on if meeting is not None else ends
    dues.append(
        Due(
            K.CONVERSION_APPROVAL,
            add_months(base, months),
            f"预备期满后{months}个月内完成转正审批（{DETAIL}）",
        )
    )
    return dues


def due_dates(person: Person, *, calendar: Any = None, policy: Resolver | None = None) -> list[Due]:
    """The next dates of `person`'s record by date: deadlines (talk, review, thought
    report, admission meeting after pre-review, approval, oath, conversion approval) and
    earliest dates (candidate after the years as activist, pre-review after the notice,
    conversion meeting at the end of probation). Empty for a full or ended record.
    `calendar` (a `compliance.calendar.Calendar`) is accepted for callers that hold one;
    no date here counts working days."""
    del calendar
    if person.stage in (Stage.FULL, Stage.ENDED):
        return []
    steps = list(Step.objects.filter(person=person).order_by("on", "pk"))
    rule = _Rules(policy or resolver(day=today()), person)
    dues = [
        *_early_dues(person, steps, rule),
        *_admission_dues(person, steps, rule),
        *_probation_dues(person, steps, rule),
    ]
    return sorted(dues, key=lambda due: due.due)
