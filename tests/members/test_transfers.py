import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xianfeng.members.domain import (
    cancel_transfer,
    receive_transfer,
    reject_transfer,
    send_transfer,
)
from xianfeng.members.queries import inbox, org_on, outbox

pytestmark = pytest.mark.django_db


def test_mem_05_transfer_across_counties_from_both_ends(tree):
    secretary = tree.users["secretary"]
    outsider = tree.users["outsider"]
    member = tree.member_a
    transfer = send_transfer(
        member=member, to_org=tree.branch_b, sent_on=dt.date(2025, 3, 1), by=secretary
    )
    assert list(outbox(secretary)) == [transfer]
    assert list(inbox(outsider)) == [transfer]
    assert list(inbox(secretary)) == []
    receive_transfer(transfer=transfer, received_on=dt.date(2025, 3, 10), by=outsider)
    member.refresh_from_db()
    assert member.org == tree.branch_b
    assert org_on(member, dt.date(2025, 3, 9)) == tree.branch_a
    assert org_on(member, dt.date(2025, 3, 10)) == tree.branch_b
    assert member.placements.filter(ended_on__isnull=True).count() == 1


def test_mem_05_one_transfer_in_transit(tree):
    send_transfer(member=tree.member_a, to_org=tree.branch_b, sent_on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError):
        send_transfer(member=tree.member_a, to_org=tree.branch_a2, sent_on=dt.date(2025, 3, 2))


def test_mem_05_only_to_branch_level_orgs(tree):
    with pytest.raises(ValidationError) as info:
        send_transfer(member=tree.member_a, to_org=tree.town_b, sent_on=dt.date(2025, 3, 1))
    assert "to_org" in info.value.message_dict


@pytest.mark.parametrize("close", [reject_transfer, cancel_transfer])
def test_mem_05_closed_transfer_leaves_member_in_place(tree, close):
    transfer = send_transfer(
        member=tree.member_a, to_org=tree.branch_b, sent_on=dt.date(2025, 3, 1)
    )
    close(transfer=transfer, note="材料不全")
    tree.member_a.refresh_from_db()
    assert tree.member_a.org == tree.branch_a
    with pytest.raises(ValidationError):
        receive_transfer(transfer=transfer, received_on=dt.date(2025, 3, 5))


def test_mem_05_transfer_out_deactivates_posts(tree):
    from xianfeng.accounts.domain import grant_post

    user = tree.users["member"]
    post = grant_post(user=user, org=tree.branch_a, role="officer")
    send_transfer(member=tree.member_a, to_org=tree.branch_b, sent_on=dt.date(2025, 3, 1))
    post.refresh_from_db()
    assert post.is_active is False


def test_mem_05_history_of_every_move(tree):
    transfer = send_transfer(
        member=tree.member_a, to_org=tree.branch_b, sent_on=dt.date(2025, 3, 1)
    )
    receive_transfer(transfer=transfer, received_on=dt.date(2025, 3, 10))
    statuses = list(transfer.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["in_transit", "received"]
    orgs = list(tree.member_a.history.order_by("history_date").values_list("org__code", flat=True))
    assert orgs[-1] == "CB-T1-B1"
