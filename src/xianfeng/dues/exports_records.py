"""The rows of the dues record exports, each in its import sheet's columns so that it
re-imports as it is (`importers_records`): 党费减免 and 按季交纳 with the member (a
member's records go with the member), 党费结账 and 党费上缴 with the org that closed or
handed up. Read as `values_list` with the codes joined, streamed in chunks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.core.exports import ExportScope
from xianfeng.core.workbooks import write_sheets
from xianfeng.orgs.models import Org

from .importers_records import (
    ArrangementImporter,
    CloseImporter,
    ReductionImporter,
    RemittanceImporter,
)
from .models import Arrangement, MonthClose, Reduction, ReductionState, Remittance

CHUNK = 5000
BY_MEMBER = ("member__org__path", "member__code")


def month_label(month: dt.date | None) -> str:
    return "" if month is None else f"{month.year}-{month.month:02d}"


def of_members(model: Any, orgs: QuerySet[Org]) -> QuerySet[Any]:
    return model.objects.filter(member__org__in=orgs)


def of_orgs(model: Any, orgs: QuerySet[Org]) -> QuerySet[Any]:
    return model.objects.filter(org__in=orgs)


def reduction_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    labels = {code: str(label) for code, label in ReductionState.choices}
    rows = of_members(Reduction, orgs).order_by(*BY_MEMBER, "first_month", "pk")
    fields = (
        "member__code",
        "member__name",
        "first_month",
        "last_month",
        "monthly_amount",
        "reason",
        "proposed_by_org__code",
        "proposed_on",
        "state",
        "decided_by_org__code",
        "decided_on",
        "decision_note",
    )
    for row in rows.values_list(*fields).iterator(CHUNK):
        code, name, first, last, amount, reason, proposer, proposed, state, *decision = row
        decider, decided_on, note = decision
        yield {
            "member": code,
            "name": name,
            "first_month": month_label(first),
            "last_month": month_label(last),
            "monthly_amount": amount,
            "reason": reason,
            "proposed_by_org": proposer,
            "proposed_on": proposed,
            "state": labels[state],
            "decided_by_org": decider or "",
            "decided_on": decided_on,
            "decision_note": note,
        }


def arrangement_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    rows = of_members(Arrangement, orgs).order_by(*BY_MEMBER, "first_month", "pk")
    fields = ("member__code", "member__name", "first_month", "last_month", "agreed_on", "note")
    for code, name, first, last, agreed_on, note in rows.values_list(*fields).iterator(CHUNK):
        yield {
            "member": code,
            "name": name,
            "first_month": month_label(first),
            "last_month": month_label(last),
            "agreed_on": agreed_on,
            "note": note,
        }


def close_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    rows = of_orgs(MonthClose, orgs).order_by("org__path", "month")
    for code, month, closed_on in rows.values_list("org__code", "month", "closed_on").iterator(
        CHUNK
    ):
        yield {"org": code, "month": month_label(month), "closed_on": closed_on}


def remittance_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    rows = of_orgs(Remittance, orgs).order_by("org__path", "period")
    fields = ("org__code", "period", "amount", "remitted_on", "note")
    for code, period, amount, remitted_on, note in rows.values_list(*fields).iterator(CHUNK):
        yield {
            "org": code,
            "period": period,
            "amount": amount,
            "remitted_on": remitted_on,
            "note": note,
        }


# --------------------------------------------------------------------------- kinds


def _sheet(importer: Any, rows: Iterator[dict[str, Any]]) -> tuple[str, Any, Any]:
    return (importer.title, importer.columns, rows)


def write_reductions(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(target, [_sheet(ReductionImporter, reduction_rows(scope.orgs()))])


def write_arrangements(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(target, [_sheet(ArrangementImporter, arrangement_rows(scope.orgs()))])


def write_closes(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(target, [_sheet(CloseImporter, close_rows(scope.orgs()))])


def write_remittances(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(target, [_sheet(RemittanceImporter, remittance_rows(scope.orgs()))])


def count_reductions(scope: ExportScope) -> int:
    return of_members(Reduction, scope.orgs()).count()


def count_arrangements(scope: ExportScope) -> int:
    return of_members(Arrangement, scope.orgs()).count()


def count_closes(scope: ExportScope) -> int:
    return of_orgs(MonthClose, scope.orgs()).count()


def count_remittances(scope: ExportScope) -> int:
    return of_orgs(Remittance, scope.orgs()).count()
