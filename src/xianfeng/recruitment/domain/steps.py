"""The dated steps of a person's record (DEV-01) with the time rules of
《中国共产党发展党员工作细则》 and the Party Constitution checked at the moment of the step.

`record_step` validates the order (the stage a step needs), the dates (never in the
future, never before what they follow, within the deadlines), who records it (a branch
step: an admin or officer of the person's org or above; a committee step: of the 党委
above that decides it), then writes the step, moves the person's stage and dates, and for
APPROVAL and CONVERSION_APPROVAL admits or converts the member (`domain.admission`).
A refusal is a ValidationError keyed by field whose text ends with the rule's source;
nothing is written then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from xianfeng.accounts.scope import reference_error, require_reference
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.lib import uploads
from xianfeng.lib.dates import add_months
from xianfeng.orgs.models import Org

from .. import permissions
from ..models import Person, Stage, Step, StepFile, StepKind
from . import admission
from .common import (
    DETAIL,
    actor,
    check_not_future,
    d,
    refusal,
    require_manage,
    save,
)
from .step_checks import CHECKS, Draft

K = StepKind
S = Stage
STEP_FIELDS = frozenset(
    {
        "decided_by",
        "conclusion",
        "ends_on",
        "voters",
        "present",
        "in_favour",
        "days",
        "hours",
        "months",
        "special",
        "training_class",
        "to_org",
        "files",
    }
)
COMMITTEE_KINDS = frozenset(
    {K.ACTIVIST_FILED, K.CANDIDATE_AGREED, K.PRE_REVIEW, K.APPROVAL, K.CONVERSION_APPROVAL}
)
MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_TYPES = frozenset({".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx", ".doc"})
FILE_LABEL = "jpg、png、pdf、doc、docx 或 xlsx"

EARLY = (S.APPLICANT, S.ACTIVIST, S.ADMISSION_CANDIDATE)
# Which stages each step may be recorded in (the order of the pipeline).
ALLOWED: dict[str, tuple[str, ...]] = {
    K.TALK: (*EARLY, S.PROBATIONARY),
    K.ACTIVIST: (S.APPLICANT,),
    K.ACTIVIST_FILED: (S.ACTIVIST, S.ADMISSION_CANDIDATE, S.PROBATIONARY),
    K.REVIEW: (S.ACTIVIST, S.ADMISSION_CANDIDATE),
    K.THOUGHT_REPORT: (S.ACTIVIST, S.ADMISSION_CANDIDATE),
    K.CANDIDATE: (S.ACTIVIST,),
    K.CANDIDATE_AGREED: (S.ADMISSION_CANDIDATE,),
    K.CANDIDATE_NOTICE: (S.ADMISSION_CANDIDATE,),
    K.INTRODUCERS: (S.ADMISSION_CANDIDATE,),
    K.POLITICAL_REVIEW: (S.ADMISSION_CANDIDATE,),
    K.SHORT_TRAINING: (S.ADMISSION_CANDIDATE,),
    K.PRE_REVIEW: (S.ADMISSION_CANDIDATE,),
    K.VOLUNTEER_BOOK: (S.ADMISSION_CANDIDATE,),
    K.ADMISSION_MEETING: (S.ADMISSION_CANDIDATE,),
    K.APPROVAL: (S.ADMISSION_CANDIDATE,),
    K.OATH: (S.PROBATIONARY,),
    K.EXTENSION: (S.PROBATIONARY,),
    K.CONVERSION_APPLICATION: (S.PROBATIONARY,),
    K.CONVERSION_NOTICE: (S.PROBATIONARY,),
    K.CONVERSION_MEETING: (S.PROBATIONARY,),
    K.CONVERSION_APPROVAL: (S.PROBATIONARY,),
    K.TRANSFER: EARLY,
    K.END: (*EARLY, S.PROBATIONARY),
}


# --- effects on the person --------------------------------------------------------------


def _enter(draft: Draft, stage: str) -> Person:
    draft.person.stage, draft.person.stage_since = stage, draft.on
    return draft.person


def _activist(draft: Draft) -> None:
    _enter(draft, S.ACTIVIST).activist_on = draft.on


def _candidate(draft: Draft) -> None:
    _enter(draft, S.ADMISSION_CANDIDATE).candidate_on = draft.on


def _admitted(draft: Draft) -> None:
    months = int(draft.value("probation.months"))
    draft.person.admitted_on = draft.on
    draft.person.probation_ends_on = add_months(draft.on, months)


def _approved(draft: Draft) -> None:
    _enter(draft, S.PROBATIONARY).approved_on = draft.on
    admission.admit(person=draft.person, by=draft.by, restoring=draft.restoring)


def _extended(draft: Draft) -> None:
    person = draft.person
    if person.probation_ends_on is not None:
        person.probation_ends_on = add_months(person.probation_ends_on, draft.step.months or 0)


def _converted(draft: Draft) -> None:
    admission.convert(person=draft.person, by=draft.by, restoring=draft.restoring)
    person = _enter(draft, S.FULL)
    person.full_on = person.probation_ends_on


def _transferred(draft: Draft) -> None:
    if draft.step.to_org is not None:
        draft.person.org = draft.step.to_org


def _ended(draft: Draft) -> None:
    reason = draft.step.conclusion
    admission.end_probation(
        person=draft.person, on=draft.on, reason=reason, by=draft.by, restoring=draft.restoring
    )
    person = _enter(draft, S.ENDED)
    person.ended_on, person.ended_reason = draft.on, reason[:200]


# What a step changes on the person (the other kinds change nothing but the record).
EFFECTS: dict[str, Callable[[Draft], None]] = {
    K.ACTIVIST: _activist,
    K.CANDIDATE: _candidate,
    K.ADMISSION_MEETING: _admitted,
    K.APPROVAL: _approved,
    K.EXTENSION: _extended,
    K.CONVERSION_APPROVAL: _converted,
    K.TRANSFER: _transferred,
    K.END: _ended,
}


# --- who decides ------------------------------------------------------------------------


def approval_kinds(person: Person, policy: Resolver) -> list[str]:
    return list(policy.value("recruitment.admission.approval_kinds", person.org.path))


def committee_above(person: Person, on: dt.date, policy: Resolver | None = None) -> Org | None:
    """The nearest org above the person's org whose kind may decide committee steps
    (`recruitment.admission.approval_kinds` on `on`)."""
    kinds = set(approval_kinds(person, policy or resolver(day=on)))
    above = [o for o in Org.objects.get_ancestors(person.org) if o.kind in kinds]
    return above[-1] if above else None


def _deciding_org(draft: Draft, org: Org | None) -> Org:
    """The org of the step: the person's org for branch steps; for committee steps the
    given org (default: the nearest 党委 above), which must lie above the person's org, be
    of a kind in `approval_kinds`, and be decided by one of its admins or officers."""
    person, by, policy = draft.person, draft.by, draft.resolver()
    if draft.step.kind not in COMMITTEE_KINDS:
        require_manage(by, person.org)
        return person.org
    org = org or committee_above(person, draft.on, policy)
    label = StepKind(draft.step.kind).label
    kinds = approval_kinds(person, policy)
    if org is None:
        raise refusal(
            "org", f"“{label}”须由上级党委办理", f"“{person.org.name}”之上没有党委", DETAIL
        )
    if not person.org.path.startswith(org.path):  # not on the person's line: not named
        raise reference_error("org", "党组织", org.code)
    # an org above the person's is named even outside the actor's scope: it is the
    # committee over the actor's own branch, whose name every page of the branch shows
    above = org.pk != person.org_id
    if not above or org.kind not in kinds:
        raise refusal(
            "org",
            f"“{label}”须由上级基层党委办理，党总支、党支部无审批权",
            f"“{org.name}”是{org.get_kind_display()}" + ("" if above else "，不是上级党委"),
            DETAIL,
        )
    if not permissions.may_decide(by, org):
        raise refusal(
            "org",
            f"“{label}”须由“{org.name}”的管理员或党务干部录入",
            "您不是该党委的管理员或党务干部",
            DETAIL,
        )
    return org


# --- the write ----------------------------------------------------------------------


def lock(person: Person) -> None:
    """Lock the person's row until the transaction ends and reload the caller's object
    (so that it shows the stage and dates after the step)."""
    Person.objects.select_for_update().filter(pk=person.pk).exists()
    person.refresh_from_db()


def _check_stage(person: Person, kind: str) -> None:
    if kind == K.APPLICATION:
        raise ValidationError({"kind": "递交入党申请书在登记入党申请人时记录"})
    allowed = ALLOWED.get(kind)
    if allowed is None:
        raise ValidationError({"kind": "未知的发展环节"})
    if person.stage not in allowed:
        stages = "、".join(str(Stage(s).label) for s in allowed)
        raise ValidationError(
            {
                "kind": f"“{StepKind(kind).label}”只能在{stages}阶段记录，{person.name}现为{person.get_stage_display()}"
            }
        )


def _new_step(person: Person, kind: str, on: dt.date, by: Any, fields: dict[str, Any]) -> Step:
    """The step not yet saved (its org is set once known)."""
    values = {k: v for k, v in fields.items() if k != "files"}
    for text in ("decided_by", "conclusion"):
        values[text] = (values.get(text) or "").strip()
    values["special"] = bool(values.get("special"))
    return Step(person=person, kind=kind, on=on, entered_by=actor(by), **values)


def record_step(
    *,
    person: Person,
    kind: str,
    on: dt.date,
    by: Any,
    org: Org | None = None,
    restoring: bool = False,
    **fields: Any,
) -> Step:
    """Record one step of `person`'s record (see the step table of the design).

    `fields`: decided_by, conclusion, ends_on, voters, present, in_favour, days, hours,
    months, special, training_class, to_org, files (uploads).
    Refuses: a person out of `by`'s scope; a user who may not manage the person's org
    (PermissionDenied); an unknown field; a date after today or before the application;
    a step the person's stage does not allow (the order); a committee step by an org
    that is not a 党委 above the person's org (a branch's approval) or by a user who is
    not its admin or officer; and every time rule of the kind (the one year as activist,
    the five working days of a notice, the month after pre-review, the three or six
    months of approval, the yearly plan, the once-only extension of 6–12 months, the
    probation's end before the conversion meeting, the quorum and majority of a meeting,
    the short training's 3 days or 24 hours …) with the rule, the dates and the source.

    `restoring` is set only by the import of records (never by a form): an approval then
    links the member already on file with the person's ID number, and a conversion or an
    end leaves alone a member whose history already holds that status from that day
    (`domain.admission`).
    """
    try:
        return _record_step(
            person=person, kind=kind, on=on, by=by, org=org, restoring=restoring, **fields
        )
    except ValidationError:
        person.refresh_from_db()  # the caller shows the person as stored, not half-changed
        raise


@transaction.atomic
def _record_step(
    *,
    person: Person,
    kind: str,
    on: dt.date,
    by: Any,
    org: Org | None = None,
    restoring: bool = False,
    **fields: Any,
) -> Step:
    """`record_step` inside one transaction."""
    lock(person)
    require_reference(by, person.org.path, field="person", label="发展对象人员", value=person.pk)
    unknown = set(fields) - STEP_FIELDS
    if unknown:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"不可在此填写的字段：{'、'.join(sorted(unknown))}"}
        )
    check_not_future(on)
    _check_stage(person, kind)
    draft = Draft(person, _new_step(person, kind, on, by, fields), by, restoring=restoring)
    draft.step.org = _deciding_org(draft, org)
    if on < person.applied_on:
        raise refusal(
            "on", "发展环节不能早于递交入党申请书", f"{d(person.applied_on)}递交申请", DETAIL
        )
    CHECKS[kind](draft)
    save(draft.step, by)
    if kind in EFFECTS:
        EFFECTS[kind](draft)
    save(person, by)
    for upload in fields.get("files") or []:  # last: a refusal above stores no file
        add_step_file(step=draft.step, upload=upload, by=by)
    return draft.step


@transaction.atomic
def add_step_file(*, step: Step, upload: Any, by: Any) -> StepFile:
    """Attach a document to a step. Refuses a step out of `by`'s scope, a user who may
    not manage the person's org, a file over 20 MB or of another type than
    jpg, png, pdf, doc, docx or xlsx."""
    person = step.person
    require_reference(by, person.org.path, field="step", label="发展环节", value=step.pk)
    require_manage(by, person.org)
    uploads.check_upload(upload, FILE_TYPES, limit=MAX_FILE_BYTES, field="files", label=FILE_LABEL)
    record = StepFile(
        step=step,
        file=upload,
        name=uploads.original_name(upload),
        size=upload.size,
        uploaded_by=actor(by),
    )
    save(record, by)
    return record
