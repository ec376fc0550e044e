"""The demo town (seed 1), built once for this module (`shared_demo`): every promised kind,
a consistent tree, roster, transfers and seats, the support records, the demo accounts,
meetings, attendance and study records. Every test here only reads it; tests that build
the demo themselves (seeds, --replace, the command) stay in test_demo.py."""

import datetime as dt
from collections import Counter

import pytest

from tests.conftest import shared_demo
from tests.demo.test_demo import AS_OF, TOWN_KINDS, full_members
from xianfeng.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from xianfeng.accounts.models import User
from xianfeng.accounts.scope import role_at, scope_paths
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
from xianfeng.orgs.models import (
    MEMBER_KINDS,
    Budget,
    ContactPoint,
    Org,
    Seat,
    Spending,
    StaffPost,
    Venue,
    Visit,
)

pytestmark = pytest.mark.xdist_group("town_demo")
town = shared_demo("town", seed=1, as_of=AS_OF)


def test_town_demo_builds_every_promised_kind(town, db):
    summary = town
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


def test_town_demo_tree_is_consistent(town, db):
    assert Org.objects.find_problems() == ([], [], [], [], [])
    for org in Org.objects.exclude(depth=1):
        parent = Org.objects.get_parent(org)
        assert parent.founded_on <= org.founded_on


def test_town_demo_sizes_fit_org_03_except_the_listed_orgs(town, db):
    summary = town
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


def test_town_demo_members_are_consistent(town, db):
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


def test_town_demo_transfers_and_seats_are_consistent(town, db):
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


def test_town_demo_has_contact_points_visits_and_venues(town, db):
    """ORG-07 and ORG-08 records at town scale; staff and budgets only at the town's organs
    branch (seed 003 goes on it): a part-time post, no budget last year, a short one now."""
    summary = town
    points = list(ContactPoint.objects.select_related("org", "target"))
    assert summary.contact_points == len(points) >= 5  # the town committee: 8 seats
    assert summary.visits == Visit.objects.count() >= 3 * len(points)
    assert summary.venues == Venue.objects.count() >= 12
    organs = Org.objects.get(kind="branch", sector="government")
    assert summary.staff_posts == StaffPost.objects.count() >= 1
    assert not StaffPost.objects.exclude(org=organs).exists()
    assert not StaffPost.objects.filter(full_time=True).exists()
    assert summary.budgets == 1 and Budget.objects.get().year == AS_OF.year
    assert Budget.objects.get().org == organs
    assert not Spending.objects.exclude(org=organs).exists()
    seats = {}
    for seat in Seat.objects.filter(org__kind__in=["party_committee", "working_committee"]):
        seats.setdefault((seat.org_id, seat.member_id), []).append(seat)
    for point in points:
        assert point.org.kind in ("party_committee", "working_committee")
        assert point.target.kind in MEMBER_KINDS
        assert point.target.path.startswith(point.org.path)
        held = seats[(point.org_id, point.leader_id)]  # the leader sits in that leadership
        assert min(s.started_on for s in held) <= point.started_on <= AS_OF
        assert point.ended_on is None or point.started_on <= point.ended_on < AS_OF
    without = {key for key in seats if key not in {(p.org_id, p.leader_id) for p in points}}
    assert 1 <= len(without) <= 3  # the few leaders left without one on purpose
    notes = [note for _code, note in summary.support_gaps]
    assert any("未建立联系点" in note for note in notes)
    assert any("未到联系点走访" in note for note in notes)
    first_year = dt.date(AS_OF.year - 1, 1, 1)
    for visit in Visit.objects.select_related("contact_point"):
        point = visit.contact_point
        assert first_year <= visit.visited_on <= AS_OF
        assert point.started_on <= visit.visited_on
        assert point.ended_on is None or visit.visited_on <= point.ended_on
        assert visit.summary
    assert set(Visit.objects.values_list("kind", flat=True)) == {
        "visit",
        "report",
        "problem",
        "guidance",
    }
    # villages and communities have a venue (a general branch's is shared by its branches)
    with_venue = set(Venue.objects.values_list("org__code", flat=True))
    for org in Org.objects.filter(level="village").exclude(kind="party_group"):
        parent = Org.objects.get_parent(org)
        assert (org.code in with_venue) == (parent.level != "village"), org.code
    assert Venue.objects.filter(shared=True, org__level="town").count() == 1


def test_demo_accounts_exist_and_the_secretary_sees_only_her_branch(town, db):
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


def test_town_demo_has_meetings_and_attendance(town, db):
    from xianfeng.compliance.calendar import Calendar
    from xianfeng.orglife.models import Attendance, Exemption, Meeting

    summary = town
    meetings = Meeting.objects.select_related("org")
    assert summary.meetings == meetings.count() > 1000
    assert summary.attendance == Attendance.objects.count() > 15 * summary.members
    assert set(meetings.values_list("kind", flat=True)) == {
        "theme_day",
        "general_meeting",
        "committee_meeting",
        "party_group_meeting",
        "party_lesson",
        "life_meeting",
        "leadership_life_meeting",
        "heart_talk",  # LIFE-08: orglife.demo.affairs
    }
    first = dt.date(AS_OF.year - 1, 1, 1)
    assert not meetings.exclude(held_on__range=(first, AS_OF)).exists()
    assert not meetings.exclude(status="held").exists()
    for meeting in meetings.filter(kind="party_group_meeting")[:50]:
        assert meeting.org.kind == "party_group"
    # theme days of the village branches (seed 004 on the town): the 5th, or the next
    # workday when the 5th is a holiday, or later with a reason, except the listed months
    calendar = Calendar()
    late = 0
    for meeting in meetings.filter(
        kind="theme_day", org__sector="rural", org__kind__in=MEMBER_KINDS
    ):
        due = meeting.held_on.replace(day=5)
        if meeting.held_on != calendar.shift(due, 1) and not meeting.off_day_reason:
            late += 1
    listed = [note for _code, note in summary.life_gaps if "未在5日开展且未说明原因" in note]
    assert late == len(listed) >= 1
    statuses = Counter(Attendance.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    assert statuses["present"] > 0.8 * total
    assert 0.03 < statuses["leave"] / total < 0.07
    assert 0.02 < statuses["absent"] / total < 0.06
    exempted = Exemption.objects.filter(status="approved", kind="theme_day")
    assert summary.exemptions == exempted.count() >= 1
    for exemption in exempted:
        rows = Attendance.objects.filter(member=exemption.member_id, meeting__kind="theme_day")
        assert set(rows.values_list("status", flat=True)) == {"exempted"}
    last = str(AS_OF.year - 1)
    life = meetings.filter(kind="life_meeting", for_period=last)
    branches = Org.objects.filter(kind__in=MEMBER_KINDS).count()
    assert life.count() == branches - 1
    assert life.filter(held_on__year=AS_OF.year).exists()  # held in January for last year
    notes = [note for _code, note in summary.life_gaps]
    assert any("未达到法定人数" in note for note in notes)
    assert any("未参加组织生活" in note for note in notes)


def test_life_05_demo_holds_one_life_meeting_late(town, db):
    """Issue 23: one branch holds the last full year's life meeting after its due date
    (1 March to 30 April, by as_of), with a reason; LIFE-05 reports it as late there."""
    from xianfeng.compliance.engine import evaluate
    from xianfeng.lib.dates import parse_period
    from xianfeng.orglife.models import Meeting

    summary = town
    last = AS_OF.year - 1
    (late,) = Meeting.objects.filter(kind="life_meeting", held_on__gte=dt.date(AS_OF.year, 3, 1))
    assert (late.for_period, late.period_reason) == (
        str(last),
        "书记外出学习，经上级党委同意推迟召开",
    )
    assert late.held_on <= dt.date(AS_OF.year, 4, 30)
    assert (late.org.code, f"{last}年度组织生活会逾期召开（{late.held_on}）") in summary.life_gaps
    found, _orgs = evaluate(
        roots=list(Org.objects.get_root_nodes()),
        period=parse_period(str(last)),
        as_of=AS_OF,
        rule_ids=["LIFE-05"],
    )
    warnings = [f for _rule, f in found if f.severity == "warning"]
    assert [(f.org_id, f.evidence["late_meetings"]) for f in warnings] == [(late.org_id, [late.pk])]


def test_town_demo_has_study_records_and_a_study_finding(town, db):
    from xianfeng.compliance.engine import evaluate
    from xianfeng.lib.dates import parse_period
    from xianfeng.study.models import StudyRecord

    summary = town
    records = StudyRecord.objects.all()
    assert records.count() > 10 * summary.members
    assert set(records.values_list("source", flat=True)) == {"online", "imported", "self_study"}
    found, _orgs = evaluate(
        roots=list(Org.objects.get_root_nodes()),
        period=parse_period(str(AS_OF.year - 1)),
        as_of=AS_OF,
        rule_ids=["STUDY-01"],
    )
    assert any(f.severity == "error" and "学时" in f.message for _rule, f in found)


def test_read_once_lookups_answer_as_the_per_row_reads(town, db):
    """What an import reads once per org or chunk (`Rosters`, `PlacementsOf`) answers
    exactly as the reads the pages make per meeting or row (`roster_for`, `guest_ids`,
    `org_on`), on the demo's orgs, members and meeting days."""
    from xianfeng.members.queries import PlacementsOf, org_on
    from xianfeng.orglife.models import Meeting, MeetingKind
    from xianfeng.orglife.queries import Rosters, guest_ids, roster_for

    rosters = Rosters()
    meetings = Meeting.objects.select_related("org").order_by("pk")
    days = sorted({m.day for m in meetings if m.day})
    sample = [days[i] for i in range(0, len(days), max(1, len(days) // 12))] + [AS_OF]
    kinds = (MeetingKind.GENERAL_MEETING, MeetingKind.COMMITTEE_MEETING, None)
    for org in Org.objects.order_by("path"):
        for day in sample:
            assert rosters.guests(org, day) == guest_ids(org, day), (org.code, day)
            for kind in kinds:
                expected = sorted(m.pk for m in roster_for(org, day, kind))
                assert rosters.roster(org, day, kind) == expected, (org.code, day, kind)
    members = list(Member.objects.order_by("pk"))
    placements = PlacementsOf(m.pk for m in members)
    for member in members[::3]:
        for day in (member.joined_on, *sample[::3]):
            assert placements.org_on(member, day) == org_on(member, day), (member.code, day)
