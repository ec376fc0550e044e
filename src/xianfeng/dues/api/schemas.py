"""The dues API's output schemas and the helpers that fill them from `dues.queries`
(amounts worked out from a declared base are null to whoever may not see bases)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Path, Schema

from ..domain.common import month_label
from ..models import Reduction
from ..queries.lines import Entry, Line
from ..queries.totals import Sums

MonthPath = Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", description="月份，如 2025-06")]
MonthText = Annotated[str, Field(pattern=r"^\d{4}-\d{1,2}$", description="月份，如 2025-06")]
Note = Annotated[str, Field("", max_length=200)]


class PaymentOut(Schema):
    id: int
    month: str
    kind: str = Field(description="dues 党费；extra 自愿多交；reversal 冲正")
    amount: Decimal | None = Field(description="无权查看基数时，按基数计算的金额为 null")
    paid_on: dt.date
    org: str
    note: str
    entered_by: str | None
    entered_at: dt.datetime
    reverses: int | None = Field(description="冲正的交纳记录 id")
    reversed_by: int | None = Field(description="冲正它的记录 id")


class LineOut(Schema):
    month: str
    org: str
    org_name: str
    kind: str
    kind_label: str
    base: Decimal | None = Field(description="月缴费基数（元）；无权查看时为 null")
    base_period: str
    rate: Decimal | None = Field(description="比例（%）")
    amount: Decimal | None = Field(description="应交（元）；尚未申报基数或无权查看时为 null")
    paid: Decimal | None
    outstanding: Decimal | None
    settled: bool
    status: str
    explanation: str = Field(description="应交金额的由来，如“基数5000.01元 × 1.5% = 75.00元”")
    reduction: int | None
    payments: list[PaymentOut] = []


class MonthLineOut(LineOut):
    member: str
    name: str


class DeclarationOut(Schema):
    period: str = Field(description="2025（全年）、2025-Q1（按季）或 2025-07（自该月起至年底）")
    period_name: str = Field(description="如“2025年”“2025年第1季度”“自2025年7月起”")
    monthly_base: Decimal
    declared_on: dt.date
    note: str


class LedgerOut(Schema):
    member: str
    name: str
    org: str | None
    year: int
    bases_visible: bool
    due: Decimal | None
    paid: Decimal | None
    outstanding: Decimal | None
    extra: Decimal
    lines: list[LineOut]
    extras: list[PaymentOut]
    declarations: list[DeclarationOut]
    years: list[int]


class OrgMonthOut(Schema):
    org: str
    month: str
    closed: bool
    closed_on: dt.date | None
    due: Decimal
    paid: Decimal
    outstanding: Decimal
    unsettled: int
    undeclared: int
    lines: list[MonthLineOut]


class SumsOut(Schema):
    due: Decimal
    paid: Decimal
    outstanding: Decimal
    undeclared: int = Field(description="尚未申报基数、应交金额待定的人次")
    in_arrears: int = Field(description="已结束月份中未交清的党员数")
    lines: int = Field(description="应交人次（某月：应交人数）")


class MonthSumsOut(SumsOut):
    month: str


class ChildSumsOut(SumsOut):
    org: str
    name: str


class TotalsOut(Schema):
    org: str
    year: int
    month: str | None = Field(description="下级组织汇总的月份；为 null 时为全年")
    months: list[MonthSumsOut]
    total: SumsOut
    children: list[ChildSumsOut]
    own: SumsOut | None = Field(description="本级直属党员（党支部）")


class ArrearsOut(Schema):
    member: str
    name: str
    org: str
    org_name: str
    months: list[str]
    count: int
    owed: Decimal | None
    level: str = Field(description="warning 预警；error 达到自行脱党月数")
    quarterly: bool


class ReductionOut(Schema):
    id: int
    member: str = Field(alias="member.code")
    member_name: str = Field(alias="member.name")
    proposed_by_org: str = Field(alias="proposed_by_org.code")
    first_month: str
    last_month: str
    monthly_amount: Decimal
    reason: str
    state: str
    proposed_on: dt.date
    decided_on: dt.date | None
    decision_note: str

    @staticmethod
    def resolve_first_month(reduction: Reduction) -> str:
        return month_label(reduction.first_month)

    @staticmethod
    def resolve_last_month(reduction: Reduction) -> str:
        return month_label(reduction.last_month)


def payment_out(payment: Any, shown: bool = True, reversed_by: int | None = None) -> dict:
    user = payment.entered_by if payment.entered_by_id else None
    return {
        "id": payment.pk,
        "month": month_label(payment.month),
        "kind": payment.kind,
        "amount": payment.amount if shown else None,
        "paid_on": payment.paid_on,
        "org": payment.org.code,
        "note": payment.note,
        "entered_by": user.username if user else None,
        "entered_at": payment.entered_at,
        "reverses": payment.reverses_id,
        "reversed_by": reversed_by,
    }


def entries_out(entries: list[Entry], shown: bool = True) -> list[dict]:
    """Each payment followed by the entry that reversed it."""
    found = []
    for entry in entries:
        reversal = entry.reversal
        found.append(payment_out(entry.payment, shown, reversal.pk if reversal else None))
        if reversal is not None:
            found.append(payment_out(reversal, shown))
    return found


def line_out(line: Line) -> dict:
    due = line.due
    return {
        "month": line.month,
        "org": due.org.code,
        "org_name": due.org.name,
        "kind": due.kind,
        "kind_label": line.kind_label,
        "base": line.base,
        "base_period": due.base_period if line.visible else "",
        "rate": line.rate,
        "amount": line.amount,
        "paid": line.paid,
        "outstanding": line.outstanding,
        "settled": due.settled,
        "status": line.status,
        "explanation": line.explanation,
        "reduction": due.reduction_id,
        "payments": entries_out(line.payments, line.money_shown),
    }


def sums_out(sums: Sums, **extra: Any) -> dict:
    return {**sums.__dict__, **extra}
