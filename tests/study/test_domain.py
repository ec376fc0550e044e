"""Writes of study and training: validation with Chinese messages keyed by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_member, make_org
from xianfeng.members.domain import set_member_status
from xianfeng.orglife.models import Meeting
from xianfeng.study.domain import (
    add_plan_item,
    create_course,
    create_study_plan,
    create_training_class,
    credit_meeting_hours,
    decide_self_study,
    enroll_members,
    mark_plan_item_done,
    publish_must_learn_list,
    record_study,
    record_training_attendance,
    update_course,
)
from xianfeng.study.models import Enrollment, RecordStatus
from xianfeng.study.queries import must_learn_completion, records_for_member

pytestmark = pytest.mark.django_db
D = dt.date
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(16)  # an MP4's first box


@pytest.fixture
def county():
    return make_org(None, kind="party_committee", level="county", sector="")


@pytest.fixture
def branch(county):
    return make_org(county)


def _errors(call, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.message_dict


def _course(org, **fields):
    fields.setdefault("title", "学习党章")
    fields.setdefault("kind", "lecture")
    fields.setdefault("hours", "2")
    fields.setdefault("published_on", D(2025, 1, 2))
    return create_course(org=org, **fields)


# --- courses and must-learn lists -------------------------------------------------------------

COURSE_ERRORS = [
    # (case, fields, expected errors)
    ("no title", {"title": " "}, {"title": ["请填写课程名称"]}),
    ("unknown kind", {"kind": "podcast"}, {"kind": ["未知的课程类型“podcast”"]}),
    ("zero hours", {"hours": "0"}, {"hours": ["学时应大于0"]}),
    ("two decimals", {"hours": "1.25"}, {"hours": ["学时最多保留一位小数，如 1.5"]}),
    ("not a number", {"hours": "两"}, {"hours": ["学时应为数字，如 2 或 1.5"]}),
    ("video without a file", {"kind": "video"}, {"file": ["视频课程须上传本地文件"]}),
    ("text without body", {"kind": "text"}, {"body": ["图文课程须填写正文或上传文件"]}),
    (
        "a video that is not a video",
        {"kind": "video", "file": SimpleUploadedFile("a.exe", b"x")},
        {"file": ["只能上传 m4v、mp4、webm 文件"]},
    ),
    (
        "published in the future",
        {"published_on": D(2999, 1, 1)},
        {"published_on": ["发布日期不能晚于今天"]},
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "expected"), COURSE_ERRORS, ids=[c[0] for c in COURSE_ERRORS]
)
def test_create_course_refuses(branch, case, fields, expected):
    assert _errors(_course, branch, **fields) == expected


def test_create_course_keeps_a_local_file_and_tags(branch):
    video = SimpleUploadedFile("lesson.mp4", MP4)
    course = _course(branch, kind="video", file=video, tags="党章，党规, 党章")
    assert course.tags == ["党章", "党规"]
    assert course.hours == Decimal("2.0")
    assert course.file.name.endswith(".mp4")
    update_course(course, hours="1.5")
    course.refresh_from_db()
    assert course.hours == Decimal("1.5")
    with pytest.raises(ValidationError, match="不可修改的字段：org"):
        update_course(course, org=branch)


def test_publish_must_learn_list_checks_courses_and_year(county, branch):
    other = make_org(county)
    own, foreign = _course(county), _course(other, title="别的支部的课")
    assert _errors(
        publish_must_learn_list, org=branch, year=2025, courses=[], published_on=D(2025, 1, 3)
    ) == {"courses": ["必学清单至少应包含一门课程"]}
    assert _errors(
        publish_must_learn_list,
        org=branch,
        year=2025,
        courses=[foreign],
        published_on=D(2025, 1, 3),
    ) == {"courses": [f"没有找到课程“{foreign.pk}”"]}
    listed = publish_must_learn_list(
        org=branch, year=2025, courses=[own, own], published_on=D(2025, 1, 3)
    )
    assert listed.title == "2025年度必学必知必会清单"
    assert [item.course for item in listed.items.all()] == [own]
    assert _errors(
        publish_must_learn_list, org=branch, year=2025, courses=[own], published_on=D(2025, 1, 3)
    ) == {"year": [f"{branch.name}2025年度的必学清单已发布，请修改原清单"]}
    member = make_member(branch)
    record_study(member=member, source="online", studied_on=D(2025, 3, 1), course=own)
    assert must_learn_completion(listed, [member.pk]) == {member.pk: {own.pk}}


# --- plans ---------------------------------------------------------------------------------------


def test_org_plan_once_a_year_and_items_within_it(branch):
    plan = create_study_plan(
        kind="org", org=branch, year=2025, title="计划", adopted_on=D(2025, 1, 5)
    )
    assert _errors(
        create_study_plan,
        kind="org",
        org=branch,
        year=2025,
        title="又一个",
        adopted_on=D(2025, 1, 6),
    ) == {"year": [f"{branch.name}2025年度学习计划已制定，请修改原计划"]}
    assert _errors(add_plan_item, plan, period="2024-12", title="x") == {
        "period": ["安排期间应在计划年度2025年内"]
    }
    assert _errors(add_plan_item, plan, period="2025-H1", title="x") == {
        "period": ["安排期间应为季度（如 2025-Q3）或月份（如 2025-06）"]
    }
    assert _errors(add_plan_item, plan, period="2025-13", title="x") == {
        "period": ["月份应为 01–12，收到：2025-13"]
    }
    assert _errors(add_plan_item, plan, period="2025-06", title="x", planned_hours="-1") == {
        "planned_hours": ["学时应大于0"]
    }
    item = add_plan_item(plan, period="2025-Q2", title="学习党章", planned_hours="4")
    assert item.is_quarterly and item.planned_hours == Decimal("4.0")
    assert _errors(mark_plan_item_done, item, done_on=D(2999, 1, 1)) == {
        "done_on": ["完成日期不能晚于今天"]
    }
    planned = Meeting.objects.create(
        org=branch, kind="party_lesson", status="planned", planned_on=D(2025, 5, 1), topic="党课"
    )
    assert _errors(mark_plan_item_done, item, done_on=D(2025, 5, 2), meeting=planned) == {
        "meeting": ["只能关联已召开的会议"]
    }
    mark_plan_item_done(item, done_on=D(2025, 5, 2), done_note="已学习")
    assert item.done_on == D(2025, 5, 2)


def test_personal_plan_only_for_leading_cadres_and_by_month(branch):
    plain = make_member(branch, name="张三")
    cadre = make_member(branch, leading_cadre=True)
    assert _errors(
        create_study_plan,
        kind="personal",
        member=plain,
        year=2025,
        title="计划",
        adopted_on=D(2025, 1, 5),
    ) == {"member": ["“张三”不是党员领导干部，无需制定个人自学计划"]}
    assert _errors(
        create_study_plan, kind="personal", year=2025, title="计划", adopted_on=D(2025, 1, 5)
    ) == {"member": ["个人自学计划须选择制定人"]}
    plan = create_study_plan(
        kind="personal", member=cadre, year=2025, title="计划", adopted_on=D(2025, 1, 5)
    )
    assert plan.org == branch
    assert _errors(add_plan_item, plan, period="2025-Q1", title="x") == {
        "period": ["个人自学计划按月作出安排，请填写月份（如 2025-06）"]
    }


# --- study records ---------------------------------------------------------------------------------

RECORD_ERRORS = [
    # (case, fields, expected)
    (
        "training is not a record",
        {"source": "training"},
        {"source": ["学习记录来源应为网络学习、个人自学、平台外学习（导入）"]},
    ),
    ("hours with two decimals", {"hours": "1.25"}, {"hours": ["学时最多保留一位小数，如 1.5"]}),
    ("negative hours", {"hours": "-2"}, {"hours": ["学时应大于0"]}),
    ("too many hours", {"hours": "100.5"}, {"hours": ["学时不能超过100"]}),
    ("no hours", {"hours": None}, {"hours": ["请填写学时"]}),
    ("in the future", {"studied_on": D(2999, 1, 1)}, {"studied_on": ["学习日期不能晚于今天"]}),
    ("before joining", {"studied_on": D(2009, 1, 1)}, {"studied_on": ["学习日期早于入党日期"]}),
    (
        "online without a course",
        {"source": "online"},
        {"course": ["网络学习须选择课程菜单中的课程"]},
    ),
    ("no title", {"title": ""}, {"title": ["请填写学习内容或选择课程"]}),
]


@pytest.mark.parametrize(
    ("case", "fields", "expected"), RECORD_ERRORS, ids=[c[0] for c in RECORD_ERRORS]
)
def test_record_study_refuses(branch, case, fields, expected):
    member = make_member(branch)
    values = {"source": "imported", "studied_on": D(2025, 3, 1), "hours": "2", "title": "党校"}
    values.update(fields)
    assert _errors(record_study, member=member, **values) == expected


def test_record_study_with_read_once_placements_and_records_refuses_the_same(branch):
    """An import's `placements` and `stored` records (read once per chunk) give the same
    org and refuse the same duplicates, also one recorded earlier in the chunk."""
    from xianfeng.members.queries import PlacementsOf
    from xianfeng.study.queries import RecordsOf

    member = make_member(branch, name="李四")
    day = D(2025, 3, 1)
    earlier = record_study(
        member=member, source="imported", studied_on=day, hours="2", title="党校"
    )
    stored = RecordsOf([member.pk], day, D(2025, 3, 31))
    read = {"placements": PlacementsOf([member.pk]), "stored": stored}
    values = {"member": member, "source": "imported", "hours": "3", **read}
    assert _errors(record_study, studied_on=day, title="党校", **values) == {
        "title": ["2025-03-01已有同一内容的学习记录“党校”"]
    }
    later = record_study(studied_on=D(2025, 3, 2), title="党校", **values)
    assert later.org == earlier.org == branch
    assert _errors(record_study, studied_on=D(2025, 3, 2), title="党校", **values) == {
        "title": ["2025-03-02已有同一内容的学习记录“党校”"]
    }


def test_record_study_refuses_a_duplicate_and_a_member_who_left(branch):
    member = make_member(branch, name="李四")
    record_study(
        member=member, source="imported", studied_on=D(2025, 3, 1), hours="2", title="党校"
    )
    assert _errors(
        record_study,
        member=member,
        source="imported",
        studied_on=D(2025, 3, 1),
        hours="3",
        title="党校",
    ) == {"title": ["2025-03-01已有同一内容的学习记录“党校”"]}
    set_member_status(member=member, status="left", on=D(2025, 4, 1), reason="deceased")
    member.refresh_from_db()
    assert _errors(
        record_study,
        member=member,
        source="imported",
        studied_on=D(2025, 3, 2),
        hours="3",
        title="x",
    ) == {"member": ["“李四”已出党，不能登记学习"]}


def test_self_study_waits_for_approval(branch):
    member = make_member(branch)
    record = record_study(
        member=member, source="self_study", studied_on=D(2025, 3, 1), hours="3", title="读原著"
    )
    assert record.status == RecordStatus.PENDING
    assert record.org == branch
    decide_self_study(record, approve=True)
    assert record.status == RecordStatus.APPROVED and record.decided_at is not None
    assert _errors(decide_self_study, record, approve=False) == {"status": ["该记录已审核"]}
    online = record_study(
        member=member, source="online", studied_on=D(2025, 3, 2), course=_course(branch)
    )
    assert online.hours == Decimal("2.0") and online.title == "学习党章"
    assert _errors(decide_self_study, online, approve=True) == {
        "status": ["只有个人自学记录需要审核"]
    }


# --- training classes and meeting credits -----------------------------------------------------------


def _class(org, **fields):
    values = {
        "kind": "rotation",
        "title": "集中轮训",
        "starts_on": D(2025, 5, 6),
        "ends_on": D(2025, 5, 7),
        "days": "2",
        "hours": "12",
    }
    values.update(fields)
    return create_training_class(org=org, **values)


CLASS_ERRORS = [
    (
        "ends before it starts",
        {"ends_on": D(2025, 5, 5)},
        {"ends_on": ["结束日期不能早于开始日期"]},
    ),
    ("more days than dates", {"days": "3"}, {"days": ["培训天数不能超过2"]}),
    ("hours above 12 a day", {"hours": "25"}, {"hours": ["学时不能超过24"]}),
    ("unknown kind", {"kind": "party"}, {"kind": ["未知的培训类型“party”"]}),
    (
        "held in the future",
        {"starts_on": D(2999, 1, 1), "ends_on": D(2999, 1, 2)},
        {"ends_on": ["已举办培训班的结束日期不能晚于今天"]},
    ),
    ("no title", {"title": ""}, {"title": ["请填写培训班名称"]}),
]


@pytest.mark.parametrize(
    ("case", "fields", "expected"), CLASS_ERRORS, ids=[c[0] for c in CLASS_ERRORS]
)
def test_create_training_class_refuses(branch, case, fields, expected):
    assert _errors(_class, branch, **fields) == expected


def test_training_attendance_credits_hours(branch):
    came, missed = make_member(branch, name="王五"), make_member(branch)
    planned = _class(branch, status="planned", starts_on=D(2999, 1, 1), ends_on=D(2999, 1, 2))
    enroll_members(planned, members=[came])
    assert _errors(record_training_attendance, planned, attended=[came]) == {
        "training_class": ["只有已举办的培训班可以登记参训情况"]
    }
    held = _class(branch)
    assert _errors(record_training_attendance, held, attended=[came], absent=[came]) == {
        "attended": ["“王五”不能同时登记为参训和未参训"]
    }
    assert _errors(record_training_attendance, held, attended=[came], hours="13") == {
        "hours": ["认定学时不能超过12.0"]
    }
    record_training_attendance(held, attended=[came], absent=[missed], hours="6")
    rows = {
        e.member_id: (e.status, e.hours) for e in Enrollment.objects.filter(training_class=held)
    }
    assert rows == {came.pk: ("attended", Decimal("6.0")), missed.pk: ("absent", None)}
    (row,) = records_for_member(came, D(2025, 1, 1), D(2026, 1, 1))
    assert (row["source"], row["hours"], row["status"]) == ("training", Decimal("6.0"), "approved")


def test_credit_meeting_hours_only_for_study_meetings(branch):
    day = Meeting.objects.create(org=branch, kind="theme_day", held_on=D(2025, 3, 5), topic="党日")
    lesson = Meeting.objects.create(
        org=branch, kind="party_lesson", held_on=D(2025, 3, 6), topic="党课"
    )
    assert _errors(credit_meeting_hours, day, hours="2") == {
        "meeting": ["只有党课和专题学习研讨可以认定学时"]
    }
    assert _errors(credit_meeting_hours, lesson, hours="30") == {"hours": ["学时不能超过24"]}
    credit_meeting_hours(lesson, hours="1.5")
    credit = credit_meeting_hours(lesson, hours="3")
    assert credit.hours == Decimal("3.0")
    assert lesson.study_credit.pk == credit.pk


def test_courses_and_lists_published_above_are_visible_below(county, branch):
    from xianfeng.study.queries import courses_visible_to, must_learn_lists_for

    above, own, sibling = _course(county), _course(branch, title="本支部"), make_org(county)
    hidden = _course(sibling, title="别的支部")
    assert set(courses_visible_to(branch)) == {above, own}
    assert hidden not in courses_visible_to(branch)
    listed = publish_must_learn_list(
        org=county, year=2025, courses=[above], published_on=D(2025, 1, 3)
    )
    assert list(must_learn_lists_for(branch, 2025)) == [listed]
    assert list(must_learn_lists_for(sibling, 2024)) == []
