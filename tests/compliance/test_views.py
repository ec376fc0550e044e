"""Compliance pages (PLAT-04): findings by org, subtree table, rule pages, export,
what-if and policy editing, each within the user's scope."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.engine import run_check
from xianfeng.compliance.models import Finding, Policy, Run
from xianfeng.compliance.queries import latest_run_for
from xianfeng.compliance.registry import load_rules
from xianfeng.core.models import ExportRecord
from xianfeng.lib.dates import parse_period

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 1, 10)
POLICY = """
[policy]
code = "{code}"
title = "青山村政策"

[org.setup]
branch_min_full = {{ value = {value}, unit = "人", source = "测试文件 第1条" }}
"""


def _url(name, *args):
    return reverse(f"compliance:{name}", args=args)


def _check(org, period="2025"):
    return run_check(roots=[org], period=parse_period(period), as_of=AS_OF)


@pytest.fixture
def checked(tree):
    _check(tree.city)
    return tree


def _org_03(response):
    return [f for f in response.context["page_obj"].object_list if f.rule == "ORG-03"]


# --- org findings ------------------------------------------------------------------------


def test_org_findings_show_rule_text_source_and_evidence(checked, client_for):
    response = client_for(checked.users["secretary"]).get(_url("org_findings", "CA-T1-B1"))
    rule = load_rules()["ORG-03"]
    assert response.status_code == 200
    assert rule.text in response.text and rule.source in response.text
    assert "党支部正式党员1人，不足3人" in response.text
    assert "正式党员数" in response.text and "支部工作条例 第五条" in response.text
    assert "text-bg-danger" in response.text  # error badge
    assert "2026-01-10" in response.text and "重新检查" in response.text


def test_org_findings_without_run_offer_a_check(tree, client_for):
    response = client_for(tree.users["secretary"]).get(_url("org_findings", "CA-T1-B1"))
    assert response.context["run"] is None
    assert "尚未检查过本组织" in response.text
    assert _url("check", "CA-T1-B1") in response.text


def test_org_findings_viewer_sees_no_check_button(checked, client_for):
    response = client_for(checked.users["county_viewer"]).get(_url("org_findings", "CA-T1-B1"))
    assert response.status_code == 200
    assert _url("check", "CA-T1-B1") not in response.text


def test_org_findings_out_of_scope_is_404(checked, client_for):
    client = client_for(checked.users["secretary"])
    assert client.get(_url("org_findings", "CB-T1-B1")).status_code == 404
    assert client.get(_url("subtree", "CB-T1")).status_code == 404
    assert client.get(_url("rule", "ORG-03"), {"org": "CB-T1-B1"}).status_code == 404


# --- re-check ----------------------------------------------------------------------------


def test_recheck_by_officer_stores_a_run_of_the_subtree(checked, client_for):
    client = client_for(checked.users["county_officer"])
    response = client.post(_url("check", "CA-T1"), {"period": "2025-H1"})
    assert response.status_code == 302
    assert response["Location"] == _url("org_findings", "CA-T1")
    run = Run.objects.order_by("-pk").first()
    assert run.scope == ["CA-T1"] and run.period == "2025-H1"
    assert run.by == checked.users["county_officer"]
    orgs = set(run.findings.filter(rule="ORG-03").values_list("org__code", flat=True))
    assert orgs == {"CA-T1-B1", "CA-T1-B2"}
    assert latest_run_for(checked.branch_a) == run
    assert latest_run_for(checked.branch_b).scope == ["CITY"]


def test_recheck_with_a_bad_period_stores_nothing(checked, client_for):
    client = client_for(checked.users["county_officer"])
    response = client.post(_url("check", "CA-T1"), {"period": "2025-13"}, follow=True)
    assert "月份应为 01–12" in response.text
    assert Run.objects.count() == 1


def test_viewer_cannot_recheck(checked, client_for):
    response = client_for(checked.users["county_viewer"]).post(_url("check", "CA-T1"))
    assert response.status_code == 403
    assert Run.objects.count() == 1


# --- subtree table -----------------------------------------------------------------------


def test_subtree_counts_findings_of_each_child(checked, client_for):
    response = client_for(checked.users["county_officer"]).get(_url("subtree", "CA-T1"))
    rows = {row["org"].code: row["counts"]["ORG-03"] for row in response.context["rows"]}
    assert rows == {"CA-T1-B1": 1, "CA-T1-B2": 1}
    assert f"{_url('rule', 'ORG-03')}?org=CA-T1-B1" in response.text


def test_subtree_sorts_by_a_column_descending(checked, client_for):
    county_c = make_org(checked.city, kind="party_committee", code="CC", level="county", sector="")
    for number in range(4):  # enough empty branches to outnumber CA's member findings
        make_org(county_c, kind="branch", code=f"CC-B{number}")
    _check(checked.city)
    client = client_for(checked.users["city_admin"])
    plain = client.get(_url("subtree", "CITY")).context["rows"]
    by_total = client.get(_url("subtree", "CITY"), {"sort": "total"}).context["rows"]
    by_rule = client.get(_url("subtree", "CITY"), {"sort": "ORG-03"}).context["rows"]
    assert [row["org"].code for row in plain] == ["CA", "CB", "CC"]
    assert [row["org"].code for row in by_rule] == ["CC", "CA", "CB"]
    assert [row["org"].code for row in by_total][0] == "CC"


# --- rules -------------------------------------------------------------------------------


def test_rule_page_lists_failing_orgs_in_scope_only(checked, client_for):
    response = client_for(checked.users["county_viewer"]).get(_url("rule", "ORG-03"))
    assert response.status_code == 200
    assert {f.org.code for f in _org_03(response)} == {"CA-T1-B1", "CA-T1-B2"}
    assert "白云村党支部" not in response.text and "CB-T1-B1" not in response.text
    assert load_rules()["ORG-03"].source in response.text


def test_rule_page_filtered_to_an_org(checked, client_for):
    response = client_for(checked.users["city_admin"]).get(
        _url("rule", "ORG-03"), {"org": "CA-T1-B2"}
    )
    assert [f.org.code for f in _org_03(response)] == ["CA-T1-B2"]


def test_rule_page_unknown_rule_is_404(checked, client_for):
    assert client_for(checked.users["city_admin"]).get(_url("rule", "NOPE-1")).status_code == 404


def test_rules_list_counts_scope_findings(checked, client_for):
    response = client_for(checked.users["county_viewer"]).get(_url("rules"))
    rows = {row["rule"].id: row for row in response.context["rows"]}
    assert rows["ORG-03"]["counts"]["error"] == 2
    everyone = client_for(checked.users["city_admin"]).get(_url("rules")).context["rows"]
    assert {row["rule"].id: row for row in everyone}["ORG-03"]["counts"]["error"] == 3


# --- export ------------------------------------------------------------------------------


def test_export_downloads_the_subtree_findings_and_is_recorded(checked, client_for):
    officer = checked.users["county_officer"]
    response = client_for(officer).post(_url("export", "CA"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == (
        "规则",
        "规则名称",
        "组织编码",
        "组织名称",
        "党员编号",
        "期间",
        "等级",
        "说明",
        "依据",
        "证据",
    )
    org_03 = [row for row in rows[1:] if row[0] == "ORG-03"]
    assert [row[2:4] for row in org_03] == [
        ("CA-T1-B1", "青山村党支部"),
        ("CA-T1-B2", "绿水村党支部"),
    ]
    assert org_03[0][5:7] == ("2025", "问题")
    assert org_03[0][8] == load_rules()["ORG-03"].source
    record = ExportRecord.objects.get()
    assert (record.kind, record.org, record.user, record.rows) == (
        "findings",
        checked.county_a,
        officer,
        len(rows) - 1,
    )


def test_export_out_of_scope_is_404(checked, client_for):
    response = client_for(checked.users["county_viewer"]).post(_url("export", "CB"))
    assert response.status_code == 404
    assert not ExportRecord.objects.exists()


# --- what-if -----------------------------------------------------------------------------


def test_whatif_lower_minimum_makes_org_03_errors_disappear(checked, client_for):
    findings = Finding.objects.count()
    response = client_for(checked.users["county_viewer"]).post(
        _url("whatif", "CA"),
        {"overrides": "org.setup.branch_min_full = 1", "period": "2025"},
    )
    assert response.status_code == 200
    gone = [(row["rule_id"], row["org"].code) for row in response.context["disappear"]]
    assert gone == [("ORG-03", "CA-T1-B1"), ("ORG-03", "CA-T1-B2")]
    assert response.context["appear"] == []
    assert "不再出现 2 条" in response.text and "新出现 0 条" in response.text
    assert (Run.objects.count(), Finding.objects.count()) == (1, findings)


def test_whatif_without_overrides_changes_nothing(checked, client_for):
    response = client_for(checked.users["county_viewer"]).post(
        _url("whatif", "CA-T1-B1"), {"overrides": "", "period": "2025"}
    )
    assert response.context["appear"] == response.context["disappear"] == []
    assert response.context["result"].unchanged >= 1


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("org.setup.nope = 1", "org.setup.nope：未知的参数"),
        ("org.setup.branch_min_full = x", "org.setup.branch_min_full：值 'x' 不是合法的 TOML 值"),
        ("org.setup.branch_min_full = 0", "org.setup.branch_min_full：不能小于 1人"),
        ("org.setup.branch_min_full 1", "第 1 行应写成“参数 = 值”"),
    ],
)
def test_whatif_bad_override_shows_the_key_and_reason(checked, client_for, line, error):
    response = client_for(checked.users["county_viewer"]).post(
        _url("whatif", "CA"), {"overrides": line, "period": "2025"}
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    assert error in html.unescape(response.text)


def test_whatif_lists_parameters_with_their_source(checked, client_for):
    response = client_for(checked.users["county_viewer"]).get(_url("whatif", "CA"))
    rows = {row["key"]: row for row in response.context["parameters"]}
    assert rows["org.setup.branch_min_full"]["entry"]["value"] == 3
    assert rows["org.setup.branch_min_full"]["entry"]["policy"] == "national"
    assert "党支部最少正式党员数" in response.text


# --- policy ------------------------------------------------------------------------------


def test_policy_admin_creates_the_org_policy_with_history(tree, client_for):
    client = client_for(tree.users["city_admin"])
    form = client.get(_url("policy", "CA-T1-B1"))
    assert 'code = "org-CA-T1-B1"' in html.unescape(form.text)
    text = POLICY.format(code="org-CA-T1-B1", value=2)
    response = client.post(_url("policy", "CA-T1-B1"), {"text": text})
    assert response.status_code == 302
    policy = Policy.objects.get(org=tree.branch_a)
    assert policy.values["org.setup.branch_min_full"]["value"] == 2
    client.post(_url("policy", "CA-T1-B1"), {"text": POLICY.format(code="org-CA-T1-B1", value=1)})
    history = list(policy.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert {h.history_user for h in history} == {tree.users["city_admin"]}
    page = client.get(_url("policy", "CA-T1-B1"))
    assert "测试文件 第1条" in page.text and "org-CA-T1-B1" in page.text
    run = _check(tree.city).run  # the new minimum applies to the branch's subtree only
    errors = run.findings.filter(rule="ORG-03", severity="error")
    assert set(errors.values_list("org__code", flat=True)) == {"CA-T1-B2", "CB-T1-B1"}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[policy\n", "TOML 格式错误"),
        (POLICY.format(code="org-CA-T1-B1", value=0), "org.setup.branch_min_full：不能小于 1人"),
        (POLICY.format(code="national", value=2), "政策编码不能修改"),
    ],
)
def test_policy_bad_file_changes_nothing(tree, client_for, text, error):
    policy = save_policy(text=POLICY.format(code="org-CA-T1-B1", value=2), org=tree.branch_a)
    before = (policy.history.count(), Policy.objects.get(code="national").text)
    response = client_for(tree.users["city_admin"]).post(_url("policy", "CA-T1-B1"), {"text": text})
    assert response.status_code == 200
    assert error in response.text
    policy.refresh_from_db()
    assert policy.values["org.setup.branch_min_full"]["value"] == 2
    assert (policy.history.count(), Policy.objects.get(code="national").text) == before


def test_policy_code_taken_by_another_policy_is_refused(tree, client_for):
    save_policy(text=POLICY.format(code="org-CA-T1-B1", value=2))  # stored, not attached
    response = client_for(tree.users["city_admin"]).post(
        _url("policy", "CA-T1-B1"), {"text": POLICY.format(code="org-CA-T1-B1", value=1)}
    )
    assert "已被另一份政策使用" in response.text
    assert not Policy.objects.filter(org=tree.branch_a).exists()


def test_policy_viewer_reads_but_cannot_edit(tree, client_for):
    attach_policy(policy=Policy.objects.get(code="004-gaibei"), org=tree.town_a)
    client = client_for(tree.users["county_viewer"])
    page = client.get(_url("policy", "CA-T1"))
    assert page.status_code == 200
    assert page.context["form"] is None and "<textarea" not in page.text
    rows = {row["key"]: row for row in page.context["parameters"]}
    assert rows["life.general_meeting.min_per_quarter"]["entry"]["policy"] == "004-gaibei"
    response = client.post(_url("policy", "CA-T1"), {"text": "x"})
    assert response.status_code == 403


# --- the org page and the navigation -----------------------------------------------------


def test_org_page_card_counts_subtree_findings(checked, client_for):
    response = client_for(checked.users["county_officer"]).get("/orgs/CA-T1/")
    assert response.status_code == 200
    assert 'id="org-compliance"' in response.text
    assert _url("subtree", "CA-T1") in response.text and _url("policy", "CA-T1") in response.text
    errors = Finding.objects.filter(org__path__startswith=checked.town_a.path, severity="error")
    assert errors.count() >= 2  # ORG-03 in both branches
    assert f"<strong>{errors.count()}</strong>" in response.text


def test_nav_shows_compliance_for_users_with_posts(tree, client_for):
    assert _url("rules") in client_for(tree.users["county_viewer"]).get("/").text
    assert _url("rules") not in client_for(tree.users["nobody"]).get("/").text
