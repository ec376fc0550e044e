"""What recruitment exports (PLAT-03), listed in settings.EXPORTS."""

from __future__ import annotations

from typing import Any

EXPORTS: list[Any] = []
