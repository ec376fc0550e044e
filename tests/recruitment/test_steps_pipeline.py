"""DEV-01: a whole happy path, applicant → full member, through the domain."""

import datetime as dt

from xianfeng.members.models import Status
from xianfeng.recruitment.models import Stage, Step

from .walk import KINDS, walk


def test_dev01_happy_path_applicant_to_full_member(tree):
    person = walk(tree)
    assert person.stage == Stage.FULL
    member = person.member
    assert member.status == Status.FULL
    assert member.joined_on == dt.date(2025, 4, 20)
    assert member.full_on == person.full_on == person.probation_ends_on == dt.date(2026, 4, 20)
    assert member.org == tree.branch_a
    assert person.volunteer_book_no == "ZY2025-001"
    kinds = list(
        Step.objects.filter(person=person).order_by("on", "pk").values_list("kind", flat=True)
    )
    assert kinds[0] == "application"
    assert [k for k in kinds[1:]] == [k for k in KINDS if k != "mentor"]
