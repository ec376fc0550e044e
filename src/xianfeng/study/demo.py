"""Study and training of the demo jurisdiction (STUDY-01 … STUDY-04), built block by
block inside `xianfeng demo` from a random stream of its own (`{seed}:study`), so the
members, seats and meetings of a seed stay as they were.

For the last full year and the year to date: a course catalogue and a must-learn list
published by the root; study records per member (online courses every other month,
outside-platform rows in the other months, a self-study entry), bulk-inserted as plain
rows without history like attendance (≈13 a member a year: ≈4 million a year at city
scale); a leadership class a year per block for the seat holders; a practical-technique
training per quarter by every town committee; a dual-lead class a year by city and county
committees; a rotation class a year for the government office subtree (seed 003); org
study plans with quarterly arrangements and monthly tasks, and leading cadres' personal
plans, in seed 004's subtree.

Deliberate shortfalls (listed in `builder.study_gaps`): some members with too few hours
(below 32), one secretary a block absent from the leadership class and short of
records (below 56 and no concentrated training), one town missing a quarter's practical
training, a branch without last year's plan and a monthly task left undone, a couple of
office members who missed the rotation.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from xianfeng.lib.bulk import insert_rows
from xianfeng.orgs.models import MEMBER_KINDS, Level, OrgKind, SeatRole, Sector

from .models import (
    Course,
    CourseKind,
    Enrollment,
    EnrollmentStatus,
    MeetingCredit,
    MustLearnItem,
    MustLearnList,
    PlanItem,
    PlanKind,
    RecordSource,
    RecordStatus,
    StudyPlan,
    StudyRecord,
    TrainingClass,
    TrainingKind,
    TrainingStatus,
)

K = OrgKind
COURSES = (
    ("中国共产党章程", CourseKind.TEXT, "2.0", ["党章"]),
    ("中国共产党廉洁自律准则", CourseKind.TEXT, "2.0", ["准则"]),
    ("中国共产党纪律处分条例", CourseKind.TEXT, "2.0", ["条例"]),
    ("中国共产党支部工作条例（试行）", CourseKind.TEXT, "2.0", ["条例"]),
    ("中国共产党党员教育管理工作条例", CourseKind.TEXT, "2.0", ["条例"]),
    ("习近平总书记重要讲话精神学习", CourseKind.LECTURE, "2.0", ["讲话"]),
    ("党的二十大报告专题辅导", CourseKind.LECTURE, "2.0", ["讲话", "专题"]),
    ("新时代党的组织路线", CourseKind.LECTURE, "2.0", ["专题"]),
    ("设施蔬菜栽培技术", CourseKind.PRACTICAL, "2.0", ["实用技术", "农业"]),
    ("农村电商入门", CourseKind.PRACTICAL, "2.0", ["实用技术", "电商"]),
    ("稻麦绿色高产技术", CourseKind.PRACTICAL, "2.0", ["实用技术", "农业"]),
    ("基层党务工作实务", CourseKind.LECTURE, "2.0", ["党务"]),
)
IMPORTED_TITLES = (
    "干部网络学院：党史学习教育专题",
    "干部网络学院：全面从严治党专题",
    "党校轮训：党的创新理论",
    "干部网络学院：乡村振兴专题",
    "干部网络学院：法治建设专题",
    "党校专题班：党性教育",
)
SELF_STUDY = ("自学《习近平谈治国理政》", "自学党史", "自学党章党规")
ONLINE_HOURS, IMPORTED_HOURS, SELF_HOURS = "2.0", "3.5", "2.0"  # as the database takes them
RECORD_COLUMNS = ["member_id", "org_id", "source", "studied_on", "hours", "course_id", "title"]
RECORD_COLUMNS += ["batch", "status", "note", "entered_by_id", "decided_by_id", "decided_at"]
RECORD_COLUMNS += ["entered_at"]
STUDY_MODELS = (
    MeetingCredit,
    Enrollment,
    TrainingClass,
    PlanItem,
    StudyPlan,
    StudyRecord,
    MustLearnItem,
    MustLearnList,
    Course,
)


def delete_study_demo() -> None:
    """Study rows of the previous demo, with plain DELETEs (millions of study records at
    city scale; the ORM would collect them one by one). Runs before the meetings go."""
    tables = [*STUDY_MODELS, *(m.history.model for m in STUDY_MODELS)]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table._meta.db_table)}")


@dataclass
class _State:
    rng: random.Random
    courses: list[Course] = field(default_factory=list)
    must_learn: dict[int, list[Course]] = field(default_factory=dict)
    gap_town: bool = False
    gap_plan: bool = False
    records: int = 0
    tail: tuple = ()  # the constant last columns of a study record row


def save_study(builder: Any, orgs: list[Any], persons: list[Any], seats: list[Any]) -> None:
    """The study records, classes and plans of one block of the demo (see the module)."""
    state = getattr(builder, "study_state", None)
    if state is None:
        state = builder.study_state = _State(random.Random(f"{builder.seed}:study"))
        builder.study_gaps = []
        now = StudyRecord._meta.get_field("entered_at").get_db_prep_save(builder.now, connection)
        state.tail = (RecordStatus.APPROVED.value, "", None, None, None, now)
        _catalogue(builder, state)
    years = _years(builder.as_of)
    stays = builder.stays(persons)
    leaders = _leaders(seats, years)
    short = _short(state, builder, seats, leaders, persons)
    _records(builder, state, stays, short, years)
    _leadership_classes(builder, state, orgs, seats, leaders, short, years)
    _practical(builder, state, orgs, stays, years)
    _dual_lead(builder, state, orgs, persons, years)
    _rotation(builder, state, orgs, stays, years)
    _plans(builder, state, orgs, persons, years)


def _years(as_of: dt.date) -> list[tuple[int, dt.date]]:
    """(year, end exclusive) of the last full year and the year to date."""
    last = as_of.year - 1
    return [(last, dt.date(last + 1, 1, 1)), (as_of.year, as_of + dt.timedelta(days=1))]


def _gap(builder: Any, code: str, note: str) -> None:
    builder.study_gaps.append((code, note))


def _catalogue(builder: Any, state: _State) -> None:
    root = builder.orgs[0]
    published = dt.date(builder.as_of.year - 2, 12, 1)
    state.courses = [
        Course(
            org_id=root.pk,
            title=title,
            kind=kind,
            hours=Decimal(hours),
            tags=tags,
            summary=f"{title}（课程菜单）",
            body=f"{title}学习要点。",
            published_on=published,
        )
        for title, kind, hours, tags in COURSES
    ]
    state.courses = Course.objects.bulk_create(state.courses)  # a dozen (a FileField each)
    lists, items = [], []
    for year, _end in _years(builder.as_of):
        chosen = state.courses[:5] if year < builder.as_of.year else state.courses[1:6]
        must = MustLearnList(
            org_id=root.pk,
            year=year,
            title=f"{year}年度必学必知必会清单",
            published_on=dt.date(year, 1, 10),
        )
        lists.append((must, chosen))
        state.must_learn[year] = chosen
    builder.insert.objects(MustLearnList, [m for m, _c in lists])
    for must, chosen in lists:
        items += [
            MustLearnItem(must_learn_id=must.pk, course_id=c.pk, position=i)
            for i, c in enumerate(chosen, start=1)
        ]
    builder.insert.objects(MustLearnItem, items)


# --- study records ---------------------------------------------------------------------


def _leaders(seats: list[Any], years: list[tuple[int, dt.date]]) -> set[int]:
    """id() of the persons holding a seat at some time in the two years."""
    first = dt.date(years[0][0], 1, 1)
    return {id(s.person) for s in seats if s.ended_on is None or s.ended_on >= first}


def _short(
    state: _State, builder: Any, seats: list[Any], leaders: set[int], persons: list[Any]
) -> set[int]:
    """id() of the members who study too little: about 4 % of ordinary members and one
    branch secretary of the block."""
    rng = state.rng
    ordinary = [p for p in persons if id(p) not in leaders]
    picked = {id(p) for p in ordinary if rng.random() < 0.04}
    secretaries = [
        s.person
        for s in seats
        if s.role == SeatRole.SECRETARY
        and s.ended_on is None
        and s.org.kind in MEMBER_KINDS
        and s.person.member.status == "full"
    ]
    if secretaries:
        chosen = rng.choice(secretaries)
        picked.add(id(chosen))
        _gap(
            builder, chosen.org.code, f"书记、班子成员{chosen.member.name}学时不足且未参加集中培训"
        )
    return picked


def _records(
    builder: Any,
    state: _State,
    stays: dict[Any, list[Any]],
    short: set[int],
    years: list[tuple[int, dt.date]],
) -> None:
    rng, rows = state.rng, []
    for org, members in stays.items():
        if org.kind not in MEMBER_KINDS:
            continue
        for stay in members:
            for year, end in years:
                found = _member_year(rng, state, org, stay, year, end, id(stay.person) in short)
                rows += [(*row, *state.tail) for row in found]
            if len(rows) >= 100_000:
                _insert(builder, state, rows)
                rows = []
    _insert(builder, state, rows)


def _member_year(
    rng: random.Random,
    state: _State,
    org: Any,
    stay: Any,
    year: int,
    end: dt.date,
    short: bool,
) -> list[tuple]:
    """Online courses in even months, outside-platform rows in odd ones (three fewer for a
    short member), a self-study entry; only days inside the stay and before `end`."""
    start = max(stay.start, dt.date(year, 1, 1), stay.person.member.joined_on)
    stop = min(end, stay.end) if stay.end else end
    member, rows = stay.person.member.pk, []
    must = state.must_learn.get(year) or state.courses
    skipped = set(rng.sample(range(1, 12, 2), 3)) if short else set()
    for month in range(1, 13):
        day = dt.date(year, month, rng.randint(1, 28))
        if not start <= day < stop or month in skipped:
            continue
        if month % 2 == 0:
            course = (
                must[(month // 2 - 1) % len(must)] if month <= 10 else rng.choice(state.courses)
            )
            rows.append(
                _row(member, org, RecordSource.ONLINE, day, ONLINE_HOURS, course.pk, course.title)
            )
        else:
            title = IMPORTED_TITLES[(month // 2) % len(IMPORTED_TITLES)]
            rows.append(
                _row(
                    member,
                    org,
                    RecordSource.IMPORTED,
                    day,
                    IMPORTED_HOURS,
                    None,
                    title,
                    f"平台外导入 {year}",
                )
            )
    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    if start <= day < stop:
        title = rng.choice(SELF_STUDY)
        rows.append(_row(member, org, RecordSource.SELF_STUDY, day, SELF_HOURS, None, title))
    return rows


def _row(
    member: int,
    org: Any,
    source: str,
    day: dt.date,
    hours: str,
    course: int | None,
    title: str,
    batch: str = "",
) -> tuple:
    """The leading columns of a record (the constant ones, `_State.tail`, follow)."""
    return (member, org.pk, source, day.isoformat(), hours, course, title, batch)


def _insert(builder: Any, state: _State, rows: list[tuple]) -> None:
    """Plain rows without history (like attendance): a city holds millions, so they go
    in already in database form through lib.bulk (COPY on PostgreSQL)."""
    if rows:
        insert_rows(StudyRecord._meta.db_table, RECORD_COLUMNS, rows)
        state.records += len(rows)


# --- training classes ------------------------------------------------------------------


def _class(
    builder: Any,
    org: Any,
    kind: str,
    title: str,
    day: dt.date,
    days: int,
    hours: int,
    organizer: str,
) -> TrainingClass | None:
    end = day + dt.timedelta(days=days - 1)
    if end > builder.as_of:
        return None
    return TrainingClass(
        org_id=org.pk,
        kind=kind,
        title=title,
        organizer=organizer,
        status=TrainingStatus.HELD,
        starts_on=day,
        ends_on=end,
        days=Decimal(days),
        hours=Decimal(hours),
        place="党员教育培训中心",
        content=title,
    )


def _enrol(builder: Any, pairs: list[tuple[TrainingClass, list[tuple[Any, Any]]]]) -> None:
    classes = [c for c, _people in pairs]
    builder.insert.objects(TrainingClass, classes)
    rows = [
        (c.pk, person.member.pk, status, None, "")
        for c, people in pairs
        for person, status in people
    ]
    builder.insert.rows(Enrollment, ["training_class", "member", "status", "hours", "note"], rows)


def _held_between(seats: list[Any], low: dt.date, high: dt.date) -> bool:
    return any(s.started_on <= high and (s.ended_on is None or s.ended_on >= low) for s in seats)


def _leadership_classes(
    builder: Any,
    state: _State,
    orgs: list[Any],
    seats: list[Any],
    leaders: set[int],
    short: set[int],
    years: list[tuple[int, dt.date]],
) -> None:
    """A yearly three-day class (24 hours) of the block's top org for its seat holders
    (the block's short secretary is absent)."""
    top = orgs[0]
    people: dict[int, Any] = {id(s.person): s.person for s in seats}
    held: dict[int, list[Any]] = {}
    for s in seats:
        held.setdefault(id(s.person), []).append(s)
    pairs = []
    for year, _end in years:
        day = dt.date(year, 3, 1) + dt.timedelta(days=state.rng.randint(0, 20))
        found = _class(
            builder,
            top,
            TrainingKind.LEADERSHIP,
            f"{year}年书记和班子成员培训班",
            day,
            3,
            24,
            "党校",
        )
        if found is None:
            continue
        low, high = dt.date(year, 1, 1), dt.date(year, 12, 31)
        roster = [
            (p, EnrollmentStatus.ABSENT if id(p) in short else EnrollmentStatus.ATTENDED)
            for p in people.values()
            if _held_between(held[id(p)], low, high) and p.member.status in ("full", "probationary")
        ]
        if roster:
            pairs.append((found, roster))
    _enrol(builder, pairs)


def _stays_under(stays: dict[Any, list[Any]], top: Any) -> list[Any]:
    return [
        s
        for org, rows in stays.items()
        if org.path.startswith(top.path) and org.kind in MEMBER_KINDS
        for s in rows
    ]


def _on(stays: list[Any], day: dt.date) -> list[Any]:
    """The persons of `stays` placed there on `day`."""
    return [s.person for s in stays if s.start <= day and (s.end is None or day < s.end)]


def _practical(
    builder: Any,
    state: _State,
    orgs: list[Any],
    stays: dict[Any, list[Any]],
    years: list[tuple[int, dt.date]],
) -> None:
    """A one-day practical-technique training (6 hours) per quarter by each town
    committee, for about 20 of its members; the first town of the demo skips the
    second quarter of last year, and one town of each block the last quarter ended this
    year (its agricultural extension staff were sent to flood relief; STUDY-04 in the
    year to date). That town is drawn from the `cases` stream; its class is drawn as
    the others, then dropped, so the rest of the stream is unchanged."""
    rng, pairs = state.rng, []
    towns = [o for o in orgs if o.kind == K.PARTY_COMMITTEE and o.level == Level.TOWN]
    flooded = _flooded_quarter(builder, towns)
    for town in towns:
        under = _stays_under(stays, town)
        for year, _end in years:
            for quarter in range(4):
                if not state.gap_town and year < builder.as_of.year and quarter == 1:
                    state.gap_town = True
                    _gap(builder, town.code, f"{year}年第2季度未举办实用技术培训")
                    continue
                day = dt.date(year, 3 * quarter + 1, 1) + dt.timedelta(days=rng.randint(10, 75))
                course = COURSES[8 + quarter % 3][0]
                found = _class(
                    builder,
                    town,
                    TrainingKind.PRACTICAL,
                    f"{course}培训",
                    day,
                    1,
                    6,
                    "农业技术推广中心",
                )
                members = _on(under, day)
                if found is None:
                    continue
                chosen = rng.sample(members, min(len(members), 20))
                if flooded == (town, year, quarter):
                    _gap(builder, town.code, f"{year}年第{quarter + 1}季度未举办实用技术培训")
                    continue
                pairs.append((found, [(p, EnrollmentStatus.ATTENDED) for p in chosen]))
    _enrol(builder, pairs)


def _flooded_quarter(builder: Any, towns: list[Any]) -> tuple[Any, int, int] | None:
    """(town, year, quarter index) of the practical training one town of the block
    misses in the last quarter ended this year, or None (no quarter ended yet)."""
    year, ended = builder.as_of.year, (builder.as_of.month - 1) // 3
    if not towns or ended == 0:
        return None
    return builder.ctx.stream("cases:study").choice(towns), year, ended - 1


def _dual_lead(
    builder: Any, state: _State, orgs: list[Any], persons: list[Any], years: list[tuple]
) -> None:
    """A two-day dual-lead backbone class (16 hours) a year by city and county committees."""
    rng, pairs = state.rng, []
    committees = [
        o for o in orgs if o.kind == K.PARTY_COMMITTEE and o.level in (Level.CITY, Level.COUNTY)
    ]
    active = [p for p in persons if p.member.status == "full"]
    for org in committees:
        for year, _end in years:
            day = dt.date(year, 5, 10) + dt.timedelta(days=rng.randint(0, 30))
            title = f"{year}年“双带”型党员骨干示范培训班"
            found = _class(builder, org, TrainingKind.DUAL_LEAD, title, day, 2, 16, "党校")
            if found is not None:
                chosen = rng.sample(active, min(len(active), 30))
                pairs.append((found, [(p, EnrollmentStatus.ATTENDED) for p in chosen]))
    _enrol(builder, pairs)


def _rotation(
    builder: Any,
    state: _State,
    orgs: list[Any],
    stays: dict[Any, list[Any]],
    years: list[tuple],
) -> None:
    """The office subtree's yearly one-day rotation class (8 hours), organized by its
    working committee, for every member of its government branches (two miss it)."""
    office = builder.office
    if office is None or not any(id(o) == id(office) for o in orgs):
        return
    rng, pairs = state.rng, []
    for year, _end in years:
        day = dt.date(year, 4, 1) + dt.timedelta(days=rng.randint(0, 40))
        found = _class(
            builder,
            office,
            TrainingKind.ROTATION,
            f"{year}年机关党员集中轮训",
            day,
            1,
            8,
            "市委党校",
        )
        if found is None:
            continue
        members = [
            p for p in _on(_stays_under(stays, office), day) if p.org.sector == Sector.GOVERNMENT
        ]
        missed = set(rng.sample(range(len(members)), min(2, len(members))))
        for i in missed if year < builder.as_of.year else ():
            _gap(builder, members[i].org.code, f"{members[i].member.name}{year}年未参加集中轮训")
        roster = [
            (p, EnrollmentStatus.ABSENT if i in missed else EnrollmentStatus.ATTENDED)
            for i, p in enumerate(members)
        ]
        pairs.append((found, roster))
    _enrol(builder, pairs)


# --- plans -----------------------------------------------------------------------------


PLAN_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
QUARTER_TOPICS = (
    "学习党章党规",
    "学习习近平新时代中国特色社会主义思想",
    "学习党史",
    "学习先进典型",
)


def _plans(
    builder: Any, state: _State, orgs: list[Any], persons: list[Any], years: list[tuple]
) -> None:
    """Org plans (4 quarterly arrangements, 12 monthly tasks, done in ended months) of the
    plan kinds in seed 004's subtree, and leading cadres' personal plans there."""
    root = builder.gaibei
    if root is None:
        return
    owners = [o for o in orgs if o.kind in PLAN_KINDS and o.path.startswith(root)]
    cadres = [
        p
        for p in persons
        if p.member.leading_cadre and p.member.status == "full" and p.org.path.startswith(root)
    ]
    plans: list[tuple[StudyPlan, list[str]]] = []
    late = _late_task(builder, owners)
    for year, _end in years:
        for org in owners:
            if not state.gap_plan and year < builder.as_of.year and org.kind in MEMBER_KINDS:
                state.gap_plan = True
                _gap(builder, org.code, f"{year}年度未制定学习计划")
                continue
            periods = [f"{year}-Q{q}" for q in range(1, 5)] + [
                f"{year}-{m:02d}" for m in range(1, 13)
            ]
            plans.append((_plan(PlanKind.ORG, org, None, year), periods))
        for person in cadres:
            periods = [f"{year}-{m:02d}" for m in range(1, 13)]
            plans.append((_plan(PlanKind.PERSONAL, person.org, person, year), periods))
    builder.insert.objects(StudyPlan, [p for p, _periods in plans])
    rows, undone = [], True
    for plan, periods in plans:
        for period in periods:
            done = _done_on(state.rng, period, builder.as_of)
            if done is not None and undone and plan.kind == PlanKind.ORG and "Q" not in period:
                undone = False
                org = next(o for o in owners if o.pk == plan.org_id)
                _gap(builder, org.code, f"{period}学习任务未完成")
                done = None
            elif done is not None and (plan.org_id, period) == late and plan.kind == PlanKind.ORG:
                org = next(o for o in owners if o.pk == plan.org_id)
                _gap(builder, org.code, f"{period}学习任务未完成")
                done = None
            title = (
                QUARTER_TOPICS[int(period[-1]) % 4] if "Q" in period else f"{period[-2:]}月学习任务"
            )
            rows.append((plan.pk, period, title, "", done, "已完成" if done else ""))
    builder.insert.rows(
        PlanItem, ["plan", "period", "title", "content", "done_on", "done_note"], rows
    )


def _late_task(builder: Any, owners: list[Any]) -> tuple[int, str] | None:
    """(org id, month) of one org's task of the last month ended this year left undone
    (the branch was busy with the summer harvest; STUDY-03 in the year to date), drawn
    from the `cases` stream; None before a month of this year has ended."""
    as_of = builder.as_of
    if not owners or as_of.month == 1:
        return None
    org = builder.ctx.stream("cases:study").choice(owners)
    return org.pk, f"{as_of.year}-{as_of.month - 1:02d}"


def _plan(kind: str, org: Any, person: Any, year: int) -> StudyPlan:
    personal = kind == PlanKind.PERSONAL
    return StudyPlan(
        kind=kind,
        org_id=org.pk,
        member_id=person.member.pk if personal else None,
        year=year,
        title=f"{year}年度个人自学计划" if personal else f"{year}年度学习计划",
        content="按季度作出学习安排，按月落实学习任务。",
        adopted_on=dt.date(year, 1, 15),
    )


def _done_on(rng: random.Random, period: str, as_of: dt.date) -> dt.date | None:
    """The last day of the month or quarter when it has ended by `as_of`."""
    year = int(period[:4])
    month = 3 * int(period[-1]) if "Q" in period else int(period[-2:])
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    day = last - dt.timedelta(days=rng.randint(0, 5))
    return day if last < as_of else None
