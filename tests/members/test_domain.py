import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_id, make_member, make_org, make_user
from xianfeng.lib.idcard import make_id_number
from xianfeng.members.domain import (
    find_member_by_id_number,
    reveal_id_number,
    set_member_status,
    update_member,
)
from xianfeng.members.models import IdNumberView
from xianfeng.members.queries import category_counts_as_of, status_counts_as_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return make_org(make_org(None, kind="party_committee"), kind="branch")


def test_mem_01_id_number_encrypted_masked_and_hashed(branch):
    number = make_id_number("110105", dt.date(1979, 12, 31), 2)
    member = make_member(branch, id_number=number)
    assert number not in member.id_number_cipher
    assert member.id_number_masked == number[:14] + "****"
    assert find_member_by_id_number(number.lower()) == member
    assert member.gender == "2" and member.birth_date == dt.date(1979, 12, 31)


def test_mem_01_id_number_never_in_history(branch):
    number = make_id_number("110105", dt.date(1979, 12, 31), 3)
    member = make_member(branch, id_number=number)
    update_member(member=member, phone="13800000000")
    for row in member.history.values():
        assert number not in str(row)


def test_mem_01_duplicate_id_refused(branch):
    number = make_id()
    make_member(branch, id_number=number)
    with pytest.raises(ValidationError) as info:
        make_member(branch, id_number=number)
    assert "已登记" in info.value.message_dict["id_number"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"gender": "1", "id_number": make_id_number("110105", dt.date(1979, 1, 1), 2)}, "gender"),
        (
            {
                "birth_date": dt.date(1979, 1, 2),
                "id_number": make_id_number("110105", dt.date(1979, 1, 1), 3),
            },
            "birth_date",
        ),
        ({"id_number": "110105197901010000"}, "id_number"),
        ({"id_number": "1.10105E+17"}, "id_number"),
        (
            {
                "id_number": make_id_number("110105", dt.date(2000, 1, 1), 5),
                "joined_on": dt.date(2015, 1, 1),
            },
            "joined_on",
        ),
    ],
)
def test_mem_01_identity_cross_checks(branch, fields, field):
    with pytest.raises(ValidationError) as info:
        make_member(branch, **fields)
    assert field in info.value.message_dict


def test_mem_01_member_only_in_branch_level_org():
    root = make_org(None, kind="party_committee")
    with pytest.raises(ValidationError) as info:
        make_member(root)
    assert "党支部" in info.value.message_dict["org"][0]


def test_mem_01_full_view_needs_the_right_and_is_logged(branch):
    member = make_member(branch)
    plain = make_user("plain", org=branch)
    with pytest.raises(PermissionDenied):
        reveal_id_number(member=member, user=plain)
    entitled = make_user("entitled", org=branch, can_view_identifiers=True)
    number = reveal_id_number(member=member, user=entitled, purpose="核对")
    assert number.startswith(member.id_number_masked[:14]) and "*" not in number
    assert IdNumberView.objects.filter(member=member, user=entitled).count() == 1


@pytest.mark.parametrize(
    ("start", "target", "ok"),
    [
        ("probationary", "full", True),
        ("full", "probationary", False),
        ("full", "suspended", True),
        ("suspended", "full", True),
        ("full", "lost_contact", True),
        ("lost_contact", "full", True),
        ("suspended", "lost_contact", False),
    ],
)
def test_mem_01_status_lifecycle(branch, start, target, ok):
    kwargs = {"status": "probationary"} if start == "probationary" else {}
    member = make_member(branch, joined_on=dt.date(2020, 1, 1), **kwargs)
    note = "支部大会决议"
    if start not in {"probationary", "full"}:
        set_member_status(member=member, status=start, on=dt.date(2022, 1, 1), note=note)
    if ok:
        set_member_status(member=member, status=target, on=dt.date(2023, 1, 1), note=note)
        assert member.status == target
    else:
        with pytest.raises(ValidationError):
            set_member_status(member=member, status=target, on=dt.date(2023, 1, 1), note=note)


@pytest.mark.parametrize(
    ("status", "reason"), [("suspended", ""), ("left", "removed"), ("left", "expelled")]
)
def test_mem_01_suspension_or_removal_without_grounds_is_refused(branch, status, reason):
    member = make_member(branch)
    with pytest.raises(ValidationError) as refused:
        set_member_status(member=member, status=status, on=dt.date(2024, 1, 1), reason=reason)
    assert refused.value.message_dict["note"][0].endswith("须填写理由")
    member.refresh_from_db()
    assert member.status == "full"
    set_member_status(
        member=member, status=status, on=dt.date(2024, 1, 1), reason=reason, note=" 支部大会决议 "
    )
    assert member.status_spells.get(ended_on__isnull=True).note == "支部大会决议"


def test_mem_01_leaving_needs_a_reason(branch):
    member = make_member(branch)
    with pytest.raises(ValidationError):
        set_member_status(member=member, status="left", on=dt.date(2024, 1, 1))
    set_member_status(member=member, status="left", on=dt.date(2024, 1, 1), reason="deceased")
    assert member.left_reason == "deceased"
    with pytest.raises(ValidationError):
        set_member_status(member=member, status="full", on=dt.date(2024, 2, 1))


def test_mem_01_counts_as_of_exclude_those_who_left(branch):
    joined = dt.date(2010, 1, 1)
    stays = make_member(branch, joined_on=joined, category="rural")
    leaves = make_member(branch, joined_on=joined, category="retired")
    make_member(branch, joined_on=dt.date(2024, 6, 1), status="probationary", category="rural")
    set_member_status(member=leaves, status="left", on=dt.date(2024, 3, 1), reason="deceased")
    assert status_counts_as_of(branch, dt.date(2024, 2, 29)) == {"full": 2}
    assert status_counts_as_of(branch, dt.date(2024, 3, 1)) == {"full": 1}
    assert status_counts_as_of(branch, dt.date(2024, 6, 1)) == {"full": 1, "probationary": 1}
    assert category_counts_as_of(branch, dt.date(2024, 2, 1)) == {"rural": 1, "retired": 1}
    assert stays.status == "full"


def test_mem_02_probationary_becomes_full_on_date(branch):
    member = make_member(branch, status="probationary", joined_on=dt.date(2023, 5, 1))
    set_member_status(member=member, status="full", on=dt.date(2024, 5, 1))
    assert member.full_on == dt.date(2024, 5, 1)
    assert status_counts_as_of(branch, dt.date(2024, 4, 30)) == {"probationary": 1}
    assert status_counts_as_of(branch, dt.date(2024, 5, 1)) == {"full": 1}
