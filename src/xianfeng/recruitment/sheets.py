"""The import sheets of recruitment (PLAT-03), listed in settings.IMPORTERS."""

from __future__ import annotations

IMPORTERS: tuple[type, ...] = ()
