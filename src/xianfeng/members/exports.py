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
_REGULAR = {Status.PROBATIONARY, Status.FULL}


# The member columns read per row, in one query with the org and party group joined.
_MEMBER_FIELDS = (
    "code",
    "name",
    "id_number_masked",
    "id_number_cipher",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "occupation",
    "phone",
    "org__code",
    "party_group__name",
    "joined_on",
    "full_on",
    "status",
    "status_since",
    "left_reason",
    "category",
    "flags",
    "leading_cadre",
    "status_note",
)
_MASKED, _CIPHER = (
    _MEMBER_FIELDS.index("id_number_masked"),
    _MEMBER_FIELDS.index("id_number_cipher"),
)
CHUNK = 5000  # rows fetched (and ID numbers decrypted) at a time


def _labels(choices: Any) -> dict[str, str]:
    """Code → label in the active language, resolved once per export, not per row."""
    return {code: str(label) for code, label in choices}


def member_values(members: QuerySet[Member]) -> QuerySet[Member, tuple[Any, ...]]:
    """The export's columns of `members` (org and party group joined, the open status
    spell's note as a subquery) in the export's order."""
    spell = StatusSpell.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
    query = members.annotate(status_note=Subquery(spell.values("note")[:1]))
    return query.order_by("org__path", "code").values_list(*_MEMBER_FIELDS)


def member_rows(members: QuerySet[Member], *, unmasked: bool) -> Iterator[list[Any]]:
    """One query streamed in chunks of CHUNK rows: no per-row queries and no model
    instances; masked numbers are stored as such, so only unmasked ones are decrypted."""
    labels = _member_labels()
    for chunk in _chunks(member_values(members).iterator(chunk_size=CHUNK)):
        numbers = _numbers(chunk, unmasked=unmasked)
        for number, values in zip(numbers, chunk, strict=True):
            yield _member_row(values, number, labels)


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _numbers(chunk: list[tuple[Any, ...]], *, unmasked: bool) -> list[str]:
    """The ID numbers of a chunk: the stored masked ones, or all decrypted at once."""
    if not unmasked:
        return [values[_MASKED] for values in chunk]
    decrypt = get_cipher().decrypt
    return [decrypt(values[_CIPHER]) for values in chunk]


def _member_labels() -> dict[str, dict[str, str]]:
    return {
        "gender": _labels(Member._meta.get_field("gender").choices),
        "education": _labels(Member._meta.get_field("education").choices),
        "status": _labels(Status.choices),
        "left_reason": _labels(Member._meta.get_field("left_reason").choices),
        "category": _labels(Member._meta.get_field("category").choices),
        "flags": _labels(Flag.choices),
    }


def _member_row(
    values: tuple[Any, ...], number: str, labels: dict[str, dict[str, str]]
) -> list[Any]:
    code, name, _masked, _cipher, gender, birth, ethnicity, education = values[:8]
    occupation, phone, org, group, joined, full, status, since = values[8:16]
    left, category, flags, cadre, note = values[16:]
    return [
        code,
        name,
        number,
        labels["gender"].get(gender, gender),
        birth,
        _ETHNICITY.get(ethnicity, ""),
        labels["education"].get(education, "") if education else "",
        occupation,
        phone,
        org,
        group or "",
        joined,
        full,
        labels["status"].get(status, status),
        since if status not in _REGULAR else None,
        labels["left_reason"].get(left, left) if left else "",
        labels["category"].get(category, category),
        "、".join(labels["flags"].get(f, f) for f in flags),
        "是" if cadre else "否",
        note or "",
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
    spells = StatusSpell.objects.filter(member__in=members)
    order = ("member__org__path", "member__code", "started_on", "pk")
    fields = ("member__code", "member__name", "status", "started_on", "ended_on", "reason", "note")
    statuses, reasons = (
        _labels(Status.choices),
        _labels(StatusSpell._meta.get_field("reason").choices),
    )
    for values in spells.order_by(*order).values_list(*fields).iterator(chunk_size=CHUNK):
        code, name, status, started, ended, reason, note = values
        yield _cells(
            STATUS_COLUMNS,
            {
                "member": code,
                "name": name,
                "status": statuses.get(status, status),
                "started_on": started,
                "ended_on": ended,
                "reason": reasons.get(reason, reason) if reason else "",
                "note": note,
            },
        )


def placement_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    places = Placement.objects.filter(member__in=members)
    order = ("member__org__path", "member__code", "started_on", "pk")
    fields = ("member__code", "member__name", "org__code", "started_on", "ended_on")
    for values in places.order_by(*order).values_list(*fields).iterator(chunk_size=CHUNK):
        code, name, org, started, ended = values
        yield _cells(
            PLACEMENT_COLUMNS,
            {"member": code, "name": name, "org": org, "started_on": started, "ended_on": ended},
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
    Export("members", "党员", write_members, count=lambda s: scoped_members(s).count()),
    Export(
        "status_history",
        "党籍状态历史",
        _writer("党籍状态历史", STATUS_COLUMNS, lambda s: status_history_rows(scoped_members(s))),
        count=lambda s: StatusSpell.objects.filter(member__in=scoped_members(s)).count(),
    ),
    Export(
        "placements",
        "组织关系历史",
        _writer("组织关系历史", PLACEMENT_COLUMNS, lambda s: placement_rows(scoped_members(s))),
        count=lambda s: Placement.objects.filter(member__in=scoped_members(s)).count(),
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
