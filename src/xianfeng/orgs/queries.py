"""Reads of the org tree reused by pages, API and rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear, Length, Substr
from django.http import Http404

from xianfeng.accounts.scope import path_q, reference_error
from xianfeng.lib.dates import add_months

from .models import (
    VENUE_ITEMS,
    ContactPoint,
    Level,
    Org,
    OrgKind,
    SeatRole,
    Sector,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
    VisitKind,
)


def orgs_for_user(user: Any) -> QuerySet[Org]:
    """Every org in the user's scope (PLAT-01)."""
    return Org.objects.filter(path_q(user))


def get_org_for_user(user: Any, code: str) -> Org:
    """The org with `code` if it lies in the user's scope, else 404."""
    org = orgs_for_user(user).filter(code=code).first()
    if org is None:
        raise Http404("没有找到该党组织，或不在您的管辖范围内")
    return org


def find_org(user: Any, code: str) -> Org:
    """The org with `code` in the user's scope (user None: the command line, any org),
    else 404."""
    if user is not None:
        return get_org_for_user(user, code)
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise Http404("没有找到该党组织")
    return org


def export_orgs(user: Any, org: Org | None = None) -> QuerySet[Org]:
    """The orgs an export holds: the user's scope (None: the command line, every org),
    narrowed to `org`'s subtree when given."""
    orgs = Org.objects.all() if user is None else orgs_for_user(user)
    return orgs if org is None else orgs.filter(path__startswith=org.path)


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


def with_parent_code(queryset: QuerySet[Org]) -> QuerySet[Org]:
    """Each org with `parent_code`, its parent's code (None for a root), read in the same
    query: the parent's path is the org's path less one step."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen)
    parent = Org.objects.filter(path=parent_path).values("code")[:1]
    return queryset.annotate(parent_code=Subquery(parent))


def parent_code(org: Org) -> str | None:
    """The code of the org's parent: annotated by `with_parent_code`, else read."""
    if hasattr(org, "parent_code"):
        return org.parent_code  # type: ignore[no-any-return]
    parent = Org.objects.get_parent(org)
    return parent.code if parent else None


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


def term_reminder_lead(policy: Any, path: str, deadline: dt.date, day: dt.date) -> int | None:
    """The nearest lead time (months, policy org.term.reminder_months) whose reminder window
    `day` has entered before a term's `deadline`, or None outside every window. `policy` is
    anything with `value(key, path)` (a compliance Resolver or a rule's ctx.policy); used by
    the ORG-04 rule and the term reminders of the daily digest."""
    leads = [int(m) for m in policy.value("org.term.reminder_months", path) or []]
    # m months before the deadline is at most 31·m days before it: no date arithmetic for
    # the many terms further off than that
    if not leads or day < deadline - dt.timedelta(days=31 * max(*leads, 0)):
        return None
    due = [m for m in leads if day >= add_months(deadline, -m)]
    return min(due) if due else None


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


# What a reference names, in the one "not found" answer (accounts.scope.reference_error).
SEAT_HOLDER = "本组织及下级组织的在册党员"
CONTACT_LEADER = "本组织班子成员"
CONTACT_TARGET = "本组织下级的党组织"


def seat_holder(org: Org, code: str) -> Any:
    """The current member with `code` in `org`'s subtree, the only possible seat holder
    (the domain checks the actor's scope, with the same answer)."""
    from xianfeng.members.models import Member, Status

    member = (
        Member.objects.filter(code=code.strip(), org__path__startswith=org.path)
        .exclude(status=Status.LEFT)
        .select_related("org")
        .first()
    )
    if member is None:
        raise reference_error("member", SEAT_HOLDER, code.strip())
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


# --- ORG-07 contact points, ORG-08 venues and staff, ORG-09 budgets ----------------------


def is_row_active(row: Any, day: dt.date) -> bool:
    """A dated row (contact point, staff post) is active from `started_on` to `ended_on`."""
    return row.started_on <= day and (row.ended_on is None or day <= row.ended_on)


def _row_or_404(queryset: QuerySet[Any], pk: int, what: str) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"没有找到该{what}")
    return found


def contact_point_of(org: Org, pk: int) -> ContactPoint:
    """A contact point kept by `org` (fetched through `get_org_for_user`), else 404."""
    points = org.leader_contact_points.select_related("leader", "target")
    return _row_or_404(points, pk, "联系点")


def venue_of(org: Org, pk: int) -> Venue:
    return _row_or_404(org.venues.all(), pk, "活动阵地")


def staff_post_of(org: Org, pk: int) -> StaffPost:
    return _row_or_404(org.staff_posts.select_related("member"), pk, "党务干部")


def current_leaders(org: Org, day: dt.date) -> list[dict[str, Any]]:
    """Members holding a seat of `org` on `day`, in seat order, each with their seats."""
    order = list(SeatRole.values)
    seats = sorted(
        (s for s in org.seats.select_related("member") if is_seat_active(s, day)),
        key=lambda s: (order.index(s.role), s.started_on or dt.date.min, s.pk),
    )
    leaders: dict[int, dict[str, Any]] = {}
    for seat in seats:
        leaders.setdefault(seat.member_id, {"member": seat.member, "seats": []})["seats"].append(
            seat
        )
    return list(leaders.values())


def visit_counts(points: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], dict]:
    """{(contact point id, year): {kind: n}} in one grouped query."""
    years = sorted(years)
    rows = (
        Visit.objects.filter(
            contact_point_id__in=list(points),
            visited_on__gte=dt.date(years[0], 1, 1),
            visited_on__lte=dt.date(years[-1], 12, 31),
        )
        .annotate(year=ExtractYear("visited_on"))
        .values("contact_point_id", "year", "kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[(row["contact_point_id"], row["year"])][row["kind"]] = row["n"]
    return counts


def contact_points_of(org: Org, day: dt.date, recent: int = 20) -> dict[str, Any]:
    """The 联系点 page (ORG-07): current leaders with their active contact points and the
    visits of this year and last year by kind; former pairings; the latest visits."""
    leaders = current_leaders(org, day)
    points = list(
        org.leader_contact_points.select_related("leader", "target").order_by("started_on", "pk")
    )
    years = (day.year, day.year - 1)
    counts = visit_counts([p.pk for p in points], years)
    kinds = VisitKind.choices
    for point in points:
        point.active = is_row_active(point, day)
        point.by_year = [
            (year, [(label, counts[(point.pk, year)].get(kind, 0)) for kind, label in kinds])
            for year in years
        ]
    for leader in leaders:
        leader["points"] = [p for p in points if p.leader_id == leader["member"].pk and p.active]
    seated = {leader["member"].pk for leader in leaders}
    visits = Visit.objects.filter(contact_point__org=org).select_related(
        "contact_point__leader", "contact_point__target"
    )
    return {
        "leaders": leaders,
        "points": points,
        "others": [p for p in points if not p.active or p.leader_id not in seated],
        "recent": list(visits.order_by("-visited_on", "-pk")[:recent]),
        "years": years,
    }


def contact_targets(org: Org, day: dt.date, limit: int = 300) -> list[tuple[str, str]]:
    """(code, name) of the orgs a leader of `org` may take as contact point, for a picker."""
    found = active_on(subtree(org), day).exclude(kind=OrgKind.PARTY_GROUP)
    if not org.holds_members:
        found = found.exclude(pk=org.pk)
    return list(found.order_by("path").values_list("code", "name")[:limit])


def contact_target(org: Org, code: str) -> Org:
    """The org with `code` in `org`'s subtree (the domain checks the rest), else an error."""
    target = subtree(org).filter(code=code.strip()).first()
    if target is None:
        raise reference_error("target", CONTACT_TARGET, code.strip())
    return target


def contact_leader(org: Org, code: str) -> Any:
    """The member with `code` who holds or held a seat of `org` (the domain checks the
    day and the actor's scope), else an error on "leader"."""
    from xianfeng.members.models import Member

    member = Member.objects.filter(code=code.strip(), seats__org=org).distinct().first()
    if member is None:
        raise reference_error("leader", CONTACT_LEADER, code.strip())
    return member


def venue_checklist(venue: Venue) -> list[tuple[str, bool]]:
    """(label, present) of the "六有" items and the disclosure board (ORG-08)."""
    items = [(label, bool(getattr(venue, field))) for field, label in VENUE_ITEMS.items()]
    return [*items, (DISCLOSURE_BOARD, venue.has_disclosure_board)]


DISCLOSURE_BOARD = "有党务公开栏"


def is_venue_open(venue: Venue, day: dt.date) -> bool:
    return venue.closed_on is None or venue.closed_on > day


def venues_of(org: Org, day: dt.date) -> dict[str, Any]:
    """The org's venues (open first) and the open shared venues of the orgs above it."""
    own = sorted(org.venues.all(), key=lambda v: (not is_venue_open(v, day), v.name, v.pk))
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]
    shared = (
        Venue.objects.filter(org__path__in=paths, shared=True)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .select_related("org")
        .order_by("org__path", "name")
    )
    for venue in [*own, *shared]:
        venue.is_open = is_venue_open(venue, day)
        venue.checklist = venue_checklist(venue)
        venue.missing = venue.missing_items()
    return {"venues": own, "shared_above": list(shared)}


def staff_posts_of(org: Org, day: dt.date) -> dict[str, list[StaffPost]]:
    posts = list(org.staff_posts.select_related("member").order_by("-full_time", "started_on"))
    return {
        "listed": [p for p in posts if p.ended_on is None or p.ended_on >= day],
        "current": [p for p in posts if is_row_active(p, day)],
        "past": [p for p in posts if p.ended_on is not None and p.ended_on < day],
        "future": [p for p in posts if p.started_on > day],
    }


def unit_top(org: Org) -> Org | None:
    """The topmost org of `org`'s unit: same unit_name, parent absent or of another unit."""
    if not org.unit_name:
        return None
    top = org
    for above in reversed(list(ancestors(org))):
        if above.unit_name != org.unit_name:
            break
        top = above
    return top


def full_time_staff_in(org: Org, day: dt.date) -> int:
    """Full-time staff posts active on `day` anywhere in `org`'s subtree."""
    posts = StaffPost.objects.filter(
        org__path__startswith=org.path, full_time=True, started_on__lte=day
    )
    return posts.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)).count()


def unit_staffing(org: Org, day: dt.date, policy: Any) -> dict[str, Any] | None:
    """The unit's headcount, its full-time party-affairs staff and their ratio (ORG-08)."""
    top = unit_top(org)
    if top is None:
        return None
    full_time = full_time_staff_in(top, day)
    headcount = top.unit_headcount
    ratio = full_time / headcount if headcount else None
    low = policy.entry("org.staff.min_ratio", top.path)
    high = policy.entry("org.staff.max_ratio", top.path)
    judged = ratio is not None and low["value"] > 0
    return {
        "unit": top,
        "headcount": headcount,
        "full_time": full_time,
        "ratio": ratio,
        "percent": ratio * 100 if ratio is not None else None,
        "min_ratio": {**low, "percent": low["value"] * 100},
        "max_ratio": {**high, "percent": high["value"] * 100},
        "below": judged and ratio < low["value"],  # type: ignore[operator]
        "above": judged and ratio > high["value"],  # type: ignore[operator]
    }


BUDGET_STATUSES = ("full", "probationary")
MONEY = Decimal("0.01")


def budget_members_on(org: Org, day: dt.date) -> int:
    """Full and probationary members in `org`'s subtree on `day` (ORG-09's head count)."""
    from xianfeng.members.queries import counts_by_org_on

    counts = counts_by_org_on(day, Q(org__path__startswith=org.path))
    return sum(n for by in counts.values() for status, n in by.items() if status in BUDGET_STATUSES)


def budget_standard(org: Org, year: int) -> dict[str, Any]:
    """The standard of `year` (ORG-09): the policy's per-member amount × the members on the
    year's first day; `required` is None when the policy sets no standard (0)."""
    from xianfeng.compliance.policy import resolver

    first = dt.date(year, 1, 1)
    entry = resolver(day=first).entry("org.budget.per_member_yuan", org.path)
    members = budget_members_on(org, first)
    per = Decimal(entry["value"])
    required = (per * members).quantize(MONEY) if per > 0 else None
    return {"per_member": entry, "members": members, "required": required}


def budget_years(org: Org, day: dt.date, keep: int = 10) -> list[dict[str, Any]]:
    """Per year (newest first, the current one always): budget, standard, spent, balance.

    Budgets and spending come from two queries; the standard takes a member count and a
    policy lookup per year shown (at most `keep` years).
    """
    budgets = {b.year: b for b in org.budgets.all()}
    spent = dict(
        org.spendings.filter(spent_on__lte=day)
        .annotate(year=ExtractYear("spent_on"))
        .values("year")
        .annotate(total=Sum("amount"))
        .values_list("year", "total")
    )
    years = sorted({*budgets, *spent, day.year}, reverse=True)[:keep]
    rows = []
    for year in years:
        budget = budgets.get(year)
        total = Decimal(spent.get(year) or 0).quantize(MONEY)
        amount = budget.amount if budget else None
        rows.append(
            {
                "year": year,
                "budget": budget,
                "spent": total,
                "balance": amount - total if amount is not None else None,
                "overspent": amount is not None and total > amount,
                **budget_standard(org, year),
            }
        )
    for row in rows:
        row["short"] = (
            row["required"] is not None
            and row["budget"] is not None
            and row["budget"].amount < row["required"]
        )
    return rows


def spendings_in(org: Org, year: int) -> list[Spending]:
    return list(org.spendings.filter(spent_on__year=year).order_by("-spent_on", "-pk"))


# --- term extension (ORG-04) -------------------------------------------------------------


def extension_due(term: Any, day: dt.date, policy: Any, path: str) -> bool:
    """The current term is expiring (inside the earliest reminder window) or expired."""
    months = policy.value("org.term.reminder_months", path) or [0]
    return day >= add_months(term.dates.expires_on, -max(months))


def extension_approvals(org: Org) -> dict[int, list[dict[str, Any]]]:
    """Per term of `org`: each approved extension with who approved it and when, from the
    terms' history in one query (PLAT-02)."""
    records = (
        Term.history.filter(org_id=org.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    approvals: dict[int, list[dict[str, Any]]] = defaultdict(list)
    before: dict[int, dt.date | None] = {}
    for record in records:
        until = record.approved_extension_until
        if until is not None and until != before.get(record.id):
            approvals[record.id].append(
                {"until": until, "by": record.history_user, "at": record.history_date}
            )
        before[record.id] = until
    return approvals
