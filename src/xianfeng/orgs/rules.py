"""Compliance rules of organization setup (ORG-03 …), registered by requirement ID."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import Period, add_months, parse_period
from xianfeng.members.queries import counts_by_org_on

from .models import (
    ELECTED_KINDS,
    LEADERSHIP_KINDS,
    MEMBER_KINDS,
    VENUE_ITEMS,
    Budget,
    ContactPoint,
    Org,
    OrgKind,
    Seat,
    SeatRole,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
    VisitKind,
)
from .queries import SEAT_FIELDS, open_vacancies, term_dates

K = OrgKind


def _member_counts(ctx: Context, day: dt.date) -> dict[int, dict[str, int]]:
    """Members by org and status on `day`, counted once per evaluation for every rule."""
    return ctx.memo(("members", day), lambda: counts_by_org_on(day, ctx.path_q("org__path")))


def _rollup(orgs: list[dict[str, Any]], counts: dict[int, dict[str, int]]) -> dict[str, dict]:
    """Full and all members of each org's subtree, summed up the paths in memory."""
    totals: dict[str, dict[str, int]] = {o["path"]: {"full": 0, "all": 0} for o in orgs}
    path_of = {o["id"]: o["path"] for o in orgs}
    for org_id, by_status in counts.items():
        path = path_of.get(org_id)
        full = by_status.get("full", 0)
        every = full + by_status.get("probationary", 0)
        while path:
            if path in totals:
                totals[path]["full"] += full
                totals[path]["all"] += every
            path = path[: -Org.steplen]
    return totals


def _with_groups(ctx: Context) -> set[str]:
    """Paths of branches that have at least one active party group."""
    groups = [o["path"] for o in ctx.orgs(kinds=[K.PARTY_GROUP])]
    return {path[: -Org.steplen] for path in groups}


@rule(
    "ORG-03",
    title="党组织设置与党员人数相符",
    text="有正式党员3-50人的，单独成立党支部，50-100人的成立党总支，100人以上的成立党委，"
    "党员人数在20人以上的党支部，应当划分若干党小组。",
    source="seed 003 附件第1条；《中国共产党支部工作条例（试行）》第五条",
    period="state",
    severity="warning",
    kinds=[K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH, K.PARTY_COMMITTEE],
)
def org_03_size_matches_kind(ctx: Context) -> Iterator[Found]:
    """Every org whose number of full members does not fit its kind (ORG-03)."""
    orgs = ctx.orgs()
    totals = _rollup(orgs, _member_counts(ctx, ctx.day))
    grouped = _with_groups(ctx)
    checked = {K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH, K.PARTY_COMMITTEE}
    for org in orgs:
        if org["kind"] in checked:
            yield from _check_size(ctx, org, totals[org["path"]], org["path"] in grouped)


def _check_size(
    ctx: Context, org: dict, total: dict[str, int], has_groups: bool
) -> Iterator[Found]:
    entry = lambda key: ctx.policy.entry(f"org.setup.{key}", org["path"])  # noqa: E731
    full, every, kind = total["full"], total["all"], org["kind"]
    low, high, big = (
        entry("branch_min_full"),
        entry("branch_max_full"),
        entry("committee_min_full"),
    )
    evidence = {"full_members": full, "members": every, "as_of": ctx.day.isoformat()}

    def found(severity: str, message: str, param: dict) -> Found:
        return Found(
            org["id"],
            ctx.period.label,
            severity,
            message,
            {
                **evidence,
                "threshold": param["value"],
                "policy": param["policy"],
                "source": param["source"],
            },
        )

    label = OrgKind(kind).label
    if kind in MEMBER_KINDS and full < low["value"]:
        yield found(
            "error",
            f"{label}正式党员{full}人，不足{low['value']}人，不能单独成立党支部"
            "（可与邻近单位联合成立党支部）",
            low,
        )
    if kind in MEMBER_KINDS and full > high["value"]:
        yield found(
            "warning", f"{label}正式党员{full}人，超过{high['value']}人，应成立党总支", high
        )
    if kind == K.GENERAL_BRANCH and full <= high["value"]:
        yield found(
            "warning", f"党总支正式党员{full}人，不超过{high['value']}人，应设立党支部", high
        )
    if kind == K.GENERAL_BRANCH and full >= big["value"]:
        yield found("warning", f"党总支正式党员{full}人，达到{big['value']}人，应成立党委", big)
    levels = ctx.policy.value("org.setup.committee_min_sizes_levels", org["path"])
    if kind == K.PARTY_COMMITTEE and org["level"] in levels and full < big["value"]:
        yield found(
            "warning", f"党委正式党员{full}人，不足{big['value']}人，应设党总支或党支部", big
        )
    groups = entry("party_group_from_members")
    if kind in MEMBER_KINDS and every >= groups["value"] and not has_groups:
        yield found(
            "warning", f"党支部党员{every}人（{groups['value']}人以上），未划分党小组", groups
        )


# --- ORG-04 leadership and terms ---------------------------------------------------------

BODY = {
    K.BRANCH: "支部委员会",
    K.JOINT_BRANCH: "支部委员会",
    K.GENERAL_BRANCH: "总支部委员会",
    K.PARTY_COMMITTEE: "党的委员会",
    K.INDUSTRY_JOINT_ORG: "党的委员会",
}


def _cited(evidence: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    return {**evidence, "policy": entry["policy"], "source": entry["source"]}


def _active_seats(ctx: Context) -> dict[int, list[Any]]:
    """Seats held on `day` per org (one query): holder present, started, not yet ended."""
    day = ctx.day
    rows = Seat.objects.filter(
        ctx.path_q("org__path"),
        Q(started_on__isnull=True) | Q(started_on__lte=day),
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        member__isnull=False,
    ).values("org_id", "role", "member_id")
    seats: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        seats[row["org_id"]].append(row)
    return seats


def _terms(ctx: Context) -> dict[int, tuple[int, Any]]:
    """Each org's current term (latest election by `day`) and its number (one query)."""
    rows = (
        Term.objects.filter(ctx.path_q("org__path"), elected_on__lte=ctx.day)
        .order_by("org_id", "elected_on")
        .values("id", "org_id", "elected_on", "years", "approved_extension_until")
    )
    terms: dict[int, tuple[int, Any]] = {}
    for row in rows:
        number = terms[row["org_id"]][0] + 1 if row["org_id"] in terms else 1
        terms[row["org_id"]] = (number, row)
    return terms


@rule(
    "ORG-04",
    title="班子健全、按期换届",
    text="党组织设书记、副书记、委员，按期换届：村、社区党组织每届任期5年，机关党组织每届任期3年"
    "（seed 003），其他党支部一般3年；延期或提前换届须经上级党组织批准，一般不超过1年。"
    "正式党员7人以上的党支部应当设立支部委员会；不足7人的设书记，必要时设副书记。",
    source="seed 003 附件第4条；《中国共产党支部工作条例（试行）》第八条；"
    "《中国共产党基层组织选举工作条例》第三条；党章 第二十七条",
    period="state",
    severity="error",
    kinds=sorted(LEADERSHIP_KINDS),
)
def org_04_leadership_and_terms(ctx: Context) -> Iterator[Found]:
    """Missing secretaries, missing committees, unrecorded, expiring and overdue terms."""
    orgs = ctx.orgs()
    totals = _rollup(orgs, _member_counts(ctx, ctx.day))
    seats, terms = _active_seats(ctx), _terms(ctx)
    for org in orgs:
        if org["kind"] not in LEADERSHIP_KINDS:
            continue
        held = seats.get(org["id"], [])
        yield from _check_secretary(ctx, org, held)
        if org["kind"] in ELECTED_KINDS:
            yield from _check_committee(ctx, org, held, totals[org["path"]]["full"])
            yield from _check_term(ctx, org, terms.get(org["id"]))


def _check_secretary(ctx: Context, org: dict, held: list[dict]) -> Iterator[Found]:
    roles = {seat["role"] for seat in held}
    if SeatRole.SECRETARY in roles:
        return
    evidence = {"as_of": ctx.day.isoformat(), "roles": sorted(roles)}
    if SeatRole.DEPUTY_SECRETARY in roles:
        message = "未配备书记，由副书记主持工作"
        yield Found(org["id"], ctx.period.label, "warning", message, evidence)
    else:
        message = "未配备书记（也无副书记主持工作）"
        yield Found(org["id"], ctx.period.label, "error", message, evidence)


def _check_committee(ctx: Context, org: dict, held: list[dict], full: int) -> Iterator[Found]:
    need = ctx.policy.entry("org.leadership.required_from_full", org["path"])
    seats = ctx.policy.entry("org.leadership.committee_min_seats", org["path"])
    people = len({seat["member_id"] for seat in held})
    if full < need["value"] or people >= seats["value"]:
        return
    message = (
        f"正式党员{full}人（{need['value']}人以上），应设立{BODY[org['kind']]}，"
        f"现有班子成员{people}人（少于{seats['value']}人）"
    )
    evidence = _cited(
        {
            "full_members": full,
            "threshold": need["value"],
            "leaders": people,
            "min_seats": seats["value"],
            "min_seats_source": seats["source"],
            "as_of": ctx.day.isoformat(),
        },
        need,
    )
    yield Found(org["id"], ctx.period.label, "warning", message, evidence)


def _check_term(ctx: Context, org: dict, current: tuple[int, dict] | None) -> Iterator[Found]:
    day, label = ctx.day, ctx.period.label
    if current is None:
        yield Found(org["id"], label, "warning", "未录入换届信息", {"as_of": day.isoformat()})
        return
    number, term = current
    dates = term_dates(
        org=org,
        elected_on=term["elected_on"],
        years=term["years"],
        extension=term["approved_extension_until"],
        policy=ctx.policy,
    )
    evidence = _cited(
        {
            "term": term["id"],
            "number": number,
            "elected_on": term["elected_on"].isoformat(),
            "years": dates.years,
            "expires_on": dates.expires_on.isoformat(),
            "extended_until": dates.extended_until.isoformat() if dates.extended_until else None,
            "as_of": day.isoformat(),
        },
        dates.years_entry,
    )
    extended = f"，经批准延期至{dates.extended_until}" if dates.extended_until else ""
    if day > dates.deadline:
        message = f"第{number}届任期已于{dates.expires_on}届满{extended}，逾期未换届"
        yield Found(org["id"], label, "error", message, evidence)
        return
    months = _reminder(ctx, org, dates.deadline)
    if months is not None:
        message = (
            f"第{number}届任期将于{dates.expires_on}届满{extended}，"
            f"距换届期限不足{months}个月，请做好换届准备"
        )
        evidence["reminder_months"] = months
        evidence["deadline"] = dates.deadline.isoformat()
        yield Found(org["id"], label, "info", message, evidence)


def _reminder(ctx: Context, org: dict, deadline: dt.date) -> int | None:
    """The nearest lead time (months) whose reminder window `day` has entered, or None."""
    leads = ctx.policy.value("org.term.reminder_months", org["path"])
    due = [int(m) for m in leads if ctx.day >= add_months(deadline, -int(m))]
    return min(due) if due else None


# --- ORG-05 vacancies --------------------------------------------------------------------


@rule(
    "ORG-05",
    title="班子职务空缺及时补齐",
    text="机关党组织书记、副书记、委员出现空缺，应在6个月内补齐。",
    source="seed 003 §4.5",
    period="state",
    severity="error",
    kinds=sorted(LEADERSHIP_KINDS),
)
def org_05_vacancies_filled(ctx: Context) -> Iterator[Found]:
    """Every seat vacant on `day` for longer than the policy allows (ORG-05).

    A tenure's `ended_on` is its last day; the vacancy starts the next day and is a
    finding when `day` is after the vacancy start plus max_months calendar months.
    """
    day = ctx.day
    orgs = {o["id"]: o for o in ctx.orgs(kinds=LEADERSHIP_KINDS)}
    seats = Seat.objects.filter(ctx.path_q("org__path")).values(*SEAT_FIELDS)
    elections: dict[int, list[dt.date]] = defaultdict(list)
    for org_id, elected_on in (
        Term.objects.filter(ctx.path_q("org__path"), elected_on__lte=day)
        .order_by("elected_on")
        .values_list("org_id", "elected_on")
    ):
        elections[org_id].append(elected_on)
    rows = [seat for seat in seats if seat["org_id"] in orgs]
    for vacancy in open_vacancies(rows, elections, day):
        org = orgs[vacancy.org_id]
        entry = ctx.policy.entry("org.vacancy.max_months", org["path"])
        due = add_months(vacancy.vacant_since, entry["value"])
        if day > due:
            yield _vacancy_found(ctx, vacancy, due, entry)


def _vacancy_found(ctx: Context, vacancy: Any, due: dt.date, entry: dict) -> Found:
    role = SeatRole(vacancy.role).label
    name = f"{role}（{vacancy.title}）" if vacancy.title else role
    message = (
        f"{name}自{vacancy.vacant_since}起空缺，超过{entry['value']}个月未补齐（应于{due}前补齐）"
    )
    evidence = _cited(
        {
            "role": vacancy.role,
            "title": vacancy.title,
            "vacant_since": vacancy.vacant_since.isoformat(),
            "due": due.isoformat(),
            "max_months": entry["value"],
            "seats": list(vacancy.seat_ids),
            "as_of": ctx.day.isoformat(),
        },
        entry,
    )
    return Found(vacancy.org_id, ctx.period.label, "error", message, evidence)


# --- ORG-07 contact points ---------------------------------------------------------------

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
    yield leader.found(ctx.period.label, "error", message, _cited(evidence, need))


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
    yield leader.found(ctx.period.label, "warning", message, _cited(evidence, need))


def _check_quarter(ctx: Context, leader: Leader, number: int, quarter: Period) -> Iterator[Found]:
    """ORG-07 c): one warning per ended quarter the leader served whole, naming every
    duty short of its policy value (seed 003 §4.2); a value of 0 checks nothing."""
    if not leader.served(quarter.start, quarter.end - dt.timedelta(days=1)):
        return
    evidence: dict[str, Any] = {"seats": [seat["id"] for seat in leader.seats]}
    short = []
    for name, key, kinds, duty, unit in QUARTER_DUTIES:
        entry = ctx.policy.entry(key, leader.org["path"])
        count = sum(leader.visits[(number, kind)] for kind in kinds)
        evidence[name] = {"count": count, "threshold": entry["value"]}
        if count < entry["value"]:
            short.append((entry, f"{duty}{count}{unit}（应{entry['value']}{unit}）"))
    if not short:
        return
    message = f"{quarter.label}联系点工作未达要求：" + "、".join(text for _entry, text in short)
    evidence["policy"] = short[0][0]["policy"]
    evidence["source"] = "；".join(dict.fromkeys(entry["source"] for entry, _text in short))
    yield leader.found(quarter.label, "warning", message, evidence)


# --- ORG-08 venue and staff, ORG-09 budget: units --------------------------------------

BUDGET_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
STAFF_KEYS = {
    K.PARTY_COMMITTEE: "org.staff.min_full_time_committee",
    K.GENERAL_BRANCH: "org.staff.min_full_time_committee",
    K.BRANCH: "org.staff.min_full_time_branch",
    K.JOINT_BRANCH: "org.staff.min_full_time_branch",
}
VENUE_LABELS = {**VENUE_ITEMS, "has_disclosure_board": "有党务公开栏"}
CENT = Decimal("0.01")


def _unit_tops(ctx: Context) -> list[dict[str, Any]]:
    """Orgs of the subtree that head their unit: a unit_name their parent does not share
    (ORG-08, ORG-09; one query over the subtree and the roots' parents, once per run)."""
    return ctx.memo("unit_tops", lambda: _load_unit_tops(ctx))


def _load_unit_tops(ctx: Context) -> list[dict[str, Any]]:
    parents = [root.path[: -Org.steplen] for root in ctx.roots if len(root.path) > Org.steplen]
    rows = Org.objects.filter(
        ctx.path_q() | Q(path__in=parents), Q(unit_name__gt="") | Q(numchild__gt=0)
    ).values("id", "path", "unit_name", "unit_headcount")
    unit_of = {row["path"]: row["unit_name"] for row in rows}
    existing = {org["id"]: org for org in ctx.orgs()}
    return [
        {**existing[row["id"]], "unit_headcount": row["unit_headcount"] or 0}
        for row in rows
        if row["id"] in existing
        and row["unit_name"]
        and unit_of.get(row["path"][: -Org.steplen]) != row["unit_name"]
    ]


def _subtree_sums(tops: list[dict], by_path: dict[str, Any]) -> dict[str, Any]:
    """Each top's total of `by_path` over its subtree (every path walked up once)."""
    sums: dict[str, Any] = {top["path"]: 0 for top in tops}
    for path, value in by_path.items():
        while path:
            if path in sums:
                sums[path] += value
            path = path[: -Org.steplen]
    return sums


# --- ORG-08 venue and staff --------------------------------------------------------------


def _full_time_staff(ctx: Context) -> dict[str, int]:
    """Full-time staff posts active on `day` per org path (ORG-08; one grouped query)."""
    day = ctx.day
    rows = (
        StaffPost.objects.filter(
            ctx.path_q("org__path"),
            Q(ended_on__isnull=True) | Q(ended_on__gte=day),
            full_time=True,
            started_on__lte=day,
        )
        .values("org__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["org__path"]: row["n"] for row in rows}


@rule(
    "ORG-08",
    title="党建活动阵地和专职党务干部",
    text="所有机关党组织必须按“六有”标准建好党建活动阵地，规范设置党务公开栏并有效利用。"
    "机关党委、党总支一般至少配备2名专职党务干部，党支部一般至少配备1名专职党务干部。"
    "机关专职党务干部一般占机关工作人员总数的1-2%，机关工作人员较少的单位可适当增加比例。",
    source="seed 003 §5.2；seed 003 附件第14、16条",
    period="state",
    severity="error",
    kinds=sorted(BUDGET_KINDS),
)
def org_08_venue_and_staff(ctx: Context) -> Iterator[Found]:
    """Full-time staff per org, staff ratio per unit and the venue standard on `day`
    (ORG-08); each part only where the policy sets its parameters."""
    staff = _full_time_staff(ctx)
    for org in ctx.orgs():
        if org["kind"] in STAFF_KEYS:
            yield from _check_staff(ctx, org, staff.get(org["path"], 0))
    yield from _check_ratios(ctx, staff)
    yield from _check_venues(ctx)


def _check_staff(ctx: Context, org: dict, count: int) -> Iterator[Found]:
    """ORG-08 a): full-time staff at the org itself (a minimum of 0 checks nothing)."""
    need = ctx.policy.entry(STAFF_KEYS[org["kind"]], org["path"])
    if count >= need["value"]:
        return
    label = OrgKind(org["kind"]).label
    message = f"{label}专职党务干部{count}人，少于{need['value']}人"
    evidence = {"full_time_staff": count, "threshold": need["value"], "as_of": ctx.day.isoformat()}
    yield Found(org["id"], ctx.period.label, "error", message, _cited(evidence, need))


def _check_ratios(ctx: Context, staff: dict[str, int]) -> Iterator[Found]:
    """ORG-08 b): full-time staff of each unit's subtree against its headcount."""
    tops = [
        top
        for top in _unit_tops(ctx)
        if top["unit_headcount"] > 0 and ctx.policy.value("org.staff.min_ratio", top["path"]) > 0
    ]
    totals = _subtree_sums(tops, staff)
    for top in tops:
        yield from _check_ratio(ctx, top, totals[top["path"]])


def _percent(value: float) -> str:
    return f"{value * 100:g}%"


def _check_ratio(ctx: Context, top: dict, count: int) -> Iterator[Found]:
    low = ctx.policy.entry("org.staff.min_ratio", top["path"])
    high = ctx.policy.entry("org.staff.max_ratio", top["path"])
    headcount = top["unit_headcount"]
    share = f"专职党务干部{count}人，占单位职工{headcount}人的{count / headcount:.2%}"
    evidence = {
        "full_time_staff": count,
        "unit_headcount": headcount,
        "ratio": f"{count / headcount:.4f}",
        "as_of": ctx.day.isoformat(),
    }
    if count < Decimal(str(low["value"])) * headcount:
        message = f"{share}，低于{_percent(low['value'])}"
        evidence = _cited({**evidence, "threshold": low["value"]}, low)
        yield Found(top["id"], ctx.period.label, "warning", message, evidence)
    elif count > Decimal(str(high["value"])) * headcount:
        message = f"{share}，高于{_percent(high['value'])}（工作人员较少的单位可适当增加比例）"
        evidence = _cited({**evidence, "threshold": high["value"]}, high)
        yield Found(top["id"], ctx.period.label, "info", message, evidence)


def _open_venues(ctx: Context) -> dict[str, list[dict]]:
    """Venues open on `day` per org path, in the subtree and above its roots (one query)."""
    above = {
        root.path[:end]
        for root in ctx.roots
        for end in range(Org.steplen, len(root.path), Org.steplen)
    }
    rows = (
        Venue.objects.filter(ctx.path_q("org__path") | Q(org__path__in=above))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=ctx.day))
        .order_by("id")
        .values("id", "name", "shared", "org__path", *VENUE_LABELS)
    )
    venues: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        venues[row["org__path"]].append(row)
    return venues


def _usable(venues: dict[str, list[dict]], path: str) -> list[dict]:
    """The org's own venues, then the shared venues of its ancestors (共建共用)."""
    above = range(Org.steplen, len(path), Org.steplen)
    shared = [v for end in above for v in venues.get(path[:end], []) if v["shared"]]
    return venues.get(path, []) + shared


def _check_venues(ctx: Context) -> Iterator[Found]:
    """ORG-08 c): orgs of org.venue.required_kinds need a usable venue up to the standard."""
    venues: dict[str, list[dict]] | None = None
    for org in ctx.orgs():
        required = ctx.policy.entry("org.venue.required_kinds", org["path"])
        if org["kind"] in required["value"]:
            venues = _open_venues(ctx) if venues is None else venues
            yield from _check_venue(ctx, org, _usable(venues, org["path"]), required)


def _check_venue(ctx: Context, org: dict, usable: list[dict], required: dict) -> Iterator[Found]:
    evidence: dict[str, Any] = {"venues": [v["id"] for v in usable], "as_of": ctx.day.isoformat()}
    if not usable:
        message = "未建立党建活动阵地"
        yield Found(org["id"], ctx.period.label, "error", message, _cited(evidence, required))
        return
    items = ctx.policy.entry("org.venue.items", org["path"])
    gaps = [(v, [item for item in items["value"] if not v[item]]) for v in usable]
    venue, missing = min(gaps, key=lambda gap: len(gap[1]))
    if missing:
        names = "、".join(VENUE_LABELS[item] for item in missing)
        message = f"党建活动阵地“{venue['name']}”未达到标准，缺：{names}"
        evidence |= {"venue": venue["id"], "missing": missing, "threshold": items["value"]}
        yield Found(org["id"], ctx.period.label, "warning", message, _cited(evidence, items))


# --- ORG-09 activity budget --------------------------------------------------------------


def _budgets(ctx: Context, year: int) -> dict[str, Decimal]:
    """Budget amount of `year` per org path (ORG-09; one query)."""
    rows = Budget.objects.filter(ctx.path_q("org__path"), year=year)
    return dict(rows.values_list("org__path", "amount"))


def _spent(ctx: Context, year: int) -> dict[str, Decimal]:
    """Spending from Jan 1 of `year` up to `day` per org path (ORG-09; one grouped query)."""
    rows = (
        Spending.objects.filter(
            ctx.path_q("org__path"), spent_on__gte=dt.date(year, 1, 1), spent_on__lte=ctx.day
        )
        .values("org__path")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["org__path"]: row["total"] for row in rows}


def _money(amount: Any) -> str:
    return str(Decimal(amount).quantize(CENT))


@rule(
    "ORG-09",
    title="党建活动经费列入预算",
    text="党建活动经费列入年度部门预算，按每名党员600元标准统筹使用，重大活动落实专项经费；"
    "按每名党员600元标准设立党建活动经费专项科目。",
    source="seed 003 §5.2；seed 003 附件第17条",
    period="year",
    severity="error",
    kinds=sorted(BUDGET_KINDS),
)
def org_09_activity_budget(ctx: Context) -> Iterator[Found]:
    """Each unit's budget of the year against per_member_yuan × its members on the
    period's first day, and its spending up to `day` against the budget (ORG-09)."""
    tops = [
        top
        for top in _unit_tops(ctx)
        if top["kind"] in BUDGET_KINDS
        and ctx.policy.value("org.budget.per_member_yuan", top["path"]) > 0
    ]
    if not tops:
        return
    year = ctx.period.start.year
    counts = _member_counts(ctx, ctx.period.start)
    members = _rollup(ctx.orgs(), counts)
    amounts = _budgets(ctx, year)
    budgets = _subtree_sums(tops, amounts)
    recorded = _subtree_sums(tops, dict.fromkeys(amounts, 1))
    spent = _subtree_sums(tops, _spent(ctx, year))
    for top in tops:
        path = top["path"]
        money = {"budget": Decimal(budgets[path]), "spent": Decimal(spent[path])}
        if members[path]["all"] > 0:
            yield from _check_budget(ctx, top, members[path]["all"], recorded[path], money)


def _check_budget(
    ctx: Context, top: dict, members: int, recorded: int, money: dict[str, Decimal]
) -> Iterator[Found]:
    year, label = ctx.period.start.year, ctx.period.label
    per = ctx.policy.entry("org.budget.per_member_yuan", top["path"])
    required = (Decimal(per["value"]) * members).quantize(CENT)
    budget, spent = money["budget"], money["spent"]
    evidence = _cited(
        {
            "year": year,
            "members": members,
            "per_member_yuan": per["value"],
            "threshold": _money(required),
            "budget": _money(budget),
            "spent": _money(spent),
            "as_of": ctx.day.isoformat(),
        },
        per,
    )
    if not recorded:
        yield Found(top["id"], label, "error", f"未列入{year}年度党建活动经费预算", evidence)
        return
    if budget < required:
        message = (
            f"{year}年度党建活动经费预算{_money(budget)}元，低于按党员{members}人×"
            f"{per['value']}元计算的{_money(required)}元，差{_money(required - budget)}元"
        )
        yield Found(top["id"], label, "error", message, evidence)
    if spent > budget:
        message = (
            f"{year}年党建活动经费已支出{_money(spent)}元，超出预算{_money(budget)}元"
            f"（超支{_money(spent - budget)}元）"
        )
        yield Found(top["id"], label, "warning", message, evidence)
