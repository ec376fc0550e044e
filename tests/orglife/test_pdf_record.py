"""The record of a held meeting as PDF (会议记录, LIFE-01): page link, download and API,
scoped like the meeting page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from xianfeng.lib.dates import today
from xianfeng.orglife import domain

pytestmark = pytest.mark.django_db


def _meeting_with_leave(tree):
    planned = domain.record_meeting(
        org=tree.branch_a,
        kind="general_meeting",
        topic="学习贯彻全会精神",
        planned_on=today() + dt.timedelta(days=3),
        place="村部会议室",
        host=tree.member_a,
        minutes="一、传达学习全会精神。\n二、讨论通过发展党员计划。",
    )
    leave = domain.ask_leave(meeting=planned, member=tree.member_a, reason="外出务工")
    domain.decide_leave(leave, approve=True, by=tree.users["secretary"])
    return domain.hold_meeting(planned, held_on=today(), attendance={}, by=tree.users["secretary"])


def _text(response) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_life_01_meeting_record_pdf_holds_the_meeting(client_for, tree):
    meeting = _meeting_with_leave(tree)
    response = client_for(tree.users["secretary"]).get(f"/orglife/meetings/{meeting.pk}/record.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    text = _text(response)
    assert "青山村党支部党员大会记录" in text and "学习贯彻全会精神" in text
    assert "村部会议室" in text and "张三（外出务工）" in text
    assert "二、讨论通过发展党员计划。" in text and "第 1 页 共 1 页" in text


def test_life_01_meeting_page_links_to_its_record(client_for, tree):
    meeting = _meeting_with_leave(tree)
    body = client_for(tree.users["secretary"]).get(f"/orglife/meetings/{meeting.pk}/").content
    assert f"/orglife/meetings/{meeting.pk}/record.pdf" in body.decode()


def test_life_01_meeting_record_api_is_the_same_pdf(client_for, tree):
    meeting = _meeting_with_leave(tree)
    response = client_for(tree.users["county_viewer"]).get(
        f"/api/orglife/meetings/{meeting.pk}/record.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "学习贯彻全会精神" in _text(response)


def test_life_01_meeting_record_out_of_scope_is_404(client_for, tree):
    meeting = _meeting_with_leave(tree)
    client = client_for(tree.users["outsider"])
    assert client.get(f"/orglife/meetings/{meeting.pk}/record.pdf").status_code == 404
    assert client.get(f"/api/orglife/meetings/{meeting.pk}/record.pdf").status_code == 404


def test_life_01_planned_meeting_has_no_record(client_for, tree):
    planned = domain.record_meeting(
        org=tree.branch_a, kind="theme_day", topic="主题党日", planned_on=today()
    )
    client = client_for(tree.users["secretary"])
    assert client.get(f"/orglife/meetings/{planned.pk}/record.pdf").status_code == 404
