"""A member's dues kind from a date and their declared monthly base (DUES-01): for a year
(`2025`), a quarter for the self-employed (`2025-Q1`), or from a month to the end of its
year (`2025-07`: a member retired in July declares the pension from July)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.lib.dates import today
from xianfeng.members.models import Member

from .. import ledger, periods
from ..models import Declaration, Due, DuesKind, KindSpell
from .common import parse_money, require_keep, save

_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{1,2}))?$")
PERIOD_FORMS = "2025（全年）、2025-Q1（个体经营等按季）或 2025-07（自该月起至年底）"


def ledger_years(member: Member, first: int) -> list[int]:
    """The years whose lines a change from `first` on alters: those from `first` on the
    ledger already keeps for the member, and this year. A kind recorded from the day the
    member joined, decades ago, recomputes the years kept, not invents the ledger of
    every year since (a year's lines come from the nightly refresh, the roster following,
    a payment of the year or a restored year, `follow.fill_years`)."""
    lines = Due.objects.filter(member=member, month__gte=dt.date(first, 1, 1))
    years = {day.year for day in lines.dates("month", "year")}
    if first <= today().year:
        years.add(today().year)
    return sorted(years)


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
