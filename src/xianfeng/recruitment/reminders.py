"""Reminders of recruitment deadlines for the daily digest (settings.REMINDER_SOURCES).

Every pipeline deadline of a person still in the pipeline (`rules.parts.dues`: talk,
review, thought report of the quarter, admission meeting after the pre-review, approval,
oath, conversion) not yet met on `as_of` and due within recruitment.reminders.lead_days
(from the policy at the person's org) or overdue, to the admins and officers in charge
of the person's org (`accounts.queries.officers_in_charge`: the org's own, else the
nearest org above with some). The key holds the deadline, so a user is told once when
it comes due and once when it is overdue, and a later deadline (the next review) starts
over. Set-wise: one query for the people, one for their steps, one for the recipients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from xianfeng.accounts.queries import officers_in_charge
from xianfeng.compliance.policy import resolver
from xianfeng.notices.reminders import Reminder

from .facts import PERSON_FIELDS
from .models import OPEN_STAGES, Person
from .rules.parts import Due, due_months, dues, steps_of
from .timing import chinese_date

LEAD_DAYS = "recruitment.reminders.lead_days"
CATEGORY = "发展党员"
# what is due → (what to do, what it is when late)
TEXTS = {
    "talk": "派人谈话",
    "review": "培养考察",
    "report": "递交思想汇报",
    "meeting": "召开支部大会讨论接收",
    "approval": "报党委审批接收预备党员",
    "oath": "组织入党宣誓",
    "conversion": "报党委审批转正",
}


def _people() -> list[dict[str, Any]]:
    rows = Person.objects.filter(stage__in=OPEN_STAGES).order_by("pk")
    return [dict(row) for row in rows.values(*PERSON_FIELDS, "name", "org__name", "org__code")]


class PersonUrls:
    """The person's record page (helper B's `recruitment:person`), or where there is none
    the org's people list; reversed once, not once per reminder."""

    def __init__(self) -> None:
        try:
            sample = reverse("recruitment:person", args=[0])
        except NoReverseMatch:
            self.person: tuple[str, str] | None = None
        else:
            at = sample.rindex("0")
            self.person = (sample[:at], sample[at + 1 :])
        self.orgs: dict[str, str] = {}

    def __call__(self, person: dict[str, Any]) -> str:
        if self.person is not None:
            return f"{self.person[0]}{person['id']}{self.person[1]}"
        code = person["org__code"]
        if code not in self.orgs:
            self.orgs[code] = reverse("recruitment:people", args=[code])
        return self.orgs[code]


def _reminder(
    person: dict[str, Any], due: Due, users: list[int], as_of: dt.date, *, url: str
) -> Reminder:
    late = due.due < as_of
    what = TEXTS[due.what]
    if due.what == "report":  # the quarter the report is owed for ends on `due`
        what = f"{what}（{due.due.year}年第{(due.due.month - 1) // 3 + 1}季度）"
    name = f"{person['org__name']}：{person['name']}"
    title = f"{name}最迟于{chinese_date(due.due)}{what}" + ("，已逾期" if late else "")
    return Reminder(
        recipients=tuple(users),
        key=f"rc:{due.what}:{person['id']}:{due.due.isoformat()}",
        category=CATEGORY,
        title=title,
        due=due.due,
        overdue=late,
        org_name=person["org__name"],
        url=url,
    )


def recruitment_reminders(as_of: dt.date) -> Iterator[Reminder]:
    """Every pipeline deadline coming due or overdue, to the officers of the person's org."""
    people = _people()
    if not people:
        return
    policy = resolver(day=as_of)
    steps = steps_of(Q(person__stage__in=OPEN_STAGES), as_of)
    recipients = officers_in_charge({p["org__path"] for p in people})
    settings: dict[int, tuple[dict[str, int], int]] = {}
    urls = PersonUrls()
    for person in people:
        users = recipients.get(person["org__path"])
        if not users:
            continue
        at = policy.at(person["org__path"])
        if id(at) not in settings:
            settings[id(at)] = (due_months(at), int(at.value(LEAD_DAYS)))
        months, lead = settings[id(at)]
        horizon = as_of + dt.timedelta(days=lead)
        for due in dues(person, steps.get(person["id"], {}), months, as_of):
            if due.open_on(as_of) and due.due <= horizon:
                yield _reminder(person, due, users, as_of, url=urls(person))
