"""The import sheets of study (PLAT-03), listed in settings.IMPORTERS.

The import runs them by their `order` (ties in the order listed here, apps in the order
of settings.IMPORTERS).
"""

from __future__ import annotations

from .importers import StudyRecordImporter
from .importers_support import (
    CourseImporter,
    EnrollmentImporter,
    MeetingCreditImporter,
    MustLearnImporter,
    PlanItemImporter,
    StudyPlanImporter,
    TrainingClassImporter,
)

IMPORTERS = (
    CourseImporter,
    MustLearnImporter,
    TrainingClassImporter,
    EnrollmentImporter,
    MeetingCreditImporter,
    StudyPlanImporter,
    PlanItemImporter,
    StudyRecordImporter,
)
