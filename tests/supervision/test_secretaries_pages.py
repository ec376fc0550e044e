"""Pages and endpoints of the secretaries' duties (TASK-05 … TASK-07): the forms reach the
domain, bad input answers with Chinese field errors and writes nothing, admonitions show
only above the talked-to org and to the member."""

import datetime as dt
import json

import pytest

from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.supervision.domain import secretaries as domain
from xianfeng.supervision.models import AdjustmentProposal, Admonition, DutyReport, Project

pytestmark = pytest.mark.django_db
D = dt.date
PROJECTS = "/supervision/orgs/CA-T1-B1/projects/"
TALKS = "/supervision/orgs/CA-T1-B1/admonitions/"
REPORTS = "/supervision/orgs/CA-T1-B1/duty-reports/"
API = "/api/supervision/orgs/CA-T1-B1"


@pytest.fixture
def seats(tree):
    day = D(2024, 1, 1)
    appoint_to_seat(org=tree.branch_a, role="secretary", member=tree.member_a, started_on=day)
    appoint_to_seat(org=tree.branch_a2, role="secretary", member=tree.member_a2, started_on=day)
    return tree


PROJECT_FORM = {"title": "党建引领乡村振兴", "goal": "建成服务站", "registered_on": "2026-03-02"}

# (case, form changes, status, field whose error shows, or None)
PROJECT_FORMS = [
    ("saved", {"milestones": "走访调研 | 2026-04-30\n验收｜2026-11-30｜已完成"}, 302, None),
    ("milestone line without date", {"milestones": "走访调研"}, 400, "第1行应为"),
    ("milestone bad date", {"milestones": "走访调研 | 4月底"}, 400, "完成时限应为日期"),
    ("milestone bad state", {"milestones": "走访调研 | 2026-04-30 | 差不多"}, 400, "完成情况"),
    ("future", {"registered_on": "2999-01-01"}, 400, "立项日期不能晚于今天"),
    ("secretary out of scope", {"secretary": "MA2"}, 400, "没有找到书记“MA2”"),
    ("no title", {"title": ""}, 400, "这个字段是必填项"),
]


@pytest.mark.parametrize(
    ("case", "changes", "status", "error"), PROJECT_FORMS, ids=[c[0] for c in PROJECT_FORMS]
)
def test_task_05_project_form(client_for, seats, case, changes, status, error):
    response = client_for(seats.users["secretary"]).post(
        PROJECTS + "new/", {**PROJECT_FORM, **changes}
    )
    assert response.status_code == status
    if error is None:
        project = Project.objects.get()
        assert response["Location"] == f"/supervision/projects/{project.pk}/"
        assert project.milestones == [
            {"title": "走访调研", "due": "2026-04-30", "done": False},
            {"title": "验收", "due": "2026-11-30", "done": True},
        ]
    else:
        assert error in response.content.decode()
        assert Project.objects.count() == 0


def test_task_05_project_page_milestones_and_completion(client_for, seats):
    project = domain.register_project(
        seats.branch_a, title="党建引领", goal="建成服务站", by=None, registered_on=D(2026, 3, 2)
    )
    client = client_for(seats.users["secretary"])
    base = f"/supervision/projects/{project.pk}/"
    response = client.post(base + "milestones/", {"milestones": "调研 | 2026-04-30 | 已完成"})
    assert response.status_code == 302
    response = client.post(base + "complete/", {"result": "", "completed_on": "2026-11-20"})
    assert response.status_code == 400
    response = client.post(base + "complete/", {"result": "投入使用", "completed_on": "2026-11-20"})
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "调研" in page and "投入使用" in page
    assert "党建引领" in client.get(PROJECTS).content.decode()
    coverage = client_for(seats.users["county_officer"]).get(
        "/supervision/orgs/CA-T1/projects/coverage/?year=2026"
    )
    text = coverage.content.decode()
    assert "未立项 1 名" in text and "李四" in text and "党建引领" in text


TALK_FORM = {
    "date": "2025-03-01",
    "by_org": "CA-T1",
    "talker": "组织委员",
    "reason": "三会一课落实不到位",
}


def test_task_06_admonitions_pages(client_for, seats):
    officer = client_for(seats.users["county_officer"])
    assert officer.get(TALKS + "new/").status_code == 200
    response = officer.post(TALKS + "new/", {**TALK_FORM, "by_org": "CA-T1-B2"})
    assert response.status_code == 400
    assert "约谈组织应为被约谈组织的上级组织" in response.content.decode()
    assert officer.post(TALKS + "new/", TALK_FORM).status_code == 302
    assert officer.post(TALKS + "new/", {**TALK_FORM, "date": "2025-09-01"}).status_code == 302
    proposal = AdjustmentProposal.objects.get()
    assert "三会一课落实不到位" in officer.get(TALKS).content.decode()
    queue = officer.get("/supervision/orgs/CA-T1/proposals/").content.decode()
    assert "张三" in queue and "作出决定" in queue

    # the branch's own admin sees neither the talks nor the proposal, nor may record one
    secretary = client_for(seats.users["secretary"])
    assert "三会一课落实不到位" not in secretary.get(TALKS).content.decode()
    assert "张三" not in secretary.get("/supervision/orgs/CA-T1-B1/proposals/").content.decode()
    assert secretary.get(TALKS + "new/").status_code == 403
    response = secretary.post(
        f"/supervision/proposals/{proposal.pk}/decide/", {"decision": "kept", "note": "x"}
    )
    assert response.status_code == 403
    # the talked-to member sees their own talks
    mine = client_for(seats.users["member"]).get("/supervision/my/admonitions/").content.decode()
    assert mine.count("三会一课落实不到位") == 2

    officer = client_for(seats.users["county_officer"])  # the test client logs in anew
    decide = f"/supervision/proposals/{proposal.pk}/decide/"
    response = officer.post(
        decide, {"decision": "adjusted", "note": "", "decided_on": "2025-09-10"}
    )
    assert response.status_code == 400
    response = officer.post(
        decide, {"decision": "adjusted", "note": "调整岗位", "decided_on": "2025-09-10"}
    )
    assert response.status_code == 302
    assert AdjustmentProposal.objects.get().decision == "adjusted"


REPORT_FORM = {"year": "2025", "date": "2026-01-15", "summary": "全年抓党建情况"}

# (case, votes per rating field, status, result or error)
REPORT_FORMS = [
    ("saved", ["30", "5", "1", "0"], 302, "好"),
    ("tie to the lower", ["5", "5", "0", "0"], 302, "较好"),
    ("negative", ["-1", "5", "0", "0"], 400, "确保该值大于或等于0"),
    ("fraction", ["1.5", "5", "0", "0"], 400, "请填写不小于0的整数"),
    ("no votes", ["0", "0", "0", "0"], 400, "请填写评议票数"),
]


@pytest.mark.parametrize(
    ("case", "votes", "status", "expected"), REPORT_FORMS, ids=[c[0] for c in REPORT_FORMS]
)
def test_task_07_duty_report_form(client_for, seats, case, votes, status, expected):
    client = client_for(seats.users["secretary"])
    form = {**REPORT_FORM, **{f"rating_{n}": v for n, v in enumerate(votes)}}
    response = client.post(REPORTS + "new/", form)
    assert response.status_code == status
    if status == 302:
        assert DutyReport.objects.get().result == expected
        assert expected in client.get(REPORTS).content.decode()
    else:
        assert expected in response.content.decode()
        assert DutyReport.objects.count() == 0


def test_task_07_report_coverage_page(client_for, seats):
    domain.record_duty_report(
        seats.branch_a, year=2025, date=D(2026, 1, 15), summary="s", ratings={"好": 3}, by=None
    )
    text = (
        client_for(seats.users["county_officer"])
        .get("/supervision/orgs/CA-T1/duty-reports/coverage/?year=2025")
        .content.decode()
    )
    assert "未述职 1 名" in text and "李四" in text


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_task_05_api_register_and_complete(client_for, seats):
    client = client_for(seats.users["secretary"])
    body = {**PROJECT_FORM, "milestones": [{"title": "调研", "due": "2026-04-30"}]}
    response = _post(client, f"{API}/projects", body)
    assert response.status_code == 201
    answer = response.json()
    assert (answer["secretary"], answer["year"], answer["milestones"]) == (
        "MA1",
        2026,
        [{"title": "调研", "due": "2026-04-30", "done": False}],
    )
    again = _post(client, f"{API}/projects", body)
    assert again.status_code == 422
    assert again.json()["errors"] == {"year": ["“张三”2026年度已有领办项目"]}
    done = _post(
        client,
        f"/api/supervision/projects/{answer['id']}/complete",
        {"result": "投入使用", "completed_on": "2999-01-01"},
    )
    assert done.json()["errors"] == {"completed_on": ["完成日期不能晚于今天"]}
    assert [p["title"] for p in client.get(f"{API}/projects?year=2026").json()] == [body["title"]]


# (case, ratings, the error on `ratings`, or the result)
API_RATINGS = [
    ("saved", {"好": 30, "较好": 5}, "好"),
    ("unknown label", {"优秀": 3}, "未知的评议等次“优秀”，可选：好、较好、一般、差"),
    ("negative", {"好": -2}, "“好”的票数应为0至100000之间的整数"),
    ("fraction", {"好": 2.5}, "“好”的票数应为0至100000之间的整数"),
    ("text", {"好": "3"}, "“好”的票数应为0至100000之间的整数"),
    ("none", {}, "请填写评议票数"),
]


@pytest.mark.parametrize(
    ("case", "ratings", "expected"), API_RATINGS, ids=[c[0] for c in API_RATINGS]
)
def test_task_07_api_duty_report_ratings(client_for, seats, case, ratings, expected):
    body = {**REPORT_FORM, "year": 2025, "ratings": ratings}
    response = _post(client_for(seats.users["secretary"]), f"{API}/duty-reports", body)
    if case == "saved":
        assert response.status_code == 201
        assert response.json()["ratings"] == {"好": 30, "较好": 5, "一般": 0, "差": 0}
        assert response.json()["result"] == expected
    else:
        assert response.status_code == 422
        assert response.json()["errors"] == {"ratings": [expected]}
        assert DutyReport.objects.count() == 0


def test_task_06_api_admonition_raises_and_decides_a_proposal(client_for, seats):
    officer = client_for(seats.users["county_officer"])
    body = {**TALK_FORM, "member": "MA1"}
    first = _post(officer, f"{API}/admonitions", body)
    second = _post(officer, f"{API}/admonitions", {**body, "date": "2025-06-01"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["proposal"] is None
    proposal = second.json()["proposal"]
    assert proposal == AdjustmentProposal.objects.get().pk
    secretary = client_for(seats.users["secretary"])
    assert secretary.get(f"{API}/admonitions").json() == []
    assert secretary.get(f"{API}/adjustment-proposals").json() == []
    decide = f"/api/supervision/adjustment-proposals/{proposal}/decide"
    assert _post(secretary, decide, {"decision": "kept", "note": "x"}).status_code == 403
    officer = client_for(seats.users["county_officer"])
    assert len(officer.get(f"{API}/admonitions").json()) == 2
    refused = _post(officer, decide, {"decision": "pending", "note": "x"})
    assert refused.status_code == 422
    decided = _post(
        officer, decide, {"decision": "kept", "note": "已整改", "decided_on": "2025-06-20"}
    )
    assert decided.json()["decision"] == "kept"
    assert Admonition.objects.count() == 2


def _grow(tree, count):
    """`count` more branches of town CA-T1, each with a seated secretary, a project, a
    duty report, two admonitions and so a proposal."""
    from tests.factories import make_member, make_org

    for _ in range(count):
        branch = make_org(tree.town_a, kind="branch")
        member = make_member(branch)
        appoint_to_seat(org=branch, role="secretary", member=member, started_on=D(2024, 1, 1))
        domain.register_project(
            branch, title="项目", goal="目标", registered_on=D(2025, 3, 1), by=None
        )
        domain.record_duty_report(
            branch, year=2025, date=D(2025, 12, 20), summary="s", ratings={"好": 3}, by=None
        )
        for day in (D(2025, 3, 1), D(2025, 6, 1)):
            domain.record_admonition(
                branch, date=day, by_org="CA-T1", talker="t", reason="r", by=None
            )


@pytest.mark.parametrize(
    "path",
    [
        "/supervision/orgs/CA-T1/projects/coverage/?year=2025",
        "/supervision/orgs/CA-T1/duty-reports/coverage/?year=2025",
        "/supervision/orgs/CA-T1/admonitions/",
        "/supervision/orgs/CA-T1/proposals/",
        "/api/supervision/orgs/CA-T1/projects",
        "/api/supervision/orgs/CA-T1/admonitions",
        "/api/supervision/orgs/CA-T1/adjustment-proposals",
        "/api/supervision/orgs/CA-T1/duty-reports",
    ],
)
def test_secretaries_pages_queries_do_not_grow_with_rows(client_for, tree, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        client = client_for(tree.users["county_officer"])
        assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    _grow(tree, 1)
    few = queries()
    _grow(tree, 3)
    assert queries() == few
