"""A person's whole development record as PDF (发展党员全程记实, DEV-01, DEV-02): every
step with its date, org, who decided, conclusion and votes, the 入党志愿书编号, the
mentors and introducers; scoped like the record page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.factories import make_member
from tests.recruitment.pipeline_helpers import make_person
from xianfeng.recruitment.models import Introducer, Mentor, Step

pytestmark = pytest.mark.django_db
D = dt.date


def _text(response) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def _flat(text: str) -> str:
    """The text without line breaks and spaces (a long cell wraps)."""
    return text.replace("\n", "").replace(" ", "")


def _admitted(tree):
    person = make_person(
        tree.branch_a,
        name="赵小明",
        stage="probationary",
        activist_on=D(2023, 3, 1),
        candidate_on=D(2024, 3, 5),
        admitted_on=D(2024, 6, 20),
        approved_on=D(2024, 7, 10),
        volunteer_book_no="QS2024001",
    )
    steps = [
        ("activist", D(2023, 3, 1), tree.branch_a, "支部委员会", "确定为入党积极分子", {}),
        ("pre_review", D(2024, 5, 20), tree.town_a, "镇党委", "预审合格", {}),
        ("volunteer_book", D(2024, 6, 1), tree.branch_a, "", "QS2024001", {}),
        (
            "admission_meeting",
            D(2024, 6, 20),
            tree.branch_a,
            "支部大会",
            "同意接收",
            {"voters": 15, "present": 13, "in_favour": 12},
        ),
        ("approval", D(2024, 7, 10), tree.town_a, "镇党委", "批准为预备党员", {}),
    ]
    for kind, on, org, decided_by, conclusion, more in steps:
        Step.objects.create(
            person=person, kind=kind, on=on, org=org, decided_by=decided_by,
            conclusion=conclusion, **more,
        )  # fmt: skip
    Mentor.objects.create(person=person, member=tree.member_a, started_on=D(2023, 3, 1))
    helper = make_member(tree.branch_a, code="MA7", name="吴七")
    for member in (tree.member_a, helper):
        Introducer.objects.create(person=person, member=member, chosen_on=D(2024, 4, 1))
    return person


def test_dev_01_record_pdf_holds_the_whole_record(client_for, tree):
    person = _admitted(tree)
    response = client_for(tree.users["secretary"]).get(
        f"/recruitment/people/{person.pk}/record.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    text = _text(response)
    assert "发展党员全程记实" in text and "赵小明" in text and person.id_number_masked in text
    assert "QS2024001" in text and "入党志愿书编号" in text
    assert "2024年7月10日" in text and "青山镇党委" in text and "批准为预备党员" in text
    assert "应到15人，实到13人，赞成12票" in _flat(text)
    assert "张三" in text and "吴七" in text and "2023年3月1日—至今" in text


def test_dev_01_record_pdf_of_a_fresh_applicant(client_for, tree):
    person = make_person(tree.branch_a, name="钱小红")
    response = client_for(tree.users["county_viewer"]).get(
        f"/recruitment/people/{person.pk}/record.pdf"
    )
    text = _text(response)
    assert "钱小红" in text and "递交入党申请书" in text and "第 1 页 共 1 页" in text


def test_dev_01_record_pdf_out_of_scope_is_404(client_for, tree):
    person = make_person(tree.branch_a)
    assert (
        client_for(tree.users["outsider"])
        .get(f"/recruitment/people/{person.pk}/record.pdf")
        .status_code
        == 404
    )
