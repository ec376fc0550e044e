"""Study pages (STUDY-01 … STUDY-04): catalogue, must-learn lists, plans, training
classes with the attendance screen, a member's and an org's hours, the subtree's
compliance and its export. Numbers on the pages agree with the STUDY-01 rule."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.factories import make_member
from xianfeng.compliance.engine import evaluate
from xianfeng.lib.dates import parse_period, today
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.study import domain
from xianfeng.study.models import Course, Enrollment, MustLearnList, PlanItem, StudyPlan

pytestmark = pytest.mark.django_db
D = dt.date
YEAR = 2025  # ended: the pages judge it against the whole year's requirement


def _imported(member, hours, title="党校培训"):
    return domain.record_study(
        member=member, source="imported", studied_on=D(YEAR, 3, 1), hours=hours, title=title
    )


def _course(org, title="学习党章", **fields):
    data = {"kind": "lecture", "hours": 2, "published_on": D(YEAR, 1, 1), **fields}
    return domain.create_course(org=org, title=title, **data)


def _rule_findings(tree):
    found, _n = evaluate(
        roots=[tree.city], period=parse_period(str(YEAR)), as_of=today(), rule_ids=["STUDY-01"]
    )
    return [f for _rule, f in found]


# --- a member's page ----------------------------------------------------------------------


def test_study_01_member_page_explains_what_counted(client_for, tree):
    _imported(tree.member_a, 20)
    for month in range(1, 11):
        course = _course(tree.town_a, f"课程{month}")
        domain.record_study(
            member=tree.member_a, source="online", studied_on=D(YEAR, month, 3), course=course
        )
    domain.record_study(
        member=tree.member_a, source="self_study", studied_on=D(YEAR, 6, 1), hours=3, title="自学"
    )
    client = client_for(tree.users["secretary"])
    response = client.get(f"/study/members/MA1/?year={YEAR}")
    standing = response.context["standing"]
    assert (standing.total, standing.required, standing.behind) == (
        Decimal("36.0"),
        Decimal("32.0"),
        Decimal("0.0"),
    )
    reasons = {row["title"]: (row["counted"], row["reason"]) for row in response.context["rows"]}
    assert reasons["课程8"] == (Decimal("2.0"), "")
    assert reasons["课程9"] == (Decimal("0.0"), "网络学习每年最多计入16学时，超出部分不计入")
    assert reasons["自学"] == (Decimal("0"), "待审核，审核认定后计入")
    assert response.context["counted_total"] == standing.total
    body = response.content.decode()
    assert "已达标" in body and "不计入" in body


def test_study_01_member_page_and_org_page_agree_with_the_rule(client_for, tree):
    _imported(tree.member_a, Decimal("20.5"))
    appoint_to_seat(
        org=tree.branch_a2, role="secretary", member=tree.member_a2, started_on=D(2020, 1, 1)
    )
    _imported(tree.member_a2, 40)
    findings = {(f.member_id, f.message): f.evidence for f in _rule_findings(tree)}
    client = client_for(tree.users["county_viewer"])
    for member, behind in [(tree.member_a, "11.5"), (tree.member_a2, "16.0")]:
        standing = client.get(f"/study/members/{member.code}/?year={YEAR}").context["standing"]
        [evidence] = [e for (m, msg), e in findings.items() if m == member.pk and "学时" in msg]
        assert standing.behind == Decimal(behind)
        assert standing.behind == Decimal(evidence["required"]) - Decimal(evidence["hours"])
    trainings = [m for (m, msg) in findings if "集中培训" in msg]
    assert trainings == [tree.member_a2.pk]
    page = client.get(f"/study/orgs/CA-T1/?year={YEAR}")
    behind = [(row["code"], row["s"].behind) for row in page.context["behind"]]
    assert behind == [("MA2", Decimal("16.0")), ("MA1", Decimal("11.5"))]
    assert [row["code"] for row in page.context["untrained"]] == ["MA2"]


def test_study_01_member_account_sees_own_page_only(client_for, tree):
    client = client_for(tree.users["member"])
    response = client.get("/study/my/")
    assert response.status_code == 302
    assert response["Location"] == "/study/members/MA1/"
    assert client.get("/study/members/MA1/").status_code == 200
    assert client.get("/study/members/MA2/").status_code == 404
    assert client.get("/study/orgs/CA-T1-B1/").status_code == 404
    assert client_for(tree.users["nobody"]).get("/study/my/").status_code == 404


def test_study_01_member_records_own_self_study_which_waits_for_approval(client_for, tree):
    client = client_for(tree.users["member"])
    data = {"source": "self_study", "studied_on": "2025-05-01", "title": "自学党章", "hours": "2"}
    response = client.post("/study/members/MA1/records/", data)
    assert response.status_code == 302
    record = tree.member_a.study_records.get()
    assert (record.source, record.status) == ("self_study", "pending")
    refused = client.post("/study/members/MA1/records/", {**data, "source": "online"})
    assert refused.status_code == 400  # a member's own entry is self-study only
    secretary = client_for(tree.users["secretary"])
    page = secretary.get("/study/orgs/CA-T1-B1/").content.decode()
    assert "自学党章" in page
    secretary.post(f"/study/records/{record.pk}/decide/", {"approve": "1"})
    record.refresh_from_db()
    assert record.status == "approved"


# --- the subtree's compliance -------------------------------------------------------------


def test_study_01_compliance_lists_children_sortable_and_exports(client_for, tree):
    _imported(tree.member_a, 40)
    make_member(tree.branch_a2, code="MA3")
    client = client_for(tree.users["city_admin"])
    response = client.get(f"/study/orgs/CA-T1/compliance/?year={YEAR}&sort=behind")
    rows = [
        (r["org"].code, r["members"], r["behind"], r["share"]) for r in response.context["rows"]
    ]
    assert rows == [("CA-T1-B2", 2, 2, 0), ("CA-T1-B1", 1, 0, 100)]
    by_name = client.get(f"/study/orgs/CA-T1/compliance/?year={YEAR}&sort=name").context["rows"]
    assert [r["org"].code for r in by_name] == ["CA-T1-B1", "CA-T1-B2"]
    assert by_name[1]["shortfall"] == Decimal("64.0")
    export = client.get(f"/study/orgs/CA-T1/compliance.xlsx?year={YEAR}")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [c.value for c in sheet[2]][:5] == ["CA-T1-B2", "绿水村党支部", 2, 2, 64]


# --- catalogue and must-learn lists -------------------------------------------------------


def test_study_02_course_with_file_filter_and_download(client_for, tree):
    client = client_for(tree.users["county_officer"])
    pdf = SimpleUploadedFile("党章.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    data = {
        "title": "学习党章",
        "kind": "file",
        "hours": "2",
        "tags": "党章, 必学",
        "published_on": "2025-01-02",
        "file": pdf,
    }
    response = client.post("/study/orgs/CA/courses/new/", data)
    assert response.status_code == 302
    course = Course.objects.get()
    assert course.tags == ["党章", "必学"]
    secretary = client_for(tree.users["secretary"])
    listed = secretary.get("/study/orgs/CA-T1-B1/courses/?tag=必学").context["courses"]
    assert listed == [course]
    assert secretary.get("/study/orgs/CA-T1-B1/courses/?kind=video").context["courses"] == []
    download = secretary.get(f"/study/courses/{course.pk}/file/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"
    exe = SimpleUploadedFile("a.exe", b"MZ")
    officer = client_for(tree.users["county_officer"])  # the same test client, logged in again
    refused = officer.post("/study/orgs/CA/courses/new/", {**data, "title": "x", "file": exe})
    assert refused.status_code == 200 and "只能上传" in refused.content.decode()


def test_study_02_must_learn_list_with_completion_per_org(client_for, tree):
    first, second = _course(tree.town_a, "党章"), _course(tree.town_a, "准则")
    client = client_for(tree.users["county_officer"])
    data = {"year": YEAR, "courses": [first.pk, second.pk], "published_on": "2025-01-05"}
    assert client.post("/study/orgs/CA-T1/must-learn/", data).status_code == 302
    assert MustLearnList.objects.get().items.count() == 2
    for course in (first, second):
        domain.record_study(
            member=tree.member_a, source="online", studied_on=D(YEAR, 3, 1), course=course
        )
    domain.record_study(
        member=tree.member_a2, source="online", studied_on=D(YEAR, 3, 1), course=first
    )
    page = client.get(f"/study/orgs/CA-T1/must-learn/?year={YEAR}")
    [entry] = page.context["lists"]
    assert (entry["members"], entry["complete"]) == (2, 1)
    assert [(r["org"].code, r["done"], r["missing"]) for r in entry["rows"]] == [
        ("CA-T1-B1", 1, 0),
        ("CA-T1-B2", 0, 1),
    ]
    branch = client_for(tree.users["secretary"]).get(
        f"/study/orgs/CA-T1-B1/must-learn/?year={YEAR}"
    )
    assert [e["complete"] for e in branch.context["lists"]] == [1]  # the town's list, seen below


# --- plans --------------------------------------------------------------------------------


def test_study_03_org_plan_items_and_done(client_for, tree):
    client = client_for(tree.users["secretary"])
    data = {"year": YEAR, "title": "2025年度学习计划", "adopted_on": "2025-01-10"}
    assert client.post("/study/orgs/CA-T1-B1/plan/new/", data).status_code == 302
    plan = StudyPlan.objects.get()
    for period, title in [
        ("2025-Q1", "学习党章"),
        ("2025-01", "一月任务"),
        ("2025-02", "二月任务"),
    ]:
        response = client.post(f"/study/plans/{plan.pk}/items/", {"period": period, "title": title})
        assert response.status_code == 302
    bad = client.post(f"/study/plans/{plan.pk}/items/", {"period": "2024-05", "title": "x"})
    assert bad.status_code == 400
    item = PlanItem.objects.get(period="2025-01")
    client.post(
        f"/study/plan-items/{item.pk}/done/", {"done_on": "2025-01-20", "done_note": "已学"}
    )
    page = client.get(f"/study/orgs/CA-T1-B1/plan/?year={YEAR}")
    assert (page.context["progress"]["done"], page.context["progress"]["total"]) == (1, 3)
    assert [p for p, _items in page.context["quarters"]] == ["2025-Q1"]
    assert [p for p, _items in page.context["months"]] == ["2025-01", "2025-02"]
    assert "已完成 1 项 / 共 3 项" in page.content.decode()


def test_study_03_leading_cadres_personal_plan(client_for, tree):
    from xianfeng.members.domain import update_member

    update_member(member=tree.member_a, leading_cadre=True)
    client = client_for(tree.users["secretary"])
    data = {"year": YEAR, "title": "个人自学计划", "adopted_on": "2025-01-10"}
    assert client.post("/study/members/MA1/plan/new/", data).status_code == 302
    plan = StudyPlan.objects.get(kind="personal")
    quarter = client.post(f"/study/plans/{plan.pk}/items/", {"period": "2025-Q1", "title": "x"})
    assert quarter.status_code == 400  # a personal plan is arranged by month
    client.post(f"/study/plans/{plan.pk}/items/", {"period": "2025-03", "title": "读原著"})
    page = client.get(f"/study/members/MA1/plan/?year={YEAR}")
    assert page.context["plan"] == plan and page.context["progress"]["total"] == 1


# --- training classes ---------------------------------------------------------------------


def test_study_04_class_enrol_and_one_tap_attendance_credits_hours(client_for, tree):
    client = client_for(tree.users["county_officer"])
    data = {
        "kind": "practical",
        "title": "设施蔬菜栽培",
        "status": "held",
        "starts_on": "2025-04-10",
        "ends_on": "2025-04-10",
        "days": "1",
        "hours": "6",
    }
    response = client.post("/study/orgs/CA-T1/classes/new/", data)
    assert response.status_code == 302
    training = tree.town_a.training_classes.get()
    enrol = {"members": [tree.member_a.pk, tree.member_a2.pk]}
    assert client.post(f"/study/classes/{training.pk}/enroll/", enrol).status_code == 302
    screen = client.get(f"/study/classes/{training.pk}/attendance/")
    assert screen.status_code == 200 and "xf-tap" in screen.content.decode()
    tap = {"member": tree.member_a.pk, "status": "attended"}
    response = client.post(f"/study/classes/{training.pk}/attendance/", tap, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="sheet"' in response.content.decode()
    assert "<html" not in response.content.decode()
    client.post(
        f"/study/classes/{training.pk}/attendance/",
        {"member": tree.member_a2.pk, "status": "absent"},
    )
    statuses = dict(Enrollment.objects.values_list("member__code", "status"))
    assert statuses == {"MA1": "attended", "MA2": "absent"}
    page = client.get(f"/study/members/MA1/?year={YEAR}")
    assert page.context["standing"].by_source["training"] == Decimal("6.0")
    stranger = client.post(
        f"/study/classes/{training.pk}/attendance/", {"member": 0, "status": "attended"}
    )
    assert stranger.status_code == 400


def test_study_04_classes_list_by_year(client_for, tree):
    day = D(YEAR, 5, 1)
    domain.create_training_class(
        org=tree.branch_a,
        kind="other",
        title="党务培训",
        starts_on=day,
        ends_on=day,
        days=1,
        hours=4,
    )
    client = client_for(tree.users["county_viewer"])
    assert [
        c.title for c in client.get("/study/orgs/CA-T1/classes/?year=2025").context["classes"]
    ] == ["党务培训"]
    assert client.get("/study/orgs/CA-T1/classes/?year=2024").context["classes"] == []
    assert "学习教育" in client.get("/orgs/CA-T1-B1/").content.decode()
    assert client.get("/study/").status_code == 302
