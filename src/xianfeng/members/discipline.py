"""Party disciplinary penalties (党纪处分): recording, correcting, listing, and the public
question whether members are under a penalty in effect on a day (an introducer may not be,
national rule on member development).

A penalty is in effect from `decided_on` until `effective_until` (exclusive); expulsion
(开除党籍) has no end. Recording an expulsion does not change the member's status: that is
`members.domain.set_member_status` (出党, reason 开除党籍), a separate step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from xianfeng.lib.dates import today

from .models import Discipline, DisciplineKind, Member
from .talents import check_member_in_scope

FIELDS = ("kind", "decided_on", "effective_until", "decided_by", "reason")
FEW = 5000  # member ids named in one query at most


def _check(record: Discipline) -> None:
    if record.decided_on > today():
        raise ValidationError({"decided_on": "处分决定日期不能晚于今天"})
    if record.kind == DisciplineKind.EXPULSION:
        if record.effective_until is not None:
            raise ValidationError({"effective_until": "开除党籍没有影响期，截止日期须留空"})
        return
    if record.effective_until is None:
        label = DisciplineKind(record.kind).label if record.kind in DisciplineKind.values else ""
        raise ValidationError({"effective_until": f"{label}须填写影响期截止日期"})
    if record.effective_until <= record.decided_on:
        raise ValidationError({"effective_until": "影响期截止日期须晚于处分决定日期"})


def _save(record: Discipline, by: Any, **options: Any) -> None:
    record.reason, record.decided_by = record.reason.strip(), record.decided_by.strip()
    record.full_clean()
    _check(record)
    record._history_user = by  # type: ignore[attr-defined]
    record.save(**options)


@transaction.atomic
def record_discipline(
    *,
    member: Member,
    kind: str,
    decided_on: dt.date,
    by: Any,
    effective_until: dt.date | None = None,
    decided_by: str = "",
    reason: str = "",
) -> Discipline:
    """Record a penalty decided on `member`. `effective_until` (the end of its period of
    effect, exclusive) is required except for expulsion, which has none; recording an
    expulsion leaves the member's status as it is (set it separately)."""
    check_member_in_scope(member, by)
    record = Discipline(
        member=member,
        kind=kind,
        decided_on=decided_on,
        effective_until=effective_until,
        decided_by=decided_by,
        reason=reason,
    )
    _save(record, by)
    return record


@transaction.atomic
def correct_discipline(*, discipline: Discipline, by: Any, **changes: Any) -> Discipline:
    """Correct a recorded penalty (kind, dates, deciding body, grounds)."""
    check_member_in_scope(discipline.member, by)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(discipline, field, value)
    _save(discipline, by, update_fields=list(changes))
    return discipline


def disciplines_of(member: Member) -> QuerySet[Discipline]:
    return member.disciplines.order_by("-decided_on", "-pk")


def in_effect_q(day: dt.date, kinds: Iterable[str] | None = None, prefix: str = "") -> Q:
    """A Discipline (through `prefix`, e.g. "disciplines__") in effect on `day`:
    decided on or before it and not yet ended (open = in effect); of `kinds` when given."""
    query = Q(**{f"{prefix}decided_on__lte": day}) & (
        Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gt": day})
    )
    if kinds is not None:
        query &= Q(**{f"{prefix}kind__in": list(kinds)})
    return query


def under_penalty(
    member_ids: Iterable[int], day: dt.date, kinds: Iterable[str] | None = None
) -> set[int]:
    """Which of `member_ids` are under a penalty (of `kinds`) in effect on `day`."""
    ids = sorted(set(member_ids))
    kinds = None if kinds is None else list(kinds)
    found: set[int] = set()
    for start in range(0, len(ids), FEW):
        rows = Discipline.objects.filter(
            in_effect_q(day, kinds), member_id__in=ids[start : start + FEW]
        )
        found |= set(rows.values_list("member_id", flat=True))
    return found


def is_in_effect(discipline: Discipline, day: dt.date) -> bool:
    until = discipline.effective_until
    return discipline.decided_on <= day and (until is None or until > day)
