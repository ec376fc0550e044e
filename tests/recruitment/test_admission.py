"""DEV-01: admission creates the probationary member through the member registry, with a
new member code; conversion makes it full from the end of probation; an extension moves
that end once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member
from xianfeng.lib.cipher import get_cipher
from xianfeng.members.domain import new_member_code
from xianfeng.members.models import Member, Status, StatusSpell
from xianfeng.recruitment.domain.steps import record_step
from xianfeng.recruitment.models import Person, Stage

from .walk import walk

D = dt.date


def test_dev01_new_member_code_follows_the_highest_p_code(db):
    assert new_member_code() == "P00000001"
    from tests.factories import make_org

    branch = make_org(make_org(kind="party_committee"), kind="branch")
    make_member(branch, code="P00000041")
    make_member(branch, code="X1")
    assert new_member_code() == "P00000042"


def test_dev01_approval_creates_the_probationary_member(tree):
    person = walk(tree, through="approval")
    member = person.member
    assert person.stage == Stage.PROBATIONARY and person.approved_on == D(2025, 5, 10)
    assert member.status == Status.PROBATIONARY and member.joined_on == D(2025, 4, 20)
    assert member.org == tree.branch_a and member.name == person.name
    assert member.code.startswith("P") and len(member.code) == 9
    assert member.id_number_hmac == person.id_number_hmac
    assert get_cipher().decrypt(member.id_number_cipher) == get_cipher().decrypt(
        person.id_number_cipher
    )
    assert person.probation_ends_on == D(2026, 4, 20)
    assert Member.objects.count() == 5  # the tree's three, the second introducer, this one


def test_dev01_approval_refused_when_the_number_became_a_member(tree):
    person = walk(tree, until="approval")
    number = get_cipher().decrypt(person.id_number_cipher)
    Person.objects.filter(pk=person.pk).update(id_number_hmac="x" * 64)
    make_member(tree.branch_a, id_number=number, code="DUP1", joined_on=D(2020, 1, 1))
    with pytest.raises(ValidationError, match="该身份证号已登记为党员"):
        record_step(
            person=person, kind="approval", on=D(2025, 5, 10), by=tree.users["county_officer"]
        )
    person.refresh_from_db()
    assert person.member is None and person.stage == Stage.ADMISSION_CANDIDATE


def test_dev01_conversion_moves_the_member_from_probationary_to_full(tree):
    person = walk(tree, until="conversion_approval")
    assert person.member.status == Status.PROBATIONARY
    record_step(
        person=person,
        kind="conversion_approval",
        on=D(2026, 5, 10),
        by=tree.users["county_officer"],
    )
    member = Member.objects.get(pk=person.member_id)
    assert member.status == Status.FULL
    assert member.full_on == member.status_since == D(2026, 4, 20)  # party age from probation's end
    spells = list(
        StatusSpell.objects.filter(member=member).values_list("status", "started_on", "ended_on")
    )
    assert spells == [
        ("probationary", D(2025, 4, 20), D(2026, 4, 20)),
        ("full", D(2026, 4, 20), None),
    ]
    assert person.stage == Stage.FULL and person.full_on == D(2026, 4, 20)
    with pytest.raises(ValidationError, match="只能在"):
        record_step(person=person, kind="oath", on=D(2026, 6, 1), by=tree.users["secretary"])


def test_dev01_extension_once_moves_the_probation_end(tree):
    person = walk(tree, through="oath")
    record_step(
        person=person, kind="extension", on=D(2026, 3, 1), months=6, by=tree.users["secretary"]
    )
    assert person.probation_ends_on == D(2026, 10, 20)
    with pytest.raises(ValidationError) as caught:
        record_step(
            person=person, kind="extension", on=D(2026, 4, 1), months=6, by=tree.users["secretary"]
        )
    message = caught.value.message_dict["kind"][0]
    assert message == "预备期只能延长一次：已于2026年3月1日延长6个月（《中国共产党章程》第七条）"
    with pytest.raises(ValidationError, match="预备期2026年10月20日期满"):
        record_step(
            person=person,
            kind="conversion_meeting",
            on=D(2026, 10, 19),
            by=tree.users["secretary"],
            voters=10,
            present=9,
            in_favour=9,
        )
