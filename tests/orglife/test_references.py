"""References inside the writes of organizational life (issue 12, problems 1 and 2):
attendance only for the meeting's roster and its guests, hosts, recorders and lecturers
from the org's tree or the orgs above it inside the actor's scope, a lecturer from
elsewhere as a name; anything else answers like a reference that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_user
from xianfeng.orglife import domain
from xianfeng.orglife.models import Attendance, Meeting
from xianfeng.orgs.domain import add_contact_point, appoint_to_seat, end_seat

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2025, 6, 5)


def _held(tree, kind: str = "theme_day") -> Meeting:
    return domain.record_meeting(
        org=tree.branch_a, kind=kind, topic="主题党日", held_on=DAY, attendance={}
    )


def test_issue_12_attendance_page_refuses_member_elsewhere(client_for, tree):
    """Problem 1: the attendance screen wrote a row for any member id, whose name the
    sheet then showed."""
    meeting = _held(tree)
    client = client_for(tree.users["secretary"])
    url = f"/orglife/meetings/{meeting.pk}/attendance/"
    response = client.post(url, {"member": tree.member_b.pk, "status": "present"})
    assert response.status_code == 400
    assert not Attendance.objects.filter(member=tree.member_b).exists()
    assert "王五" not in response.content.decode()
    assert "王五" not in client.get(url).content.decode()
    assert f"没有找到党员“{tree.member_b.pk}”" in response.content.decode()
    missing = client.post(url, {"member": 987654, "status": "present"})
    assert missing.status_code == 400
    assert "没有找到党员“987654”" in missing.content.decode()


def test_issue_12_api_attendance_refuses_member_elsewhere(client_for, tree):
    """Problem 1 through the API: another town's member code, on a meeting or in a new
    one, answers like a code that does not exist and writes nothing."""
    meeting = _held(tree)
    client = client_for(tree.users["secretary"])
    url = f"/api/orglife/meetings/{meeting.pk}/attendance"
    answers = [
        client.post(url, {"member": code, "status": "present"}, content_type="application/json")
        for code in ("MB1", "NOSUCH")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert [a.json()["errors"] for a in answers] == [
        {"member": ["没有找到党员“MB1”"]},
        {"member": ["没有找到党员“NOSUCH”"]},
    ]
    body = {"kind": "theme_day", "topic": "t", "held_on": "2025-06-05", "attendance": {}}
    created = client.post(
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {**body, "attendance": {"MB1": "present"}},
        content_type="application/json",
    )
    assert created.status_code == 422
    assert created.json()["errors"] == {"attendance": ["没有找到党员“MB1”"]}
    assert Meeting.objects.count() == 1
    assert not Attendance.objects.filter(member=tree.member_b).exists()
    assert "王五" not in client.get(f"/api/orglife/meetings/{meeting.pk}").content.decode()


def test_issue_12_api_meeting_refuses_people_of_other_towns(client_for, tree):
    """Problem 2: the API accepted a host, recorder and lecturer of another town (the
    web form refused them) and the meeting page showed their names."""
    client = client_for(tree.users["secretary"])
    body = {"kind": "party_lesson", "topic": "t", "held_on": "2025-06-05"}
    for field in ("host", "recorder", "lecturer"):
        answers = [
            client.post(
                "/api/orglife/orgs/CA-T1-B1/meetings",
                {**body, field: code},
                content_type="application/json",
            )
            for code in ("MB1", "NOSUCH")
        ]
        assert [a.status_code for a in answers] == [422, 422], field
        errors = [a.json()["errors"][field][0] for a in answers]
        assert errors == ["没有找到党员“MB1”", "没有找到党员“NOSUCH”"]
    assert not Meeting.objects.exists()


def test_issue_12_api_meeting_refuses_in_scope_member_off_the_line(client_for, tree):
    """MA2 of the sibling branch is in the town admin's scope but neither in the branch's
    tree nor above it: refused like a missing member."""
    client = client_for(make_user("town_admin", org=tree.town_a, role="admin"))
    body = {"kind": "theme_day", "topic": "t", "held_on": "2025-06-05", "host": "MA2"}
    response = client.post(
        "/api/orglife/orgs/CA-T1-B1/meetings", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"host": ["没有找到党员“MA2”"]}


def test_life_01_host_from_the_town_committee_within_scope(tree):
    appoint_to_seat(org=tree.town_a, role="secretary", member=tree.member_a2, started_on=DAY)
    meeting = domain.record_meeting(
        org=tree.branch_a,
        kind="theme_day",
        topic="t",
        held_on=DAY,
        host=tree.member_a2,
        by=tree.users["county_officer"],
    )
    assert meeting.host == tree.member_a2
    with pytest.raises(ValidationError) as excinfo:  # outside the secretary's scope
        domain.update_meeting(meeting, recorder=tree.member_a2, by=tree.users["secretary"])
    assert excinfo.value.message_dict == {"recorder": ["没有找到党员“MA2”"]}


def test_life_01_lecturer_from_elsewhere_is_a_name(client_for, tree):
    client = client_for(tree.users["secretary"])
    body = {"kind": "party_lesson", "topic": "t", "held_on": "2025-06-05"}
    response = client.post(
        "/api/orglife/orgs/CA-T1-B1/meetings",
        {**body, "lecturer_name": " 县委党校 刘老师 "},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["lecturer"], response.json()["lecturer_name"]) == (
        None,
        "县委党校 刘老师",
    )
    page = client.get(f"/orglife/meetings/{response.json()['id']}/")
    assert "县委党校 刘老师" in page.content.decode()
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(
            org=tree.branch_a,
            kind="party_lesson",
            topic="t",
            held_on=DAY,
            lecturer=tree.member_a,
            lecturer_name="刘老师",
        )
    assert list(excinfo.value.message_dict) == ["lecturer_name"]


def test_life_01_meeting_form_offers_only_people_in_reach(client_for, tree):
    client = client_for(tree.users["secretary"])
    page = client.get("/orglife/CA-T1-B1/meetings/new/").content.decode()
    assert "张三" in page
    assert "李四" not in page and "王五" not in page
    data = {"kind": "theme_day", "status": "held", "held_on": "2025-06-05", "topic": "t"}
    response = client.post("/orglife/CA-T1-B1/meetings/new/", {**data, "lecturer_name": "刘老师"})
    assert response.status_code == 302
    assert Meeting.objects.get().lecturer_name == "刘老师"


def test_life_01_contact_leader_attends_without_vote(tree):
    """The leader whose contact point the branch is may be on its roster, without a vote
    (here no longer in the town's committee on the meeting day)."""
    seat = appoint_to_seat(
        org=tree.town_a, role="secretary", member=tree.member_a2, started_on=D(2024, 1, 1)
    )
    add_contact_point(
        org=tree.town_a, leader=tree.member_a2, target=tree.branch_a, started_on=D(2024, 2, 1)
    )
    end_seat(seat=seat, on=D(2025, 1, 1))
    meeting = _held(tree)
    domain.set_attendance(meeting, {tree.member_a2.pk: "present"})
    row = meeting.attendance.get(member=tree.member_a2)
    assert (row.status, row.voting) == ("present", False)


def test_life_04_exemption_only_for_the_orgs_members(client_for, tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.ask_exemption(
            member=tree.member_b,
            kind="theme_day",
            reason="年老体弱",
            starts_on=DAY,
            by=tree.users["secretary"],
        )
    assert excinfo.value.message_dict == {"member": ["没有找到党员“MB1”"]}
    with pytest.raises(ValidationError):
        domain.ask_exemption(
            member=tree.member_a2,
            kind="theme_day",
            reason="年老体弱",
            starts_on=DAY,
            org=tree.branch_a,
        )


def test_life_01_import_takes_a_lecturer_from_elsewhere_by_name(tmp_path, tree):
    from tests.core.test_importing import xlsx
    from xianfeng.core.importing import run_import

    header = ["会议编号", "党组织", "类型", "召开日期", "主题", "授课人姓名"]
    row = ["1", "CA-T1-B1", "党课", "2025-06-05", "学习党章", "县委党校 刘老师"]
    run_import(xlsx(tmp_path / "lesson.xlsx", {"组织生活": [header, row]}))
    lesson = Meeting.objects.get()
    assert (lesson.lecturer, lesson.lecturer_name) == (None, "县委党校 刘老师")


def test_life_08_upper_org_talk_may_name_members_below_but_not_elsewhere(tree):
    """A town leader's heart talk may be recorded at the town with a branch member of the
    town (LIFE-08: a talk with a seat holder of an org above); a member of another county
    still reads as not found."""
    talk = domain.record_meeting(org=tree.town_a, kind="heart_talk", topic="谈心", held_on=DAY)
    domain.set_attendance(talk, {tree.member_a.pk: "present"})
    assert Attendance.objects.filter(meeting=talk, member=tree.member_a).exists()
    with pytest.raises(ValidationError):
        domain.set_attendance(talk, {tree.member_b.pk: "present"})
    assert not Attendance.objects.filter(member=tree.member_b).exists()
