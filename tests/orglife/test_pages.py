"""Organizational-life pages and API (LIFE-01, LIFE-03, LIFE-04, LIFE-06)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_member, make_org
from xianfeng.lib.dates import today
from xianfeng.orglife import domain
from xianfeng.orglife.models import Attendance, LeaveRequest, Meeting

pytestmark = pytest.mark.django_db
D = dt.date
NO_QUORUM = "会议未达到法定人数，不计入党员大会次数"


def _held(org, kind="theme_day", **fields):
    return domain.record_meeting(
        org=org, kind=kind, topic="学习党章", held_on=D(2025, 6, 5), attendance={}, **fields
    )


def _planned(tree, days=5):
    return domain.record_meeting(
        org=tree.branch_a,
        kind="theme_day",
        topic="七一主题党日",
        planned_on=today() + dt.timedelta(days=days),
    )


def test_life_01_list_filters_by_kind(client_for, tree):
    _held(tree.branch_a)
    _held(tree.branch_a, kind="general_meeting")
    client = client_for(tree.users["secretary"])
    body = client.get("/orglife/CA-T1-B1/meetings/?kind=general_meeting").content.decode()
    assert "党员大会" in body and "主题党日</strong>" not in body
    assert client.get("/orglife/CA-T1-B1/meetings/?year=2024").context["meetings"] == []


def test_life_01_org_page_links_to_meetings(client_for, tree):
    body = client_for(tree.users["secretary"]).get("/orgs/CA-T1-B1/").content.decode()
    assert "/orglife/CA-T1-B1/meetings/" in body


def test_life_01_secretary_records_meeting_with_attachment(client_for, tree):
    client = client_for(tree.users["secretary"])
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0", content_type="image/jpeg")
    response = client.post(
        "/orglife/CA-T1-B1/meetings/new/",
        {
            "kind": "general_meeting",
            "status": "held",
            "held_on": "2025-06-05",
            "topic": "支部党员大会",
            "host": tree.member_a.pk,
            "attachment": photo,
        },
    )
    meeting = Meeting.objects.get(topic="支部党员大会")
    assert response.status_code == 302
    assert response["Location"] == f"/orglife/meetings/{meeting.pk}/"
    assert (meeting.host, meeting.attachments.get().name) == (tree.member_a, "现场.jpg")
    assert list(meeting.attendance.values_list("status", flat=True)) == ["absent"]


def test_life_01_form_shows_chinese_field_errors(client_for, tree):
    client = client_for(tree.users["secretary"])
    future = (today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        "/orglife/CA-T1-B1/meetings/new/",
        {"kind": "theme_day", "status": "held", "held_on": future, "topic": "t"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "held_on": ["召开日期不能晚于今天；尚未召开的会议请填写计划日期"]
    }


def test_life_01_form_rejects_bad_attachment(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        "/orglife/CA-T1-B1/meetings/new/",
        {
            "kind": "theme_day",
            "status": "planned",
            "planned_on": "2030-01-05",
            "topic": "t",
            "attachment": SimpleUploadedFile("a.exe", b"MZ"),
        },
    )
    assert response.context["form"].errors == {
        "attachment": ["只能上传 jpg、png、pdf、docx 或 xlsx 文件"]
    }
    assert Meeting.objects.count() == 0


def test_life_01_edit_meeting(client_for, tree):
    meeting = _held(tree.branch_a)
    client = client_for(tree.users["secretary"])
    data = {"kind": "theme_day", "held_on": "2025-06-05", "topic": "新主题", "place": "村部"}
    response = client.post(f"/orglife/meetings/{meeting.pk}/edit/", data)
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.topic, meeting.place) == ("新主题", "村部")


def test_life_01_viewer_may_read_not_write(client_for, tree):
    meeting = _held(tree.branch_a)
    client = client_for(tree.users["county_viewer"])
    assert client.get(f"/orglife/meetings/{meeting.pk}/").status_code == 200
    assert client.get("/orglife/CA-T1-B1/meetings/new/").status_code == 403
    posted = client.post(
        f"/orglife/meetings/{meeting.pk}/attendance/",
        {"member": tree.member_a.pk, "status": "present"},
    )
    assert posted.status_code == 403


def test_life_01_out_of_scope_is_404(client_for, tree):
    meeting = _held(tree.branch_b)
    client = client_for(tree.users["secretary"])
    assert client.get(f"/orglife/meetings/{meeting.pk}/").status_code == 404
    assert client.get("/orglife/CB-T1-B1/meetings/").status_code == 404
    assert client.get("/api/orglife/orgs/CB-T1-B1/meetings").status_code == 404


def test_life_01_attendance_toggle_saves_each_tap(client_for, tree):
    meeting = _held(tree.branch_a)
    client = client_for(tree.users["secretary"])
    page = client.get(f"/orglife/meetings/{meeting.pk}/attendance/").content.decode()
    assert "免于参加" in page and 'name="status" value="present"' in page
    response = client.post(
        f"/orglife/meetings/{meeting.pk}/attendance/",
        {"member": tree.member_a.pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert Attendance.objects.get(meeting=meeting).status == "present"


def test_life_01_planned_meeting_held_then_attendance(client_for, tree):
    meeting = _planned(tree, days=0)
    client = client_for(tree.users["secretary"])
    response = client.post(f"/orglife/meetings/{meeting.pk}/hold/", {"held_on": today()})
    assert response["Location"] == f"/orglife/meetings/{meeting.pk}/attendance/"
    assert list(meeting.attendance.values_list("status", flat=True)) == ["absent"]


def _general(tree, full, probationary, present):
    branch = make_org(tree.town_a, kind="branch", code="CA-T1-B9")
    fulls = [make_member(branch, joined_on=D(2010, 1, 1)) for _ in range(full)]
    for _ in range(probationary):
        make_member(branch, status="probationary", joined_on=D(2025, 1, 1))
    came = {m.pk: "present" for m in fulls[:present]}
    return domain.record_meeting(
        org=branch, kind="general_meeting", topic="t", held_on=D(2025, 6, 5), attendance=came
    )


def test_life_01_quorum_not_reached_shown(client_for, tree):
    meeting = _general(tree, full=10, probationary=0, present=5)
    body = client_for(tree.users["county_viewer"]).get(f"/orglife/meetings/{meeting.pk}/")
    text = body.content.decode()
    assert NO_QUORUM in text and "有表决权的党员 10 名，到会 5 名" in text


def test_life_01_quorum_reached_with_probationary_members(client_for, tree):
    meeting = _general(tree, full=10, probationary=4, present=6)
    text = client_for(tree.users["county_viewer"]).get(f"/orglife/meetings/{meeting.pk}/")
    body = text.content.decode()
    assert NO_QUORUM not in body and "已达到法定人数" in body
    assert "有表决权的党员 10 名，到会 6 名" in body


def test_life_04_member_asks_leave_and_secretary_approves(client_for, tree, client):
    meeting = _planned(tree)
    member_client = client_for(tree.users["member"])
    page = member_client.get("/orglife/my/").content.decode()
    assert "七一主题党日" in page
    response = member_client.post(f"/orglife/my/{meeting.pk}/leave/", {"reason": "外出务工"})
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert (leave.member, leave.status) == (tree.member_a, "pending")
    secretary = client_for(tree.users["secretary"])
    assert "外出务工" in secretary.get("/orglife/CA-T1-B1/leave/").content.decode()
    secretary.post(f"/orglife/leave/{leave.pk}/decide/", {"approve": "1"})
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == ("approved", tree.users["secretary"])


def test_life_04_member_cannot_ask_for_other_branch(client_for, tree):
    other = domain.record_meeting(
        org=tree.branch_a2, kind="theme_day", topic="t", planned_on=today() + dt.timedelta(5)
    )
    client = client_for(tree.users["member"])
    assert client.post(f"/orglife/my/{other.pk}/leave/", {"reason": "x"}).status_code == 404
    assert client_for(tree.users["secretary"]).get("/orglife/my/").status_code == 404


def test_life_04_leave_without_reason_refused(client_for, tree):
    meeting = _planned(tree)
    response = client_for(tree.users["member"]).post(f"/orglife/my/{meeting.pk}/leave/", {})
    assert response.status_code == 400
    assert LeaveRequest.objects.count() == 0


def test_life_04_exemption_recorded_and_approved(client_for, tree):
    client = client_for(tree.users["secretary"])
    client.post(
        "/orglife/CA-T1-B1/exemptions/",
        {
            "member": tree.member_a.pk,
            "kind": "theme_day",
            "reason": "年老体弱",
            "starts_on": "2025-01-01",
        },
    )
    exemption = tree.member_a.exemptions.get()
    client.post(f"/orglife/exemptions/{exemption.pk}/decide/", {"approve": "1"})
    exemption.refresh_from_db()
    assert exemption.status == "approved"


def test_life_03_calendar_shows_meetings_and_due_day(client_for, tree):
    from xianfeng.compliance.domain import attach_policy, save_policy
    from xianfeng.compliance.policy import SHIPPED

    text = (SHIPPED / "004_gaibei_town.toml").read_text(encoding="utf-8")
    attach_policy(policy=save_policy(text=text), org=tree.county_a)
    _held(tree.branch_a)
    client = client_for(tree.users["secretary"])
    body = client.get("/orglife/CA-T1-B1/calendar/?month=2025-06").content.decode()
    assert "2025年6月组织生活" in body and "主题党日" in body
    assert "本月主题党日应于 6月5日 开展" in body
    october = client.get("/orglife/CA-T1-B1/calendar/?month=2024-10").content.decode()
    assert "固定日 10月5日 非工作日" in october


def test_life_06_town_publishes_material_and_sees_usage(client_for, tree):
    client = client_for(tree.users["city_admin"])
    response = client.post(
        "/orglife/CA-T1/materials/",
        {"month": "2025-06", "title": "学习党章", "file": SimpleUploadedFile("课件.pdf", b"%PDF")},
    )
    assert response.status_code == 302
    material = tree.town_a.lesson_materials.get()
    _held(tree.branch_a, kind="party_lesson", material=material)
    branch_view = client_for(tree.users["secretary"]).get("/orglife/CA-T1-B1/materials/")
    assert "学习党章" in branch_view.content.decode()
    usage = client.get(f"/orglife/materials/{material.pk}/").content.decode()
    assert "青山村党支部" in usage


# --- API ---------------------------------------------------------------------------------


def test_life_01_api_create_and_get_meeting(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {
            "kind": "general_meeting",
            "topic": "党员大会",
            "held_on": "2025-06-05",
            "host": "MA1",
            "attendance": {"MA1": "present"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    data = client.get(f"/api/orglife/meetings/{response.json()['id']}").json()
    assert data["host"] == "MA1"
    assert data["attendance"] == [
        {"member": "MA1", "name": "张三", "status": "present", "voting": True}
    ]
    assert data["quorum"] == {"voters": 1, "present": 1, "reached": True}


def test_life_01_api_validation_is_422(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {"kind": "party_group_meeting", "topic": "t", "held_on": "2025-06-05"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"kind": ["党支部不召开党小组会"]}


LATE_REASON = (
    "会议日期2025-03-05不在所属期间2024内，也不在其补开期限（2025-02-28前）内，请填写跨期登记原因"
)
FUTURE_PERIOD = "所属期间2026尚未开始（2026-01-01起），2025-12-20的会议不能计入以后的期间"
LIFE_05_ENTRY = [
    # (case, held_on, for_period, period_reason, errors)
    ("late without a reason", "2025-03-05", "2024", "", {"period_reason": [LATE_REASON]}),
    ("future year", "2025-12-20", "2026", "", {"for_period": [FUTURE_PERIOD]}),
    ("late with a reason", "2025-03-05", "2024", "书记住院", None),
]


@pytest.mark.parametrize(
    ("case", "held_on", "for_period", "reason", "errors"),
    LIFE_05_ENTRY,
    ids=[c[0] for c in LIFE_05_ENTRY],
)
def test_life_05_form_and_api_judge_the_for_period_alike(
    client_for, tree, case, held_on, for_period, reason, errors
):
    client = client_for(tree.users["secretary"])
    fields = {"kind": "life_meeting", "topic": "组织生活会", "held_on": held_on}
    fields |= {"for_period": for_period, "period_reason": reason}
    form = client.post("/orglife/CA-T1-B1/meetings/new/", {**fields, "status": "held"})
    api = client.post(
        "/api/orglife/orgs/CA-T1-B1/meetings", fields, content_type="application/json"
    )
    if errors is None:
        assert (form.status_code, api.status_code) == (302, 201)
        assert api.json()["period_reason"] == reason
        page = client.get(form["Location"]).content.decode()
        assert "跨期登记原因" in page and reason in page
    else:
        assert form.context["form"].errors == errors
        assert (api.status_code, api.json()["errors"]) == (422, errors)
        assert Meeting.objects.count() == 0


def test_life_01_api_attendance_and_leave(client_for, tree):
    meeting = _held(tree.branch_a)
    client = client_for(tree.users["secretary"])
    response = client.post(
        f"/api/orglife/meetings/{meeting.pk}/attendance",
        {"member": "MA1", "status": "leave"},
        content_type="application/json",
    )
    assert response.json()["attendance"][0]["status"] == "leave"
    planned = _planned(tree)
    asked = client_for(tree.users["member"]).post(
        f"/api/orglife/meetings/{planned.pk}/leave",
        {"reason": "生病"},
        content_type="application/json",
    )
    assert asked.status_code == 201
    decided = client_for(tree.users["secretary"]).post(
        f"/api/orglife/leave/{asked.json()['id']}/decide",
        {"approve": False},
        content_type="application/json",
    )
    assert decided.json()["status"] == "rejected"


def test_life_06_api_materials(client_for, tree):
    client = client_for(tree.users["city_admin"])
    response = client.post(
        "/api/orglife/orgs/CA-T1/materials",
        {"month": "2025-06", "title": "学习党章"},
        content_type="application/json",
    )
    assert response.status_code == 201
    listed = client_for(tree.users["secretary"]).get("/api/orglife/orgs/CA-T1-B1/materials")
    assert [m["title"] for m in listed.json()] == ["学习党章"]
