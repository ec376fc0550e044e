"""DEV-01: every time rule of the pipeline at its boundary, checked at the moment of the
step; a refusal states the rule, the dates and the source, and writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_id
from xianfeng.recruitment.domain.steps import record_step
from xianfeng.recruitment.models import Person, Stage, Step, Target

from .walk import walk

D = dt.date
DETAIL = "《中国共产党发展党员工作细则》"
CHARTER = "《中国共产党章程》"
OK = None

# (case, walk until, kind, on, fields, refusal: None or (field, texts it contains))
CASES = [
    (
        "talk-before-application",
        "talk",
        "talk",
        D(2024, 1, 9),
        {},
        ("on", ["2024年1月10日", DETAIL]),
    ),
    ("talk-on-application-day", "talk", "talk", D(2024, 1, 10), {}, OK),
    (
        "activist-before-application",
        "talk",
        "activist",
        D(2024, 1, 9),
        {},
        ("on", ["2024年1月10日"]),
    ),
    ("activist-on-application-day", "talk", "activist", D(2024, 1, 10), {}, OK),
    (
        "filed-before-activist",
        "activist_filed",
        "activist_filed",
        D(2024, 2, 29),
        {},
        ("on", ["2024年3月1日"]),
    ),
    (
        "review-before-activist",
        "review",
        "review",
        D(2024, 2, 29),
        {},
        ("on", ["确定为入党积极分子"]),
    ),
    ("report-on-activist-day", "review", "thought_report", D(2024, 3, 1), {}, OK),
    (
        "candidate-a-day-before-one-year",
        "candidate",
        "candidate",
        D(2025, 2, 28),
        {},
        (
            "on",
            [
                "确定为发展对象须经过一年以上的培养考察：2024年3月1日确定为积极分子，最早2025年3月1日（《中国共产党发展党员工作细则》）"
            ],
        ),
    ),
    ("candidate-on-the-anniversary", "candidate", "candidate", D(2025, 3, 1), {}, OK),
    (
        "agreed-before-candidate",
        "candidate_agreed",
        "candidate_agreed",
        D(2025, 2, 28),
        {},
        ("on", ["确定为发展对象"]),
    ),
    (
        "notice-without-agreement",
        "candidate_agreed",
        "candidate_notice",
        D(2025, 3, 17),
        {"ends_on": D(2025, 3, 21)},
        ("kind", ["上级党委同意"]),
    ),
    (
        "notice-four-workdays",
        "candidate_notice",
        "candidate_notice",
        D(2025, 3, 17),
        {"ends_on": D(2025, 3, 20)},
        ("ends_on", ["不少于5个工作日", "2025年3月21日", DETAIL]),
    ),
    (
        "notice-five-workdays",
        "candidate_notice",
        "candidate_notice",
        D(2025, 3, 17),
        {"ends_on": D(2025, 3, 21)},
        OK,
    ),
    (
        "notice-national-day-short",
        "candidate_notice",
        "candidate_notice",
        D(2025, 9, 29),
        {"ends_on": D(2025, 10, 10)},
        ("ends_on", ["2025年9月29日开始公示，最早2025年10月11日结束"]),
    ),
    (
        "notice-national-day-make-up-saturday",
        "candidate_notice",
        "candidate_notice",
        D(2025, 9, 29),
        {"ends_on": D(2025, 10, 11)},
        OK,
    ),
    (
        "notice-without-end",
        "candidate_notice",
        "candidate_notice",
        D(2025, 3, 17),
        {},
        ("ends_on", ["公示截止日期"]),
    ),
    (
        "introducers-directly",
        "introducers",
        "introducers",
        D(2025, 3, 24),
        {},
        ("kind", ["2名正式党员作入党介绍人"]),
    ),
    (
        "political-review-without-conclusion",
        "political_review",
        "political_review",
        D(2025, 3, 25),
        {},
        ("conclusion", ["结论"]),
    ),
    (
        "training-too-short",
        "short_training",
        "short_training",
        D(2025, 3, 26),
        {"days": Decimal("2.5"), "hours": Decimal(23)},
        ("days", ["不少于3天", "24学时", "2.5天、23学时"]),
    ),
    (
        "training-24-hours",
        "short_training",
        "short_training",
        D(2025, 3, 26),
        {"hours": Decimal(24)},
        OK,
    ),
    (
        "training-3-days",
        "short_training",
        "short_training",
        D(2025, 3, 26),
        {"days": Decimal(3)},
        OK,
    ),
    (
        "pre-review-on-notice-last-day",
        "pre_review",
        "pre_review",
        D(2025, 3, 21),
        {},
        ("kind", ["发展对象公示（须已结束）"]),
    ),
    (
        "pre-review-missing-steps",
        "introducers",
        "pre_review",
        D(2025, 4, 1),
        {},
        ("kind", ["确定入党介绍人、政治审查、短期集中培训"]),
    ),
    ("pre-review-after-all", "pre_review", "pre_review", D(2025, 4, 1), {}, OK),
    (
        "volunteer-book-before-pre-review",
        "pre_review",
        "volunteer_book",
        D(2025, 4, 1),
        {"conclusion": "X1"},
        ("kind", ["预审"]),
    ),
    (
        "volunteer-book-without-number",
        "volunteer_book",
        "volunteer_book",
        D(2025, 4, 5),
        {},
        ("conclusion", ["入党志愿书编号"]),
    ),
    (
        "meeting-one-month-after-pre-review",
        "admission_meeting",
        "admission_meeting",
        D(2025, 5, 1),
        {"voters": 10, "present": 6, "in_favour": 6},
        OK,
    ),
    (
        "meeting-a-day-too-late",
        "admission_meeting",
        "admission_meeting",
        D(2025, 5, 2),
        {"voters": 10, "present": 6, "in_favour": 6},
        ("on", ["须重新预审", "2025年4月1日预审，最迟2025年5月1日"]),
    ),
    (
        "meeting-half-present",
        "admission_meeting",
        "admission_meeting",
        D(2025, 4, 20),
        {"voters": 10, "present": 5, "in_favour": 5},
        ("present", ["超过半数", "应到10人，实到5人"]),
    ),
    (
        "meeting-half-in-favour",
        "admission_meeting",
        "admission_meeting",
        D(2025, 4, 20),
        {"voters": 10, "present": 8, "in_favour": 5},
        ("in_favour", ["半数赞成", "赞成5票"]),
    ),
    (
        "meeting-more-present-than-voters",
        "admission_meeting",
        "admission_meeting",
        D(2025, 4, 20),
        {"voters": 10, "present": 11, "in_favour": 6},
        ("present", ["实到人数"]),
    ),
    (
        "meeting-without-votes",
        "admission_meeting",
        "admission_meeting",
        D(2025, 4, 20),
        {},
        ("voters", ["表决"]),
    ),
    ("approval-three-months", "approval", "approval", D(2025, 7, 20), {}, OK),
    (
        "approval-a-day-late",
        "approval",
        "approval",
        D(2025, 7, 21),
        {},
        ("on", ["3个月内审批", "2025年4月20日支部大会通过，最迟2025年7月20日"]),
    ),
    ("approval-special-late-ok", "approval", "approval", D(2025, 10, 20), {"special": True}, OK),
    (
        "approval-special-too-late",
        "approval",
        "approval",
        D(2025, 10, 21),
        {"special": True},
        ("on", ["不得超过6个月"]),
    ),
    (
        "approval-before-meeting",
        "admission_meeting",
        "approval",
        D(2025, 5, 10),
        {},
        ("kind", ["支部大会"]),
    ),
    ("oath-before-approval", "oath", "oath", D(2025, 5, 9), {}, ("on", ["党委审批接收"])),
    (
        "extension-five-months",
        "oath",
        "extension",
        D(2025, 6, 1),
        {"months": 5},
        ("months", ["不能少于6个月", CHARTER + "第七条"]),
    ),
    (
        "extension-thirteen-months",
        "oath",
        "extension",
        D(2025, 6, 1),
        {"months": 13},
        ("months", ["最长不超过12个月"]),
    ),
    ("extension-six-months", "oath", "extension", D(2025, 6, 1), {"months": 6}, OK),
    ("extension-twelve-months", "oath", "extension", D(2025, 6, 1), {"months": 12}, OK),
    (
        "extension-after-probation",
        "conversion_meeting",
        "extension",
        D(2026, 4, 21),
        {"months": 6},
        ("on", ["预备期2026年4月20日期满"]),
    ),
    (
        "conversion-notice-short",
        "conversion_notice",
        "conversion_notice",
        D(2026, 3, 16),
        {"ends_on": D(2026, 3, 19)},
        ("ends_on", ["转正公示时间不少于5个工作日"]),
    ),
    (
        "conversion-meeting-before-probation-end",
        "conversion_meeting",
        "conversion_meeting",
        D(2026, 4, 19),
        {"voters": 10, "present": 9, "in_favour": 9},
        ("on", ["预备期2026年4月20日期满"]),
    ),
    (
        "conversion-meeting-at-probation-end",
        "conversion_meeting",
        "conversion_meeting",
        D(2026, 4, 20),
        {"voters": 10, "present": 9, "in_favour": 9},
        OK,
    ),
    (
        "conversion-meeting-without-notice",
        "conversion_notice",
        "conversion_meeting",
        D(2026, 4, 20),
        {"voters": 10, "present": 9, "in_favour": 9},
        ("kind", ["转正公示结束"]),
    ),
    (
        "conversion-approval-three-months",
        "conversion_approval",
        "conversion_approval",
        D(2026, 7, 20),
        {},
        OK,
    ),
    (
        "conversion-approval-a-day-late",
        "conversion_approval",
        "conversion_approval",
        D(2026, 7, 21),
        {},
        ("on", ["3个月内审批", "最迟2026年7月20日"]),
    ),
    (
        "approval-while-activist",
        "candidate",
        "approval",
        D(2025, 3, 1),
        {},
        ("kind", ["只能在发展对象阶段记录", "入党积极分子"]),
    ),
    (
        "candidate-while-applicant",
        "activist",
        "candidate",
        D(2025, 3, 1),
        {},
        ("kind", ["入党申请人"]),
    ),
    (
        "application-as-a-step",
        "talk",
        "application",
        D(2024, 1, 20),
        {},
        ("kind", ["登记入党申请人"]),
    ),
    ("unknown-field", "talk", "talk", D(2024, 1, 20), {"colour": "红"}, ("__all__", ["colour"])),
    (
        "admission-meeting-without-volunteer-book",
        "volunteer_book",
        "admission_meeting",
        D(2025, 4, 20),
        {"voters": 10, "present": 8, "in_favour": 7},
        ("kind", ["入党志愿书"]),
    ),
    (
        "conversion-notice-without-application",
        "conversion_application",
        "conversion_notice",
        D(2026, 3, 16),
        {"ends_on": D(2026, 3, 20)},
        ("kind", ["转正申请"]),
    ),
    (
        "extension-after-conversion-notice",
        "conversion_meeting",
        "extension",
        D(2026, 4, 1),
        {"months": 6},
        ("kind", ["转正公示"]),
    ),
]
COMMITTEE = {"activist_filed", "candidate_agreed", "pre_review", "approval", "conversion_approval"}


def _user(tree, kind):
    return tree.users["county_officer" if kind in COMMITTEE else "secretary"]


@pytest.mark.parametrize(
    ("until", "kind", "on", "fields", "refusal"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_dev01_time_rule_at_boundary(tree, until, kind, on, fields, refusal):
    person = walk(tree, until=until)
    before = (Step.objects.count(), Person.objects.get(pk=person.pk).stage)

    def call():
        return record_step(person=person, kind=kind, on=on, by=_user(tree, kind), **fields)

    if refusal is OK:
        step = call()
        assert step.pk and step.kind == kind and step.on == on
        assert step.entered_by == _user(tree, kind)
        return
    field, texts = refusal
    with pytest.raises(ValidationError) as caught:
        call()
    message = " ".join(caught.value.message_dict[field])
    for text in texts:
        assert text in message
    assert (Step.objects.count(), Person.objects.get(pk=person.pk).stage) == before


def test_dev01_refusal_ends_with_the_source(tree):
    person = walk(tree, until="candidate")
    with pytest.raises(ValidationError) as caught:
        record_step(person=person, kind="candidate", on=D(2025, 2, 28), by=tree.users["secretary"])
    assert caught.value.message_dict["on"][0].endswith("（《中国共产党发展党员工作细则》）")


def test_dev01_candidate_on_anniversary_of_29_february(tree):
    person = walk(tree, until="activist")
    secretary = tree.users["secretary"]
    record_step(person=person, kind="activist", on=D(2024, 2, 29), by=secretary)
    from xianfeng.recruitment.domain.mentors import assign_mentor

    assign_mentor(person=person, member=tree.member_a, on=D(2024, 2, 29), by=secretary)
    with pytest.raises(ValidationError, match="最早2025年3月1日"):
        record_step(person=person, kind="candidate", on=D(2025, 2, 28), by=secretary)
    record_step(person=person, kind="candidate", on=D(2025, 3, 1), by=secretary)
    assert person.stage == Stage.ADMISSION_CANDIDATE and person.candidate_on == D(2025, 3, 1)


def test_dev01_candidate_needs_a_mentor(tree):
    person = walk(tree, until="mentor")
    with pytest.raises(ValidationError, match="培养联系人：截至2025年3月1日已指定0名"):
        record_step(person=person, kind="candidate", on=D(2025, 3, 1), by=tree.users["secretary"])


def test_dev01_date_in_the_future_refused(tree):
    person = walk(tree, until="talk")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        record_step(person=person, kind="talk", on=D(2099, 1, 1), by=tree.users["secretary"])


# --- who decides --------------------------------------------------------------------------


def test_dev01_approval_by_a_branch_refused(tree):
    person = walk(tree, until="approval")
    with pytest.raises(ValidationError) as caught:
        record_step(
            person=person,
            kind="approval",
            on=D(2025, 5, 10),
            org=tree.branch_a,
            by=tree.users["city_admin"],
        )
    message = caught.value.message_dict["org"][0]
    assert "党总支、党支部无审批权" in message and "“青山村党支部”是党支部" in message
    assert message.endswith(f"（{DETAIL}）")
    assert Person.objects.get(pk=person.pk).stage == Stage.ADMISSION_CANDIDATE


def test_dev01_approval_recorded_by_the_branch_secretary_refused(tree):
    person = walk(tree, until="approval")
    with pytest.raises(ValidationError, match="管理员或党务干部录入"):
        record_step(person=person, kind="approval", on=D(2025, 5, 10), by=tree.users["secretary"])
    assert not Person.objects.get(pk=person.pk).member


def test_dev01_approval_by_a_committee_off_the_line_answers_like_missing(tree):
    person = walk(tree, until="approval")
    with pytest.raises(ValidationError) as caught:
        record_step(
            person=person,
            kind="approval",
            on=D(2025, 5, 10),
            org=tree.town_b,
            by=tree.users["city_admin"],
        )
    assert caught.value.message_dict["org"] == ["没有找到党组织“CB-T1”"]


def test_dev01_committee_step_defaults_to_the_nearest_committee(tree):
    person = walk(tree, through="approval")
    approval = Step.objects.get(person=person, kind="approval")
    assert approval.org == tree.town_a
    talk = Step.objects.get(person=person, kind="talk")
    assert talk.org == tree.branch_a


@pytest.mark.parametrize("who", ["county_viewer", "outsider", "member"])
def test_dev01_step_by_someone_who_may_not_manage(tree, who):
    person = walk(tree, until="talk")
    with pytest.raises((PermissionDenied, ValidationError)):
        record_step(person=person, kind="talk", on=D(2024, 1, 20), by=tree.users[who])
    assert Step.objects.filter(person=person).count() == 1


# --- the yearly plan (发展党员计划) -----------------------------------------------------------


def _target(org, value, year=2025, set_by=None):
    return Target.objects.create(
        org=org, year=year, kind="admissions", value=value, set_by=set_by or org
    )


@pytest.mark.parametrize(
    ("targets", "refused"),
    [
        ([], False),
        ([("town_a", 1)], False),
        ([("town_a", 0)], True),
        ([("branch_a", 0), ("town_a", 5)], True),  # the nearest plan binds
        ([("branch_a", 1), ("town_a", 0)], False),
        ([("county_a", 0)], True),
        ([("town_b", 0)], False),  # another line's plan does not
    ],
)
def test_dev01_approval_within_the_yearly_plan(tree, targets, refused):
    for name, value in targets:
        _target(getattr(tree, name), value)
    _target(tree.town_a, 0, year=2024)  # another year's plan does not bind
    person = walk(tree, until="approval")

    def call():
        return record_step(
            person=person, kind="approval", on=D(2025, 5, 10), by=tree.users["county_officer"]
        )

    if refused:
        with pytest.raises(ValidationError, match="超出年度发展党员计划"):
            call()
        assert Person.objects.get(pk=person.pk).member is None
    else:
        call()
        assert person.stage == Stage.PROBATIONARY


def test_dev01_approval_beyond_the_plan_counts_earlier_approvals(tree):
    _target(tree.town_a, 1)
    walk(tree, through="approval")
    second = walk_second(tree)
    with pytest.raises(ValidationError) as caught:
        record_step(
            person=second, kind="approval", on=D(2025, 5, 10), by=tree.users["county_officer"]
        )
    message = caught.value.message_dict["on"][0]
    assert "超出年度发展党员计划：“青山镇党委”2025年计划发展1名，已审批1名" in message


def walk_second(tree):
    """A second person to the approval (their own ID, the same dates)."""
    return walk(tree, until="approval", name="钱七", id_number=make_id(D(1996, 2, 3)))


# --- the short training from a training class, and the step's files ----------------------


def _training_class(org, days, hours):
    from xianfeng.study.models import TrainingClass

    return TrainingClass.objects.create(
        org=org,
        kind="other",
        title="发展对象培训班",
        starts_on=D(2025, 3, 24),
        ends_on=D(2025, 3, 26),
        days=Decimal(days),
        hours=Decimal(hours),
    )


@pytest.mark.parametrize(
    ("org", "days", "hours", "outcome"),
    [
        ("town_a", "3", "20", "ok"),  # the town committee's class, above the branch
        ("town_a", "2", "24", "ok"),
        ("town_a", "2", "16", "不少于3天"),
        ("town_b", "3", "24", "没有找到培训班"),  # another line: answers like missing
    ],
)
def test_dev01_short_training_from_a_training_class(tree, org, days, hours, outcome):
    klass = _training_class(getattr(tree, org), days, hours)
    person = walk(tree, until="short_training")

    def call():
        return record_step(
            person=person,
            kind="short_training",
            on=D(2025, 3, 26),
            training_class=klass,
            days=Decimal(9),  # the class's own days count, not what is typed
            by=tree.users["secretary"],
        )

    if outcome == "ok":
        step = call()
        assert (step.days, step.hours) == (Decimal(days), Decimal(hours))
        return
    with pytest.raises(ValidationError, match=outcome):
        call()


def test_dev01_step_files(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.recruitment.domain.steps import add_step_file

    person = walk(tree, until="talk")
    pdf = SimpleUploadedFile("谈话记录.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    step = record_step(
        person=person, kind="talk", on=D(2024, 1, 20), files=[pdf], by=tree.users["secretary"]
    )
    assert [f.name for f in step.files.all()] == ["谈话记录.pdf"]
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        add_step_file(step=step, upload=bad, by=tree.users["secretary"])
    assert "files" in caught.value.message_dict
    with pytest.raises(ValidationError, match="没有找到发展环节"):
        add_step_file(step=step, upload=pdf, by=tree.users["outsider"])
    assert step.files.count() == 1
