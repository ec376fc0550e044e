"""A ledger line explained (DUES-01: why that amount — the bracket and the base) and a
member's year: each month's line with its payments and their reversals, the voluntary
extra payments, declarations, dues kinds, reductions and quarterly arrangements.

Declared bases are personal data: a line is shown with `visible` False to whoever may not
see them (`permissions.may_see_bases`), and then its base, rate and the amounts worked out
from the base read "—"; fixed amounts (farmers, students …) are not worked out from a base.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Min
from django.utils.translation import gettext as _

from xianfeng.lib.dates import today
from xianfeng.members.models import Member

from .. import periods
from ..domain.common import month_label
from ..ledger import default_kind, quarter_of
from ..models import (
    BASED_KINDS,
    Arrangement,
    Declaration,
    Due,
    DuesKind,
    KindSpell,
    Payment,
    PaymentKind,
    Reduction,
)

ZERO = Decimal("0.00")


def percent(rate: Decimal) -> str:
    """1.50 → "1.5", 2.00 → "2" (the rate as the regulation writes it)."""
    text = f"{rate:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def is_based(due: Due) -> bool:
    return due.kind in BASED_KINDS


def explain(due: Due, visible: bool = True) -> str:
    """Why a line owes what it owes, in one Chinese sentence."""
    if due.reduction_id is not None:
        if due.amount == 0:
            return _("经上级党委批准免交")
        return _("经上级党委批准减免：每月应交{amount}元").format(amount=due.amount)
    if is_based(due) and not visible:
        return "—"
    if due.amount is None:
        return _("尚未申报缴费基数，应交金额待定")
    if due.kind == DuesKind.FARMER:
        return _("农民党员每月交纳{amount}元（支部确定）").format(amount=due.amount)
    if due.kind == DuesKind.MINIMUM:
        return _("每月交纳{amount}元（{kind}）").format(
            amount=due.amount, kind=DuesKind(due.kind).label
        )
    text = _("基数{base}元 × {rate}% = {amount}元").format(
        base=due.base, rate=percent(due.rate or ZERO), amount=due.amount
    )
    return text + _base_source(due)


def _base_source(due: Due) -> str:
    """Where a line's base comes from, when not simply its year's or quarter's declaration."""
    period = due.base_period
    if not period or period in (str(due.month.year), quarter_of(due.month)):
        return ""
    if periods.is_month(period) and period[:4] == str(due.month.year):
        return _("（{period}申报的基数）").format(period=periods.name(period))
    return _("（沿用{period}申报的基数）").format(period=periods.name(period))


def status_of(due: Due, day: dt.date | None = None) -> tuple[str, str]:
    """(label, Bootstrap colour) of a line's state on `day`."""
    this_month = (day or today()).replace(day=1)
    if due.settled:
        if due.amount == 0:
            return _("免交"), "secondary"
        return _("已交清"), "success"
    if due.paid > 0:
        return _("部分交纳"), "warning"
    if due.month > this_month:
        return _("未到期"), "light"
    if due.month == this_month:
        return _("待交"), "info"
    return _("欠交"), "danger"


def outstanding(due: Due) -> Decimal | None:
    """What is still to pay on a line (None: no base declared yet)."""
    return None if due.amount is None else max(due.amount - due.paid, ZERO)


@dataclass
class Line:
    """A ledger line as a page or the API shows it."""

    due: Due
    visible: bool
    explanation: str
    status: str
    colour: str
    payments: list[Entry] = field(default_factory=list)

    url: str = ""  # the member's dues page, where a list sets it

    @property
    def month(self) -> str:
        return month_label(self.due.month)

    @property
    def kind_label(self) -> str:
        return str(DuesKind(self.due.kind).label)

    @property
    def money_shown(self) -> bool:
        """Amounts not worked out from a base: fixed ones and approved reductions."""
        return self.visible or not is_based(self.due) or self.due.reduction_id is not None

    @property
    def base(self) -> Decimal | None:
        return self.due.base if self.visible else None

    @property
    def rate(self) -> Decimal | None:
        return self.due.rate if self.visible else None

    @property
    def amount(self) -> Decimal | None:
        return self.due.amount if self.money_shown else None

    @property
    def paid(self) -> Decimal | None:
        return self.due.paid if self.money_shown else None

    @property
    def outstanding(self) -> Decimal | None:
        return outstanding(self.due) if self.money_shown else None


@dataclass
class Entry:
    """A payment (or an extra payment) with the entry that reversed it, if any."""

    payment: Payment
    reversal: Payment | None = None


def line_of(due: Due, visible: bool = True, day: dt.date | None = None) -> Line:
    label, colour = status_of(due, day)
    return Line(due, visible, explain(due, visible), str(label), colour)


@dataclass
class MemberYear:
    """A member's dues for a year."""

    member: Member
    year: int
    visible: bool
    lines: list[Line]
    extras: list[Entry]
    years: list[int]
    declarations: list[Declaration]
    kinds: list[KindSpell]
    reductions: list[Reduction]
    arrangements: list[Arrangement]
    declare_from: str = ""  # a kind changed mid-year: the month to declare the new base from

    @property
    def due(self) -> Decimal | None:
        return _sum(line.amount for line in self.lines)

    @property
    def paid(self) -> Decimal | None:
        return _sum(line.paid for line in self.lines)

    @property
    def outstanding(self) -> Decimal | None:
        return _sum(line.outstanding for line in self.lines)

    @property
    def declare_from_name(self) -> str:
        return periods.name(self.declare_from)

    @property
    def extra(self) -> Decimal:
        return sum((e.payment.amount for e in self.extras if e.reversal is None), ZERO)


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of the amounts shown (None when some are hidden or not yet known)."""
    found = list(values)
    known = [value for value in found if value is not None]
    return sum(known, ZERO) if len(known) == len(found) else None


def _entries(member: Member, year: int) -> tuple[dict[dt.date, list[Entry]], list[Entry]]:
    """The year's payments by month and the extra payments, each with its reversal."""
    rows = Payment.objects.filter(member=member, month__year=year)
    rows = rows.select_related("entered_by", "org")
    payments = list(rows.order_by("month", "pk"))
    reversals = {p.reverses_id: p for p in payments if p.kind == PaymentKind.REVERSAL}
    by_month: dict[dt.date, list[Entry]] = defaultdict(list)
    extras: list[Entry] = []
    for payment in payments:
        if payment.kind == PaymentKind.REVERSAL:
            continue
        entry = Entry(payment, reversals.get(payment.pk))
        (extras if payment.kind == PaymentKind.EXTRA else by_month[payment.month]).append(entry)
    return by_month, extras


def ledger_span() -> tuple[int, int]:
    """The first and last years the ledger holds lines for, this year and the last full
    one included (the yearly disclosure is of the year just ended, lines or not; two
    look-ups of the month index)."""
    found = Due.objects.aggregate(first=Min("month"), last=Max("month"))
    this = today().year
    first, last = found["first"], found["last"]
    return (
        min(first.year, this - 1) if first else this - 1,
        max(last.year, this) if last else this,
    )


def ledger_years(member: Member) -> list[int]:
    """The years with lines of the member, and this year."""
    years = Due.objects.filter(member=member).dates("month", "year")
    return sorted({day.year for day in years} | {today().year}, reverse=True)


def member_year(member: Member, year: int, *, visible: bool) -> MemberYear:
    """A member's year: each month's line explained with its payments and reversals."""
    dues = Due.objects.filter(member=member, month__year=year).select_related("org")
    dues = dues.order_by("month")
    by_month, extras = _entries(member, year)
    lines = []
    for due in dues:
        line = line_of(due, visible)
        line.payments = by_month.get(due.month, [])
        lines.append(line)
    declarations = list(member.dues_declarations.order_by("-period")) if visible else []
    for declaration in declarations:
        declaration.period_name = periods.name(declaration.period)  # type: ignore[attr-defined]
    kinds = list(member.dues_kinds.order_by("-started_on"))
    return MemberYear(
        member=member,
        year=year,
        visible=visible,
        lines=lines,
        extras=extras,
        years=ledger_years(member),
        declarations=declarations,
        kinds=kinds,
        reductions=list(member.dues_reductions.order_by("-first_month")),
        arrangements=list(member.dues_arrangements.order_by("-first_month")),
        declare_from=declare_from(member, year, kinds, declarations) if visible else "",
    )


def declare_from(
    member: Member, year: int, kinds: list[KindSpell], declarations: list[Declaration]
) -> str:
    """The month (`2026-07`) from which a base is still to be declared: that of the
    latest change within `year`, after January, to a kind paying from a base, unless a
    base was declared from then on (a retirement in July: the pension from July). ""
    when there is none."""
    found, previous = "", default_kind(member.category)
    for spell in sorted(kinds, key=lambda spell: spell.started_on):
        day, changed = spell.started_on, spell.kind != previous
        if day.year == year and day.month > 1 and changed and spell.kind in BASED_KINDS:
            found = periods.month_period(day)
        previous = spell.kind
    if found and any(_declares_from(d.period, found) for d in declarations):
        return ""
    return found


def _declares_from(period: str, month: str) -> bool:
    """A declaration giving a base from `month` on: one of a month from then on in its
    year, or a quarter of its year ending then or later."""
    if period[:4] != month[:4] or periods.shape(period) == periods.YEAR:
        return False
    if periods.is_month(period):
        return period >= month
    return periods.last_month(period) >= periods.start(month)
