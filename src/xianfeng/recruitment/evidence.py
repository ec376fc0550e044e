"""Evidence labels of the recruitment rules (compliance.evidence)."""

from __future__ import annotations

from typing import Any

LABELS: dict[str, Any] = {}
NAMES: dict[str, Any] = {}
TERMS: dict[str, Any] = {}
