"""Compliance rules of organization setup (ORG-03 …), registered by requirement ID."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.lib.dates import add_months
from xianfeng.members.queries import counts_by_org_on

from .models import (
    ELECTED_KINDS,
    LEADERSHIP_KINDS,
    MEMBER_KINDS,
    Org,
    OrgKind,
    Seat,
    SeatRole,
    Term,
)
from .queries import SEAT_FIELDS, open_vacancies, term_dates

K = OrgKind


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
    totals = _rollup(orgs, counts_by_org_on(ctx.day, ctx.path_q("org__path")))
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
    totals = _rollup(orgs, counts_by_org_on(ctx.day, ctx.path_q("org__path")))
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
