"""ORG-07: leaders keep contact points, visit them yearly and meet the quarterly duties."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractQuarter

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, parse_period

from ..models import ContactPoint, OrgKind, Seat, SeatRole, Visit, VisitKind
from ._reads import cited

K = OrgKind
VISITS = (VisitKind.VISIT, VisitKind.GUIDANCE)  # both count as 走访 (ORG-07)
# (evidence key, parameter, visit kinds counted, duty, unit) of the quarterly duties
QUARTER_DUTIES = (
    ("reports", "org.contact.reports_per_quarter", (VisitKind.REPORT,), "听取党建工作汇报", "次"),
    ("visits", "org.contact.visits_per_quarter", VISITS, "走访调研", "次"),
    ("problems", "org.contact.problems_per_quarter", (VisitKind.PROBLEM,), "解决实际问题", "个"),
)


@dataclass
class Leader:
    """A member's seats in one leadership org during the period, and the visits recorded
    at the member's contact points of that org, by (quarter, kind) (ORG-07)."""

    org: dict[str, Any]
    member_id: int
    seats: list[Any] = field(default_factory=list)
    visits: Counter[tuple[int, str]] = field(default_factory=Counter)

    def served(self, first: dt.date, last: dt.date) -> bool:
        """In the leadership on both days (a change of role in between keeps them in)."""
        seats = self.seats
        return any(_is_active(s, first) for s in seats) and any(_is_active(s, last) for s in seats)

    def found(self, period: str, severity: str, message: str, evidence: dict) -> Found:
        return Found(self.org["id"], period, severity, message, evidence, self.member_id)


def _is_active(row: dict[str, Any], day: dt.date) -> bool:
    """A seat or contact point on `day`: started (or no date), not past its last day."""
    started = row["started_on"] is None or row["started_on"] <= day
    return started and (row["ended_on"] is None or row["ended_on"] >= day)


def _leaders(ctx: Context) -> dict[tuple[int, int], Leader]:
    """Members holding a seat during the period in an org of org.contact.leader_kinds,
    per (org, member) (ORG-07; one query)."""
    orgs = {
        o["id"]: o
        for o in ctx.orgs()
        if o["kind"] in ctx.policy.value("org.contact.leader_kinds", o["path"])
    }
    last = ctx.period.end - dt.timedelta(days=1)
    rows = Seat.objects.filter(
        ctx.path_q("org__path"),
        Q(started_on__isnull=True) | Q(started_on__lte=last),
        Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.period.start),
        org__kind__in={o["kind"] for o in orgs.values()},
        member__isnull=False,
    ).values("id", "org_id", "member_id", "role", "started_on", "ended_on")
    leaders: dict[tuple[int, int], Leader] = {}
    for row in rows:
        if row["org_id"] in orgs:
            key = (row["org_id"], row["member_id"])
            leaders.setdefault(key, Leader(orgs[row["org_id"]], row["member_id"]))
            leaders[key].seats.append(row)
    return leaders


def _points_on(ctx: Context) -> Counter[tuple[int, int]]:
    """Contact points active on `day` per (org, leader) (ORG-07; one query)."""
    day = ctx.day
    rows = ContactPoint.objects.filter(
        ctx.path_q("org__path"),
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        started_on__lte=day,
    ).values_list("org_id", "leader_id")
    return Counter(rows)


def _add_visits(ctx: Context, leaders: dict[tuple[int, int], Leader]) -> None:
    """Visits of the period by (quarter, kind) onto each leader (ORG-07; one grouped query)."""
    rows = (
        Visit.objects.filter(
            ctx.path_q("contact_point__org__path"),
            visited_on__gte=ctx.period.start,
            visited_on__lt=ctx.period.end,
        )
        .annotate(quarter=ExtractQuarter("visited_on"))
        .values("contact_point__org_id", "contact_point__leader_id", "quarter", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        leader = leaders.get((row["contact_point__org_id"], row["contact_point__leader_id"]))
        if leader is not None:
            leader.visits[(row["quarter"], row["kind"])] += row["n"]


def _is_whole_year(period: Period) -> bool:
    year = period.start.year
    return period.start == dt.date(year, 1, 1) and period.end == dt.date(year + 1, 1, 1)


def _ended_quarters(ctx: Context) -> list[tuple[int, Period]]:
    """(number, quarter) of the quarters inside the period that have ended by as_of."""
    year, period = ctx.period.start.year, ctx.period
    quarters = [(n, parse_period(f"{year}-Q{n}")) for n in range(1, 5)]
    return [
        (n, q)
        for n, q in quarters
        if period.start <= q.start and q.end <= period.end and q.end <= ctx.as_of
    ]


@rule(
    "ORG-07",
    title="班子成员建立联系点",
    text="党员领导干部要带头建立联系点，每名党委领导班子成员至少联系1个基层党支部（seed 002）；"
    "党组（党委）成员要结合分工，建立基层党建工作联系点，每季度听取1次党建工作汇报、"
    "开展1次走访调研、解决1个实际问题（seed 003）；区级党员领导干部至少联系指导一个基层支部，"
    "每年至少走访指导1次（seed 004）。",
    source="seed 000 §4.4；seed 002 §4.2；seed 003 §4.2；seed 004 §4.2.2",
    period="year",
    severity="error",
    kinds=[K.PARTY_COMMITTEE, K.WORKING_COMMITTEE],
)
def org_07_contact_points(ctx: Context) -> Iterator[Found]:
    """Leaders without enough contact points on `day`, below the yearly visits of an
    ended year, or short of the quarterly duties of ended quarters (ORG-07).

    A leader holds any seat in an org of org.contact.leader_kinds; only the contact
    points recorded for that org and that member count.
    """
    leaders = _leaders(ctx)
    if not leaders:
        return
    points = _points_on(ctx)
    whole_year = _is_whole_year(ctx.period) and ctx.period.end <= ctx.as_of
    quarters = _ended_quarters(ctx)
    if whole_year or quarters:
        _add_visits(ctx, leaders)
    for key, leader in leaders.items():
        yield from _check_points(ctx, leader, points[key])
        if whole_year:
            yield from _check_year_visits(ctx, leader)
        for number, quarter in quarters:
            yield from _check_quarter(ctx, leader, number, quarter)


def _check_points(ctx: Context, leader: Leader, points: int) -> Iterator[Found]:
    """ORG-07 a): on `day`, each leader keeps at least min_points_per_leader points."""
    held = [seat for seat in leader.seats if _is_active(seat, ctx.day)]
    need = ctx.policy.entry("org.contact.min_points_per_leader", leader.org["path"])
    if not held or points >= need["value"]:
        return
    roles = [role for role in SeatRole if role in {seat["role"] for seat in held}]
    who = "、".join(str(role.label) for role in roles)
    message = (
        f"班子成员（{who}）联系点{points}个，少于{need['value']}个"
        if points
        else f"班子成员（{who}）未建立联系点"
    )
    evidence = {
        "seats": [seat["id"] for seat in held],
        "roles": [role.value for role in roles],
        "contact_points": points,
        "threshold": need["value"],
        "as_of": ctx.day.isoformat(),
    }
    yield leader.found(ctx.period.label, "error", message, cited(evidence, need))


def _check_year_visits(ctx: Context, leader: Leader) -> Iterator[Found]:
    """ORG-07 b): an ended year's visits of a leader in office from Oct 1 to Dec 31
    (a leader in office less than a quarter is not judged)."""
    need = ctx.policy.entry("org.contact.min_visits_per_year", leader.org["path"])
    year = ctx.period.start.year
    if need["value"] <= 0 or not leader.served(dt.date(year, 10, 1), dt.date(year, 12, 31)):
        return
    visits = sum(n for (_quarter, kind), n in leader.visits.items() if kind in VISITS)
    if visits >= need["value"]:
        return
    message = f"{year}年走访指导联系点{visits}次，少于{need['value']}次"
    evidence = {
        "seats": [seat["id"] for seat in leader.seats],
        "visits": visits,
        "threshold": need["value"],
        "year": year,
    }
    yield leader.found(ctx.period.label, "warning", message, cited(evidence, need))


def _check_quarter(ctx: Context, leader: Leader, number: int, quarter: Period) -> Iterator[Found]:
    """ORG-07 c): one warning per ended quarter the leader served whole, naming every
    duty short of its policy value (seed 003 §4.2); a value of 0 checks nothing."""
    if not leader.served(quarter.start, quarter.end - dt.timedelta(days=1)):
        return
    policy = ctx.policy.at(leader.org["path"])
    duties = [
        (name, policy.entry(key), sum(leader.visits[(number, kind)] for kind in kinds), duty, unit)
        for name, key, kinds, duty, unit in QUARTER_DUTIES
    ]
    short = [
        (entry, f"{duty}{count}{unit}（应{entry['value']}{unit}）")
        for _name, entry, count, duty, unit in duties
        if count < entry["value"]
    ]
    if not short:
        return
    evidence: dict[str, Any] = {"seats": [seat["id"] for seat in leader.seats]}
    for name, entry, count, _duty, _unit in duties:
        evidence[name] = {"count": count, "threshold": entry["value"]}
    message = f"{quarter.label}联系点工作未达要求：" + "、".join(text for _entry, text in short)
    evidence["policy"] = short[0][0]["policy"]
    evidence["source"] = "；".join(dict.fromkeys(entry["source"] for entry, _text in short))
    yield leader.found(quarter.label, "warning", message, evidence)
