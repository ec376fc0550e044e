"""Party-affairs records (LIFE-07 党务公开, LIFE-08 思想状况分析): domain validation, the
org's page, the API, the import sheet 党务公开 (all-or-nothing) and its export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.core.test_importing import xlsx
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import
from xianfeng.lib.dates import today
from xianfeng.orglife import domain
from xianfeng.orglife.importers import clean_affairs_period
from xianfeng.orglife.models import AffairsRecord

pytestmark = pytest.mark.django_db
D = dt.date


JUNE_28 = D(2025, 6, 28)


def _record(org, kind="affairs_disclosure", period="2025-06", done_on=JUNE_28, **more):
    return domain.record_affairs(
        org=org, kind=kind, period=period, done_on=done_on, summary="公开6月党费收缴情况", **more
    )


# --- domain ----------------------------------------------------------------------------------


def test_life_07_record_affairs_saves_and_keeps_history(tree):
    record = _record(tree.branch_a)
    assert (record.org, record.kind, record.period) == (
        tree.branch_a,
        "affairs_disclosure",
        "2025-06",
    )
    assert record.history.count() == 1


ERROR_CASES = [
    # (case, fields, field, message)
    ("month expected", {"period": "2025"}, "period", "党务公开的所属期间应为月份，如 2025-06"),
    (
        "quarter is no shape",
        {"period": "2025-Q2"},
        "period",
        "党务公开的所属期间应为月份，如 2025-06",
    ),
    (
        "half expected",
        {"kind": "report_to_members", "period": "2025-06"},
        "period",
        "向全体党员通报党建工作的所属期间应为半年，如 2025-H1",
    ),
    (
        "year expected",
        {"kind": "report_upward", "period": "2025-H2"},
        "period",
        "向上级党组织书面报告的所属期间应为年度，如 2025",
    ),
    ("garbage period", {"period": "六月"}, "period", "党务公开的所属期间应为月份，如 2025-06"),
    (
        "done before the period",
        {"done_on": D(2025, 5, 31)},
        "done_on",
        "完成日期不能早于所属期间的开始（2025-06-01）",
    ),
    (
        "done in the future",
        # a year ahead: the list is built at collection, maybe the day before the run
        {"done_on": today() + dt.timedelta(days=366)},
        "done_on",
        "完成日期不能晚于今天",
    ),
    ("empty summary", {"summary": "  "}, "summary", "请填写内容摘要"),
    ("unknown kind", {"kind": "speech"}, "kind", "未知的党务工作类型“speech”"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES]
)
def test_life_07_record_affairs_refuses(tree, case, fields, field, message):
    data = {
        "kind": "affairs_disclosure",
        "period": "2025-06",
        "done_on": D(2025, 6, 28),
        "summary": "公开",
    }
    with pytest.raises(ValidationError) as info:
        domain.record_affairs(org=tree.branch_a, **{**data, **fields})
    assert info.value.message_dict == {field: [message]}


def test_life_07_one_record_per_org_kind_and_period(tree):
    _record(tree.branch_a)
    with pytest.raises(ValidationError) as info:
        _record(tree.branch_a, done_on=D(2025, 7, 2))
    assert info.value.message_dict == {
        "period": ["青山村党支部已登记2025-06的党务公开，请修改原记录"]
    }
    _record(tree.branch_a2)  # another org may


def test_life_07_party_group_records_nothing(tree):
    with pytest.raises(ValidationError) as info:
        _record(tree.group_a)
    assert info.value.message_dict == {"org": ["党小组不单独登记党务工作记录，请在所在党支部登记"]}


def test_life_07_attachment_limited_like_meeting_attachments(tree):
    script = SimpleUploadedFile("公开.exe", b"MZ")
    with pytest.raises(ValidationError) as info:
        _record(tree.branch_a, file=script)
    assert info.value.message_dict == {"file": ["只能上传 jpg、png、pdf、docx 或 xlsx 文件"]}
    photo = SimpleUploadedFile("公开栏.jpg", b"\xff\xd8\xff\xe0")
    assert _record(tree.branch_a, file=photo).file.name.endswith(".jpg")


def test_life_07_update_and_delete(tree):
    record = _record(tree.branch_a)
    domain.update_affairs(record, summary="改为公开7月", done_on=D(2025, 7, 3))
    record.refresh_from_db()
    assert (record.summary, record.done_on) == ("改为公开7月", D(2025, 7, 3))
    with pytest.raises(ValidationError):
        domain.update_affairs(record, org=tree.branch_a2)
    domain.delete_affairs(record)
    assert not AffairsRecord.objects.exists()


# --- the page ----------------------------------------------------------------------------------


def test_life_07_page_shows_the_year_slot_by_slot(client_for, tree):
    _record(tree.branch_a)
    client = client_for(tree.users["secretary"])
    response = client.get("/orglife/CA-T1-B1/affairs/?year=2025")
    slots = response.context["slots"]
    assert len(slots) == 16
    assert [s["period"] for s in slots if s["record"]] == ["2025-06"]
    body = response.content.decode()
    assert "公开6月党费收缴情况" in body and "未登记" in body


def test_life_07_orglife_pages_link_to_affairs(client_for, tree):
    body = client_for(tree.users["secretary"]).get("/orglife/CA-T1-B1/meetings/").content.decode()
    assert "/orglife/CA-T1-B1/affairs/" in body


def test_life_07_secretary_adds_a_record_on_the_page(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {"kind": "report_to_members", "period": "2025-H1", "done_on": "2025-07-05"}
    response = client.post("/orglife/CA-T1-B1/affairs/", {**data, "summary": "上半年通报"})
    assert response.status_code == 302
    assert response["Location"] == "/orglife/CA-T1-B1/affairs/?year=2025"
    assert AffairsRecord.objects.get().period == "2025-H1"
    refused = client.post("/orglife/CA-T1-B1/affairs/", {**data, "period": "2025", "summary": "x"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["period"] == [
        "向全体党员通报党建工作的所属期间应为半年，如 2025-H1"
    ]


def test_life_07_viewer_sees_but_cannot_add_or_delete(client_for, tree):
    record = _record(tree.branch_a)
    client = client_for(tree.users["county_viewer"])
    page = client.get("/orglife/CA-T1-B1/affairs/?year=2025")
    assert page.status_code == 200 and page.context["can_edit"] is False
    assert client.post(f"/orglife/affairs/{record.pk}/delete/").status_code == 403
    assert AffairsRecord.objects.count() == 1


# --- the API -----------------------------------------------------------------------------------


def test_life_07_api_create_and_list(client_for, tree):
    client = client_for(tree.users["secretary"])
    payload = {
        "kind": "ideological_analysis",
        "period": "2025",
        "done_on": "2025-11-20",
        "summary": "年度思想状况分析",
    }
    created = client.post(
        "/api/orglife/orgs/CA-T1-B1/affairs", payload, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["kind_label"] == "思想状况分析"
    listed = client.get("/api/orglife/orgs/CA-T1-B1/affairs?year=2025").json()
    assert [(r["kind"], r["period"]) for r in listed] == [("ideological_analysis", "2025")]
    again = client.post(
        "/api/orglife/orgs/CA-T1-B1/affairs", payload, content_type="application/json"
    )
    assert again.status_code == 422
    assert client.get("/api/orglife/orgs/CB-T1-B1/affairs").status_code == 404


# --- import and export --------------------------------------------------------------------------

HEADER = ["党组织", "类型", "所属期间", "完成日期", "内容摘要"]


def _sheets(*rows) -> dict[str, list[list]]:
    return {"党务公开": [HEADER, *rows]}


GOOD = [
    ["CA-T1-B1", "党务公开", "2025-06", "2025-06-28", "公开6月党务"],
    ["CA-T1-B1", "月度党务公开", "2025年7月", "2025-07-30", "公开7月党务"],
    ["CA-T1-B1", "半年通报", "2025年上半年", "2025-07-05", "上半年通报"],
    ["CA-T1-B2", "向上级报告", 2025, "2026-01-10", "年度书面报告"],
]


def test_life_07_import_creates_and_reimport_changes_nothing(tmp_path, tree):
    path = xlsx(tmp_path / "a.xlsx", _sheets(*GOOD))
    assert run_import(path).counts == {"affairs": {"created": 4, "updated": 0, "unchanged": 0}}
    assert sorted(AffairsRecord.objects.values_list("org__code", "kind", "period")) == [
        ("CA-T1-B1", "affairs_disclosure", "2025-06"),
        ("CA-T1-B1", "affairs_disclosure", "2025-07"),
        ("CA-T1-B1", "report_to_members", "2025-H1"),
        ("CA-T1-B2", "report_upward", "2025"),
    ]
    before = AffairsRecord.history.count()
    assert run_import(path).counts == {"affairs": {"created": 0, "updated": 0, "unchanged": 4}}
    changed = [list(row) for row in GOOD]
    changed[0][4] = "公开6月党务和党费"
    result = run_import(xlsx(tmp_path / "b.xlsx", _sheets(*changed)))
    assert result.counts == {"affairs": {"created": 0, "updated": 1, "unchanged": 3}}
    assert AffairsRecord.history.count() == before + 1


def test_life_07_import_is_all_or_nothing_with_row_errors(tmp_path, tree):
    rows = [
        *GOOD,
        ["CA-T1-B1", "党务公开", "2025-06", "2025-06-29", "重复"],
        ["CA-T1-B1", "向全体党员通报", "2025", "2025-07-05", "期间不对"],
        ["CB-T1-B1", "党务公开", "2025-06", "2025-06-28", "辖区外"],
        ["CA-T1-B1", "党务公开", "2025-13", "2025-06-28", "月份不对"],
    ]
    with pytest.raises(ImportFailed) as info:
        run_import(xlsx(tmp_path / "bad.xlsx", _sheets(*rows)), by=tree.users["county_officer"])
    errors = sorted((e.row, e.column, e.message) for e in info.value.errors)
    assert errors == [
        (6, "所属期间", "与第 2 行重复"),
        (7, "所属期间", "向全体党员通报党建工作的所属期间应为半年，如 2025-H1"),
        (8, "党组织", "找不到党组织“CB-T1-B1”（请填编码或完整名称路径）"),  # like a missing one
        (9, "所属期间", "所属期间应为 2025-06、2025-H1 或 2025，实际为“2025-13”"),
    ]
    assert not AffairsRecord.objects.exists()


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2025-06", "2025-06"),
        ("2025.6", "2025-06"),
        ("2025年6月", "2025-06"),
        (D(2025, 6, 1), "2025-06"),
        ("2025-h1", "2025-H1"),
        ("2025年下半年", "2025-H2"),
        (2025, "2025"),
        (2025.0, "2025"),
        ("2025年度", "2025"),
    ],
)
def test_life_07_import_reads_periods(cell, period):
    assert clean_affairs_period(cell) == period


def test_life_07_export_reimports(tmp_path, tree):
    run_import(xlsx(tmp_path / "a.xlsx", _sheets(*GOOD)))
    target = tmp_path / "affairs.xlsx"
    record = export(kind="affairs", target=target, user=tree.users["secretary"])
    assert record.rows == 3  # CA-T1-B2 lies outside the branch secretary's scope
    sheet = load_workbook(target)["党务公开"]
    assert [c.value for c in sheet[1]] == HEADER
    assert run_import(target).counts == {"affairs": {"created": 0, "updated": 0, "unchanged": 3}}
