"""ORG-04: leadership complete (secretary, committee) and terms renewed on time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from xianfeng.compliance.registry import Context, Found, rule

from ..models import ELECTED_KINDS, LEADERSHIP_KINDS, OrgKind, Seat, SeatRole, Term
from ..queries import TermDates, term_dates, term_reminder_lead
from ._reads import cited, member_totals

K = OrgKind
BODY = {
    K.BRANCH: "支部委员会",
    K.JOINT_BRANCH: "支部委员会",
    K.GENERAL_BRANCH: "总支部委员会",
    K.PARTY_COMMITTEE: "党的委员会",
    K.INDUSTRY_JOINT_ORG: "党的委员会",
}


def _active_seats(ctx: Context) -> dict[int, list[tuple[str, int]]]:
    """(role, holder) of the seats held on `day` per org (one query): holder present,
    started, not yet ended."""
    day = ctx.day
    rows = Seat.objects.filter(
        ctx.path_q("org__path"),
        Q(started_on__isnull=True) | Q(started_on__lte=day),
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        member__isnull=False,
    ).values_list("org_id", "role", "member_id")
    seats: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for org_id, role, member_id in rows:
        seats[org_id].append((role, member_id))
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
    totals = member_totals(ctx, ctx.day)
    seats, terms = _active_seats(ctx), _terms(ctx)
    for org in orgs:
        if org["kind"] not in LEADERSHIP_KINDS:
            continue
        held = seats.get(org["id"], [])
        yield from _check_secretary(ctx, org, held)
        if org["kind"] in ELECTED_KINDS:
            yield from _check_committee(ctx, org, held, totals[org["path"]]["full"])
            yield from _check_term(ctx, org, terms.get(org["id"]))


def _check_secretary(ctx: Context, org: dict, held: list[tuple[str, int]]) -> Iterator[Found]:
    roles = {role for role, _member in held}
    if SeatRole.SECRETARY in roles:
        return
    evidence = {"as_of": ctx.day.isoformat(), "roles": sorted(roles)}
    if SeatRole.DEPUTY_SECRETARY in roles:
        message = "未配备书记，由副书记主持工作"
        yield Found(org["id"], ctx.period.label, "warning", message, evidence)
    else:
        message = "未配备书记（也无副书记主持工作）"
        yield Found(org["id"], ctx.period.label, "error", message, evidence)


def _check_committee(
    ctx: Context, org: dict, held: list[tuple[str, int]], full: int
) -> Iterator[Found]:
    policy = ctx.policy.at(org["path"])
    need = policy.entry("org.leadership.required_from_full")
    if full < need["value"]:
        return
    seats = policy.entry("org.leadership.committee_min_seats")
    people = len({member for _role, member in held})
    if people >= seats["value"]:
        return
    message = (
        f"正式党员{full}人（{need['value']}人以上），应设立{BODY[org['kind']]}，"
        f"现有班子成员{people}人（少于{seats['value']}人）"
    )
    evidence = cited(
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
    if day > dates.deadline:
        extended = _extended(dates)
        message = f"第{number}届任期已于{dates.expires_on}届满{extended}，逾期未换届"
        yield Found(org["id"], label, "error", message, _term_evidence(ctx, number, term, dates))
        return
    months = term_reminder_lead(ctx.policy, org["path"], dates.deadline, ctx.day)
    if months is not None:
        message = (
            f"第{number}届任期将于{dates.expires_on}届满{_extended(dates)}，"
            f"距换届期限不足{months}个月，请做好换届准备"
        )
        evidence = _term_evidence(ctx, number, term, dates)
        evidence["reminder_months"] = months
        evidence["deadline"] = dates.deadline.isoformat()
        yield Found(org["id"], label, "info", message, evidence)


def _extended(dates: TermDates) -> str:
    return f"，经批准延期至{dates.extended_until}" if dates.extended_until else ""


def _term_evidence(ctx: Context, number: int, term: dict, dates: TermDates) -> dict[str, Any]:
    """The evidence of a term finding (built only for the terms that have one)."""
    return cited(
        {
            "term": term["id"],
            "number": number,
            "elected_on": term["elected_on"].isoformat(),
            "years": dates.years,
            "expires_on": dates.expires_on.isoformat(),
            "extended_until": dates.extended_until.isoformat() if dates.extended_until else None,
            "as_of": ctx.day.isoformat(),
        },
        dates.years_entry,
    )
