"""The import sheets of supervision (PLAT-03), listed in settings.IMPORTERS.

The import runs them by their `order` (ties in the order listed here, apps in the order
of settings.IMPORTERS).
"""

from __future__ import annotations

from .importers import DutyTemplateImporter, ItemImporter

IMPORTERS = (DutyTemplateImporter, ItemImporter)
