"""Writes of the problem, task and duty lists (TASK-01, TASK-02): items, their
rectification from open to accepted, deadline extensions.

Every function is keyword-only after its subject, atomic, validates with Chinese messages
keyed by field, and writes through the ORM so that the history keeps who changed what; a
`Step` row records each transition for the item's timeline. Who may do what is decided by
`supervision.permissions`; these functions check it again, so that no page, API or import
can skip it. Two reviewers acting on the same item at once: the item's `version` is
claimed by a conditional UPDATE, one wins, the other gets `Conflict`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xianfeng.accounts.scope import require_reference, resolve_reference
from xianfeng.lib import uploads
from xianfeng.lib.dates import today
from xianfeng.members.models import Member, Status
from xianfeng.orgs.models import Org

from .. import permissions
from ..models import Extension, Item, ItemFile, ItemKind, ItemStatus, Origin, Step
from ..people import default_responsible

MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_TYPES = frozenset({".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx"})
FILE_LABEL = "jpg、png、pdf、docx 或 xlsx"
RESPONSIBLE = "本组织的在册党员"


class Conflict(ValidationError):
    """Someone else changed the item first (a concurrent accept or return)."""

    def __init__(self) -> None:
        super().__init__({"status": "该事项已被他人处理，请刷新后查看最新状态"})


# --- creating ---------------------------------------------------------------------------


def reviewer_of(org: Org) -> Org:
    """The org that reviews an org's items: its parent; the root reviews its own."""
    return Org.objects.get_parent(org) or org


def save(record: Any, by: Any, **options: Any) -> None:
    """Save with `by` as the history's actor (the web and API set it too; the command
    line and tests pass it here)."""
    record._history_user = by
    record.save(**options)


def _responsible_member(org: Org, code: str, by: Any) -> Member:
    """A current member of `org`'s subtree by code, resolved within `by`'s scope."""
    queryset = Member.objects.exclude(status=Status.LEFT).filter(org__path__startswith=org.path)
    return resolve_reference(
        queryset, by, field="responsible", label=RESPONSIBLE, value=code, code=code.strip()
    )


def _check_deadline(deadline: dt.date | None, created_on: dt.date) -> dt.date:
    if deadline is None:
        raise ValidationError({"deadline": "请填写整改时限"})
    if deadline < created_on:
        raise ValidationError({"deadline": "整改时限不能早于创建日期"})
    return deadline


@transaction.atomic
def create_item(
    org: Org,
    *,
    kind: str,
    title: str,
    deadline: dt.date | None,
    by: Any,
    description: str = "",
    origin: str = Origin.MANUAL,
    responsible: str = "",
    created_on: dt.date | None = None,
    files: Iterable[Any] = (),
    **extra: Any,
) -> Item:
    """A new item of `org`'s list. `responsible` is a member code in `org`'s subtree
    (empty: the org's secretary, or where the seat is vacant the nearest officer
    account). `extra` carries the origin's fields (finding key, inspection, duty level)."""
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    if not permissions.may_manage(by, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以新建清单事项")
    created_on = created_on or today()
    member = _responsible_member(org, responsible, by) if responsible.strip() else None
    member, account = default_responsible(org, member, created_on)
    item = Item(
        org=org,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        origin=origin,
        year=created_on.year,
        responsible=member,
        responsible_user=account,
        reviewer_org=reviewer_of(org),
        deadline=_check_deadline(deadline, created_on),
        created_by=by,
        created_on=created_on,
        **extra,
    )
    if kind not in ItemKind.values:
        raise ValidationError({"kind": "请选择清单类型"})
    item.full_clean()
    save(item, by)
    _step(item, Step.Action.CREATED, by)
    for file in files:
        add_file(item, file=file, by=by)
    return item


def _step(item: Item, action: str, by: Any, note: str = "") -> None:
    Step.objects.create(item=item, action=action, by=by, note=note)


# --- files -------------------------------------------------------------------------------


def validate_file(file: Any, field: str = "files") -> None:
    """At most 20 MB, of type jpg, png, pdf, docx or xlsx by its bytes (not its name)."""
    uploads.check_upload(file, FILE_TYPES, limit=MAX_FILE_BYTES, field=field, label=FILE_LABEL)


@transaction.atomic
def add_file(item: Item, *, file: Any, by: Any, is_evidence: bool = False) -> ItemFile:
    if not permissions.may_work_on(by, item):
        raise PermissionDenied("只有责任人或本组织的党务工作者可以上传材料")
    validate_file(file)
    record = ItemFile(
        item=item,
        file=file,
        name=uploads.original_name(file),
        size=file.size,
        is_evidence=is_evidence,
        uploaded_by=by,
    )
    save(record, by)
    return record


# --- the life of an item ---------------------------------------------------------------


def _claim(item: Item, *, allowed: Iterable[str]) -> None:
    """Claim the item's next version while it is still in one of `allowed` states; a
    concurrent transition that got there first makes this one a `Conflict`."""
    claimed = Item.objects.filter(
        pk=item.pk, version=item.version, status__in=list(allowed)
    ).update(version=F("version") + 1)
    if not claimed:
        raise Conflict()
    item.version += 1


def _transition(item: Item, action: str, by: Any, note: str = "", **changes: Any) -> Item:
    for name, value in changes.items():
        setattr(item, name, value)
    save(item, by)
    _step(item, action, by, note)
    return item


@transaction.atomic
def start_item(item: Item, *, by: Any) -> Item:
    """The responsible person starts the rectification (open → in progress)."""
    if not permissions.may_work_on(by, item):
        raise PermissionDenied("只有责任人或本组织的党务工作者可以办理该事项")
    if item.status != ItemStatus.OPEN:
        raise ValidationError({"status": "只有待整改的事项可以开始整改"})
    _claim(item, allowed=[ItemStatus.OPEN])
    return _transition(item, Step.Action.STARTED, by, status=ItemStatus.IN_PROGRESS)


@transaction.atomic
def submit_item(item: Item, *, evidence: str, by: Any, files: Iterable[Any] = ()) -> Item:
    """Hand in the evidence (text, and files if any): open or in progress → submitted."""
    if not permissions.may_work_on(by, item):
        raise PermissionDenied("只有责任人或本组织的党务工作者可以提交整改材料")
    if item.status not in (ItemStatus.OPEN, ItemStatus.IN_PROGRESS):
        raise ValidationError({"status": "只有待整改或整改中的事项可以提交"})
    if not evidence.strip():
        raise ValidationError({"evidence": "请填写整改情况"})
    files = list(files)
    for file in files:
        validate_file(file)
    _claim(item, allowed=[ItemStatus.OPEN, ItemStatus.IN_PROGRESS])
    for file in files:
        add_file(item, file=file, by=by, is_evidence=True)
    return _transition(
        item,
        Step.Action.SUBMITTED,
        by,
        status=ItemStatus.SUBMITTED,
        evidence=evidence.strip(),
        submitted_at=timezone.now(),
        submitted_by=by,
    )


def _require_reviewer(item: Item, by: Any) -> None:
    if not permissions.may_review(by, item):
        if by is not None and by == item.submitted_by:
            raise PermissionDenied("提交人不能验收或退回自己提交的事项")
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以验收或退回")
    if item.status != ItemStatus.SUBMITTED:
        raise ValidationError({"status": "只有待验收的事项可以验收或退回"})


@transaction.atomic
def accept_item(item: Item, *, by: Any, note: str = "") -> Item:
    """Accept the evidence and close the item out (挂账销号). An item whose finding the
    rules still report may be accepted only with a written reason."""
    _require_reviewer(item, by)
    if item.origin == Origin.FINDING and item.finding_cleared_on is None and not note.strip():
        raise ValidationError({"note": "检查规则仍报告此问题，验收时请写明理由"})
    _claim(item, allowed=[ItemStatus.SUBMITTED])
    return _transition(
        item,
        Step.Action.ACCEPTED,
        by,
        note.strip(),
        status=ItemStatus.ACCEPTED,
        accepted_at=timezone.now(),
        accepted_by=by,
        accept_note=note.strip(),
    )


@transaction.atomic
def return_item(item: Item, *, reason: str, by: Any) -> Item:
    """Send the item back with a reason (submitted → in progress)."""
    _require_reviewer(item, by)
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回理由"})
    _claim(item, allowed=[ItemStatus.SUBMITTED])
    return _transition(
        item,
        Step.Action.RETURNED,
        by,
        reason.strip(),
        status=ItemStatus.IN_PROGRESS,
        returned_count=item.returned_count + 1,
    )


@transaction.atomic
def reopen_item(item: Item, *, reason: str, by: Any) -> Item:
    """A re-inspection found the problem back: accepted → open again (the finding key is
    kept; at most one unfinished item holds it, so a newer one blocks the reopening)."""
    if item.status != ItemStatus.ACCEPTED:
        raise ValidationError({"status": "只有已销号的事项可以重新打开"})
    if (
        item.finding_key
        and Item.objects.filter(finding_key=item.finding_key)
        .exclude(status=ItemStatus.ACCEPTED)
        .exists()
    ):
        raise ValidationError({"status": "该问题已有未销号的事项"})
    _claim(item, allowed=[ItemStatus.ACCEPTED])
    return _transition(
        item,
        Step.Action.REOPENED,
        by,
        reason,
        status=ItemStatus.OPEN,
        reopened_count=item.reopened_count + 1,
        finding_cleared_on=None,
        accepted_at=None,
        accepted_by=None,
    )


# --- deadline extensions (延期申请) -----------------------------------------------------


@transaction.atomic
def ask_extension(item: Item, *, deadline: dt.date | None, reason: str, by: Any) -> Extension:
    if not permissions.may_work_on(by, item):
        raise PermissionDenied("只有责任人或本组织的党务工作者可以申请延期")
    if item.status == ItemStatus.ACCEPTED:
        raise ValidationError({"deadline": "已销号的事项不能申请延期"})
    if deadline is None or deadline <= item.deadline:
        raise ValidationError({"deadline": "申请延至的日期应晚于现在的整改时限"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请理由"})
    if item.extensions.filter(decision=Extension.Decision.PENDING).exists():
        raise ValidationError({"deadline": "已有待审核的延期申请"})
    extension = Extension(item=item, deadline=deadline, reason=reason.strip(), asked_by=by)
    save(extension, by)
    _step(item, Step.Action.EXTENSION_ASKED, by, f"申请延至 {deadline:%Y-%m-%d}：{reason.strip()}")
    return extension


@transaction.atomic
def decide_extension(extension: Extension, *, grant: bool, by: Any, note: str = "") -> Extension:
    item = extension.item
    if not permissions.may_review(by, item, deciding_extension=True):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以审核延期申请")
    claimed = Extension.objects.filter(pk=extension.pk, decision=Extension.Decision.PENDING).update(
        decision=Extension.Decision.GRANTED if grant else Extension.Decision.REFUSED
    )
    if not claimed:
        raise Conflict()
    extension.decision = Extension.Decision.GRANTED if grant else Extension.Decision.REFUSED
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    save(extension, by)
    if grant:
        item.deadline = extension.deadline
        save(item, by, update_fields=["deadline"])
    action = Step.Action.EXTENSION_GRANTED if grant else Step.Action.EXTENSION_REFUSED
    _step(item, action, by, note.strip())
    return extension
