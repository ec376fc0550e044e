"""Writes of organizational life (LIFE-01, LIFE-04, LIFE-06) through orglife.domain."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_member, make_org
from xianfeng.lib.dates import today
from xianfeng.orglife import domain
from xianfeng.orglife.models import Attendance, RequestStatus
from xianfeng.orglife.queries import quorum, roster_for
from xianfeng.orgs.domain import appoint_to_seat, end_seat

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2025, 3, 10)


def _branch(tree, full: int = 0, probationary: int = 0):
    branch = make_org(tree.town_a, kind="branch", sector="rural")
    fulls = [make_member(branch, joined_on=D(2010, 1, 1)) for _ in range(full)]
    probs = [
        make_member(branch, status="probationary", joined_on=D(2024, 12, 1))
        for _ in range(probationary)
    ]
    return branch, fulls, probs


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _statuses(meeting) -> dict:
    return dict(meeting.attendance.values_list("member__name", "status"))


def test_life_01_record_held_meeting_writes_whole_roster(tree):
    branch, fulls, probs = _branch(tree, full=2, probationary=1)
    meeting = domain.record_meeting(
        org=branch,
        kind="general_meeting",
        topic="发展党员表决",
        held_on=DAY,
        attendance={fulls[0].pk: "present"},
    )
    assert meeting.status == "held"
    rows = {r.member_id: (r.status, r.voting) for r in meeting.attendance.all()}
    assert rows == {
        fulls[0].pk: ("present", True),
        fulls[1].pk: ("absent", True),
        probs[0].pk: ("absent", False),
    }


def test_life_01_planned_needs_planned_date(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="主题党日")
    assert _errors(excinfo) == {"planned_on": ["计划召开的会议须填写计划日期"]}


def test_life_01_held_date_not_in_future(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(
            org=tree.branch_a,
            kind="theme_day",
            topic="主题党日",
            held_on=today() + dt.timedelta(days=1),
        )
    assert list(_errors(excinfo)) == ["held_on"]


@pytest.mark.parametrize(
    ("org_name", "kind", "message"),
    [
        ("branch_a", "party_group_meeting", "党支部不召开党小组会"),
        ("group_a", "general_meeting", "党小组不召开党员大会"),
        ("branch_a", "leadership_life_meeting", "党支部不召开民主生活会"),
        ("town_a", "theme_day", "党委不召开主题党日"),
    ],
)
def test_life_01_kind_must_fit_org_kind(tree, org_name, kind, message):
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(org=getattr(tree, org_name), kind=kind, topic="t", held_on=DAY)
    assert _errors(excinfo) == {"kind": [message]}


def test_life_01_kinds_allowed_where_they_belong(tree):
    group = domain.record_meeting(
        org=tree.group_a, kind="party_group_meeting", topic="t", held_on=DAY
    )
    town = domain.record_meeting(
        org=tree.town_a, kind="leadership_life_meeting", topic="t", held_on=D(2025, 1, 20)
    )
    assert (group.kind, town.for_period) == ("party_group_meeting", "2025")


def test_life_05_yearly_meeting_keeps_given_period(tree):
    meeting = domain.record_meeting(
        org=tree.branch_a,
        kind="life_meeting",
        topic="t",
        held_on=D(2025, 1, 20),
        for_period="2024",
    )
    assert meeting.for_period == "2024"


# LIFE-05 (issue 23): the period a meeting is for, as entered. 2023's grace ends on
# 2024-02-29 (two months, a leap year).
REASON_NEEDED = {
    "period_reason": [
        "会议日期2024-03-01不在所属期间2023内，也不在其补开期限（2024-02-29前）内，请填写跨期登记原因"
    ]
}
FOR_PERIOD_CASES = [
    # (case, kind, held_on, for_period, period_reason, errors or None)
    ("held in the year itself", "life_meeting", D(2023, 12, 1), "2023", "", None),
    ("previous year, grace's last day Feb 29", "life_meeting", D(2024, 2, 29), "2023", "", None),
    (
        "previous year, the day after the grace",
        "life_meeting",
        D(2024, 3, 1),
        "2023",
        "",
        REASON_NEEDED,
    ),
    (
        "the day after the grace, with a reason",
        "life_meeting",
        D(2024, 3, 1),
        "2023",
        "疫情推迟",
        None,
    ),
    (
        "two years back within the grace months",
        "leadership_life_meeting",
        D(2024, 1, 10),
        "2022",
        "",
        {
            "period_reason": [
                "会议日期2024-01-10不在所属期间2022内，也不在其补开期限（2023-02-28前）内，"
                "请填写跨期登记原因"
            ]
        },
    ),
    (
        "a future year is refused",
        "life_meeting",
        D(2023, 12, 20),
        "2024",
        "提前召开",
        {
            "for_period": [
                "所属期间2024尚未开始（2024-01-01起），2023-12-20的会议不能计入以后的期间"
            ]
        },
    ),
    (
        "a future quarter is refused",
        "general_meeting",
        D(2024, 3, 20),
        "2024-Q2",
        "",
        {
            "for_period": [
                "所属期间2024-Q2尚未开始（2024-04-01起），2024-03-20的会议不能计入以后的期间"
            ]
        },
    ),
]


@pytest.mark.parametrize(
    ("case", "kind", "held_on", "for_period", "reason", "errors"),
    FOR_PERIOD_CASES,
    ids=[c[0] for c in FOR_PERIOD_CASES],
)
def test_life_05_for_period_at_entry(tree, case, kind, held_on, for_period, reason, errors):
    org = tree.branch_a if kind != "leadership_life_meeting" else tree.town_a
    write = lambda: domain.record_meeting(  # noqa: E731
        org=org, kind=kind, topic="t", held_on=held_on, for_period=for_period, period_reason=reason
    )
    if errors is None:
        meeting = write()
        assert (meeting.for_period, meeting.period_reason) == (for_period, reason)
        assert meeting.history.first().period_reason == reason
    else:
        with pytest.raises(ValidationError) as excinfo:
            write()
        assert _errors(excinfo) == errors


def test_life_05_planned_meeting_for_a_future_year_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(
            org=tree.branch_a,
            kind="life_meeting",
            topic="t",
            planned_on=today(),
            for_period=str(today().year + 1),
        )
    assert list(_errors(excinfo)) == ["for_period"]


def test_life_05_holding_a_planned_meeting_late_asks_for_a_reason(tree):
    planned = domain.record_meeting(
        org=tree.branch_a,
        kind="life_meeting",
        topic="t",
        planned_on=D(2023, 12, 20),
        for_period="2023",  # as the yearly plan writes it
    )
    with pytest.raises(ValidationError) as excinfo:
        domain.hold_meeting(planned, held_on=D(2024, 3, 1))
    assert _errors(excinfo) == REASON_NEEDED
    planned.refresh_from_db()
    held = domain.hold_meeting(planned, held_on=D(2024, 3, 1), period_reason="书记住院")
    held.refresh_from_db()
    assert (held.status, held.for_period, held.period_reason) == ("held", "2023", "书记住院")


def test_life_01_empty_topic_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(org=tree.branch_a, kind="theme_day", topic=" ", held_on=DAY)
    assert _errors(excinfo) == {"topic": ["请填写会议主题"]}


def test_life_01_visitor_added_without_vote(tree):
    appoint_to_seat(org=tree.town_a, role="secretary", member=tree.member_a2, started_on=DAY)
    meeting = domain.record_meeting(
        org=tree.branch_a,
        kind="party_lesson",
        topic="t",
        held_on=DAY,
        attendance={tree.member_a2.pk: "present"},
    )
    row = meeting.attendance.get(member=tree.member_a2)
    assert (row.status, row.voting) == ("present", False)


def test_life_01_member_off_the_roster_refused_like_nobody(tree):
    meeting = domain.record_meeting(
        org=tree.branch_a, kind="party_lesson", topic="t", held_on=DAY, attendance={}
    )
    answers = []
    for member_id in (tree.member_a2.pk, tree.member_b.pk, 999999):
        with pytest.raises(ValidationError) as excinfo:
            domain.set_attendance(meeting, {member_id: "present"})
        answers.append(_errors(excinfo)["attendance"][0].replace(str(member_id), "?"))
    assert answers == ["没有找到党员“?”"] * 3
    assert set(meeting.attendance.values_list("member_id", flat=True)) == {tree.member_a.pk}


def test_life_01_unknown_attendance_status_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(
            org=tree.branch_a,
            kind="theme_day",
            topic="t",
            held_on=DAY,
            attendance={tree.member_a.pk: "late"},
        )
    assert _errors(excinfo) == {"attendance": ["未知的出勤状态：late"]}


@pytest.mark.parametrize(
    ("full", "probationary", "present", "expected"),
    [
        (10, 0, 5, {"voters": 10, "present": 5, "reached": False}),  # LIFE-01: half is not more
        (10, 4, 6, {"voters": 10, "present": 6, "reached": True}),  # probationary: no vote
        (0, 0, 0, {"voters": 0, "present": 0, "reached": False}),
    ],
)
def test_life_01_quorum(tree, full, probationary, present, expected):
    branch, fulls, probs = _branch(tree, full, probationary)
    came = {m.pk: "present" for m in fulls[:present] + probs}
    meeting = domain.record_meeting(
        org=branch, kind="general_meeting", topic="t", held_on=DAY, attendance=came
    )
    assert quorum(meeting) == expected


def test_life_01_roster_of_party_group_and_committee(tree):
    in_group = make_member(tree.branch_a, party_group=tree.group_a)
    assert [m.pk for m in roster_for(tree.group_a, DAY)] == [in_group.pk]
    seat = appoint_to_seat(
        org=tree.town_a, role="secretary", member=tree.member_a, started_on=D(2024, 1, 1)
    )
    assert roster_for(tree.town_a, DAY, "leadership_life_meeting") == [tree.member_a]
    end_seat(seat=seat, on=D(2025, 3, 1))
    assert roster_for(tree.town_a, DAY, "leadership_life_meeting") == []


def test_life_01_roster_leaves_out_members_placed_later(tree):
    branch, fulls, _ = _branch(tree, full=1)
    late = make_member(branch, joined_on=D(2025, 6, 1), status="probationary")
    assert late not in roster_for(branch, DAY)
    assert roster_for(branch, DAY) == fulls


def test_life_01_hold_planned_meeting(tree):
    planned = domain.record_meeting(
        org=tree.branch_a, kind="general_meeting", topic="t", planned_on=DAY
    )
    assert planned.status == "planned"
    held = domain.hold_meeting(planned, held_on=DAY, attendance={})
    assert (held.status, _statuses(held)) == ("held", {"张三": "absent"})
    with pytest.raises(ValidationError):
        domain.hold_meeting(held, held_on=DAY)


def test_life_01_cancel_only_planned(tree):
    planned = domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", planned_on=DAY)
    assert domain.cancel_meeting(planned).status == "cancelled"
    held = domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=DAY)
    with pytest.raises(ValidationError) as excinfo:
        domain.cancel_meeting(held)
    assert _errors(excinfo) == {"status": ["只有计划中的会议可以取消"]}


def test_life_01_update_meeting_validates(tree):
    meeting = domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=DAY)
    domain.update_meeting(meeting, topic="新主题", place="党员活动室")
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.place) == ("新主题", "党员活动室")
    with pytest.raises(ValidationError) as excinfo:
        domain.update_meeting(meeting, kind="party_group_meeting")
    assert _errors(excinfo) == {"kind": ["党支部不召开党小组会"]}


def test_life_01_set_attendance_upserts(tree):
    meeting = domain.record_meeting(
        org=tree.branch_a, kind="theme_day", topic="t", held_on=DAY, attendance={}
    )
    domain.set_attendance(meeting, {tree.member_a.pk: "present"})
    domain.set_attendance(meeting, {tree.member_a.pk: "leave"})
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    assert _statuses(meeting) == {"张三": "leave"}


def test_life_01_attendance_refused_before_held(tree):
    planned = domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", planned_on=DAY)
    with pytest.raises(ValidationError) as excinfo:
        domain.set_attendance(planned, {tree.member_a.pk: "present"})
    assert _errors(excinfo) == {"attendance": ["会议尚未召开，不能登记出勤"]}


def _planned(tree, days: int = 7):
    return domain.record_meeting(
        org=tree.branch_a,
        kind="theme_day",
        topic="主题党日",
        planned_on=today() + dt.timedelta(days=days),
    )


def test_life_04_leave_approved_becomes_attendance(tree):
    meeting = _planned(tree)
    leave = domain.ask_leave(meeting=meeting, member=tree.member_a, reason="外出务工")
    domain.decide_leave(leave, approve=True, by=tree.users["secretary"])
    assert leave.status == RequestStatus.APPROVED
    meeting.planned_on = today()
    meeting.save()
    domain.hold_meeting(meeting, held_on=today(), attendance={})
    assert _statuses(meeting) == {"张三": "leave"}


def test_life_04_leave_decided_after_roster_sets_row(tree):
    meeting = _planned(tree, days=0)
    leave = domain.ask_leave(meeting=meeting, member=tree.member_a, reason="生病")
    domain.hold_meeting(meeting, held_on=today(), attendance={})
    domain.decide_leave(leave, approve=True, by=tree.users["secretary"])
    assert _statuses(meeting) == {"张三": "leave"}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("twice", {"meeting": ["已对该会议提交过请假申请"]}),
        ("no_reason", {"reason": ["请填写请假事由"]}),
        ("not_on_roster", {"member": ["李四不在该会议的应到人员名单中"]}),
        ("held", {"meeting": ["只能对计划召开、尚未召开的会议请假"]}),
        ("past", {"meeting": ["该会议的计划日期已过，不能再请假"]}),
    ],
)
def test_life_04_leave_refused(tree, case, message):
    meeting = _planned(tree, days=-1 if case == "past" else 7)
    member, reason = tree.member_a, "事由"
    if case == "twice":
        domain.ask_leave(meeting=meeting, member=member, reason=reason)
    if case == "no_reason":
        reason = ""
    if case == "not_on_roster":
        member = tree.member_a2
    if case == "held":
        meeting = domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=DAY)
    with pytest.raises(ValidationError) as excinfo:
        domain.ask_leave(meeting=meeting, member=member, reason=reason)
    assert _errors(excinfo) == message


def test_life_04_leave_decided_once(tree):
    leave = domain.ask_leave(meeting=_planned(tree), member=tree.member_a, reason="事由")
    domain.decide_leave(leave, approve=False, by=None)
    assert leave.status == RequestStatus.REJECTED
    with pytest.raises(ValidationError):
        domain.decide_leave(leave, approve=True, by=None)


def test_life_04_exemption_covers_theme_days_only(tree):
    exemption = domain.ask_exemption(
        member=tree.member_a, kind="theme_day", reason="年老体弱", starts_on=D(2025, 1, 1)
    )
    domain.decide_exemption(exemption, approve=True, by=tree.users["secretary"])
    theme = domain.record_meeting(
        org=tree.branch_a, kind="theme_day", topic="t", held_on=DAY, attendance={}
    )
    general = domain.record_meeting(
        org=tree.branch_a, kind="general_meeting", topic="t", held_on=DAY, attendance={}
    )
    assert (_statuses(theme), _statuses(general)) == ({"张三": "exempted"}, {"张三": "absent"})


def test_life_04_exemption_dates_checked(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.ask_exemption(
            member=tree.member_a,
            kind="theme_day",
            reason="生病",
            starts_on=D(2025, 3, 1),
            ends_on=D(2025, 2, 1),
        )
    assert _errors(excinfo) == {"ends_on": ["截止日期不能早于起始日期"]}


def test_life_01_attachment_type_and_size(tree, settings):
    meeting = domain.record_meeting(org=tree.branch_a, kind="theme_day", topic="t", held_on=DAY)
    photo = SimpleUploadedFile("现场.JPG", b"\xff\xd8\xffdat", content_type="image/jpeg")
    attachment = domain.add_attachment(meeting, file=photo)
    assert (attachment.name, attachment.size) == ("现场.JPG", 6)
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValidationError) as excinfo:
        domain.add_attachment(meeting, file=SimpleUploadedFile("a.exe", b"MZ"))
    assert _errors(excinfo) == {"file": ["只能上传 jpg、png、pdf、docx 或 xlsx 文件"]}
    big = SimpleUploadedFile("b.pdf", b"0" * (20 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as excinfo:
        domain.add_attachment(meeting, file=big)
    assert _errors(excinfo) == {"file": ["文件不能超过 20 MB"]}


def test_life_06_publish_material_and_use_it(tree):
    material = domain.publish_material(org=tree.town_a, month="2025-03", title="学习党章")
    lesson = domain.record_meeting(
        org=tree.branch_a, kind="party_lesson", topic="t", held_on=DAY, material=material
    )
    assert lesson.material == material
    other = domain.publish_material(org=tree.town_b, month="2025-03", title="外县教材")
    with pytest.raises(ValidationError) as excinfo:
        domain.record_meeting(
            org=tree.branch_a, kind="party_lesson", topic="t", held_on=DAY, material=other
        )
    assert _errors(excinfo) == {"material": [f"没有找到党课教材“{other.pk}”"]}


def test_life_06_material_published_by_upper_org_with_valid_month(tree):
    with pytest.raises(ValidationError) as excinfo:
        domain.publish_material(org=tree.branch_a, month="2025-03", title="t")
    assert list(_errors(excinfo)) == ["org"]
    with pytest.raises(ValidationError) as excinfo:
        domain.publish_material(org=tree.town_a, month="2025-13", title="t")
    assert _errors(excinfo) == {"month": ["月份格式应为 2025-06"]}
