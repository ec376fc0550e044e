"""DEV-01: registering applicants (age, ID number, duplicates, scope), correcting,
transferring and ending a record, revealing the ID number."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_id, make_user
from xianfeng.lib.cipher import get_cipher
from xianfeng.members.id_duplicates import ELSEWHERE
from xianfeng.recruitment.domain.people import (
    end_person,
    register_applicant,
    reveal_person_id_number,
    transfer_person,
    update_person,
)
from xianfeng.recruitment.domain.steps import record_step
from xianfeng.recruitment.models import Person, Stage, Step, TalentEntry, TalentStatus

from .walk import new_applicant, walk

D = dt.date


def test_dev01_register_applicant_records_the_application(tree):
    number = make_id(D(1995, 6, 1))
    person = new_applicant(tree, id_number=number, phone="13800000000", education="20")
    assert person.stage == Stage.APPLICANT and person.stage_since == person.applied_on
    assert person.birth_date == D(1995, 6, 1) and person.gender in ("1", "2")
    assert person.id_number_masked != number and "*" in person.id_number_masked
    assert get_cipher().decrypt(person.id_number_cipher) == number
    step = Step.objects.get(person=person)
    assert (step.kind, step.on, step.org, step.entered_by) == (
        "application",
        D(2024, 1, 10),
        tree.branch_a,
        tree.users["secretary"],
    )
    assert person.history.first().history_user == tree.users["secretary"]


@pytest.mark.parametrize(
    ("birth", "applied_on", "refused"),
    [
        (D(2006, 3, 1), D(2024, 3, 1), False),  # eighteenth birthday
        (D(2006, 3, 2), D(2024, 3, 1), True),  # a day short
        (D(2006, 2, 28), D(2024, 2, 28), False),
        (D(2008, 1, 1), D(2025, 3, 1), True),
    ],
)
def test_dev01_applicant_under_18_refused(tree, birth, applied_on, refused):

    def call():
        return new_applicant(tree, id_number=make_id(birth), applied_on=applied_on)

    if not refused:
        assert call().pk
        return
    with pytest.raises(ValidationError) as caught:
        call()
    message = caught.value.message_dict["applied_on"][0]
    assert "递交入党申请须年满18周岁" in message and "17周岁" in message
    assert message.endswith("（《中国共产党章程》第一条）")
    assert not Person.objects.exists() and not Step.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),  # wrong check character
        ({"id_number": "not-a-number"}, "id_number"),
        ({"gender": "9"}, "gender"),
        ({"birth_date": D(1990, 1, 1)}, "birth_date"),
        ({"name": " "}, "name"),
        ({"applied_on": D(2099, 1, 1)}, "applied_on"),
        ({"colour": "红"}, "__all__"),
    ],
)
def test_dev01_register_applicant_refusals(tree, fields, field):
    with pytest.raises(ValidationError) as caught:
        new_applicant(tree, **fields)
    assert field in caught.value.message_dict
    assert not Person.objects.exists()


def test_dev01_register_in_an_org_that_holds_no_members(tree):
    with pytest.raises(ValidationError, match="党支部或联合党支部"):
        register_applicant(
            org=tree.town_a,
            name="赵六",
            id_number=make_id(D(1995, 1, 1)),
            applied_on=D(2024, 1, 10),
            by=tree.users["county_officer"],
        )


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("outsider", ValidationError),
        ("county_viewer", PermissionDenied),
        ("member", ValidationError),
    ],
)
def test_dev01_register_out_of_reach(tree, who, error):
    with pytest.raises(error):
        register_applicant(
            org=tree.branch_a,
            name="赵六",
            id_number=make_id(D(1995, 1, 1)),
            applied_on=D(2024, 1, 10),
            by=tree.users[who],
        )
    assert not Person.objects.exists()


def _register(tree, who, org, number):
    return register_applicant(
        org=org, name="孙八", id_number=number, applied_on=D(2024, 2, 1), by=tree.users[who]
    )


def test_dev01_duplicate_person_in_scope_is_named(tree):
    number = make_id(D(1995, 1, 1))
    new_applicant(tree, id_number=number)
    with pytest.raises(ValidationError) as caught:
        _register(tree, "secretary", tree.branch_a, number)
    assert caught.value.message_dict["id_number"] == [
        "该身份证号已登记为青山村党支部的入党申请人赵六"
    ]
    assert Person.objects.count() == 1


def test_dev01_duplicate_person_out_of_scope_gets_the_neutral_answer(tree):
    number = make_id(D(1995, 1, 1))
    new_applicant(tree, id_number=number)
    with pytest.raises(ValidationError) as caught:
        _register(tree, "outsider", tree.branch_b, number)
    assert caught.value.message_dict["id_number"] == [ELSEWHERE]
    assert "赵六" not in str(caught.value)


@pytest.mark.parametrize(
    ("who", "org", "holder", "expected"),
    [
        ("secretary", "branch_a", "member_a", "该身份证号已登记为党员张三（党员编号 MA1）"),
        ("outsider", "branch_b", "member_a", ELSEWHERE),
        ("outsider", "branch_b", "member_b", "该身份证号已登记为党员王五（党员编号 MB1）"),
    ],
)
def test_dev01_duplicate_of_a_member_refused(tree, who, org, holder, expected):
    number = get_cipher().decrypt(getattr(tree, holder).id_number_cipher)
    with pytest.raises(ValidationError) as caught:
        _register(tree, who, getattr(tree, org), number)
    assert caught.value.message_dict["id_number"] == [expected]
    assert not Person.objects.exists()


def test_dev01_talent_entry_moves_into_the_pipeline(tree):
    talent = TalentEntry.objects.create(
        org=tree.branch_a, name="赵六", kind="grower", surveyed_on=D(2023, 5, 1)
    )
    person = new_applicant(tree, talent=talent)
    talent.refresh_from_db()
    assert person.talent == talent and talent.status == TalentStatus.PIPELINE
    with pytest.raises(ValidationError, match="已递交入党申请"):
        new_applicant(tree, talent=talent, id_number=make_id(D(1990, 2, 2)))


def test_dev01_talent_entry_out_of_scope_refused(tree):
    talent = TalentEntry.objects.create(
        org=tree.branch_b, name="赵六", kind="grower", surveyed_on=D(2023, 5, 1)
    )
    with pytest.raises(ValidationError, match="没有找到人才库人员"):
        new_applicant(tree, talent=talent)
    talent.refresh_from_db()
    assert talent.status == TalentStatus.POOL


def test_dev01_update_person(tree):
    person = new_applicant(tree)
    update_person(person=person, by=tree.users["secretary"], name="赵六一", phone="123")
    person.refresh_from_db()
    assert (person.name, person.phone, person.name_initials) == ("赵六一", "123", "zly")
    with pytest.raises(ValidationError):
        update_person(person=person, by=tree.users["secretary"], stage="full")
    with pytest.raises(ValidationError, match="没有找到发展对象人员"):
        update_person(person=person, by=tree.users["outsider"], phone="1")


def test_dev01_transfer_keeps_the_activist_time(tree):
    person = walk(tree, through="review")
    step = transfer_person(
        person=person, to_org=tree.branch_a2, on=D(2024, 10, 1), by=tree.users["county_officer"]
    )
    person.refresh_from_db()
    assert step.kind == "transfer" and step.org == tree.branch_a and step.to_org == tree.branch_a2
    assert person.org == tree.branch_a2 and person.activist_on == D(2024, 3, 1)
    assert person.stage == Stage.ACTIVIST
    # the year as activist counts from the first org's decision
    record_step(person=person, kind="candidate", on=D(2025, 3, 1), by=tree.users["county_officer"])
    assert person.stage == Stage.ADMISSION_CANDIDATE


@pytest.mark.parametrize(
    ("to_org", "who", "text"),
    [
        ("branch_a", "secretary", "相同"),
        ("town_a", "county_officer", "党支部或联合党支部"),
        ("branch_b", "secretary", "没有找到党组织"),
    ],
)
def test_dev01_transfer_refusals(tree, to_org, who, text):
    person = walk(tree, through="activist")
    with pytest.raises(ValidationError, match=text):
        transfer_person(
            person=person, to_org=getattr(tree, to_org), on=D(2024, 4, 1), by=tree.users[who]
        )
    person.refresh_from_db()
    assert person.org == tree.branch_a


def test_dev01_transfer_of_a_probationary_member_refused(tree):
    person = walk(tree, through="approval")
    with pytest.raises(ValidationError, match="只能在"):
        transfer_person(
            person=person, to_org=tree.branch_a2, on=D(2025, 6, 1), by=tree.users["secretary"]
        )


def test_dev01_end_person(tree):
    person = new_applicant(tree)
    with pytest.raises(ValidationError, match="原因"):
        end_person(person=person, on=D(2024, 2, 1), reason=" ", by=tree.users["secretary"])
    ended = end_person(
        person=person, on=D(2024, 2, 1), reason="本人撤回申请", by=tree.users["secretary"]
    )
    assert ended.stage == Stage.ENDED and ended.ended_on == D(2024, 2, 1)
    assert ended.ended_reason == "本人撤回申请"
    with pytest.raises(ValidationError, match="只能在"):
        record_step(person=ended, kind="talk", on=D(2024, 2, 2), by=tree.users["secretary"])


def test_dev01_end_of_a_probationary_member_cancels_the_membership(tree):
    person = walk(tree, through="oath")
    end_person(person=person, on=D(2025, 8, 1), reason="不履行党员义务", by=tree.users["secretary"])
    person.refresh_from_db()
    assert person.stage == Stage.ENDED and person.member.status == "left"


def test_dev01_reveal_person_id_number(tree):
    number = make_id(D(1995, 1, 1))
    person = new_applicant(tree, id_number=number)
    with pytest.raises(PermissionDenied):
        reveal_person_id_number(person=person, user=tree.users["secretary"])
    entitled = make_user("entitled", org=tree.branch_a, can_view_identifiers=True)
    assert reveal_person_id_number(person=person, user=entitled) == number
    elsewhere = make_user("elsewhere", org=tree.branch_b, can_view_identifiers=True)
    with pytest.raises(PermissionDenied):
        reveal_person_id_number(person=person, user=elsewhere)
