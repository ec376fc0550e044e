"""The yearly disclosure of an org's dues to its members (党费收缴情况公开, DUES-01): how
many members owed dues, what was due and paid month by month, the voluntary extra dues
and what was handed up to the higher committee. Figures of the org's subtree (for a
branch: the branch), read in a few aggregate queries; no member's own amount appears."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org

from .models import Due, Payment, PaymentKind, Remittance

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    members: int  # members who owed dues that month
    settled: int  # of them, paid up
    due: Decimal  # a month without a declared base counts nothing
    paid: Decimal


@dataclass(frozen=True)
class RemittanceLine:
    period: str
    amount: Decimal
    remitted_on: dt.date


@dataclass(frozen=True)
class Disclosure:
    """An org's dues of a year up to `as_of` (months not yet begun owe nothing yet)."""

    org: Org
    year: int
    as_of: dt.date
    members: int
    due: Decimal
    paid: Decimal
    owing: Decimal
    in_arrears: int  # members with a month due and not paid up
    extra: Decimal  # voluntary extra dues (自愿多交党费), net of reversals
    remitted: Decimal
    months: list[MonthFigures]
    remittances: list[RemittanceLine]


def disclosure(org: Org, year: int, *, as_of: dt.date | None = None) -> Disclosure:
    """The year's figures of `org`'s subtree as of `as_of` (today, or the year's end)."""
    as_of = min(as_of or today(), dt.date(year, 12, 31))
    lines = Due.objects.filter(
        org__path__startswith=org.path,
        month__gte=dt.date(year, 1, 1),
        month__lte=as_of.replace(day=1),
    )
    months = _months(lines)
    owing = lines.filter(amount__isnull=False, settled=False)  # unsettled: paid < amount
    owed = owing.aggregate(total=Sum(F("amount") - F("paid")))["total"] or ZERO
    remittances = _remittances(org, year)
    return Disclosure(
        org=org,
        year=year,
        as_of=as_of,
        members=lines.values("member_id").distinct().count(),
        due=sum((m.due for m in months), ZERO),
        paid=sum((m.paid for m in months), ZERO),
        owing=owed,
        in_arrears=owing.values("member_id").distinct().count(),
        extra=_extra(org, year, as_of),
        remitted=sum((r.amount for r in remittances), ZERO),
        months=months,
        remittances=remittances,
    )


def _months(lines: object) -> list[MonthFigures]:
    rows = (
        lines.values("month")  # type: ignore[attr-defined]
        .annotate(
            members=Count("member_id"),
            settled_count=Count("pk", filter=Q(settled=True)),
            due=Sum("amount"),
            paid=Sum("paid"),
        )
        .order_by("month")
    )
    return [
        MonthFigures(
            row["month"], row["members"], row["settled_count"], row["due"] or ZERO, row["paid"]
        )
        for row in rows
    ]


def _extra(org: Org, year: int, as_of: dt.date) -> Decimal:
    """Extra payments of the year and the reversals that undid any of them."""
    found = Payment.objects.filter(
        org__path__startswith=org.path,
        paid_on__gte=dt.date(year, 1, 1),
        paid_on__lte=as_of,
    ).filter(Q(kind=PaymentKind.EXTRA) | Q(reverses__kind=PaymentKind.EXTRA))
    return found.aggregate(total=Sum("amount"))["total"] or ZERO


def _remittances(org: Org, year: int) -> list[RemittanceLine]:
    rows = Remittance.objects.filter(org=org, period__startswith=str(year)).order_by(
        "remitted_on", "period"
    )
    return [
        RemittanceLine(period, amount, day)
        for period, amount, day in rows.values_list("period", "amount", "remitted_on")
    ]
