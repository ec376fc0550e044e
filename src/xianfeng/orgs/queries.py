"""Reads of the org tree reused by pages, API and rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q
from xianfeng.lib.dates import add_months

from .models import Level, Org, OrgKind, SeatRole, Sector


def orgs_for_user(user: Any) -> QuerySet[Org]:
    """Every org in the user's scope (PLAT-01)."""
    return Org.objects.filter(path_q(user))


def get_org_for_user(user: Any, code: str) -> Org:
    """The org with `code` if it lies in the user's scope, else 404."""
    org = orgs_for_user(user).filter(code=code).first()
    if org is None:
        raise Http404("没有找到该党组织，或不在您的管辖范围内")
    return org


def subtree(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=org.path)


def search_orgs(queryset: QuerySet[Org], text: str) -> QuerySet[Org]:
    """Search by name, code or pinyin initials (ORG-01 tree browser)."""
    text = text.strip()
    if not text:
        return queryset
    needle = text.lower()
    return queryset.filter(
        Q(name__icontains=text)
        | Q(code__iexact=text)
        | Q(code__istartswith=text)
        | Q(name_initials__contains=needle)
    )


def scope_roots(user: Any) -> QuerySet[Org]:
    """The topmost orgs of a user's scope (where the tree browser starts)."""
    from xianfeng.accounts.scope import scope_paths

    prefixes = scope_paths(user)
    if prefixes is None:
        return Org.objects.get_root_nodes()
    return Org.objects.filter(path__in=prefixes).order_by("path")


def children_with_counts(org: Org) -> list[Org]:
    """Direct children in tree order (`numchild` tells how many sub-orgs each has)."""
    return list(Org.objects.get_children(org).order_by("path"))


def ancestors(org: Org) -> QuerySet[Org]:
    return Org.objects.get_ancestors(org)


def directory(text: str, limit: int = 20) -> QuerySet[Org]:
    """Branch-level orgs anywhere (code and name only): where to send a transfer (MEM-05)."""
    from .models import MEMBER_KINDS

    base = Org.objects.filter(kind__in=MEMBER_KINDS, dissolved_on__isnull=True)
    return search_orgs(base, text).order_by("path")[:limit]


def active_on(queryset: QuerySet[Org], day: dt.date) -> QuerySet[Org]:
    return queryset.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    )


def kind_counts(org: Org) -> dict[str, int]:
    rows = subtree(org).exclude(pk=org.pk).values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}


# --- leadership: terms and vacancies (ORG-04, ORG-05) ------------------------------------

LOCAL_COMMITTEE_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN})
SECTOR_TERM_KEYS = {
    Sector.RURAL: "org.term.years_rural",
    Sector.COMMUNITY: "org.term.years_community",
    Sector.GOVERNMENT: "org.term.years_government",
    Sector.INSTITUTION: "org.term.years_government",
}
ELECTION_SOURCE = "换届选举时确定的任期"


def term_years_key(org: Mapping[str, Any]) -> str:
    """The policy key of the org's term length (mapping documented in national.toml)."""
    if org["kind"] == OrgKind.PARTY_COMMITTEE and org["level"] in LOCAL_COMMITTEE_LEVELS:
        return "org.term.years_local_committee"
    return SECTOR_TERM_KEYS.get(org["sector"], "org.term.years_default")


def org_row(org: Org) -> dict[str, Any]:
    """The fields of `org` the leadership reads use (the shape of `Context.orgs()` rows)."""
    return {f: getattr(org, f) for f in ("id", "code", "name", "path", "kind", "level", "sector")}


@dataclass(frozen=True)
class TermDates:
    """A term's length (and where it comes from) and its dates."""

    years: int
    years_entry: dict[str, Any]  # value, source, policy ("" when the election set it)
    expires_on: dt.date
    extended_until: dt.date | None  # the approved extension, capped by the policy
    deadline: dt.date  # the last day on which the next election is on time


def term_dates(
    *,
    org: Mapping[str, Any],
    elected_on: dt.date,
    years: int,
    extension: dt.date | None,
    policy: Any,
) -> TermDates:
    """Dates of a term: it expires `years` calendar years after the election day."""
    entry: dict[str, Any] = (
        {"value": years, "source": ELECTION_SOURCE, "policy": ""}
        if years
        else policy.entry(term_years_key(org), org["path"])
    )
    expires = add_months(elected_on, 12 * entry["value"])
    extended = None
    if extension is not None and extension > expires:
        cap = add_months(expires, policy.value("org.term.max_extension_months", org["path"]))
        extended = min(extension, cap)
    return TermDates(entry["value"], entry, expires, extended, extended or expires)


@dataclass(frozen=True)
class Vacancy:
    """A seat left without a holder since `vacant_since`, still open on the day looked at."""

    org_id: int
    role: str
    title: str
    vacant_since: dt.date
    seat_ids: tuple[int, ...]  # the tenures whose end left the seat vacant


def seat_group(role: str, title: str) -> tuple[str, str]:
    """Tenures that succeed one another: same role, and same title for committee members."""
    return role, title.strip() if role == SeatRole.COMMITTEE_MEMBER else ""


def _start(seat: Mapping[str, Any]) -> dt.date:
    return seat["started_on"] or dt.date.min


def _open_since(
    rows: list[Mapping[str, Any]], elections: list[dt.date], day: dt.date
) -> Iterable[tuple[Mapping[str, Any], dt.date]]:
    """(ended tenure, first vacant day) of one seat group, for vacancies open on `day`.

    Each ended tenure is succeeded by the earliest not yet matched tenure of the group that
    started after it did; a vacancy ends when the successor starts or at the first
    election held on or after the tenure's last day.
    """
    ended = sorted(
        (s for s in rows if s["ended_on"] is not None and s["ended_on"] < day),
        key=lambda s: (s["ended_on"], _start(s)),
    )
    candidates, used = sorted(rows, key=_start), set()
    for seat in ended:
        successor = next(
            (s for s in candidates if s["id"] not in used and _start(s) > _start(seat)), None
        )
        if successor is not None:
            used.add(successor["id"])
        closes = [e for e in elections if e >= seat["ended_on"]][:1]
        if successor is not None:
            closes.append(_start(successor))
        if not closes or min(closes) > day:
            yield seat, seat["ended_on"] + dt.timedelta(days=1)


def open_vacancies(
    seats: Iterable[Mapping[str, Any]], elections: Mapping[int, list[dt.date]], day: dt.date
) -> list[Vacancy]:
    """Vacancies open on `day`, from tenure rows (id, org_id, role, title, member_id,
    started_on, ended_on) and each org's election days (sorted); no query of its own."""
    groups: dict[tuple[int, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for seat in seats:
        if seat["member_id"] is not None and _start(seat) <= day:
            groups[(seat["org_id"], *seat_group(seat["role"], seat["title"]))].append(seat)
    found: dict[tuple[int, str, str, dt.date], list[int]] = defaultdict(list)
    for (org_id, role, title), rows in groups.items():
        for seat, since in _open_since(rows, elections.get(org_id, []), day):
            found[(org_id, role, title, since)].append(seat["id"])
    return [Vacancy(*key, seat_ids=tuple(ids)) for key, ids in sorted(found.items())]


SEAT_FIELDS = ("id", "org_id", "role", "title", "member_id", "started_on", "ended_on")


def is_seat_active(seat: Any, day: dt.date) -> bool:
    """Held on `day`: started by then and not ended before (the end day is still held)."""
    started = seat.started_on is None or seat.started_on <= day
    return (
        started and seat.member_id is not None and (seat.ended_on is None or day <= seat.ended_on)
    )


def leadership_of(org: Org, day: dt.date, policy: Any) -> dict[str, Any]:
    """Seats (current and past), terms with their dates and open vacancies of one org."""
    order = list(SeatRole.values)
    seats = sorted(
        org.seats.select_related("member"),
        key=lambda s: (order.index(s.role), s.title, s.started_on or dt.date.min, s.pk),
    )
    terms = list(org.terms.order_by("elected_on"))
    row = org_row(org)
    for number, term in enumerate(terms, start=1):
        term.number = number
        term.dates = term_dates(
            org=row,
            elected_on=term.elected_on,
            years=term.years,
            extension=term.approved_extension_until,
            policy=policy,
        )
    elections = {org.pk: [t.elected_on for t in terms if t.elected_on <= day]}
    rows = [{f: getattr(s, f) for f in SEAT_FIELDS} for s in seats]
    entry = policy.entry("org.vacancy.max_months", org.path)
    vacancies = [
        {"vacancy": v, "due": add_months(v.vacant_since, entry["value"])}
        for v in open_vacancies(rows, elections, day)
    ]
    return {
        "current": [s for s in seats if is_seat_active(s, day)],
        "past": [s for s in seats if s.ended_on is not None and s.ended_on < day],
        "seats": seats,
        "terms": terms,
        "current_term": next((t for t in reversed(terms) if t.elected_on <= day), None),
        "vacancies": vacancies,
        "max_months": entry,
    }


def seat_holder(org: Org, code: str) -> Any:
    """The current member with `code` in `org`'s subtree, the only possible seat holder."""
    from django.core.exceptions import ValidationError

    from xianfeng.members.models import Member, Status

    member = (
        Member.objects.filter(code=code.strip(), org__path__startswith=org.path)
        .exclude(status=Status.LEFT)
        .select_related("org")
        .first()
    )
    if member is None:
        raise ValidationError({"member": f"本组织及下级组织中没有编号为“{code}”的在册党员"})
    return member


def holder_choices(org: Org, limit: int = 300) -> list[tuple[str, str]]:
    """(code, name) of the members a seat of `org` may go to, for a picker."""
    from xianfeng.members.models import Member, Status

    rows = (
        Member.objects.filter(org__path__startswith=org.path)
        .exclude(status=Status.LEFT)
        .order_by("name", "code")
        .values_list("code", "name")[:limit]
    )
    return list(rows)
