"""The import sheets of members (PLAT-03), listed in settings.IMPORTERS.

The import runs them by their `order` (ties in the order listed here, apps in the order
of settings.IMPORTERS).
"""

from __future__ import annotations

from .importers import MemberImporter
from .importers_history import (
    PlacementImporter,
    StatusHistoryImporter,
    TemporaryMembershipImporter,
    TransferImporter,
)
from .importers_talents import DisciplineImporter, DualLeadImporter, MemberTagImporter

IMPORTERS = (
    MemberImporter,
    StatusHistoryImporter,
    PlacementImporter,
    TransferImporter,
    TemporaryMembershipImporter,
    DualLeadImporter,
    MemberTagImporter,
    DisciplineImporter,
)
