"""The pipeline endpoints (DEV-01, DEV-02): people of an org, one record, a new
applicant, the next step, mentors and introducers; refusals are 422 with Chinese
messages per field, never 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.factories import make_id, make_member
from tests.recruitment.pipeline_helpers import make_activist, make_person
from xianfeng.recruitment.models import Introducer, Mentor, Person

pytestmark = pytest.mark.django_db
D = dt.date
API = "/api/recruitment"


def _post(client, path: str, body: dict):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def test_dev_01_api_lists_people_by_stage(client_for, tree):
    make_person(tree.branch_a, name="赵小明")
    make_activist(tree.branch_a, name="钱小红")
    make_person(tree.branch_b, name="孙外人")
    client = client_for(tree.users["county_viewer"])
    names = [p["name"] for p in client.get(API + "/orgs/CA-T1/people").json()["items"]]
    assert names == ["赵小明", "钱小红"]
    only = client.get(API + "/orgs/CA-T1/people?stage=activist").json()["items"]
    assert [(p["name"], p["stage"], p["stage_label"]) for p in only] == [
        ("钱小红", "activist", "入党积极分子")
    ]
    assert client.get(API + "/orgs/CB-T1/people").status_code == 404
    assert client.get(API + "/orgs/CA-T1/people?stage=nope").status_code == 422


def test_dev_01_api_reads_a_record(client_for, tree):
    person = make_activist(tree.branch_a, mentor=tree.member_a)
    body = client_for(tree.users["secretary"]).get(f"{API}/people/{person.pk}").json()
    assert body["id_number"] == person.id_number_masked
    assert [s["kind"] for s in body["steps"]] == ["application", "activist"]
    assert [m["member"] for m in body["mentors"]] == ["MA1"]
    assert body["introducers"] == []
    assert all(set(due) == {"kind", "kind_label", "due", "text", "deadline"} for due in body["due"])


def test_dev_01_api_record_out_of_scope_is_404(client_for, tree):
    person = make_person(tree.branch_b)
    client = client_for(tree.users["secretary"])
    assert client.get(f"{API}/people/{person.pk}").status_code == 404
    response = _post(client, f"/people/{person.pk}/steps", {"kind": "talk", "on": "2023-02-01"})
    assert response.status_code == 404


def test_dev_01_api_creates_an_applicant(client_for, tree):
    body = {"name": "周新", "id_number": make_id(D(1998, 4, 1)), "applied_on": "2025-03-01"}
    response = _post(client_for(tree.users["secretary"]), "/orgs/CA-T1-B1/people", body)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["stage"] == "applicant" and [s["kind"] for s in made["steps"]] == ["application"]
    assert Person.objects.get().name == "周新"


def test_dev_01_api_applicant_refusals_are_422_in_chinese(client_for, tree):
    client = client_for(tree.users["secretary"])
    bad = _post(
        client,
        "/orgs/CA-T1-B1/people",
        {"name": "周新", "id_number": "123", "applied_on": "2025-03-01"},
    )
    assert bad.status_code == 422 and "id_number" in bad.json()["errors"]
    missing = _post(client, "/orgs/CA-T1-B1/people", {"name": "周新"})
    assert missing.status_code == 422 and missing.json()["errors"]["id_number"] == ["必填"]
    young = {"name": "小孩", "id_number": make_id(D(2015, 1, 1)), "applied_on": "2025-03-01"}
    assert _post(client, "/orgs/CA-T1-B1/people", young).status_code == 422
    assert not Person.objects.exists()


def test_dev_01_api_viewer_may_not_write(client_for, tree):
    person = make_person(tree.branch_a)
    client = client_for(tree.users["county_viewer"])
    body = {"name": "周新", "id_number": make_id(D(1998, 4, 1)), "applied_on": "2025-03-01"}
    assert _post(client, "/orgs/CA-T1-B1/people", body).status_code == 403
    step = {"kind": "talk", "on": "2023-02-01"}
    assert _post(client, f"/people/{person.pk}/steps", step).status_code == 403


def test_dev_01_api_records_a_step(client_for, tree):
    person = make_person(tree.branch_a)
    client = client_for(tree.users["secretary"])
    body = {"kind": "talk", "on": "2023-02-01", "decided_by": "李书记", "conclusion": "动机端正"}
    response = _post(client, f"/people/{person.pk}/steps", body)
    assert response.status_code == 201, response.json()
    assert (response.json()["kind_label"], response.json()["decided_by"]) == ("派人谈话", "李书记")


def test_dev_01_api_step_refusals_are_422(client_for, tree):
    person = make_person(tree.branch_a)
    client = client_for(tree.users["secretary"])
    early = _post(client, f"/people/{person.pk}/steps", {"kind": "activist", "on": "2022-12-01"})
    assert early.status_code == 422 and early.json()["errors"]
    own = _post(client, f"/people/{person.pk}/steps", {"kind": "end", "on": "2023-02-01"})
    assert own.status_code == 422 and "kind" in own.json()["errors"]
    nonsense = _post(
        client, f"/people/{person.pk}/steps", {"kind": "talk", "on": "x", "voters": -1}
    )
    assert nonsense.status_code == 422
    assert Person.objects.get(pk=person.pk).stage == "applicant"


def test_dev_02_api_assigns_and_ends_a_mentor(client_for, tree):
    person = make_activist(tree.branch_a)
    client = client_for(tree.users["secretary"])
    response = _post(client, f"/people/{person.pk}/mentors", {"member": "MA1", "on": "2023-03-02"})
    assert response.status_code == 201, response.json()
    mentor = Mentor.objects.get()
    ended = _post(client, f"/people/{person.pk}/mentors/{mentor.pk}/end", {"on": "2024-01-01"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2024-01-01"


def test_dev_02_api_mentor_out_of_scope_reads_like_missing(client_for, tree):
    person = make_activist(tree.branch_a)
    client = client_for(tree.users["secretary"])
    answers = []
    for code in ("MB1", "NOPE404"):
        response = _post(
            client, f"/people/{person.pk}/mentors", {"member": code, "on": "2023-03-02"}
        )
        answers.append(
            (
                response.status_code,
                json.dumps(response.json(), ensure_ascii=False).replace(code, "?"),
            )
        )
    assert answers[0] == answers[1] and answers[0][0] == 422
    assert not Mentor.objects.exists()


def test_dev_02_api_chooses_introducers(client_for, tree):
    make_member(tree.branch_a, code="MA7", name="吴七")
    person = make_person(tree.branch_a, stage="admission_candidate", candidate_on=D(2024, 3, 5))
    body = {"first": "MA1", "second": "MA7", "on": "2024-04-01"}
    response = _post(client_for(tree.users["secretary"]), f"/people/{person.pk}/introducers", body)
    assert response.status_code == 201, response.json()
    assert sorted(i["member"] for i in response.json()) == ["MA1", "MA7"]
    assert Introducer.objects.count() == 2
