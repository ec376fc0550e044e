import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_member, make_user
from xianfeng.accounts.domain import (
    PROGRESS_EVERY,
    create_account,
    create_account_with_post,
    create_accounts_for_seat_holders,
    set_identifier_right,
)
from xianfeng.accounts.models import Post, User
from xianfeng.members.domain import set_member_status
from xianfeng.orgs.domain import appoint_to_seat, end_seat

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 1, 1)


def seat_holders(tree):
    """Leadership seats in both counties; only MA3 and MA4 (county A) need an account.

    MA1 (tree.member_a) already has one, MA5's seat has ended, MA6 has left the party and
    MB2 sits in county B.
    """
    ma3 = make_member(tree.branch_a, code="MA3", name="赵书记")
    ma4 = make_member(tree.branch_a2, code="MA4", name="钱委员")
    ma5 = make_member(tree.branch_a2, code="MA5", name="孙离任")
    ma6 = make_member(tree.branch_a, code="MA6", name="周出党")
    mb2 = make_member(tree.branch_b, code="MB2", name="吴书记")
    appoint_to_seat(org=tree.branch_a, role="secretary", member=ma3, started_on=DAY)
    appoint_to_seat(
        org=tree.branch_a, role="committee_member", member=tree.member_a, started_on=DAY
    )
    appoint_to_seat(org=tree.town_a, role="deputy_secretary", member=ma4, started_on=DAY)
    appoint_to_seat(org=tree.branch_a2, role="committee_member", member=ma4, started_on=DAY)
    seat = appoint_to_seat(org=tree.branch_a2, role="secretary", member=ma5, started_on=DAY)
    end_seat(seat=seat, on=dt.date(2024, 1, 1))
    appoint_to_seat(org=tree.branch_a, role="committee_member", member=ma6, started_on=DAY)
    set_member_status(member=ma6, status="left", on=dt.date(2024, 1, 1), reason="deceased")
    appoint_to_seat(org=tree.branch_b, role="secretary", member=mb2, started_on=DAY)
    return {"MA3": ma3, "MA4": ma4, "MA5": ma5, "MA6": ma6, "MB2": mb2}


def _posts(username):
    return sorted(
        (post.org.code, post.role)
        for post in Post.objects.filter(user__username=username, is_active=True)
    )


def test_create_account_generated_password_must_be_changed(tree):
    user, password = create_account(username="wang", display_name="王")
    assert user.must_change_password is True
    assert user.check_password(password)


def test_create_account_chosen_password_need_not_be_changed(tree):
    user, _password = create_account(username="wang", display_name="王", password="Xf-Long-2025!")
    assert user.must_change_password is False


@pytest.mark.parametrize("username", ["tokens", "Bulk", "password"])
def test_create_account_reserved_username_refused(tree, username):
    with pytest.raises(ValidationError) as info:
        create_account(username=username, display_name="王")
    assert "保留" in info.value.message_dict["username"][0]


def test_create_account_with_post_is_all_or_nothing(tree):
    with pytest.raises(ValidationError):
        create_account_with_post(
            username="wang",
            display_name="王",
            org=tree.branch_a,
            role="boss",
            by=tree.users["secretary"],
        )
    assert not User.objects.filter(username="wang").exists()


def test_create_account_with_post_needs_admin_of_org(tree):
    with pytest.raises(PermissionDenied):
        create_account_with_post(
            username="wang",
            display_name="王",
            org=tree.branch_a,
            role="officer",
            by=tree.users["county_officer"],
        )
    assert not User.objects.filter(username="wang").exists()


def test_bulk_creates_accounts_for_open_seats_of_subtree(tree):
    seat_holders(tree)
    rows = create_accounts_for_seat_holders(org=tree.county_a, by=tree.users["city_admin"])
    assert [(row["username"], row["name"], row["note"]) for row in rows] == [
        ("MA4", "钱委员", ""),
        ("MA3", "赵书记", ""),
    ]
    assert rows[0]["org"] == "青山镇党委、绿水村党支部"
    assert rows[0]["role"] == "党务工作者、党务工作者"
    assert _posts("MA3") == [("CA-T1-B1", "admin")]
    assert _posts("MA4") == [("CA-T1", "officer"), ("CA-T1-B2", "officer")]
    ma3 = User.objects.get(username="MA3")
    assert ma3.check_password(rows[1]["password"])
    assert ma3.must_change_password is True
    assert ma3.member.code == "MA3" and ma3.first_name == "赵书记"
    assert set(User.objects.filter(username__in=["MA5", "MA6", "MB2"])) == set()
    assert _posts("member") == []


def test_bulk_skips_members_with_accounts_on_a_second_run(tree):
    seat_holders(tree)
    create_accounts_for_seat_holders(org=tree.county_a, by=tree.users["city_admin"])
    assert create_accounts_for_seat_holders(org=tree.county_a, by=tree.users["city_admin"]) == []


def test_bulk_secretary_and_committee_seat_in_one_org_gives_one_admin_post(tree):
    ma3 = make_member(tree.branch_a, code="MA3")
    appoint_to_seat(org=tree.branch_a, role="committee_member", member=ma3, started_on=DAY)
    appoint_to_seat(org=tree.branch_a, role="secretary", member=ma3, started_on=DAY)
    rows = create_accounts_for_seat_holders(org=tree.branch_a, by=tree.users["secretary"])
    assert [row["role"] for row in rows] == ["管理员"]
    assert _posts("MA3") == [("CA-T1-B1", "admin")]


def test_bulk_username_taken_is_skipped_with_note(tree):
    seat_holders(tree)
    make_user("MA3")
    rows = create_accounts_for_seat_holders(org=tree.branch_a, by=tree.users["secretary"])
    assert [(row["username"], row["password"]) for row in rows] == [("MA3", "")]
    assert "已被使用" in rows[0]["note"]
    assert User.objects.get(username="MA3").member is None


def test_bulk_reports_progress(tree):
    for n in range(PROGRESS_EVERY + 1):
        member = make_member(tree.branch_a, code=f"MX{n:03d}")
        appoint_to_seat(org=tree.branch_a, role="committee_member", member=member, started_on=DAY)
    calls = []
    create_accounts_for_seat_holders(
        org=tree.branch_a, by=tree.users["secretary"], progress=lambda *args: calls.append(args)
    )
    assert calls == [(PROGRESS_EVERY, PROGRESS_EVERY + 1), (PROGRESS_EVERY + 1, PROGRESS_EVERY + 1)]


@pytest.mark.parametrize("user", ["county_officer", "outsider", "secretary"])
def test_bulk_needs_admin_of_org(tree, user):
    seat_holders(tree)
    with pytest.raises(PermissionDenied):
        create_accounts_for_seat_holders(org=tree.county_a, by=tree.users[user])
    assert not User.objects.filter(username="MA3").exists()


def test_identifier_right_granted_only_by_holder(tree):
    with pytest.raises(PermissionDenied):
        set_identifier_right(user=tree.users["member"], allowed=True, by=tree.users["secretary"])
    holder = make_user("holder", org=tree.city, can_view_identifiers=True)
    set_identifier_right(user=tree.users["member"], allowed=True, by=holder)
    tree.users["member"].refresh_from_db()
    assert tree.users["member"].can_view_identifiers is True


def test_identifier_right_never_self_granted(tree):
    secretary = tree.users["secretary"]
    secretary.can_view_identifiers = True  # even a holder cannot re-grant to themselves
    with pytest.raises(PermissionDenied):
        set_identifier_right(user=secretary, allowed=True, by=secretary)


def test_identifier_right_revoked_only_by_account_admin_holding_it(tree):
    member = tree.users["member"]
    set_identifier_right(user=member, allowed=True)
    with pytest.raises(PermissionDenied):  # issue 12: the right is touched only by holders
        set_identifier_right(user=member, allowed=False, by=tree.users["secretary"])
    holder = make_user("holder", org=tree.branch_a, can_view_identifiers=True)
    set_identifier_right(user=member, allowed=False, by=holder)
    member.refresh_from_db()
    assert member.can_view_identifiers is False
