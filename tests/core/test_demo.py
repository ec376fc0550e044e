"""The demo jurisdiction (`xianfeng demo`): deterministic, consistent, bulk-loaded."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_member, make_org
from xianfeng.accounts.models import User
from xianfeng.accounts.scope import role_at, scope_paths
from xianfeng.core.actor import acting_as
from xianfeng.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoError, build_demo
from xianfeng.lib.cipher import get_cipher, lookup_hash
from xianfeng.lib.idcard import age_on, mask_id_number, parse_id_number
from xianfeng.members.models import (
    Member,
    Placement,
    Status,
    StatusSpell,
    TemporaryMembership,
    Transfer,
)
from xianfeng.orgs.models import MEMBER_KINDS, Org, Seat

AS_OF = dt.date(2025, 6, 30)
TOWN_KINDS = {
    "party_committee",
    "general_branch",
    "branch",
    "joint_branch",
    "party_group",
    "temporary_org",
    "industry_joint_org",
}


def town(seed=1, replace=False):
    return build_demo(scale="town", seed=seed, as_of=AS_OF, replace=replace)


def fingerprint():
    """Everything the seed decides, keyed by the stable codes (not by database ids)."""
    orgs = list(
        Org.objects.order_by("path").values_list(
            "code", "name", "kind", "level", "sector", "path", "founded_on", "unit_name"
        )
    )
    members = list(
        Member.objects.order_by("code").values_list(
            "code",
            "name",
            "gender",
            "birth_date",
            "id_number_masked",
            "id_number_hmac",
            "joined_on",
            "full_on",
            "status",
            "status_since",
            "org__code",
            "party_group__code",
            "category",
            "flags",
            "phone",
        )
    )
    transfers = sorted(
        Transfer.objects.values_list(
            "member__code", "from_org__code", "to_org__code", "status", "sent_on", "received_on"
        )
    )
    seats = sorted(
        Seat.objects.values_list(
            "org__code", "role", "title", "member__code", "started_on", "ended_on"
        )
    )
    return orgs, members, transfers, seats


def full_members(org):
    return Member.objects.filter(org__path__startswith=org.path, status=Status.FULL).count()


def test_town_demo_builds_every_promised_kind(db):
    summary = town()
    assert 25 <= summary.orgs <= 40
    assert 450 <= summary.members <= 750
    assert summary.members == Member.objects.count()
    assert summary.transfers_in_transit >= 1
    assert summary.transfers_received >= 1
    assert set(Org.objects.values_list("kind", flat=True)) == TOWN_KINDS
    assert Org.objects.get(depth=1).kind == "party_committee"
    assert Org.objects.get(depth=1).level == "town"
    statuses = Counter(Member.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.FULL] > 0.8 * summary.members
    assert TemporaryMembership.objects.filter(org__kind="temporary_org").exists()


def test_town_demo_tree_is_consistent(db):
    town()
    assert Org.objects.find_problems() == ([], [], [], [], [])
    for org in Org.objects.exclude(depth=1):
        parent = Org.objects.get_parent(org)
        assert parent.founded_on <= org.founded_on


def test_town_demo_sizes_fit_org_03_except_the_listed_orgs(db):
    summary = town()
    irregular = dict(summary.irregular_orgs)
    assert len(irregular) == 4
    sizes = {code: full_members(Org.objects.get(code=code)) for code in irregular}
    assert sorted(sizes.values())[:3] == [2, 25, 40]
    assert max(sizes.values()) >= 55
    for org in Org.objects.exclude(code__in=irregular).exclude(kind="party_group"):
        full = full_members(org)
        if org.kind in MEMBER_KINDS:
            assert 3 <= full <= 50, org.code
        elif org.kind == "general_branch":
            assert 51 <= full <= 99, org.code
        elif org.kind == "party_committee":
            assert full >= 100, org.code


def test_town_demo_members_are_consistent(db):
    town()
    cipher = get_cipher()
    placements = {}
    for placement in Placement.objects.order_by("member_id", "started_on"):
        placements.setdefault(placement.member_id, []).append(placement)
    spells = {}
    for spell in StatusSpell.objects.order_by("member_id", "started_on"):
        spells.setdefault(spell.member_id, []).append(spell)
    for member in Member.objects.select_related("org", "party_group"):
        number = cipher.decrypt(member.id_number_cipher)
        parsed = parse_id_number(number, today=AS_OF)
        assert (parsed.gender, parsed.birth_date) == (member.gender, member.birth_date)
        assert member.id_number_masked == mask_id_number(number)
        assert member.id_number_hmac == lookup_hash(number)
        assert age_on(member.birth_date, member.joined_on) >= 18
        assert member.org.kind in MEMBER_KINDS
        if member.party_group is not None:
            assert Org.objects.get_parent(member.party_group) == member.org
        own = placements[member.pk]
        open_ = [p for p in own if p.ended_on is None]
        assert len(open_) == (0 if member.status == Status.LEFT else 1)
        assert own[-1].org_id == member.org_id
        for before, after in zip(own, own[1:], strict=False):
            assert before.ended_on == after.started_on
        own_spells = spells[member.pk]
        assert own_spells[0].started_on == member.joined_on
        assert own_spells[-1].ended_on is None
        assert (own_spells[-1].status, own_spells[-1].started_on) == (
            member.status,
            member.status_since,
        )
        for before, after in zip(own_spells, own_spells[1:], strict=False):
            assert before.ended_on == after.started_on
        if member.full_on:
            assert own_spells[1].started_on == member.full_on
        assert member.status_since <= AS_OF
        assert member.name_initials.isascii() and member.name_initials


def test_town_demo_transfers_and_seats_are_consistent(db):
    town()
    for transfer in Transfer.objects.select_related("member", "from_org", "to_org"):
        assert transfer.sent_on <= AS_OF
        if transfer.status == "in_transit":
            assert transfer.member.org_id == transfer.from_org_id
            assert transfer.received_on is None
        else:
            assert transfer.member.placements.filter(
                org=transfer.to_org, started_on=transfer.received_on
            ).exists()
            assert transfer.member.placements.filter(
                org=transfer.from_org, ended_on=transfer.received_on
            ).exists()
    seats = Seat.objects.select_related("org", "member__org")
    assert seats.filter(role="secretary").count() >= 20
    for seat in seats:
        assert seat.member.org.path.startswith(seat.org.path)
        assert seat.started_on <= AS_OF
        assert seat.member.status == Status.FULL


def test_same_seed_gives_identical_data_and_another_seed_differs(db):
    town(seed=7)
    first = fingerprint()
    town(seed=7, replace=True)
    assert fingerprint() == first
    town(seed=8, replace=True)
    other = fingerprint()
    assert other[0] != first[0]
    assert other[1] != first[1]


def test_history_rows_name_the_command_line(db):
    with acting_as(None, "cli: xianfeng demo --scale town --seed 1"):
        town()
    history = Org.history.model.objects
    assert history.count() == Org.objects.count()
    assert set(history.values_list("history_type", "history_change_reason")) == {
        ("+", "cli: xianfeng demo --scale town --seed 1")
    }
    assert Member.history.model.objects.count() == Member.objects.count()
    assert Transfer.history.model.objects.count() == Transfer.objects.count()


def test_demo_accounts_exist_and_the_secretary_sees_only_her_branch(db):
    town()
    users = {u.username: u for u in User.objects.select_related("member__org")}
    assert set(users) >= {account.username for account in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        user = users[account.username]
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
    secretary = users["demo_secretary"]
    branch = secretary.member.org
    assert branch.kind == "branch"
    assert scope_paths(secretary) == [branch.path]
    assert role_at(secretary, branch) == "admin"
    assert role_at(secretary, Org.objects.get(depth=1)) is None
    assert Seat.objects.filter(
        org=branch, role="secretary", member=secretary.member, ended_on__isnull=True
    ).exists()
    member = users["demo_member"]
    assert scope_paths(member) == []
    assert member.member.org == branch and not member.member.seats.exists()
    root = Org.objects.get(depth=1)
    assert scope_paths(users["demo_admin"]) == [root.path]
    assert role_at(users["demo_viewer"], root) == "viewer"
    assert users["demo_identifiers"].can_view_identifiers
    assert not users["demo_admin"].can_view_identifiers


def test_domain_writes_continue_after_the_bulk_load(db):
    """Ids were assigned by the loader: the database sequences must continue after them."""
    calls = []
    town(seed=4)
    build_demo(
        scale="town",
        seed=4,
        as_of=AS_OF,
        replace=True,
        progress=lambda done, total, message: calls.append((done, total)),
    )
    assert calls[-1][0] == calls[-1][1] and len(calls) == calls[-1][1]
    branch = Org.objects.filter(kind="branch").order_by("path").first()
    org = make_org(Org.objects.get(depth=1), kind="branch", code="NEW-1", name="新建党支部")
    member = make_member(branch, code="NEW-M1")
    assert org.pk > Org.objects.exclude(pk=org.pk).order_by("-pk").first().pk
    assert member.pk > Member.objects.exclude(pk=member.pk).order_by("-pk").first().pk
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_demo_refuses_a_database_with_orgs_unless_replace(db):
    town()
    with pytest.raises(DemoError, match="--replace"):
        town(seed=2)
    town(seed=2, replace=True)
    assert Org.objects.filter(depth=1).count() == 1


def test_replace_refuses_to_delete_real_data(db):
    make_org(None, kind="party_committee", code="REAL", name="真实县委", level="county")
    with pytest.raises(DemoError, match="不是示范数据"):
        town(replace=True)
    assert Org.objects.filter(code="REAL").exists()


def test_command_prints_summary_and_accounts(db):
    out = io.StringIO()
    call_command("demo", scale="town", seed="3", as_of="2025-06-30", stdout=out)
    text = out.getvalue()
    assert "党员" in text and "demo_secretary" in text and DEMO_PASSWORD in text
    with pytest.raises(CommandError, match="--replace"):
        call_command("demo", scale="town", seed="3", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scale": "village", "seed": "1"}, "--scale"),
        ({"seed": "1"}, "--scale"),
        ({"scale": "town"}, "--seed"),
        ({"scale": "town", "seed": "abc"}, "--seed"),
        ({"scale": "town", "seed": "1", "as_of": "2025-13-01"}, "YYYY-MM-DD"),
        ({"scale": "town", "seed": "1", "as_of": "2999-01-01"}, "晚于今天"),
        ({"scale": "town", "seed": "1", "as_of": "1999-01-01"}, "不能早于"),
    ],
)
def test_command_refuses_bad_arguments(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo", stdout=io.StringIO(), **options)
    assert not Org.objects.exists()


@pytest.mark.slow
def test_county_demo(db):
    summary = build_demo(scale="county", seed=1, as_of=AS_OF)
    assert 250 <= summary.orgs <= 400
    assert 7000 <= summary.members <= 9000
    assert set(Org.objects.values_list("kind", flat=True)) == TOWN_KINDS | {"working_committee"}
    assert set(Org.objects.exclude(sector="").values_list("sector", flat=True)) == {
        "rural",
        "community",
        "government",
        "institution",
        "soe",
        "private",
        "social",
        "school",
        "hospital",
    }
    assert Org.objects.filter(level="town", sector="community").count() == 2
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert summary.transfers_in_transit >= 10
    assert Member.objects.filter(leading_cadre=True).exists()
    assert Member.objects.filter(category="student").exists()
    assert Seat.objects.filter(ended_on__isnull=False).exists()  # vacancies (ORG-05)
