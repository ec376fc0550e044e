"""Who is acting: a user of the web or API, or a command line (PLAT-02 history).

Set once per request by ActorMiddleware and once per command by the CLI; read by the
history hook so that every historical row says who or which command made the change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any  # accounts.User or None for the command line without --as
    via: str  # "web", "api", "cli: xianfeng demo --scale county", "worker: <task>"


_current: ContextVar[Actor | None] = ContextVar("xianfeng_actor", default=None)


def current_actor() -> Actor | None:
    return _current.get()


@contextmanager
def acting_as(user: Any, via: str) -> Iterator[Actor]:
    actor = Actor(user=user, via=via[:250])
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor_user(user: Any, via: str) -> None:
    """Name the user of a token-authenticated API request as the actor.

    Called inside ActorMiddleware's context, which restores the previous actor afterwards.
    """
    _current.set(Actor(user=user, via=via))
