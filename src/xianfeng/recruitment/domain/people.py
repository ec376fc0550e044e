"""People of the pipeline (DEV-01): registering an applicant, correcting a record,
transferring a file to another org, ending a record, revealing an ID number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from xianfeng.accounts.scope import is_within_scope, require_reference
from xianfeng.core.audit import kept_through_rollback
from xianfeng.lib.cipher import get_cipher, stored_id_number
from xianfeng.lib.idcard import age_on
from xianfeng.lib.pinyin import person_initials
from xianfeng.members.domain import parse_identity
from xianfeng.members.id_duplicates import answer_elsewhere, duplicate_message, refuse_over_limit
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

from ..models import Person, Stage, Step, StepKind, TalentEntry, TalentStatus
from .admission import restorable_member
from .common import (
    CHARTER_AGE,
    actor,
    check_holds_members,
    check_not_future,
    d,
    policy_value,
    refusal,
    require_manage,
    save,
)
from .steps import record_step

APPLICANT_FIELDS = frozenset({"gender", "birth_date", "education", "occupation", "sector", "phone"})
EDITABLE_FIELDS = frozenset(
    {"name", "education", "occupation", "sector", "phone", "volunteer_book_no"}
)


def _check_age(birth_date: dt.date, applied_on: dt.date, org: Org) -> None:
    """Refuses an applicant younger than `recruitment.application.min_age` on the day of
    the application (from the birth date in the ID number)."""
    minimum = int(policy_value("recruitment.application.min_age", org, applied_on))
    age = age_on(birth_date, applied_on)
    if age < minimum:
        raise refusal(
            "applied_on",
            f"递交入党申请须年满{minimum}周岁",
            f"身份证号显示{d(birth_date)}出生，{d(applied_on)}递交申请时{age}周岁",
            CHARTER_AGE,
        )


def _check_unique(digest: str, *, by: Any, org: Org, restoring: bool = False) -> None:
    """Refuses a number (by its lookup HMAC) already held by another person of the
    pipeline or by a member. Someone out of `by`'s scope is never named: the neutral
    answer of `members.id_duplicates` (logged and counted). On a restore, the member
    `admission.restorable_member` finds is accepted (the approval links it)."""
    refuse_over_limit(by=by, org=org, digest=digest)
    member = Member.objects.filter(id_number_hmac=digest).select_related("org").first()
    restored = restoring and restorable_member(id_hmac=digest, by=by) is not None
    if member is not None and not restored:
        raise ValidationError(
            {"id_number": duplicate_message(member, by=by, org=org, digest=digest)}
        )
    person = Person.objects.filter(id_number_hmac=digest).select_related("org").first()
    if person is not None:
        if by is None or is_within_scope(by, person.org.path):
            message = (
                f"该身份证号已登记为{person.org.name}的{person.get_stage_display()}{person.name}"
            )
        else:
            message = answer_elsewhere(by=by, org=org, digest=digest)
        raise ValidationError({"id_number": message})


def _take_talent(talent: TalentEntry, digest: str, by: Any) -> None:
    """Moves a talent entry into the pipeline; refuses one out of scope, one already in
    the pipeline or gone, or one whose ID number is another person's."""
    require_reference(by, talent.org.path, field="talent", label="人才库人员", value=talent.pk)
    if talent.status in (TalentStatus.PIPELINE, TalentStatus.LEFT):
        raise ValidationError({"talent": f"人才库人员“{talent.name}”{talent.get_status_display()}"})
    if talent.id_number_hmac and talent.id_number_hmac != digest:
        raise ValidationError({"talent": "人才库人员的身份证号与申请人的身份证号不一致"})
    talent.status = TalentStatus.PIPELINE
    save(talent, by)


@kept_through_rollback()  # the duplicate-number log outlives the refused registration
@transaction.atomic
def register_applicant(
    *,
    org: Org,
    name: str,
    id_number: str,
    applied_on: dt.date,
    by: Any,
    talent: TalentEntry | None = None,
    restoring: bool = False,
    **fields: Any,
) -> Person:
    """Register someone who handed in an application (递交入党申请书) to `org` and record
    the APPLICATION step on `applied_on`.

    `fields`: gender, birth_date, education, occupation, sector, phone.
    Refuses: `org` out of `by`'s scope, not a branch or dissolved; a user who may not
    manage it; an unknown field; an invalid ID number or one disagreeing with gender or
    birth date; an applicant under `recruitment.application.min_age` on `applied_on`
    (党章第一条); an application dated after today; an ID number already held by another
    person or a member (named only when within `by`'s scope); a talent entry out of
    scope, already in the pipeline or left, or with another ID number.
    A talent entry given moves to `TalentStatus.PIPELINE`.

    `restoring` is set only by the import of records (never by a form): the member
    already on file with the same ID number — in `by`'s scope and linked to no other
    person — is then accepted, for the approval to link it (`domain.admission.admit`).
    """
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    require_manage(by, org)
    check_holds_members(org)
    unknown = set(fields) - APPLICANT_FIELDS
    if unknown:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"不可在此填写的字段：{'、'.join(sorted(unknown))}"}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写姓名"})
    check_not_future(applied_on, "applied_on")
    number, gender, birth_date = parse_identity(
        id_number, fields.pop("gender", None), fields.pop("birth_date", None)
    )
    _check_age(birth_date, applied_on, org)
    stored = stored_id_number(number)
    _check_unique(stored["id_number_hmac"], by=by, org=org, restoring=restoring)
    if talent is not None:
        _take_talent(talent, stored["id_number_hmac"], by)
    person = Person(
        org=org,
        name=name,
        name_initials=person_initials(name),
        gender=gender,
        birth_date=birth_date,
        **stored,
        stage=Stage.APPLICANT,
        stage_since=applied_on,
        applied_on=applied_on,
        talent=talent,
        **{k: ("" if v is None else v) for k, v in fields.items()},
    )
    save(person, by)
    step = Step(
        person=person, kind=StepKind.APPLICATION, on=applied_on, org=org, entered_by=actor(by)
    )
    save(step, by)
    return person


@transaction.atomic
def update_person(*, person: Person, by: Any, **changes: Any) -> Person:
    """Correct the editable fields of a record: name, education, occupation, sector,
    phone, volunteer_book_no. Refuses any other field, a person out of `by`'s scope and a
    user who may not manage the person's org."""
    require_reference(by, person.org.path, field="person", label="发展对象人员", value=person.pk)
    require_manage(by, person.org)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"不可在此修改的字段：{'、'.join(sorted(unknown))}"}
        )
    for field, value in changes.items():
        setattr(person, field, (value or "").strip() if isinstance(value, str) else value)
    if not person.name:
        raise ValidationError({"name": "请填写姓名"})
    person.name_initials = person_initials(person.name)
    save(person, by)
    return person


def transfer_person(*, person: Person, to_org: Org, on: dt.date, by: Any) -> Step:
    """Move the file of an applicant, activist or admission candidate to `to_org` (培养
    档案转接, a TRANSFER step); the time as activist keeps counting (activist_on stays).
    Refuses what `record_step` refuses for TRANSFER: another stage, `to_org` out of
    scope, not a branch, dissolved or the same org, a date before the application or
    after today."""
    return record_step(person=person, kind=StepKind.TRANSFER, on=on, by=by, to_org=to_org)


def end_person(*, person: Person, on: dt.date, reason: str, by: Any) -> Person:
    """End a record (an END step, stage ENDED) with its reason. Refuses an empty reason,
    a record already full or ended, a date before the last stage change or after today.
    A probationary member's record ends with the member leaving (取消预备党员资格)."""
    step = record_step(person=person, kind=StepKind.END, on=on, by=by, conclusion=reason)
    return step.person


def reveal_person_id_number(*, person: Person, user: Any) -> str:
    """The full ID number, for a user entitled to see it (like `members.reveal_id_number`).
    Refuses (PermissionDenied) a user without the right or out of scope."""
    from xianfeng.accounts.permissions import can_view_identifiers

    if not can_view_identifiers(user) or not is_within_scope(user, person.org.path):
        raise PermissionDenied("您没有查看完整身份证号的权限")
    return str(get_cipher().decrypt(person.id_number_cipher))
