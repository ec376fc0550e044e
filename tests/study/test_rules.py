"""STUDY-01, STUDY-03, STUDY-04 compliance rules, one row per case.

Readings under test (national.toml [study], study/rules.py): counted hours are the
concentrated sources (training classes, party lessons and study sessions, online courses
capped at study.cap.online, imported rows; not self-study), 32.0 passes and 31.5 fails;
holders of a seat need 56 and one concentrated training; joining the party or taking a
seat during the year is judged pro rata by days; a year in progress gets only the pace
warning; plans and classes are judged for ended months, quarters and years.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from tests.factories import make_member, make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.models import Policy
from xianfeng.compliance.policy import SHIPPED, parse_value
from xianfeng.compliance.registry import load_rules
from xianfeng.lib.dates import parse_period
from xianfeng.orglife.models import Attendance, Meeting
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.orgs.models import Org
from xianfeng.study.domain import (
    add_plan_item,
    create_course,
    create_study_plan,
    create_training_class,
    credit_meeting_hours,
    decide_self_study,
    mark_plan_item_done,
    record_study,
    record_training_attendance,
)

pytestmark = pytest.mark.django_db
D = dt.date
YEAR_END = D(2026, 1, 1)  # as_of at which 2025 has ended
MAY_10, JUNE_1, MARCH_5 = D(2025, 5, 10), D(2025, 6, 1), D(2025, 3, 5)
POLICIES = {
    "000": "000_nantong_dual_lead.toml",
    "003": "003_haimen_government.toml",
    "004": "004_gaibei_town.toml",
}


# --- helpers ------------------------------------------------------------------------------


def _found(org, rule: str, as_of: dt.date, period: str = "2025", overrides=None) -> list:
    pairs, _ = evaluate(
        roots=[Org.objects.get_root(org)],
        period=parse_period(period),
        as_of=as_of,
        rule_ids=[rule],
        overrides=overrides,
    )
    return [found for _rule, found in pairs]


def _findings(org, rule, as_of, period="2025", *, member=None, overrides=None):
    """(period, severity, message) of `rule` for `org` and `member` (else org-level)."""
    return [
        (f.period, f.severity, f.message)
        for f in _found(org, rule, as_of, period, overrides)
        if f.org_id == org.pk and f.member_id == (member.pk if member else None)
    ]


def _root(policy: str | None = None, **fields):
    fields.setdefault("kind", "party_committee")
    fields.setdefault("level", "county")
    fields.setdefault("sector", "")
    root = make_org(None, **fields)
    if policy:
        text = (SHIPPED / POLICIES[policy]).read_text(encoding="utf-8")
        attach_policy(policy=save_policy(text=text), org=root)
    return root


def _over(key: str, value: str) -> dict:
    return {key: parse_value(key, value)}


def _train(members, hours, day=MAY_10, *, org=None, kind="other", days="1"):
    """A held class ending on `day`, long enough for its hours (at most 12 a day)."""
    org = org or members[0].org
    starts_on = day - dt.timedelta(days=max(0, math.ceil(Decimal(hours) / 12) - 1))
    training = create_training_class(
        org=org, kind=kind, title="培训班", starts_on=starts_on, ends_on=day, days=days, hours=hours
    )
    record_training_attendance(training, attended=members)
    return training


def _course(org, hours="2"):
    return create_course(
        org=org, title=f"课程{hours}", kind="lecture", hours=hours, published_on=D(2025, 1, 2)
    )


def _study(member, source, hours, day=JUNE_1, **fields):
    return record_study(
        member=member, source=source, studied_on=day, hours=hours, title=f"{source}{day}", **fields
    )


def _lesson(member, day=MARCH_5, kind="party_lesson"):
    meeting = Meeting.objects.create(
        org=member.org, kind=kind, held_on=day, status="held", topic="党课"
    )
    Attendance.objects.create(meeting=meeting, member=member, status="present")
    return meeting


# --- registry and parameters ---------------------------------------------------------------


def test_study_rules_registered_local_with_their_requirement_ids():
    rules = load_rules()
    assert {"STUDY-01", "STUDY-03", "STUDY-04"} <= set(rules)
    assert all(rules[r].local and rules[r].period == "year" for r in ("STUDY-01", "STUDY-03"))
    assert rules["STUDY-04"].local


def test_study_parameters_in_the_stored_national_policy():
    national = Policy.objects.get(code="national").values
    assert national["study.cap.online"]["value"] == 16
    assert "self_study" not in national["study.concentrated_sources"]["value"]
    assert national["study.meeting_hours.party_lesson"]["value"] == 2
    assert (
        Policy.objects.get(code="000-nantong")
        .values["study.practical.min_per_quarter"]["source"]
        .startswith("seed 000")
    )


# --- STUDY-01 hours of a member -------------------------------------------------------------

SHORT_315 = [("2025", "error", "2025年集中学习培训31.5学时，应不少于32学时")]


def _sources(member, rows) -> None:
    """rows: (source, hours) with source training | online | self_study | approved_self |
    imported | lesson (one party lesson at the policy's hours) | credited (a lesson with
    `hours` credited)."""
    for n, (source, hours) in enumerate(rows):
        day = D(2025, 2, 1) + dt.timedelta(days=7 * n)
        if source == "training":
            _train([member], hours, day)
        elif source == "online":
            course = _course(member.org, hours)
            record_study(member=member, source="online", studied_on=day, course=course)
        elif source in ("self_study", "approved_self"):
            record = _study(member, "self_study", hours, day)
            if source == "approved_self":
                decide_self_study(record, approve=True)
        elif source == "imported":
            _study(member, "imported", hours, day, batch="党校2025")
        elif source == "lesson":
            _lesson(member, day)
        elif source == "credited":
            credit_meeting_hours(_lesson(member, day), hours=hours)


HOURS_CASES = [
    # (case, sources, policy overrides, expected)
    ("STUDY-01 exactly 32.0 passes", [("training", "32")], None, []),
    ("STUDY-01 31.5 fails", [("training", "31.5")], None, SHORT_315),
    ("STUDY-01 several sources add up to 32", [("training", "20"), ("imported", "12")], None, []),
    (
        "STUDY-01 reaching 32 only by counting approved self-study fails",
        [("training", "24"), ("approved_self", "8")],
        None,
        [("2025", "error", "2025年集中学习培训24学时，应不少于32学时")],
    ),
    (
        "STUDY-01 self-study counts where the policy lists it",
        [("training", "24"), ("approved_self", "8")],
        _over("study.concentrated_sources", '["training", "self_study"]'),
        [],
    ),
    (
        "STUDY-01 pending self-study never counts",
        [("training", "24"), ("self_study", "8")],
        _over("study.concentrated_sources", '["training", "self_study"]'),
        [("2025", "error", "2025年集中学习培训24学时，应不少于32学时")],
    ),
    ("STUDY-01 online up to the cap of 16", [("training", "16"), ("online", "16")], None, []),
    (
        "STUDY-01 online above the cap is not counted",
        [("training", "10"), ("online", "20")],
        None,
        [("2025", "error", "2025年集中学习培训26学时，应不少于32学时")],
    ),
    (
        "STUDY-01 online cap 0 means no cap",
        [("training", "10"), ("online", "22")],
        _over("study.cap.online", "0"),
        [],
    ),
    ("STUDY-01 a party lesson counts 2 hours", [("training", "30"), ("lesson", "")], None, []),
    (
        "STUDY-01 a lesson's credited hours replace the default",
        [("training", "30"), ("credited", "1.5")],
        None,
        SHORT_315,
    ),
    (
        "STUDY-01 the threshold comes from the policy",
        [("training", "32")],
        _over("study.hours.member_min", "40"),
        [("2025", "error", "2025年集中学习培训32学时，应不少于40学时")],
    ),
]


@pytest.mark.parametrize(
    ("case", "rows", "overrides", "expected"), HOURS_CASES, ids=[c[0] for c in HOURS_CASES]
)
def test_study_01_member_hours(case, rows, overrides, expected):
    branch = make_org(_root())
    member = make_member(branch)
    _sources(member, rows)
    found = _findings(branch, "STUDY-01", YEAR_END, member=member, overrides=overrides)
    assert found == expected


def test_study_01_evidence_shows_counted_and_uncounted_hours():
    branch = make_org(_root())
    member = make_member(branch)
    _sources(member, [("training", "10"), ("online", "20"), ("approved_self", "4")])
    (found,) = _found(branch, "STUDY-01", YEAR_END)
    assert found.member_id == member.pk
    assert found.evidence == {
        "hours": "26.0",
        "required": "32.0",
        "counted": {
            "training": "10.0",
            "meeting": "0.0",
            "online": "16.0",
            "imported": "0.0",
        },
        "not_counted": {"online": "4.0", "self_study": "4.0"},
        "member_days": 365,
        "seat_days": 0,
        "year_days": 365,
        "threshold": 32,
        "policy": "national",
        "source": "党员教育管理工作条例：党员每年集中学习培训时间一般不少于32学时",
    }


def test_study_01_hours_outside_the_year_do_not_count():
    branch = make_org(_root())
    member = make_member(branch)
    _train([member], "20", D(2024, 12, 30))
    _train([member], "31.5", D(2025, 12, 31))
    _train([member], "20", D(2026, 1, 1))
    assert _findings(branch, "STUDY-01", D(2026, 1, 2), member=member) == SHORT_315


def test_study_01_absent_from_a_class_is_not_credited():
    branch = make_org(_root())
    member, other = make_member(branch), make_member(branch)
    training = _train([other], "32")
    record_training_attendance(training, attended=[], absent=[member])
    assert _findings(branch, "STUDY-01", YEAR_END, member=member) == [
        ("2025", "error", "2025年集中学习培训0学时，应不少于32学时")
    ]
    assert _findings(branch, "STUDY-01", YEAR_END, member=other) == []


# --- STUDY-01 seats, pro rata, pace ----------------------------------------------------------

SEAT_CASES = [
    # (case, seat start, hours, trainings, expected)
    (
        "STUDY-01 a secretary at 40 hours fails 56",
        D(2020, 1, 1),
        "40",
        1,
        [("2025", "error", "2025年集中学习培训40学时，应不少于56学时（书记、班子成员）")],
    ),
    ("STUDY-01 a secretary at 56 hours with a training passes", D(2020, 1, 1), "56", 1, []),
    (
        "STUDY-01 a secretary with 56 hours but no concentrated training",
        D(2020, 1, 1),
        "56",
        0,
        [("2025", "error", "2025年书记、班子成员参加集中培训0次，应不少于1次")],
    ),
    # took the seat on 2025-07-02: 32 + 24 × 183 / 365 = 44.03 → 44.0
    ("STUDY-01 a seat taken mid-year: 44 passes", D(2025, 7, 2), "44", 1, []),
    (
        "STUDY-01 a seat taken mid-year: 43.5 fails",
        D(2025, 7, 2),
        "43.5",
        1,
        [
            (
                "2025",
                "error",
                "2025年集中学习培训43.5学时，应不少于44学时（书记、班子成员，按任职时间折算）",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "seated", "hours", "trainings", "expected"),
    SEAT_CASES,
    ids=[c[0] for c in SEAT_CASES],
)
def test_study_01_secretary_and_leadership(case, seated, hours, trainings, expected):
    branch = make_org(_root())
    secretary = make_member(branch)
    appoint_to_seat(org=branch, role="secretary", member=secretary, started_on=seated)
    if trainings:
        _train([secretary], hours)
    else:
        _study(secretary, "imported", hours)
    assert _findings(branch, "STUDY-01", YEAR_END, member=secretary) == expected


def test_study_01_seat_at_the_committee_counts_for_a_member_of_its_branch():
    root = _root()
    branch = make_org(root)
    member = make_member(branch)
    appoint_to_seat(org=root, role="committee_member", member=member, started_on=D(2020, 1, 1))
    _train([member], "40")
    assert _findings(branch, "STUDY-01", YEAR_END, member=member) == [
        ("2025", "error", "2025年集中学习培训40学时，应不少于56学时（书记、班子成员）")
    ]


JOIN_CASES = [
    # joined 2025-07-02: 32 × 183 / 365 = 16.04 → 16.0
    ("STUDY-01 joined mid-year: 16 passes", "16", []),
    (
        "STUDY-01 joined mid-year: 15.5 fails",
        "15.5",
        [
            (
                "2025",
                "error",
                "2025年集中学习培训15.5学时，应不少于16学时（2025-07-02入党，按比例折算）",
            )
        ],
    ),
]


@pytest.mark.parametrize(("case", "hours", "expected"), JOIN_CASES, ids=[c[0] for c in JOIN_CASES])
def test_study_01_joined_mid_year_pro_rata(case, hours, expected):
    branch = make_org(_root())
    member = make_member(branch, status="probationary", joined_on=D(2025, 7, 2))
    _train([member], hours, D(2025, 9, 1))
    assert _findings(branch, "STUDY-01", YEAR_END, member=member) == expected


PACE_CASES = [
    # (case, hours by 2025-06-20, as_of, expected): by 2025-07-01, 182 days → 15.96 → 16.0
    ("STUDY-01 a year in progress: no pace check before July", "0", D(2025, 6, 30), []),
    (
        "STUDY-01 a year in progress: behind the pace is a warning",
        "10",
        D(2025, 7, 1),
        [
            (
                "2025",
                "warning",
                "截至2025-07-01集中学习培训10学时，按进度应不少于16学时（全年应不少于32学时）",
            )
        ],
    ),
    ("STUDY-01 a year in progress: on pace", "16", D(2025, 7, 1), []),
    ("STUDY-01 a year in progress is never an error", "0", D(2025, 12, 31), "warning"),
]


@pytest.mark.parametrize(
    ("case", "hours", "as_of", "expected"), PACE_CASES, ids=[c[0] for c in PACE_CASES]
)
def test_study_01_period_in_progress(case, hours, as_of, expected):
    branch = make_org(_root())
    member = make_member(branch)
    if hours != "0":
        _train([member], hours, D(2025, 6, 20))
    found = _findings(branch, "STUDY-01", as_of, member=member)
    if expected == "warning":
        assert [severity for _p, severity, _m in found] == ["warning"]
    else:
        assert found == expected


def test_study_01_member_left_before_the_year_end_not_judged():
    from xianfeng.members.domain import set_member_status

    branch = make_org(_root())
    member = make_member(branch)
    set_member_status(member=member, status="left", on=D(2025, 10, 1), reason="deceased")
    assert _findings(branch, "STUDY-01", YEAR_END, member=member) == []


def test_study_01_queries_do_not_grow_with_members():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(members: int) -> int:
        root = _root()
        branch = make_org(root)
        people = [make_member(branch) for _ in range(members)]
        appoint_to_seat(org=branch, role="secretary", member=people[0], started_on=D(2020, 1, 1))
        _train(people, "20")
        for person in people:
            _lesson(person)
            _study(person, "imported", "3")
        with CaptureQueriesContext(connection) as queries:
            _found(branch, "STUDY-01", YEAR_END)
        return len(queries)

    assert count(2) == count(6)


# --- STUDY-03 plans --------------------------------------------------------------------------


def _plan(org, *, tasks=(), arrangements=(), done=(), year=2025):
    plan = create_study_plan(
        kind="org", org=org, year=year, title="年度学习计划", adopted_on=D(2025, 1, 10)
    )
    for period in arrangements:
        add_plan_item(plan, period=period, title=f"{period}安排")
    for period in tasks:
        item = add_plan_item(plan, period=period, title=f"{period}任务")
        if period in done:
            mark_plan_item_done(item, done_on=D(2025, int(period[-2:]), 20))
    return plan


Q1_MONTHS = ("2025-01", "2025-02", "2025-03")
PLAN_CASES = [
    # (case, plan: None or (tasks, arrangements, done), as_of, expected)
    (
        "STUDY-03 no plan once due",
        None,
        D(2025, 2, 1),
        [("2025", "error", "2025年度未制定年度学习计划（应于2025-01-31前制定）")],
    ),
    ("STUDY-03 no plan, not yet due", None, D(2025, 1, 31), []),
    (
        "STUDY-03 plan, quarter and months done",
        (Q1_MONTHS, ["2025-Q1"], Q1_MONTHS),
        D(2025, 4, 1),
        [],
    ),
    (
        "STUDY-03 a month's task not done",
        (Q1_MONTHS, ["2025-Q1"], Q1_MONTHS[:2]),
        D(2025, 4, 1),
        [("2025-03", "warning", "2025年3月学习任务未全部完成（完成0条，共1条）")],
    ),
    (
        "STUDY-03 a month without task and a quarter without arrangement",
        (Q1_MONTHS[:2], [], Q1_MONTHS[:2]),
        D(2025, 4, 1),
        [
            ("2025-Q1", "warning", "2025年第1季度未作出学习安排（应不少于1条）"),
            ("2025-03", "warning", "2025年3月未安排学习任务（0条，应不少于1条）"),
        ],
    ),
    (
        "STUDY-03 the month in progress is not judged",
        (Q1_MONTHS, ["2025-Q1"], Q1_MONTHS[:2]),
        D(2025, 3, 31),
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "plan", "as_of", "expected"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES]
)
def test_study_03_org_plan(case, plan, as_of, expected):
    branch = make_org(_root("004"))
    if plan is not None:
        tasks, arrangements, done = plan
        _plan(branch, tasks=tasks, arrangements=arrangements, done=done)
    assert _findings(branch, "STUDY-03", as_of) == expected


def test_study_03_not_required_by_the_national_policy():
    branch = make_org(_root())
    assert _found(branch, "STUDY-03", YEAR_END) == []


def test_study_03_leading_cadre_personal_plan():
    branch = make_org(_root("004"))
    _plan(branch, tasks=["2025-01"], arrangements=[], done=["2025-01"])
    cadre = make_member(branch, leading_cadre=True)
    keen = make_member(branch, leading_cadre=True)
    plan = create_study_plan(
        kind="personal", member=keen, year=2025, title="个人自学计划", adopted_on=D(2025, 1, 5)
    )
    item = add_plan_item(plan, period="2025-01", title="学习党章")
    mark_plan_item_done(item, done_on=D(2025, 1, 25))
    assert _findings(branch, "STUDY-03", D(2025, 2, 1), member=cadre) == [
        ("2025", "error", "2025年度党员领导干部未制定个人自学计划（应于2025-01-31前制定）")
    ]
    assert _findings(branch, "STUDY-03", D(2025, 2, 1), member=keen) == []
    assert _findings(branch, "STUDY-03", D(2025, 3, 1), member=keen) == [
        ("2025-02", "warning", "2025年2月未安排自学安排（0条，应不少于1条）")
    ]


# --- STUDY-04 training classes -----------------------------------------------------------------


def test_study_04_town_practical_training_each_quarter():
    root = _root("000")
    town = make_org(root, kind="party_committee", level="town")
    make_org(town)
    create_training_class(
        org=town,
        kind="practical",
        title="果树修剪",
        starts_on=D(2025, 3, 3),
        ends_on=D(2025, 3, 3),
        days="1",
        hours="6",
    )
    assert _findings(town, "STUDY-04", D(2025, 7, 1)) == [
        ("2025-Q2", "error", "2025年第2季度举办实用技术培训0次，应不少于1次")
    ]


def test_study_04_practical_not_required_by_the_national_policy():
    town = make_org(_root(), kind="party_committee", level="town")
    assert _findings(town, "STUDY-04", YEAR_END) == []


def test_study_04_dual_lead_backbone_class_each_year():
    root = _root("000")
    assert _findings(root, "STUDY-04", YEAR_END) == [
        ("2025", "error", "2025年举办“双带”型党员骨干示范培训班0期，应不少于1期")
    ]
    create_training_class(
        org=root,
        kind="dual_lead",
        title="“双带”骨干示范班",
        starts_on=D(2025, 9, 1),
        ends_on=D(2025, 9, 3),
        days="3",
        hours="18",
    )
    assert _findings(root, "STUDY-04", YEAR_END) == []


def _government():
    root = _root("003", kind="working_committee", level="city", sector="government")
    office = make_org(root, kind="party_committee", level="unit", sector="government")
    branch = make_org(office, sector="government")
    return root, office, branch


ROTATION_CASES = [
    # (case, organizer: root | office | None, days, attends, office findings, member findings)
    ("STUDY-04 rotation of a day by the office", "office", "1", True, [], []),
    ("STUDY-04 rotation by the working committee counts", "root", "1", True, [], []),
    (
        "STUDY-04 half a day is not a rotation",
        "office",
        "0.5",
        True,
        [("2025", "error", "2025年组织党员集中轮训（不少于1天）0次，应不少于1次")],
        [("2025", "error", "2025年参加党员集中轮训0次，应不少于1次")],
    ),
    (
        "STUDY-04 a member who did not attend",
        "office",
        "1",
        False,
        [],
        [("2025", "error", "2025年参加党员集中轮训0次，应不少于1次")],
    ),
]


@pytest.mark.parametrize(
    ("case", "organizer", "days", "attends", "expected", "expected_member"),
    ROTATION_CASES,
    ids=[c[0] for c in ROTATION_CASES],
)
def test_study_04_government_rotation(case, organizer, days, attends, expected, expected_member):
    root, office, branch = _government()
    member = make_member(branch)
    org = {"root": root, "office": office}[organizer]
    _train([member] if attends else [make_member(branch)], "6", org=org, kind="rotation", days=days)
    assert _findings(office, "STUDY-04", YEAR_END) == expected
    assert _findings(branch, "STUDY-04", YEAR_END) == []  # judged at the office only
    assert _findings(branch, "STUDY-04", YEAR_END, member=member) == expected_member


def test_study_04_rotation_evaluated_from_the_office_sees_the_ancestor_class():
    root, office, branch = _government()
    _train([make_member(branch)], "6", org=root, kind="rotation")
    pairs, _ = evaluate(
        roots=[office], period=parse_period("2025"), as_of=YEAR_END, rule_ids=["STUDY-04"]
    )
    assert [f for _r, f in pairs if f.org_id == office.pk] == []


def test_study_hours_decimal_sums_exactly():
    from xianfeng.study.queries import raw_hours

    branch = make_org(_root())
    member = make_member(branch)
    _train([member], "0.1", D(2025, 1, 5))
    _train([member], "0.2", D(2025, 1, 6))
    raw = raw_hours([member.pk], D(2025, 1, 1), D(2026, 1, 1))
    assert raw[member.pk].training == Decimal("0.3")
    assert raw[member.pk].trainings == 2


def test_counted_for_members_matches_what_study_01_counts():
    from xianfeng.study.queries import counted_for_members

    branch = make_org(_root())
    member = make_member(branch)
    _sources(member, [("training", "10"), ("online", "20"), ("approved_self", "4"), ("lesson", "")])
    total, by_source = counted_for_members([member], D(2025, 1, 1), D(2026, 1, 1))[member.pk]
    assert total == Decimal("28.0")
    assert by_source["online"] == Decimal("16.0") and "self_study" not in by_source


def test_study_writes_reach_the_orgs_whose_findings_they_change():
    from xianfeng.compliance.freshness import READERS, _orgs_of

    branch = make_org(_root())
    member = make_member(branch)
    training = _train([member], "6", org=Org.objects.get_root(branch))
    plan = _plan(branch, tasks=["2025-01"])
    assert _orgs_of(plan.items.get()) == [branch.pk]
    assert _orgs_of(training.enrollments.get()) == [member.org_id]
    assert READERS["orglife"] == ("study",)  # lessons and study sessions count as study
