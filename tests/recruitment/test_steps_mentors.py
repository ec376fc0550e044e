"""DEV-02: mentors (培养联系人) and introducers (入党介绍人): full members in scope, at
most two mentors, exactly two introducers, none under a penalty in effect."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_member
from xianfeng.members.models import Discipline
from xianfeng.recruitment.domain.mentors import assign_mentor, choose_introducers, end_mentor
from xianfeng.recruitment.models import Introducer, Mentor, Step
from xianfeng.recruitment.queries.pipeline import introducers_of, open_mentors

from .walk import walk

D = dt.date
MENTOR_DAY = D(2024, 3, 5)
INTRODUCERS_DAY = D(2025, 3, 24)


def _assign(tree, person, member, on=MENTOR_DAY):
    return assign_mentor(person=person, member=member, on=on, by=tree.users["secretary"])


def test_dev02_assign_and_end_a_mentor(tree):
    person = walk(tree, through="activist")
    mentor = _assign(tree, person, tree.member_a)
    assert mentor.history.first().history_user == tree.users["secretary"]
    assert list(open_mentors(person, D(2024, 3, 5))) == [mentor]
    end_mentor(mentor=mentor, on=D(2024, 6, 1), by=tree.users["secretary"])
    assert list(open_mentors(person, D(2024, 6, 1))) == []
    assert list(open_mentors(person, D(2024, 5, 31))) == [mentor]
    with pytest.raises(ValidationError, match="已于2024年6月1日结束"):
        end_mentor(mentor=mentor, on=D(2024, 7, 1), by=tree.users["secretary"])


@pytest.mark.parametrize(
    ("status", "joined_on", "full_on", "on", "refused"),
    [
        ("probationary", D(2024, 1, 1), None, D(2024, 3, 5), True),
        ("full", D(2022, 1, 1), D(2023, 1, 1), D(2024, 3, 5), False),
        ("full", D(2022, 1, 1), D(2024, 3, 6), D(2024, 3, 5), True),  # full only the day after
        ("full", D(2022, 1, 1), D(2024, 3, 5), D(2024, 3, 5), False),
    ],
)
def test_dev02_mentor_must_be_a_full_member_on_the_day(
    tree, status, joined_on, full_on, on, refused
):
    person = walk(tree, through="activist")
    member = make_member(tree.branch_a, status=status, joined_on=joined_on, full_on=full_on)
    if not refused:
        assert _assign(tree, person, member, on).pk
        return
    with pytest.raises(ValidationError) as caught:
        _assign(tree, person, member, on)
    assert "培养联系人须为正式党员" in caught.value.message_dict["member"][0]
    assert not Mentor.objects.exists()


def test_dev02_at_most_two_open_mentors(tree):
    person = walk(tree, through="activist")
    _assign(tree, person, tree.member_a)
    second = _assign(tree, person, make_member(tree.branch_a))
    with pytest.raises(ValidationError, match="一至两名正式党员作培养联系人：2024年3月5日已有2名"):
        _assign(tree, person, make_member(tree.branch_a))
    with pytest.raises(ValidationError, match="已是"):
        _assign(tree, person, tree.member_a, D(2024, 3, 6))
    end_mentor(mentor=second, on=D(2024, 4, 1), by=tree.users["secretary"])
    assert _assign(tree, person, make_member(tree.branch_a), D(2024, 4, 1)).pk


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("applicant", "只能为入党积极分子或发展对象"),
        ("before-activist", "确定为入党积极分子后指定"),
        ("out-of-scope", "没有找到党员“MB1”"),
    ],
)
def test_dev02_mentor_refusals(tree, case, text):
    person = walk(tree, through="activist" if case != "applicant" else "talk")
    member = tree.member_b if case == "out-of-scope" else tree.member_a
    on = D(2024, 2, 29) if case == "before-activist" else D(2024, 3, 5)
    with pytest.raises(ValidationError, match=text):
        _assign(tree, person, member, on)


# --- introducers ------------------------------------------------------------------------


def _choose(tree, person, members, on=INTRODUCERS_DAY):
    return choose_introducers(person=person, members=members, on=on, by=tree.users["secretary"])


def test_dev02_choose_two_introducers_records_the_step(tree):
    person = walk(tree, until="introducers")
    second = make_member(tree.branch_a, name="周九")
    chosen = _choose(tree, person, [tree.member_a, second])
    assert [i.member for i in introducers_of(person)] == [tree.member_a, second]
    assert len(chosen) == 2
    step = Step.objects.get(person=person, kind="introducers")
    assert step.on == D(2025, 3, 24) and step.decided_by == "张三、周九"
    with pytest.raises(ValidationError, match="已确定入党介绍人"):
        _choose(tree, person, [tree.member_a, second])


@pytest.mark.parametrize("count", [1, 3])
def test_dev02_introducers_exactly_two(tree, count):
    person = walk(tree, until="introducers")
    members = [tree.member_a, tree.member_a2, make_member(tree.branch_a)][:count]
    with pytest.raises(ValidationError) as caught:
        _choose(tree, person, members)
    message = caught.value.message_dict["members"][0]
    assert (
        message
        == f"申请入党的人要有2名正式党员作介绍人：选择了{count}名（《中国共产党章程》第五条）"
    )
    assert not Introducer.objects.exists() and not Step.objects.filter(kind="introducers").exists()


def test_dev02_introducer_not_a_full_member_refused(tree):
    person = walk(tree, until="introducers")
    probationary = make_member(tree.branch_a, status="probationary", joined_on=D(2025, 1, 1))
    with pytest.raises(ValidationError, match="入党介绍人须为正式党员"):
        _choose(tree, person, [tree.member_a, probationary])
    assert not Introducer.objects.exists()


@pytest.mark.parametrize(
    ("kind", "decided_on", "until", "refused"),
    [
        ("warning", D(2024, 6, 1), D(2025, 6, 1), True),
        ("warning", D(2024, 3, 24), D(2025, 3, 24), False),  # the effect ends that day
        ("warning", D(2024, 3, 24), D(2025, 3, 25), True),
        ("serious_warning", D(2024, 6, 1), D(2026, 6, 1), True),
        ("removal", D(2024, 6, 1), D(2026, 6, 1), True),
        ("probation", D(2024, 6, 1), None, True),  # 留党察看, open
        ("warning", D(2025, 3, 25), D(2026, 3, 25), False),  # decided after the day
    ],
)
def test_dev02_introducer_under_a_penalty_refused(tree, kind, decided_on, until, refused):
    person = walk(tree, until="introducers")
    punished = make_member(tree.branch_a, name="吴十")
    Discipline.objects.create(
        member=punished, kind=kind, decided_on=decided_on, effective_until=until
    )
    if not refused:
        assert len(_choose(tree, person, [tree.member_a, punished])) == 2
        return
    with pytest.raises(ValidationError) as caught:
        _choose(tree, person, [tree.member_a, punished])
    message = caught.value.message_dict["members"][0]
    assert "不能作入党介绍人" in message and "吴十" in message
    assert not Introducer.objects.exists()


def test_dev02_introducer_out_of_scope_refused(tree):
    person = walk(tree, until="introducers")
    with pytest.raises(ValidationError, match="没有找到党员“MB1”"):
        _choose(tree, person, [tree.member_a, tree.member_b])


def test_dev02_introducers_before_candidate_refused(tree):
    person = walk(tree, through="review")
    with pytest.raises(ValidationError, match="只能为发展对象确定入党介绍人"):
        _choose(tree, person, [tree.member_a, make_member(tree.branch_a)], on=D(2025, 1, 1))
    assert not Introducer.objects.exists()
