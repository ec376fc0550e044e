"""The subtree overview by meeting kind and the yearly plan pages (LIFE-02, LIFE-03,
LIFE-05): counts, sorting, scope, exports and the "生成计划会议" button."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.factories import make_org
from xianfeng.core.models import ExportRecord
from xianfeng.lib.dates import today
from xianfeng.orglife import domain
from xianfeng.orglife.models import Meeting

pytestmark = pytest.mark.django_db
D = dt.date


def _held(org, kind: str, *days: dt.date) -> None:
    for day in days:
        domain.record_meeting(org=org, kind=kind, topic="t", held_on=day)


def _cells(html: str, name: str) -> dict[str, str]:
    """{kind: "held / required" (+ " red")} of the row whose org is `name`."""
    row = re.search(rf"<tr>\s*<td><a [^>]*>{name}</a>.*?</tr>", html, re.S)
    assert row, name
    found = {}
    for css, kind, text in re.findall(
        r'<td class="text-center([^"]*)" data-kind="(\w+)"[^>]*>([^<]*)</td>', row[0]
    ):
        found[kind] = text.strip() + (" red" if "table-danger" in css else "")
    return found


@pytest.fixture
def year_2024(tree):
    _held(tree.branch_a, "theme_day", D(2024, 1, 5), D(2024, 2, 5), D(2024, 3, 5))
    _held(tree.branch_a, "general_meeting", D(2024, 3, 20))
    _held(tree.group_a, "party_group_meeting", D(2024, 1, 10))
    _held(tree.branch_a2, "life_meeting", D(2025, 1, 15))  # for_period 2025: not 2024's
    return tree


def test_overview_counts_held_vs_required_per_child(client_for, year_2024):
    tree = year_2024
    response = client_for(tree.users["county_officer"]).get("/orglife/CA-T1/overview/?period=2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert _cells(html, "青山村党支部") == {
        "general_meeting": "1 / 4 red",
        "party_group_meeting": "1 / 12 red",
        "theme_day": "3 / 12 red",
        "party_lesson": "0 / 1 red",
        "life_meeting": "0 / 1 red",
    }
    assert _cells(html, "绿水村党支部") == {
        "general_meeting": "0 / 4 red",
        "party_group_meeting": "—",
        "theme_day": "0 / 12 red",
        "party_lesson": "0 / 1 red",
        "life_meeting": "0 / 1 red",
    }


def test_overview_children_sum_their_subtrees(client_for, year_2024):
    tree = year_2024
    html = client_for(tree.users["city_admin"]).get("/orglife/CA/overview/?period=2024-Q1")
    cells = _cells(html.content.decode(), "青山镇党委")
    assert cells["theme_day"] == "3 / 6 red"  # 3 + 0 of 3 months × 2 branches
    assert cells["general_meeting"] == "1 / 2 red"
    assert "life_meeting" not in cells  # a yearly meeting is not due in a quarter


def test_overview_all_branches_sorted_by_shortfall(client_for, year_2024):
    client = client_for(year_2024.users["county_viewer"])
    url = "/orglife/CA/overview/?period=2024&rows=branches&sort="
    first = client.get(url + "-theme_day").content.decode()
    assert first.index("绿水村党支部") < first.index("青山村党支部")
    second = client.get(url + "theme_day").content.decode()
    assert second.index("青山村党支部") < second.index("绿水村党支部")


def test_overview_out_of_subtree_is_404(client_for, tree):
    assert (
        client_for(tree.users["county_viewer"]).get("/orglife/CB-T1/overview/").status_code == 404
    )
    secretary = client_for(tree.users["secretary"])
    assert secretary.get("/orglife/CA-T1/overview/?period=2024").status_code == 404
    assert secretary.get("/orglife/CA-T1/overview/export/?period=2024").status_code == 404
    assert secretary.get("/orglife/CA-T1-B1/overview/?period=2024").status_code == 200


def test_overview_export(client_for, year_2024):
    tree = year_2024
    user = tree.users["county_viewer"]
    response = client_for(user).get("/orglife/CA-T1/overview/export/?period=2024")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == [
        "组织编码",
        "组织名称",
        "党员大会已开",
        "党员大会至今应开",
        "党员大会全期应开",
        "党员大会缺",
    ]
    assert [row[:6] for row in rows[1:]] == [
        ["CA-T1-B1", "青山村党支部", 1, 4, 4, 3],
        ["CA-T1-B2", "绿水村党支部", 0, 4, 4, 4],
    ]
    record = ExportRecord.objects.get()
    assert (record.kind, record.org, record.user, record.rows) == (
        "life_overview",
        tree.town_a,
        user,
        2,
    )


def test_overview_queries_do_not_grow_with_the_subtree(client_for, tree):
    client = client_for(tree.users["city_admin"])
    url = "/orglife/CA/overview/?period=2024&rows=branches"
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(5):
        make_org(tree.town_a, kind="branch")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


# --- the yearly plan page ----------------------------------------------------------------


def test_plan_page_shows_months_and_states(client_for, year_2024):
    tree = year_2024
    html = client_for(tree.users["county_viewer"]).get("/orglife/CA-T1-B1/plan/2024/")
    text = html.content.decode()
    assert html.status_code == 200
    assert 'id="month-12"' in text
    assert text.count('data-state="done"') == 5  # 3 theme days, Q1 meeting, January group
    assert "生成计划会议" not in text  # a viewer cannot write


def test_plan_generate_button_is_idempotent(client_for, tree):
    year = today().year + 1
    client = client_for(tree.users["secretary"])
    assert "生成计划会议" in client.get(f"/orglife/CA-T1-B1/plan/{year}/").content.decode()
    url = f"/orglife/CA-T1-B1/plan/{year}/generate/"
    assert client.post(url).status_code == 302
    planned = Meeting.objects.filter(status="planned").count()
    assert planned == 4 + 12 + 1 + 1 + 12  # general, theme days, lesson, life meeting, group
    assert client.post(url).status_code == 302
    assert Meeting.objects.filter(status="planned").count() == planned
    viewer = client_for(tree.users["county_viewer"])
    assert viewer.post(url).status_code == 403


def test_plan_export(client_for, year_2024):
    response = client_for(year_2024.users["secretary"]).get("/orglife/CA-T1-B1/plan/2024/export/")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("组织编码", "组织名称", "会议类型", "期间")
    assert len(rows) == 1 + 4 + 12 + 1 + 1 + 12
    assert [(*row[:4], row[4].date()) for row in rows[1:3]] == [
        ("CA-T1-B1-G1", "第一党小组", "党小组会", "2024年1月", D(2024, 1, 31)),
        ("CA-T1-B1", "青山村党支部", "主题党日", "2024年1月", D(2024, 1, 31)),
    ]
