"""A member's dues kind from a date and their declared monthly base (DUES-01)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.lib.dates import add_months, today
from xianfeng.members.models import Member

from .. import ledger
from ..models import Declaration, Due, DuesKind, KindSpell
from .common import parse_money, require_keep, save

_PERIOD = re.compile(r"^(\d{4})(-Q[1-4])?$")


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
    text = str(value or "").strip().upper()
    match = _PERIOD.match(text)
    if not match:
        raise ValidationError(
            {field: f"申报期间应写作 2025（全年）或 2025-Q1（季度），收到“{value}”"}
        )
    if int(match[1]) > today().year + 1:
        raise ValidationError({field: "不能申报明年以后的基数"})
    return text


def period_start(period: str) -> dt.date:
    year = int(period[:4])
    return (
        dt.date(year, 3 * (int(period[-1]) - 1) + 1, 1) if "-Q" in period else dt.date(year, 1, 1)
    )


def period_end(period: str) -> dt.date:
    """The first day of a declared period's last month."""
    return add_months(period_start(period), 2 if "-Q" in period else 11)


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
    """Record (or correct) a member's monthly base for a year or, for the self-employed,
    a quarter; the ledger's lines from then on are recomputed. A base is declared when a
    month of the period is worked out from one (the kind on each month's last day: a
    member admitted, retired or turned self-employed within the period declares for it)."""
    require_keep(by, member.org)
    period = parse_declared_period(period)
    base = parse_money(monthly_base, "monthly_base", "月缴费基数")
    declared_on = declared_on or today()
    if declared_on > today():
        raise ValidationError({"declared_on": "申报日期不能晚于今天"})
    kinds = ledger.kinds_during(member, period_start(period), period_end(period))
    if not set(kinds) & set(ledger.BASED_KINDS):
        label = DuesKind(kinds[0]).label
        raise ValidationError({"period": f"{label}党员按固定数额交纳党费，不需申报基数"})
    if "-Q" in period and DuesKind.SELF_EMPLOYED not in kinds:
        raise ValidationError(
            {"period": "按季度申报仅适用于个体经营等其他收入的党员，请按年度申报"}
        )
    found = Declaration.objects.filter(member=member, period=period).first()
    record = found or Declaration(member=member, period=period)
    record.monthly_base, record.declared_on, record.note = base, declared_on, note.strip()
    record.entered_by = by if getattr(by, "pk", None) else None
    save(record, by)
    ledger.refresh_member(member.pk, ledger_years(member, int(period[:4])))
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
