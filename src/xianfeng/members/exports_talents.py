"""Exports of dual-lead members (MEM-03), skills and talent tags (MEM-04) and penalties in
the import sheets' columns (round trip, PLAT-03). Penalties are exported only for members
under orgs where the user is an admin or officer (the discipline page's audience)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Q, QuerySet

from xianfeng.accounts.models import Role
from xianfeng.accounts.scope import active_posts
from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_rows

from .exports import scoped_members
from .importers_talents import DISCIPLINE_COLUMNS, DUAL_LEAD_COLUMNS, TAG_COLUMNS
from .models import Discipline, DisciplineKind, DualLead, DualLeadType, Member, MemberTag, TagKind

CHUNK = 5000
WRITERS = (Role.ADMIN, Role.OFFICER)


def _labels(choices: Any) -> dict[str, str]:
    return {code: str(label) for code, label in choices}


def _text(columns: tuple[Any, ...]) -> list[int]:
    return [i for i, column in enumerate(columns) if column.text]


def dual_lead_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    types = _labels(DualLeadType.choices)
    rows = DualLead.objects.filter(member__in=members).order_by(
        "member__org__path", "member__code", "year"
    )
    fields = ("member__code", "member__name", "year", "type", "evidence", "recognized_on")
    for code, name, year, kind, evidence, day in rows.values_list(*fields).iterator(CHUNK):
        yield [code, name, year, types.get(kind, kind), evidence, day]


def tag_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    kinds = _labels(TagKind.choices)
    rows = MemberTag.objects.filter(member__in=members).order_by(
        "member__org__path", "member__code", "kind", "since", "tag"
    )
    fields = ("member__code", "member__name", "kind", "tag", "since", "until", "note")
    for code, name, kind, tag, since, until, note in rows.values_list(*fields).iterator(CHUNK):
        yield [code, name, kinds.get(kind, kind), tag, since, until, note]


def officer_members(scope: ExportScope) -> QuerySet[Member]:
    """The scope's members under an org where the user is an admin or officer."""
    members = scoped_members(scope)
    if scope.user is None or scope.user.is_superuser:
        return members
    query = Q(pk__in=[])
    for path, role in active_posts(scope.user):
        if role in WRITERS:
            query |= Q(org__path__startswith=path)
    return members.filter(query)


def discipline_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    kinds = _labels(DisciplineKind.choices)
    rows = Discipline.objects.filter(member__in=members).order_by(
        "member__org__path", "member__code", "decided_on", "pk"
    )
    fields = (
        "member__code",
        "member__name",
        "kind",
        "decided_on",
        "effective_until",
        "decided_by",
        "reason",
    )
    for values in rows.values_list(*fields).iterator(CHUNK):
        code, name, kind, decided, until, body, reason = values
        yield [code, name, kinds.get(kind, kind), decided, until, body, reason]


def _writer(title: str, columns: tuple[Any, ...], rows: Any) -> Any:
    headers = [column.label for column in columns]

    def write(target: Path | IO[bytes], scope: ExportScope) -> int:
        return write_rows(target, title, headers, rows(scope), _text(columns))

    return write


EXPORTS = (
    Export(
        "dual_leads",
        "“双带”型党员",
        _writer("双带型党员", DUAL_LEAD_COLUMNS, lambda s: dual_lead_rows(scoped_members(s))),
    ),
    Export(
        "member_tags",
        "党员技能和人才标签",
        _writer("党员标签", TAG_COLUMNS, lambda s: tag_rows(scoped_members(s))),
    ),
    Export(
        "disciplines",
        "党纪处分",
        _writer("党纪处分记录", DISCIPLINE_COLUMNS, lambda s: discipline_rows(officer_members(s))),
    ),
)
