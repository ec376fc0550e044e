"""Org export rows in the import template's columns (round trip, PLAT-03): the orgs
themselves, and the records kept about them (seats, terms, contact points and visits,
venues, staff, budgets and spending), each in its import sheet's columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.importing import Column
from xianfeng.core.workbooks import write_rows

from .importers import COLUMNS
from .importers_preferences import PREFERENCE_COLUMNS, PreferenceImporter, shown_value
from .importers_support import (
    VENUE_FLAGS,
    BudgetImporter,
    ContactPointImporter,
    SeatImporter,
    SheetImporter,
    SpendingImporter,
    StaffImporter,
    TermImporter,
    VenueImporter,
    VisitImporter,
)
from .models import (
    Budget,
    ContactPoint,
    Org,
    OrgPreference,
    Seat,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
)
from .preferences import PREFERENCES

HEADERS = [column.label for column in COLUMNS]
TEXT_COLUMNS = [i for i, column in enumerate(COLUMNS) if column.text]


def org_rows(orgs: QuerySet[Org]) -> Iterator[list[Any]]:
    """One row per org, parents before children; the parent by code."""
    code_by_path = dict(Org.objects.values_list("path", "code"))
    for org in orgs.order_by("path").iterator(chunk_size=2000):
        yield [
            org.code,
            org.name,
            code_by_path.get(org.path[: -Org.steplen], ""),
            org.get_kind_display(),
            org.get_level_display(),
            org.get_sector_display() if org.sector else "",
            org.unit_name,
            org.unit_headcount,
            org.region_code,
            org.founded_on,
            org.dissolved_on,
        ]


# --- records kept about orgs (ORG-04, ORG-07, ORG-08, ORG-09), in their import columns ----


def _rows(columns: tuple[Column, ...], records: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    keys = [column.key for column in columns]
    for record in records:
        yield [record.get(key) for key in keys]


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def seat_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    seats = Seat.objects.filter(org__in=orgs, member__isnull=False).select_related("org", "member")
    for seat in seats.order_by("org__path", "role", "started_on", "pk").iterator(chunk_size=2000):
        yield {
            "org": seat.org.code,
            "role": seat.get_role_display(),
            "title": seat.title,
            "member": seat.member.code if seat.member else "",
            "name": seat.member.name if seat.member else "",
            "started_on": seat.started_on,
            "ended_on": seat.ended_on,
        }


def term_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    terms = Term.objects.filter(org__in=orgs).select_related("org")
    for term in terms.order_by("org__path", "elected_on").iterator(chunk_size=2000):
        yield {
            "org": term.org.code,
            "elected_on": term.elected_on,
            "years": term.years or None,
            "approved_extension_until": term.approved_extension_until,
            "note": term.note,
        }


def contact_point_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    points = ContactPoint.objects.filter(org__in=orgs).select_related("org", "leader", "target")
    for point in points.order_by("org__path", "started_on", "pk").iterator(chunk_size=2000):
        yield {
            "org": point.org.code,
            "leader": point.leader.code,
            "leader_name": point.leader.name,
            "target": point.target.code,
            "started_on": point.started_on,
            "ended_on": point.ended_on,
            "note": point.note,
        }


def visit_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    visits = Visit.objects.filter(contact_point__org__in=orgs).select_related(
        "contact_point__org", "contact_point__leader", "contact_point__target"
    )
    order = ("contact_point__org__path", "contact_point__pk", "visited_on", "pk")
    for visit in visits.order_by(*order).iterator(chunk_size=2000):
        point = visit.contact_point
        yield {
            "leader": point.leader.code,
            "leader_name": point.leader.name,
            "target": point.target.code,
            "org": point.org.code,
            "visited_on": visit.visited_on,
            "kind": visit.get_kind_display(),
            "summary": visit.summary,
        }


def venue_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    venues = Venue.objects.filter(org__in=orgs).select_related("org")
    for venue in venues.order_by("org__path", "pk").iterator(chunk_size=2000):
        flags = {key: _yes_no(getattr(venue, key)) for key in VENUE_FLAGS}
        yield {
            "org": venue.org.code,
            "name": venue.name,
            "address": venue.address,
            "area_m2": venue.area_m2,
            **flags,
            "checked_on": venue.checked_on,
            "closed_on": venue.closed_on,
        }


def staff_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    posts = StaffPost.objects.filter(org__in=orgs).select_related("org", "member")
    for post in posts.order_by("org__path", "started_on", "pk").iterator(chunk_size=2000):
        yield {
            "org": post.org.code,
            "name": post.name,
            "member": post.member.code if post.member else "",
            "position": post.position,
            "full_time": "专职" if post.full_time else "兼职",
            "started_on": post.started_on,
            "ended_on": post.ended_on,
        }


def budget_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    budgets = Budget.objects.filter(org__in=orgs).select_related("org")
    for budget in budgets.order_by("org__path", "year").iterator(chunk_size=2000):
        yield {
            "org": budget.org.code,
            "year": budget.year,
            "amount": budget.amount,
            "note": budget.note,
        }


def spending_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    spendings = Spending.objects.filter(org__in=orgs).select_related("org")
    for spending in spendings.order_by("org__path", "spent_on", "pk").iterator(chunk_size=2000):
        yield {
            "org": spending.org.code,
            "spent_on": spending.spent_on,
            "amount": spending.amount,
            "purpose": spending.purpose,
        }


@dataclass(frozen=True)
class RecordExport:
    """One kind of record kept about orgs: its sheet (the importer's) and its rows."""

    title: str
    columns: tuple[Column, ...]
    records: Callable[[QuerySet[Org]], Iterator[dict[str, Any]]]

    @property
    def headers(self) -> list[str]:
        return [column.label for column in self.columns]

    @property
    def text_columns(self) -> list[int]:
        return [i for i, column in enumerate(self.columns) if column.text]

    def rows(self, orgs: QuerySet[Org]) -> Iterator[list[Any]]:
        return _rows(self.columns, self.records(orgs))

    def write(self, target: Path | IO[bytes], scope: ExportScope) -> int:
        return write_rows(
            target, self.title, self.headers, self.rows(scope.orgs()), self.text_columns
        )


def _export(importer: type[SheetImporter], records: Any) -> RecordExport:
    return RecordExport(importer.title, importer.columns, records)


# Keyed by the importer's kind, in the order a workbook of them must be imported.
RECORD_EXPORTS: dict[str, RecordExport] = {
    SeatImporter.kind: _export(SeatImporter, seat_rows),
    TermImporter.kind: _export(TermImporter, term_rows),
    VenueImporter.kind: _export(VenueImporter, venue_rows),
    StaffImporter.kind: _export(StaffImporter, staff_rows),
    BudgetImporter.kind: _export(BudgetImporter, budget_rows),
    SpendingImporter.kind: _export(SpendingImporter, spending_rows),
    ContactPointImporter.kind: _export(ContactPointImporter, contact_point_rows),
    VisitImporter.kind: _export(VisitImporter, visit_rows),
}


def write_orgs(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_rows(target, "党组织", HEADERS, org_rows(scope.orgs()), TEXT_COLUMNS)


EXPORTS = (Export("orgs", "党组织", write_orgs),)

_TITLES = {
    "seats": "班子成员",
    "terms": "换届记录",
    "contact_points": "联系点",
    "visits": "联系点活动",
    "venues": "活动阵地",
    "staff": "党务干部",
    "budgets": "党建活动经费预算",
    "spending": "党建活动经费支出",
}
# The records kept about orgs, after members (seat holders, contacts are members).
RECORDS_EXPORTS = tuple(
    Export(kind, _TITLES[kind], record.write) for kind, record in RECORD_EXPORTS.items()
)


def preference_rows(orgs: QuerySet[Org]) -> Iterator[dict[str, Any]]:
    rows = OrgPreference.objects.filter(org__in=orgs, key__in=list(PREFERENCES))
    for row in rows.select_related("org").order_by("org__path", "key").iterator(chunk_size=2000):
        yield {
            "org": row.org.code,
            "key": PREFERENCES[row.key].title,
            "value": shown_value(row.key, row.value),
            "note": row.note,
        }


_PREFERENCES = RecordExport(PreferenceImporter.title, PREFERENCE_COLUMNS, preference_rows)
# An org's own decisions, after the policies that bound some of them (settings.EXPORTS).
PREFERENCE_EXPORTS = (Export("preferences", "本组织设置", _PREFERENCES.write),)
