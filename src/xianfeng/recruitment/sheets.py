"""The import sheets of recruitment (PLAT-03), listed in settings.IMPORTERS.

They share one `order` and one replay (`importers_replay`): whatever their order in the
file, their rows are applied together in date order once every sheet is read.
"""

from __future__ import annotations

from .importers import IntroducerImporter, MentorImporter, PeopleImporter, StepImporter
from .importers_pool import CultivationImporter, EntryImporter, TalentImporter, TargetImporter

IMPORTERS = (
    TalentImporter,
    TargetImporter,
    CultivationImporter,
    EntryImporter,
    PeopleImporter,
    StepImporter,
    MentorImporter,
    IntroducerImporter,
)
