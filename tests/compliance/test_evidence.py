"""Finding evidence in Chinese (issue 14): the formatters, the table every rule's keys are
labelled in, and the pages, notices and export that show it (the API keeps raw keys)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from xianfeng.compliance import evidence as ev
from xianfeng.compliance.engine import evaluate, run_check
from xianfeng.compliance.evidence import (
    evidence_sentence,
    label_of,
    labels,
    names_for,
    render_evidence,
)
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.models import Org

AS_OF = dt.date(2025, 6, 30)
PAGE_AS_OF = dt.date(2026, 1, 10)


# --- formatters: one row per kind of value ----------------------------------------------


@pytest.mark.parametrize(
    ("formatter", "value", "text"),
    [
        ("date", "2025-06-30", "2025年6月30日"),
        ("date", dt.date(2024, 1, 5), "2024年1月5日"),
        ("dates", ["2024-10-03", "2024-11-05"], "2024年10月3日、2024年11月5日"),
        ("date_range", {"from": "2024-12-31", "to": "2025-06-30"}, "2024年12月31日至2025年6月30日"),
        ("period", "2025", "2025年"),
        ("period", 2024, "2024年"),
        ("period", "2025-H1", "2025年上半年"),
        ("period", "2025-H2", "2025年下半年"),
        ("period", "2025-Q3", "2025年第三季度"),
        ("period", "2025-06", "2025年6月"),
        ("periods", [2026, 2027], "2026年、2027年"),
        ("hours", "6", "6.0 学时"),
        ("hours", Decimal("31.25"), "31.2 学时"),
        ("money", "12.5", "¥12.50"),
        ("money", Decimal("33600"), "¥33,600.00"),
        ("percent", "0.0125", "1.25%"),
        ("percent", 0.01, "1%"),
        ("boolean", True, "是"),
        ("boolean", False, "否"),
        ("plain", None, "—"),
        ("plain", ["branch", "party_committee"], "党支部、党委"),  # codes in Chinese
        ("plain", ["monday", "saturday"], "周一、周六"),
        ("plain", "支部工作条例 第五条", "支部工作条例 第五条"),
    ],
)
def test_formatter_renders_value_in_chinese(db, formatter, value, text):
    assert getattr(ev, formatter)(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3 人"),
        ("2", "2 人"),
        ([11, 12, 13], "3 人"),  # a list counts its items
        ({"count": 0, "threshold": 1}, "0 人（应不少于 1 人）"),
        ("many", "many"),
    ],
)
def test_count_has_its_unit(value, text):
    assert ev.count("人")(value) == text


def test_counts_by_kind_label_each_kind(db):
    by_source = ev.by_kind(ev.hours)
    value = {"training": "6", "meeting": "2.0", "online": "12.5"}
    assert by_source(value) == "培训班 6.0 学时、党课和专题学习 2.0 学时、网络学习 12.5 学时"


# --- render_evidence and evidence_sentence -------------------------------------------------


def test_render_evidence_labels_keys_and_formats_the_threshold_like_its_measure(db):
    evidence = {
        "full_members": 2,
        "members": 3,
        "as_of": "2025-06-30",
        "threshold": 3,
        "policy": "national",
        "source": "支部工作条例 第五条",
    }
    assert render_evidence(evidence) == [
        ("正式党员数", "2 人"),
        ("党员数", "3 人"),
        ("截至", "2025年6月30日"),
        ("标准", "3 人"),
        ("政策", "全国默认"),
        ("出处", "支部工作条例 第五条"),
    ]


@pytest.mark.parametrize(
    ("evidence", "threshold"),
    [
        ({"full_time_staff": 1, "ratio": "0.0050", "threshold": 0.01}, "1%"),  # ORG-08
        ({"members": 40, "per_member_yuan": 600, "threshold": "24000.00"}, "¥24,000.00"),
        ({"meetings": [{"meeting": 1, "held_on": "2024-10-17"}], "threshold": 5}, "5 次"),
        ({"meetings": [], "shift_window_days": 7, "threshold": 5}, "每月5日"),  # LIFE-03
        ({"meetings": [], "threshold": ["monday", "saturday"]}, "周一、周六"),
        ({"hours": "24.5", "year_days": 366, "threshold": 56}, "56.0 学时"),  # STUDY-01
        ({"from": "2024-12-31", "to": "2025-06-30", "threshold": 6}, "6 个月"),  # LIFE-01
        ({"deadline": "2024-01-31", "threshold": True}, "是"),
    ],
)
def test_threshold_takes_the_unit_of_the_value_it_bounds(db, evidence, threshold):
    assert dict(render_evidence(evidence))["标准"] == threshold


def test_a_range_is_one_row_and_empty_values_are_left_out(db):
    evidence = {"from": "2024-12-31", "to": "2025-06-30", "extended_until": None}
    assert render_evidence(evidence) == [("时间段", "2024年12月31日至2025年6月30日")]


def test_evidence_sentence_is_one_line(db):
    evidence = {"lessons_attended": 0, "year": "2024", "threshold": 1}
    assert evidence_sentence(evidence) == "年度：2024年；参加党课：0 次；标准：1 次"


def test_references_name_rows_and_people(tree):
    a, b = tree.member_a, tree.member_a2
    evidence = {"pairs": [[a.pk, b.pk]], "talks": []}
    assert render_evidence(evidence) == [
        ("未谈心谈话的班子成员", "张三与李四"),
        ("与班子成员谈心谈话", "无"),
    ]
    assert evidence_sentence({"pairs": [[a.pk, 0]]}) == "未谈心谈话的班子成员：张三与（已删除）"


def test_long_reference_lists_name_the_first_ten_and_count_the_rest(tree):
    ids = [tree.member_a.pk] * 12
    assert ev.Ref("member")(ids) == "、".join(["张三"] * 10) + "等12项"


def test_names_for_reads_each_kind_once_for_many_findings(tree, django_assert_num_queries):
    a, b = tree.member_a.pk, tree.member_b.pk
    evidences = [{"pairs": [[a, b]]}, {"pairs": [[b, a]]}, {"full_members": 2}]
    names = names_for(evidences)
    with django_assert_num_queries(1):
        texts = [evidence_sentence(found, names) for found in evidences]
    assert texts[:2] == ["未谈心谈话的班子成员：张三与王五", "未谈心谈话的班子成员：王五与张三"]


def test_unlabelled_key_shows_as_itself_and_app_tables_are_collected():
    assert label_of("no_such_key") == "no_such_key"
    table = labels()
    assert {"threshold", "full_members", "meetings", "counted"} <= set(table)
    assert len(table) >= 60


# --- every key every rule emits has a label (town demo) ------------------------------------


@pytest.mark.slow
def test_every_evidence_key_emitted_by_every_rule_has_a_label(db):
    from xianfeng.demo.builder import build_demo

    build_demo(scale="town", seed=1, as_of=AS_OF)
    roots = list(Org.objects.filter(depth=1))
    table = labels()
    unlabelled, emitted, found = set(), set(), []
    for period in ("2024", "2025"):
        pairs, _orgs = evaluate(roots=roots, period=parse_period(period), as_of=AS_OF)
        for rule, row in pairs:
            rule_id = rule.id if rule else "CALENDAR"
            emitted |= set(row.evidence)
            unlabelled |= {(rule_id, key) for key in row.evidence if key not in table}
            found.append(row.evidence)
    assert not sorted(unlabelled), "evidence keys without a label (rule, key)"
    assert len(emitted) >= 40
    names = names_for(found)
    texts = [text for row in found for _label, text in render_evidence(row, names)]
    assert not [text for text in texts if "（已删除）" in text]


# Evidence of findings the town demo does not produce at AS_OF, as the rules write it.
NOT_IN_DEMO = [
    (
        "ORG-05",
        {
            "role": "secretary",
            "title": "",
            "vacant_since": "2024-01-01",
            "due": "2024-07-01",
            "max_months": 6,
            "seats": [],
            "as_of": "2025-06-30",
        },
        "空缺职务：书记；空缺起始日：2024年1月1日；应补齐日期：2024年7月1日；"
        "最长空缺：6 个月；班子职务：无；截至：2025年6月30日",
    ),
    (
        "ORG-07",
        {
            "seats": [],
            "reports": {"count": 0, "threshold": 1},
            "visits": {"count": 1, "threshold": 1},
            "problems": {"count": 0, "threshold": 1},
        },
        "班子职务：无；听取党建工作汇报：0 次（应不少于 1 次）；走访调研：1 次（应不少于 1 次）；"
        "解决实际问题：0 个（应不少于 1 个）",
    ),
    (
        "ORG-08",
        {"full_time_staff": 1, "unit_headcount": 300, "ratio": "0.0033", "threshold": 0.01},
        "专职党务干部：1 人；单位职工数：300 人；专职党务干部占比：0.33%；标准：1%",
    ),
    (
        "ORG-08",
        {
            "venues": [],
            "venue": None,
            "missing": ["has_flag", "has_disclosure_board"],
            "threshold": ["has_flag", "has_disclosure_board"],
        },
        "可用阵地：无；缺少：有党旗、有党务公开栏；标准：有党旗、有党务公开栏",
    ),
    (
        "ORG-09",
        {
            "year": 2025,
            "members": 40,
            "per_member_yuan": 600,
            "threshold": "24000.00",
            "budget": "20000.00",
            "spent": "21000.50",
        },
        "年度：2025年；党员数：40 人；每名党员标准：¥600.00；预算：¥20,000.00；"
        "已支出：¥21,000.50；标准：¥24,000.00",
    ),
    (
        "LIFE-01",
        {"from": "2024-12-31", "to": "2025-06-30", "exemption": None},
        "时间段：2024年12月31日至2025年6月30日",
    ),
    (
        "LIFE-07",
        {"deadline": "2025-01-15", "records": 0, "threshold": 1},
        "已有记录：0 份；期限：2025年1月15日；标准：1 份",
    ),
    (
        "STUDY-01",
        {"hours": "3.0", "expected": "8.5", "day": "2025-06-30"},
        "集中学习培训：3.0 学时；按进度应达到：8.5 学时；统计截至：2025年6月30日",
    ),
    ("STUDY-03", {"arrangements": 0, "threshold": 1}, "学习安排：0 条；标准：1 条"),
    (
        "STUDY-04",
        {"classes": [], "min_days": "1.0", "threshold": 1},
        "培训班：无；每次至少：1 天；标准：1 次",
    ),
    ("CALENDAR", {"unconfirmed_years": [2026]}, "未核对节假日安排的年份：2026年"),
]


@pytest.mark.parametrize(("rule", "evidence", "sentence"), NOT_IN_DEMO)
def test_evidence_the_demo_does_not_produce_is_labelled_too(db, rule, evidence, sentence):
    assert not [key for key in evidence if key not in labels()], rule
    assert evidence_sentence(evidence) == sentence


# --- pages, export, notice -------------------------------------------------------------------


@pytest.fixture
def checked(tree):
    run_check(roots=[tree.city], period=parse_period("2025"), as_of=PAGE_AS_OF)
    return tree


def test_findings_page_shows_chinese_labels_and_no_raw_keys(checked, client_for):
    url = reverse("compliance:org_findings", args=["CA-T1-B1"])
    response = client_for(checked.users["secretary"]).get(url)
    assert response.status_code == 200
    assert "正式党员数" in response.text and "2025年12月31日" in response.text
    assert "标准" in response.text and "3 人" in response.text
    for raw in ("full_members", "threshold", "as_of", '"policy"', "{&quot;"):
        assert raw not in response.text, raw


def test_rule_page_shows_chinese_labels(checked, client_for):
    url = reverse("compliance:rule", args=["ORG-03"]) + "?org=CA"
    response = client_for(checked.users["county_officer"]).get(url)
    assert response.status_code == 200
    assert "正式党员数" in response.text and "full_members" not in response.text


def test_whatif_rows_show_the_evidence_in_chinese(checked, client_for):
    response = client_for(checked.users["county_viewer"]).post(
        reverse("compliance:whatif", args=["CA"]),
        {"overrides": "org.setup.branch_min_full = 1", "period": "2025"},
    )
    gone = response.context["disappear"][0]
    assert gone["evidence"].startswith("正式党员数：1 人；党员数：1 人；截至：2025年12月31日")
    assert gone["evidence"] in response.text and "full_members" not in response.text


def test_export_has_an_evidence_column_in_chinese(checked, client_for):
    response = client_for(checked.users["county_officer"]).post(
        reverse("compliance:export", args=["CA"])
    )
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][-2:] == ("依据", "证据")
    org_03 = next(row for row in rows[1:] if row[0] == "ORG-03")
    assert org_03[-1].startswith("正式党员数：1 人；党员数：1 人；截至：2025年12月31日；标准：3 人")


def test_template_filters_render_the_sentence_and_the_period():
    template = Template(
        "{% load compliance_tags %}{{ evidence|evidence_sentence }} {{ '2025-H1'|period_name }}"
    )
    text = template.render(Context({"evidence": {"deadline": "2025-02-28"}}))
    assert text == "期限：2025年2月28日 2025年上半年"


def test_new_findings_notice_quotes_the_evidence_in_chinese(tree):
    from xianfeng.compliance.models import Finding, Run
    from xianfeng.compliance.notify import notify_run
    from xianfeng.notices.models import Notice

    run = Run.objects.create(scope=["CA-T1-B1"], period="2025", as_of=AS_OF, via="web")
    Finding.objects.create(
        run=run,
        rule="ORG-03",
        org=tree.branch_a,
        period="2025",
        severity="error",
        message="正式党员不足",
        evidence={"full_members": 1, "threshold": 3},
        first_seen=AS_OF,
    )
    notify_run(run.pk)
    body = Notice.objects.get(user=tree.users["secretary"]).body
    assert body.splitlines()[-2:] == [
        "· 青山村党支部：正式党员不足",
        "  正式党员数：1 人；标准：3 人",
    ]


def test_two_apps_labelling_one_key_differently_is_an_error():
    from django.core.exceptions import ImproperlyConfigured

    table = ev.Table()
    table.add("a", {"held": ev.Label("实际")}, {})
    with pytest.raises(ImproperlyConfigured, match=r"b.LABELS repeats \['held'\]"):
        table.add("b", {"held": ev.Label("召开")}, {})


def test_rows_follow_the_table_order_whatever_the_key_order(db):
    evidence = {"source": "出处", "threshold": 3, "as_of": "2025-06-30", "full_members": 2}
    assert [label for label, _text in render_evidence(evidence)] == [
        "正式党员数",
        "截至",
        "标准",
        "出处",
    ]
