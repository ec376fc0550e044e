"""Yearly targets decomposed down the tree (DEV-06, seed 001 §2): an upper org sets each
child's target of a kind (only its admins and officers), the root sets its own, and the
decomposition shows where the children's targets fall short of the parent's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.recruitment.domain.targets import set_target
from xianfeng.recruitment.models import Target, TargetKind
from xianfeng.recruitment.queries.targets import decomposition

pytestmark = pytest.mark.django_db
YEAR = 2025
TK = TargetKind


def _set(tree, setter, org, value=10, user="city_admin", kind=TK.MEMBER_TO_TALENT, **extra):
    return set_target(
        setter=getattr(tree, setter),
        org=org,
        year=YEAR,
        kind=kind,
        value=value,
        by=tree.users[user] if user else None,
        **extra,
    )


WHO = [
    # (test id, user, setter, org code, allowed)
    ("dev_06_root_sets_its_own", "city_admin", "city", "CITY", True),
    ("dev_06_city_sets_county", "city_admin", "city", "CA", True),
    ("dev_06_county_officer_sets_town", "county_officer", "county_a", "CA-T1", True),
    (
        "dev_06_county_officer_sets_branch_through_town",
        "county_officer",
        "town_a",
        "CA-T1-B1",
        True,
    ),
    ("dev_06_branch_admin_may_not_set_own", "secretary", "branch_a", "CA-T1-B1", False),
    ("dev_06_county_viewer_may_not_set", "county_viewer", "county_a", "CA-T1", False),
]


@pytest.mark.parametrize(
    ("case", "user", "setter", "code", "allowed"), WHO, ids=[w[0] for w in WHO]
)
def test_dev_06_who_sets_targets(tree, case, user, setter, code, allowed):
    if not allowed:
        with pytest.raises((PermissionDenied, ValidationError)):
            _set(tree, setter, code, user=user)
        assert not Target.objects.exists()
        return
    target = _set(tree, setter, code, user=user, note="市委下达")
    assert (target.org.code, target.set_by, target.value) == (code, getattr(tree, setter), 10)
    assert target.history.get().history_user == tree.users[user]


REFUSALS = [
    # (test id, setter, org, changes, field, message)
    ("dev_06_not_a_child", "city", "CA-T1", {}, "org", "没有找到下级党组织“CA-T1”"),
    ("dev_06_unknown_org", "city", "NOPE", {}, "org", "没有找到下级党组织“NOPE”"),
    ("dev_06_only_the_root_sets_its_own", "county_a", "CA", {}, "org", "没有找到下级党组织“CA”"),
    (
        "dev_06_no_party_groups",
        "branch_a",
        "CA-T1-B1-G1",
        {},
        "org",
        "没有找到下级党组织“CA-T1-B1-G1”",
    ),
    ("dev_06_unknown_kind", "city", "CA", {"kind": "votes"}, "kind", "请选择指标"),
    (
        "dev_06_negative_value",
        "city",
        "CA",
        {"value": -1},
        "value",
        "目标数应为0至10000000之间的整数",
    ),
]


@pytest.mark.parametrize(
    ("case", "setter", "code", "changes", "field", "message"),
    REFUSALS,
    ids=[r[0] for r in REFUSALS],
)
def test_dev_06_refusals(tree, case, setter, code, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        _set(tree, setter, code, **changes)
    assert refused.value.message_dict[field] == [message]


def test_dev_06_out_of_scope_child_reads_like_missing(tree):
    with pytest.raises(ValidationError) as refused:
        _set(tree, "city", "CB", user="county_officer")
    assert refused.value.message_dict["setter"] == ["没有找到党组织“CITY”"]


def test_dev_06_setting_again_changes_the_value(tree):
    _set(tree, "city", "CA", 10)
    _set(tree, "city", "CA", 12)
    assert Target.objects.get().value == 12
    assert Target.objects.get().history.count() == 2


def test_dev_06_decomposition_warns_when_children_fall_short(tree):
    _set(tree, "city", "CITY", 2000)
    _set(tree, "city", "CITY", 500, kind=TK.PROMOTED)
    _set(tree, "city", "CA", 1200)
    _set(tree, "city", "CB", 700)
    _set(tree, "city", "CA", 500, kind=TK.PROMOTED)
    table = decomposition(tree.city, YEAR)
    assert [row.org.code for row in table.rows] == ["CA", "CB"]
    assert table.own == {TK.MEMBER_TO_TALENT: 2000, TK.PROMOTED: 500}
    assert (table.sums[TK.MEMBER_TO_TALENT], table.short) == (1900, {TK.MEMBER_TO_TALENT: 100})
    assert table.short_items() == [("把党员培养成人才（人）", 100)]
    assert decomposition(tree.city, YEAR + 1).short == {}
