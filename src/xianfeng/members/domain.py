"""Writes to the member registry (MEM-01, MEM-02) and transfers (MEM-05).

Every function validates, saves inside a transaction and leaves a history row
(django-simple-history, with the acting user or command line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xianfeng.accounts.scope import is_within_scope, reference_error, require_reference
from xianfeng.core.audit import kept_through_rollback
from xianfeng.core.history import current_via
from xianfeng.lib.cipher import get_cipher, lookup_hash, stored_id_number
from xianfeng.lib.dates import today
from xianfeng.lib.idcard import IdNumberError, age_on, parse_id_number
from xianfeng.lib.pinyin import person_initials
from xianfeng.orgs.models import MEMBER_KINDS, Org, OrgKind

from .id_duplicates import duplicate_message, refuse_over_limit
from .models import (
    Category,
    Flag,
    IdNumberView,
    LeftReason,
    Member,
    Placement,
    Status,
    StatusSpell,
    TemporaryMembership,
    Transfer,
    TransferStatus,
)

MIN_AGE_AT_JOINING = 18  # 党章 第一条: 年满十八岁
EDITABLE_FIELDS = (
    "name",
    "ethnicity",
    "education",
    "occupation",
    "phone",
    "category",
    "flags",
    "leading_cadre",
    "joined_on",
    "full_on",
    "party_group",
)

# The status lifecycle (MEM-01): which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROBATIONARY: frozenset(
        {Status.FULL, Status.SUSPENDED, Status.LOST_CONTACT, Status.LEFT}
    ),
    Status.FULL: frozenset({Status.SUSPENDED, Status.LOST_CONTACT, Status.LEFT}),
    Status.SUSPENDED: frozenset({Status.FULL, Status.LEFT}),
    Status.LOST_CONTACT: frozenset(
        {Status.FULL, Status.PROBATIONARY, Status.SUSPENDED, Status.LEFT}
    ),
    Status.LEFT: frozenset(),
}


def _check_org_holds_members(org: Org, field: str = "org") -> None:
    if org.kind not in MEMBER_KINDS:
        raise ValidationError(
            {field: f"党员只能编入党支部或联合党支部，“{org.name}”是{org.get_kind_display()}"}
        )
    if org.dissolved_on is not None:
        raise ValidationError({field: f"“{org.name}”已撤销，不能编入党员"})


def _check_party_group(org: Org, party_group: Org | None) -> None:
    if party_group is None:
        return
    if party_group.kind != OrgKind.PARTY_GROUP or Org.objects.get_parent(party_group).pk != org.pk:
        raise ValidationError({"party_group": "党小组必须是本支部下设的党小组"})
    if party_group.dissolved_on is not None:  # named only once known to be the org's own
        raise ValidationError({"party_group": f"党小组“{party_group.name}”已撤销"})


def _check_flags(flags: list[str]) -> None:
    unknown = set(flags) - set(Flag.values)
    if unknown:
        raise ValidationError({"flags": f"未知的党员标识：{'、'.join(sorted(unknown))}"})


def parse_identity(
    id_number: str, gender: str | None, birth_date: dt.date | None
) -> tuple[str, str, dt.date]:
    """The normalized number, gender and birth date of an ID number (GB 11643); refuses
    an invalid number or one that disagrees with the gender or birth date given (members,
    applicants and the talent pool alike)."""
    try:
        parsed = parse_id_number(id_number or "")
    except IdNumberError as error:
        raise ValidationError({"id_number": str(error)}) from None
    if gender and gender != parsed.gender:
        raise ValidationError(
            {"gender": "性别与身份证号不一致（身份证号第17位奇数为男、偶数为女）"}
        )
    if birth_date and birth_date != parsed.birth_date:
        raise ValidationError(
            {
                "birth_date": f"出生日期与身份证号不一致（身份证号显示为{parsed.birth_date:%Y-%m-%d}）"
            }
        )
    return parsed.number, parsed.gender, parsed.birth_date


def check_identity(
    *, id_number: str, gender: str | None, birth_date: dt.date | None, joined_on: dt.date
) -> tuple[str, str, dt.date]:
    """Validate the ID number (GB 11643) and cross-check gender, birth date and age."""
    number, gender, born = parse_identity(id_number, gender, birth_date)
    if age_on(born, joined_on) < MIN_AGE_AT_JOINING:
        raise ValidationError(
            {"joined_on": "入党时应年满十八周岁（党章第一条），请核对入党日期或身份证号"}
        )
    if joined_on > today():
        raise ValidationError({"joined_on": "入党日期不能晚于今天"})
    return number, gender, born


def _check_unique_id(
    digest: str, *, by: Any = None, org: Org | None = None, exclude_pk: int | None = None
) -> None:
    """Refuses a number (by its lookup HMAC) another member holds; the answer names that
    member only when `by` can see them (see id_duplicates: logged and limited)."""
    refuse_over_limit(by=by, org=org, digest=digest)
    clash = Member.objects.filter(id_number_hmac=digest).select_related("org")
    other = (clash.exclude(pk=exclude_pk) if exclude_pk else clash).first()
    if other is not None:
        message = duplicate_message(other, by=by, org=org, digest=digest)
        raise ValidationError({"id_number": message})


def _check_status_dates(status: str, joined_on: dt.date, full_on: dt.date | None) -> None:
    if status == Status.PROBATIONARY and full_on:
        raise ValidationError({"full_on": "预备党员不应有转正日期"})
    if status == Status.FULL and not full_on:
        raise ValidationError({"full_on": "正式党员须填写转正日期"})
    if full_on and full_on <= joined_on:
        raise ValidationError({"full_on": "转正日期应晚于入党日期"})


@kept_through_rollback()  # the duplicate-number log outlives the refused registration
@transaction.atomic
def register_member(
    *,
    org: Org,
    code: str,
    name: str,
    id_number: str,
    joined_on: dt.date,
    status: str = Status.PROBATIONARY,
    full_on: dt.date | None = None,
    gender: str | None = None,
    birth_date: dt.date | None = None,
    placed_on: dt.date | None = None,
    by: Any = None,
    **fields: Any,
) -> Member:
    """Add a member to a branch-level org (MEM-01).

    The ID number is checked (GB 11643) and cross-checked with gender and birth date,
    stored encrypted with an HMAC for lookup, and shown masked. Creates the first status
    spell and placement (from `placed_on`, default the joining date).
    """
    require_reference(by, org.path, field="org", label="党组织", value=org.code)
    _check_org_holds_members(org)
    if status not in {Status.PROBATIONARY, Status.FULL}:
        raise ValidationError({"status": "新登记党员的状态应为预备党员或正式党员"})
    number, gender, birth_date = check_identity(
        id_number=id_number, gender=gender, birth_date=birth_date, joined_on=joined_on
    )
    _check_status_dates(status, joined_on, full_on)
    _check_party_group(org, fields.get("party_group"))
    _check_flags(fields.get("flags", []))
    stored = stored_id_number(number)
    _check_unique_id(stored["id_number_hmac"], by=by, org=org)
    member = Member(
        org=org,
        code=code.strip(),
        name=name.strip(),
        gender=gender,
        birth_date=birth_date,
        joined_on=joined_on,
        full_on=full_on,
        status=status,
        status_since=full_on or joined_on,
        **stored,
        name_initials=person_initials(name.strip()),
        **fields,
    )
    member.full_clean()
    member.save()
    start = placed_on or joined_on
    if status == Status.FULL and full_on:
        StatusSpell.objects.create(
            member=member, status=Status.PROBATIONARY, started_on=joined_on, ended_on=full_on
        )
    StatusSpell.objects.create(member=member, status=status, started_on=member.status_since)
    Placement.objects.create(member=member, org=org, started_on=start)
    return member


@transaction.atomic
def update_member(*, member: Member, by: Any = None, **changes: Any) -> Member:
    """Change the editable registry fields (not status, org or ID number)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不可在此修改的字段：{', '.join(sorted(unknown))}")
    if "party_group" in changes:
        _check_party_group(member.org, changes["party_group"])
    if "flags" in changes:
        _check_flags(changes["flags"])
    for field, value in changes.items():
        setattr(member, field, value)
    _check_status_dates(member.status, member.joined_on, member.full_on)
    member.name_initials = person_initials(member.name)
    member.full_clean()
    member.save(update_fields=[*changes, "name_initials", "updated_at"])
    return member


@kept_through_rollback()
@transaction.atomic
def change_id_number(*, member: Member, id_number: str, by: Any = None) -> Member:
    """Correct a member's ID number (re-checked, re-encrypted; history shows it masked)."""
    number, gender, birth_date = check_identity(
        id_number=id_number, gender=None, birth_date=None, joined_on=member.joined_on
    )
    stored = stored_id_number(number)
    _check_unique_id(stored["id_number_hmac"], by=by, org=member.org, exclude_pk=member.pk)
    for field, value in stored.items():
        setattr(member, field, value)
    member.gender, member.birth_date = gender, birth_date
    member.save(update_fields=[*stored, "gender", "birth_date", "updated_at"])
    return member


# Changes that take a membership away, or end it by a decision: each needs its grounds in
# words (`note`), kept with the status spell. Leaving by death or transfer out of the
# system states its reason by the code alone.
NEEDS_NOTE = frozenset({Status.SUSPENDED})
DECIDED_LEAVING = frozenset({LeftReason.REMOVED, LeftReason.EXPELLED})


def _check_status_note(status: str, reason: str, note: str) -> None:
    if status in NEEDS_NOTE and not note:
        raise ValidationError({"note": f"{Status(status).label}须填写理由"})
    if status == Status.LEFT and reason in DECIDED_LEAVING and not note:
        raise ValidationError({"note": f"{LeftReason(reason).label}须填写理由"})


@transaction.atomic
def set_member_status(
    *, member: Member, status: str, on: dt.date, reason: str = "", note: str = "", by: Any = None
) -> Member:
    """Move a member along the status lifecycle (MEM-01).

    `reason` is the code of why a member left (LeftReason); `note` the grounds in words,
    required to suspend a membership and to remove or expel a member.

    Side effects: closes the open status spell and opens a new one from `on` that keeps
    the note; becoming full sets `full_on`; leaving (with a reason) closes the placement
    and deactivates the posts of the member's account.
    """
    note = (note or "").strip()
    allowed = TRANSITIONS[member.status]
    if status not in allowed:
        raise ValidationError(
            {"status": f"不能由“{member.get_status_display()}”直接变为“{Status(status).label}”"}
        )
    if on < member.status_since:
        raise ValidationError({"on": f"变更日期不能早于当前状态的起始日期 {member.status_since}"})
    if on > today():
        raise ValidationError({"on": "变更日期不能晚于今天"})
    if status == Status.LEFT and reason not in LeftReason.values:
        raise ValidationError({"reason": "出党须选择原因：转出本系统、除名、开除党籍或死亡"})
    _check_status_note(status, reason, note)
    if status == Status.LEFT and member.transfers.filter(status=TransferStatus.IN_TRANSIT).exists():
        raise ValidationError({"status": "该党员有转接中的组织关系，请先撤回或完成转接"})
    StatusSpell.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
    StatusSpell.objects.create(
        member=member,
        status=status,
        started_on=on,
        reason=reason if status == Status.LEFT else "",
        note=note[:500],
    )
    member.status, member.status_since = status, on
    member.left_reason = reason if status == Status.LEFT else ""
    fields = ["status", "status_since", "left_reason", "updated_at"]
    if status == Status.FULL and not member.full_on:
        member.full_on = on
        fields.append("full_on")
    member.save(update_fields=fields)
    if status == Status.LEFT:
        Placement.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        _deactivate_member_posts(member)
    return member


def _deactivate_member_posts(member: Member, under: Org | None = None) -> None:
    from xianfeng.accounts.domain import end_posts_of_user

    user = getattr(member, "user", None) if hasattr(member, "user") else None
    if user is not None:
        end_posts_of_user(user=user, under=under)


def reveal_id_number(*, member: Member, user: Any, purpose: str = "") -> str:
    """The full ID number, for a user entitled to see it; every view is recorded (MEM-01)."""
    from xianfeng.accounts.permissions import can_view_identifiers

    if not can_view_identifiers(user):
        raise PermissionDenied("您没有查看完整身份证号的权限")
    IdNumberView.objects.create(
        member=member, user=user if user.pk else None, via=current_via(), purpose=purpose[:100]
    )
    return get_cipher().decrypt(member.id_number_cipher)


def find_member_by_id_number(id_number: str) -> Member | None:
    """Exact lookup through the HMAC column (no decryption, no scan)."""
    try:
        number = parse_id_number(id_number).number
    except IdNumberError:
        return None
    return Member.objects.filter(id_number_hmac=lookup_hash(number)).first()


# --- transfers (MEM-05) ------------------------------------------------------------------


@transaction.atomic
def send_transfer(
    *,
    member: Member,
    to_org: Org,
    sent_on: dt.date,
    reason: str = "",
    letter_no: str = "",
    by: Any = None,
) -> Transfer:
    """Open a transfer from the member's org to `to_org` (the sending side's act).

    The member stays in the sending org until the receiving org accepts. Side effect:
    the posts of the member's account under the sending org are deactivated. The member
    must lie in `by`'s scope; `to_org` may lie anywhere, but outside the scope only a
    branch-level org still active (what the transfer directory lists) is known: any other
    code reads like one that does not exist.
    """
    require_reference(by, member.org.path, field="member", label="党员", value=member.code)
    if not (is_transfer_destination(to_org) or is_within_scope(by, to_org.path)):
        raise reference_error("to_org", "党组织", to_org.code)
    if member.status == Status.LEFT:
        raise ValidationError({"member": "该党员已出党，不能转接"})
    _check_org_holds_members(to_org, field="to_org")
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": "接收党组织不能是党员当前所在的党组织"})
    if member.transfers.filter(status=TransferStatus.IN_TRANSIT).exists():
        raise ValidationError({"member": "该党员已有一笔转接中的组织关系"})
    if sent_on > today():
        raise ValidationError({"sent_on": "转出日期不能晚于今天"})
    if sent_on < _current_placement(member).started_on:
        raise ValidationError({"sent_on": "转出日期不能早于党员进入本组织的日期"})
    transfer = Transfer(
        member=member,
        from_org=member.org,
        to_org=to_org,
        sent_on=sent_on,
        reason=reason,
        letter_no=letter_no,
        sent_by=_user(by),
    )
    transfer.full_clean()
    transfer.save()
    _deactivate_member_posts(member, under=member.org)
    return transfer


def is_transfer_destination(org: Org) -> bool:
    """Listed in the transfer directory (orgs.queries.directory): open to every sender."""
    return org.kind in MEMBER_KINDS and org.dissolved_on is None


def _current_placement(member: Member) -> Placement:
    return member.placements.get(ended_on__isnull=True)


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _check_in_transit(transfer: Transfer) -> None:
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise ValidationError(f"该转接已{transfer.get_status_display()}，不能再办理")


@transaction.atomic
def receive_transfer(*, transfer: Transfer, received_on: dt.date, by: Any = None) -> Transfer:
    """Accept a transfer (the receiving side's act): the member moves on `received_on`.

    Side effects: the old placement ends and a new one starts on `received_on` (so the
    member is in exactly one org on every date); the party group is cleared; seats held in
    the sending org end.
    """
    _check_in_transit(transfer)
    if received_on < transfer.sent_on:
        raise ValidationError({"received_on": "接收日期不能早于转出日期"})
    if received_on > today():
        raise ValidationError({"received_on": "接收日期不能晚于今天"})
    _check_org_holds_members(transfer.to_org, field="to_org")
    member = transfer.member
    current = _current_placement(member)
    if received_on <= current.started_on:
        raise ValidationError({"received_on": "接收日期应晚于党员进入原组织的日期"})
    Placement.objects.filter(pk=current.pk).update(ended_on=received_on)
    Placement.objects.create(member=member, org=transfer.to_org, started_on=received_on)
    member.org, member.party_group = transfer.to_org, None
    member.save(update_fields=["org", "party_group", "updated_at"])
    member.seats.filter(ended_on__isnull=True).update(ended_on=received_on)
    transfer.status, transfer.received_on = TransferStatus.RECEIVED, received_on
    transfer.answered_by = _user(by)
    transfer.save(update_fields=["status", "received_on", "answered_by"])
    return transfer


@transaction.atomic
def reject_transfer(*, transfer: Transfer, note: str, by: Any = None) -> Transfer:
    """The receiving side sends the transfer back; the member stays where they were."""
    _check_in_transit(transfer)
    if not note.strip():
        raise ValidationError({"note": "退回时请说明原因"})
    return _close(transfer, TransferStatus.REJECTED, note, by)


@transaction.atomic
def cancel_transfer(*, transfer: Transfer, note: str = "", by: Any = None) -> Transfer:
    """The sending side withdraws a transfer still in transit."""
    _check_in_transit(transfer)
    return _close(transfer, TransferStatus.CANCELLED, note, by)


def _close(transfer: Transfer, status: str, note: str, by: Any) -> Transfer:
    transfer.status, transfer.answer_note = status, note.strip()[:200]
    transfer.answered_by = _user(by)
    transfer.save(update_fields=["status", "answer_note", "answered_by"])
    return transfer


@transaction.atomic
def add_to_temporary_org(
    *, org: Org, member: Member, started_on: dt.date, by: Any = None
) -> TemporaryMembership:
    """List a member in a temporary org; the home branch does not change (ORG-01)."""
    if org.kind != OrgKind.TEMPORARY_ORG:
        raise ValidationError({"org": "只能加入临时党组织"})
    if member.status == Status.LEFT:
        raise ValidationError({"member": "该党员已出党"})
    return TemporaryMembership.objects.create(org=org, member=member, started_on=started_on)


# --- bulk registration (imports) ----------------------------------------------------------


@dataclass
class NewMember:
    """A validated row for `bulk_register_members` (see members/importers.py)."""

    org: Org
    code: str
    name: str
    number: str
    digest: str
    gender: str
    birth_date: dt.date
    joined_on: dt.date
    full_on: dt.date | None
    status: str
    status_since: dt.date | None
    left_reason: str
    party_group: Org | None
    fields: dict[str, Any]


def _spells_for(row: NewMember, since: dt.date) -> list[tuple[str, dt.date, dt.date | None]]:
    """The status spells implied by a new member's dates (MEM-01 lifecycle)."""
    spells: list[tuple[str, dt.date, dt.date | None]] = []
    start = row.joined_on
    if row.status != Status.PROBATIONARY:
        end = row.full_on or since
        spells.append((Status.PROBATIONARY, start, end))
        start = end
    if row.status not in {Status.PROBATIONARY, Status.FULL} and row.full_on:
        spells.append((Status.FULL, start, since))
        start = since
    spells.append((row.status, start, None))
    return [s for s in spells if s[2] is None or s[2] > s[1]]


MEMBER_COLUMNS = (
    "id",
    "code",
    "name",
    "name_initials",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_cipher",
    "id_number_hmac",
    "id_number_masked",
    "education",
    "occupation",
    "phone",
    "joined_on",
    "full_on",
    "status",
    "status_since",
    "left_reason",
    "org_id",
    "party_group_id",
    "category",
    "flags",
    "leading_cadre",
    "entered_at",
    "updated_at",
)
HISTORY_SKIPPED = {"id_number_cipher", "id_number_hmac", "updated_at"}
_DEFAULTS = {
    "ethnicity": "01",
    "education": "",
    "occupation": "",
    "phone": "",
    "category": Category.IN_SERVICE,
    "flags": [],
    "leading_cadre": False,
}


def _member_values(row: NewMember, pk: int, code: str, now: Any, cipher: Any) -> dict[str, Any]:
    since = row.status_since or (row.full_on if row.status == Status.FULL else row.joined_on)
    return {
        **_DEFAULTS,
        **row.fields,
        "id": pk,
        "code": code,
        "name": row.name,
        "name_initials": person_initials(row.name),
        "gender": row.gender,
        "birth_date": row.birth_date,
        **stored_id_number(row.number, cipher=cipher, digest=row.digest),
        "joined_on": row.joined_on,
        "full_on": row.full_on,
        "status": row.status,
        "status_since": since,
        "left_reason": row.left_reason,
        "org_id": row.org.pk,
        "party_group_id": row.party_group.pk if row.party_group else None,
        "entered_at": now,
        "updated_at": now,
    }


@transaction.atomic
def bulk_register_members(
    *, new: list[NewMember], by: Any = None, next_code: Callable[[], str]
) -> int:
    """Register many validated members at once (imports): the same rows as
    `register_member` writes (member, status spells, placement, history row), written by
    COPY / executemany rather than one model object at a time."""
    from xianfeng.core.actor import current_actor
    from xianfeng.core.history import history_reason
    from xianfeng.lib.bulk import insert_rows, reserve_ids

    if not new:
        return 0
    cipher, now = get_cipher(), timezone.now()
    actor = current_actor()
    user_id = actor.user.pk if actor and actor.user else None
    ids = reserve_ids(Member, len(new))
    members = [
        _member_values(row, pk, row.code or next_code(), now, cipher)
        for row, pk in zip(new, ids, strict=True)
    ]
    insert_rows(
        Member._meta.db_table, MEMBER_COLUMNS, ([m[c] for c in MEMBER_COLUMNS] for m in members)
    )
    history = [c for c in MEMBER_COLUMNS if c not in HISTORY_SKIPPED]
    insert_rows(
        Member.history.model._meta.db_table,
        [*history, "history_date", "history_change_reason", "history_type", "history_user_id"],
        ([*(m[c] for c in history), now, history_reason(), "+", user_id] for m in members),
    )
    insert_rows(
        StatusSpell._meta.db_table,
        ["member_id", "status", "started_on", "ended_on", "reason"],
        (
            (m["id"], status, start, end, row.left_reason if status == Status.LEFT else "")
            for row, m in zip(new, members, strict=True)
            for status, start, end in _spells_for(row, m["status_since"])
        ),
    )
    insert_rows(
        Placement._meta.db_table,
        ["member_id", "org_id", "started_on", "ended_on"],
        (
            (
                m["id"],
                m["org_id"],
                m["joined_on"],
                m["status_since"] if m["status"] == Status.LEFT else None,
            )
            for m in members
        ),
    )
    return len(members)


@transaction.atomic
def move_member_by_import(*, member: Member, to_org: Org, by: Any = None) -> Transfer:
    """A re-import that puts a member in another org is recorded as a transfer, sent and
    received today (MEM-05)."""
    day = today()
    transfer = send_transfer(member=member, to_org=to_org, sent_on=day, reason="导入变更", by=by)
    return receive_transfer(transfer=transfer, received_on=day, by=by)


def new_member_code() -> str:
    """A member code not yet used, in the form the import and the demo give new members
    (P and eight digits): one above the highest such code on file."""
    codes = Member.objects.filter(code__regex=r"^P[0-9]{8}$").order_by("-code")
    highest = codes.values_list("code", flat=True).first()
    number = int(highest[1:]) if highest else Member.objects.count()
    while True:
        number += 1
        code = f"P{number:08d}"
        if not Member.objects.filter(code=code).exists():
            return code
