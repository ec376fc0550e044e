"""Exports of the supervision records beside the lists (issue 16, round trip), each in the
columns of its restore sheet (`importers_records`): inspections, their targets and notices,
the items' timelines, extensions and file metadata (files travel in backups), re-inspections,
the calendar, quarterly progress reports, projects, admonitions, adjustment proposals and
duty reports. Rows are read as `values_list` in chunks with the codes, usernames and
numbers joined (no query per row) and streamed; every file re-imports as it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.accounts.importers import moment_text
from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets

from . import importers_records as sheets
from . import restore
from .models import (
    AdjustmentProposal,
    Admonition,
    CalendarEntry,
    DutyReport,
    Extension,
    Inspection,
    InspectionNotice,
    InspectionTarget,
    Item,
    ItemFile,
    ProgressReport,
    Project,
    Reinspection,
    Step,
)

CHUNK = 5000


def _label(model_choices: Any) -> Callable[[Any], str]:
    labels = dict(model_choices.choices)
    return lambda value: str(labels[value]) if value else ""


def _text(value: Any) -> Any:
    return "" if value is None else value


@dataclass(frozen=True)
class _Sheet:
    """column key → (the values_list path, a conversion of its value); `rows(orgs)` the
    queryset of the rows in scope, in export order."""

    importer: Any
    rows: Callable[[QuerySet[Any]], QuerySet[Any]]
    paths: dict[str, tuple[str, Callable[[Any], Any]]]
    numbers: dict[str, str] | None = None  # column → "item"/"inspection": ids as numbers

    def records(self, orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
        wanted = set((self.numbers or {}).values())
        found = {
            "item": restore.item_numbers(Item.objects.filter(org__in=orgs))
            if "item" in wanted
            else {},
            "inspection": restore.inspection_numbers() if "inspection" in wanted else {},
        }
        keys = list(self.paths)
        paths = [self.paths[k][0] for k in keys]
        converts = [self.paths[k][1] for k in keys]
        for row in self.rows(orgs).values_list("pk", *paths).iterator(chunk_size=CHUNK):
            pk, *values = row
            record = {k: convert(v) for k, convert, v in zip(keys, converts, values, strict=True)}
            for key, kind in (self.numbers or {}).items():
                value = record[key]
                if isinstance(value, list):  # a re-inspection's items
                    numbers = (found[kind].get(i, "?") for i in value)
                    record[key] = sheets.LIST_SEPARATOR.join(numbers)
                elif value != "":
                    record[key] = found[kind].get(value, "")
            if "recipients" in record:
                codes = InspectionNotice.recipients.through.objects.filter(inspectionnotice_id=pk)
                record["recipients"] = sheets.LIST_SEPARATOR.join(
                    sorted(codes.values_list("org__code", flat=True))
                )
            yield record

    def export(self) -> Export:
        importer = self.importer

        def write(target: Path | IO[bytes], scope: ExportScope) -> int:
            rows = self.records(scope.orgs())
            return write_sheets(target, [(importer.title, importer.columns, rows)])

        def count(scope: ExportScope) -> int:
            return self.rows(scope.orgs()).count()

        return Export(importer.kind, importer.title, write, count)


CODE = _text
USER = _text
MOMENT = moment_text


def _by_org(model: Any, field: str = "org", order: tuple[str, ...] = ()) -> Callable[..., Any]:
    return lambda orgs: model.objects.filter(**{f"{field}__in": orgs}).order_by(
        f"{field}__path", *order, "pk"
    )


def _of_items(model: Any, *order: str) -> Callable[..., Any]:
    return lambda orgs: model.objects.filter(item__org__in=orgs).order_by(
        "item__org__path", "item__created_on", "item_id", *order, "pk"
    )


SHEETS = (
    _Sheet(
        sheets.InspectionImporter,
        _by_org(Inspection, order=("date",)),
        {
            "number": ("pk", _text),
            "org": ("org__code", CODE),
            "kind": ("kind", _label(Inspection.Kind)),
            "period": ("period", _text),
            "title": ("title", _text),
            "date": ("date", _text),
            "seed": ("seed", _text),
            "sampling": ("sampling", _text),
            "created_by": ("created_by__username", USER),
        },
        {"number": "inspection"},
    ),
    _Sheet(
        sheets.TargetImporter,
        lambda orgs: InspectionTarget.objects.filter(inspection__org__in=orgs).order_by(
            "inspection__org__path", "inspection__date", "inspection_id", "pk"
        ),
        {
            "inspection": ("inspection_id", _text),
            "org": ("org__code", CODE),
            "stratum": ("stratum", _text),
            "looked_at": ("looked_at", _text),
            "conclusion": ("conclusion", _text),
        },
        {"inspection": "inspection"},
    ),
    _Sheet(
        sheets.NoticeImporter,
        _by_org(InspectionNotice, order=("date",)),
        {
            "org": ("org__code", CODE),
            "number": ("number", _text),
            "date": ("date", _text),
            "title": ("title", _text),
            "body": ("body", _text),
            "inspection": ("inspection_id", _text),
            "recipients": ("pk", _text),
            "published_at": ("published_at", MOMENT),
            "by": ("by__username", USER),
        },
        {"inspection": "inspection"},
    ),
    _Sheet(
        sheets.StepImporter,
        _of_items(Step, "at"),
        {
            "item": ("item_id", _text),
            "action": ("action", _label(Step.Action)),
            "note": ("note", _text),
            "by": ("by__username", USER),
            "at": ("at", MOMENT),
        },
        {"item": "item"},
    ),
    _Sheet(
        sheets.ExtensionImporter,
        _of_items(Extension, "asked_at"),
        {
            "item": ("item_id", _text),
            "deadline": ("deadline", _text),
            "reason": ("reason", _text),
            "asked_by": ("asked_by__username", USER),
            "asked_at": ("asked_at", MOMENT),
            "decision": ("decision", _label(Extension.Decision)),
            "decided_by": ("decided_by__username", USER),
            "decided_at": ("decided_at", MOMENT),
            "decision_note": ("decision_note", _text),
        },
        {"item": "item"},
    ),
    _Sheet(
        sheets.FileImporter,
        _of_items(ItemFile),
        {
            "item": ("item_id", _text),
            "name": ("name", _text),
            "size": ("size", _text),
            "is_evidence": ("is_evidence", lambda flag: "是" if flag else "否"),
            "uploaded_by": ("uploaded_by__username", USER),
            "uploaded_at": ("uploaded_at", MOMENT),
        },
        {"item": "item"},
    ),
    _Sheet(
        sheets.ReinspectionImporter,
        _by_org(Reinspection, order=("date",)),
        {
            "org": ("org__code", CODE),
            "date": ("date", _text),
            "months": ("months", _text),
            "share": ("share", _text),
            "seed": ("seed", _text),
            "sample": ("sample", list),
            "reopened": ("reopened", list),
            "by": ("by__username", USER),
        },
        {"sample": "item", "reopened": "item"},
    ),
    _Sheet(
        sheets.CalendarImporter,
        _by_org(CalendarEntry, order=("date",)),
        {
            "org": ("org__code", CODE),
            "year": ("year", _text),
            "kind": ("kind", _label(CalendarEntry.Kind)),
            "period": ("period", _text),
            "date": ("date", _text),
            "title": ("title", _text),
            "done_on": ("done_on", _text),
        },
    ),
    _Sheet(
        sheets.ProgressImporter,
        _by_org(ProgressReport, order=("period",)),
        {
            "org": ("org__code", CODE),
            "period": ("period", _text),
            "work_done": ("work_done", _text),
            "problems": ("problems", _text),
            "next_steps": ("next_steps", _text),
            "items_closed": ("items_closed", _text),
            "submitted_on": ("submitted_on", _text),
            "by": ("by__username", USER),
        },
    ),
    _Sheet(
        sheets.ProjectImporter,
        _by_org(Project, order=("year",)),
        {
            "org": ("org__code", CODE),
            "secretary": ("secretary__code", CODE),
            "year": ("year", _text),
            "title": ("title", _text),
            "goal": ("goal", _text),
            "milestones": ("milestones", sheets.json_text),
            "result": ("result", _text),
            "completed_on": ("completed_on", _text),
            "registered_on": ("registered_on", _text),
        },
    ),
    _Sheet(
        sheets.AdmonitionImporter,
        _by_org(Admonition, order=("date",)),
        {
            "org": ("org__code", CODE),
            "member": ("member__code", CODE),
            "date": ("date", _text),
            "by_org": ("by_org__code", CODE),
            "talker": ("talker", _text),
            "reason": ("reason", _text),
            "outcome": ("outcome", _text),
            "recorded_by": ("recorded_by__username", USER),
        },
    ),
    _Sheet(
        sheets.ProposalImporter,
        _by_org(AdjustmentProposal, order=("raised_on",)),
        {
            "org": ("org__code", CODE),
            "member": ("member__code", CODE),
            "admonition": ("admonition__date", _text),
            "raised_on": ("raised_on", _text),
            "decision": ("decision", _label(AdjustmentProposal.Decision)),
            "decided_on": ("decided_on", _text),
            "decided_by": ("decided_by__username", USER),
            "note": ("note", _text),
        },
    ),
    _Sheet(
        sheets.DutyReportImporter,
        _by_org(DutyReport, order=("year",)),
        {
            "org": ("org__code", CODE),
            "secretary": ("secretary__code", CODE),
            "year": ("year", _text),
            "date": ("date", _text),
            "summary": ("summary", _text),
            "ratings": ("ratings", sheets.json_text),
            "result": ("result", _text),
            "recorded_by": ("recorded_by__username", USER),
        },
    ),
)

RECORD_EXPORTS = tuple(sheet.export() for sheet in SHEETS)
