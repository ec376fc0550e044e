"""LIFE-07 (党务公开) and LIFE-08 (谈心谈话, 思想状况分析) compliance rules, one row per case.

Readings under test (national.toml, 003_haimen_government.toml): a month, half or year is
judged once its grace days have passed by as_of (end + grace ≤ as_of), never while in
progress; a record counts for the period it is recorded for; the half-year report, the
report upward and the ideological analysis are judged at a unit's party org (kind listed,
parent not listed) in the listed sectors; talks are held heart_talk meetings whose
present roster rows are the participants — two people talk with each other, in a larger
talk the host talks with each; a member's talk counts with someone seated (on the talk day)
at the member's org, the talk's org or an org above either.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_member, make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.policy import SHIPPED, parse_value
from xianfeng.compliance.registry import load_rules
from xianfeng.lib.dates import parse_period
from xianfeng.orglife.models import AffairsRecord, Attendance, Meeting
from xianfeng.orgs.domain import appoint_to_seat
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db
D = dt.date
SEATED = D(2020, 1, 1)


# --- helpers ------------------------------------------------------------------------------


def _over(**values: str) -> dict:
    return {
        f"life.{key.replace('__', '.')}": parse_value(f"life.{key.replace('__', '.')}", value)
        for key, value in values.items()
    }


MONTHLY = _over(disclosure__monthly_kinds='["branch"]')
REPORTS = _over(affairs_report__to_members_per_half="1", affairs_report__upward_per_year="1")
ANALYSIS = _over(ideological_analysis__min_per_year="1")


def _findings(org, rule, as_of, period, *, member=None, overrides=None) -> list:
    """(period, severity, message) of `rule` for `org` (and `member`, else org-level)."""
    pairs, _ = evaluate(
        roots=[Org.objects.get_root(org)],
        period=parse_period(period),
        as_of=as_of,
        rule_ids=[rule],
        overrides=overrides,
    )
    return [
        (f.period, f.severity, f.message)
        for _rule, f in pairs
        if f.org_id == org.pk and f.member_id == (member.pk if member else None)
    ]


def _record(org, kind: str, period: str, done_on) -> AffairsRecord:
    return AffairsRecord.objects.create(
        org=org, kind=kind, period=period, done_on=done_on, summary="测试"
    )


def _organs():
    """A county committee → government working committee → a department's branch, a
    department's general branch with a branch under it, and an institution's branch."""
    county = make_org(None, kind="party_committee", level="county", sector="")
    organs = make_org(county, kind="working_committee", level="county", sector="government")
    dept = make_org(organs, kind="branch", sector="government", level="unit")
    general = make_org(organs, kind="general_branch", sector="government", level="unit")
    inner = make_org(general, kind="branch", sector="government", level="unit")
    school = make_org(organs, kind="branch", sector="institution", level="unit")
    return dept, general, inner, school


def _talk(org, day, people, *, host=None, absent=()) -> Meeting:
    meeting = Meeting.objects.create(
        org=org, kind="heart_talk", status="held", held_on=day, topic="谈心谈话", host=host
    )
    for member in people:
        Attendance.objects.create(meeting=meeting, member=member, status="present")
    for member in absent:
        Attendance.objects.create(meeting=meeting, member=member, status="absent")
    return meeting


def _leaders(org, names=("甲", "乙", "丙"), starts=(SEATED, SEATED, SEATED), home=None):
    """Members (placed in `home`, default `org`) seated at `org`."""
    roles = ("secretary", "deputy_secretary", "committee_member")
    people = []
    for name, role, start in zip(names, roles, starts, strict=False):
        member = make_member(home or org, name=name)
        appoint_to_seat(org=org, role=role, member=member, started_on=start)
        people.append(member)
    return people


# --- registry and parameters ---------------------------------------------------------------


def test_life_07_08_registered_as_warnings():
    rules = load_rules()
    assert (rules["LIFE-07"].severity, rules["LIFE-08"].severity) == ("warning", "warning")
    assert rules["LIFE-07"].local and rules["LIFE-08"].local


def test_life_07_national_policy_checks_nothing_without_local_rule():
    dept, *_ = _organs()
    assert _findings(dept, "LIFE-07", D(2026, 3, 1), "2025") == []


# --- LIFE-07 monthly publication -------------------------------------------------------------

JUNE = ("2025-06", "warning", "2025年6月未进行党务公开（党务工作应按月公开）")
MONTH_CASES = [
    # (case, recorded period, founded_on, as_of, expected)
    ("month in progress: not judged", None, None, D(2025, 6, 20), []),
    ("inside the 10 grace days: not judged", None, None, D(2025, 7, 10), []),
    ("exactly due (end + 10 days): judged", None, None, D(2025, 7, 11), [JUNE]),
    ("published for June in July: counts", "2025-06", None, D(2025, 8, 1), []),
    ("published for May only: June missing", "2025-05", None, D(2025, 8, 1), [JUNE]),
    ("branch founded mid-June: not judged", None, D(2025, 6, 10), D(2025, 8, 1), []),
]


@pytest.mark.parametrize(
    ("case", "period", "founded", "as_of", "expected"),
    MONTH_CASES,
    ids=[c[0] for c in MONTH_CASES],
)
def test_life_07_monthly_disclosure(case, period, founded, as_of, expected):
    dept, *_ = _organs()
    Org.objects.filter(pk=dept.pk).update(founded_on=founded)
    if period:
        _record(dept, "affairs_disclosure", period, D(2025, 7, 5))
    assert _findings(dept, "LIFE-07", as_of, "2025-06", overrides=MONTHLY) == expected


def test_life_07_monthly_only_for_the_listed_kinds():
    _dept, general, _inner, _school = _organs()
    assert _findings(general, "LIFE-07", D(2025, 8, 1), "2025-06", overrides=MONTHLY) == []


def test_life_07_local_policy_003_turns_on_every_month_of_the_year():
    dept, *_ = _organs()
    text = (SHIPPED / "003_haimen_government.toml").read_text(encoding="utf-8")
    attach_policy(policy=save_policy(text=text), org=Org.objects.get_parent(dept))
    for month in range(1, 12):
        _record(dept, "affairs_disclosure", f"2025-{month:02d}", D(2025, month, 28))
    _record(dept, "report_to_members", "2025-H1", D(2025, 7, 1))
    _record(dept, "report_to_members", "2025-H2", D(2025, 12, 30))
    _record(dept, "report_upward", "2025", D(2026, 1, 10))
    december = ("2025-12", "warning", "2025年12月未进行党务公开（党务工作应按月公开）")
    assert _findings(dept, "LIFE-07", D(2026, 3, 1), "2025") == [december]


# --- LIFE-07 half-year report and report upward -----------------------------------------------

H1 = "2025年上半年未向全体党员通报党建工作（最迟应于2025-07-31前完成）"
H2 = "2025年下半年未向全体党员通报党建工作（最迟应于2026-01-31前完成）"
UP = "2025年度未向上级党组织书面报告党建工作（最迟应于2026-01-31前完成）"
REPORT_CASES = [
    # (case, records, as_of, expected)
    ("first half inside its grace: not judged", [], D(2025, 7, 31), []),
    ("first half exactly due", [], D(2025, 8, 1), [("2025-H1", "warning", H1)]),
    ("first half reported", [("report_to_members", "2025-H1")], D(2025, 8, 1), []),
    (
        "year and second half exactly due",
        [("report_to_members", "2025-H1")],
        D(2026, 2, 1),
        [("2025-H2", "warning", H2), ("2025", "warning", UP)],
    ),
    (
        "everything recorded",
        [
            ("report_to_members", "2025-H1"),
            ("report_to_members", "2025-H2"),
            ("report_upward", "2025"),
        ],
        D(2026, 2, 1),
        [],
    ),
    (
        "an upward report for 2024 does not count",
        [("report_upward", "2024")],
        D(2026, 2, 1),
        [("2025-H1", "warning", H1), ("2025-H2", "warning", H2), ("2025", "warning", UP)],
    ),
]


@pytest.mark.parametrize(
    ("case", "records", "as_of", "expected"), REPORT_CASES, ids=[c[0] for c in REPORT_CASES]
)
def test_life_07_reports_of_a_unit(case, records, as_of, expected):
    dept, *_ = _organs()
    for kind, period in records:
        _record(dept, kind, period, D(2025, 7, 1) if period != "2024" else D(2025, 1, 5))
    assert _findings(dept, "LIFE-07", as_of, "2025", overrides=REPORTS) == expected


def test_life_07_reports_at_the_unit_not_its_branches_nor_other_sectors():
    _dept, general, inner, school = _organs()
    as_of = D(2025, 8, 1)
    assert _findings(general, "LIFE-07", as_of, "2025", overrides=REPORTS) == [
        ("2025-H1", "warning", H1)
    ]
    assert _findings(inner, "LIFE-07", as_of, "2025", overrides=REPORTS) == []
    assert _findings(school, "LIFE-07", as_of, "2025", overrides=REPORTS) == []


# --- LIFE-08 leadership pairs ----------------------------------------------------------------

PAIR_CASES = [
    # (case, talks as (people, host) by name, start of 丙's seat, as_of, missing pairs)
    ("no talks: every pair missing", [], SEATED, D(2026, 1, 1), "甲与乙、甲与丙、乙与丙"),
    ("year in progress: not judged", [], SEATED, D(2025, 12, 31), None),
    (
        "every pair talked",
        [("甲乙", None), ("甲丙", None), ("乙丙", None)],
        SEATED,
        D(2026, 1, 1),
        None,
    ),
    ("one-to-many talk by the host 甲", [("甲乙丙", "甲")], SEATED, D(2026, 1, 1), "乙与丙"),
    (
        "group talk without host counts for none",
        [("甲乙丙", None)],
        SEATED,
        D(2026, 1, 1),
        "甲与乙、甲与丙、乙与丙",
    ),
    (
        "丙 seated in September: under 6 months",
        [("甲乙", None)],
        D(2025, 9, 1),
        D(2026, 1, 1),
        None,
    ),
    (
        "丙 seated on 1 July: exactly 6 months",
        [("甲乙", None)],
        D(2025, 7, 1),
        D(2026, 1, 1),
        "甲与丙、乙与丙",
    ),
]


@pytest.mark.parametrize(
    ("case", "talks", "third", "as_of", "missing"), PAIR_CASES, ids=[c[0] for c in PAIR_CASES]
)
def test_life_08_leadership_pairs(case, talks, third, as_of, missing):
    branch = make_org(make_org(None, kind="party_committee", level="county", sector=""))
    people = dict(zip("甲乙丙", _leaders(branch, starts=(SEATED, SEATED, third)), strict=True))
    for names, host in talks:
        _talk(branch, D(2025, 5, 10), [people[n] for n in names], host=people.get(host))
    expected = [("2025", "warning", f"2025年班子成员之间未按要求谈心谈话：{missing}")]
    assert _findings(branch, "LIFE-08", as_of, "2025") == (expected if missing else [])


# --- LIFE-08 members with a leadership member ------------------------------------------------

NONE_YET = ("2025", "warning", "2025年未与党组织班子成员谈心谈话（0次，应不少于1次）")
MEMBER_CASES = [
    # (case, with whom, recorded at, status of the member, joined, expected)
    ("talk with the branch secretary", "secretary", "branch", "present", D(2010, 7, 1), []),
    ("talk with another plain member", "member", "branch", "present", D(2010, 7, 1), [NONE_YET]),
    ("talk with a town committee member", "town", "branch", "present", D(2010, 7, 1), []),
    ("talk with a town leader, recorded at the town", "town", "town", "present", D(2010, 7, 1), []),
    (
        "talk with a sibling branch's secretary",
        "sibling",
        "branch",
        "present",
        D(2010, 7, 1),
        [NONE_YET],
    ),
    ("absent from the talk", "secretary", "branch", "absent", D(2010, 7, 1), [NONE_YET]),
    ("joined during the year: not judged", "member", "branch", "present", D(2025, 3, 1), []),
]


@pytest.mark.parametrize(
    ("case", "other", "at", "status", "joined", "expected"),
    MEMBER_CASES,
    ids=[c[0] for c in MEMBER_CASES],
)
def test_life_08_member_talks_with_a_leader(case, other, at, status, joined, expected):
    county = make_org(None, kind="party_committee", level="county", sector="")
    town = make_org(county, kind="party_committee", level="town")
    branch, sibling = make_org(town), make_org(town)
    status_on_join = "probationary" if joined.year == 2025 else "full"
    member = make_member(branch, joined_on=joined, status=status_on_join)
    others = {
        "secretary": _leaders(branch, names=("书记",))[0],
        "member": make_member(branch),
        "town": _leaders(town, names=("镇委员",), home=make_org(town))[0],
        "sibling": _leaders(sibling, names=("邻书记",))[0],
    }
    where = {"branch": branch, "town": town}[at]
    people, absent = ([member], ()) if status == "present" else ([], (member,))
    _talk(where, D(2025, 6, 1), [*people, others[other]], absent=absent)
    assert _findings(branch, "LIFE-08", D(2026, 1, 1), "2025", member=member) == expected


def test_life_08_member_talks_judged_only_after_the_year():
    branch = make_org(make_org(None, kind="party_committee", level="county", sector=""))
    member = make_member(branch)
    assert _findings(branch, "LIFE-08", D(2025, 12, 31), "2025", member=member) == []
    assert _findings(branch, "LIFE-08", D(2026, 1, 1), "2025", member=member) == [NONE_YET]


# --- LIFE-08 ideological analysis ------------------------------------------------------------

ANALYSIS_MISSING = (
    "2025",
    "warning",
    "2025年度未开展党员干部思想状况分析研判（最迟应于2026-01-31前完成）",
)
ANALYSIS_CASES = [
    # (case, recorded year, as_of, expected)
    ("inside the grace days: not judged", None, D(2026, 1, 31), []),
    ("exactly due", None, D(2026, 2, 1), [ANALYSIS_MISSING]),
    ("analysis recorded", "2025", D(2026, 2, 1), []),
    ("last year's analysis does not count", "2024", D(2026, 2, 1), [ANALYSIS_MISSING]),
]


@pytest.mark.parametrize(
    ("case", "year", "as_of", "expected"), ANALYSIS_CASES, ids=[c[0] for c in ANALYSIS_CASES]
)
def test_life_08_ideological_analysis_of_a_government_unit(case, year, as_of, expected):
    _dept, general, inner, school = _organs()
    if year:
        _record(general, "ideological_analysis", year, D(int(year), 11, 20))
    overrides = {**ANALYSIS, **_over(heart_talk__member_min_per_year="0")}
    overrides |= _over(heart_talk__leadership_pairs_min_per_year="0")
    assert _findings(general, "LIFE-08", as_of, "2025", overrides=overrides) == expected
    assert _findings(inner, "LIFE-08", as_of, "2025", overrides=overrides) == []
    assert _findings(school, "LIFE-08", as_of, "2025", overrides=overrides) == []


# --- LIFE-07/08 records done after their period's grace (issue 23) -------------------------

ON_TIME_OR_LATE = [
    # (case, rule, org index in _organs, kind, period, done_on, overrides, expected)
    (
        "disclosure on the grace's last day",
        "LIFE-07",
        0,
        "affairs_disclosure",
        "2025-06",
        D(2025, 7, 10),
        MONTHLY,
        [],
    ),
    (
        "disclosure the day after",
        "LIFE-07",
        0,
        "affairs_disclosure",
        "2025-06",
        D(2025, 7, 11),
        MONTHLY,
        [
            (
                "2025-06",
                "info",
                "2025年6月党务公开应于2025-07-10前完成，实际于2025-07-11完成，逾期完成",
            )
        ],
    ),
    (
        "half-year report on the grace's last day",
        "LIFE-07",
        0,
        "report_to_members",
        "2025-H1",
        D(2025, 7, 31),
        _over(affairs_report__to_members_per_half="1"),
        [],
    ),
    (
        "half-year report late, severity from the policy",
        "LIFE-07",
        0,
        "report_to_members",
        "2025-H1",
        D(2025, 8, 1),
        _over(affairs_report__to_members_per_half="1", affairs_report__late_severity='"warning"'),
        [
            (
                "2025-H1",
                "warning",
                "2025年上半年向全体党员通报党建工作应于2025-07-31前完成，实际于2025-08-01完成，逾期完成",
            )
        ],
    ),
    (
        "ideological analysis late",
        "LIFE-08",
        1,
        "ideological_analysis",
        "2025",
        D(2026, 2, 1),
        {
            **ANALYSIS,
            **_over(
                heart_talk__member_min_per_year="0", heart_talk__leadership_pairs_min_per_year="0"
            ),
        },
        [
            (
                "2025",
                "info",
                "2025年度党员干部思想状况分析研判应于2026-01-31前完成，实际于2026-02-01完成，逾期完成",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "rule", "index", "kind", "period", "done_on", "overrides", "expected"),
    ON_TIME_OR_LATE,
    ids=[c[0] for c in ON_TIME_OR_LATE],
)
def test_life_07_08_record_done_late(case, rule, index, kind, period, done_on, overrides, expected):
    org = _organs()[index]
    _record(org, kind, period, done_on)
    found = _findings(org, rule, D(2026, 6, 1), period[:4], overrides=overrides)
    assert [f for f in found if f[0] == period] == expected


def test_life_07_08_query_count_does_not_grow_with_orgs():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(branches: int) -> int:
        dept, *_ = _organs()
        organs = Org.objects.get_parent(dept)
        for _ in range(branches):
            branch = make_org(organs, sector="government", level="unit")
            leaders = _leaders(branch)
            _talk(branch, D(2025, 5, 10), leaders[:2])
            _record(branch, "affairs_disclosure", "2025-03", D(2025, 3, 30))
        overrides = {**MONTHLY, **REPORTS, **ANALYSIS}
        with CaptureQueriesContext(connection) as captured:
            evaluate(
                roots=[Org.objects.get_root(dept)],
                period=parse_period("2025"),
                as_of=D(2026, 3, 1),
                rule_ids=["LIFE-07", "LIFE-08"],
                overrides=overrides,
            )
        return len(captured)

    assert queries(1) == queries(5)
