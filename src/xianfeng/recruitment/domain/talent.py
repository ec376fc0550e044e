"""Writes of the talent pool (人才库, DEV-07, seed 000 §4.3, seed 001 §4.1): the survey
(调查摸底) of non-members of an org — large growers, brokers, private business owners,
high-skill workers, outgoing migrants — with the policy's talent tags; an entry moves into
track (b) of the cultivations or into the pipeline as an applicant, or leaves the pool.

An ID number, when given, is stored like members' (encrypted, an HMAC for lookup, shown
masked); a number already in the pool or held by a member is refused, naming the holder
only when the actor can see it (members.id_duplicates). Checks, scope and history as in
`domain.cultivation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.accounts.scope import is_within_scope
from xianfeng.compliance.policy import resolver
from xianfeng.lib.cipher import get_cipher, stored_id_number
from xianfeng.members.codes import Gender
from xianfeng.members.domain import parse_identity
from xianfeng.members.id_duplicates import answer_elsewhere, duplicate_message, refuse_over_limit
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org, Sector

from ..models import (
    Cultivation,
    CultivationStatus,
    Person,
    TalentEntry,
    TalentKind,
    TalentStatus,
    Track,
)
from .admission import restorable_member
from .common import save
from .cultivation import (
    checked_day,
    checked_text,
    open_cultivation,
    require_org,
    require_writer,
)

TAGS_KEY = "members.tags.talent"
TALENT_ELSEWHERE = "该身份证号已在其他党组织的人才库登记"
EDITABLE = ("name", "kind", "tags", "occupation", "sector", "phone", "note")


def talent_tags(org: Org, day: dt.date) -> list[str]:
    """The talent tag catalogue of the policy at `org` (`members.tags.talent`)."""
    return [str(tag) for tag in resolver(day=day).value(TAGS_KEY, org.path)]


def clean_tags(value: Any, org: Org, day: dt.date) -> list[str]:
    """Tags from the policy's catalogue, each once, in the catalogue's order."""
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").replace("、", ",").split(",")]
    if not isinstance(value, Iterable):
        raise ValidationError({"tags": "人才标签应为列表"})
    chosen = {str(tag).strip() for tag in value if str(tag).strip()}
    catalogue = talent_tags(org, day)
    unknown = sorted(chosen - set(catalogue))
    if unknown:
        raise ValidationError(
            {"tags": f"未知的人才标签“{'、'.join(unknown)}”，可选：{'、'.join(catalogue)}"}
        )
    return [tag for tag in catalogue if tag in chosen]


def _check_unique(digest: str, by: Any, org: Org, restoring: bool = False) -> None:
    """Refuses a number (by its lookup HMAC) a member or another pool entry holds (on a
    restore, not a member `admission.restorable_member` finds)."""
    refuse_over_limit(by=by, org=org, digest=digest)
    member = Member.objects.filter(id_number_hmac=digest).select_related("org").first()
    restored = restoring and restorable_member(id_hmac=digest, by=by) is not None
    if member is not None and not restored:
        message = duplicate_message(member, by=by, org=org, digest=digest)
        raise ValidationError({"id_number": f"{message}，不能列入人才库（人才库只收非党员）"})
    other = TalentEntry.objects.filter(id_number_hmac=digest).select_related("org").first()
    if other is not None:
        if by is None or is_within_scope(by, other.org.path):
            message = f"该身份证号已在人才库登记为{other.name}（{other.org.name}）"
        else:
            answer_elsewhere(by=by, org=org, digest=digest)
            message = TALENT_ELSEWHERE
        raise ValidationError({"id_number": message})


def _choice(field: str, value: Any, choices: Any, what: str, *, required: bool) -> str:
    text = str(value or "").strip()
    if (required or text) and text not in choices.values:
        raise ValidationError({field: f"请选择{what}"})
    return text


@transaction.atomic
def register_talent(
    *,
    org: Org,
    name: str,
    kind: str,
    surveyed_on: dt.date,
    by: Any,
    tags: Any = (),
    occupation: str = "",
    sector: str = "",
    id_number: str = "",
    gender: str = "",
    birth_date: dt.date | None = None,
    phone: str = "",
    note: str = "",
    restoring: bool = False,
) -> TalentEntry:
    """Add a non-member found by `org`'s survey to its talent pool (DEV-07). The sector
    defaults to the org's; tags come from the policy's catalogue on the survey day.
    `restoring` is set only by the import of records (never by a form), for an entry
    whose person the file approves: the member that approval made, already on file, may
    then hold the ID number."""
    require_org(by, org)
    require_writer(by, org)
    surveyed_on = checked_day("surveyed_on", surveyed_on, "摸底日期")
    entry = TalentEntry(
        org=org,
        name=checked_text("name", name, "姓名", limit=50),
        kind=_choice("kind", kind, TalentKind, "人才类别", required=True),
        tags=clean_tags(tags, org, surveyed_on),
        occupation=checked_text(
            "occupation", occupation, "职业（经营项目）", limit=100, required=False
        ),
        sector=_choice("sector", sector, Sector, "所在领域", required=False) or org.sector,
        phone=checked_text("phone", phone, "联系电话", limit=30, required=False),
        note=checked_text("note", note, "备注", limit=500, required=False),
        gender=_choice("gender", gender, Gender, "性别", required=False),
        birth_date=birth_date,
        surveyed_on=surveyed_on,
    )
    number = str(id_number or "").strip()
    if number:
        number, entry.gender, entry.birth_date = parse_identity(number, entry.gender, birth_date)
        stored = stored_id_number(number)
        _check_unique(stored["id_number_hmac"], by, org, restoring)
        for field, value in stored.items():
            setattr(entry, field, value)
    save(entry, by)
    return entry


@transaction.atomic
def update_talent(*, entry: TalentEntry, by: Any, **changes: Any) -> TalentEntry:
    """Change the survey fields of an entry (name, kind, tags, occupation, sector,
    phone, note); not its org, status or ID number."""
    require_writer(by, entry.org)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError({unknown[0]: "该项不能修改"})
    cleaners = {
        "name": lambda v: checked_text("name", v, "姓名", limit=50),
        "kind": lambda v: _choice("kind", v, TalentKind, "人才类别", required=True),
        "tags": lambda v: clean_tags(v, entry.org, entry.surveyed_on),
        "occupation": lambda v: checked_text("occupation", v, "职业", limit=100, required=False),
        "sector": lambda v: _choice("sector", v, Sector, "所在领域", required=False),
        "phone": lambda v: checked_text("phone", v, "联系电话", limit=30, required=False),
        "note": lambda v: checked_text("note", v, "备注", limit=500, required=False),
    }
    for field, value in changes.items():
        setattr(entry, field, cleaners[field](value))
    save(entry, by, update_fields=list(changes) or None)
    return entry


def _open(entry: TalentEntry) -> None:
    if entry.status == TalentStatus.LEFT:
        raise ValidationError({"status": f"“{entry.name}”已出库"})


@transaction.atomic
def cultivate_talent(
    *, entry: TalentEntry, started_on: dt.date, by: Any, pair: Any = "", goal: str = ""
) -> Cultivation:
    """Move an entry into track (b) 把人才培养成党员: a cultivation file of its org (see
    `cultivation.open_cultivation`; the entry becomes 培养中)."""
    _open(entry)
    return open_cultivation(
        org=entry.org,
        track=Track.TALENT_TO_MEMBER,
        talent=entry,
        started_on=started_on,
        pair=pair,
        goal=goal,
        by=by,
    )


@transaction.atomic
def enter_pipeline(
    *, entry: TalentEntry, applied_on: dt.date, by: Any, id_number: str = "", **fields: Any
) -> Person:
    """Move an entry into the pipeline as an applicant of its org (入党申请人), through
    `people.register_applicant(talent=entry)`, which checks the ID number and age and
    records the application; the entry becomes 已递交入党申请 (PIPELINE). The ID number
    defaults to the one stored with the entry; the person's details default to the
    entry's (gender, birth date, occupation, sector, phone)."""
    from .people import register_applicant

    require_writer(by, entry.org)
    _open(entry)
    if entry.people.exists():
        raise ValidationError({"status": f"“{entry.name}”已递交入党申请"})
    number = str(id_number or "").strip() or (
        get_cipher().decrypt(entry.id_number_cipher) if entry.id_number_cipher else ""
    )
    if not number:
        raise ValidationError({"id_number": "请填写身份证号"})
    details = {
        "occupation": entry.occupation,
        "sector": entry.sector,
        "phone": entry.phone,
        **({"gender": entry.gender} if entry.gender else {}),
        **({"birth_date": entry.birth_date} if entry.birth_date else {}),
        **fields,
    }
    return register_applicant(
        org=entry.org,
        name=entry.name,
        id_number=number,
        applied_on=applied_on,
        by=by,
        talent=entry,
        **details,
    )


@transaction.atomic
def mark_left(*, entry: TalentEntry, on: dt.date, reason: str, by: Any) -> TalentEntry:
    """Take an entry out of the pool (出库: moved away, no longer a talent, joined
    elsewhere …) on `on`, with the reason kept in its note.

    Side effects: its active track (b) file is stopped on the same day."""
    require_writer(by, entry.org)
    _open(entry)
    on = checked_day("on", on, "出库日期")
    if on < entry.surveyed_on:
        raise ValidationError({"on": f"出库日期不能早于摸底日期{entry.surveyed_on:%Y-%m-%d}"})
    text = checked_text("reason", reason, "出库原因", limit=200)
    active = Cultivation.objects.filter(talent=entry, status=CultivationStatus.ACTIVE)
    for cultivation in active:
        cultivation.status, cultivation.status_since = (
            CultivationStatus.STOPPED,
            max(on, cultivation.started_on),
        )
        save(cultivation, by, validate=False, update_fields=["status", "status_since"])
    entry.status = TalentStatus.LEFT
    entry.note = f"{entry.note}\n{on:%Y-%m-%d}出库：{text}".strip()[-500:]
    save(entry, by, update_fields=["status", "note"])
    return entry
