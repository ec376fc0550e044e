"""The ledger follows the roster: a member's status, placement or category changed
through the members' own writes (model signals) recomputes their lines of last year and
this year once the write commits; an import (bulk writes, no model signals) recomputes
this year's lines of everyone in one pass. A failure here is logged, never undoes the
write that was made. A dues import restoring a year's payments or closed months computes
the lines of that year for everyone who has none yet, inside the import (`fill_years`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from xianfeng.lib.dates import today
from xianfeng.members.queries import members_placed_during

from . import ledger
from .models import Due

log = logging.getLogger(__name__)


def _refresh(members: list[int] | None, years: list[int]) -> None:
    try:
        for year in years:
            ledger.refresh(year, members)
    except Exception:  # the member's write is committed; the ledger catches up nightly
        log.exception("could not recompute the dues ledger of %s", members or "everyone")


def member_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save/post_delete of a member, status spell or placement."""
    member = getattr(instance, "member_id", None) or getattr(instance, "pk", None)
    if member is None or kwargs.get("raw"):
        return
    year = today().year
    transaction.on_commit(lambda: _refresh([member], [year - 1, year]))


def data_imported(sender: Any, by: Any = None, **kwargs: Any) -> None:
    """This year's lines of the members placed in the importer's scope this year (of
    everyone for the command line)."""
    members = None if by is None or getattr(by, "pk", None) is None else _members_in_scope(by)
    transaction.on_commit(lambda: _refresh(members, [today().year]))


def _members_in_scope(by: Any) -> list[int] | None:
    return _placed_in_scope(by, today().year)


def _placed_in_scope(by: Any, year: int) -> list[int] | None:
    """The members placed in `by`'s scope during `year`; None: everyone (no limit)."""
    from xianfeng.accounts.scope import path_q, scope_paths

    if by is None or getattr(by, "pk", None) is None or scope_paths(by) is None:
        return None
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return members_placed_during(path_q(by, "org__path"), first, last)


def fill_years(years: Iterable[int], by: Any) -> None:
    """The lines of `years` of the members in `by`'s scope (everyone for the command line)
    placed during each year who have none yet, computed set-wise once a year: an import of
    a year's payments or closed months (a restore) brings that year's whole ledger, with
    the lines of the members who paid nothing in it (DUES-02 counts those). Runs inside
    the import's transaction: the lines are there before its payments claim them and when
    it commits. A year whose lines are all there costs two reads."""
    from xianfeng.accounts.scope import path_q

    for year in sorted(set(years)):
        first, december = dt.date(year, 1, 1), dt.date(year, 12, 1)
        lines = Due.objects.filter(month__gte=first, month__lte=december).order_by()
        members = _placed_in_scope(by, year)
        if members is None:
            if not lines.exists():
                ledger.refresh(year)
                continue
            members = members_placed_during(Q(), first, dt.date(year, 12, 31))
        else:
            lines = lines.filter(path_q(by, "org__path"))
        have = set(lines.values_list("member_id", flat=True).distinct())
        missing = set(members) - have
        if missing:
            ledger.refresh_pending({year: missing})
