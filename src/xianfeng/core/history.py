"""History hooks (PLAT-02): who (user or command line) made each change.

django-simple-history stores one row per change; `history_user` is the acting user and
`history_change_reason` carries the channel ("web", "api" or the command line).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .actor import current_actor


def history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    actor = current_actor()
    if actor is not None and actor.user is not None:
        return actor.user
    if request is not None and getattr(request, "user", None) is not None:
        return request.user if request.user.is_authenticated else None
    return None


def tracked(**kwargs: Any) -> HistoricalRecords:
    """HistoricalRecords with our actor hook; pass `excluded_fields` for secrets."""
    return HistoricalRecords(get_user=history_user, **kwargs)


@receiver(pre_create_historical_record)
def _fill_change_reason(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = history_reason()


def current_via() -> str:
    actor = current_actor()
    return actor.via if actor else "system"


REASON_LENGTH = 100  # simple-history's history_change_reason column


def history_reason() -> str:
    """The channel as stored in history rows (a long command line is cut to fit)."""
    return current_via()[:REASON_LENGTH]
