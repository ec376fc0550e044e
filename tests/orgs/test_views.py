import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import make_member, make_org
from xianfeng.members.domain import set_member_status
from xianfeng.orgs.domain import dissolve_org
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, *args):
    return reverse(name, args=args)


def test_tree_shows_scope_roots(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("orgs:tree"))
    assert response.status_code == 200
    assert response.context["roots"] == [tree.county_a]
    assert "东县县委" in response.text
    assert "西县县委" not in response.text


def test_tree_children_fragment_lists_children(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("orgs:children", "CA-T1"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert _url("orgs:detail", "CA-T1-B1") in response.text
    assert _url("orgs:detail", "CA-T1-B2") in response.text
    assert _url("orgs:children", "CA-T1-B1") in response.text  # has a party group to load
    assert _url("orgs:children", "CA-T1-B2") not in response.text


def test_tree_children_out_of_scope_is_404(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("orgs:children", "CB-T1"))
    assert response.status_code == 404


def test_tree_children_hide_dissolved_unless_asked(tree, client_for):
    spare = make_org(tree.town_a, kind="branch", code="CA-T1-B9", name="已撤村党支部")
    dissolve_org(org=spare, on=dt.date(2024, 1, 1))
    client = client_for(tree.users["county_officer"])
    hidden = client.get(_url("orgs:children", "CA-T1"))
    shown = client.get(_url("orgs:children", "CA-T1"), {"dissolved": "1"})
    assert "已撤村党支部" not in hidden.text
    assert "已撤村党支部" in shown.text


def test_tree_search_by_pinyin_initials_with_ancestor_path(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("orgs:tree"), {"q": "qscdzb"})
    assert [org.code for org in response.context["results"]] == ["CA-T1-B1"]
    assert "东县县委 › 青山镇党委" in response.text


def test_tree_search_leaves_out_orgs_out_of_scope(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("orgs:tree"), {"q": "党支部"})
    codes = [org.code for org in response.context["results"]]
    assert codes == ["CA-T1-B1", "CA-T1-B2"]


def test_tree_search_dissolved_only_with_checkbox(tree, client_for):
    spare = make_org(tree.town_a, kind="branch", code="CA-T1-B9", name="已撤村党支部")
    dissolve_org(org=spare, on=dt.date(2024, 1, 1))
    client = client_for(tree.users["county_officer"])
    assert client.get(_url("orgs:tree"), {"q": "已撤"}).context["results"] == []
    found = client.get(_url("orgs:tree"), {"q": "已撤", "dissolved": "1"}).context["results"]
    assert [org.code for org in found] == ["CA-T1-B9"]


def test_tree_search_htmx_gets_fragment(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(
        _url("orgs:tree"), {"q": "青山"}, **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="org-browser"' in response.text


def test_org_page_renders_for_in_scope_user(tree, client_for):
    response = client_for(tree.users["county_viewer"]).get(_url("orgs:detail", "CA-T1-B1"))
    assert response.status_code == 200
    assert "青山村党支部" in response.text
    assert "第一党小组" in response.text
    assert f"{reverse('members:list')}?org=CA-T1-B1" in response.text


def test_org_page_out_of_scope_is_404(tree, client_for):
    assert client_for(tree.users["secretary"]).get(_url("orgs:detail", "CA")).status_code == 404
    assert client_for(tree.users["member"]).get(_url("orgs:detail", "CA-T1-B1")).status_code == 404


def test_org_page_breadcrumb_links_only_in_scope(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(_url("orgs:detail", "CA-T1-B1"))
    assert [(org.code, linked) for org, linked in response.context["breadcrumb"]] == [
        ("CITY", False),
        ("CA", True),
        ("CA-T1", True),
    ]
    assert _url("orgs:detail", "CITY") not in response.text
    assert _url("orgs:detail", "CA-T1") in response.text


def test_org_page_shows_counts_as_of(tree, client_for):
    make_member(
        tree.branch_a,
        code="MA9",
        status="probationary",
        joined_on=dt.date(2024, 6, 1),
        category="retired",
    )
    set_member_status(
        member=tree.member_a2, status="left", on=dt.date(2024, 1, 1), reason="deceased"
    )
    client = client_for(tree.users["county_officer"])
    now = client.get(_url("orgs:detail", "CA"))
    assert now.context["total"] == 2
    assert ("正式党员", 1) in now.context["by_status"]
    assert ("预备党员", 1) in now.context["by_status"]
    assert ("离退休党员", 1) in now.context["by_category"]
    before = client.get(_url("orgs:detail", "CA"), {"as_of": "2023-12-31"})
    assert before.context["total"] == 2
    assert ("正式党员", 2) in before.context["by_status"]
    assert ("预备党员", 0) in before.context["by_status"]


def test_org_page_counts_htmx_gets_fragment(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(
        _url("orgs:detail", "CA"), {"as_of": "2020-01-01"}, **HTMX
    )
    assert "<html" not in response.text
    assert "截至 2020-01-01" in response.text


def test_org_page_bad_as_of_falls_back_to_today(tree, client_for):
    response = client_for(tree.users["county_officer"]).get(
        _url("orgs:detail", "CA"), {"as_of": "2025-13-45"}
    )
    assert response.status_code == 200
    assert response.context["as_of_form"].errors


def test_org_page_editor_buttons_follow_rights(tree, client_for):
    viewer = client_for(tree.users["county_viewer"]).get(_url("orgs:detail", "CA-T1-B1"))
    assert _url("orgs:edit", "CA-T1-B1") not in viewer.text
    officer = client_for(tree.users["county_officer"]).get(_url("orgs:detail", "CA-T1-B1"))
    assert _url("orgs:edit", "CA-T1-B1") in officer.text
    assert _url("orgs:create", "CA-T1-B1") not in officer.text  # officers may not create orgs
    assert f"{reverse('members:create')}?org=CA-T1-B1" in officer.text
    admin = client_for(tree.users["secretary"]).get(_url("orgs:detail", "CA-T1-B1"))
    assert _url("orgs:create", "CA-T1-B1") in admin.text


def test_org_page_shows_history(tree, client_for):
    client = client_for(tree.users["county_officer"])
    client.post(_url("orgs:edit", "CA-T1-B2"), _org_data(tree.branch_a2, name="绿水村新党支部"))
    response = client.get(_url("orgs:detail", "CA-T1-B2"))
    rows = response.context["history"]
    assert rows[0]["changes"] == ["名称：绿水村党支部 → 绿水村新党支部"]
    assert rows[0]["record"].history_user == tree.users["county_officer"]
    assert rows[-1]["changes"] == ["新建"]


def _org_data(org, **changes):
    data = {
        "name": org.name,
        "kind": org.kind,
        "level": org.level,
        "sector": org.sector,
        "unit_name": org.unit_name,
        "unit_headcount": org.unit_headcount or "",
        "region_code": org.region_code,
        "founded_on": "",
    }
    data.update(changes)
    return data


def test_org_edit_saves_through_domain(tree, client_for):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        _url("orgs:edit", "CA-T1-B2"),
        _org_data(tree.branch_a2, unit_name="绿水村", unit_headcount="300"),
    )
    assert response.status_code == 302
    tree.branch_a2.refresh_from_db()
    assert (tree.branch_a2.unit_name, tree.branch_a2.unit_headcount) == ("绿水村", 300)


def test_org_edit_shows_chinese_error_and_writes_nothing(tree, client_for):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        _url("orgs:edit", "CA-T1-B1"), _org_data(tree.branch_a, kind="party_committee")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["该组织下已有党小组，不能改为党委"]
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.kind == "branch"


def test_org_edit_bad_region_code_is_field_error(tree, client_for):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        _url("orgs:edit", "CA-T1-B2"), _org_data(tree.branch_a2, region_code="12")
    )
    assert response.context["form"].errors["region_code"] == [
        "行政区划代码应为6位数字（GB/T 2260）"
    ]


def test_org_edit_is_403_for_viewer(tree, client_for):
    client = client_for(tree.users["county_viewer"])
    assert client.get(_url("orgs:edit", "CA-T1-B2")).status_code == 403
    response = client.post(_url("orgs:edit", "CA-T1-B2"), _org_data(tree.branch_a2, name="改名"))
    assert response.status_code == 403
    tree.branch_a2.refresh_from_db()
    assert tree.branch_a2.name == "绿水村党支部"


def test_org_edit_out_of_scope_is_404(tree, client_for):
    assert client_for(tree.users["county_officer"]).get(_url("orgs:edit", "CB")).status_code == 404


def test_org_create_offers_allowed_child_kinds_only(tree, client_for):
    response = client_for(tree.users["secretary"]).get(_url("orgs:create", "CA-T1-B1"))
    assert response.status_code == 200
    assert response.context["form"].fields["kind"].choices == [("party_group", "党小组")]


def test_org_create_adds_child(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("orgs:create", "CA-T1-B1"),
        {"code": "CA-T1-B1-G2", "name": "第二党小组", "kind": "party_group", "level": "village"},
    )
    assert response.status_code == 302
    org = Org.objects.get(code="CA-T1-B1-G2")
    assert Org.objects.get_parent(org) == tree.branch_a
    assert org.history.first().history_user == tree.users["secretary"]


def test_org_create_duplicate_code_is_field_error(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("orgs:create", "CA-T1-B1"),
        {"code": "CA-T1-B1-G1", "name": "重复党小组", "kind": "party_group", "level": "village"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Org.objects.filter(name="重复党小组").exists()


def test_org_create_htmx_error_gets_fragment(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(_url("orgs:create", "CA-T1-B1"), {"code": "", "name": ""}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "这个字段是必填项。" in response.text


def test_org_create_htmx_success_redirects_client(tree, client_for):
    client = client_for(tree.users["secretary"])
    response = client.post(
        _url("orgs:create", "CA-T1-B1"),
        {"code": "G9", "name": "第九党小组", "kind": "party_group", "level": "village"},
        **HTMX,
    )
    assert response.headers["HX-Redirect"] == _url("orgs:detail", "G9")


def test_org_create_is_403_for_officer_and_viewer(tree, client_for):
    for name in ["county_officer", "county_viewer"]:
        client = client_for(tree.users[name])
        assert client.get(_url("orgs:create", "CA-T1")).status_code == 403
        response = client.post(
            _url("orgs:create", "CA-T1"),
            {"code": "X1", "name": "新支部", "kind": "branch", "level": "village"},
        )
        assert response.status_code == 403
    assert not Org.objects.filter(code="X1").exists()


def test_org_create_under_party_group_is_refused(tree, client_for):
    response = client_for(tree.users["secretary"]).get(_url("orgs:create", "CA-T1-B1-G1"))
    assert response.status_code == 302


def test_directory_lists_branches_anywhere_code_and_name(tree, client_for):
    response = client_for(tree.users["secretary"]).get(_url("orgs:directory"), {"q": "白云"})
    assert response.status_code == 200
    assert '<option value="CB-T1-B1">白云村党支部（CB-T1-B1）</option>' in response.text
    assert "白云镇党委" not in response.text


def test_directory_without_query_is_empty(tree, client_for):
    response = client_for(tree.users["secretary"]).get(_url("orgs:directory"))
    assert "<option" not in response.text


def test_pages_need_login(tree, client):
    response = client.get(_url("orgs:tree"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
