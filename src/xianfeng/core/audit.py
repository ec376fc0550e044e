"""Audit writes that must outlive a rollback.

An answer that reveals something (e.g. that an ID number is already on file) is logged
and counted even when the write that produced it is refused and rolled back: inside
`kept_through_rollback()` such writes wait until the block ends, however it ends, and are
then made outside the transaction that rolled back. Outside the block they happen at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()


def _pending() -> list[Any] | None:
    return getattr(_state, "pending", None)


@contextmanager
def kept_through_rollback() -> Iterator[None]:
    """Hold `keep()` writes until the block ends (an inner block leaves them to the outer).

    Put it around the `transaction.atomic()` that may roll back (also usable as a decorator
    above `@transaction.atomic`).
    """
    if _pending() is not None:
        yield
        return
    _state.pending = []
    try:
        yield
    finally:
        held, _state.pending = _state.pending, None
        for item in held:
            item() if callable(item) else item.save()


def keep(item: Any) -> None:
    """Save a model instance (or run a callable) now, or when the enclosing
    `kept_through_rollback()` block ends."""
    held = _pending()
    if held is not None:
        held.append(item)
    elif callable(item):
        item()
    else:
        item.save()


def held(model: type) -> list[Any]:
    """The instances of `model` waiting in the current block (to count them)."""
    return [item for item in _pending() or [] if isinstance(item, model)]
