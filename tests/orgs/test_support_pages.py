"""ORG-07/08/09 pages and endpoints, and the term-extension approval (ORG-04), scoped (PLAT-01)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import make_member, make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.lib.dates import add_months, today
from xianfeng.orgs.domain import (
    add_contact_point,
    add_staff_post,
    appoint_to_seat,
    record_election,
    record_spending,
    record_visit,
    save_venue,
    set_budget,
)
from xianfeng.orgs.models import Budget, ContactPoint, Spending, StaffPost, Term, Venue, Visit

pytestmark = pytest.mark.django_db
D = dt.date
THIS_YEAR = today().year


def _json(response):
    return json.loads(response.content)


def _post(client, path, payload, method="post"):
    return getattr(client, method)(path, payload, content_type="application/json")


@pytest.fixture
def leaders(tree):
    """The town committee: 张三 (committee member) follows 绿水村 with visits this and
    last year; 李四 (secretary) has no contact point yet."""
    appoint_to_seat(
        org=tree.town_a, role="secretary", member=tree.member_a2, started_on=D(2020, 1, 1)
    )
    appoint_to_seat(
        org=tree.town_a,
        role="committee_member",
        title="组织委员",
        member=tree.member_a,
        started_on=D(2020, 1, 1),
    )
    point = add_contact_point(
        org=tree.town_a, leader=tree.member_a, target=tree.branch_a2, started_on=D(2024, 1, 1)
    )
    record_visit(
        contact_point=point, visited_on=D(THIS_YEAR, 1, 1), kind="visit", summary="走访困难党员"
    )
    record_visit(contact_point=point, visited_on=D(THIS_YEAR, 1, 1), kind="report")
    record_visit(contact_point=point, visited_on=D(THIS_YEAR - 1, 5, 1), kind="problem")
    return point


def _page(client, name, code="CA-T1", query=""):
    return client.get(reverse(f"orgs:{name}", args=[code]) + query)


# --- 联系点 (ORG-07) ----------------------------------------------------------------------


def test_org_07_page_shows_leaders_points_counts_and_visits(client_for, tree, leaders):
    response = _page(client_for(tree.users["county_officer"]), "contacts")
    assert response.status_code == 200
    text = response.text
    for fragment in [
        "张三",
        "委员（组织委员）",
        "绿水村党支部",
        "2024-01-01",
        "走访调研 1",
        "听取汇报 1",
        "解决问题 1",
        "走访困难党员",
        "李四",
        "未建立联系点",
    ]:
        assert fragment in text, fragment
    assert reverse("orgs:contact_add", args=["CA-T1"]) in text
    assert reverse("orgs:visit_add", args=["CA-T1"]) in text
    assert reverse("orgs:contact_end", args=["CA-T1", leaders.pk]) in text


def test_org_07_page_has_no_forms_for_a_viewer(client_for, tree, leaders):
    response = _page(client_for(tree.users["county_viewer"]), "contacts")
    assert response.status_code == 200
    assert "绿水村党支部" in response.text
    assert reverse("orgs:contact_add", args=["CA-T1"]) not in response.text


def test_org_07_page_out_of_scope_is_404(client_for, tree, leaders):
    assert _page(client_for(tree.users["secretary"]), "contacts").status_code == 404
    assert _page(client_for(tree.users["outsider"]), "contacts").status_code == 404


def test_org_07_page_adds_a_contact_point_as_the_acting_user(client_for, tree, leaders):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        reverse("orgs:contact_add", args=["CA-T1"]),
        {"leader": "MA2", "target": "CA-T1-B1", "started_on": "2025-03-01", "note": ""},
    )
    assert response.status_code == 302
    point = ContactPoint.objects.get(leader=tree.member_a2)
    assert (point.org, point.target, point.started_on) == (
        tree.town_a,
        tree.branch_a,
        D(2025, 3, 1),
    )
    record = point.history.get()
    assert (record.history_user, record.history_change_reason) == (
        tree.users["county_officer"],
        "web",
    )


def test_org_07_page_shows_domain_errors_on_the_form(client_for, tree, leaders):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        reverse("orgs:contact_add", args=["CA-T1"]),
        {"leader": "MA2", "target": "CB-T1-B1", "started_on": "2025-03-01"},
    )
    assert response.status_code == 200
    assert "没有找到本组织下级的党组织“CB-T1-B1”" in response.text
    response = client.post(
        reverse("orgs:contact_add", args=["CA-T1"]),
        {"leader": "MA1", "target": "CA-T1-B2", "started_on": "2025-03-01"},
    )
    assert "张三已将“绿水村党支部”作为联系点" in response.text
    assert ContactPoint.objects.count() == 1


def test_org_07_page_records_a_visit_and_ends_a_point(client_for, tree, leaders):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        reverse("orgs:visit_add", args=["CA-T1"]),
        {
            "contact_point": leaders.pk,
            "visited_on": f"{THIS_YEAR}-01-01",
            "kind": "guidance",
            "summary": "指导主题党日",
        },
    )
    assert response.status_code == 302
    assert Visit.objects.filter(kind="guidance", summary="指导主题党日").count() == 1
    response = client.post(
        reverse("orgs:visit_add", args=["CA-T1"]),
        {"contact_point": leaders.pk, "visited_on": "2023-01-01", "kind": "visit"},
    )
    assert response.status_code == 200
    assert "活动日期应在联系点存续期间（2024-01-01 至 今）" in response.text
    response = client.post(
        reverse("orgs:contact_end", args=["CA-T1", leaders.pk]), {"ended_on": "2023-01-01"}
    )
    assert "结束日期不能早于开始日期 2024-01-01" in response.text
    response = client.post(
        reverse("orgs:contact_end", args=["CA-T1", leaders.pk]),
        {"ended_on": f"{THIS_YEAR}-06-30"},
    )
    assert response.status_code == 302
    leaders.refresh_from_db()
    assert leaders.ended_on == D(THIS_YEAR, 6, 30)


def test_org_07_viewer_cannot_write(client_for, tree, leaders):
    client = client_for(tree.users["county_viewer"])
    response = client.post(
        reverse("orgs:visit_add", args=["CA-T1"]),
        {"contact_point": leaders.pk, "visited_on": "2025-04-01", "kind": "visit"},
    )
    assert response.status_code == 403
    assert Visit.objects.count() == 3


def test_org_07_end_a_point_of_another_org_is_404(client_for, tree, leaders):
    appoint_to_seat(
        org=tree.branch_a, role="secretary", member=tree.member_a, started_on=D(2020, 1, 1)
    )
    response = client_for(tree.users["county_officer"]).post(
        reverse("orgs:contact_end", args=["CA-T1-B1", leaders.pk]), {"ended_on": "2025-01-01"}
    )
    assert response.status_code == 404


# --- 阵地与党务干部 (ORG-08) ---------------------------------------------------------------


@pytest.fixture
def unit(tree):
    """A government unit: 机关党委 (unit top, 200 staff) with a branch of the same unit."""
    committee = make_org(
        tree.county_a,
        kind="party_committee",
        code="CA-GOV",
        name="县委办机关党委",
        level="unit",
        sector="government",
        unit_name="县委办公室",
        unit_headcount=200,
    )
    branch = make_org(
        committee, kind="branch", code="CA-GOV-B1", name="第一党支部", unit_name="县委办公室"
    )
    member = make_member(branch, code="MG1", name="孙九")
    add_staff_post(org=committee, member=member, started_on=D(2024, 1, 1), position="专职副书记")
    add_staff_post(org=branch, name="周十", started_on=D(2024, 1, 1), full_time=False)
    save_venue(
        org=committee,
        name="机关党员活动中心",
        shared=True,
        has_room=True,
        has_sign=True,
        has_flag=True,
        has_facilities=True,
        has_rules=True,
        has_reading=True,
    )
    save_venue(org=branch, name="支部活动室", has_room=True, has_flag=True)
    return {"committee": committee, "branch": branch, "member": member}


def test_org_08_page_shows_checklist_missing_items_staff_and_ratio(client_for, tree, unit):
    response = _page(client_for(tree.users["county_viewer"]), "venues", "CA-GOV-B1")
    assert response.status_code == 200
    text = response.text
    for fragment in [
        "支部活动室",
        "缺 4 项",
        "有党组织标牌",
        "xf-missing",
        "可共用的上级组织阵地",
        "机关党员活动中心",
        "周十",
        "兼职",
        "所在单位：县委办公室",
        "职工 200 人",
        "专职党务干部 1 人",
        "专职党务干部占职工比例 0.50%",
    ]:
        assert fragment in text, fragment
    assert reverse("orgs:venue_add", args=["CA-GOV-B1"]) not in text


def test_org_08_ratio_judged_against_the_policy(client_for, tree, unit):
    policy = save_policy(
        text='[policy]\ncode = "t-staff"\ntitle = "t"\n[org.staff]\n'
        'min_ratio = { value = 0.01, source = "附件第16条" }\n'
        'max_ratio = { value = 0.02, source = "附件第16条" }\n'
    )
    attach_policy(policy=policy, org=tree.county_a)
    response = _page(client_for(tree.users["county_officer"]), "venues", "CA-GOV")
    assert "一般为 1%–2%，附件第16条" in response.text
    assert "低于要求" in response.text


def test_org_08_unit_unknown_without_unit_name(client_for, tree, unit):
    response = _page(client_for(tree.users["secretary"]), "venues", "CA-T1-B1")
    assert response.status_code == 200
    assert "unit-staffing" not in response.text
    assert "未登记党建活动阵地" in response.text


def test_org_08_page_adds_edits_and_closes_a_venue(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        reverse("orgs:venue_add", args=["CA-T1-B1"]),
        {"name": "党员活动室", "has_room": "on", "has_flag": "on", "area_m2": "45.5"},
    )
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert (venue.org, venue.has_room, venue.has_sign, venue.area_m2) == (
        tree.branch_a,
        True,
        False,
        Decimal("45.5"),
    )
    edit = reverse("orgs:venue_edit", args=["CA-T1-B1", venue.pk])
    assert 'value="党员活动室"' in client.get(edit).text
    response = client.post(
        edit, {"name": "党员活动室", "has_room": "on", "has_flag": "on", "has_sign": "on"}
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.has_sign, venue.area_m2) == (True, None)
    response = client.post(
        reverse("orgs:venue_close", args=["CA-T1-B1", venue.pk]), {"closed_on": "2026-01-01"}
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.closed_on == D(2026, 1, 1)
    assert "2026-01-01 起停用" in _page(client, "venues", "CA-T1-B1").text


def test_org_08_page_shows_venue_errors(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        reverse("orgs:venue_add", args=["CA-T1-B1"]), {"name": "活动室", "area_m2": "0"}
    )
    assert response.status_code == 200
    assert "面积应大于0" in response.text
    assert not Venue.objects.exists()


def test_org_08_page_adds_and_ends_staff(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        reverse("orgs:staff_add", args=["CA-T1-B1"]),
        {
            "member": "MA1",
            "name": "",
            "position": "组织员",
            "full_time": "0",
            "started_on": "2025-01-01",
        },
    )
    assert response.status_code == 302
    post = StaffPost.objects.get()
    assert (post.name, post.member, post.full_time) == ("张三", tree.member_a, False)
    response = client.post(
        reverse("orgs:staff_add", args=["CA-T1-B1"]),
        {"member": "MA2", "full_time": "1", "started_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "没有找到本组织及下级组织的在册党员“MA2”" in response.text
    response = client.post(
        reverse("orgs:staff_end", args=["CA-T1-B1", post.pk]), {"ended_on": "2025-06-30"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.ended_on == D(2025, 6, 30)
    assert "已离岗 1 人" in _page(client, "venues", "CA-T1-B1").text


# --- 党建活动经费 (ORG-09) ---------------------------------------------------------------


@pytest.fixture
def per_member_600(tree):
    policy = save_policy(
        text='[policy]\ncode = "t-budget"\ntitle = "t"\n[org.budget]\n'
        'per_member_yuan = { value = 600, unit = "元", source = "附件第17条" }\n'
    )
    return attach_policy(policy=policy, org=tree.county_a)


def test_org_09_page_shows_budget_standard_spent_and_balance(client_for, tree, per_member_600):
    make_member(tree.branch_a2, code="MA3", status="probationary", joined_on=D(2024, 3, 1))
    set_budget(org=tree.town_a, year=THIS_YEAR, amount="1000")
    record_spending(
        org=tree.town_a, spent_on=D(THIS_YEAR, 1, 1), amount="250.50", purpose="订阅党报党刊"
    )
    response = _page(client_for(tree.users["county_viewer"]), "budget")
    assert response.status_code == 200
    text = response.text
    for fragment in [
        "1000.00",
        "1800.00",  # 600 × 3 members on 1 January
        "每名党员 600 元 × 3 名",
        "250.50",
        "749.50",
        "低于标准",
        "订阅党报党刊",
    ]:
        assert fragment in text, fragment
    assert reverse("orgs:budget_set", args=["CA-T1"]) not in text


def test_org_09_page_without_a_standard(client_for, tree):
    response = _page(client_for(tree.users["secretary"]), "budget", "CA-T1-B1")
    assert response.status_code == 200
    assert "未设定标准" in response.text
    assert reverse("orgs:budget_set", args=["CA-T1-B1"]) in response.text


def test_org_09_page_chooses_the_year_and_htmx_gets_the_fragment(client_for, tree):
    record_spending(org=tree.town_a, spent_on=D(2024, 5, 1), amount="80", purpose="购书")
    record_spending(org=tree.town_a, spent_on=D(2025, 5, 1), amount="90", purpose="印制资料")
    client = client_for(tree.users["county_officer"])
    response = _page(client, "budget", query="?year=2024")
    assert "购书" in response.text and "印制资料" not in response.text
    fragment = client.get(
        reverse("orgs:budget", args=["CA-T1"]) + "?year=2025", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "印制资料" in fragment.text and "购书" not in fragment.text
    assert "<html" not in fragment.text
    assert _page(client, "budget", query="?year=abc").status_code == 200


def test_org_09_page_sets_a_budget_and_records_spending(client_for, tree):
    client = client_for(tree.users["county_officer"])
    response = client.post(
        reverse("orgs:budget_set", args=["CA-T1"]), {"year": "2025", "amount": "7200", "note": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:budget", args=["CA-T1"]) + "?year=2025"
    assert Budget.objects.get().amount == Decimal("7200.00")
    response = client.post(
        reverse("orgs:spending_add", args=["CA-T1"]),
        {"spent_on": "2025-04-01", "amount": "300", "purpose": "主题党日活动"},
    )
    assert response.status_code == 302
    assert Spending.objects.get().purpose == "主题党日活动"
    response = client.post(
        reverse("orgs:spending_add", args=["CA-T1"]),
        {"spent_on": "2025-04-01", "amount": "0", "purpose": "x"},
    )
    assert response.status_code == 200
    assert "金额应大于0" in response.text
    assert Spending.objects.count() == 1


# --- 换届延期审批 (ORG-04) ----------------------------------------------------------------


@pytest.fixture
def expiring(tree):
    """Branch A's rural 5-year term expires in two months."""
    return record_election(org=tree.branch_a, elected_on=add_months(today(), -58))


def _leadership(client, code="CA-T1-B1"):
    return client.get(reverse("orgs:leadership", args=[code]))


def test_org_04_higher_admin_sees_the_approval_form(client_for, tree, expiring):
    text = _leadership(client_for(tree.users["city_admin"])).text
    assert "换届延期审批" in text
    assert reverse("orgs:term_extend", args=["CA-T1-B1"]) in text


def test_org_04_own_admin_sees_the_status_but_no_button(client_for, tree, expiring):
    text = _leadership(client_for(tree.users["secretary"])).text
    assert "换届延期审批" in text and "未经批准延期" in text
    assert reverse("orgs:term_extend", args=["CA-T1-B1"]) not in text


def test_org_04_no_approval_card_while_the_term_runs(client_for, tree):
    record_election(org=tree.branch_a, elected_on=add_months(today(), -12))
    text = _leadership(client_for(tree.users["city_admin"])).text
    assert "换届延期审批" not in text


def test_org_04_higher_admin_approves_and_history_shows_who(client_for, tree, expiring):
    client = client_for(tree.users["city_admin"])
    until = add_months(expiring.elected_on, 60 + 6)
    response = client.post(
        reverse("orgs:term_extend", args=["CA-T1-B1"]), {"until": until.isoformat()}
    )
    assert response.status_code == 302
    expiring.refresh_from_db()
    assert expiring.approved_extension_until == until
    text = _leadership(client_for(tree.users["secretary"])).text
    assert f"city_admin 于 {today():%Y-%m-%d} 批准延期至 {until:%Y-%m-%d}" in text
    assert f"已批准延期至 {until:%Y-%m-%d}" in text


def test_org_04_extension_beyond_the_cap_is_refused_on_the_form(client_for, tree, expiring):
    until = add_months(expiring.elected_on, 60 + 13)
    response = client_for(tree.users["city_admin"]).post(
        reverse("orgs:term_extend", args=["CA-T1-B1"]), {"until": until.isoformat()}
    )
    assert response.status_code == 200
    assert "延期不得超过12个月" in response.text
    expiring.refresh_from_db()
    assert expiring.approved_extension_until is None


@pytest.mark.parametrize(("user", "status"), [("secretary", 403), ("county_officer", 403)])
def test_org_04_only_a_higher_admin_may_approve(client_for, tree, expiring, user, status):
    until = add_months(expiring.elected_on, 66).isoformat()
    response = client_for(tree.users[user]).post(
        reverse("orgs:term_extend", args=["CA-T1-B1"]), {"until": until}
    )
    assert response.status_code == status
    api = _post(client_for(tree.users[user]), "/api/orgs/CA-T1-B1/term-extension", {"until": until})
    assert api.status_code == status
    assert not Term.objects.filter(approved_extension_until__isnull=False).exists()


def test_org_04_admin_above_the_town_may_approve_for_the_town(client_for, tree):
    from tests.factories import make_user

    town_admin = make_user("town_admin", org=tree.town_a, role="admin")
    term = record_election(org=tree.branch_a, elected_on=add_months(today(), -61))
    until = add_months(term.elected_on, 66).isoformat()
    response = _post(client_for(town_admin), "/api/orgs/CA-T1-B1/term-extension", {"until": until})
    assert response.status_code == 200
    assert _json(response)["approved_extension_until"] == until
    assert _json(response)["deadline"] == until


def test_org_04_api_extension_without_a_term_is_422(client_for, tree):
    response = _post(
        client_for(tree.users["city_admin"]),
        "/api/orgs/CA-T1-B1/term-extension",
        {"until": "2030-01-01"},
    )
    assert response.status_code == 422
    assert _json(response)["errors"] == {"until": ["该组织没有已登记的换届选举，无法审批延期"]}


# --- API ---------------------------------------------------------------------------------


def test_org_07_api_lists_and_creates_contact_points_and_visits(client_for, tree, leaders):
    client = client_for(tree.users["county_officer"])
    data = _json(client.get("/api/orgs/CA-T1/contact-points"))
    assert [(p["leader"], p["target"], p["active"]) for p in data] == [("MA1", "CA-T1-B2", True)]
    response = _post(
        client,
        "/api/orgs/CA-T1/contact-points",
        {"leader": "MA2", "target": "CA-T1-B1", "started_on": "2025-01-01"},
    )
    assert response.status_code == 201
    point = _json(response)
    assert (point["leader_name"], point["target_name"]) == ("李四", "青山村党支部")
    response = _post(
        client,
        "/api/orgs/CA-T1/visits",
        {"contact_point": point["id"], "visited_on": f"{THIS_YEAR - 1}-06-01", "kind": "problem"},
    )
    assert response.status_code == 201
    assert _json(response)["kind_label"] == "解决问题"
    visits = _json(client.get(f"/api/orgs/CA-T1/visits?year={THIS_YEAR - 1}"))
    assert [(v["kind"], v["leader_name"]) for v in visits["items"]] == [
        ("problem", "李四"),
        ("problem", "张三"),
    ]
    assert _json(client.get("/api/orgs/CA-T1/visits"))["count"] == 4
    ended = _post(
        client,
        f"/api/orgs/CA-T1/contact-points/{point['id']}/end",
        {"ended_on": f"{THIS_YEAR - 1}-12-31"},
    )
    assert _json(ended)["active"] is False


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        (
            "/api/orgs/CA-T1/contact-points",
            {"leader": "MB1", "target": "CA-T1-B1", "started_on": "2025-01-01"},
            "leader",
        ),
        (
            "/api/orgs/CA-T1/contact-points",
            {"leader": "MA2", "target": "CA-T1-B1-G1", "started_on": "2025-01-01"},
            "target",
        ),
        ("/api/orgs/CA-T1/venues", {"name": " "}, "name"),
        ("/api/orgs/CA-T1/staff-posts", {"member": "MB1", "started_on": "2025-01-01"}, "member"),
        ("/api/orgs/CA-T1/budgets", {"year": 1999, "amount": "1"}, "year"),
        ("/api/orgs/CA-T1/budgets", {"year": 2025, "amount": "1.001"}, "amount"),
        (
            "/api/orgs/CA-T1/spendings",
            {"spent_on": "2025-01-01", "amount": "-5", "purpose": "x"},
            "amount",
        ),
    ],
)
def test_org_07_09_api_errors_are_422_by_field(client_for, tree, leaders, path, payload, field):
    response = _post(client_for(tree.users["county_officer"]), path, payload)
    assert response.status_code == 422
    assert list(_json(response)["errors"]) == [field]


def test_org_08_api_venues_and_staff(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = _post(
        client,
        "/api/orgs/CA-T1-B1/venues",
        {"name": "党员活动室", "has_room": True, "shared": False},
    )
    assert response.status_code == 201
    venue = _json(response)
    assert venue["missing"] == [
        "有党组织标牌",
        "有党旗",
        "有桌椅和电教设备",
        "有制度上墙",
        "有书报资料",
    ]
    patched = _post(
        client, f"/api/orgs/CA-T1-B1/venues/{venue['id']}", {"closed_on": "2026-01-01"}, "patch"
    )
    assert (_json(patched)["closed_on"], _json(patched)["open"], _json(patched)["name"]) == (
        "2026-01-01",
        False,
        "党员活动室",
    )
    assert [v["id"] for v in _json(client.get("/api/orgs/CA-T1-B1/venues"))] == [venue["id"]]
    response = _post(
        client,
        "/api/orgs/CA-T1-B1/staff-posts",
        {"member": "MA1", "full_time": False, "started_on": "2025-01-01"},
    )
    assert response.status_code == 201
    post = _json(response)
    assert (post["name"], post["member"], post["full_time"], post["active"]) == (
        "张三",
        "MA1",
        False,
        True,
    )
    ended = _post(
        client, f"/api/orgs/CA-T1-B1/staff-posts/{post['id']}/end", {"ended_on": "2025-06-30"}
    )
    assert _json(ended)["ended_on"] == "2025-06-30"
    assert len(_json(client.get("/api/orgs/CA-T1-B1/staff-posts"))) == 1


def test_org_09_api_budgets_and_spending(client_for, tree, per_member_600):
    client = client_for(tree.users["county_officer"])
    response = _post(client, "/api/orgs/CA-T1/budgets", {"year": THIS_YEAR, "amount": "2000"})
    assert response.status_code == 201
    response = _post(
        client,
        "/api/orgs/CA-T1/spendings",
        {"spent_on": f"{THIS_YEAR}-01-01", "amount": "120.5", "purpose": "党员教育"},
    )
    assert response.status_code == 201
    assert _json(response)["amount"] == "120.50"
    rows = _json(client.get("/api/orgs/CA-T1/budgets"))
    assert rows == [
        {
            "year": THIS_YEAR,
            "amount": "2000.00",
            "note": "",
            "per_member_yuan": 600,
            "policy_source": "附件第17条",
            "members": 2,
            "required": "1200.00",
            "spent": "120.50",
            "balance": "1879.50",
        }
    ]
    spendings = _json(client.get(f"/api/orgs/CA-T1/spendings?year={THIS_YEAR}"))
    assert [s["purpose"] for s in spendings["items"]] == ["党员教育"]


def test_org_07_09_api_viewer_cannot_write_and_outsider_sees_nothing(client_for, tree, leaders):
    writes = [
        ("/api/orgs/CA-T1/visits", {"contact_point": leaders.pk, "visited_on": "2025-01-01"}),
        ("/api/orgs/CA-T1/venues", {"name": "活动室"}),
        ("/api/orgs/CA-T1/budgets", {"year": 2025, "amount": "1"}),
    ]
    for path, payload in writes:
        assert _post(client_for(tree.users["county_viewer"]), path, payload).status_code == 403
        assert _post(client_for(tree.users["outsider"]), path, payload).status_code == 404
    assert (
        client_for(tree.users["outsider"]).get("/api/orgs/CA-T1/contact-points").status_code == 404
    )
    assert Visit.objects.count() == 3 and not Venue.objects.exists() and not Budget.objects.exists()


def test_org_07_09_detail_page_links_the_new_pages(client_for, tree):
    client = client_for(tree.users["secretary"])
    text = client.get(reverse("orgs:detail", args=["CA-T1-B1"])).text
    for name in ["contacts", "venues", "budget"]:
        assert reverse(f"orgs:{name}", args=["CA-T1-B1"]) in text, name
    group = client.get(reverse("orgs:detail", args=["CA-T1-B1-G1"])).text
    assert reverse("orgs:contacts", args=["CA-T1-B1-G1"]) not in group


def test_org_04_refused_approval_shows_its_error_while_the_term_runs(client_for, tree):
    term = record_election(org=tree.branch_a, elected_on=add_months(today(), -12))
    response = client_for(tree.users["city_admin"]).post(
        reverse("orgs:term_extend", args=["CA-T1-B1"]), {"until": today().isoformat()}
    )
    assert response.status_code == 200
    expires = add_months(term.elected_on, 60)
    assert f"延期截止日应晚于本届届满日 {expires}" in response.text
