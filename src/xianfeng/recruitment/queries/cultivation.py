"""Reads of the three cultivations (DEV-03 … DEV-05) reused by the domain, pages and API:
a file by id within the user's scope, the files of an org per track with their yearly
training and theory counts, the pairing policy and the leaders still without a pair, and
the sector focus of each track (seed 001 §3)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q
from xianfeng.compliance.policy import resolver
from xianfeng.orgs.models import Level, Org, OrgKind, Seat
from xianfeng.study.models import Enrollment, EnrollmentStatus

from ..models import Cultivation, CultivationStatus, EntryKind, Track

# track → (policy key of the seat kinds, of the levels or None) of its paired leaders
PAIRING: dict[str, tuple[str, str | None]] = {
    Track.MEMBER_TO_TALENT: (
        "recruitment.pairing.talent_kinds",
        "recruitment.pairing.talent_levels",
    ),
    Track.TALENT_TO_MEMBER: ("recruitment.pairing.member_kinds", None),
    Track.TALENT_TO_CADRE: ("recruitment.pairing.cadre_kinds", "recruitment.pairing.cadre_levels"),
}
# org sector → the key of its focus in `recruitment.focus.*` (seed 001 §3)
FOCUS_KEYS = {
    "rural": "rural",
    "community": "community",
    "soe": "enterprise",
    "private": "enterprise",
    "government": "government",
    "institution": "government",
    "social": "government",
    "school": "government",
    "hospital": "government",
}


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def get_cultivation_for_user(user: Any, pk: Any) -> Cultivation:
    """A file of an org in the user's scope, else 404."""
    found = (
        Cultivation.objects.filter(path_q(user, "org__path"), pk=_pk(pk))
        .select_related("org", "member", "talent", "pair")
        .first()
    )
    if found is None:
        raise Http404("没有找到该培养档案，或不在您的管理范围内")
    return found


def seat_on_q(day: dt.date, prefix: str = "") -> Q:
    """Seat tenures held on `day` (ended_on is the last day in office)."""
    return (Q(**{f"{prefix}started_on__isnull": True}) | Q(**{f"{prefix}started_on__lte": day})) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


# --- the pairing policy (DEV-05) ------------------------------------------------------------


@dataclass(frozen=True)
class PairingRule:
    kinds: tuple[str, ...]  # empty: pairing not checked
    levels: tuple[str, ...]  # empty: any level
    source: str

    def matches(self, kind: str, level: str) -> bool:
        return kind in self.kinds and (not self.levels or level in self.levels)

    def text(self) -> str:
        kinds = "、".join(str(OrgKind(k).label) for k in self.kinds if k in OrgKind.values)
        levels = "、".join(str(Level(v).label) for v in self.levels if v in Level.values)
        return f"{kinds}（{levels}）" if levels else kinds


def pairing_rule(track: str, path: str, day: dt.date, policies: Any = None) -> PairingRule:
    """Whose seat holders pair with `track` under the policy at org `path` on `day`."""
    kinds_key, levels_key = PAIRING[track]
    policy = (policies or resolver(day=day)).at(path)
    entry = policy.entry(kinds_key)
    levels = policy.value(levels_key) if levels_key else []
    return PairingRule(
        tuple(str(k) for k in entry["value"]),
        tuple(str(v) for v in levels),
        str(entry.get("source", "")),
    )


def is_qualified_pair(member: Any, track: str, org: Org, day: dt.date) -> bool:
    """Whether `member` holds on `day` a seat of `org` or an org above it whose kind (and
    level) the pairing policy names for `track` (any member where it names none)."""
    policies = resolver(day=day)
    if not pairing_rule(track, org.path, day, policies).kinds:
        return True
    seats = Seat.objects.filter(seat_on_q(day), member=member).values_list(
        "org__path", "org__kind", "org__level"
    )
    return any(
        org.path.startswith(path) and pairing_rule(track, path, day, policies).matches(kind, level)
        for path, kind, level in seats
    )


@dataclass(frozen=True)
class Leader:
    member_id: int
    name: str
    code: str
    org: str  # the name of the org of the seat
    seat: str  # the seat's role


def unpaired_leaders(org: Org, track: str, day: dt.date) -> list[Leader]:
    """Seat holders on `day` of orgs in `org`'s subtree whose kind and level the pairing
    policy (at each seat's org) names for `track`, without an active file of that track
    paired with them (DEV-05)."""
    policies = resolver(day=day)
    seats = (
        Seat.objects.filter(seat_on_q(day), org__path__startswith=org.path, member__isnull=False)
        .select_related("org", "member")
        .order_by("org__path", "role", "pk")
    )
    paired = set(
        Cultivation.objects.filter(track=track, status=CultivationStatus.ACTIVE).values_list(
            "pair_id", flat=True
        )
    )
    found: dict[int, Leader] = {}
    for seat in seats:
        rule = pairing_rule(track, seat.org.path, day, policies)
        member = seat.member
        if member is None or member.pk in paired or not rule.matches(seat.org.kind, seat.org.level):
            continue
        found.setdefault(
            member.pk,
            Leader(member.pk, member.name, member.code, seat.org.name, seat.get_role_display()),
        )
    return list(found.values())


# --- the sector focus (DEV-04) ------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    talent: str  # the kind of talent to cultivate
    post: str  # the post to cultivate for
    source: str


def sector_focus(org: Org, day: dt.date) -> Focus | None:
    """The focus of the three tracks for `org`'s sector (`recruitment.focus.*`)."""
    key = FOCUS_KEYS.get(org.sector)
    if key is None:
        return None
    entry = resolver(day=day).entry(f"recruitment.focus.{key}", org.path)
    values = [str(v) for v in entry["value"]] + ["", ""]
    return Focus(values[0], values[1], str(entry.get("source", "")))


# --- lists ---------------------------------------------------------------------------------


def cultivations_of(
    org: Org, *, track: str = "", status: str = "", year: int | None = None
) -> QuerySet[Cultivation]:
    """The files of `org`'s subtree (of one track and status when given), each with
    `trainings` and `theory` (entries of those kinds in `year`)."""
    found = Cultivation.objects.filter(org__path__startswith=org.path)
    if track:
        found = found.filter(track=track)
    if status:
        found = found.filter(status=status)
    if year is not None:
        in_year = Q(entries__on__year=year)
        found = found.annotate(
            trainings=Count("entries", filter=in_year & Q(entries__kind=EntryKind.TRAINING)),
            theory=Count("entries", filter=in_year & Q(entries__kind=EntryKind.THEORY)),
        )
    return found.select_related("org", "member", "talent", "pair").order_by(
        "org__path", "track", "-started_on", "pk"
    )


def class_trainings(member_ids: Iterable[int], year: int) -> Counter[int]:
    """member id → training classes held in `year` that the member attended (study
    Enrollment), which count as trainings of track (a) (DEV-03)."""
    rows = Enrollment.objects.filter(
        member_id__in=list(member_ids),
        status=EnrollmentStatus.ATTENDED,
        training_class__starts_on__year=year,
    ).values_list("member_id", flat=True)
    return Counter(rows)
