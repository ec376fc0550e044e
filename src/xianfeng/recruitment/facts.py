"""Shared facts of recruitment (compliance.facts), listed in settings.FACT_MODULES."""

from __future__ import annotations

from typing import Any

FACTS: dict[str, Any] = {}
