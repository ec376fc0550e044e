"""Member export rows in the import template's columns (round trip, PLAT-03).

ID numbers are masked unless the export is unmasked (a user holding the right to see
personal identifiers, or the command line with --unmasked); every export is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import OuterRef, QuerySet, Subquery

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_rows
from xianfeng.lib.cipher import get_cipher

from .codes import ETHNICITY_CHOICES
from .importers import COLUMNS
from .importers_history import (
    PLACEMENT_COLUMNS,
    STATUS_COLUMNS,
    TEMPORARY_COLUMNS,
    TRANSFER_COLUMNS,
)
from .models import Flag, Member, Placement, Status, StatusSpell, TemporaryMembership, Transfer

HEADERS = [column.label for column in COLUMNS]
TEXT_COLUMNS = [i for i, column in enumerate(COLUMNS) if column.text]
_ETHNICITY = dict(ETHNICITY_CHOICES)
_FLAGS = dict(Flag.choices)


def member_rows(members: QuerySet[Member], *, unmasked: bool) -> Iterator[list[Any]]:
    cipher = get_cipher()
    spell = StatusSpell.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
    query = members.select_related("org", "party_group").order_by("org__path", "code")
    query = query.annotate(status_note=Subquery(spell.values("note")[:1]))
    for m in query.iterator(chunk_size=2000):
        number = cipher.decrypt(m.id_number_cipher) if unmasked else m.id_number_masked
        special = m.status not in {Status.PROBATIONARY, Status.FULL}
        yield [
            m.code,
            m.name,
            number,
            m.get_gender_display(),
            m.birth_date,
            _ETHNICITY.get(m.ethnicity, ""),
            m.get_education_display() if m.education else "",
            m.occupation,
            m.phone,
            m.org.code,
            m.party_group.name if m.party_group else "",
            m.joined_on,
            m.full_on,
            m.get_status_display(),
            m.status_since if special else None,
            m.get_left_reason_display() if m.left_reason else "",
            m.get_category_display(),
            "、".join(str(_FLAGS.get(f, f)) for f in m.flags),
            "是" if m.leading_cadre else "否",
            m.status_note or "",  # type: ignore[attr-defined]
        ]


def scoped_members(scope: ExportScope) -> QuerySet[Member]:
    from .queries import members_for_user

    members = Member.objects.all() if scope.user is None else members_for_user(scope.user)
    if scope.org is not None:
        members = members.filter(org__path__startswith=scope.org.path)
    return members


def write_members(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = member_rows(scoped_members(scope), unmasked=scope.unmasked)
    return write_rows(target, "党员", HEADERS, rows, TEXT_COLUMNS)


# --- a member's recorded history (round trip, issue 13 §6), in its import columns -------


def _cells(columns: tuple[Any, ...], record: dict[str, Any]) -> list[Any]:
    return [record.get(column.key) for column in columns]


def _text_columns(columns: tuple[Any, ...]) -> list[int]:
    return [i for i, column in enumerate(columns) if column.text]


def status_history_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    spells = StatusSpell.objects.filter(member__in=members).select_related("member")
    order = ("member__org__path", "member__code", "started_on", "pk")
    for spell in spells.order_by(*order).iterator(chunk_size=2000):
        yield _cells(
            STATUS_COLUMNS,
            {
                "member": spell.member.code,
                "name": spell.member.name,
                "status": spell.get_status_display(),
                "started_on": spell.started_on,
                "ended_on": spell.ended_on,
                "reason": spell.get_reason_display() if spell.reason else "",
                "note": spell.note,
            },
        )


def placement_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    places = Placement.objects.filter(member__in=members).select_related("member", "org")
    order = ("member__org__path", "member__code", "started_on", "pk")
    for place in places.order_by(*order).iterator(chunk_size=2000):
        yield _cells(
            PLACEMENT_COLUMNS,
            {
                "member": place.member.code,
                "name": place.member.name,
                "org": place.org.code,
                "started_on": place.started_on,
                "ended_on": place.ended_on,
            },
        )


def transfer_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    transfers = Transfer.objects.filter(member__in=members).select_related(
        "member", "from_org", "to_org"
    )
    for t in transfers.order_by("member__code", "pk").iterator(chunk_size=2000):
        yield _cells(
            TRANSFER_COLUMNS,
            {
                "member": t.member.code,
                "name": t.member.name,
                "from_org": t.from_org.code,
                "to_org": t.to_org.code,
                "sent_on": t.sent_on,
                "status": t.get_status_display(),
                "received_on": t.received_on,
                "reason": t.reason,
                "letter_no": t.letter_no,
                "answer_note": t.answer_note,
            },
        )


def temporary_rows(scope: ExportScope) -> Iterator[list[Any]]:
    rows = TemporaryMembership.objects.filter(
        org__in=scope.orgs(), member__in=scoped_members(scope)
    )
    rows = rows.select_related("org", "member").order_by("org__path", "member__code", "started_on")
    for m in rows.iterator(chunk_size=2000):
        yield _cells(
            TEMPORARY_COLUMNS,
            {
                "org": m.org.code,
                "member": m.member.code,
                "name": m.member.name,
                "started_on": m.started_on,
                "ended_on": m.ended_on,
            },
        )


def _writer(title: str, columns: tuple[Any, ...], rows: Any) -> Any:
    headers = [column.label for column in columns]

    def write(target: Path | IO[bytes], scope: ExportScope) -> int:
        return write_rows(target, title, headers, rows(scope), _text_columns(columns))

    return write


EXPORTS = (
    Export("members", "党员", write_members),
    Export(
        "status_history",
        "党籍状态历史",
        _writer("党籍状态历史", STATUS_COLUMNS, lambda s: status_history_rows(scoped_members(s))),
    ),
    Export(
        "placements",
        "组织关系历史",
        _writer("组织关系历史", PLACEMENT_COLUMNS, lambda s: placement_rows(scoped_members(s))),
    ),
    Export(
        "transfers",
        "组织关系转接",
        _writer("组织关系转接", TRANSFER_COLUMNS, lambda s: transfer_rows(scoped_members(s))),
    ),
    Export(
        "temporary_members",
        "临时党组织成员",
        _writer("临时党组织成员", TEMPORARY_COLUMNS, temporary_rows),
    ),
)
