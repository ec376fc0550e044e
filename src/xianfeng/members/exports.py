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
from .models import Flag, Member, Status, StatusSpell

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


def write_members(target: Path | IO[bytes], scope: ExportScope) -> int:
    from .queries import members_for_user

    members = Member.objects.all() if scope.user is None else members_for_user(scope.user)
    if scope.org is not None:
        members = members.filter(org__path__startswith=scope.org.path)
    rows = member_rows(members, unmasked=scope.unmasked)
    return write_rows(target, "党员", HEADERS, rows, TEXT_COLUMNS)


EXPORTS = (Export("members", "党员", write_members),)
