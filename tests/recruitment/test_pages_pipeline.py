"""The pipeline pages (DEV-01, DEV-02): an org's people by stage, a new applicant, a
person's record with its forms, the writes of the record and the subtree overview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_id, make_member
from tests.recruitment.pipeline_helpers import make_activist, make_person
from xianfeng.lib.dates import today
from xianfeng.recruitment.models import (
    Introducer,
    Mentor,
    Person,
    Step,
    StepFile,
    TalentEntry,
)
from xianfeng.recruitment.queries.counts import overview
from xianfeng.study.domain import create_training_class

pytestmark = pytest.mark.django_db
D = dt.date
PEOPLE = "/recruitment/orgs/CA-T1-B1/"


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# --- an org's people -------------------------------------------------------------------


def test_dev_01_people_page_lists_by_stage_and_filters(client_for, tree):
    make_person(tree.branch_a, name="赵小明")
    make_activist(tree.branch_a, name="钱小红")
    make_person(tree.branch_b, name="孙外人")
    client = client_for(tree.users["secretary"])
    body = client.get(PEOPLE).content.decode()
    assert "赵小明" in body and "钱小红" in body and "孙外人" not in body
    assert 'href="/recruitment/orgs/CA-T1-B1/new/"' in body
    only = client.get(PEOPLE + "?stage=activist").content.decode()
    assert "钱小红" in only and "赵小明" not in only
    named = client.get(PEOPLE + "?q=赵").content.decode()
    assert "赵小明" in named and "钱小红" not in named


def test_dev_01_people_page_pages_and_viewer_sees_no_new_button(client_for, tree):
    for index in range(35):
        make_person(tree.branch_a, name=f"申请人{index:02d}")
    client = client_for(tree.users["county_viewer"])
    first = client.get("/recruitment/orgs/CA-T1/").content.decode()
    second = client.get("/recruitment/orgs/CA-T1/?page=2").content.decode()
    assert "申请人00" in first and "申请人34" not in first and "申请人34" in second
    assert "/new/" not in first


def test_dev_01_people_page_queries_do_not_grow_with_rows(client_for, tree):
    client = client_for(tree.users["county_officer"])
    make_person(tree.branch_a)
    few = _queries(client, "/recruitment/orgs/CA-T1/")
    for _ in range(10):
        make_activist(tree.branch_a2, name="钱小红")
    assert _queries(client, "/recruitment/orgs/CA-T1/") == few


def test_dev_01_org_page_links_to_people(client_for, tree):
    body = client_for(tree.users["secretary"]).get("/orgs/CA-T1-B1/").content.decode()
    assert 'href="/recruitment/orgs/CA-T1-B1/"' in body


# --- a new applicant ----------------------------------------------------------------------


def test_dev_01_new_applicant_form_registers(client_for, tree):
    client = client_for(tree.users["secretary"])
    assert client.get(PEOPLE + "new/").status_code == 200
    number = make_id(D(1998, 4, 1))
    data = {
        "name": "周新",
        "id_number": number,
        "applied_on": "2025-03-01",
        "education": "",
        "occupation": "种植户",
        "sector": "",
        "phone": "13800000000",
    }
    response = client.post(PEOPLE + "new/", data)
    person = Person.objects.get(name="周新")
    assert (
        response.status_code == 302 and response["Location"] == f"/recruitment/people/{person.pk}/"
    )
    assert person.stage == "applicant" and person.applied_on == D(2025, 3, 1)
    assert list(person.steps.values_list("kind", flat=True)) == ["application"]
    record = client.get(f"/recruitment/people/{person.pk}/").content.decode()
    assert person.id_number_masked in record and number not in record


def test_dev_07_new_applicant_from_the_talent_pool(client_for, tree):
    entry = TalentEntry.objects.create(
        org=tree.branch_a, name="孙能人", kind="grower", surveyed_on=D(2024, 1, 5)
    )
    client = client_for(tree.users["secretary"])
    assert "孙能人" in client.get(PEOPLE + "new/").content.decode()
    data = {
        "name": "孙能人",
        "id_number": make_id(D(1990, 2, 3)),
        "applied_on": "2025-03-01",
        "talent": entry.pk,
    }
    assert client.post(PEOPLE + "new/", data).status_code == 302
    person = Person.objects.get()
    entry.refresh_from_db()
    assert person.talent == entry and entry.status == "pipeline"


def test_dev_01_new_applicant_refusals_are_chinese_field_errors(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(PEOPLE + "new/", {"name": "周新", "id_number": "12345"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "请填写递交申请日期" in body and not Person.objects.exists()


def test_dev_01_new_applicant_under_age_is_refused(client_for, tree):
    young = make_id(D(2015, 1, 1))
    data = {"name": "小孩", "id_number": young, "applied_on": "2025-03-01"}
    response = client_for(tree.users["secretary"]).post(PEOPLE + "new/", data)
    assert response.status_code == 400 and not Person.objects.exists()


def test_dev_01_viewer_may_not_open_the_new_applicant_form(client_for, tree):
    client = client_for(tree.users["county_viewer"])
    assert client.get(PEOPLE + "new/").status_code == 403


# --- a person's record --------------------------------------------------------------------


def test_dev_01_record_shows_timeline_mentors_and_next_steps(client_for, tree):
    person = make_activist(tree.branch_a, mentor=tree.member_a)
    body = client_for(tree.users["secretary"]).get(f"/recruitment/people/{person.pk}/").content
    text = body.decode()
    assert "递交入党申请书" in text and "确定为入党积极分子" in text
    assert "张三" in text and person.id_number_masked in text
    assert 'value="candidate"' in text and 'value="oath"' not in text
    assert f"/recruitment/people/{person.pk}/record.pdf" in text


def test_dev_01_record_shows_overdue_due_dates(client_for, tree):
    person = make_person(tree.branch_a)  # applied 2023-01-10, no talk since
    body = client_for(tree.users["county_viewer"]).get(f"/recruitment/people/{person.pk}/")
    dues = body.content.decode().split('id="due-dates"')[1].split("</ul>")[0]
    assert "派人谈话" in dues and "已逾期" in dues


def test_dev_01_record_shows_the_fields_of_the_chosen_kind(client_for, tree):
    person = make_person(tree.branch_a, stage="admission_candidate", candidate_on=D(2024, 3, 5))
    client = client_for(tree.users["secretary"])
    notice = client.get(f"/recruitment/people/{person.pk}/?kind=candidate_notice").content.decode()
    meeting = client.get(f"/recruitment/people/{person.pk}/?kind=admission_meeting").content
    assert 'name="ends_on"' in notice and 'name="voters"' not in notice
    assert 'name="voters"' in meeting.decode() and 'name="ends_on"' not in meeting.decode()


def test_dev_01_viewer_reads_the_record_without_forms(client_for, tree):
    person = make_activist(tree.branch_a)
    body = client_for(tree.users["county_viewer"]).get(f"/recruitment/people/{person.pk}/")
    assert body.status_code == 200 and "记录下一环节" not in body.content.decode()


def test_dev_01_record_out_of_scope_is_404(client_for, tree):
    person = make_person(tree.branch_b)
    client = client_for(tree.users["secretary"])
    assert client.get(f"/recruitment/people/{person.pk}/").status_code == 404
    assert client.get(f"/recruitment/people/{person.pk}/record.pdf").status_code == 404


def test_dev_01_record_a_talk(client_for, tree):
    person = make_person(tree.branch_a)
    data = {"kind": "talk", "on": "2023-02-01", "decided_by": "李书记", "conclusion": "动机端正"}
    response = client_for(tree.users["secretary"]).post(
        f"/recruitment/people/{person.pk}/steps/new/", data
    )
    assert response.status_code == 302
    talk = person.steps.get(kind="talk")
    assert (talk.on, talk.decided_by, talk.conclusion) == (D(2023, 2, 1), "李书记", "动机端正")


def test_dev_01_short_training_by_a_training_class_of_the_town(client_for, tree):
    person = make_person(tree.branch_a, stage="admission_candidate", candidate_on=D(2024, 3, 5))
    training = create_training_class(
        org=tree.town_a,
        kind="other",
        title="发展对象培训班",
        starts_on=D(2024, 4, 8),
        ends_on=D(2024, 4, 10),
        days=3,
        hours=24,
    )
    client = client_for(tree.users["secretary"])
    form = client.get(f"/recruitment/people/{person.pk}/?kind=short_training").content.decode()
    assert "发展对象培训班（2024-04-08）" in form
    data = {"kind": "short_training", "on": "2024-04-10", "training_class": training.pk}
    response = client.post(f"/recruitment/people/{person.pk}/steps/new/", data)
    assert response.status_code == 302
    step = person.steps.get(kind="short_training")
    assert (step.training_class, step.days, step.hours) == (training, 3, 24)


def test_dev_01_step_the_stage_does_not_allow_is_refused(client_for, tree):
    person = make_person(tree.branch_a)
    response = client_for(tree.users["secretary"]).post(
        f"/recruitment/people/{person.pk}/steps/new/", {"kind": "oath", "on": "2024-01-01"}
    )
    assert response.status_code == 400 and not person.steps.filter(kind="oath").exists()


def test_dev_01_activist_before_application_is_refused_with_the_rule(client_for, tree):
    person = make_person(tree.branch_a)
    response = client_for(tree.users["secretary"]).post(
        f"/recruitment/people/{person.pk}/steps/new/", {"kind": "activist", "on": "2022-12-01"}
    )
    assert response.status_code == 400
    assert Person.objects.get(pk=person.pk).stage == "applicant"


def test_dev_01_viewer_may_not_record_a_step(client_for, tree):
    person = make_person(tree.branch_a)
    response = client_for(tree.users["county_viewer"]).post(
        f"/recruitment/people/{person.pk}/steps/new/", {"kind": "talk", "on": "2023-02-01"}
    )
    assert response.status_code == 403


# --- mentors, introducers, transfer, end, files ----------------------------------------------


def test_dev_02_assign_and_end_a_mentor(client_for, tree):
    person = make_activist(tree.branch_a)
    client = client_for(tree.users["secretary"])
    url = f"/recruitment/people/{person.pk}/mentors/"
    response = client.post(url, {"member": "MA1", "on": "2023-03-02"})
    assert response.status_code == 302
    mentor = Mentor.objects.get(person=person)
    assert mentor.member == tree.member_a and mentor.ended_on is None
    assert client.post(url, {"mentor": mentor.pk, "ended_on": "2024-01-01"}).status_code == 302
    assert Mentor.objects.get(pk=mentor.pk).ended_on == D(2024, 1, 1)


def test_dev_02_mentor_out_of_scope_reads_like_missing(client_for, tree):
    person = make_activist(tree.branch_a)
    client = client_for(tree.users["secretary"])
    url = f"/recruitment/people/{person.pk}/mentors/"
    out = client.post(url, {"member": "MB1", "on": "2023-03-02"})
    assert out.status_code == 400 and "没有找到党员“MB1”" in out.content.decode()
    assert not Mentor.objects.exists()


def test_dev_02_choose_introducers(client_for, tree):
    helper = make_member(tree.branch_a, code="MA7", name="吴七")
    person = make_person(tree.branch_a, stage="admission_candidate", candidate_on=D(2024, 3, 5))
    data = {"first": "MA1", "second": helper.code, "on": "2024-04-01"}
    response = client_for(tree.users["secretary"]).post(
        f"/recruitment/people/{person.pk}/introducers/", data
    )
    assert response.status_code == 302
    assert set(Introducer.objects.values_list("member__code", flat=True)) == {"MA1", "MA7"}


def test_dev_01_transfer_and_end(client_for, tree):
    person = make_activist(tree.branch_a)
    client = client_for(tree.users["county_officer"])
    moved = client.post(
        f"/recruitment/people/{person.pk}/transfer/", {"to_org": "CA-T1-B2", "on": "2024-01-05"}
    )
    assert moved.status_code == 302
    person.refresh_from_db()
    assert person.org == tree.branch_a2 and person.activist_on == D(2023, 3, 1)
    ended = client.post(
        f"/recruitment/people/{person.pk}/end/", {"on": "2024-02-01", "reason": "本人放弃"}
    )
    assert ended.status_code == 302
    person.refresh_from_db()
    assert person.stage == "ended" and person.ended_reason == "本人放弃"


def test_dev_01_transfer_out_of_scope_reads_like_missing(client_for, tree):
    person = make_activist(tree.branch_a)
    client = client_for(tree.users["secretary"])
    answers = []
    for code in ("CB-T1-B1", "NOPE404"):
        response = client.post(
            f"/recruitment/people/{person.pk}/transfer/", {"to_org": code, "on": "2024-01-05"}
        )
        answers.append(
            (response.status_code, f"没有找到党组织“{code}”" in response.content.decode())
        )
    assert answers == [(400, True), (400, True)]


def test_dev_01_upload_and_download_a_step_file(client_for, tree):
    person = make_person(tree.branch_a)
    step = person.steps.get()
    client = client_for(tree.users["secretary"])
    upload = SimpleUploadedFile("入党申请书.pdf", b"%PDF-1.4\n%%EOF\n")
    response = client.post(f"/recruitment/steps/{step.pk}/files/", {"files": [upload]})
    assert response.status_code == 302
    record = StepFile.objects.get(step=step)
    assert record.name == "入党申请书.pdf"
    assert client.get(f"/recruitment/files/{record.pk}/").status_code == 200
    assert "入党申请书.pdf" in client.get(f"/recruitment/people/{person.pk}/").content.decode()
    outsider = client_for(tree.users["outsider"])
    assert outsider.get(f"/recruitment/files/{record.pk}/").status_code == 404


def test_dev_01_upload_without_a_file_is_refused(client_for, tree):
    step = make_person(tree.branch_a).steps.get()
    response = client_for(tree.users["secretary"]).post(f"/recruitment/steps/{step.pk}/files/")
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()


# --- the overview -------------------------------------------------------------------------


def test_dev_01_overview_counts_children_by_stage(client_for, tree):
    make_person(tree.branch_a)
    make_activist(tree.branch_a)
    make_activist(tree.branch_a2)
    year = today().year
    make_person(tree.branch_a2, stage="probationary", approved_on=D(year, 1, 2))
    body = client_for(tree.users["county_officer"]).get("/recruitment/orgs/CA-T1/overview/")
    text = body.content.decode()
    assert body.status_code == 200 and "青山村党支部" in text and "绿水村党支部" in text
    rows, totals = overview(tree.town_a, year)
    assert [(r.org.code, r.stages, r.admitted) for r in rows] == [
        ("CA-T1-B1", {"applicant": 1, "activist": 1}, 0),
        ("CA-T1-B2", {"activist": 1, "probationary": 1}, 1),
    ]
    assert (totals.total, totals.admitted) == (4, 1)


def test_dev_01_overview_queries_do_not_grow_with_rows(client_for, tree):
    client = client_for(tree.users["county_officer"])
    make_person(tree.branch_a)
    few = _queries(client, "/recruitment/orgs/CA-T1/overview/")
    for _ in range(8):
        make_activist(tree.branch_a2)
        make_person(tree.branch_a)
    assert _queries(client, "/recruitment/orgs/CA-T1/overview/") == few


def test_dev_01_steps_are_not_written_by_a_refused_form(client_for, tree):
    person = make_person(tree.branch_a)
    before = Step.objects.count()
    client_for(tree.users["secretary"]).post(f"/recruitment/people/{person.pk}/steps/new/", {})
    assert Step.objects.count() == before
