"""A member's dues kind from a date and their declared monthly base (DUES-01): for a year
(`2025`), a quarter for the self-employed (`2025-Q1`), or from a month to the end of its
year (`2025-07`: a member retired in July declares the pension from July)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.functions import ExtractYear
from django.utils import timezone

from xianfeng.core.history import history_reason, history_user
from xianfeng.lib import bulk
from xianfeng.lib.dates import today
from xianfeng.members.models import Member

from .. import ledger, periods
from ..models import Declaration, Due, DuesKind, KindSpell
from .common import Refused, actor, parse_money, require_keep, save

_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{1,2}))?$")
PERIOD_FORMS = "2025（全年）、2025-Q1（个体经营等按季）或 2025-07（自该月起至年底）"


def ledger_years(member: Member, first: int) -> list[int]:
    """The years whose lines a change from `first` on alters: those from `first` on the
    ledger already keeps for the member, and this year. A kind recorded from the day the
    member joined, decades ago, recomputes the years kept, not invents the ledger of
    every year since (a year's lines come from the nightly refresh, the roster following,
    a payment of the year or a restored year, `follow.fill_years`)."""
    return sorted(ledger_years_of({member.pk: first}))


def parse_declared_period(value: Any, field: str = "period") -> str:
    """A declared period as stored: `2025`, `2025-Q1` or `2025-07` (`2025-7` too)."""
    text = str(value or "").strip().upper()
    match = _PERIOD.match(text)
    if not match:
        raise ValidationError({field: f"申报期间应写作 {PERIOD_FORMS}，收到“{value}”"})
    year, part = match[1], match[2]
    if part is not None and not part.startswith("Q"):
        if not 1 <= int(part) <= 12:
            raise ValidationError({field: f"申报期间的月份应为 01–12，收到“{value}”"})
        part = f"{int(part):02d}"
    if int(year) > today().year + 1:
        raise ValidationError({field: "不能申报明年以后的基数"})
    return f"{year}-{part}" if part else year


@dataclass(frozen=True)
class Checked:
    """A declaration as it is to be stored."""

    period: str
    monthly_base: Decimal
    declared_on: dt.date
    note: str


def check_declaration(
    *,
    member: Member,
    period: Any,
    monthly_base: Any,
    declared_on: dt.date | None,
    note: str,
    spells: list[tuple[dt.date, str]],
) -> Checked:
    """Every check of a declaration, given the member's dues kinds (`ledger.kind_spells`).
    A base is declared when a month of the period is worked out from one (the kind on each
    month's last day: a member admitted, retired or turned self-employed within the period
    declares for it); a quarter only for the self-employed; a month from the month the
    member joined on."""
    period = parse_declared_period(period)
    base = parse_money(monthly_base, "monthly_base", "月缴费基数")
    declared_on = declared_on or today()
    if declared_on > today():
        raise ValidationError({"declared_on": "申报日期不能晚于今天"})
    first = periods.start(period)
    joined = member.joined_on.replace(day=1)
    if periods.is_month(period) and first < joined:
        raise ValidationError(
            {"period": f"申报起始月份不能早于入党的月份（{joined.year}年{joined.month}月）"}
        )
    kinds = ledger.kinds_between(spells, member.category, first, periods.last_month(period))
    if not set(kinds) & set(ledger.BASED_KINDS):
        label = DuesKind(kinds[0]).label
        raise ValidationError({"period": f"{label}党员按固定数额交纳党费，不需申报基数"})
    if periods.shape(period) == periods.QUARTER and DuesKind.SELF_EMPLOYED not in kinds:
        raise ValidationError(
            {"period": "按季度申报仅适用于个体经营等其他收入的党员，请按年度或自某月起申报"}
        )
    limit = Declaration._meta.get_field("note").max_length or 0
    if len(note.strip()) > limit:
        raise ValidationError({"note": f"说明最多{limit}字"})
    return Checked(period, base, declared_on, note.strip())


@transaction.atomic
def declare_base(
    *,
    member: Member,
    period: str,
    monthly_base: Any,
    declared_on: dt.date | None = None,
    note: str = "",
    by: Any = None,
) -> Declaration:
    """Record (or correct) a member's monthly base for a year, for the self-employed a
    quarter, or from a month to the end of its year (a retirement, a lost job: the new
    base from that month; a later month's declaration takes over from its month). Checked
    by `check_declaration`; the ledger's lines from the period's year on are recomputed."""
    require_keep(by, member.org)
    spells = ledger.kind_spells([member.pk]).get(member.pk, [])
    checked = check_declaration(
        member=member,
        period=period,
        monthly_base=monthly_base,
        declared_on=declared_on,
        note=note,
        spells=spells,
    )
    found = Declaration.objects.filter(member=member, period=checked.period).first()
    record = found or Declaration(member=member, period=checked.period)
    record.monthly_base, record.declared_on = checked.monthly_base, checked.declared_on
    record.note = checked.note
    record.entered_by = by if getattr(by, "pk", None) else None
    save(record, by)
    ledger.refresh_member(member.pk, ledger_years(member, int(checked.period[:4])))
    return record


@dataclass(eq=False)
class Declared:
    """One base to declare among many (`declare_bases`): `declare_base`'s arguments."""

    member: Member
    period: Any
    monthly_base: Any
    declared_on: dt.date | None = None
    note: str = ""


COLUMNS = tuple(bulk.column_names(Declaration))
HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
CHUNK = 5000  # members read at a time


@transaction.atomic
def declare_bases(*, declarations: Sequence[Declared], by: Any = None) -> list[Declaration]:
    """Many declarations at once (an import), each checked as `declare_base` checks it:
    the members' dues kinds and stored declarations read in one query per chunk of
    members, the new ones inserted and the changed ones updated in one statement each,
    with their history rows ("+" and "~", the actor and channel as `save` records them),
    then the lines of the years each change alters recomputed set-wise, one refresh per
    year (noted only inside `ledger.collecting`). All or nothing: `Refused` names every
    declaration refused, by its position."""
    if not declarations:
        return []
    members = sorted({d.member.pk for d in declarations})
    spells: dict[int, list[tuple[dt.date, str]]] = {}
    for start in range(0, len(members), CHUNK):
        spells |= ledger.kind_spells(members[start : start + CHUNK])
    checked = _check_all(declarations, spells, by)
    stored = _stored(members, {c.period for c in checked})
    now = timezone.now()
    saved = []
    for d, c in zip(declarations, checked, strict=True):
        pk, entered_at = stored.get((d.member.pk, c.period), (None, now))
        record = Declaration(pk=pk, member=d.member, period=c.period, entered_at=entered_at)
        record.monthly_base, record.declared_on, record.note = c.monthly_base, c.declared_on, c.note
        record.entered_by = actor(by)
        saved.append(record)
    _write(saved, now, _history_user(by))
    firsts: dict[int, int] = {}
    for record in saved:
        year = int(record.period[:4])
        firsts[record.member_id] = min(year, firsts.get(record.member_id, year))
    ledger.refresh_years(ledger_years_of(firsts))
    return saved


def _check_all(
    declarations: Sequence[Declared], spells: dict[int, list[tuple[dt.date, str]]], by: Any
) -> list[Checked]:
    found: list[Checked] = []
    errors: list[tuple[int, ValidationError | PermissionDenied]] = []
    seen: set[tuple[int, str]] = set()
    for number, d in enumerate(declarations):
        try:
            require_keep(by, d.member.org)
            one = check_declaration(
                member=d.member,
                period=d.period,
                monthly_base=d.monthly_base,
                declared_on=d.declared_on,
                note=d.note,
                spells=spells.get(d.member.pk, []),
            )
            if (d.member.pk, one.period) in seen:
                raise ValidationError({"period": "同一党员同一申报期间只能申报一次"})
            seen.add((d.member.pk, one.period))
            found.append(one)
        except (ValidationError, PermissionDenied) as error:
            errors.append((number, error))
    if errors:
        raise Refused(errors)
    return found


def _stored(members: list[int], wanted: set[str]) -> dict[tuple[int, str], tuple[int, Any]]:
    """{(member, period): (id, entered at)} of the stored declarations of the periods."""
    found: dict[tuple[int, str], tuple[int, Any]] = {}
    for start in range(0, len(members), CHUNK):
        rows = Declaration.objects.filter(
            member_id__in=members[start : start + CHUNK], period__in=sorted(wanted)
        )
        for pk, member, period, entered_at in rows.order_by().values_list(
            "pk", "member_id", "period", "entered_at"
        ):
            found[(member, period)] = (pk, entered_at)
    return found


def _history_user(by: Any) -> int | None:
    """The history's actor as `save` records it: `by`, else the one acting (the command
    line run as a user)."""
    return getattr(actor(by) or history_user(), "pk", None)


def _write(records: list[Declaration], now: dt.datetime, user: int | None) -> None:
    """Insert the new records (ids reserved) and update the stored ones, one statement
    each, and all their history rows in one more."""
    kinds = ["~" if record.pk else "+" for record in records]
    new = [record for record, kind in zip(records, kinds, strict=True) if kind == "+"]
    for pk, record in zip(bulk.reserve_ids(Declaration, len(new)), new, strict=True):
        record.pk = pk
    rows = [[getattr(r, f.attname) for f in Declaration._meta.concrete_fields] for r in records]
    table = Declaration._meta.db_table
    inserted = (row for row, kind in zip(rows, kinds, strict=True) if kind == "+")
    bulk.insert_rows(table, COLUMNS, inserted)
    changed = [
        (r.monthly_base, r.declared_on, r.note, r.entered_by_id, r.pk)
        for r, kind in zip(records, kinds, strict=True)
        if kind == "~"
    ]
    if changed:
        sql = (
            f"UPDATE {connection.ops.quote_name(table)} SET monthly_base = %s, "  # noqa: S608
            "declared_on = %s, note = %s, entered_by_id = %s WHERE id = %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, changed)
    history = Declaration.history.model._meta.db_table  # type: ignore[attr-defined]
    reason = history_reason()
    tailed = (row + [now, reason, kind, user] for row, kind in zip(rows, kinds, strict=True))
    bulk.insert_rows(history, COLUMNS + HISTORY_COLUMNS, tailed)


def ledger_years_of(firsts: dict[int, int]) -> ledger.Pending:
    """`ledger_years` of many members at once, {member: first year} given: {year: members
    whose lines that year a change from their first year on alters} (one read per chunk
    of members)."""
    pending: ledger.Pending = {}
    members = sorted(firsts)
    if not members:
        return pending
    first = dt.date(min(firsts.values()), 1, 1)
    for start in range(0, len(members), CHUNK):
        lines = Due.objects.filter(member_id__in=members[start : start + CHUNK], month__gte=first)
        rows = lines.annotate(year=ExtractYear("month")).order_by().values_list("member_id", "year")
        for member, year in rows.distinct():
            if year >= firsts[member]:
                pending.setdefault(year, set()).add(member)
    this = today().year
    for member, year in firsts.items():
        if year <= this:
            pending.setdefault(this, set()).add(member)
    return pending


@transaction.atomic
def set_dues_kind(
    *, member: Member, kind: str, started_on: dt.date, note: str = "", by: Any = None
) -> KindSpell:
    """A member's dues kind from `started_on` (retirement, unemployment, …)."""
    require_keep(by, member.org)
    if kind not in DuesKind.values:
        raise ValidationError({"kind": f"未知的党费类别“{kind}”"})
    if started_on is None:
        raise ValidationError({"started_on": "请填写起始日期"})
    if started_on < member.joined_on:
        raise ValidationError({"started_on": "起始日期不能早于入党日期"})
    found = KindSpell.objects.filter(member=member, started_on=started_on).first()
    record = found or KindSpell(member=member, started_on=started_on)
    record.kind, record.note = kind, note.strip()
    record.entered_by = by if getattr(by, "pk", None) else None
    save(record, by)
    ledger.refresh_member(member.pk, ledger_years(member, started_on.year))
    return record
