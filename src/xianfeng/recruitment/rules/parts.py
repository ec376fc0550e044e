"""What the recruitment rules (and the reminders) share: a person's stage on a day from
the dates copied onto the person, the pipeline's deadlines of a person as they stood on a
day (`dues`), the steps those deadlines read (two reads), evidence citing the policy
entries a finding was judged by, and one finding per org.

The deadlines (`Due`), each from the policy at the person's org:
- talk: applicant, a TALK within `talk_months` of applied_on;
- review: activist or admission candidate until the admission meeting, the next REVIEW
  `review_months` after the last one (or activist_on);
- report: activist or admission candidate, a THOUGHT_REPORT in each calendar quarter
  after the quarter of activist_on, due by the quarter's last day (the last
  `REPORT_QUARTERS` ended quarters and the quarter in progress);
- meeting: the admission meeting within `meeting_months` of the pre-review;
- approval: the committee's approval within `approval_months` of the admission meeting;
- oath: probationary, the OATH within `oath_months` of the approval;
- conversion: probationary, the conversion approval within `conversion_months` of the
  end of probation.
A deadline is met (`done_on`) by the first step of its kind recorded on or before the day
looked at, late or not; a late one still fails the rule (DEV-01) and no longer reminds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, Q

from xianfeng.lib.dates import add_months

from ..models import Stage, Step, StepKind

ONE_DAY = dt.timedelta(days=1)
REPORT_QUARTERS = 4  # ended quarters looked back at for thought reports
K = StepKind
# the step kinds the deadlines read
DUE_STEPS = (
    K.TALK,
    K.REVIEW,
    K.THOUGHT_REPORT,
    K.PRE_REVIEW,
    K.ADMISSION_MEETING,
    K.OATH,
    K.CONVERSION_APPROVAL,
)
TALK = "recruitment.application.talk_months"
REVIEW = "recruitment.activist.review_months"
REPORT = "recruitment.activist.report_months"
MEETING = "recruitment.admission.meeting_months"
APPROVAL = "recruitment.admission.approval_months"
OATH = "recruitment.admission.oath_months"
CONVERSION = "recruitment.probation.conversion_months"
# deadline → the policy key of its months
DUE_KEYS = {
    "talk": TALK,
    "review": REVIEW,
    "report": REPORT,
    "meeting": MEETING,
    "approval": APPROVAL,
    "oath": OATH,
    "conversion": CONVERSION,
}


def cited(evidence: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    """`evidence` with the policies and sources of the policy `entries` it was judged by
    (one entry: its policy and source; several: the distinct ones in order)."""
    if len(entries) == 1:
        return {**evidence, "policy": entries[0]["policy"], "source": entries[0]["source"]}
    policies = list(dict.fromkeys(entry["policy"] for entry in entries))
    sources = list(dict.fromkeys(entry["source"] for entry in entries))
    return {**evidence, "policy": policies, "source": sources}


def converted_on(person: dict[str, Any], steps: dict[str, list[dt.date]] | None) -> Any:
    """The day the person's conversion was approved: its step when read, else full_on."""
    if steps is not None:
        days = steps.get(K.CONVERSION_APPROVAL)
        return days[0] if days else None
    return person["full_on"]


def stage_on(
    person: dict[str, Any], day: dt.date, steps: dict[str, list[dt.date]] | None = None
) -> str | None:
    """The person's stage on `day` from the dates of the stage-changing steps (None before
    the application)."""
    ended, full = person["ended_on"], converted_on(person, steps)
    checks = (
        (ended, Stage.ENDED),
        (full, Stage.FULL),
        (person["approved_on"], Stage.PROBATIONARY),
        (person["candidate_on"], Stage.ADMISSION_CANDIDATE),
        (person["activist_on"], Stage.ACTIVIST),
        (person["applied_on"], Stage.APPLICANT),
    )
    for since, stage in checks:
        if since is not None and since <= day:
            return str(stage)
    return None


def steps_of(people_q: Q, day: dt.date) -> dict[int, dict[str, list[dt.date]]]:
    """The deadline steps recorded on or before `day` per person and kind, oldest first:
    {person: {kind: [on, …]}}. Of each kind but the thought report only the first and the
    last (what the deadlines read), of thought reports every one from the first quarter
    `_report_dues` looks at (two reads, the first grouped per person and kind). The rules
    pass the people by id, or no filter for a large scope (read from the step indexes
    alone, without joining the people and their orgs: a city's in 0.25 s, not 1.4 s)."""
    steps = Step.objects.filter(people_q, on__lte=day).order_by()
    ends = (
        steps.filter(kind__in=[kind for kind in DUE_STEPS if kind != K.THOUGHT_REPORT])
        .values_list("person_id", "kind")
        .annotate(first=Min("on"), last=Max("on"))
    )
    found: dict[int, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for person_id, kind, first, last in ends:
        found[person_id][kind] = [first] if first == last else [first, last]
    reports = steps.filter(kind=K.THOUGHT_REPORT, on__gte=first_report_day(day))
    for person_id, on in reports.order_by("on").values_list("person_id", "on"):
        found[person_id][K.THOUGHT_REPORT].append(on)
    return found


@dataclass(frozen=True)
class Due:
    """A deadline of a person's record: `what` (DUE_KEYS), `due` (the last day in time),
    `done_on` (the step meeting it, on or before the day looked at, or None), `quarter`
    (the thought report's quarter, "2025-Q1")."""

    person_id: int
    org_id: int
    what: str
    due: dt.date
    done_on: dt.date | None = None
    quarter: str = ""

    def late_on(self, day: dt.date) -> bool:
        """Past its last day on `day` without a step in time."""
        return self.due < day and (self.done_on is None or self.done_on > self.due)

    def open_on(self, day: dt.date) -> bool:
        """Still to be done on `day` (no step recorded yet)."""
        return self.done_on is None


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter."""
    following = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return dt.date(year, 3 * quarter - 2, 1), following - ONE_DAY


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def first_report_day(day: dt.date) -> dt.date:
    """The first day of the earliest quarter whose thought report is looked at on `day`
    (REPORT_QUARTERS ended quarters before the one in progress)."""
    quarter = quarter_of(day)
    for _ in range(REPORT_QUARTERS):
        quarter = previous_quarter(*quarter)
    return quarter_bounds(*quarter)[0]


def _first(days: list[dt.date], since: dt.date | None = None) -> dt.date | None:
    return next((d for d in days if since is None or d >= since), None)


def _report_dues(person: dict[str, Any], reports: list[dt.date], day: dt.date) -> list[Due]:
    """A thought report due in each quarter after the quarter of activist_on, up to the
    quarter of `day`: the last REPORT_QUARTERS ended ones and the one in progress."""
    start = next_quarter(*quarter_of(person["activist_on"]))
    current = quarter_of(day)
    if start > current:
        return []
    quarters = [current]
    while len(quarters) <= REPORT_QUARTERS:
        previous = previous_quarter(*quarters[-1])
        if previous < start:
            break
        quarters.append(previous)
    first_report: dict[tuple[int, int], dt.date] = {}
    for report in reports:  # oldest first
        first_report.setdefault(quarter_of(report), report)
    found = []
    for year, q in reversed(quarters):
        last = quarter_bounds(year, q)[1]
        done = first_report.get((year, q))
        found.append(Due(person["id"], person["org_id"], "report", last, done, f"{year}-Q{q}"))
    return found


def dues(
    person: dict[str, Any],
    steps: dict[str, list[dt.date]],
    months: dict[str, int],
    day: dt.date,
) -> list[Due]:
    """The person's deadlines as they stood on `day` (`steps` recorded by then, `months`
    the policy's months per deadline at the person's org)."""
    stage = stage_on(person, day, steps)
    pid, org = person["id"], person["org_id"]
    found: list[Due] = []
    if stage == Stage.APPLICANT:
        due = add_months(person["applied_on"], months["talk"])
        found.append(Due(pid, org, "talk", due, _first(steps.get(K.TALK, []))))
    if stage in (Stage.ACTIVIST, Stage.ADMISSION_CANDIDATE):
        if _admitted_by(person, steps, day) is None:
            reviews = [d for d in steps.get(K.REVIEW, []) if d >= person["activist_on"]]
            last = max([person["activist_on"], *reviews])
            found.append(Due(pid, org, "review", add_months(last, months["review"])))
        if months["report"]:
            found += _report_dues(person, steps.get(K.THOUGHT_REPORT, []), day)
    if stage == Stage.ADMISSION_CANDIDATE:
        found += _admission_dues(person, steps, months)
    if stage == Stage.PROBATIONARY:
        due = add_months(person["approved_on"], months["oath"])
        found.append(Due(pid, org, "oath", due, _first(steps.get(K.OATH, []))))
        if person["probation_ends_on"] is not None:
            due = add_months(person["probation_ends_on"], months["conversion"])
            found.append(Due(pid, org, "conversion", due))
    return found


def _admitted_by(
    person: dict[str, Any], steps: dict[str, list[dt.date]], day: dt.date
) -> dt.date | None:
    """The admission meeting's day when it was held by `day`: the half-yearly review is
    the cultivation's, owed up to the meeting, not while the approval is awaited."""
    admitted = person["admitted_on"]
    if admitted is not None and admitted <= day:
        return admitted
    return _first(steps.get(K.ADMISSION_MEETING, []))


def _admission_dues(
    person: dict[str, Any], steps: dict[str, list[dt.date]], months: dict[str, int]
) -> list[Due]:
    """An admission candidate's meeting after the pre-review, approval after the meeting."""
    pid, org = person["id"], person["org_id"]
    meeting = person["admitted_on"] or _first(steps.get(K.ADMISSION_MEETING, []))
    if meeting is not None:
        return [Due(pid, org, "approval", add_months(meeting, months["approval"]))]
    pre = steps.get(K.PRE_REVIEW, [])
    if pre:
        return [Due(pid, org, "meeting", add_months(pre[-1], months["meeting"]))]
    return []


def due_months(policy: Any) -> dict[str, int]:
    """The months of each deadline under an OrgPolicy."""
    return {what: int(policy.value(key)) for what, key in DUE_KEYS.items()}


def by_org(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    """(org, row) pairs grouped per org."""
    found: dict[int, list[Any]] = defaultdict(list)
    for org_id, row in rows:
        found[org_id].append(row)
    return found
