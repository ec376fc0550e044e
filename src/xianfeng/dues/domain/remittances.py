"""What an org hands up to the higher committee (党费上缴, DUES-01): one record per period,
a period never recorded twice nor overlapping another of the same org."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xianfeng.lib.dates import Period, parse_period, today
from xianfeng.orgs.models import Org

from ..models import Remittance
from .common import actor, parse_money, require_keep, save


def period_name(period: Period) -> str:
    """2025 → 2025年, 2025-Q1 → 2025年第1季度, 2025-H1 → 2025年上半年, 2025-06 → 2025年6月."""
    label, year = period.label, period.start.year
    if "-Q" in label:
        return f"{year}年第{label[-1]}季度"
    if "-H" in label:
        return f"{year}年{'上' if label.endswith('1') else '下'}半年"
    if "-" in label:
        return f"{year}年{period.start.month}月"
    return f"{year}年"


def parse_remittance_period(value: Any, field: str = "period") -> Period:
    try:
        return parse_period(str(value or "").strip().upper())
    except ValueError as error:
        raise ValidationError({field: str(error)}) from None


def overlapping(org: Org, period: Period) -> Remittance | None:
    """A remittance of `org` whose period shares a month with `period`."""
    for found in Remittance.objects.filter(org=org, period__startswith=period.label[:4]):
        other = parse_period(found.period)
        if other.start < period.end and period.start < other.end:
            return found
    return None


@transaction.atomic
def record_remittance(
    *,
    org: Org,
    period: Any,
    amount: Any,
    remitted_on: dt.date | None = None,
    note: str = "",
    by: Any = None,
) -> Remittance:
    """Record what `org` handed up for `period` (2025, 2025-H1, 2025-Q1 or 2025-06) on
    `remitted_on` (today when left out). Refused: a period already recorded or overlapping
    one recorded (一个期间只登记一次), a day in the future or before the period begins, an
    amount that is not a positive sum in yuan with at most two decimals."""
    require_keep(by, org)
    parsed = parse_remittance_period(period)
    value = parse_money(amount, "amount", "上缴金额", allow_zero=False)
    remitted_on = remitted_on or today()
    if remitted_on > today():
        raise ValidationError({"remitted_on": "上缴日期不能晚于今天"})
    if remitted_on < parsed.start:
        raise ValidationError(
            {"remitted_on": f"上缴日期不能早于{period_name(parsed)}开始（{parsed.start}）"}
        )
    found = overlapping(org, parsed)
    if found is not None:
        other = period_name(parse_period(found.period))
        raise ValidationError(
            {"period": f"{org.name}{other}的党费上缴已于{found.remitted_on}登记，不能重复登记"}
        )
    return save(
        Remittance(
            org=org,
            period=parsed.label,
            amount=value,
            remitted_on=remitted_on,
            note=note.strip(),
            entered_by=actor(by),
        ),
        by,
    )
