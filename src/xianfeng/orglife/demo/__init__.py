"""Organizational life in the demo: meetings, lessons, attendance, exemptions (`life`) and
talks and party-affairs records (`affairs`)."""

from __future__ import annotations

from .affairs import save_affairs
from .life import LIFE_MODELS, LifeBuilder, Stay, delete_life_demo

__all__ = ["LIFE_MODELS", "LifeBuilder", "Stay", "delete_life_demo", "save_affairs"]
