"""ORG-07/08/09 writes: contact points and visits, venues, staff posts, budgets, spending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member, make_org
from xianfeng.lib.dates import today
from xianfeng.orgs.domain import (
    add_contact_point,
    add_staff_post,
    appoint_to_seat,
    end_contact_point,
    end_seat,
    end_staff_post,
    record_spending,
    record_visit,
    save_venue,
    set_budget,
)
from xianfeng.orgs.models import Budget

pytestmark = pytest.mark.django_db
D = dt.date


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.fixture
def leader(tree):
    """张三 (branch A) sits on the town committee since 2020."""
    appoint_to_seat(
        org=tree.town_a, role="committee_member", member=tree.member_a, started_on=D(2020, 1, 1)
    )
    return tree.member_a


@pytest.fixture
def point(tree, leader):
    return add_contact_point(
        org=tree.town_a, leader=leader, target=tree.branch_a2, started_on=D(2024, 1, 1)
    )


# --- contact points (ORG-07) -------------------------------------------------------------


def test_org_07_add_contact_point_saves_with_history(tree, leader):
    point = add_contact_point(
        org=tree.town_a,
        leader=leader,
        target=tree.branch_a,
        started_on=D(2024, 3, 1),
        note=" 包村 ",
    )
    assert (point.org, point.leader, point.target, point.note) == (
        tree.town_a,
        leader,
        tree.branch_a,
        "包村",
    )
    assert point.history.count() == 1


def test_org_07_contact_point_needs_a_seat_on_the_start_day(tree, leader):
    with pytest.raises(ValidationError) as excinfo:
        add_contact_point(
            org=tree.town_a, leader=leader, target=tree.branch_a, started_on=D(2019, 12, 31)
        )
    assert _errors(excinfo) == {"leader": ["该党员在青山镇党委班子中无任职（2019-12-31）"]}
    with pytest.raises(ValidationError) as excinfo:
        add_contact_point(
            org=tree.town_a, leader=tree.member_a2, target=tree.branch_a, started_on=D(2024, 1, 1)
        )
    assert list(_errors(excinfo)) == ["leader"]


def test_org_07_contact_point_held_seat_counts_until_its_last_day(tree):
    seat = appoint_to_seat(
        org=tree.town_a, role="secretary", member=tree.member_a2, started_on=D(2020, 1, 1)
    )
    end_seat(seat=seat, on=D(2023, 6, 30))
    point = add_contact_point(
        org=tree.town_a, leader=tree.member_a2, target=tree.branch_a, started_on=D(2023, 6, 30)
    )
    assert point.pk is not None


TARGETS = [
    # (case, target attribute, message)
    (
        "the leadership org itself when it holds no members",
        "town_a",
        "联系点应为“青山镇党委”的下级党组织",
    ),
    ("an org outside the subtree", "branch_b", "联系点应为“青山镇党委”的下级党组织"),
    ("a party group", "group_a", "党小组不能作为联系点，请选择其所在党支部"),
]


@pytest.mark.parametrize(("case", "attr", "message"), TARGETS, ids=[t[0] for t in TARGETS])
def test_org_07_contact_point_target_refused(tree, leader, case, attr, message):
    with pytest.raises(ValidationError) as excinfo:
        add_contact_point(
            org=tree.town_a, leader=leader, target=getattr(tree, attr), started_on=D(2024, 1, 1)
        )
    assert _errors(excinfo) == {"target": [message]}


def test_org_07_branch_may_follow_itself(tree):
    appoint_to_seat(
        org=tree.branch_a, role="secretary", member=tree.member_a, started_on=D(2020, 1, 1)
    )
    point = add_contact_point(
        org=tree.branch_a, leader=tree.member_a, target=tree.branch_a, started_on=D(2024, 1, 1)
    )
    assert point.target == tree.branch_a


def test_org_07_contact_point_target_must_exist_on_the_day(tree, leader):
    young = make_org(tree.town_a, kind="branch", name="新村党支部", founded_on=D(2024, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        add_contact_point(org=tree.town_a, leader=leader, target=young, started_on=D(2024, 1, 1))
    assert _errors(excinfo) == {"target": ["“新村党支部”在 2024-01-01 尚未成立或已撤销"]}


def test_org_07_same_pairing_only_once_at_a_time(tree, leader, point):
    with pytest.raises(ValidationError) as excinfo:
        add_contact_point(
            org=tree.town_a, leader=leader, target=tree.branch_a2, started_on=D(2025, 1, 1)
        )
    assert _errors(excinfo) == {"target": ["张三已将“绿水村党支部”作为联系点"]}
    end_contact_point(point, ended_on=D(2024, 12, 31))
    again = add_contact_point(
        org=tree.town_a, leader=leader, target=tree.branch_a2, started_on=D(2025, 1, 1)
    )
    assert again.pk != point.pk


def test_org_07_end_contact_point(point):
    with pytest.raises(ValidationError) as excinfo:
        end_contact_point(point, ended_on=D(2023, 12, 31))
    assert _errors(excinfo) == {"ended_on": ["结束日期不能早于开始日期 2024-01-01"]}
    record_visit(contact_point=point, visited_on=D(2024, 5, 1))
    with pytest.raises(ValidationError) as excinfo:
        end_contact_point(point, ended_on=D(2024, 4, 30))
    assert _errors(excinfo) == {"ended_on": ["该联系点在 2024-05-01 还有活动记录"]}
    ended = end_contact_point(point, ended_on=D(2024, 5, 1))
    assert ended.ended_on == D(2024, 5, 1)
    assert ended.history.count() == 2


def test_org_07_record_visit(point):
    visit = record_visit(
        contact_point=point, visited_on=D(2024, 4, 2), kind="report", summary=" 听取党建汇报 "
    )
    assert (visit.kind, visit.summary, visit.get_kind_display()) == (
        "report",
        "听取党建汇报",
        "听取汇报",
    )


VISITS_REFUSED = [
    (
        "before the pairing",
        D(2023, 12, 31),
        "visit",
        "visited_on",
        "活动日期应在联系点存续期间（2024-01-01 至 今）",
    ),
    ("in the future", "tomorrow", "visit", "visited_on", "活动日期不能晚于今天"),
    (
        "an unknown kind",
        D(2024, 2, 1),
        "party",
        "kind",
        "方式应为走访调研、听取汇报、解决问题或指导活动",
    ),
]


@pytest.mark.parametrize(
    ("case", "day", "kind", "field", "message"), VISITS_REFUSED, ids=[v[0] for v in VISITS_REFUSED]
)
def test_org_07_record_visit_refused(point, case, day, kind, field, message):
    if day == "tomorrow":
        day = today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        record_visit(contact_point=point, visited_on=day, kind=kind)
    assert _errors(excinfo) == {field: [message]}


def test_org_07_record_visit_after_the_pairing_ended(point):
    end_contact_point(point, ended_on=D(2024, 6, 30))
    with pytest.raises(ValidationError) as excinfo:
        record_visit(contact_point=point, visited_on=D(2024, 7, 1))
    assert _errors(excinfo) == {
        "visited_on": ["活动日期应在联系点存续期间（2024-01-01 至 2024-06-30）"]
    }


# --- venues (ORG-08) ---------------------------------------------------------------------


def test_org_08_save_venue_creates_then_updates(tree):
    venue = save_venue(
        org=tree.branch_a, name=" 党员活动室 ", has_room=True, has_flag=True, area_m2=Decimal("60")
    )
    assert (venue.name, venue.missing_items()) == (
        "党员活动室",
        ["有党组织标牌", "有桌椅和电教设备", "有制度上墙", "有书报资料"],
    )
    same = save_venue(org=tree.branch_a, venue=venue, has_sign=True, closed_on=D(2025, 1, 1))
    assert same.pk == venue.pk
    venue.refresh_from_db()
    assert (venue.has_sign, venue.closed_on) == (True, D(2025, 1, 1))
    assert venue.history.count() == 2


VENUES_REFUSED = [
    ("no name", {"name": ""}, "name", "请填写阵地名称"),
    (
        "checked in the future",
        {"name": "室", "checked_on": "tomorrow"},
        "checked_on",
        "核查日期不能晚于今天",
    ),
    ("no area", {"name": "室", "area_m2": Decimal("0")}, "area_m2", "面积应大于0"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "message"), VENUES_REFUSED, ids=[v[0] for v in VENUES_REFUSED]
)
def test_org_08_save_venue_refused(tree, case, fields, field, message):
    if fields.get("checked_on") == "tomorrow":
        fields = {**fields, "checked_on": today() + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as excinfo:
        save_venue(org=tree.branch_a, **fields)
    assert _errors(excinfo) == {field: [message]}


def test_org_08_venue_of_another_org_or_a_party_group_refused(tree):
    venue = save_venue(org=tree.branch_a, name="活动室")
    with pytest.raises(ValidationError) as excinfo:
        save_venue(org=tree.branch_a2, venue=venue, name="改名")
    assert _errors(excinfo) == {"venue": ["该阵地不属于本组织"]}
    with pytest.raises(ValidationError) as excinfo:
        save_venue(org=tree.group_a, name="活动室")
    assert _errors(excinfo) == {"org": ["党小组不单独登记活动阵地"]}
    with pytest.raises(ValidationError):
        save_venue(org=tree.branch_a, colour="red")


# --- staff posts (ORG-08) ----------------------------------------------------------------


def test_org_08_add_staff_post_for_a_member_takes_the_name(tree):
    post = add_staff_post(
        org=tree.town_a, member=tree.member_a, started_on=D(2024, 1, 1), position=" 组织员 "
    )
    assert (post.name, post.position, post.full_time, post.member) == (
        "张三",
        "组织员",
        True,
        tree.member_a,
    )


def test_org_08_add_staff_post_without_a_member(tree):
    post = add_staff_post(org=tree.town_a, name="陈六", started_on=D(2024, 1, 1), full_time=False)
    assert (post.name, post.member, post.full_time) == ("陈六", None, False)


def test_org_08_staff_member_must_belong_to_the_subtree_on_the_day(tree):
    with pytest.raises(ValidationError) as excinfo:
        add_staff_post(org=tree.branch_a, member=tree.member_a2, started_on=D(2024, 1, 1))
    assert _errors(excinfo) == {"member": ["李四在 2024-01-01 不是本组织（或下级组织）的党员"]}
    late = make_member(tree.branch_a, name="新人", joined_on=D(2023, 7, 1))
    with pytest.raises(ValidationError) as excinfo:
        add_staff_post(org=tree.branch_a, member=late, started_on=D(2023, 6, 30))
    assert list(_errors(excinfo)) == ["member"]


def test_org_08_staff_post_needs_a_name(tree):
    with pytest.raises(ValidationError) as excinfo:
        add_staff_post(org=tree.town_a, name="  ", started_on=D(2024, 1, 1))
    assert _errors(excinfo) == {"name": ["请填写党务干部姓名或选择党员"]}


def test_org_08_end_staff_post(tree):
    post = add_staff_post(org=tree.town_a, name="陈六", started_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        end_staff_post(post, ended_on=D(2023, 1, 1))
    assert _errors(excinfo) == {"ended_on": ["离岗日期不能早于开始日期 2024-01-01"]}
    assert end_staff_post(post, ended_on=D(2024, 12, 31)).ended_on == D(2024, 12, 31)


# --- budgets and spending (ORG-09) -------------------------------------------------------


def test_org_09_set_budget_creates_then_updates_the_year(tree):
    first = set_budget(org=tree.town_a, year=2025, amount="7200", note="年初预算")
    second = set_budget(org=tree.town_a, year=2025, amount=Decimal("8000.5"))
    assert second.pk == first.pk
    assert list(Budget.objects.values_list("year", "amount", "note")) == [
        (2025, Decimal("8000.50"), "")
    ]
    assert second.history.count() == 2


BUDGETS_REFUSED = [
    ("year too early", {"year": 1999, "amount": "1"}, "year", "年度应在2000至2100之间"),
    ("year not a number", {"year": "明年", "amount": "1"}, "year", "年度应为四位数字"),
    ("negative", {"year": 2025, "amount": "-1"}, "amount", "金额不能为负数"),
    (
        "three places",
        {"year": 2025, "amount": "1.005"},
        "amount",
        "金额最多保留两位小数（精确到分）",
    ),
    ("not a number", {"year": 2025, "amount": "七千"}, "amount", "金额应为数字"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "message"), BUDGETS_REFUSED, ids=[b[0] for b in BUDGETS_REFUSED]
)
def test_org_09_set_budget_refused(tree, case, fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        set_budget(org=tree.town_a, **fields)
    assert _errors(excinfo) == {field: [message]}


def test_org_09_record_spending(tree):
    spending = record_spending(
        org=tree.town_a, spent_on=D(2025, 3, 1), amount="1200.00", purpose=" 购买学习资料 "
    )
    assert (spending.amount, spending.purpose) == (Decimal("1200.00"), "购买学习资料")


SPENDING_REFUSED = [
    ("zero", {"amount": "0", "purpose": "x"}, "amount", "金额应大于0"),
    ("no purpose", {"amount": "10", "purpose": " "}, "purpose", "请填写经费用途"),
    (
        "in the future",
        {"amount": "10", "purpose": "x", "future": True},
        "spent_on",
        "支出日期不能晚于今天",
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "message"), SPENDING_REFUSED, ids=[s[0] for s in SPENDING_REFUSED]
)
def test_org_09_record_spending_refused(tree, case, fields, field, message):
    fields = dict(fields)
    day = today() + dt.timedelta(days=1) if fields.pop("future", False) else D(2025, 3, 1)
    with pytest.raises(ValidationError) as excinfo:
        record_spending(org=tree.town_a, spent_on=day, **fields)
    assert _errors(excinfo) == {field: [message]}
