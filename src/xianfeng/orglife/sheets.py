"""The import sheets of orglife (PLAT-03), listed in settings.IMPORTERS.

The import runs them by their `order` (ties in the order listed here, apps in the order
of settings.IMPORTERS).
"""

from __future__ import annotations

from .importers import AffairsImporter, AttendanceImporter, LeaveImporter, MeetingImporter
from .importers_records import ExemptionImporter, MaterialImporter

IMPORTERS = (
    MaterialImporter,
    ExemptionImporter,
    MeetingImporter,
    AttendanceImporter,
    LeaveImporter,
    AffairsImporter,
)
