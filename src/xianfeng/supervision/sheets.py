"""The import sheets of supervision (PLAT-03), listed in settings.IMPORTERS.

The import runs them by their `order` (ties in the order listed here, apps in the order
of settings.IMPORTERS).
"""

from __future__ import annotations

from . import importers_records as records
from .importers import DutyTemplateImporter, ItemImporter

IMPORTERS = (
    DutyTemplateImporter,
    records.InspectionImporter,
    records.TargetImporter,
    records.NoticeImporter,
    ItemImporter,
    records.StepImporter,
    records.ExtensionImporter,
    records.FileImporter,
    records.ReinspectionImporter,
    records.CalendarImporter,
    records.ProgressImporter,
    records.ProjectImporter,
    records.AdmonitionImporter,
    records.ProposalImporter,
    records.DutyReportImporter,
)
