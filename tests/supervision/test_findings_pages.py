"""Pages: 从检查发现生成问题清单 and 回头看 (TASK-01, TASK-02)."""

from __future__ import annotations

import pytest

from tests.supervision.test_findings import accept, check, found
from xianfeng.compliance.models import Finding
from xianfeng.supervision.domain import findings as domain
from xianfeng.supervision.models import Item, Reinspection

pytestmark = pytest.mark.django_db
PAGE = "/supervision/orgs/{}/from-findings/"
CREATE = "/supervision/orgs/{}/from-findings/create/"
REINSPECTIONS = "/supervision/orgs/{}/reinspections/"


@pytest.fixture
def run(tree):
    return check(tree.town_a)


def test_task_01_page_lists_the_subtrees_findings_with_boxes(client_for, tree, run):
    response = client_for(tree.users["county_officer"]).get(PAGE.format("CA-T1"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('name="findings"') == Finding.objects.filter(run=run.run).count()
    assert "生成所选" in body and "全部生成" in body


def test_task_01_viewer_sees_the_page_without_buttons(client_for, tree, run):
    response = client_for(tree.users["county_viewer"]).get(PAGE.format("CA-T1"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "2025年6月未开展主题党日" in body
    assert 'name="findings"' not in body and "生成所选" not in body


FILTERS = [  # (query, findings listed: LIFE-03 12 a month × 2 branches, LIFE-08 one a member)
    ("", 26),
    ("?rule=LIFE-03", 24),
    ("?severity=warning", 2),
    ("?rule=LIFE-03&severity=warning", 0),
    ("?rule=NOSUCH", 0),
    ("?severity=bad", 26),
]


@pytest.mark.parametrize(("query", "listed"), FILTERS)
def test_task_01_page_filters_by_rule_and_severity(client_for, tree, run, query, listed):
    response = client_for(tree.users["county_officer"]).get(PAGE.format("CA-T1") + query)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == listed


def test_task_01_make_the_ticked_findings(client_for, tree, run):
    ids = [found(run, tree.branch_a).pk, found(run, tree.branch_a2).pk]
    client = client_for(tree.users["county_officer"])
    response = client.post(CREATE.format("CA-T1"), {"mode": "selected", "findings": ids})
    assert response.status_code == 302
    assert Item.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "已生成问题清单事项 2 条" in page
    assert page.count("data-item") == 2
    again = client.post(CREATE.format("CA-T1"), {"mode": "selected", "findings": ids})
    message = client.get(again["Location"]).content.decode()
    assert "已生成问题清单事项 0 条；2 条检查发现已有未销号的事项，未重复生成" in message


def test_task_01_make_every_filtered_finding(client_for, tree, run):
    client = client_for(tree.users["county_officer"])
    data = {"mode": "all", "rule": "LIFE-08", "severity": "warning"}
    response = client.post(CREATE.format("CA-T1"), data)
    assert response.status_code == 302
    assert response["Location"] == PAGE.format("CA-T1") + "?rule=LIFE-08&severity=warning"
    assert sorted(Item.objects.values_list("rule", flat=True)) == ["LIFE-08", "LIFE-08"]


def test_task_01_make_one_finding_with_its_own_button(client_for, tree, run):
    finding = found(run, tree.branch_a)
    client = client_for(tree.users["county_officer"])
    response = client.post(CREATE.format("CA-T1"), {"mode": "one", "finding": finding.pk})
    assert response.status_code == 302
    [item] = Item.objects.all()
    assert item.finding_key == "LIFE-03|CA-T1-B1|-|2025-06"


BAD = [  # (body, the Chinese error)
    ({"mode": "selected"}, "请先勾选要生成问题清单的检查发现"),
    ({}, "请选择生成方式"),
    ({"mode": "one"}, "请选择检查发现"),
    ({"mode": "selected", "findings": "abc"}, "没有找到检查发现“abc”"),
    ({"mode": "selected", "findings": "987654"}, "没有找到检查发现“987654”"),
    ({"mode": "selected", "findings": "1", "kind": "bad"}, "选择一个有效的选项"),
]


@pytest.mark.parametrize(("data", "error"), BAD)
def test_task_01_bad_input_gives_a_chinese_error(client_for, tree, run, data, error):
    response = client_for(tree.users["county_officer"]).post(CREATE.format("CA-T1"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Item.objects.exists()


def test_task_01_viewer_may_not_make_items(client_for, tree, run):
    finding = found(run, tree.branch_a)
    response = client_for(tree.users["county_viewer"]).post(
        CREATE.format("CA-T1"), {"mode": "one", "finding": finding.pk}
    )
    assert response.status_code == 403
    assert not Item.objects.exists()


def test_task_01_compliance_pages_link_here(client_for, tree, run):
    client = client_for(tree.users["county_officer"])
    for path in ("/compliance/orgs/CA-T1/", "/compliance/orgs/CA-T1/subtree/"):
        assert PAGE.format("CA-T1") in client.get(path).content.decode()


def test_task_01_the_page_says_when_the_rule_no_longer_reports(client_for, tree, run):
    [item] = domain.items_from_findings([found(run, tree.branch_a).pk], by=None).created
    Item.objects.filter(pk=item.pk).update(finding_cleared_on="2026-03-01")
    body = client_for(tree.users["county_officer"]).get(PAGE.format("CA-T1")).content.decode()
    assert "规则已不再报告此问题（自 2026-03-01 起）" in body


# --- 回头看 --------------------------------------------------------------------------------


def test_task_02_start_a_reinspection_and_see_it_listed(client_for, tree, run):
    [item] = domain.items_from_findings([found(run, tree.branch_a).pk], by=None).created
    accept(item, tree)
    client = client_for(tree.users["county_officer"])
    response = client.post(REINSPECTIONS.format("CA-T1"), {"seed": "7"})
    assert response.status_code == 302
    record = Reinspection.objects.get()
    assert (record.seed, record.sample, record.reopened) == (7, [item.pk], [item.pk])
    page = client.get(response["Location"]).content.decode()
    assert "回头看已完成：抽取 1 项，其中 1 项问题复现，已重新打开（抽样种子 7）" in page
    assert "问题复现，已重新打开" in page and f"/supervision/items/{item.pk}/" in page


@pytest.mark.parametrize(
    ("seed", "error"), [("abc", "抽样种子应为非负整数"), ("-1", "抽样种子应为非负整数")]
)
def test_task_02_bad_seed_gives_a_chinese_error(client_for, tree, seed, error):
    response = client_for(tree.users["county_officer"]).post(
        REINSPECTIONS.format("CA-T1"), {"seed": seed}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Reinspection.objects.exists()


def test_task_02_viewer_sees_reinspections_but_may_not_start_one(client_for, tree):
    client = client_for(tree.users["county_viewer"])
    page = client.get(REINSPECTIONS.format("CA-T1"))
    assert page.status_code == 200 and "开展回头看" not in page.content.decode()
    assert client.post(REINSPECTIONS.format("CA-T1"), {}).status_code == 403
