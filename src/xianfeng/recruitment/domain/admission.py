"""Admission and conversion through the member registry (DEV-01): the yearly plan
(发展党员计划) checked at approval, the probationary member created by
`members.domain.register_member`, made full by `set_member_status` — never a second
member record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.lib.cipher import get_cipher
from xianfeng.members.domain import new_member_code, register_member, set_member_status
from xianfeng.members.models import LeftReason, Status

from ..models import Person, Target, TargetKind
from .common import DETAIL, refusal


def plan_for(person: Person, year: int) -> Target | None:
    """The yearly plan that binds an approval of `person` in `year`: the ADMISSIONS target
    of the nearest org on the path (the person's org itself or above) that has one."""
    paths = [person.org.path[:n] for n in range(len(person.org.path), 0, -person.org.steplen)]
    targets = Target.objects.filter(
        org__path__in=paths, year=year, kind=TargetKind.ADMISSIONS
    ).select_related("org")
    by_path = {t.org.path: t for t in targets}
    return next((by_path[p] for p in paths if p in by_path), None)


def check_plan(*, person: Person, on: dt.date) -> None:
    """Refuses an approval on `on` when the approvals of that calendar year under the org
    of the binding plan (`plan_for`) already reach the plan's value."""
    target = plan_for(person, on.year)
    if target is None:
        return
    done = (
        Person.objects.filter(org__path__startswith=target.org.path, approved_on__year=on.year)
        .exclude(pk=person.pk)
        .count()
    )
    if done >= target.value:
        raise refusal(
            "on",
            "超出年度发展党员计划",
            f"“{target.org.name}”{on.year}年计划发展{target.value}名，已审批{done}名",
            DETAIL,
        )


def admit(*, person: Person, by: Any) -> None:
    """Create the probationary member of an approved person (joined on the admission
    meeting's day) with a new member code and link it. Refuses what `register_member`
    refuses (an ID number already on file, an org that holds no members …)."""
    if person.member_id is not None or person.admitted_on is None:
        raise ValidationError({"kind": "该人员已接收为党员或尚未经支部大会讨论接收"})
    person.member = register_member(
        org=person.org,
        code=new_member_code(),
        name=person.name,
        id_number=get_cipher().decrypt(person.id_number_cipher),
        joined_on=person.admitted_on,
        status=Status.PROBATIONARY,
        gender=person.gender,
        birth_date=person.birth_date,
        education=person.education,
        occupation=person.occupation,
        phone=person.phone,
        by=by,
    )


def convert(*, person: Person, by: Any) -> None:
    """Make the person's member full from the end of probation (party age counts from
    it: full_on = probation_ends_on). Refuses what `set_member_status` refuses."""
    if person.member is None or person.probation_ends_on is None:
        raise ValidationError({"kind": "该人员没有预备党员记录"})
    set_member_status(member=person.member, status=Status.FULL, on=person.probation_ends_on, by=by)


def end_probation(*, person: Person, on: dt.date, reason: str, by: Any) -> None:
    """Ending a probationary member's record cancels the probation (取消预备党员资格): the
    member leaves on `on` with the reason kept as the note. Nothing for earlier stages."""
    if person.member is None:
        return
    set_member_status(
        member=person.member,
        status=Status.LEFT,
        on=on,
        reason=LeftReason.REMOVED,
        note=f"取消预备党员资格：{reason}",
        by=by,
    )
