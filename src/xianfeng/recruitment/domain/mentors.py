"""Mentors (培养联系人, DEV-02) and introducers (入党介绍人) of a person: full members
within the actor's scope, checked on the day they take the role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from xianfeng.accounts.scope import require_reference
from xianfeng.members.models import Discipline, Member, Status, StatusSpell

from ..models import Introducer, Mentor, Person, Stage, StepKind
from .common import (
    CHARTER_INTRODUCERS,
    DETAIL,
    check_not_future,
    d,
    few,
    policy_value,
    refusal,
    require_manage,
    save,
)
from .steps import record_step

MENTORED = (Stage.ACTIVIST, Stage.ADMISSION_CANDIDATE)


def is_full_on(member: Member, on: dt.date) -> bool:
    """Whether `member` held the status FULL on `on` (by the status spells)."""
    spells = StatusSpell.objects.filter(member=member, status=Status.FULL, started_on__lte=on)
    return spells.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).exists()


def blocking_penalty(member: Member, on: dt.date, kinds: list[str]) -> Discipline | None:
    """A penalty of `kinds` in effect on `on` (decided_on ≤ on < effective_until, open =
    in effect), else None."""
    found = Discipline.objects.filter(member=member, kind__in=kinds, decided_on__lte=on)
    found = found.filter(Q(effective_until__isnull=True) | Q(effective_until__gt=on))
    return found.order_by("-decided_on").first()


def _check_member(person: Person, member: Member, on: dt.date, by: Any, role: str) -> None:
    """Refuses a member out of `by`'s scope, the person themself, or not full on `on`."""
    field = "member" if role == "培养联系人" else "members"
    require_reference(by, member.org.path, field=field, label="党员", value=member.code)
    if person.member_id is not None and person.member_id == member.pk:
        raise ValidationError({field: f"{member.name}不能作本人的{role}"})
    if not is_full_on(member, on):
        source = DETAIL if role == "培养联系人" else CHARTER_INTRODUCERS
        raise refusal(
            field,
            f"{role}须为正式党员",
            f"{member.name}在{d(on)}不是正式党员（{member.get_status_display()}）",
            source,
        )


def _open_mentors(person: Person, on: dt.date) -> Any:
    mentors = Mentor.objects.filter(person=person, started_on__lte=on)
    return mentors.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


@transaction.atomic
def assign_mentor(*, person: Person, member: Member, on: dt.date, by: Any) -> Mentor:
    """Assign `member` as a mentor of an activist or admission candidate from `on`.

    Refuses: a person out of `by`'s scope or a user who may not manage the person's org;
    a person in another stage; a date after today or before the person became an
    activist; a member out of scope, not a full member on `on` or the person themself;
    a member already mentoring the person; more than `recruitment.activist.max_mentors`
    open mentors on `on`."""
    require_reference(by, person.org.path, field="person", label="发展对象人员", value=person.pk)
    require_manage(by, person.org)
    check_not_future(on)
    if person.stage not in MENTORED:
        raise ValidationError(
            {
                "person": f"只能为入党积极分子或发展对象指定培养联系人，{person.name}现为{person.get_stage_display()}"
            }
        )
    if person.activist_on and on < person.activist_on:
        raise refusal(
            "on",
            "培养联系人须在确定为入党积极分子后指定",
            f"{d(person.activist_on)}确定为积极分子",
            DETAIL,
        )
    _check_member(person, member, on, by, "培养联系人")
    current = _open_mentors(person, on)
    if current.filter(member=member).exists():
        raise ValidationError({"member": f"{member.name}已是{person.name}的培养联系人"})
    most = int(policy_value("recruitment.activist.max_mentors", person.org, on))
    if current.count() >= most:
        raise refusal(
            "member",
            f"党组织应当指定一至{few(most)}名正式党员作培养联系人",
            f"{d(on)}已有{current.count()}名",
            DETAIL,
        )
    mentor = Mentor(person=person, member=member, started_on=on)
    save(mentor, by)
    return mentor


@transaction.atomic
def end_mentor(*, mentor: Mentor, on: dt.date, by: Any) -> Mentor:
    """End a mentor's assignment on `on` (exclusive). Refuses a mentor out of `by`'s
    scope, a user who may not manage the person's org, one already ended, a date after
    today or before the assignment began."""
    person = mentor.person
    require_reference(by, person.org.path, field="mentor", label="培养联系人", value=mentor.pk)
    require_manage(by, person.org)
    check_not_future(on)
    if mentor.ended_on is not None:
        raise ValidationError({"mentor": f"该培养联系人已于{d(mentor.ended_on)}结束"})
    if on < mentor.started_on:
        raise ValidationError({"on": f"结束日期不能早于确定日期{d(mentor.started_on)}"})
    mentor.ended_on = on
    save(mentor, by)
    return mentor


def _check_introducer(person: Person, member: Member, on: dt.date, by: Any) -> None:
    _check_member(person, member, on, by, "入党介绍人")
    kinds = list(policy_value("recruitment.introducers.blocking", person.org, on))
    penalty = blocking_penalty(member, on, kinds)
    if penalty is not None:
        until = (
            f"影响期至{d(penalty.effective_until)}" if penalty.effective_until else "仍在影响期内"
        )
        raise refusal(
            "members",
            "受警告、严重警告、撤销党内职务处分影响期内或留党察看期间的党员不能作入党介绍人",
            f"{member.name}于{d(penalty.decided_on)}受{penalty.get_kind_display()}处分，{until}",
            DETAIL,
        )


@transaction.atomic
def choose_introducers(
    *, person: Person, members: list[Member], on: dt.date, by: Any
) -> list[Introducer]:
    """Choose the introducers of an admission candidate and record the INTRODUCERS step.

    Refuses: what `record_step` refuses for INTRODUCERS (another stage, a date before the
    person became a candidate or after today, a user who may not manage); introducers
    already chosen; not exactly `recruitment.introducers.count` distinct members; a member
    out of scope, the person themself, not full on `on` or under a penalty of
    `recruitment.introducers.blocking` in effect on `on` (党章第五条)."""
    require_reference(by, person.org.path, field="person", label="发展对象人员", value=person.pk)
    require_manage(by, person.org)
    if person.stage != Stage.ADMISSION_CANDIDATE:
        raise ValidationError(
            {
                "members": f"只能为发展对象确定入党介绍人，{person.name}现为{person.get_stage_display()}"
            }
        )
    if person.introducers.exists():
        raise ValidationError({"members": "已确定入党介绍人"})
    check_not_future(on)
    count = int(policy_value("recruitment.introducers.count", person.org, on))
    distinct = list({m.pk: m for m in members}.values())
    if len(distinct) != count:
        raise refusal(
            "members",
            f"申请入党的人要有{count}名正式党员作介绍人",
            f"选择了{len(distinct)}名",
            CHARTER_INTRODUCERS,
        )
    chosen = []
    for member in distinct:
        _check_introducer(person, member, on, by)
        introducer = Introducer(person=person, member=member, chosen_on=on)
        save(introducer, by)
        chosen.append(introducer)
    names = "、".join(m.name for m in distinct)
    record_step(person=person, kind=StepKind.INTRODUCERS, on=on, by=by, decided_by=names[:200])
    return chosen
