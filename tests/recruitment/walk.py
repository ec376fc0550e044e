"""A person walked through the pipeline step by step on fixed dates (the tree of
`tests.factories`: branch_a under the town committee town_a), for the tests of the
pipeline's domain, pages and exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.factories import make_id, make_member
from xianfeng.recruitment.domain.mentors import assign_mentor, choose_introducers
from xianfeng.recruitment.domain.people import register_applicant
from xianfeng.recruitment.domain.steps import record_step
from xianfeng.recruitment.models import Person

D = dt.date
APPLIED = D(2024, 1, 10)
COMMITTEE = frozenset(
    {"activist_filed", "candidate_agreed", "pre_review", "approval", "conversion_approval"}
)
# (kind, date, fields) in the order of the pipeline; "mentor" and "introducers" are the
# mentors' writes, the rest `record_step` kinds.
SCHEDULE: list[tuple[str, dt.date, dict[str, Any]]] = [
    ("talk", D(2024, 1, 25), {"decided_by": "王书记"}),
    ("activist", D(2024, 3, 1), {}),
    ("mentor", D(2024, 3, 1), {}),
    ("activist_filed", D(2024, 3, 10), {}),
    ("review", D(2024, 9, 1), {"conclusion": "表现良好"}),
    ("thought_report", D(2024, 10, 8), {}),
    ("candidate", D(2025, 3, 1), {}),
    ("candidate_agreed", D(2025, 3, 10), {}),
    ("candidate_notice", D(2025, 3, 17), {"ends_on": D(2025, 3, 21)}),
    ("introducers", D(2025, 3, 24), {}),
    ("political_review", D(2025, 3, 25), {"conclusion": "政治审查合格"}),
    ("short_training", D(2025, 3, 26), {"days": Decimal(3)}),
    ("pre_review", D(2025, 4, 1), {}),
    ("volunteer_book", D(2025, 4, 5), {"conclusion": "ZY2025-001"}),
    ("admission_meeting", D(2025, 4, 20), {"voters": 10, "present": 8, "in_favour": 7}),
    ("approval", D(2025, 5, 10), {}),
    ("oath", D(2025, 5, 20), {}),
    ("conversion_application", D(2026, 3, 10), {}),
    ("conversion_notice", D(2026, 3, 16), {"ends_on": D(2026, 3, 20)}),
    ("conversion_meeting", D(2026, 4, 20), {"voters": 10, "present": 9, "in_favour": 9}),
    ("conversion_approval", D(2026, 5, 10), {}),
]
KINDS = [kind for kind, _on, _fields in SCHEDULE]


def new_applicant(tree: Any, *, applied_on: dt.date = APPLIED, **fields: Any) -> Person:
    return register_applicant(
        org=tree.branch_a,
        name=fields.pop("name", "赵六"),
        id_number=fields.pop("id_number", None) or make_id(D(1995, 6, 1)),
        applied_on=applied_on,
        by=tree.users["secretary"],
        **fields,
    )


def do(tree: Any, person: Person, kind: str, on: dt.date, **fields: Any) -> Any:
    """One write of the schedule (the branch's secretary, or the county officer for a
    committee step)."""
    secretary = tree.users["secretary"]
    if kind == "mentor":
        return assign_mentor(person=person, member=tree.member_a, on=on, by=secretary)
    if kind == "introducers":
        second = getattr(tree, "second_full", None) or make_member(tree.branch_a, code="MA9")
        tree.second_full = second
        members = fields.pop("members", None) or [tree.member_a, second]
        return choose_introducers(person=person, members=members, on=on, by=secretary)
    by = tree.users["county_officer"] if kind in COMMITTEE else secretary
    return record_step(person=person, kind=kind, on=on, by=by, **fields)


def walk(
    tree: Any, *, until: str | None = None, through: str | None = None, **applicant: Any
) -> Person:
    """A new applicant (`applicant`: name, id_number … of `new_applicant`) walked through
    the schedule, stopping before `until` or after `through` (the whole pipeline when
    neither is given)."""
    person = new_applicant(tree, **applicant)
    for kind, on, fields in SCHEDULE:
        if kind == until:
            break
        do(tree, person, kind, on, **dict(fields))
        if kind == through:
            break
    person.refresh_from_db()
    return person
