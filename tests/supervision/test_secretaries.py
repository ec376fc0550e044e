"""Secretary-led projects (TASK-05), admonition talks and adjustment proposals (TASK-06),
two-way duty reports (TASK-07): the domain's writes, one row per case."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_member
from xianfeng.notices.models import Notice
from xianfeng.orgs.domain import appoint_to_seat, end_seat
from xianfeng.supervision.domain import items
from xianfeng.supervision.domain import secretaries as domain
from xianfeng.supervision.models import AdjustmentProposal, Admonition, DutyReport, Project
from xianfeng.supervision.queries.secretaries import (
    admonitions_for_user,
    project_coverage,
    proposals_for_user,
    report_coverage,
)

pytestmark = pytest.mark.django_db
D = dt.date
SEATED = D(2024, 1, 1)
DAY = D(2026, 3, 2)
FUTURE = D(2999, 1, 1)


@pytest.fixture
def seats(tree):
    """member_a is CA-T1-B1's secretary, member_b CB-T1-B1's; CA-T1-B2's seat is vacant."""
    appoint_to_seat(org=tree.branch_a, role="secretary", member=tree.member_a, started_on=SEATED)
    appoint_to_seat(org=tree.branch_b, role="secretary", member=tree.member_b, started_on=SEATED)
    return tree


def _fields(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def _refused(action, expected):
    """Run `action`, expecting the refusal `expected`: an exception class or a field."""
    if isinstance(expected, str):
        with pytest.raises(ValidationError) as error:
            action()
        assert _fields(error.value) == {expected}, error.value.message_dict
        return error.value.message_dict[expected][0]
    with pytest.raises(expected):
        action()
    return ""


# --- TASK-05 secretary-led projects -------------------------------------------------------

PROJECT = {"title": "党建引领乡村振兴", "goal": "建成村级党群服务站", "registered_on": DAY}

# (case, user, org, changes, expected: None = saved, else the refused field or exception)
PROJECT_CASES = [
    ("branch admin, default secretary", "secretary", "branch_a", {}, None),
    (
        "county officer names the secretary",
        "county_officer",
        "branch_a",
        {"secretary": "MA1"},
        None,
    ),
    ("next year's project", "secretary", "branch_a", {"year": 2027}, None),
    (
        "milestones",
        "secretary",
        "branch_a",
        {
            "milestones": [
                {"title": "走访调研", "due": "2026-04-30"},
                {"title": "验收", "due": D(2026, 11, 30), "done": True},
            ]
        },
        None,
    ),
    ("viewer", "county_viewer", "branch_a", {}, PermissionDenied),
    ("member account", "member", "branch_a", {}, "org"),
    ("out of scope org", "outsider", "branch_a", {}, "org"),
    ("not the secretary", "county_officer", "branch_a", {"secretary": "MA2"}, "secretary"),
    ("secretary out of scope", "secretary", "branch_a", {"secretary": "MB1"}, "secretary"),
    ("unknown member", "secretary", "branch_a", {"secretary": "NOPE"}, "secretary"),
    ("vacant seat", "county_officer", "branch_a2", {}, "secretary"),
    ("party group", "secretary", "group_a", {}, "org"),
    ("future registration", "secretary", "branch_a", {"registered_on": FUTURE}, "registered_on"),
    ("year two ahead", "secretary", "branch_a", {"year": 2028}, "year"),
    ("year before", "secretary", "branch_a", {"year": 2025}, "year"),
    ("no title", "secretary", "branch_a", {"title": "  "}, "title"),
    ("no goal", "secretary", "branch_a", {"goal": ""}, "goal"),
    ("milestones not a list", "secretary", "branch_a", {"milestones": "调研"}, "milestones"),
    (
        "milestone without title",
        "secretary",
        "branch_a",
        {"milestones": [{"due": "2026-04-30"}]},
        "milestones",
    ),
    (
        "milestone bad date",
        "secretary",
        "branch_a",
        {"milestones": [{"title": "调研", "due": "4月底"}]},
        "milestones",
    ),
    (
        "milestone done not bool",
        "secretary",
        "branch_a",
        {"milestones": [{"title": "调研", "due": "2026-04-30", "done": "yes"}]},
        "milestones",
    ),
]


@pytest.mark.parametrize(
    ("case", "user", "org", "changes", "expected"), PROJECT_CASES, ids=[c[0] for c in PROJECT_CASES]
)
def test_task_05_register_project(seats, case, user, org, changes, expected):
    tree = seats
    action = lambda: domain.register_project(  # noqa: E731
        getattr(tree, org), by=tree.users[user], **{**PROJECT, **changes}
    )
    if expected is None:
        project = action()
        assert (project.secretary, project.year) == (tree.member_a, changes.get("year", 2026))
        assert project.history.last().history_user == tree.users[user]
        return
    _refused(action, expected)
    assert Project.objects.count() == 0


def test_task_05_one_project_per_secretary_a_year(seats):
    tree = seats
    domain.register_project(tree.branch_a, by=tree.users["secretary"], **PROJECT)
    message = _refused(
        lambda: domain.register_project(tree.branch_a, by=tree.users["county_officer"], **PROJECT),
        "year",
    )
    assert message == "“张三”2026年度已有领办项目"
    assert Project.objects.count() == 1


def test_task_05_a_new_secretary_has_a_project_of_their_own(seats):
    tree = seats
    domain.register_project(tree.branch_a, by=tree.users["secretary"], **PROJECT)
    end_seat(seat=tree.branch_a.seats.get(), on=D(2026, 4, 30))
    new = make_member(tree.branch_a, code="MA3", name="周九")
    appoint_to_seat(org=tree.branch_a, role="secretary", member=new, started_on=D(2026, 5, 1))
    project = domain.register_project(
        tree.branch_a, by=tree.users["secretary"], **{**PROJECT, "registered_on": D(2026, 5, 6)}
    )
    assert project.secretary == new
    _refused(
        lambda: domain.register_project(
            tree.branch_a,
            by=tree.users["secretary"],
            **{**PROJECT, "registered_on": D(2026, 5, 6), "secretary": "MA1"},
        ),
        "secretary",
    )


# (case, user, changes, expected)
COMPLETE_CASES = [
    ("completed", "secretary", {}, None),
    ("by the county", "county_officer", {}, None),
    ("viewer", "county_viewer", {}, PermissionDenied),
    ("outsider", "outsider", {}, PermissionDenied),
    ("no result", "secretary", {"result": " "}, "result"),
    ("no date", "secretary", {"completed_on": None}, "completed_on"),
    ("future", "secretary", {"completed_on": FUTURE}, "completed_on"),
    ("before registration", "secretary", {"completed_on": D(2026, 3, 1)}, "completed_on"),
]


@pytest.mark.parametrize(
    ("case", "user", "changes", "expected"), COMPLETE_CASES, ids=[c[0] for c in COMPLETE_CASES]
)
def test_task_05_complete_project(seats, case, user, changes, expected):
    tree = seats
    project = domain.register_project(tree.branch_a, by=None, **PROJECT)
    fields = {"result": "服务站投入使用", "completed_on": D(2026, 11, 20), **changes}
    action = lambda: domain.complete_project(project, by=tree.users[user], **fields)  # noqa: E731
    if expected is None:
        action()
        project.refresh_from_db()
        assert (project.result, project.completed_on) == ("服务站投入使用", D(2026, 11, 20))
        return
    _refused(action, expected)
    project.refresh_from_db()
    assert (project.result, project.completed_on) == ("", None)


@pytest.mark.parametrize(
    ("user", "milestones", "expected"),
    [
        ("secretary", [{"title": "调研", "due": "2026-04-30", "done": True}], None),
        ("secretary", [], None),
        ("county_viewer", [], PermissionDenied),
        ("secretary", [{"title": "调研", "due": "2026-13-01"}], "milestones"),
        ("secretary", [{"title": "调研", "due": "2026-04-30"}] * 31, "milestones"),
    ],
)
def test_task_05_update_milestones(seats, user, milestones, expected):
    tree = seats
    first = [{"title": "立项", "due": "2026-03-31", "done": False}]
    project = domain.register_project(tree.branch_a, by=None, **PROJECT, milestones=first)
    action = lambda: domain.update_milestones(project, milestones=milestones, by=tree.users[user])  # noqa: E731
    if expected is None:
        action()
        project.refresh_from_db()
        assert project.milestones == milestones
        return
    _refused(action, expected)
    project.refresh_from_db()
    assert project.milestones == first


def test_task_05_coverage_lists_secretaries_with_and_without_a_project(seats):
    tree = seats
    appoint_to_seat(org=tree.branch_a2, role="secretary", member=tree.member_a2, started_on=SEATED)
    domain.register_project(tree.branch_a, by=None, **PROJECT)
    rows = project_coverage(tree.county_a, 2026, DAY)
    assert [(r.org.code, r.secretary.code, r.has_record) for r in rows] == [
        ("CA-T1-B2", "MA2", False),
        ("CA-T1-B1", "MA1", True),
    ]
    assert [r.has_record for r in project_coverage(tree.county_a, 2025, D(2025, 12, 31))] == [
        False,
        False,
    ]
    assert project_coverage(tree.branch_a, 2026, DAY) == []  # the org itself is not below


# --- TASK-06 admonitions and adjustment proposals ------------------------------------------

TALK = {
    "date": D(2026, 2, 10),
    "by_org": "CA-T1",
    "talker": "组织委员李明",
    "reason": "三会一课落实不到位",
}

# (case, user, org, changes, expected)
ADMONITION_CASES = [
    ("county officer, town talks", "county_officer", "branch_a", {}, None),
    ("county talks", "county_officer", "branch_a", {"by_org": "CA", "member": "MA1"}, None),
    ("city admin", "city_admin", "branch_a", {"outcome": "限期整改"}, None),
    ("the branch's own admin", "secretary", "branch_a", {}, PermissionDenied),
    ("viewer", "county_viewer", "branch_a", {}, PermissionDenied),
    ("member account", "member", "branch_a", {}, "org"),
    ("outsider", "outsider", "branch_a", {}, "org"),
    ("talking org is a sibling", "county_officer", "branch_a", {"by_org": "CA-T1-B2"}, "by_org"),
    ("talking org is the org", "county_officer", "branch_a", {"by_org": "CA-T1-B1"}, "by_org"),
    ("talking org out of scope", "county_officer", "branch_a", {"by_org": "CB-T1"}, "by_org"),
    ("talking org above the user", "county_officer", "branch_a", {"by_org": "CITY"}, "by_org"),
    ("not the secretary", "county_officer", "branch_a", {"member": "MA2"}, "member"),
    ("member out of scope", "county_officer", "branch_a", {"member": "MB1"}, "member"),
    ("vacant seat", "county_officer", "branch_a2", {}, "member"),
    (
        "before the secretary took office",
        "county_officer",
        "branch_a",
        {"date": D(2023, 6, 1)},
        "member",
    ),
    ("future", "county_officer", "branch_a", {"date": FUTURE}, "date"),
    ("no date", "county_officer", "branch_a", {"date": None}, "date"),
    ("no talker", "county_officer", "branch_a", {"talker": ""}, "talker"),
    ("no reason", "county_officer", "branch_a", {"reason": " "}, "reason"),
]


@pytest.mark.parametrize(
    ("case", "user", "org", "changes", "expected"),
    ADMONITION_CASES,
    ids=[c[0] for c in ADMONITION_CASES],
)
def test_task_06_record_admonition(seats, case, user, org, changes, expected):
    tree = seats
    action = lambda: domain.record_admonition(  # noqa: E731
        getattr(tree, org), by=tree.users[user], **{**TALK, **changes}
    )
    if expected is None:
        talk = action()
        assert (talk.member, talk.recorded_by) == (tree.member_a, tree.users[user])
        assert not AdjustmentProposal.objects.exists()
        return
    _refused(action, expected)
    assert Admonition.objects.count() == 0


def _talk(tree, day, by="county_officer"):
    return domain.record_admonition(tree.branch_a, by=tree.users[by], **{**TALK, "date": day})


# (case, dates of the talks in order, which talks raised a proposal)
REPEAT_CASES = [
    ("one talk", [D(2025, 3, 1)], []),
    ("second within twelve months", [D(2025, 3, 1), D(2026, 2, 28)], [1]),
    ("second on the window's last day", [D(2025, 3, 1), D(2026, 3, 1)], [1]),
    ("second after the window", [D(2025, 3, 1), D(2026, 3, 2)], []),
    ("entered out of order", [D(2026, 2, 1), D(2025, 6, 1)], [1]),
    ("entered out of order, outside", [D(2026, 3, 2), D(2025, 3, 1)], []),
    ("third while one is pending", [D(2025, 3, 1), D(2025, 6, 1), D(2025, 9, 1)], [1]),
]


@pytest.mark.parametrize(
    ("case", "dates", "raised"), REPEAT_CASES, ids=[c[0] for c in REPEAT_CASES]
)
def test_task_06_second_admonition_within_window_raises_a_proposal(seats, case, dates, raised):
    tree = seats
    talks = [_talk(tree, day) for day in dates]
    proposals = AdjustmentProposal.objects.order_by("pk")
    assert [talks.index(p.admonition) for p in proposals] == raised
    for proposal in proposals:
        assert (proposal.org, proposal.member, proposal.decision) == (
            tree.branch_a,
            tree.member_a,
            "pending",
        )
        assert proposal.raised_on == max(dates[: raised[0] + 1])


def test_task_06_proposal_is_told_to_the_upper_org_officers(seats):
    tree = seats
    _talk(tree, D(2025, 3, 1))
    _talk(tree, D(2025, 9, 1))
    notices = Notice.objects.filter(key__startswith="adjustment:")
    # CA-T1 has no accounts: the nearest org above with officers is county CA
    assert [n.user.username for n in notices] == ["county_officer"]
    assert notices.get().url == "/supervision/orgs/CA-T1-B1/proposals/"
    assert "张三" in notices.get().title


def test_task_06_a_decided_proposal_lets_the_next_repeat_raise_another(seats):
    tree = seats
    _talk(tree, D(2025, 3, 1))
    _talk(tree, D(2025, 6, 1))
    first = AdjustmentProposal.objects.get()
    domain.decide_proposal(
        first,
        decision="kept",
        note="已整改到位",
        by=tree.users["county_officer"],
        decided_on=D(2025, 6, 20),
    )
    _talk(tree, D(2025, 9, 1))
    assert AdjustmentProposal.objects.filter(decision="pending").count() == 1


# (case, user, changes, expected)
DECIDE_CASES = [
    ("adjusted by the county officer", "county_officer", {}, None),
    ("kept by the city admin", "city_admin", {"decision": "kept"}, None),
    ("the branch's own admin", "secretary", {}, PermissionDenied),
    ("viewer", "county_viewer", {}, PermissionDenied),
    ("outsider", "outsider", {}, PermissionDenied),
    ("the talked-to member", "member", {}, PermissionDenied),
    ("unknown decision", "county_officer", {"decision": "pending"}, "decision"),
    ("no note", "county_officer", {"note": ""}, "note"),
    ("before it was raised", "county_officer", {"decided_on": D(2025, 5, 31)}, "decided_on"),
    ("future", "county_officer", {"decided_on": FUTURE}, "decided_on"),
]


@pytest.mark.parametrize(
    ("case", "user", "changes", "expected"), DECIDE_CASES, ids=[c[0] for c in DECIDE_CASES]
)
def test_task_06_decide_proposal(seats, case, user, changes, expected):
    tree = seats
    _talk(tree, D(2025, 3, 1))
    _talk(tree, D(2025, 6, 1))
    proposal = AdjustmentProposal.objects.get()
    fields = {"decision": "adjusted", "note": "调整岗位", "decided_on": D(2025, 7, 1), **changes}
    action = lambda: domain.decide_proposal(proposal, by=tree.users[user], **fields)  # noqa: E731
    if expected is None:
        action()
        proposal.refresh_from_db()
        assert (proposal.decision, proposal.decided_by) == (fields["decision"], tree.users[user])
        return
    _refused(action, expected)
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.decided_on) == ("pending", None)


def test_task_06_a_proposal_is_decided_once(seats):
    tree = seats
    _talk(tree, D(2025, 3, 1))
    _talk(tree, D(2025, 6, 1))
    proposal = AdjustmentProposal.objects.get()
    stale = AdjustmentProposal.objects.get()
    domain.decide_proposal(
        proposal, decision="adjusted", note="调整", by=tree.users["county_officer"]
    )
    with pytest.raises(items.Conflict):
        domain.decide_proposal(stale, decision="kept", note="不调整", by=tree.users["city_admin"])
    _refused(
        lambda: domain.decide_proposal(
            proposal, decision="kept", note="x", by=tree.users["city_admin"]
        ),
        "decision",
    )
    assert AdjustmentProposal.objects.get().decision == "adjusted"


def test_task_06_same_day_talk_twice_is_refused(seats):
    tree = seats
    _talk(tree, D(2025, 3, 1))
    _refused(lambda: _talk(tree, D(2025, 3, 1), by="city_admin"), "date")
    assert Admonition.objects.count() == 1


# (user, sees the talk and its proposal)
VISIBILITY = [
    ("county_officer", True, True),
    ("city_admin", True, True),
    ("secretary", False, False),  # the branch's own admin
    ("county_viewer", False, False),
    ("outsider", False, False),
    ("member", True, False),  # the talked-to member's own account
    ("nobody", False, False),
]


@pytest.mark.parametrize(("user", "talks", "proposals"), VISIBILITY)
def test_task_06_admonitions_are_visible_above_and_to_the_member(seats, user, talks, proposals):
    tree = seats
    _talk(tree, D(2025, 3, 1))
    _talk(tree, D(2025, 6, 1))
    assert admonitions_for_user(tree.users[user]).count() == (2 if talks else 0)
    assert proposals_for_user(tree.users[user]).count() == (1 if proposals else 0)


# --- TASK-07 two-way duty reports ------------------------------------------------------------

REPORT = {
    "year": 2025,
    "date": D(2026, 1, 15),
    "summary": "全年抓党建工作情况",
    "ratings": {"好": 30, "较好": 5, "一般": 1, "差": 0},
}

# (case, user, org, changes, expected: the result or the refused field or exception)
REPORT_CASES = [
    ("most votes 好", "secretary", "branch_a", {}, "好"),
    ("missing labels count 0", "county_officer", "branch_a", {"ratings": {"一般": 3}}, "一般"),
    ("tie goes to the lower", "secretary", "branch_a", {"ratings": {"好": 5, "较好": 5}}, "较好"),
    ("reported in the work year", "secretary", "branch_a", {"date": D(2025, 12, 30)}, "好"),
    ("named secretary", "secretary", "branch_a", {"secretary": "MA1"}, "好"),
    ("viewer", "county_viewer", "branch_a", {}, PermissionDenied),
    ("outsider", "outsider", "branch_a", {}, "org"),
    ("unknown rating", "secretary", "branch_a", {"ratings": {"优秀": 3}}, "ratings"),
    ("negative votes", "secretary", "branch_a", {"ratings": {"好": -1}}, "ratings"),
    ("fractional votes", "secretary", "branch_a", {"ratings": {"好": 2.5}}, "ratings"),
    ("votes as text", "secretary", "branch_a", {"ratings": {"好": "3"}}, "ratings"),
    ("votes as a boolean", "secretary", "branch_a", {"ratings": {"好": True}}, "ratings"),
    ("no votes", "secretary", "branch_a", {"ratings": {"好": 0}}, "ratings"),
    ("ratings not a mapping", "secretary", "branch_a", {"ratings": [30, 5]}, "ratings"),
    ("future date", "secretary", "branch_a", {"date": FUTURE}, "date"),
    ("date two years on", "secretary", "branch_a", {"year": 2023, "date": D(2025, 1, 10)}, "date"),
    ("future year", "secretary", "branch_a", {"year": 2999}, "year"),
    ("year not a number", "secretary", "branch_a", {"year": "2025"}, "year"),
    ("not the secretary", "county_officer", "branch_a", {"secretary": "MA2"}, "secretary"),
    ("secretary out of scope", "secretary", "branch_a", {"secretary": "MB1"}, "secretary"),
    ("vacant seat", "county_officer", "branch_a2", {}, "secretary"),
    ("no summary", "secretary", "branch_a", {"summary": ""}, "summary"),
]


@pytest.mark.parametrize(
    ("case", "user", "org", "changes", "expected"), REPORT_CASES, ids=[c[0] for c in REPORT_CASES]
)
def test_task_07_record_duty_report(seats, case, user, org, changes, expected):
    tree = seats
    action = lambda: domain.record_duty_report(  # noqa: E731
        getattr(tree, org), by=tree.users[user], **{**REPORT, **changes}
    )
    if isinstance(expected, str) and expected in {"好", "较好", "一般", "差"}:
        report = action()
        assert report.result == expected
        assert set(report.ratings) == {"好", "较好", "一般", "差"}
        assert report.secretary == tree.member_a
        return
    _refused(action, expected)
    assert DutyReport.objects.count() == 0


def test_task_07_one_report_per_secretary_a_year(seats):
    tree = seats
    domain.record_duty_report(tree.branch_a, by=tree.users["secretary"], **REPORT)
    message = _refused(
        lambda: domain.record_duty_report(tree.branch_a, by=tree.users["county_officer"], **REPORT),
        "year",
    )
    assert message == "“张三”2025年度的述职已登记"


def test_task_07_a_secretary_who_left_during_the_year_may_report(seats):
    tree = seats
    end_seat(seat=tree.branch_a.seats.get(), on=D(2025, 9, 30))
    report = domain.record_duty_report(
        tree.branch_a, by=tree.users["secretary"], **{**REPORT, "secretary": "MA1"}
    )
    assert report.secretary == tree.member_a
    _refused(
        lambda: domain.record_duty_report(
            tree.branch_a,
            by=tree.users["secretary"],
            **{**REPORT, "year": 2026, "date": D(2026, 3, 1), "secretary": "MA1"},
        ),
        "secretary",
    )


def test_task_07_coverage_lists_who_reported(seats):
    tree = seats
    appoint_to_seat(org=tree.branch_a2, role="secretary", member=tree.member_a2, started_on=SEATED)
    domain.record_duty_report(tree.branch_a2, by=None, **REPORT)
    rows = report_coverage(tree.town_a, 2025, D(2025, 12, 31))
    assert [(r.org.code, r.has_record) for r in rows] == [("CA-T1-B1", False), ("CA-T1-B2", True)]


def test_task_07_overall_rating_reads_the_policy_scale():
    labels = ["优秀", "合格", "不合格"]
    assert domain.overall_rating({"优秀": 1, "合格": 4, "不合格": 4}, labels) == "不合格"
    assert domain.overall_rating({"优秀": 9, "合格": 4}, labels) == "优秀"
