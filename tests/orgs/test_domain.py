import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member, make_org
from xianfeng.orgs.domain import dissolve_org, update_org

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("parent_kind", "kind", "ok"),
    [
        (None, "party_committee", True),
        (None, "working_committee", True),
        (None, "branch", False),
        ("party_committee", "branch", True),
        ("party_committee", "general_branch", True),
        ("party_committee", "party_group", False),
        ("general_branch", "branch", True),
        ("general_branch", "party_committee", False),
        ("branch", "party_group", True),
        ("joint_branch", "party_group", True),
        ("branch", "branch", False),
        ("party_group", "party_group", False),
        ("working_committee", "industry_joint_org", True),
        ("industry_joint_org", "branch", True),
        ("temporary_org", "branch", False),
    ],
)
def test_org_01_tree_shapes(parent_kind, kind, ok):
    parent = None
    if parent_kind:
        parent = make_org(None, kind="party_committee")
        if parent_kind == "party_group":
            parent = make_org(parent, kind="branch")
        if parent_kind in {"industry_joint_org", "working_committee"}:
            parent = make_org(None, kind="working_committee")
        if parent_kind not in {"party_committee", "working_committee"}:
            parent = make_org(parent, kind=parent_kind)
    if ok:
        assert make_org(parent, kind=kind).kind == kind
    else:
        with pytest.raises(ValidationError):
            make_org(parent, kind=kind)


def test_org_01_party_group_message_is_clear():
    root = make_org(None, kind="party_committee")
    with pytest.raises(ValidationError) as info:
        make_org(root, kind="party_group")
    assert info.value.message_dict["kind"] == ["党小组只能直接设在党支部（联合党支部）之下"]


def test_org_01_nothing_under_party_group():
    root = make_org(None, kind="party_committee")
    group = make_org(make_org(root, kind="branch"), kind="party_group")
    with pytest.raises(ValidationError) as info:
        make_org(group, kind="party_group")
    assert "党小组" in info.value.message_dict["kind"][0]


def test_org_01_codes_unique():
    root = make_org(None, kind="party_committee", code="DUP")
    with pytest.raises(ValidationError):
        make_org(root, kind="branch", code="DUP")


def test_org_01_kind_change_must_fit_children():
    root = make_org(None, kind="party_committee")
    general = make_org(root, kind="general_branch")
    make_org(general, kind="branch")
    with pytest.raises(ValidationError):
        update_org(org=general, kind="branch")


def test_org_01_pinyin_initials_kept_for_search():
    root = make_org(None, kind="party_committee", name="先锋村党委")
    assert root.name_initials == "xfcdw"


def test_org_01_dissolve_refused_with_members():
    root = make_org(None, kind="party_committee")
    branch = make_org(root, kind="branch")
    make_member(branch)
    with pytest.raises(ValidationError):
        dissolve_org(org=branch, on=dt.date(2025, 1, 1))


def test_org_01_history_records_changes():
    root = make_org(None, kind="party_committee", name="旧名称")
    update_org(org=root, name="新名称")
    names = list(root.history.order_by("history_date").values_list("name", flat=True))
    assert names == ["旧名称", "新名称"]


def test_plat_02_long_command_line_fits_history():
    from xianfeng.core.actor import acting_as

    with acting_as(None, "cli: xianfeng import " + "很长的文件名" * 60):
        org = make_org(None, kind="party_committee")
    reason = org.history.get().history_change_reason
    assert reason.startswith("cli: xianfeng import") and len(reason) == 100
