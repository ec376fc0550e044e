"""References inside the writes of study and training (issue 12): study records, class
enrolment and attendance, plan items, must-learn lists and personal plans resolve every
member and course through the actor's scope and the domain's own rule; anything else
answers like a reference that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member, make_user
from xianfeng.study import domain
from xianfeng.study.models import Enrollment, StudyRecord, TrainingClass

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2025, 3, 1)


def _class(tree):
    return domain.create_training_class(
        org=tree.branch_a, kind="other", title="培训班", starts_on=DAY, ends_on=DAY, days=1, hours=8
    )


def _course(org, title: str = "课程"):
    return domain.create_course(org=org, title=title, kind="lecture", hours=2, published_on=DAY)


def _refused(action, **kwargs) -> dict:
    with pytest.raises(ValidationError) as excinfo:
        action(**kwargs)
    return excinfo.value.message_dict


def test_study_01_record_for_member_elsewhere_reads_as_missing(tree):
    secretary = tree.users["secretary"]
    record = {"source": "imported", "studied_on": DAY, "hours": 2, "title": "党校培训"}
    errors = _refused(domain.record_study, member=tree.member_b, by=secretary, **record)
    assert errors == {"member": ["没有找到党员“MB1”"]}
    assert not StudyRecord.objects.exists()
    own = domain.record_study(  # a member's own self-study needs no post
        member=tree.member_a,
        source="self_study",
        studied_on=DAY,
        hours=1,
        title="自学",
        by=tree.users["member"],
    )
    assert own.status == "pending"


def test_study_01_api_member_and_course_elsewhere_read_as_missing(client_for, tree):
    foreign = _course(tree.branch_b, "外县课程")
    client = client_for(tree.users["secretary"])
    url = "/api/study/orgs/CA-T1-B1/records"
    body = {"member": "MA1", "source": "online", "studied_on": "2025-04-01"}
    answers = [
        client.post(url, {**body, "course": pk}, content_type="application/json")
        for pk in (foreign.pk, 987654)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert [a.json()["errors"] for a in answers] == [
        {"course": [f"没有找到课程“{foreign.pk}”"]},
        {"course": ["没有找到课程“987654”"]},
    ]
    town_admin = client_for(make_user("town_admin", org=tree.town_a, role="admin"))
    sibling = {**body, "member": "MA2", "source": "imported", "hours": "2", "title": "t"}
    response = town_admin.post(url, sibling, content_type="application/json")
    assert response.json()["errors"] == {"member": ["没有找到党员“MA2”"]}
    assert not StudyRecord.objects.exists()


def test_study_04_enrol_only_the_class_orgs_members_in_scope(tree):
    training = _class(tree)
    town_admin = make_user("town_admin", org=tree.town_a, role="admin")
    for member, by in [(tree.member_a2, town_admin), (tree.member_b, tree.users["secretary"])]:
        errors = _refused(domain.enroll_members, training_class=training, members=[member], by=by)
        assert errors == {"members": [f"没有找到党员“{member.code}”"]}
    errors = _refused(
        domain.record_training_attendance,
        training_class=training,
        attended=[tree.member_b],
        by=tree.users["secretary"],
    )
    assert errors == {"attended": ["没有找到党员“MB1”"]}
    assert not Enrollment.objects.exists()
    domain.enroll_members(training, members=[tree.member_a], by=tree.users["secretary"])
    assert list(training.enrollments.values_list("member__code", flat=True)) == ["MA1"]


def test_study_04_api_class_with_member_elsewhere_leaves_nothing(client_for, tree):
    client = client_for(make_user("town_admin", org=tree.town_a, role="admin"))
    body = {
        "kind": "rotation",
        "title": "集中轮训",
        "starts_on": "2025-05-06",
        "ends_on": "2025-05-06",
        "days": "1",
        "hours": "8",
        "members": ["MA2"],  # in scope, but not of the class org's subtree
    }
    response = client.post(
        "/api/study/orgs/CA-T1-B1/classes", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"members": ["没有找到党员“MA2”"]}
    assert not TrainingClass.objects.exists()


def test_study_02_must_learn_and_plan_items_use_courses_published_above(tree):
    foreign = _course(tree.branch_b, "外县课程")
    errors = _refused(
        domain.publish_must_learn_list,
        org=tree.town_a,
        year=2025,
        courses=[foreign],
        published_on=DAY,
    )
    assert errors == {"courses": [f"没有找到课程“{foreign.pk}”"]}
    plan = domain.create_study_plan(
        kind="org", org=tree.branch_a, year=2025, title="计划", adopted_on=D(2025, 1, 10)
    )
    errors = _refused(domain.add_plan_item, plan=plan, period="2025-Q2", title="t", course=foreign)
    assert errors == {"course": [f"没有找到课程“{foreign.pk}”"]}


def test_study_03_personal_plan_only_for_a_member_in_scope(tree):
    cadre = make_member(tree.branch_b, code="MB7", leading_cadre=True)
    errors = _refused(
        domain.create_study_plan,
        kind="personal",
        member=cadre,
        year=2025,
        title="个人自学计划",
        adopted_on=D(2025, 1, 10),
        by=tree.users["secretary"],
    )
    assert errors == {"member": ["没有找到党员“MB7”"]}
