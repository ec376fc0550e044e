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


def _dues(person):
    from xianfeng.recruitment.queries.pipeline import due_dates

    return {(due.kind, due.due, due.deadline) for due in due_dates(person)}


def test_dev01_due_dates_of_an_applicant_and_an_activist(tree):
    from .walk import new_applicant

    applicant = new_applicant(tree)
    assert _dues(applicant) == {("talk", dt.date(2024, 2, 10), True)}
    activist = walk(tree, through="thought_report", name="钱七", id_number=_id())
    assert _dues(activist) == {
        ("review", dt.date(2025, 3, 1), True),
        ("thought_report", dt.date(2025, 3, 31), True),
        ("candidate", dt.date(2025, 3, 1), False),
    }


def test_dev01_due_dates_of_a_probationary_member(tree):
    person = walk(tree, through="approval")
    dues = _dues(person)
    assert ("oath", dt.date(2025, 6, 10), True) in dues
    assert ("conversion_meeting", dt.date(2026, 4, 20), False) in dues
    assert ("conversion_approval", dt.date(2026, 7, 20), True) in dues
    from xianfeng.recruitment.queries.pipeline import due_dates

    texts = [due.text for due in due_dates(person)]
    assert any("《中国共产党发展党员工作细则》" in text for text in texts)


def test_dev01_due_dates_after_pre_review_and_meeting(tree):
    person = walk(tree, through="pre_review")
    assert ("admission_meeting", dt.date(2025, 5, 1), True) in _dues(person)
    person = walk(tree, through="admission_meeting", name="钱七", id_number=_id())
    assert ("approval", dt.date(2025, 7, 20), True) in _dues(person)


def test_dev01_no_due_dates_for_a_full_member(tree):
    from xianfeng.recruitment.queries.pipeline import due_dates, steps_of

    person = walk(tree)
    assert due_dates(person) == []
    assert steps_of(person).count() == 21


def test_dev01_history_keeps_the_actor_of_each_step(tree):
    person = walk(tree, through="approval")
    approval = Step.objects.get(person=person, kind="approval")
    assert approval.history.first().history_user == tree.users["county_officer"]
    assert approval.entered_by == tree.users["county_officer"]
    assert person.history.first().history_user == tree.users["county_officer"]


def _id():
    from tests.factories import make_id

    return make_id(dt.date(1996, 2, 3))
