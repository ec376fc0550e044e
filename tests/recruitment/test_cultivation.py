"""The three cultivations (DEV-03 … DEV-05, seed 001 §3–4): opening a file for a member
(tracks a, c) or a talent (track b), the paired leader the policy names for each track,
dated entries, the status, the sector focus and the leaders without a pair.

The world (`pairing_world`): policy 001-talent on the city; MA1 (branch CA-T1-B1) sits on
the town committee CA-T1 (pairs with track c), MA2 (branch CA-T1-B2) on the county
committee CA (track a), MA3 is secretary of branch CA-T1-B1 (track b); MA4 holds no seat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_member, make_user
from xianfeng.compliance.domain import adopt_policy
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.recruitment.domain import cultivation as domain
from xianfeng.recruitment.domain.talent import register_talent
from xianfeng.recruitment.models import (
    Cultivation,
    CultivationEntry,
    CultivationStatus,
    TalentStatus,
    Track,
)
from xianfeng.recruitment.queries.cultivation import (
    YearCount,
    sector_focus,
    unpaired_leaders,
    year_count,
)
from xianfeng.study import domain as study

pytestmark = pytest.mark.django_db
D = dt.date
A, B, C = Track.MEMBER_TO_TALENT, Track.TALENT_TO_MEMBER, Track.TALENT_TO_CADRE
SEATED = D(2024, 1, 1)


@dataclass
class PairingWorld:
    tree: object
    talent: object
    candidate: object  # MA5, a member of CA-T1-B1 to cultivate


def build_pairing_world(tree) -> PairingWorld:
    adopt_policy(org=tree.city, code="001-talent")
    secretary = make_member(tree.branch_a, code="MA3", name="孙书记")
    make_member(tree.branch_a, code="MA4", name="周无职")
    candidate = make_member(tree.branch_a, code="MA5", name="吴培养")
    seat = dict(role="committee_member", started_on=SEATED)
    appoint_to_seat(org=tree.town_a, member=tree.member_a, **seat)
    appoint_to_seat(org=tree.county_a, member=tree.member_a2, **seat)
    appoint_to_seat(org=tree.branch_a, role="secretary", member=secretary, started_on=SEATED)
    talent = register_talent(
        org=tree.branch_a, name="郑能手", kind="grower", surveyed_on=D(2025, 1, 5), by=None
    )
    return PairingWorld(tree, talent, candidate)


@pytest.fixture
def world(tree):
    return build_pairing_world(tree)


def _open(world, track, pair="", by=None, **extra):
    subject = {"talent": world.talent} if track == B else {"member": "MA5"}
    return domain.open_cultivation(
        org=world.tree.branch_a,
        track=track,
        started_on=D(2025, 3, 1),
        pair=pair,
        by=by,
        **subject,
        **extra,
    )


# --- DEV-05: who may pair with which track ------------------------------------------------

PAIRS = [
    # (test id, track, pair code, accepted)
    ("dev_05_town_committee_pairs_track_c", C, "MA1", True),
    ("dev_05_county_committee_pairs_track_a", A, "MA2", True),
    ("dev_05_branch_secretary_pairs_track_b", B, "MA3", True),
    ("dev_05_no_pair_is_allowed", C, "", True),
    ("dev_05_branch_secretary_does_not_pair_track_c", C, "MA3", False),
    ("dev_05_town_committee_does_not_pair_track_a", A, "MA1", False),
    ("dev_05_county_committee_does_not_pair_track_b", B, "MA2", False),
    ("dev_05_member_without_seat_does_not_pair", A, "MA4", False),
]


@pytest.mark.parametrize(("case", "track", "pair", "accepted"), PAIRS, ids=[p[0] for p in PAIRS])
def test_dev_05_pair_must_hold_the_seat_the_policy_names(world, case, track, pair, accepted):
    if accepted:
        found = _open(world, track, pair)
        assert (found.pair.code if found.pair else "") == pair
        return
    with pytest.raises(ValidationError) as refused:
        _open(world, track, pair)
    [message] = refused.value.message_dict["pair"]
    assert "班子成员" in message and "seed 001 §4.3" in message
    assert not Cultivation.objects.exists()


def test_dev_05_pair_seat_must_be_held_on_the_day(world):
    with pytest.raises(ValidationError) as refused:
        domain.open_cultivation(
            org=world.tree.branch_a,
            track=C,
            member="MA5",
            started_on=D(2023, 6, 1),
            pair="MA1",
            by=None,
        )
    assert "2023-06-01不能结对" in refused.value.message_dict["pair"][0]


def test_dev_05_without_pairing_policy_any_member_pairs(tree):
    make_member(tree.branch_a, code="MA5")
    found = domain.open_cultivation(
        org=tree.branch_a, track=C, member="MA5", started_on=D(2025, 3, 1), pair="MA2", by=None
    )
    assert found.pair == tree.member_a2


def test_dev_05_pair_out_of_scope_reads_like_missing(world):
    secretary = world.tree.users["secretary"]
    answers = []
    for code in ("MB1", "NOSUCH"):
        with pytest.raises(ValidationError) as refused:
            _open(world, C, code, by=secretary)
        answers.append(refused.value.message_dict["pair"][0].replace(code, "X"))
    assert answers == ["没有找到结对领导“X”"] * 2


def test_dev_05_unpaired_leaders_lists_seat_holders_without_active_file(world):
    tree = world.tree
    day = D(2025, 6, 1)
    assert [leader.code for leader in unpaired_leaders(tree.city, C, day)] == ["MA1"]
    assert [leader.code for leader in unpaired_leaders(tree.city, A, day)] == ["MA2"]
    assert [leader.code for leader in unpaired_leaders(tree.town_a, B, day)] == ["MA3"]
    _open(world, C, "MA1")
    assert unpaired_leaders(tree.city, C, day) == []
    assert unpaired_leaders(tree.county_b, A, day) == []


def test_dev_05_set_pair_changes_and_clears_the_pair(world):
    found = _open(world, C)
    domain.set_pair(cultivation=found, pair="MA1", on=D(2025, 4, 1), by=None)
    assert found.pair == world.tree.member_a
    domain.set_pair(cultivation=found, pair="", by=None)
    assert Cultivation.objects.get().pair is None


# --- DEV-03: opening a file ----------------------------------------------------------------

OPEN_REFUSALS = [
    # (test id, arguments, field, message)
    ("dev_03_unknown_track", {"track": "x", "member": "MA5"}, "track", "请选择培养方向"),
    ("dev_03_member_track_needs_member", {"track": A}, "member", "请填写党员的党员编号"),
    ("dev_03_member_of_other_branch", {"track": A, "member": "MA2"}, "member", "没有找到党员“MA2”"),
    ("dev_03_talent_track_needs_talent", {"track": B}, "talent", "请选择人才库人员"),
    (
        "dev_03_future_start",
        {"track": A, "member": "MA5", "started_on": D(2999, 1, 1)},
        "started_on",
        "列入培养日期不能晚于今天",
    ),
]


@pytest.mark.parametrize(
    ("case", "arguments", "field", "message"), OPEN_REFUSALS, ids=[r[0] for r in OPEN_REFUSALS]
)
def test_dev_03_open_refusals(world, case, arguments, field, message):
    arguments = {"started_on": D(2025, 3, 1), **arguments}
    with pytest.raises(ValidationError) as refused:
        domain.open_cultivation(org=world.tree.branch_a, by=None, **arguments)
    assert refused.value.message_dict[field] == [message]


def test_dev_03_one_active_file_per_subject_and_track(world):
    _open(world, A)
    with pytest.raises(ValidationError) as refused:
        _open(world, A)
    assert refused.value.message_dict["member"] == ["“吴培养”已在“把党员培养成人才”培养中"]
    assert _open(world, C).track == C  # another track is another file


def test_dev_03_track_b_puts_the_talent_in_cultivation(world):
    found = _open(world, B, "MA3")
    world.talent.refresh_from_db()
    assert (found.talent, world.talent.status) == (world.talent, TalentStatus.CULTIVATING)


def test_dev_03_party_group_keeps_no_files(world):
    with pytest.raises(ValidationError) as refused:
        domain.open_cultivation(
            org=world.tree.group_a, track=A, member="MA1", started_on=D(2025, 3, 1), by=None
        )
    assert "党小组" in refused.value.message_dict["org"][0]


def test_dev_03_viewer_may_not_open(world):
    viewer = world.tree.users["county_viewer"]
    with pytest.raises(PermissionDenied):
        _open(world, A, by=viewer)


def test_dev_03_history_keeps_the_actor(world):
    secretary = world.tree.users["secretary"]
    found = _open(world, A, by=secretary)
    assert found.history.get().history_user == secretary


# --- DEV-03: entries ----------------------------------------------------------------------


def test_dev_03_training_entry_takes_the_class_hours(world):
    found = _open(world, A)
    training = study.create_training_class(
        org=world.tree.branch_a,
        kind="other",
        title="种植技术培训",
        starts_on=D(2025, 4, 1),
        ends_on=D(2025, 4, 1),
        days=1,
        hours=6,
    )
    entry = domain.add_entry(
        cultivation=found,
        on=D(2025, 4, 1),
        kind="training",
        title="种植技术",
        training_class=training.pk,
        by=world.tree.users["secretary"],
    )
    assert (entry.training_class, entry.hours) == (training, Decimal("6.0"))
    assert entry.history.get().history_user == world.tree.users["secretary"]


ENTRY_REFUSALS = [
    (
        "dev_03_entry_before_start",
        {"on": D(2025, 2, 28)},
        "on",
        "日期不能早于列入培养日期2025-03-01",
    ),
    ("dev_03_entry_in_future", {"on": D(2999, 1, 1)}, "on", "日期不能晚于今天"),
    ("dev_03_entry_unknown_kind", {"kind": "party"}, "kind", "请选择记录类别"),
    ("dev_03_entry_without_title", {"title": " "}, "title", "请填写内容"),
    (
        "dev_03_entry_class_only_for_training",
        {"kind": "practice", "training_class": "1"},
        "training_class",
        "只有培训、理论学习记录可以关联培训班",
    ),
    (
        "dev_03_entry_unknown_class",
        {"training_class": "987654"},
        "training_class",
        "没有找到培训班“987654”",
    ),
    ("dev_03_entry_hours_positive", {"hours": "-1"}, "hours", "学时应大于0且不超过1000"),
]


@pytest.mark.parametrize(
    ("case", "changes", "field", "message"), ENTRY_REFUSALS, ids=[r[0] for r in ENTRY_REFUSALS]
)
def test_dev_03_entry_refusals(world, case, changes, field, message):
    found = _open(world, A)
    arguments = {"on": D(2025, 4, 1), "kind": "training", "title": "培训", **changes}
    with pytest.raises(ValidationError) as refused:
        domain.add_entry(cultivation=found, by=None, **arguments)
    assert refused.value.message_dict[field] == [message]
    assert not CultivationEntry.objects.exists()


def test_dev_03_entry_class_out_of_scope_reads_like_missing(world):
    found = _open(world, A)
    day = D(2025, 3, 1)
    other = study.create_training_class(
        org=world.tree.branch_b,
        kind="other",
        title="外县",
        starts_on=day,
        ends_on=day,
        days=1,
        hours=8,
    )
    secretary = world.tree.users["secretary"]
    with pytest.raises(ValidationError) as refused:
        domain.add_entry(
            cultivation=found,
            on=D(2025, 4, 1),
            kind="training",
            title="t",
            training_class=other.pk,
            by=secretary,
        )
    assert refused.value.message_dict["training_class"] == [f"没有找到培训班“{other.pk}”"]


# --- DEV-03: status --------------------------------------------------------------------------


def test_dev_03_done_and_no_more_entries(world):
    found = _open(world, A)
    domain.set_cultivation_status(
        cultivation=found, status="done", on=D(2025, 9, 1), note="成为致富能手", by=None
    )
    found.refresh_from_db()
    assert (found.status, found.status_since) == (CultivationStatus.DONE, D(2025, 9, 1))
    assert found.note.endswith("2025-09-01 成为致富能手")
    with pytest.raises(ValidationError) as refused:
        domain.add_entry(cultivation=found, on=D(2025, 9, 2), kind="review", title="t", by=None)
    assert refused.value.message_dict["status"] == ["该培养档案已已成才（已达成）"]


STATUS_REFUSALS = [
    ("dev_03_status_back_to_active", "active", D(2025, 9, 1), "status", "请选择“已达成”或“已终止”"),
    (
        "dev_03_status_before_start",
        "stopped",
        D(2025, 2, 1),
        "on",
        "日期不能早于列入培养日期2025-03-01",
    ),
    ("dev_03_status_in_future", "stopped", D(2999, 2, 1), "on", "状态变更日期不能晚于今天"),
]


@pytest.mark.parametrize(
    ("case", "status", "on", "field", "message"),
    STATUS_REFUSALS,
    ids=[r[0] for r in STATUS_REFUSALS],
)
def test_dev_03_status_refusals(world, case, status, on, field, message):
    found = _open(world, A)
    with pytest.raises(ValidationError) as refused:
        domain.set_cultivation_status(cultivation=found, status=status, on=on, by=None)
    assert refused.value.message_dict[field] == [message]


def test_dev_03_track_b_done_only_once_an_activist(world):
    found = _open(world, B)
    with pytest.raises(ValidationError) as refused:
        domain.set_cultivation_status(cultivation=found, status="done", on=D(2025, 9, 1), by=None)
    assert "确定为入党积极分子后方可标记为已达成" in refused.value.message_dict["status"][0]


def test_dev_03_track_b_stopped_returns_the_talent_to_the_pool(world):
    found = _open(world, B)
    domain.set_cultivation_status(cultivation=found, status="stopped", on=D(2025, 9, 1), by=None)
    world.talent.refresh_from_db()
    assert world.talent.status == TalentStatus.POOL


# --- DEV-04: sector focus --------------------------------------------------------------------

FOCUS = [
    ("dev_04_rural", "rural", ("致富能手", "村干部")),
    ("dev_04_enterprise", "private", ("生产经营能手", "企业经营管理骨干")),
    ("dev_04_community", "community", ("社区建设和服务骨干", "社区工作者")),
    ("dev_04_government", "school", ("业务骨干", "基层领导干部")),
]


@pytest.mark.parametrize(("case", "sector", "expected"), FOCUS, ids=[f[0] for f in FOCUS])
def test_dev_04_sector_focus_from_the_policy(tree, case, sector, expected):
    tree.branch_a.sector = sector
    focus = sector_focus(tree.branch_a, D(2025, 6, 1))
    assert (focus.talent, focus.post) == expected
    assert focus.source.startswith("seed 001 §3")


def test_dev_04_no_sector_no_focus(tree):
    assert sector_focus(tree.city, D(2025, 6, 1)) is None


def test_dev_03_officer_above_may_write(world):
    officer = make_user("town_officer", org=world.tree.town_a, role="officer")
    assert _open(world, A, by=officer).org == world.tree.branch_a


def test_dev_03_year_count_counts_entries_and_attended_classes(world):
    found = _open(world, A)
    day = D(2025, 5, 1)
    training = study.create_training_class(
        org=world.tree.branch_a,
        kind="other",
        title="实用技术",
        starts_on=day,
        ends_on=day,
        days=1,
        hours=4,
    )
    study.record_training_attendance(training, attended=[world.candidate])
    domain.add_entry(
        cultivation=found, on=D(2025, 6, 1), kind="training", title="电商培训", by=None
    )
    domain.add_entry(cultivation=found, on=D(2025, 6, 2), kind="practice", title="实践", by=None)
    assert year_count(found, 2025) == YearCount(2, 4, "training")
    assert year_count(found, 2024) == YearCount(0, 4, "training")
    theory = _open(world, B)
    domain.add_entry(cultivation=theory, on=D(2025, 6, 1), kind="theory", title="学习党章", by=None)
    assert year_count(theory, 2025) == YearCount(1, 2, "theory")
    assert year_count(_open(world, C), 2025) is None


@pytest.mark.parametrize("text", ["²", "1²", "１２", "9" * 30])
def test_dev_03_id_fields_that_are_not_ids_read_like_missing(text):
    """Unicode digits and absurd lengths are refused as "not found", never a 500."""
    assert not domain.is_id_text(text)
