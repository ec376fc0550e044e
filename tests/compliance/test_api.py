"""The findings API (PLAT-04, issue 16 item 10): current findings by org subtree, rule,
period and severity, paged; one finding by its key; scoped like the pages (PLAT-01)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import pytest

from xianfeng.compliance.models import Finding, Run
from xianfeng.compliance.queries import (
    FindingKey,
    finding_by_key,
    finding_key,
    parse_finding_key,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 1, 10)
FIRST = dt.date(2025, 7, 1)


def _run(*roots, findings, as_of=AS_OF):
    """A stored run with exactly these findings: (rule, org, member, period, severity)."""
    run = Run.objects.create(scope=[r.code for r in roots], period="2025", as_of=as_of)
    Finding.objects.bulk_create(
        Finding(
            run=run,
            rule=rule,
            org=org,
            member=member,
            period=period,
            severity=severity,
            message=f"{org.name}：{rule}",
            evidence={"held": 1, "threshold": 4},
            first_seen=FIRST,
        )
        for rule, org, member, period, severity in findings
    )
    return run


@pytest.fixture
def checked(tree):
    """A city-wide run: six findings in county A (in the county viewer's scope), one in
    county B, and one in 2026 (a later period)."""
    a, a2, b, group = tree.branch_a, tree.branch_a2, tree.branch_b, tree.group_a
    tree.run = _run(
        tree.city,
        findings=[
            ("ORG-03", a, None, "2025", "error"),
            ("LIFE-04", a, tree.member_a, "2025", "warning"),
            ("LIFE-01", a, None, "2025-03", "error"),
            ("LIFE-02", group, None, "2025-Q2", "info"),
            ("STUDY-01", a2, tree.member_a2, "2025", "warning"),
            ("LIFE-01", a2, None, "2026-01", "error"),
            ("ORG-03", b, None, "2025", "error"),
        ],
    )
    return tree


def _get(client, path):
    response = client.get(path)
    return response.status_code, json.loads(response.content)


def _keys(client, query=""):
    status, data = _get(client, f"/api/findings{query}")
    assert status == 200, data
    return [item["key"] for item in data["items"]]


def _url(key):
    return "/api/findings/" + quote(key, safe="")


ALL_A = [
    "ORG-03|CA-T1-B1|-|2025",
    "LIFE-04|CA-T1-B1|{member_a}|2025",
    "LIFE-01|CA-T1-B1|-|2025-03",
    "LIFE-02|CA-T1-B1-G1|-|2025-Q2",
    "STUDY-01|CA-T1-B2|{member_a2}|2025",
    "LIFE-01|CA-T1-B2|-|2026-01",
]
TREE_ORDER = [2, 1, 0, 3, 5, 4]  # by org path, then rule and period


def _expected(tree, keys):
    ids = {"member_a": tree.member_a.pk, "member_a2": tree.member_a2.pk}
    return [key.format(**ids) for key in keys]


# --- the list ----------------------------------------------------------------------------


def test_plat_04_findings_api_lists_the_scope_in_tree_order(checked, client_for):
    """Tree order, then rule and period: CA-T1-B1 (LIFE-01, LIFE-04, ORG-03), its group,
    then CA-T1-B2; nothing of county B."""
    keys = _keys(client_for(checked.users["county_viewer"]))
    assert keys == _expected(checked, [ALL_A[i] for i in TREE_ORDER])


def test_plat_04_findings_api_item_has_key_parts_names_evidence_and_run(checked, client_for):
    client = client_for(checked.users["secretary"])
    status, data = _get(client, "/api/findings?rule=LIFE-04")
    assert status == 200
    member = checked.member_a
    assert data == {
        "count": 1,
        "items": [
            {
                "key": f"LIFE-04|CA-T1-B1|{member.pk}|2025",
                "rule": "LIFE-04",
                "rule_title": data["items"][0]["rule_title"],
                "org": "CA-T1-B1",
                "org_name": "青山村党支部",
                "member_id": member.pk,
                "member_code": "MA1",
                "member_name": "张三",
                "period": "2025",
                "severity": "warning",
                "severity_label": "提醒",
                "message": "青山村党支部：LIFE-04",
                "evidence": {"held": 1, "threshold": 4},
                "first_seen": "2025-07-01",
                "run_id": checked.run.pk,
                "run_as_of": "2026-01-10",
            }
        ],
    }
    assert data["items"][0]["rule_title"]  # the registered rule's title


def test_plat_04_findings_api_org_finding_has_no_member(checked, client_for):
    _status, data = _get(client_for(checked.users["secretary"]), "/api/findings?rule=ORG-03")
    [item] = data["items"]
    assert (item["member_id"], item["member_code"], item["member_name"]) == (None, None, None)
    assert item["key"] == "ORG-03|CA-T1-B1|-|2025"


FILTERS = [
    ("org", "?org=CA-T1-B1", [2, 1, 0, 3]),
    ("org_group", "?org=CA-T1-B1-G1", [3]),
    ("rule", "?rule=LIFE-01", [2, 5]),
    ("rule_lowercase", "?rule=life-01", [2, 5]),
    ("rule_group", "?rule=LIFE", [2, 1, 3, 5]),
    ("year_with_its_parts", "?period=2025", [2, 1, 0, 3, 4]),
    ("half", "?period=2025-H1", [2, 3]),
    ("quarter", "?period=2025-Q1", [2]),
    ("month", "?period=2026-01", [5]),
    ("year_without_findings", "?period=2024", []),
    ("severity", "?severity=warning", [1, 4]),
    ("combined", "?org=CA-T1&rule=LIFE&period=2025&severity=error", [2]),
]


@pytest.mark.parametrize(("name", "query", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_plat_04_findings_api_filters(checked, client_for, name, query, expected):
    keys = _keys(client_for(checked.users["county_viewer"]), query)
    assert keys == _expected(checked, [ALL_A[i] for i in TREE_ORDER if i in expected])


def test_plat_04_findings_api_pages_in_a_stable_order(checked, client_for):
    client = client_for(checked.users["county_viewer"])
    every = _keys(client)
    pages = [_get(client, f"/api/findings?limit=4&offset={n}")[1] for n in (0, 4)]
    assert [p["count"] for p in pages] == [6, 6]
    assert [i["key"] for p in pages for i in p["items"]] == every
    assert _keys(client, "?limit=2&offset=1") == every[1:3]


def test_plat_04_findings_api_takes_each_root_from_its_latest_run(checked, client_for):
    """A later run of the town replaces the city run's findings there, as on the pages."""
    later = _run(
        checked.town_a,
        findings=[("ORG-03", checked.branch_a, None, "2025", "error")],
        as_of=dt.date(2026, 2, 1),
    )
    client = client_for(checked.users["secretary"])
    status, data = _get(client, "/api/findings")
    assert status == 200
    assert [(i["key"], i["run_id"], i["run_as_of"]) for i in data["items"]] == [
        ("ORG-03|CA-T1-B1|-|2025", later.pk, "2026-02-01")
    ]
    assert _get(client, _url("ORG-03|CA-T1-B1|-|2025"))[1]["run_id"] == later.pk
    assert _get(client, _url(_expected(checked, [ALL_A[1]])[0]))[0] == 404


def test_plat_04_findings_api_without_scope_is_empty(checked, client_for):
    for user in ["nobody", "member"]:
        assert _get(client_for(checked.users[user]), "/api/findings") == (
            200,
            {"items": [], "count": 0},
        )


def test_plat_04_findings_api_city_admin_sees_every_county(checked, client_for):
    keys = _keys(client_for(checked.users["city_admin"]), "?rule=ORG-03")
    assert keys == ["ORG-03|CA-T1-B1|-|2025", "ORG-03|CB-T1-B1|-|2025"]


# --- scope: out of reach reads like missing ----------------------------------------------


@pytest.mark.parametrize("user", ["secretary", "county_viewer", "member", "nobody"])
def test_plat_01_findings_api_out_of_scope_org_answers_like_a_missing_one(
    checked, client_for, user
):
    client = client_for(checked.users[user])
    outside = _get(client, "/api/findings?org=CB-T1-B1")
    missing = _get(client, "/api/findings?org=NOPE")
    assert outside == missing == (404, {"detail": "没有找到该党组织，或不在您的管辖范围内"})


@pytest.mark.parametrize("user", ["secretary", "county_viewer", "member", "nobody"])
def test_plat_01_findings_api_out_of_scope_key_answers_like_a_missing_one(
    checked, client_for, user
):
    client = client_for(checked.users[user])
    outside = _get(client, _url("ORG-03|CB-T1-B1|-|2025"))
    no_org = _get(client, _url("ORG-03|NOPE|-|2025"))
    no_finding = _get(client, _url("ORG-05|CA-T1-B1|-|2025"))
    body = (404, {"detail": "没有找到该问题，或不在您的管辖范围内"})
    assert outside == no_org == no_finding == body


# --- one finding by its key --------------------------------------------------------------


def test_plat_04_findings_api_key_lookup_returns_the_listed_finding(checked, client_for):
    client = client_for(checked.users["county_viewer"])
    _status, data = _get(client, "/api/findings")
    for item in data["items"]:
        assert _get(client, _url(item["key"])) == (200, item)


def test_plat_04_findings_api_key_lookup_takes_a_plain_separator(checked, client_for):
    client = client_for(checked.users["secretary"])
    status, data = _get(client, "/api/findings/ORG-03|CA-T1-B1|-|2025")
    assert (status, data["rule"], data["org"]) == (200, "ORG-03", "CA-T1-B1")


KEY_MISSES = [
    ("other_member", "LIFE-04|CA-T1-B1|999999|2025"),
    ("member_on_an_org_finding", "ORG-03|CA-T1-B1|{member_a}|2025"),
    ("no_member_on_a_member_finding", "LIFE-04|CA-T1-B1|-|2025"),
    ("other_period", "ORG-03|CA-T1-B1|-|2024"),
    ("period_is_exact", "LIFE-01|CA-T1-B1|-|2025"),
    ("other_org", "ORG-03|CA-T1-B2|-|2025"),
]


@pytest.mark.parametrize(("name", "key"), KEY_MISSES, ids=[k[0] for k in KEY_MISSES])
def test_plat_04_findings_api_key_lookup_matches_every_part(checked, client_for, name, key):
    client = client_for(checked.users["county_viewer"])
    [path] = _expected(checked, [key])
    assert _get(client, _url(path))[0] == 404


# --- bad input ---------------------------------------------------------------------------

BAD = [
    ("period_format", "/api/findings?period=2025H1", "period", "期间格式应为"),
    ("period_month", "/api/findings?period=2025-13", "period", "月份应为 01–12"),
    ("period_year_zero", "/api/findings?period=0000", "period", "期间的年份应在 1900–2100"),
    ("period_year_far", "/api/findings?period=9999-12", "period", "期间的年份应在 1900–2100"),
    ("rule_unknown", "/api/findings?rule=NOPE-01", "rule", "没有编号为“NOPE-01”的规则"),
    ("rule_part_of_a_group", "/api/findings?rule=LI", "rule", "没有编号为“LI”的规则"),
    ("severity", "/api/findings?severity=fatal", "severity", "取值无效"),
    ("limit_too_big", "/api/findings?limit=501", "limit", "不能大于 500"),
    ("limit_zero", "/api/findings?limit=0", "limit", "不能小于 1"),
    ("offset_negative", "/api/findings?offset=-1", "offset", "不能小于 0"),
    ("key_parts", "/api/findings/ORG-03%7CCA-T1-B1", "key", "问题标识应写成"),
    ("key_empty_part", "/api/findings/ORG-03%7C%7C-%7C2025", "key", "问题标识应写成"),
    (
        "key_member",
        "/api/findings/ORG-03%7CCA-T1-B1%7Cx%7C2025",
        "key",
        "问题标识中的党员ID应为数字",
    ),
    ("key_member_huge", f"/api/findings/O%7CCA%7C{2**64}%7C2025", "key", "问题标识中的党员ID过大"),
    ("key_period", "/api/findings/ORG-03%7CCA-T1-B1%7C-%7C2025-7", "key", "期间格式应为"),
    ("key_year", "/api/findings/ORG-03%7CCA-T1-B1%7C-%7C0000", "key", "期间的年份应在"),
]


@pytest.mark.parametrize(("name", "path", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_plat_04_findings_api_bad_input_is_422_in_chinese(
    checked, client_for, name, path, field, message
):
    status, data = _get(client_for(checked.users["county_viewer"]), path)
    assert status == 422, data
    assert data["detail"] == "数据校验未通过"
    assert data["errors"][field][0].startswith(message), data


def test_plat_04_findings_api_refuses_nul(checked, client_for):
    client = client_for(checked.users["county_viewer"])
    assert client.get("/api/findings?org=CA%00").status_code == 400
    assert client.get("/api/findings/ORG-03%7CCA%00%7C-%7C2025").status_code == 422


def test_plat_04_findings_api_needs_login(client, checked):
    assert client.get("/api/findings").status_code == 401
    assert client.get(_url("ORG-03|CA-T1-B1|-|2025")).status_code == 401


# --- the query functions the supervision app reuses --------------------------------------


def test_plat_04_finding_key_round_trips():
    assert finding_key("LIFE-04", "CA-T1-B1", 12, "2025-H1") == "LIFE-04|CA-T1-B1|12|2025-H1"
    assert finding_key("ORG-03", "CA", None, "2025") == "ORG-03|CA|-|2025"
    assert parse_finding_key("LIFE-04|CA-T1-B1|12|2025-H1") == FindingKey(
        "LIFE-04", "CA-T1-B1", 12, "2025-H1"
    )
    assert str(FindingKey("ORG-03", "CA", None, "2025")) == "ORG-03|CA|-|2025"


def test_plat_04_finding_by_key_is_scoped(checked):
    args = ("LIFE-04", "CA-T1-B1", checked.member_a.pk, "2025")
    finding = finding_by_key(checked.users["county_viewer"], *args)
    assert finding is not None and finding.member == checked.member_a
    assert finding_by_key(checked.users["outsider"], *args) is None
    assert finding_by_key(checked.users["nobody"], *args) is None
    assert (
        finding_by_key(checked.users["county_viewer"], "ORG-03", "CB-T1-B1", None, "2025") is None
    )
