"""The monthly ledger's amounts owed (DUES-01): for each member and month, what they owe,
computed set-wise for a year from their status, placement, dues kind, declared base, the
policy's brackets and an approved reduction.

A member owes a month while a full or probationary status spell overlaps it (a
probationary member pays from the month of the admission meeting) and they are placed in
an org during it; the month's line belongs to the org of their latest placement that
month, so a member transferred mid-year keeps one ledger whose lines follow them. The
dues kind of a month is the one in effect on its last day (a retirement on the 15th
counts from that month), else the kind the member's category implies. Amounts are
`Decimal` yuan rounded to the fen half-up.

`refresh(year, members)` writes the computed lines (`Due`), keeping what was paid.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.core.demo import Inserter
from xianfeng.lib.dates import add_months
from xianfeng.lib.sql import large_page_cache
from xianfeng.members.models import Category, Member, Placement, StatusSpell
from xianfeng.members.queries import ACTIVE, FEW
from xianfeng.orgs.models import Org, OrgPreference

from . import kept_totals, periods
from .models import BASED_KINDS, Declaration, Due, DuesKind, KindSpell, Reduction, ReductionState

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
FARMER_KEY = "dues.farmer_monthly_yuan"

# The dues kind a member's category implies when no kind was recorded for them.
DEFAULT_KINDS = {
    Category.IN_SERVICE: DuesKind.SALARIED,
    Category.RURAL: DuesKind.FARMER,
    Category.RETIRED: DuesKind.RETIRED,
    Category.FRAIL: DuesKind.RETIRED,
    Category.MOBILE: DuesKind.SALARIED,
    Category.STUDENT: DuesKind.MINIMUM,
}


def default_kind(category: str) -> str:
    return str(DEFAULT_KINDS.get(category, DuesKind.SALARIED))  # type: ignore[call-overload]


def to_fen(value: Decimal) -> Decimal:
    """Yuan rounded to the fen, half-up (0.005 → 0.01)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Brackets:
    """A kind's brackets: `rates[i]` (percent) for a base up to `upper_bounds[i]`
    inclusive; the last rate for a base above every bound."""

    upper_bounds: tuple[Decimal, ...]
    rates: tuple[Decimal, ...]

    def rate(self, base: Decimal) -> Decimal:
        for bound, rate in zip(self.upper_bounds, self.rates, strict=False):
            if base <= bound:
                return rate
        return self.rates[-1]

    def amount(self, base: Decimal) -> tuple[Decimal, Decimal]:
        """(rate in percent, amount owed) for a monthly base."""
        rate = self.rate(base)
        return rate, to_fen(base * rate / HUNDRED)


def decimal(value: object) -> Decimal:
    """A policy number as an exact Decimal (0.5 → Decimal('0.5'), never the float's digits)."""
    return Decimal(str(value))


@dataclass(frozen=True)
class Tariff:
    """What the policy says for the orgs under one set of layers: the brackets of the
    based kinds and the fixed amounts."""

    brackets: dict[str, Brackets]
    farmer_default: Decimal
    minimum: Decimal


def tariff_at(policy: Resolver, path: str) -> Tariff:
    at = policy.at(path)
    brackets = {}
    for kind in BASED_KINDS:
        bounds = tuple(decimal(v) for v in at.value(f"dues.{kind}.upper_bounds"))
        rates = tuple(decimal(v) for v in at.value(f"dues.{kind}.rates"))
        if len(rates) != len(bounds) + 1:
            raise ValueError(f"党费政策 dues.{kind}：比例应比收入上限多一档")
        brackets[str(kind)] = Brackets(bounds, rates)
    return Tariff(
        brackets,
        to_fen(decimal(at.value("dues.farmer.default_yuan"))),
        to_fen(decimal(at.value("dues.minimum.monthly_yuan"))),
    )


class Line(NamedTuple):
    """One computed member-month (a tuple: millions are made for a city's year)."""

    member: int
    month: dt.date
    org: int
    kind: str
    base: Decimal | None
    base_period: str
    rate: Decimal | None
    amount: Decimal | None
    reduction: int | None


def months_of(year: int) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each month of `year`."""
    firsts = [dt.date(year, m, 1) for m in range(1, 13)]
    return [(f, add_months(f, 1) - dt.timedelta(days=1)) for f in firsts]


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


# --- reads (one query each, for the members given or all) --------------------------------


def _member_filter(members: list[int] | None, field: str = "member_id") -> Q:
    return Q(**{f"{field}__in": members}) if members is not None else Q()


def _spans(model: type, year: int, members: list[int] | None, extra: Q, *names: str) -> dict:
    """{member: [(started, ended or None, *names)]} of the spells overlapping `year`."""
    first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    rows = model.objects.filter(  # type: ignore[attr-defined]
        _member_filter(members),
        extra,
        Q(ended_on__isnull=True) | Q(ended_on__gt=first),
        started_on__lt=after,
    )
    found: dict[int, list[tuple]] = defaultdict(list)
    for member, started, ended, *rest in rows.order_by().values_list(
        "member_id", "started_on", "ended_on", *names
    ):
        found[member].append((started, ended, *rest))
    return found


def _declarations(year: int, members: list[int] | None) -> dict[int, list[tuple[str, Decimal]]]:
    """{member: [(period, base)]} of every declaration up to `year`, oldest first."""
    rows = Declaration.objects.filter(_member_filter(members), period__lt=str(year + 1))
    found: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for member, period, base in rows.order_by("member_id", "period").values_list(
        "member_id", "period", "monthly_base"
    ):
        found[member].append((period, base))
    return found


def _kinds(members: list[int] | None) -> dict[int, list[tuple[dt.date, str]]]:
    found: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    rows = KindSpell.objects.filter(_member_filter(members)).order_by("member_id", "started_on")
    for member, started, kind in rows.values_list("member_id", "started_on", "kind"):
        found[member].append((started, kind))
    return found


def _reductions(year: int, members: list[int] | None) -> dict[int, list[tuple]]:
    rows = Reduction.objects.filter(
        _member_filter(members),
        state=ReductionState.APPROVED,
        first_month__lte=dt.date(year, 12, 1),
        last_month__gte=dt.date(year, 1, 1),
    )
    found: dict[int, list[tuple]] = defaultdict(list)
    for pk, member, first, last, amount in rows.order_by().values_list(
        "pk", "member_id", "first_month", "last_month", "monthly_amount"
    ):
        found[member].append((first, last, amount, pk))
    return found


def _farmer_amounts(orgs: Iterable[int]) -> dict[int, Decimal]:
    """The monthly amount each org fixed for its farmer members (orgs.preferences)."""
    rows = OrgPreference.objects.filter(key=FARMER_KEY, org_id__in=list(orgs))
    return {org: to_fen(decimal(value)) for org, value in rows.values_list("org_id", "value")}


# --- the computation -----------------------------------------------------------------------


def kind_on(member: Member, day: dt.date) -> str:
    """A member's dues kind on `day` (recorded, else implied by their category)."""
    return _kind_on(_kinds([member.pk]).get(member.pk, []), day, member.category)


def kind_spells(members: list[int]) -> dict[int, list[tuple[dt.date, str]]]:
    """{member: [(started on, kind)]} of `members`' recorded dues kinds, oldest first."""
    return _kinds(members)


def kinds_between(
    spells: list[tuple[dt.date, str]], category: str, first: dt.date, last: dt.date
) -> list[str]:
    """The dues kinds of the months from `first` to `last` of a member whose recorded
    kinds (`kind_spells`) are `spells` (each month's kind is the one in effect on its last
    day), in order, each once."""
    found: dict[str, None] = {}
    month = first.replace(day=1)
    while month <= last:
        found[_kind_on(spells, add_months(month, 1) - dt.timedelta(days=1), category)] = None
        month = add_months(month, 1)
    return list(found)


def _kind_on(kinds: list[tuple[dt.date, str]], day: dt.date, category: str) -> str:
    found = default_kind(category)
    for started, kind in kinds:
        if started > day:
            break
        found = kind
    return found


def _base_for(
    declared: list[tuple[str, Decimal]], kind: str, month: dt.date
) -> tuple[Decimal | None, str]:
    """The base a month's dues are worked out from and the declaration it comes from: of
    the year's declarations that hold in this month — the year's, the quarter's
    (self-employed), a month's from that month to December — the one that started last;
    else the latest one before this quarter (self-employed) or year (carried over)."""
    by_period = dict(declared)
    year, quarter = str(month.year), quarter_of(month)
    own = (quarter, year) if kind == DuesKind.SELF_EMPLOYED else (year,)
    holding = [p for p in own if p in by_period]
    holding += [
        p for p in by_period if periods.is_month(p) and p[:4] == year and periods.start(p) <= month
    ]
    if holding:
        period = max(holding, key=periods.order)
        return by_period[period], period
    limit = periods.start(quarter if kind == DuesKind.SELF_EMPLOYED else year)
    earlier = [p for p in by_period if periods.start(p) < limit]
    if earlier:
        period = max(earlier, key=periods.order)
        return by_period[period], period
    return None, ""


def _month_declarations(declared: list[tuple[str, Decimal]], year: int) -> list[str]:
    """The months of `year` a base was declared from, in order."""
    first, last = f"{year}-01", f"{year}-12"
    return [period for period, _base in declared if first <= period <= last]


class Computation:
    """Everything one year's lines are computed from, read in a handful of queries."""

    def __init__(self, year: int, members: list[int] | None = None):
        self.year = year
        self.statuses = _spans(StatusSpell, year, members, Q(status__in=ACTIVE))
        self.placements = _spans(Placement, year, members, Q(), "org_id")
        categories = Member.objects.filter(_member_filter(members, "pk")).order_by()
        self.categories = dict(categories.values_list("pk", "category"))
        self.kinds = _kinds(members)
        self.declarations = _declarations(year, members)
        self.reductions = _reductions(year, members)
        orgs = {s[2] for spans in self.placements.values() for s in spans}
        self.paths = dict(Org.objects.filter(pk__in=orgs).values_list("pk", "path"))
        self.farmer = _farmer_amounts(orgs)
        self.policy = resolver(day=dt.date(year, 12, 31))
        self.tariffs: dict[int, Tariff] = {}
        # (brackets, base) → (rate, amount): a base is looked up once, not once a month
        self.amounts: dict[tuple[int, Decimal], tuple[Decimal, Decimal]] = {}

    def tariff(self, org: int) -> Tariff:
        found = self.tariffs.get(org)
        if found is None:
            found = self.tariffs[org] = tariff_at(self.policy, self.paths[org])
        return found

    def lines(self) -> list[Line]:
        return list(self.iter_lines())

    def iter_lines(self) -> Iterator[Line]:
        """The lines member by member (a city's year without holding them all)."""
        months = months_of(self.year)
        for member in sorted(self.statuses):  # in the order of the lines' indexes
            statuses, placements = self.statuses[member], self.placements.get(member)
            if placements:
                yield from self._member_lines(member, statuses, placements, months)

    def _member_lines(
        self, member: int, statuses: list[tuple], placements: list[tuple], months: list
    ) -> Iterator[Line]:
        category = self.categories.get(member, "")
        kinds = self.kinds.get(member)
        usual = default_kind(category)
        bases: dict[tuple[str, str, str], tuple[Decimal | None, str]] = {}
        monthly = _month_declarations(self.declarations.get(member, []), self.year)
        for first, last in months:
            if not any(s[0] <= last and (s[1] is None or s[1] > first) for s in statuses):
                continue
            org, since = 0, None
            for started, ended, placed_at in placements:  # the latest placement of the month
                overlaps = started <= last and (ended is None or ended > first)
                if overlaps and (since is None or started > since):
                    org, since = placed_at, started
            if since is None:
                continue
            kind = _kind_on(kinds, last, category) if kinds else usual
            yield self._line(member, first, org, kind, bases, monthly)

    def _line(
        self,
        member: int,
        month: dt.date,
        org: int,
        kind: str,
        bases: dict[tuple[str, str, str], tuple[Decimal | None, str]],
        monthly: list[str],
    ) -> Line:
        tariff = self.tariff(org)
        base: Decimal | None = None
        period, rate, amount = "", None, None
        brackets = tariff.brackets.get(kind)
        if brackets is not None:
            # the months sharing a key share a base: looked up once, not once a month
            # (kind, quarter for the self-employed, the month declaration holding)
            key = (kind, quarter_of(month) if kind == DuesKind.SELF_EMPLOYED else "", "")
            if monthly:
                label = periods.month_period(month)
                applies = [period for period in monthly if period <= label]
                key = (*key[:2], applies[-1]) if applies else key
            found = bases.get(key)
            if found is None:
                found = bases[key] = _base_for(self.declarations.get(member, []), kind, month)
            base, period = found
            if base is not None:
                rate, amount = self._amount(brackets, base)
        elif kind == DuesKind.FARMER:
            amount = self.farmer.get(org, tariff.farmer_default)
        else:
            amount = tariff.minimum
        reduction = None
        for first, last, reduced, pk in self.reductions.get(member, ()):
            if first <= month <= last:
                amount, reduction = reduced, pk
        return Line(member, month, org, kind, base, period, rate, amount, reduction)

    def _amount(self, brackets: Brackets, base: Decimal) -> tuple[Decimal, Decimal]:
        key = (id(brackets), base)
        found = self.amounts.get(key)
        if found is None:
            found = self.amounts[key] = brackets.amount(base)
        return found


def compute(year: int, members: list[int] | None = None) -> list[Line]:
    """The lines of `year` for `members` (every member when None)."""
    return Computation(year, members).lines()


# --- storing -------------------------------------------------------------------------------

STORED = ("org_id", "kind", "base", "base_period", "rate", "amount", "reduction_id")
ZERO = Decimal(0)
WRITE_BATCH = 100_000  # new lines written at a time (a city's year is 3.6 M)


def settled(amount: Decimal | None, paid: Decimal) -> bool:
    """A month is paid up when what was paid covers what is owed (waived: 0 owed); while
    no base is known, when anything was paid."""
    return paid > 0 if amount is None else paid >= amount


def _stored(year: int, members: list[int] | None) -> dict[tuple[int, dt.date], tuple]:
    rows = Due.objects.filter(
        _member_filter(members), month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    )
    return {
        (row[0], row[1]): row[2:]
        for row in rows.order_by().values_list("member_id", "month", "pk", "paid", *STORED)
    }


def _chunks(ids: list[int]) -> Iterable[list[int] | None]:
    if len(ids) <= FEW:
        yield ids
        return
    for start in range(0, len(ids), FEW):
        yield ids[start : start + FEW]


@transaction.atomic
def refresh(year: int, members: list[int] | None = None) -> dict[str, int]:
    """Write the computed lines of `year` (for `members`, or everyone): new lines added,
    changed ones updated (what was paid kept, `settled` recomputed), lines no longer owed
    removed when nothing was paid on them, else kept owing 0. Returns the counts."""
    if members is None:  # millions of index entries: SQLite's default cache would thrash
        with large_page_cache():
            return _refresh(year, None)
    return _refresh(year, members)


def _refresh(year: int, members: list[int] | None) -> dict[str, int]:
    counts = {"added": 0, "changed": 0, "removed": 0}
    computed = Computation(year, members).iter_lines()
    scopes: Iterable[list[int] | None] = [None] if members is None else _chunks(members)
    stored: dict[tuple[int, dt.date], tuple] = {}
    for part in scopes:
        stored.update(_stored(year, part))
    insert = Inserter("dues", timezone.now())
    names = ["member_id", "month", *STORED, "paid", "settled"]
    new: list[tuple] = []
    changed = []
    touched: set[tuple[int, dt.date]] = set()  # (org, month) of the lines written
    for line in computed:
        old = stored.pop((line.member, line.month), None) if stored else None
        if old is None:
            new.append((*line, ZERO, settled(line.amount, ZERO)))
            if members is not None:  # a whole year is retotalled whole
                touched.add((line.org, line.month))
            if len(new) == WRITE_BATCH:
                insert.rows(Due, names, new)
                counts["added"] += len(new)
                new = []
        elif tuple(old[2:]) != line[2:]:
            changed.append((*line[2:], settled(line.amount, old[1]), old[0]))
            touched |= {(line.org, line.month), (old[2], line.month)}
    touched |= {(old[2], month) for (_member, month), old in stored.items()}
    gone_unpaid = [old[0] for old in stored.values() if old[1] == 0]
    for pks in _chunks(gone_unpaid):
        counts["removed"] += Due.objects.filter(pk__in=pks).delete()[0]
    kept = [(ZERO, None, True, old[0]) for old in stored.values() if old[1] != 0 and old[7] != 0]
    _update(["amount", "reduction_id", "settled"], kept)
    _update([*STORED, "settled"], changed)
    insert.rows(Due, names, new)
    counts["added"] += len(new)
    counts["changed"] = len(changed) + len(kept)
    if members is None:
        kept_totals.touch_year(year)
    else:
        kept_totals.touch_pairs(touched)
    return counts


def _update(columns: list[str], rows: list[tuple]) -> None:
    """Set `columns` of lines by id, each row (*values, id): one statement for all
    (`bulk_update` builds a CASE per column and row: seconds for a few thousand lines)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(column)} = %s" for column in columns)
    sql = f"UPDATE {quote(Due._meta.db_table)} SET {sets} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def keep_line(member: Member, month: dt.date, org: int) -> Due:
    """A line for a month the ledger does not owe that was paid all the same (restored: a
    month paid ahead before the member left): owing 0, as `refresh` keeps such a line."""
    last = add_months(month, 1) - dt.timedelta(days=1)
    due = Due(member=member, month=month, org_id=org, kind=kind_on(member, last))
    due.amount, due.paid, due.settled = Decimal(0), Decimal(0), True
    due.save()
    kept_totals.touch(month, [org])
    return due


Pending = dict[int, set[int]]  # year → members whose lines are to be recomputed
_PENDING: ContextVar[Pending | None] = ContextVar("dues_pending_refresh", default=None)
PENDING_CHUNK = 5000  # members computed together by refresh_pending


def refresh_member(member: int, years: Iterable[int]) -> None:
    """Recompute one member's lines for `years` (after a write that changes them); inside
    `collecting`, only note them."""
    pending = _PENDING.get()
    for year in sorted(set(years)):
        if pending is None:
            refresh(year, [member])
        else:
            pending.setdefault(year, set()).add(member)


@contextmanager
def collecting(pending: Pending) -> Iterator[None]:
    """Within the block `refresh_member` adds to `pending` instead of recomputing; the
    caller then recomputes them set-wise with `refresh_pending` (an import's many rows of
    kinds and bases: one computation per year instead of one per row)."""
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)


def refresh_years(pending: Pending) -> None:
    """Recompute the members of each year (after a set-wise write); inside `collecting`,
    only note them."""
    collected = _PENDING.get()
    if collected is None:
        refresh_pending(pending)
        return
    for year, members in pending.items():
        collected.setdefault(year, set()).update(members)


def refresh_pending(pending: Pending) -> None:
    for year in sorted(pending):
        members = sorted(pending[year])
        for start in range(0, len(members), PENDING_CHUNK):
            refresh(year, members[start : start + PENDING_CHUNK])
    pending.clear()


def paid_until(member: int) -> dt.date | None:
    """The month (first day) up to which the member's dues are paid without a gap — what
    a transfer letter states as 党费交至 — or None when no month was paid. Months with no
    base known count as paid once anything was paid for them."""
    lines = Due.objects.filter(member_id=member)
    gap = lines.filter(settled=False).order_by("month").values_list("month", flat=True).first()
    if gap is not None:
        lines = lines.filter(month__lt=gap)
    return lines.filter(settled=True).order_by("-month").values_list("month", flat=True).first()
