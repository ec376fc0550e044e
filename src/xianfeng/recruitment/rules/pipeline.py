"""DEV-01: the pipeline's time limits (talk, reviews, thought reports, approval, oath,
conversion); DEV-02: mentors of activists and admission candidates.

Both judge the records as they stood on `day` (the period's last day, or as-of if
earlier): each person's stage on `day` comes from the dates of the stage-changing steps
(the conversion from its approval step), the steps counted are those recorded on or
before `day`. A person counts at their org (person.org); one finding per org, listing
the people. The people come from the shared fact `recruitment_people`; the steps are two
reads (`parts.steps_of`), the mentors one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from xianfeng.compliance.registry import Context, Found, rule
from xianfeng.members.models import Status, StatusSpell
from xianfeng.members.queries import FEW, covering

from ..models import Mentor, Stage
from .parts import DUE_KEYS, Due, cited, due_months, dues, stage_on, steps_of

# DEV-01's late deadlines, in the order they are reported: evidence key, Chinese
LATE = {
    "talk": ("talk_late", "入党申请后未按时谈话"),
    "review": ("review_late", "培养考察逾期"),
    "report": ("report_missing", "缺少季度思想汇报"),
    "approval": ("approval_late", "支部大会通过后逾期未审批"),
    "oath": ("oath_late", "审批后未按时入党宣誓"),
    "conversion": ("conversion_late", "预备期满逾期未审批转正"),
}
MONTHS_KEYS = {
    "talk": "talk_months",
    "review": "review_months",
    "report": "report_months",
    "approval": "approval_months",
    "oath": "oath_months",
    "conversion": "conversion_months",
}
MIN_MENTORS = "recruitment.activist.min_mentors"
MAX_MENTORS = "recruitment.activist.max_mentors"
MENTORED = (Stage.ACTIVIST, Stage.ADMISSION_CANDIDATE)


def people_in(ctx: Context) -> list[dict[str, Any]]:
    """The people of the fact whose org exists on `day` and who applied by then."""
    orgs = {org["id"] for org in ctx.orgs()}
    return [
        person
        for person in ctx.fact("recruitment_people")
        if person["org_id"] in orgs and person["applied_on"] <= ctx.day
    ]


def late_dues(ctx: Context) -> dict[int, list[Due]]:
    """Per org, the deadlines of its people late on `day` (DEV-01's deadlines only)."""
    day = ctx.day
    people = [
        p
        for p in people_in(ctx)
        if p["ended_on"] is None or p["ended_on"] > day  # ended people owe nothing
    ]
    if not people:
        return {}
    ids = [person["id"] for person in people]
    steps = steps_of(Q(person_id__in=ids) if len(ids) <= FEW else Q(), day)
    months: dict[int, dict[str, int]] = {}
    found: dict[int, list[Due]] = defaultdict(list)
    for person in people:
        policy = ctx.policy.at(person["org__path"])
        if id(policy) not in months:
            months[id(policy)] = due_months(policy)
        for due in dues(person, steps.get(person["id"], {}), months[id(policy)], day):
            if due.what in LATE and due.late_on(day):
                found[person["org_id"]].append(due)
    return found


def _dev_01_evidence(late: list[Due], policy: Any, day: dt.date) -> tuple[str, dict[str, Any]]:
    kinds: dict[str, list[Due]] = defaultdict(list)
    for due in late:
        kinds[due.what].append(due)
    evidence: dict[str, Any] = {}
    parts, entries = [], []
    for what, (key, text) in LATE.items():
        if what not in kinds:
            continue
        people = list(dict.fromkeys(due.person_id for due in kinds[what]))
        if what == "report":
            quarters: dict[int, list[str]] = defaultdict(list)
            for due in kinds[what]:
                quarters[due.person_id].append(due.quarter)
            evidence[key] = [{"person": p, "quarters": quarters[p]} for p in people]
        else:
            evidence[key] = people
        entry = policy.entry(DUE_KEYS[what])
        evidence[MONTHS_KEYS[what]] = entry["value"]
        entries.append(entry)
        parts.append(f"{text}{len(people)}人")
    count = len({due.person_id for due in late})
    evidence["as_of"] = day.isoformat()
    return f"{count}人发展环节超过时限：{'，'.join(parts)}", cited(evidence, *entries)


@rule(
    "DEV-01",
    title="发展党员各环节按时限办理",
    text="党组织收到入党申请书后一个月内派人谈话；每半年对入党积极分子考察一次，"
    "积极分子、发展对象按季度递交思想汇报；支部大会通过后三个月内审批；审批后一个月内"
    "入党宣誓；预备期满后三个月内审批转正。超过时限的为问题。",
    source="《中国共产党发展党员工作细则》第七、十一、二十四、二十六、三十二条；"
    "national-rules.md（发展党员）",
    period="state",
    severity="error",
    local=True,
)
def dev_01_late_steps(ctx: Context) -> Iterator[Found]:
    """Per org, its people with a pipeline deadline passed on `day` without the step in
    time (DEV-01; the people from the shared fact, two reads of their steps)."""
    paths = {org["id"]: org["path"] for org in ctx.orgs()}
    for org_id, late in late_dues(ctx).items():
        policy = ctx.policy.at(paths[org_id])
        message, evidence = _dev_01_evidence(late, policy, ctx.day)
        yield Found(org_id, ctx.period.label, "error", message, evidence)


# --- DEV-02: mentors ------------------------------------------------------------------


def mentors_q(ctx: Context, people: list[int]) -> QuerySet[Mentor]:
    """The mentors open on `day` of `people` (a small scope), or of the subtree's people."""
    day = ctx.day
    query = Mentor.objects.filter(started_on__lte=day).exclude(ended_on__lte=day)
    if ctx.is_small():
        return query.filter(person_id__in=people)
    return query.filter(ctx.path_q("person__org__path"))


def open_mentors(ctx: Context, people: list[int]) -> dict[int, list[int]]:
    """The mentors (members) of each person open on `day` (one query)."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = mentors_q(ctx, people).order_by("pk").values_list("person_id", "member_id")
    for person_id, member_id in rows:
        found[person_id].append(member_id)
    return found


def full_members_on(ctx: Context, members: set[int], people: list[int]) -> set[int]:
    """Of `members` (the mentors of `people`), those full members on `day`: from the
    shared fact of every member's status when a rule of the run has read it (the nightly
    run's ORG, LIFE and STUDY rules), else their own status spells, named by id when they
    are few, else the open mentors' as a subquery (a city's mentors are a few thousand of
    its 300,000 members: the whole day's statuses and placements would cost the
    recruitment rules run alone a second)."""
    statuses = None if ctx.is_small() else ctx.fact_if_read("statuses", day=ctx.day)
    if statuses is not None:
        return {m for m in members if Status.FULL in statuses.get(m, ())}
    spells = StatusSpell.objects.filter(covering(ctx.day), status=Status.FULL)
    if len(members) <= FEW:
        spells = spells.filter(member_id__in=sorted(members))
    else:
        spells = spells.filter(member_id__in=mentors_q(ctx, people).values("member_id"))
    return members & set(spells.order_by().values_list("member_id", flat=True))


def _mentor_problems(ctx: Context) -> dict[int, dict[str, list[int]]]:
    day = ctx.day
    people = [p for p in people_in(ctx) if stage_on(p, day) in MENTORED]
    if not people:
        return {}
    ids = [p["id"] for p in people]
    mentors = open_mentors(ctx, ids)
    full = full_members_on(ctx, {m for ms in mentors.values() for m in ms}, ids)
    found: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    limits: dict[int, tuple[int, int]] = {}
    for person in people:
        policy = ctx.policy.at(person["org__path"])
        if id(policy) not in limits:
            limits[id(policy)] = (policy.value(MIN_MENTORS), policy.value(MAX_MENTORS))
        least, most = limits[id(policy)]
        own = mentors.get(person["id"], [])
        problems = found[person["org_id"]]
        if len(own) < least:
            problems["mentors_missing"].append(person["id"])
        elif len(own) > most:
            problems["mentors_excess"].append(person["id"])
        not_full = [m for m in own if m not in full]
        if not_full:
            problems["mentored_people"].append(person["id"])
            problems["mentors_not_full"] += not_full
    return {org_id: problems for org_id, problems in found.items() if problems}


@rule(
    "DEV-02",
    title="入党积极分子和发展对象有培养联系人",
    text="党组织应当指定一至两名正式党员作为入党积极分子的培养联系人；培养联系人须为"
    "正式党员。没有或多于规定人数培养联系人、培养联系人不是正式党员的为问题。",
    source="《中国共产党发展党员工作细则》第十条",
    period="state",
    severity="error",
    local=True,
)
def dev_02_mentors(ctx: Context) -> Iterator[Found]:
    """Per org, its activists and admission candidates on `day` with fewer than
    min_mentors or more than max_mentors open mentors, or a mentor not a full member
    (DEV-02; the people from the shared fact, one query of mentors)."""
    paths = {org["id"]: org["path"] for org in ctx.orgs()}
    for org_id, problems in _mentor_problems(ctx).items():
        policy = ctx.policy.at(paths[org_id])
        least, most = policy.entry(MIN_MENTORS), policy.entry(MAX_MENTORS)
        parts = []
        if problems.get("mentors_missing"):
            parts.append(f"{len(problems['mentors_missing'])}人培养联系人少于{least['value']}名")
        if problems.get("mentors_excess"):
            parts.append(f"{len(problems['mentors_excess'])}人培养联系人多于{most['value']}名")
        if problems.get("mentored_people"):
            n = len(problems["mentored_people"])
            parts.append(f"{n}人的培养联系人不是正式党员")
        evidence: dict[str, Any] = {
            **problems,
            "min_mentors": least["value"],
            "max_mentors": most["value"],
            "as_of": ctx.day.isoformat(),
        }
        message = "入党积极分子、发展对象培养联系人不符合规定：" + "，".join(parts)
        yield Found(org_id, ctx.period.label, "error", message, cited(evidence, least, most))
