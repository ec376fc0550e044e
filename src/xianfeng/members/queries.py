"""Reads of the member registry reused by pages, API, exports and rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q, reference_error, scope_paths
from xianfeng.lib.cipher import IdKeyMismatch, get_cipher
from xianfeng.orgs.models import Org

from .models import Member, Placement, Status, StatusSpell, Transfer, TransferStatus


def check_id_keys() -> None:
    """Raise ValidationError with a clear message when the ID-number keys do not fit the
    database (it was moved without its key files): one stored number is decrypted."""
    token = Member.objects.values_list("id_number_cipher", flat=True).first()
    try:
        if token:
            get_cipher().decrypt(token)
    except IdKeyMismatch as error:
        raise ValidationError(str(error)) from None


def members_for_user(user: Any) -> QuerySet[Member]:
    """Members of orgs in the user's scope, or only the user's own record (PLAT-01)."""
    if scope_paths(user) is None:
        return Member.objects.select_related("org")
    query = path_q(user, "org__path")
    own = getattr(user, "member_id", None)
    if own:
        query |= Q(pk=own)
    return Member.objects.filter(query).select_related("org")


def transfer_destination(code: str) -> Org:
    """The org a transfer is addressed to (any org; `send_transfer` decides whether the
    sender may address it, with the same answer as for an unknown code)."""
    org = Org.objects.filter(code=code.strip()).first()
    if org is None:
        raise reference_error("to_org", "党组织", code.strip())
    return org


def get_member_for_user(user: Any, code: str) -> Member:
    member = members_for_user(user).filter(code=code).first()
    if member is None:
        raise Http404("没有找到该党员，或不在您的管辖范围内")
    return member


def search_members(queryset: QuerySet[Member], text: str) -> QuerySet[Member]:
    """By name, code or pinyin initials."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(name__contains=text) | Q(code__iexact=text) | Q(name_initials__startswith=text.lower())
    )


def filter_members(
    queryset: QuerySet[Member],
    *,
    org: Org | None = None,
    text: str = "",
    status: str = "",
    category: str = "",
    include_left: bool = False,
    leading_cadre: bool | None = None,
) -> QuerySet[Member]:
    if org is not None:
        queryset = queryset.filter(org__path__startswith=org.path)
    if status:
        queryset = queryset.filter(status=status)
    elif not include_left:
        queryset = queryset.exclude(status=Status.LEFT)
    if category:
        queryset = queryset.filter(category=category)
    if leading_cadre is not None:
        queryset = queryset.filter(leading_cadre=leading_cadre)
    return search_members(queryset, text)


def covering(day: dt.date, prefix: str = "") -> Q:
    """A placement or status spell (half-open [started_on, ended_on)) covering `day`."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


ACTIVE = (Status.FULL, Status.PROBATIONARY)  # statuses of members who take part
FEW = 5000  # ids named in one query at most (SQLite allows 32,766 parameters)
# (member, org, placed since, joined the party, leading cadre)
PlacedRow = tuple[int, int, dt.date, dt.date, bool]
# (member, org, placed since)
Placed = tuple[int, int, dt.date]


def members_placed_on(orgs_q: Q, day: dt.date) -> QuerySet[Placement]:
    """Placements in the subtree covering `day` of members who are full or probationary
    members that day (a join on the status spells: a correlated EXISTS would let SQLite
    scan the status index once per placement)."""
    spell = "member__status_spells__"
    active = Q(covering(day, spell), **{f"{spell}status__in": ACTIVE})
    return Placement.objects.filter(orgs_q, covering(day)).filter(active).order_by()


def placements_in(orgs_q: Q, day: dt.date) -> list[Placed]:
    """(member, org, placed since) of every placement in the subtree covering `day`,
    whatever the member's status (one read; the members' own columns are read apart, by
    `member_traits`: joined here they cost PostgreSQL a hash of every member per day)."""
    rows = Placement.objects.filter(orgs_q, covering(day)).order_by()
    return list(rows.values_list("member_id", "org_id", "started_on"))


def member_traits(members: list[int] | None = None) -> dict[int, tuple[dt.date, bool]]:
    """(joined the party, leading cadre) of `members` when given, else of every member
    (one read)."""
    rows = Member.objects.order_by()
    if members is not None:
        rows = rows.filter(pk__in=members)
    return {
        pk: (joined, cadre)
        for pk, joined, cadre in rows.values_list("pk", "joined_on", "leading_cadre")
    }


def statuses_on(day: dt.date, members: list[int] | None = None) -> dict[int, tuple[str, ...]]:
    """Each member's statuses on `day` (the status spells covering it), of `members` only
    when given (read by the member index), else of every member (one read)."""
    spells = StatusSpell.objects.filter(covering(day))
    if members is not None:
        spells = spells.filter(member_id__in=members)
    statuses: dict[int, tuple[str, ...]] = {}
    for member_id, status in spells.order_by().values_list("member_id", "status"):
        if member_id in statuses:
            statuses[member_id] += (status,)
        else:
            statuses[member_id] = (status,)
    return statuses


def members_placed_during(orgs_q: Q, first: dt.date, last: dt.date) -> list[int]:
    """Members with a placement in the subtree at some time from `first` to `last`."""
    rows = Placement.objects.filter(
        orgs_q, Q(ended_on__isnull=True) | Q(ended_on__gt=first), started_on__lte=last
    )
    return list(rows.order_by().values_list("member_id", flat=True).distinct())


def members_placed_anywhere_on(day: dt.date, members: list[int] | None = None) -> set[int]:
    """Members with a placement (any org) covering `day`; only `members` when given."""
    rows = Placement.objects.filter(covering(day))
    if members is not None:
        rows = rows.filter(member_id__in=members)
    return set(rows.order_by().values_list("member_id", flat=True))


def placements_on(day: dt.date, org: Org) -> QuerySet[Placement]:
    """Placements in `org`'s subtree that cover `day`."""
    return Placement.objects.filter(covering(day), org__path__startswith=org.path)


@dataclass(frozen=True)
class MemberCounts:
    """Members of a subtree on a day by status and by (current) primary category."""

    by_status: dict[str, int]
    by_category: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def counts_as_of(org: Org, day: dt.date) -> MemberCounts:
    """Members of the subtree on `day` by status and by category, those who had left not
    counted: one read grouped by both (the org page and the counts endpoint)."""
    member_ids = placements_on(day, org).values("member_id")
    rows = (
        StatusSpell.objects.filter(covering(day), member_id__in=member_ids)
        .exclude(status=Status.LEFT)
        .order_by()
        .values_list("status", "member__category")
        .annotate(n=Count("pk"))
    )
    by_status: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    for status, category, n in rows:
        by_status[status] += n
        by_category[category] += n
    return MemberCounts(dict(by_status), dict(by_category))


def status_counts_as_of(org: Org, day: dt.date) -> dict[str, int]:
    """Members of the subtree on `day` by status; those who had left are not counted."""
    return counts_as_of(org, day).by_status


def category_counts_as_of(org: Org, day: dt.date) -> dict[str, int]:
    """Members of the subtree on `day` by (current) primary category, leavers excluded."""
    return counts_as_of(org, day).by_category


def org_on(member: Member, day: dt.date) -> Org | None:
    """The one org the member belonged to on `day` (MEM-05), or None."""
    placement = member.placements.filter(covering(day)).select_related("org").first()
    return placement.org if placement else None


class PlacementsOf:
    """The placements of some members, read at once: `org_on` for many rows (an import's
    chunk) without a query per row. A member not read is looked up (`org_on`)."""

    def __init__(self, member_ids: Iterable[int]):
        self.placements: dict[int, list[Placement]] = {}
        wanted = sorted(set(member_ids))
        for start in range(0, len(wanted), FEW):
            ids = wanted[start : start + FEW]
            self.placements |= {member_id: [] for member_id in ids}
            rows = Placement.objects.filter(member_id__in=ids).select_related("org")
            for placement in rows.order_by("member_id", "started_on", "pk"):
                self.placements[placement.member_id].append(placement)

    def org_on(self, member: Member, day: dt.date) -> Org | None:
        """As `org_on(member, day)`."""
        if member.pk not in self.placements:
            return org_on(member, day)
        for placement in self.placements[member.pk]:
            if placement.started_on <= day and (
                placement.ended_on is None or placement.ended_on > day
            ):
                return placement.org
        return None


def transfers_for_user(user: Any) -> QuerySet[Transfer]:
    """Transfers whose sending or receiving org is in scope (both sides see their part)."""
    query = path_q(user, "from_org__path") | path_q(user, "to_org__path")
    return Transfer.objects.filter(query).select_related("member", "from_org", "to_org")


def inbox(user: Any) -> QuerySet[Transfer]:
    return Transfer.objects.filter(path_q(user, "to_org__path")).select_related(
        "member", "from_org", "to_org"
    )


def outbox(user: Any) -> QuerySet[Transfer]:
    return Transfer.objects.filter(path_q(user, "from_org__path")).select_related(
        "member", "from_org", "to_org"
    )


def get_transfer_for_user(user: Any, pk: int) -> Transfer:
    transfer = (inbox(user) | outbox(user)).filter(pk=pk).first()
    if transfer is None:
        raise Http404("没有找到该转接记录，或不在您的管辖范围内")
    return transfer


def pending_count(user: Any) -> int:
    return inbox(user).filter(status=TransferStatus.IN_TRANSIT).count()


COUNTS_SQL = """
SELECT p.org_id, s.status, COUNT(*)
FROM members_placement p JOIN members_statusspell s ON s.member_id = p.member_id
WHERE p.started_on <= %s AND (p.ended_on IS NULL OR p.ended_on > %s)
  AND s.started_on <= %s AND (s.ended_on IS NULL OR s.ended_on > %s)
  AND p.org_id IN ({orgs})
GROUP BY p.org_id, s.status
"""


def _without_prefix(query: Q, prefix: str) -> Q:
    """`query` with `prefix` taken off every lookup (org__path → path)."""
    copy = Q()
    copy.connector, copy.negated = query.connector, query.negated
    for child in query.children:
        if isinstance(child, Q):
            copy.children.append(_without_prefix(child, prefix))
        else:
            copy.children.append((child[0].removeprefix(prefix), child[1]))  # type: ignore[index]
    return copy


def counts_by_org_on(day: dt.date, orgs_q: Q) -> dict[int, dict[str, int]]:
    """Members per branch-level org on `day` by status (full, probationary, …), one
    grouped query over placements and status spells; `orgs_q` filters on `org__path`.

    Written as plain SQL: the ORM would join the member table between placements and
    status spells, which every rule pays for at city scale (ORG-03, ORG-04, ORG-09).
    """
    orgs_sql, orgs_params = (
        Org.objects.filter(_without_prefix(orgs_q, "org__")).values("id").query.sql_with_params()
    )
    value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL.format(orgs=orgs_sql), [value] * 4 + list(orgs_params))
        rows = cursor.fetchall()
    counts: dict[int, dict[str, int]] = {}
    for org_id, status, n in rows:
        counts.setdefault(org_id, {})[status] = n
    return counts


ACTIVE_COUNTS_SQL = """
SELECT p.org_id, COUNT(*), COUNT(*) FILTER (WHERE p.member_id IN ({marked}))
FROM members_placement p
WHERE p.started_on <= %s AND (p.ended_on IS NULL OR p.ended_on > %s)
  AND p.org_id IN ({orgs})
  AND +p.member_id IN (
    SELECT s.member_id FROM members_statusspell s
    WHERE s.status IN (%s, %s) AND s.started_on <= %s AND (s.ended_on IS NULL OR s.ended_on > %s)
  )
GROUP BY p.org_id
"""


def active_counts_by_org(
    day: dt.date, orgs_q: Q, marked: QuerySet[Any]
) -> dict[int, tuple[int, int]]:
    """Per org of the subtree (`orgs_q` on `org__path` or `org__id`), its placements on
    `day` of members full or probationary then, and those of them among `marked` (a
    query of member ids: dual-lead records of a year, talent tags open on a day): {org:
    (members, marked)}, orgs with none left out. One read grouped by org, the status
    spells and `marked` as subqueries.

    Plain SQL as `counts_by_org_on`: the orgs as a subquery of ids, and the placements'
    member column kept from its index (`+`), so that SQLite walks the placements' (org,
    started_on, ended_on, member) index in org order and groups without sorting, rather
    than probing the placements member by member from the status index and sorting the
    groups."""
    orgs_sql, orgs_params = (
        Org.objects.filter(_without_prefix(orgs_q, "org__")).values("id").query.sql_with_params()
    )
    marked_sql, marked_params = marked.query.sql_with_params()
    value = connection.ops.adapt_datefield_value(day)
    params = [*marked_params, value, value, *orgs_params, *map(str, ACTIVE), value, value]
    sql = ACTIVE_COUNTS_SQL.format(orgs=orgs_sql, marked=marked_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {org_id: (n, marked_n) for org_id, n, marked_n in cursor.fetchall()}
