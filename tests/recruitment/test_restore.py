"""DEV-01 with PLAT-03: restoring a record whose member is already on file (a
whole-database import reads the members sheet before recruitment). Only a write told it
restores (`restoring=True`, set by the import) accepts the member's ID number at
registration, links the member at approval when it joined on the admission meeting's day
(else refuses), and leaves alone a conversion or an end the member's history already
holds; every other write refuses the number as before."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_id, make_member
from xianfeng.members.domain import set_member_status
from xianfeng.members.models import LeftReason, Member, Status, StatusSpell
from xianfeng.recruitment.domain.admission import restorable_member
from xianfeng.recruitment.domain.people import register_applicant
from xianfeng.recruitment.domain.steps import record_step
from xianfeng.recruitment.models import Person, Stage

from .walk import APPLIED, SCHEDULE, do, walk

D = dt.date
NUMBER = make_id(D(1995, 6, 1))
MEETING, PROBATION_ENDS = D(2025, 4, 20), D(2026, 4, 20)


def _member_on_file(tree, *, joined_on=MEETING, status="probationary", full_on=None):
    return make_member(
        tree.branch_a,
        code="R1",
        name="赵六",
        id_number=NUMBER,
        joined_on=joined_on,
        status=status,
        full_on=full_on,
    )


def _register(tree, **extra):
    return register_applicant(
        org=tree.branch_a,
        name="赵六",
        id_number=NUMBER,
        applied_on=APPLIED,
        by=tree.users["secretary"],
        **extra,
    )


def _restore(tree, *, through=None):
    """The schedule replayed as the import replays it (every step `restoring`)."""
    person = _register(tree, restoring=True)
    for kind, on, fields in SCHEDULE:
        extra = {} if kind in ("mentor", "introducers") else {"restoring": True}
        do(tree, person, kind, on, **dict(fields), **extra)
        person.refresh_from_db()
        if kind == through:
            break
    return person


def _spells(member):
    return list(StatusSpell.objects.filter(member=member).values_list("status", "started_on"))


def test_dev01_registration_accepts_the_member_on_file_only_when_restoring(tree):
    member = _member_on_file(tree)
    with pytest.raises(ValidationError, match="该身份证号已登记为党员"):
        _register(tree)

    person = _register(tree, restoring=True)

    assert person.member is None and person.stage == Stage.APPLICANT
    assert restorable_member(id_hmac=person.id_number_hmac, by=None) == member


def test_dev01_restore_refuses_a_member_out_of_scope(tree):
    _member_on_file(tree)
    with pytest.raises(ValidationError) as refused:
        register_applicant(
            org=tree.branch_b,
            name="赵六",
            id_number=NUMBER,
            applied_on=APPLIED,
            by=tree.users["outsider"],
            restoring=True,
        )
    assert set(refused.value.message_dict) == {"id_number"}
    assert "赵六" not in str(refused.value)


def test_dev01_restore_never_takes_a_member_linked_to_another_person(tree):
    person = walk(tree, through="approval")
    assert restorable_member(id_hmac=person.id_number_hmac, by=None) is None
    found = restorable_member(id_hmac=person.id_number_hmac, by=None, person=person)
    assert found == person.member


def test_dev01_restored_approval_links_the_member_and_conversion_leaves_its_history(tree):
    member = _member_on_file(tree, status="full", full_on=PROBATION_ENDS)
    spells, members = _spells(member), Member.objects.count()

    person = _restore(tree)

    assert person.stage == Stage.FULL and person.member == member
    assert person.full_on == PROBATION_ENDS and person.approved_on == D(2025, 5, 10)
    assert Member.objects.count() == members + 1  # the second introducer only
    member.refresh_from_db()
    assert member.status == Status.FULL and _spells(member) == spells


def test_dev01_restored_conversion_made_when_the_history_lacks_it(tree):
    member = _member_on_file(tree)

    person = _restore(tree)

    member.refresh_from_db()
    assert person.member == member and member.status == Status.FULL
    assert member.full_on == PROBATION_ENDS


def test_dev01_restored_approval_refuses_a_member_who_joined_on_another_day(tree):
    member = _member_on_file(tree, joined_on=D(2025, 4, 21))

    with pytest.raises(ValidationError) as refused:
        _restore(tree)

    assert "入党日期为2025年4月21日" in str(refused.value)
    assert not Person.objects.filter(member=member).exists()


def test_dev01_restored_end_leaves_a_member_who_left_that_day(tree):
    member = _member_on_file(tree)
    left_on = D(2025, 8, 1)
    set_member_status(
        member=member,
        status=Status.LEFT,
        on=left_on,
        reason=LeftReason.REMOVED,
        note="取消预备党员资格：不履行党员义务",
    )
    spells = _spells(member)
    person = _restore(tree, through="oath")

    record_step(
        person=person,
        kind="end",
        on=left_on,
        conclusion="不履行党员义务",
        by=tree.users["secretary"],
        restoring=True,
    )

    person.refresh_from_db()
    assert person.stage == Stage.ENDED and person.member == member
    assert _spells(member) == spells


def test_dev01_an_approval_not_restoring_still_refuses_the_member_on_file(tree):
    person = walk(tree, until="approval", id_number=NUMBER)
    _member_on_file(tree)
    with pytest.raises(ValidationError, match="该身份证号已登记为党员"):
        record_step(
            person=person, kind="approval", on=D(2025, 5, 10), by=tree.users["county_officer"]
        )


def test_dev07_talent_pool_takes_the_member_on_file_only_when_restoring(tree):
    from xianfeng.recruitment.domain.talent import register_talent

    _member_on_file(tree)
    fields = {
        "org": tree.branch_a,
        "name": "赵六",
        "kind": "grower",
        "surveyed_on": D(2023, 12, 1),
        "id_number": NUMBER,
        "by": tree.users["secretary"],
    }
    with pytest.raises(ValidationError, match="人才库只收非党员"):
        register_talent(**fields)

    entry = register_talent(**fields, restoring=True)

    assert entry.id_number_hmac == Member.objects.get(code="R1").id_number_hmac
