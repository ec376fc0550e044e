"""Labels of the evidence the dues rules emit (the table is in compliance/evidence.py):
months not closed and bases not declared (DUES-01), consecutive unpaid months (DUES-02).
Members are named by orglife's `member` loader; money, periods and counts by the common
formatters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.evidence import Label, Ref, count, money, periods

MONTHS = count(_("个月"))
DAYS = count(_("日"))

LABELS = {
    # DUES-01 the branch's collection
    "unclosed_months": Label(_("逾期未结账的月份"), periods),
    "late_closed_months": Label(_("逾期才结账的月份"), periods),
    "close_days_after": Label(_("结账期限（次月几日前）"), DAYS),
    "undeclared_members": Label(_("未申报本年党费基数的党员"), Ref("member")),
    "declaration_due_month": Label(_("基数申报截止月份"), count(_("月"))),
    # DUES-02 arrears
    "unpaid_months": Label(_("未交纳党费的月份"), periods),
    "months_unpaid": Label(_("连续未交月数"), MONTHS),
    "owed_total": Label(_("欠交金额"), money),
    "warning_months": Label(_("预警月数"), MONTHS),
    "lapse_months": Label(_("视为自行脱党的月数"), MONTHS),
}
NAMES: dict[str, Any] = {}
TERMS: dict[str, Any] = {}
