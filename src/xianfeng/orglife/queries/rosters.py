"""Rosters and guests of the meetings of many days (an import writes the attendance of
thousands of meetings): the answers of `roster_for`, `guest_ids` and the members below an
org, read once per org and worked out per day in memory."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xianfeng.members.queries import ACTIVE

from .page_reads import SEAT_KINDS, home_of, paths_above

# (member id, first day, end day or None); `inclusive`: the end day itself is covered
Spans = list[tuple[Any, dt.date | None, dt.date | None]]


def _covered(spans: Spans, day: dt.date, *, inclusive: bool) -> set[Any]:
    return {
        member_id
        for member_id, started, ended in spans
        if (started is None or started <= day)
        and (ended is None or ended > day or (inclusive and ended == day))
    }


class Rosters:
    """`roster(org, day, kind)` as `roster_for` (member ids, not ordered by name),
    `guests(org, day)` as `guest_ids` and `below(org)`: the members of the org's subtree;
    each org's placements, seats, contact points and status spells read once. For one
    run that writes none of them (an import of meetings and their attendance)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], load: Any) -> Any:
        if key not in self.cache:
            self.cache[key] = load()
        return self.cache[key]

    def roster(self, org: Any, day: dt.date, kind: str | None = None) -> list[int]:
        from xianfeng.orgs.models import OrgKind

        if org.kind == OrgKind.PARTY_GROUP:
            mode = "group"
        elif kind in SEAT_KINDS or not org.holds_members:
            mode = "seats"
        else:
            mode = "placed"
        spans, active = self._once(("roster", mode, org.pk), lambda: self._load(org, mode))
        candidates = _covered(spans, day, inclusive=mode == "seats")
        return sorted(candidates & _covered(active, day, inclusive=False))

    def _load(self, org: Any, mode: str) -> tuple[Spans, Spans]:
        from xianfeng.members.models import Placement, StatusSpell
        from xianfeng.orgs.models import Seat

        fields = ("member_id", "started_on", "ended_on")
        if mode == "group":
            rows: Any = Placement.objects.filter(member__party_group=org)
        elif mode == "seats":
            rows = Seat.objects.filter(org=org, member__isnull=False)
        else:
            rows = Placement.objects.filter(org=org)
        spans = list(rows.order_by().values_list(*fields))
        members = sorted({member_id for member_id, _s, _e in spans})
        active = StatusSpell.objects.filter(member_id__in=members, status__in=ACTIVE)
        return spans, list(active.order_by().values_list(*fields))

    def guests(self, org: Any, day: dt.date) -> set[int]:
        seats, points = self._once(("guests", org.pk), lambda: self._load_guests(org))
        return _covered(seats, day, inclusive=True) | _covered(points, day, inclusive=True)

    def _load_guests(self, org: Any) -> tuple[Spans, Spans]:
        from xianfeng.orgs.models import ContactPoint, Seat

        seats = Seat.objects.filter(org__path__in=paths_above(org), member__isnull=False)
        points = ContactPoint.objects.filter(target_id__in={org.pk, home_of(org).pk})
        return (
            list(seats.order_by().values_list("member_id", "started_on", "ended_on")),
            list(points.order_by().values_list("leader_id", "started_on", "ended_on")),
        )

    def below(self, org: Any) -> set[int]:
        from xianfeng.members.models import Member

        def load() -> set[int]:
            found = Member.objects.filter(org__path__startswith=org.path)
            return set(found.values_list("pk", flat=True))

        return self._once(("below", org.pk), load)  # type: ignore[no-any-return]
