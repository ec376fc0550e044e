"""Admission and conversion through the member registry (DEV-01): the yearly plan
(发展党员计划) checked at approval, the probationary member created by
`members.domain.register_member`, made full by `set_member_status` — never a second
member record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.accounts.scope import is_within_scope
from xianfeng.lib.cipher import get_cipher
from xianfeng.members.domain import new_member_code, register_member, set_member_status
from xianfeng.members.models import LeftReason, Member, Status, StatusSpell

from ..models import Person, Target, TargetKind
from .common import DETAIL, d, refusal


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


def restorable_member(*, id_hmac: str, by: Any, person: Person | None = None) -> Member | None:
    """On a restore (a whole-database import: the members sheet comes first), the member
    already on file with this ID number, in `by`'s scope and not linked to another
    person of the pipeline; None when there is no such member."""
    member = Member.objects.filter(id_number_hmac=id_hmac).select_related("org").first()
    if member is None or not is_within_scope(by, member.org.path):
        return None
    linked = Person.objects.filter(member=member)
    if person is not None and person.pk is not None:
        linked = linked.exclude(pk=person.pk)
    return None if linked.exists() else member


def _link_restored(person: Person, member: Member, admitted_on: dt.date) -> None:
    """Link the member restored before the pipeline; refuses one who joined on another
    day than the admission meeting (`admitted_on`)."""
    if member.joined_on != admitted_on:
        raise ValidationError(
            {
                "kind": f"党员名册中身份证号相同的党员{member.name}（{member.code}）"
                f"入党日期为{d(member.joined_on)}，与支部大会接收日期"
                f"{d(admitted_on)}不一致，不能关联"
            }
        )
    person.member = member


def admit(*, person: Person, by: Any, restoring: bool = False) -> None:
    """Create the probationary member of an approved person (joined on the admission
    meeting's day) with a new member code and link it. Refuses what `register_member`
    refuses (an ID number already on file, an org that holds no members …).

    `restoring` (set by the import only): the member already on file with the person's
    ID number (`restorable_member`) is linked instead of created, when it joined on the
    admission meeting's day (else refused)."""
    if person.member_id is not None or person.admitted_on is None:
        raise ValidationError({"kind": "该人员已接收为党员或尚未经支部大会讨论接收"})
    if restoring:
        member = restorable_member(id_hmac=person.id_number_hmac, by=by, person=person)
        if member is not None:
            _link_restored(person, member, person.admitted_on)
            return
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


def _already(member: Member, status: str, on: dt.date) -> bool:
    """Whether the member's status history holds `status` from `on` (restored)."""
    return StatusSpell.objects.filter(member=member, status=status, started_on=on).exists()


def convert(*, person: Person, by: Any, restoring: bool = False) -> None:
    """Make the person's member full from the end of probation (party age counts from
    it: full_on = probation_ends_on). Refuses what `set_member_status` refuses.
    `restoring` (the import): nothing to do when the member's status history already
    holds FULL from that day."""
    if person.member is None or person.probation_ends_on is None:
        raise ValidationError({"kind": "该人员没有预备党员记录"})
    if restoring and _already(person.member, Status.FULL, person.probation_ends_on):
        return
    set_member_status(member=person.member, status=Status.FULL, on=person.probation_ends_on, by=by)


def end_probation(
    *, person: Person, on: dt.date, reason: str, by: Any, restoring: bool = False
) -> None:
    """Ending a probationary member's record cancels the probation (取消预备党员资格): the
    member leaves on `on` with the reason kept as the note. Nothing for earlier stages,
    nor on a restore (the import) when the member's history already holds LEFT from `on`."""
    if person.member is None:
        return
    if restoring and _already(person.member, Status.LEFT, on):
        return
    set_member_status(
        member=person.member,
        status=Status.LEFT,
        on=on,
        reason=LeftReason.REMOVED,
        note=f"取消预备党员资格：{reason}",
        by=by,
    )
