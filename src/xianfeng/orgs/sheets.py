"""The import sheets of orgs (PLAT-03), listed in settings.IMPORTERS.

The import runs them by their `order` (ties in the order listed here, apps in the order
of settings.IMPORTERS).
"""

from __future__ import annotations

from .importers import OrgImporter
from .importers_preferences import PreferenceImporter
from .importers_support import (
    BudgetImporter,
    ContactPointImporter,
    SeatImporter,
    SpendingImporter,
    StaffImporter,
    TermImporter,
    VenueImporter,
    VisitImporter,
)

IMPORTERS = (
    OrgImporter,
    SeatImporter,
    TermImporter,
    ContactPointImporter,
    VisitImporter,
    VenueImporter,
    StaffImporter,
    BudgetImporter,
    SpendingImporter,
    PreferenceImporter,
)
