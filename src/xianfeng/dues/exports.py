"""What dues exports (PLAT-03 with DUES-01), listed in settings.EXPORTS in import order,
each in its import sheet's columns so that it re-imports as it is:

- 党费类别, 党费基数申报, 党费减免, 按季交纳, 党费交纳记录, 党费结账, 党费上缴: the
  members' kinds, declared bases, reductions (with their decision) and quarterly
  arrangements, every ledger entry (payments, reversing entries, voluntary extra
  payments, each with the org it was booked to and its 录入时间, so that it is restored
  as it was entered), the closed months and the remittances (`exports_records`) —
  exported, emptied and imported again they give the same ledger;
- 党费台账: the layout treasurers file, one row per member and year with 1月 … 12月 paid,
  应交合计, 已交合计 and 欠交 (re-imported it only checks, see `importers_ledger`).

A member's records go with the member (the ledger moves with a transfer): an export holds
the members whose org is in its scope. Declared bases are personal data: shown only to
the command line and to users with the identifier right, "***" to everyone else. Rows are
read as `values_list` with the names joined, streamed in chunks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.db.models.functions import ExtractYear

from xianfeng.accounts.importers import moment_text
from xianfeng.accounts.permissions import can_view_identifiers
from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org

from .exports_records import (
    count_arrangements,
    count_closes,
    count_reductions,
    count_remittances,
    month_label,
    of_members,
    write_arrangements,
    write_closes,
    write_reductions,
    write_remittances,
)
from .importers import DeclarationImporter, KindImporter, PaymentImporter
from .importers_columns import MASKED
from .importers_ledger import LedgerImporter
from .models import Declaration, Due, DuesKind, KindSpell, Payment, PaymentKind

CHUNK = 5000
ZERO = Decimal("0.00")
_BY_MEMBER = ("member__org__path", "member__code")


def shows_bases(scope: ExportScope) -> bool:
    """Declared bases in full: the command line and users with the identifier right."""
    return scope.user is None or bool(can_view_identifiers(scope.user))


_of = of_members


# --------------------------------------------------------------------------- rows


def kind_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    labels = {code: str(label) for code, label in DuesKind.choices}
    rows = _of(KindSpell, orgs).order_by(*_BY_MEMBER, "started_on")
    fields = ("member__code", "member__name", "kind", "started_on", "note")
    for code, name, kind, started_on, note in rows.values_list(*fields).iterator(CHUNK):
        yield {
            "member": code,
            "name": name,
            "kind": labels[kind],
            "started_on": started_on,
            "note": note,
        }


def declaration_rows(orgs: QuerySet[Org], *, bases: bool) -> Iterator[dict[str, Any]]:
    rows = _of(Declaration, orgs).order_by(*_BY_MEMBER, "period")
    fields = ("member__code", "member__name", "period", "monthly_base", "declared_on", "note")
    for code, name, period, base, declared_on, note in rows.values_list(*fields).iterator(CHUNK):
        yield {
            "member": code,
            "name": name,
            "period": period,
            "base": base if bases else MASKED,
            "declared_on": declared_on,
            "note": note,
        }


def payment_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    """Every entry, a member's in the order they were made within each month (a reversal
    after the payment it undoes), so that the file re-imports in that order."""
    labels = {code: str(label) for code, label in PaymentKind.choices}
    rows = _of(Payment, orgs).order_by(*_BY_MEMBER, "month", "pk")
    fields: tuple[str, ...] = ("member__code", "member__name", "month", "amount", "paid_on")
    fields += ("kind", "note", "org__code", "entered_at")
    for row in rows.values_list(*fields).iterator(CHUNK):
        code, name, month, amount, paid_on, kind, note, org, entered_at = row
        yield {
            "member": code,
            "name": name,
            "month": month_label(month),
            "amount": amount,
            "paid_on": paid_on,
            "kind": labels[kind],
            "note": note,
            "org": org,
            "entered_at": moment_text(entered_at),
        }


# --------------------------------------------------------------------------- the ledger

_LINE_FIELDS = (
    "year",
    "member_id",
    "member__org__name",
    "member__code",
    "member__name",
    "month",
    "amount",
    "paid",
    "reduction_id",
)


def ledger_lines(orgs: QuerySet[Org], year: int | None = None) -> QuerySet[Any]:
    lines = _of(Due, orgs).annotate(year=ExtractYear("month"))
    if year is not None:
        lines = lines.filter(month__gte=dt.date(year, 1, 1), month__lt=dt.date(year + 1, 1, 1))
    return lines.order_by("year", *_BY_MEMBER, "month")


def ledger_rows(
    orgs: QuerySet[Org], year: int | None = None, *, as_of: dt.date | None = None
) -> Iterator[dict[str, Any]]:
    """One row per member and year: each month's paid amount, what was due up to `as_of`
    (today; a month not yet begun owes nothing yet), what was paid, what is owing."""
    last_due = (as_of or today()).replace(day=1)
    group: list[tuple[Any, ...]] = []
    for line in ledger_lines(orgs, year).values_list(*_LINE_FIELDS).iterator(CHUNK):
        if group and (line[0], line[1]) != (group[0][0], group[0][1]):
            yield ledger_row(group, last_due)
            group = []
        group.append(line)
    if group:
        yield ledger_row(group, last_due)


def ledger_row(lines: list[tuple[Any, ...]], last_due: dt.date) -> dict[str, Any]:
    """A member-year's row from its lines (`_LINE_FIELDS`)."""
    year, _member, org, code, name = lines[0][:5]
    row: dict[str, Any] = {"org": org, "member": code, "name": name, "year": year}
    due = paid = owing = ZERO
    unknown = reduced = 0
    for *_head, month, amount, month_paid, reduction in lines:
        row[f"m{month.month}"] = month_paid or None
        paid += month_paid
        reduced += reduction is not None
        if month > last_due:
            continue
        if amount is None:
            unknown += 1
            continue
        due += amount
        owing += max(amount - month_paid, ZERO)
    row.update(due_total=due, paid_total=paid, owing=owing, note=_ledger_note(unknown, reduced))
    return row


def _ledger_note(unknown: int, reduced: int) -> str:
    parts = []
    if unknown:
        parts.append(f"{unknown}个月未申报基数，应交未计入")
    if reduced:
        parts.append(f"{reduced}个月减免")
    return "；".join(parts)


def write_ledger(
    target: Path | IO[bytes],
    orgs: QuerySet[Org],
    year: int | None = None,
    *,
    as_of: dt.date | None = None,
) -> int:
    """The ledger of the members of `orgs` for `year` (every year when None)."""
    return write_sheets(
        target,
        [(LedgerImporter.title, LedgerImporter.columns, ledger_rows(orgs, year, as_of=as_of))],
    )


# --------------------------------------------------------------------------- kinds


def _sheet(importer: Any, rows: Iterable[dict[str, Any]]) -> tuple[str, Any, Any]:
    return (importer.title, importer.columns, rows)


def _kinds(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(target, [_sheet(KindImporter, kind_rows(scope.orgs()))])


def _declarations(target: Path | IO[bytes], scope: ExportScope) -> int:
    rows = declaration_rows(scope.orgs(), bases=shows_bases(scope))
    return write_sheets(target, [_sheet(DeclarationImporter, rows)])


def _payments(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(target, [_sheet(PaymentImporter, payment_rows(scope.orgs()))])


def _ledger(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_ledger(target, scope.orgs())


def _counter(model: Any) -> Any:
    return lambda scope: _of(model, scope.orgs()).count()


EXPORTS = (
    Export("dues_kinds", "党费类别", _kinds, _counter(KindSpell)),
    Export("dues_declarations", "党费基数申报", _declarations, _counter(Declaration)),
    Export("dues_reductions", "党费减免", write_reductions, count_reductions),
    Export("dues_arrangements", "按季交纳", write_arrangements, count_arrangements),
    Export("dues_payments", "党费交纳记录", _payments, _counter(Payment)),
    Export("dues_closes", "党费结账", write_closes, count_closes),
    Export("dues_remittances", "党费上缴", write_remittances, count_remittances),
    Export("dues_ledger", "党费台账", _ledger),
)
