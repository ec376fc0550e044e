"""LIFE-01 … LIFE-05 compliance rules, one row per case.

Readings under test (see /tmp/spec/life.md, national.toml): only held meetings with a date
count, at the org they are recorded at; a month, quarter or year is judged once it has
ended by as_of; quorum = voters present > half of the voters on the roster; a theme day
counts for the month it is held in; a yearly meeting is for year Y by for_period or, when
blank, by its date, and is due by the end of Y+1's grace months; leave and exemptions are
skipped in a run of absences; presence at any held meeting is organizational life.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member, make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.models import Policy
from xianfeng.compliance.policy import SHIPPED, parse_value
from xianfeng.compliance.registry import load_rules
from xianfeng.lib.dates import parse_period
from xianfeng.orglife.models import Attendance, Exemption, Meeting
from xianfeng.orgs.domain import appoint_to_seat, end_seat
from xianfeng.orgs.models import Org

pytestmark = pytest.mark.django_db
D = dt.date
T = dt.time
SEATED = D(2020, 1, 1)  # seats of the tests start here


# --- helpers ------------------------------------------------------------------------------


def _found(root, rule: str, as_of: dt.date, period: str, overrides=None) -> list:
    pairs, _ = evaluate(
        roots=[root],
        period=parse_period(period),
        as_of=as_of,
        rule_ids=[rule],
        overrides=overrides,
    )
    return [found for _rule, found in pairs]


def _findings(org, rule, as_of, period, *, member=None, label=None, overrides=None):
    """(period, severity, message) of `rule` for `org` (and `member`, else org-level
    findings only), optionally only those of one sub-period `label`."""
    found = _found(Org.objects.get_root(org), rule, as_of, period, overrides)
    return [
        (f.period, f.severity, f.message)
        for f in found
        if f.org_id == org.pk
        and f.member_id == (member.pk if member else None)
        and (label is None or f.period == label)
    ]


def _attach_004(org) -> None:
    text = (SHIPPED / "004_gaibei_town.toml").read_text(encoding="utf-8")
    attach_policy(policy=save_policy(text=text), org=org)


def _root(policy: bool = False):
    root = make_org(None, kind="party_committee", level="county", sector="")
    if policy:
        _attach_004(root)
    return root


def _over(key: str, value: str) -> dict:
    return {key: parse_value(key, value)}


def _meeting(org, kind: str, held_on, **fields) -> Meeting:
    fields.setdefault("status", "held")
    return Meeting.objects.create(org=org, kind=kind, held_on=held_on, topic="测试", **fields)


def _roster(meeting, members, status: str = "present", voting: bool = True) -> None:
    for member in members:
        Attendance.objects.create(meeting=meeting, member=member, status=status, voting=voting)


def _committee(branch, people: int):
    """`people` members in the branch's seats (the first one the secretary)."""
    members = [make_member(branch) for _ in range(people)]
    for n, member in enumerate(members):
        role = "secretary" if n == 0 else "committee_member"
        appoint_to_seat(org=branch, role=role, member=member, started_on=SEATED)
    return members


# --- registry and parameters ---------------------------------------------------------------


def test_life_rules_registered_with_their_requirement_ids():
    rules = load_rules()
    assert {"LIFE-01", "LIFE-02", "LIFE-03", "LIFE-04", "LIFE-05"} <= set(rules)
    assert rules["LIFE-04"].severity == "warning"
    assert all(rules[r].period == "year" for r in ("LIFE-01", "LIFE-02", "LIFE-05"))


def test_life_02_05_new_parameters_stored_by_migration():
    national = Policy.objects.get(code="national").values
    assert national["life.party_lesson.leading_cadre_min_per_year"]["value"] == 1
    assert national["life.life_meeting.grace_months"]["value"] == 2
    assert national["life.leadership_life_meeting.min_per_year"]["value"] == 1
    local = Policy.objects.get(code="003-haimen").values
    assert local["life.leadership_life_meeting.min_per_year"]["source"].startswith("seed 003")


# --- LIFE-02 general meetings ---------------------------------------------------------------

Q1_NONE = ("2025-Q1", "error", "2025年第1季度未召开党员大会（有效会议0次，应不少于1次）")

GENERAL_CASES = [
    # (case, voters present, voters absent, probationary present, expected)
    ("10 voters, 6 present: quorum", 6, 4, 0, []),
    ("10 voters, 5 present: no quorum", 5, 5, 0, [Q1_NONE]),
    ("10 full + 4 probationary, 6 full present: quorum", 6, 4, 4, []),
    ("10 full + 4 probationary, 5 full present: no quorum", 5, 5, 4, [Q1_NONE]),
    ("no voting roster rows: cannot show quorum", 0, 0, 4, [Q1_NONE]),
]


@pytest.mark.parametrize(
    ("case", "present", "absent", "probationary", "expected"),
    GENERAL_CASES,
    ids=[c[0] for c in GENERAL_CASES],
)
def test_life_02_general_meeting_quorum(case, present, absent, probationary, expected):
    branch = make_org(_root())
    meeting = _meeting(branch, "general_meeting", D(2025, 2, 10))
    _roster(meeting, [make_member(branch) for _ in range(present)])
    _roster(meeting, [make_member(branch) for _ in range(absent)], "absent")
    newcomers = [
        make_member(branch, status="probationary", joined_on=D(2024, 9, 1))
        for _ in range(probationary)
    ]
    _roster(meeting, newcomers, voting=False)
    assert _findings(branch, "LIFE-02", D(2025, 4, 1), "2025") == expected


QUARTER_CASES = [
    # (case, general meetings held, as_of, expected)
    (
        "a quarter with no general meeting: one finding",
        [D(2025, 2, 10)],
        D(2025, 7, 1),
        [("2025-Q2", "error", "2025年第2季度未召开党员大会（有效会议0次，应不少于1次）")],
    ),
    ("one in each ended quarter", [D(2025, 2, 10), D(2025, 6, 30)], D(2025, 7, 1), []),
    ("the quarter in progress is not judged", [D(2025, 2, 10)], D(2025, 6, 30), []),
    ("a planned meeting does not count", [], D(2025, 4, 1), [Q1_NONE]),
]


@pytest.mark.parametrize(
    ("case", "held", "as_of", "expected"), QUARTER_CASES, ids=[c[0] for c in QUARTER_CASES]
)
def test_life_02_general_meeting_each_ended_quarter(case, held, as_of, expected):
    branch = make_org(_root())
    voters = [make_member(branch) for _ in range(3)]
    for day in held:
        _roster(_meeting(branch, "general_meeting", day), voters)
    planned = _meeting(branch, "general_meeting", None, status="planned", planned_on=D(2025, 3, 1))
    _roster(planned, voters)
    assert _findings(branch, "LIFE-02", as_of, "2025") == expected


def test_life_02_general_meeting_evidence_lists_meetings_failing_quorum():
    branch = make_org(_root())
    meeting = _meeting(branch, "general_meeting", D(2025, 2, 10))
    _roster(meeting, [make_member(branch) for _ in range(2)])
    _roster(meeting, [make_member(branch) for _ in range(3)], "leave")
    (found,) = _found(Org.objects.get_root(branch), "LIFE-02", D(2025, 4, 1), "2025")
    assert found.evidence == {
        "valid_meetings": [],
        "failed_quorum": [
            {"meeting": meeting.pk, "held_on": "2025-02-10", "present": 2, "voters": 5}
        ],
        "threshold": 1,
        "policy": "national",
        "source": "支部工作条例 第十一条：党员大会一般每季度召开1次",
    }


def test_life_02_general_meeting_not_judged_before_the_org_existed():
    branch = make_org(_root(), founded_on=D(2025, 2, 1))
    assert _findings(branch, "LIFE-02", D(2025, 4, 1), "2025") == []


# --- LIFE-02 committee and party-group meetings ------------------------------------------------

JUNE_NONE = ("2025-06", "error", "2025年6月未召开支委会（0次，应不少于1次）")

COMMITTEE_CASES = [
    # (case, people in seats, committee meetings in June, as_of, expected)
    ("committee of 3, no meeting in June", 3, [], D(2025, 7, 1), [JUNE_NONE]),
    ("committee of 3, one meeting", 3, [D(2025, 6, 12)], D(2025, 7, 1), []),
    (
        "meeting held in May does not count for June",
        3,
        [D(2025, 5, 30)],
        D(2025, 7, 1),
        [JUNE_NONE],
    ),
    ("2 people: no committee, not judged", 2, [], D(2025, 7, 1), []),
    ("June not yet ended", 3, [], D(2025, 6, 30), []),
]


@pytest.mark.parametrize(
    ("case", "people", "held", "as_of", "expected"),
    COMMITTEE_CASES,
    ids=[c[0] for c in COMMITTEE_CASES],
)
def test_life_02_committee_meeting_monthly(case, people, held, as_of, expected):
    branch = make_org(_root())
    _committee(branch, people)
    for day in held:
        _meeting(branch, "committee_meeting", day)
    assert _findings(branch, "LIFE-02", as_of, "2025-06") == expected


def test_life_02_committee_judged_only_in_months_it_existed_on_the_last_day():
    branch = make_org(_root())
    secretary, *_ = _committee(branch, 3)
    seat = branch.seats.get(member=secretary)
    end_seat(seat=seat, on=D(2025, 6, 29))
    assert _findings(branch, "LIFE-02", D(2025, 7, 1), "2025-06") == []


GROUP_CASES = [
    # (case, party-group meetings, expected)
    (
        "no party-group meeting in June",
        [],
        [("2025-06", "warning", "2025年6月未召开党小组会（0次，应不少于1次）")],
    ),
    ("one party-group meeting", [D(2025, 6, 3)], []),
]


@pytest.mark.parametrize(("case", "held", "expected"), GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_life_02_party_group_meeting_monthly(case, held, expected):
    branch = make_org(_root())
    group = make_org(branch, kind="party_group")
    for day in held:
        _meeting(group, "party_group_meeting", day)
    assert _findings(group, "LIFE-02", D(2025, 7, 1), "2025-06") == expected


# --- LIFE-02 lessons ---------------------------------------------------------------------------

NO_SECRETARY_LESSON = ("2025", "error", "2025年党组织书记讲党课0次，应不少于1次")

SECRETARY_CASES = [
    # (case, lecturer: "secretary" / "member" / "former" / None for no lesson, expected)
    ("lesson given by the secretary", "secretary", []),
    ("lesson given by someone not the secretary fails", "member", [NO_SECRETARY_LESSON]),
    ("lesson given after the lecturer left the seat", "former", [NO_SECRETARY_LESSON]),
    ("no lesson", None, [NO_SECRETARY_LESSON]),
]


@pytest.mark.parametrize(
    ("case", "lecturer", "expected"), SECRETARY_CASES, ids=[c[0] for c in SECRETARY_CASES]
)
def test_life_02_secretary_gives_a_lesson_a_year(case, lecturer, expected):
    branch = make_org(_root())
    secretary, member = make_member(branch), make_member(branch)
    seat = appoint_to_seat(org=branch, role="secretary", member=secretary, started_on=SEATED)
    if lecturer == "former":
        end_seat(seat=seat, on=D(2025, 3, 31))
        appoint_to_seat(org=branch, role="secretary", member=member, started_on=D(2025, 4, 1))
    who = {"secretary": secretary, "member": member, "former": secretary}
    if lecturer:
        _meeting(branch, "party_lesson", D(2025, 5, 20), lecturer=who[lecturer])
    in_office = member if lecturer == "former" else secretary  # on the year's last day
    found = _findings(branch, "LIFE-02", D(2026, 1, 1), "2025", member=in_office, label="2025")
    assert found == expected


def test_life_02_secretary_lesson_finding_names_the_secretary_at_year_end():
    branch = make_org(_root())
    secretary = make_member(branch)
    appoint_to_seat(org=branch, role="secretary", member=secretary, started_on=SEATED)
    found = _found(Org.objects.get_root(branch), "LIFE-02", D(2026, 1, 1), "2025")
    (yearly,) = [f for f in found if f.period == "2025"]
    assert (yearly.org_id, yearly.member_id) == (branch.pk, secretary.pk)


def test_life_02_secretary_lesson_not_judged_before_the_year_ends():
    branch = make_org(_root())
    found = _found(Org.objects.get_root(branch), "LIFE-02", D(2025, 12, 31), "2025")
    assert [f for f in found if f.period == "2025"] == []


def test_life_02_secretary_lesson_without_a_secretary_is_org_level():
    branch = make_org(_root())
    assert _findings(branch, "LIFE-02", D(2026, 1, 1), "2025", label="2025") == [
        NO_SECRETARY_LESSON
    ]


NO_CADRE_LESSON = ("2025", "warning", "党员领导干部2025年在所在党支部讲党课0次，应不少于1次")

CADRE_CASES = [
    # (case, where the cadre lectured: "own" / "other" / None, expected)
    ("lectured in the own branch", "own", []),
    ("lectured in another branch only", "other", [NO_CADRE_LESSON]),
    ("no lesson", None, [NO_CADRE_LESSON]),
]


@pytest.mark.parametrize(
    ("case", "where", "expected"), CADRE_CASES, ids=[c[0] for c in CADRE_CASES]
)
def test_life_02_leading_cadre_lectures_in_own_branch(case, where, expected):
    root = _root()
    branch, other = make_org(root), make_org(root)
    cadre = make_member(branch, leading_cadre=True)
    if where:
        _meeting(branch if where == "own" else other, "party_lesson", D(2025, 7, 1), lecturer=cadre)
    assert _findings(branch, "LIFE-02", D(2026, 1, 1), "2025", member=cadre) == expected


NO_LESSON_ATTENDED = ("2025", "warning", "2025年参加党课0次，应不少于1次")

MEMBER_LESSON_CASES = [
    # (case, with 004, roster status at the lesson (None: not on it), placed on, expected)
    ("004: present at a lesson", True, "present", None, []),
    ("004: on leave at the only lesson", True, "leave", None, [NO_LESSON_ATTENDED]),
    ("004: not on any lesson's roster", True, None, None, [NO_LESSON_ATTENDED]),
    ("004: placed in mid-year, not judged", True, None, D(2025, 3, 1), []),
    ("national: no member lesson count", False, None, None, []),
]


@pytest.mark.parametrize(
    ("case", "with_004", "status", "placed_on", "expected"),
    MEMBER_LESSON_CASES,
    ids=[c[0] for c in MEMBER_LESSON_CASES],
)
def test_life_02_members_attend_lessons(case, with_004, status, placed_on, expected):
    root = _root(policy=with_004)
    branch, other = make_org(root), make_org(root)
    if placed_on:
        member = make_member(branch, status="probationary", joined_on=placed_on)
    else:
        member = make_member(branch)
    lesson = _meeting(other, "party_lesson", D(2025, 4, 8))  # any org's lesson counts
    if status:
        _roster(lesson, [member], status)
    assert _findings(branch, "LIFE-02", D(2026, 1, 1), "2025", member=member) == expected


# --- LIFE-03 theme days -------------------------------------------------------------------------

FIXED_WARNING = (
    "主题党日于{dates}开展，不在规定时间（每月5日，逢节假日可在前后7天内的当月工作日），"
    "且未说明原因"
)


def _fixed(month: str, dates: str) -> tuple[str, str, str]:
    year, number = month.split("-")
    when = f"{year}年{int(number)}月"
    return (month, "warning", when + FIXED_WARNING.format(dates=dates))


OCT_NONE = ("2024-10", "error", "2024年10月未开展主题党日（0次，应不少于1次）")

FIXED_CASES = [
    # (case, theme days as (date, off_day_reason), as_of, expected for 2024-09 and 2024-10)
    ("on the 5th (a holiday) itself", [(D(2024, 10, 5), "")], D(2024, 11, 1), []),
    ("5th is a holiday: first workday after, Oct 8", [(D(2024, 10, 8), "")], D(2024, 11, 1), []),
    ("make-up workday Sat Oct 12, 7 days after", [(D(2024, 10, 12), "")], D(2024, 11, 1), []),
    (
        "Oct 20 without a reason: warning only",
        [(D(2024, 10, 20), "")],
        D(2024, 11, 1),
        [_fixed("2024-10", "10月20日")],
    ),
    ("Oct 20 with a reason", [(D(2024, 10, 20), "村里秋收")], D(2024, 11, 1), []),
    ("Sept 30 counts for September only", [(D(2024, 9, 30), "")], D(2024, 11, 1), [OCT_NONE]),
    (
        "one on time, one off time",
        [(D(2024, 10, 8), ""), (D(2024, 10, 20), "")],
        D(2024, 11, 1),
        [],
    ),
    ("October not yet ended", [], D(2024, 10, 31), []),
]


@pytest.mark.parametrize(
    ("case", "held", "as_of", "expected"), FIXED_CASES, ids=[c[0] for c in FIXED_CASES]
)
def test_life_03_theme_day_fixed_day_rural_004(case, held, as_of, expected):
    branch = make_org(_root(policy=True), sector="rural")
    _meeting(branch, "theme_day", D(2024, 9, 5))
    for day, reason in held:
        _meeting(branch, "theme_day", day, off_day_reason=reason)
    found = _findings(branch, "LIFE-03", as_of, "2024")
    assert [f for f in found if f[0] in ("2024-09", "2024-10")] == expected


def test_life_03_every_ended_month_without_a_theme_day_is_an_error():
    branch = make_org(_root(), sector="rural")
    _meeting(branch, "theme_day", D(2025, 2, 14))
    assert _findings(branch, "LIFE-03", D(2025, 4, 15), "2025") == [
        ("2025-01", "error", "2025年1月未开展主题党日（0次，应不少于1次）"),
        ("2025-03", "error", "2025年3月未开展主题党日（0次，应不少于1次）"),
    ]


def test_life_03_national_policy_fixes_no_day():
    branch = make_org(_root(), sector="rural")
    _meeting(branch, "theme_day", D(2024, 10, 20))
    assert _findings(branch, "LIFE-03", D(2024, 11, 1), "2024-10") == []


WEEKDAY_WARNING = (
    "2025年3月主题党日于{dates}开展，不在规定时间（周一晚上17:00以后或周六），且未说明原因"
)

WEEKDAY_CASES = [
    # (case, theme day (date, starts_at, off_day_reason), expected)
    ("Monday 19:00", (D(2025, 3, 10), T(19, 0), ""), []),
    ("Monday 17:00", (D(2025, 3, 10), T(17, 0), ""), []),
    (
        "Monday 10:00: warning",
        (D(2025, 3, 10), T(10, 0), ""),
        [("2025-03", "warning", WEEKDAY_WARNING.format(dates="3月10日"))],
    ),
    (
        "Monday without a start time: warning",
        (D(2025, 3, 10), None, ""),
        [("2025-03", "warning", WEEKDAY_WARNING.format(dates="3月10日"))],
    ),
    ("Saturday", (D(2025, 3, 8), T(9, 0), ""), []),
    ("Tuesday with a reason", (D(2025, 3, 11), T(15, 0), "上级统一安排"), []),
    (
        "Tuesday without a reason: warning",
        (D(2025, 3, 11), T(15, 0), ""),
        [("2025-03", "warning", WEEKDAY_WARNING.format(dates="3月11日"))],
    ),
]


@pytest.mark.parametrize(
    ("case", "held", "expected"), WEEKDAY_CASES, ids=[c[0] for c in WEEKDAY_CASES]
)
def test_life_03_theme_day_weekdays_government_004(case, held, expected):
    branch = make_org(_root(policy=True), sector="government", level="unit")
    day, starts_at, reason = held
    _meeting(branch, "theme_day", day, starts_at=starts_at, off_day_reason=reason)
    assert _findings(branch, "LIFE-03", D(2025, 4, 1), "2025-03") == expected


def test_life_03_evidence_names_the_policy_of_the_schedule():
    branch = make_org(_root(policy=True), sector="rural")
    meeting = _meeting(branch, "theme_day", D(2024, 10, 20))
    (found,) = _found(Org.objects.get_root(branch), "LIFE-03", D(2024, 11, 1), "2024-10")
    assert found.evidence == {
        "meetings": [{"meeting": meeting.pk, "held_on": "2024-10-20"}],
        "shift_window_days": 7,
        "threshold": 5,
        "policy": "004-gaibei",
        "source": "seed 004 §4.5.2：原则上明确每月5日作为农村党组织的主题党日活动时间",
    }


# --- LIFE-05 life meetings ---------------------------------------------------------------------

NO_LIFE_MEETING = (
    "2025",
    "error",
    "2025年度未召开组织生活会（0次，应不少于1次，最迟应于2026-02-28前召开）",
)

LIFE_MEETING_CASES = [
    # (case, life meetings as (held_on, for_period, status), as_of, overrides, expected)
    ("held in December", [(D(2025, 12, 10), "", "held")], D(2026, 3, 1), None, []),
    ("held in Jan 2026 for 2025", [(D(2026, 1, 15), "2025", "held")], D(2026, 3, 1), None, []),
    (
        "held in Jan 2026 without for_period: counts for 2026",
        [(D(2026, 1, 15), "", "held")],
        D(2026, 3, 1),
        None,
        [NO_LIFE_MEETING],
    ),
    ("none: still in the grace months", [], D(2026, 2, 28), None, []),
    ("none: grace months over", [], D(2026, 3, 1), None, [NO_LIFE_MEETING]),
    (
        "cancelled meeting does not count",
        [(D(2025, 12, 10), "", "cancelled")],
        D(2026, 3, 1),
        None,
        [NO_LIFE_MEETING],
    ),
    (
        "no grace months: due at the year end",
        [],
        D(2026, 1, 1),
        _over("life.life_meeting.grace_months", "0"),
        [
            (
                "2025",
                "error",
                "2025年度未召开组织生活会（0次，应不少于1次，最迟应于2025-12-31前召开）",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "held", "as_of", "overrides", "expected"),
    LIFE_MEETING_CASES,
    ids=[c[0] for c in LIFE_MEETING_CASES],
)
def test_life_05_branch_life_meeting_yearly_with_grace(case, held, as_of, overrides, expected):
    branch = make_org(_root())
    for day, for_period, status in held:
        _meeting(branch, "life_meeting", day, for_period=for_period, status=status)
    found = _findings(branch, "LIFE-05", as_of, "2025", overrides=overrides)
    assert found == expected


LEADERSHIP_CASES = [
    # (case, kind, leadership life meeting held?, expected)
    (
        "town committee without one",
        "party_committee",
        False,
        [
            (
                "2025",
                "error",
                "2025年度未召开领导班子民主生活会（0次，应不少于1次，最迟应于2026-02-28前召开）",
            )
        ],
    ),
    ("town committee with one", "party_committee", True, []),
    (
        "general branch without one",
        "general_branch",
        False,
        [
            (
                "2025",
                "error",
                "2025年度未召开领导班子民主生活会（0次，应不少于1次，最迟应于2026-02-28前召开）",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "kind", "held", "expected"), LEADERSHIP_CASES, ids=[c[0] for c in LEADERSHIP_CASES]
)
def test_life_05_leadership_life_meeting(case, kind, held, expected):
    org = make_org(_root(), kind=kind, level="town")
    if held:
        _meeting(org, "leadership_life_meeting", D(2026, 1, 20), for_period="2025")
    assert _findings(org, "LIFE-05", D(2026, 3, 1), "2025") == expected


# --- LIFE-05 late life meetings (issue 23) ----------------------------------------------------
# 2023's due date is the last day of February 2024, a leap year: 2024-02-29.


def _late(name: str, held: str, severity: str = "warning") -> tuple:
    message = f"2023年度{name}应于2024-02-29前召开，实际于{held}召开，逾期召开"
    return ("2023", severity, message)


LATE_CASES = [
    # (case, kind, meetings as (held_on, for_period), overrides, expected)
    ("held in the year itself", "life_meeting", [(D(2023, 12, 10), "")], None, []),
    ("held on the grace's last day, Feb 29", "life_meeting", [(D(2024, 2, 29), "2023")], None, []),
    (
        "held the day after the grace",
        "life_meeting",
        [(D(2024, 3, 1), "2023")],
        None,
        [_late("组织生活会", "2024-03-01")],
    ),
    (
        "held months late",
        "life_meeting",
        [(D(2024, 9, 12), "2023")],
        None,
        [_late("组织生活会", "2024-09-12")],
    ),
    (
        "one on time and one late: met on time",
        "life_meeting",
        [(D(2023, 11, 2), ""), (D(2024, 4, 1), "2023")],
        None,
        [],
    ),
    (
        "late, severity from the policy",
        "life_meeting",
        [(D(2024, 3, 1), "2023")],
        _over("life.life_meeting.late_severity", '"error"'),
        [_late("组织生活会", "2024-03-01", "error")],
    ),
    (
        "late, grace months from the policy",
        "life_meeting",
        [(D(2024, 1, 5), "2023")],
        _over("life.life_meeting.grace_months", "0"),
        [
            (
                "2023",
                "warning",
                "2023年度组织生活会应于2023-12-31前召开，实际于2024-01-05召开，逾期召开",
            )
        ],
    ),
    (
        "leadership life meeting on Feb 29",
        "leadership_life_meeting",
        [(D(2024, 2, 29), "2023")],
        None,
        [],
    ),
    (
        "leadership life meeting the day after",
        "leadership_life_meeting",
        [(D(2024, 3, 1), "2023")],
        None,
        [_late("领导班子民主生活会", "2024-03-01")],
    ),
]


@pytest.mark.parametrize(
    ("case", "kind", "held", "overrides", "expected"), LATE_CASES, ids=[c[0] for c in LATE_CASES]
)
def test_life_05_late_life_meeting(case, kind, held, overrides, expected):
    org_kind = "branch" if kind == "life_meeting" else "party_committee"
    org = make_org(_root(), kind=org_kind, level="town")
    for day, for_period in held:
        _meeting(org, kind, day, for_period=for_period)
    found = _findings(org, "LIFE-05", D(2024, 12, 31), "2023", overrides=overrides)
    assert found == expected


def test_life_05_late_life_meeting_evidence():
    branch = make_org(_root())
    meeting = _meeting(
        branch, "life_meeting", D(2024, 3, 1), for_period="2023", period_reason="疫情推迟"
    )
    (found,) = [
        f
        for f in _found(Org.objects.get_root(branch), "LIFE-05", D(2024, 12, 31), "2023")
        if f.org_id == branch.pk
    ]
    assert found.evidence == {
        "late_meetings": [meeting.pk],
        "deadline": "2024-02-29",
        "held_on": "2024-03-01",
        "period_reason": "疫情推迟",
        "policy": "national",
        "source": found.evidence["source"],
    }
    assert "支部工作条例" in found.evidence["source"]


# --- LIFE-04 consecutive absence ------------------------------------------------------------


def _absences(dates) -> str:
    return f"连续{len(dates)}次缺席组织生活且未请假（{'、'.join(dates)}）"


ABSENCE_CASES = [
    # (case, roster statuses oldest first, at meetings on the 10th of Jan, Feb, …, expected)
    (
        "3 absences in a row",
        ["present", "absent", "absent", "absent"],
        [("2025", "warning", _absences(["2025-02-10", "2025-03-10", "2025-04-10"]))],
    ),
    (
        "3 absences with a leave in between",
        ["absent", "leave", "absent", "absent"],
        [("2025", "warning", _absences(["2025-01-10", "2025-03-10", "2025-04-10"]))],
    ),
    ("2 absences with a leave in between", ["present", "absent", "leave", "absent"], []),
    (
        "exempted in between is skipped",
        ["absent", "absent", "exempted", "absent"],
        [("2025", "warning", _absences(["2025-01-10", "2025-02-10", "2025-04-10"]))],
    ),
    ("a presence breaks the run", ["absent", "absent", "present", "absent"], []),
    ("3 absences then a presence", ["absent", "absent", "absent", "present"], []),
]


@pytest.mark.parametrize(
    ("case", "statuses", "expected"), ABSENCE_CASES, ids=[c[0] for c in ABSENCE_CASES]
)
def test_life_04_consecutive_absence_without_leave(case, statuses, expected):
    branch = make_org(_root())
    member = make_member(branch)
    for month, status in enumerate(statuses, start=1):
        _roster(_meeting(branch, "theme_day", D(2025, month, 10)), [member], status)
    assert _findings(branch, "LIFE-04", D(2025, 12, 31), "2025", member=member) == expected


RUN_CASES = [
    # (case, absence dates, as_of, period, expected)
    (
        "a run reaching back into last year",
        [D(2024, 11, 10), D(2024, 12, 10), D(2025, 1, 10)],
        D(2025, 12, 31),
        "2025",
        [("2025", "warning", _absences(["2024-11-10", "2024-12-10", "2025-01-10"]))],
    ),
    (
        "a run that ended last year",
        [D(2024, 10, 10), D(2024, 11, 10), D(2024, 12, 10)],
        D(2025, 12, 31),
        "2025",
        [],
    ),
    (
        "absences after the check day do not count",
        [D(2025, 5, 10), D(2025, 6, 10), D(2025, 7, 10)],
        D(2025, 6, 30),
        "2025",
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "dates", "as_of", "period", "expected"), RUN_CASES, ids=[c[0] for c in RUN_CASES]
)
def test_life_04_run_must_end_inside_the_period(case, dates, as_of, period, expected):
    branch = make_org(_root())
    member = make_member(branch)
    for day in dates:
        _roster(_meeting(branch, "committee_meeting", day), [member], "absent")
    assert _findings(branch, "LIFE-04", as_of, period, member=member) == expected


def test_life_04_limit_comes_from_the_policy():
    branch = make_org(_root())
    member = make_member(branch)
    for month in (1, 2):
        _roster(_meeting(branch, "theme_day", D(2025, month, 10)), [member], "absent")
    over = _over("life.absence.consecutive_limit", "2")
    assert _findings(branch, "LIFE-04", D(2025, 12, 31), "2025", member=member, overrides=over) == [
        ("2025", "warning", _absences(["2025-01-10", "2025-02-10"]))
    ]


# --- LIFE-01 six months without organizational life ------------------------------------------

NO_LIFE = ("2025", "error", "连续6个月未参加党的组织生活（自行脱党情形之一）")

NO_LIFE_CASES = [
    # (case, roster entries as (date, status), exemption (starts, ends, status) or None,
    #  joined, expected) — checked on 2025-12-31: window 2025-07-01 … 2025-12-31
    ("present in the window", [(D(2025, 8, 1), "present")], None, None, []),
    ("present on the window's first day", [(D(2025, 7, 1), "present")], None, None, []),
    (
        "present only the day before the window",
        [(D(2025, 6, 30), "present")],
        None,
        None,
        [NO_LIFE],
    ),
    (
        "6 months with no presence",
        [(D(2025, 8, 1), "absent"), (D(2025, 9, 1), "leave")],
        None,
        None,
        [NO_LIFE],
    ),
    ("no roster rows at all", [], None, None, [NO_LIFE]),
    ("joined inside the window: not judged", [], None, D(2025, 9, 1), []),
    (
        "approved exemption covering the window: info",
        [],
        (D(2025, 1, 1), None, "approved"),
        None,
        [
            (
                "2025",
                "info",
                "连续6个月未参加党的组织生活，已批准免于参加"
                "（主题党日，长期卧病，2025-01-01至长期）",
            )
        ],
    ),
    (
        "exemption ending inside the window: error",
        [],
        (D(2025, 1, 1), D(2025, 10, 31), "approved"),
        None,
        [NO_LIFE],
    ),
    ("pending exemption: error", [], (D(2025, 1, 1), None, "pending"), None, [NO_LIFE]),
]


@pytest.mark.parametrize(
    ("case", "entries", "exemption", "joined", "expected"),
    NO_LIFE_CASES,
    ids=[c[0] for c in NO_LIFE_CASES],
)
def test_life_01_six_months_without_organizational_life(case, entries, exemption, joined, expected):
    branch = make_org(_root())
    if joined:
        member = make_member(branch, status="probationary", joined_on=joined)
    else:
        member = make_member(branch)
    for day, status in entries:
        _roster(_meeting(branch, "theme_day", day), [member], status)
    if exemption:
        starts, ends, status = exemption
        Exemption.objects.create(
            member=member, reason="长期卧病", starts_on=starts, ends_on=ends, status=status
        )
    assert _findings(branch, "LIFE-01", D(2025, 12, 31), "2025", member=member) == expected


def test_life_01_presence_at_another_orgs_meeting_counts():
    root = _root()
    branch, elsewhere = make_org(root), make_org(None, kind="party_committee", level="county")
    member = make_member(branch)
    _roster(_meeting(elsewhere, "study_session", D(2025, 10, 1)), [member])
    assert _findings(branch, "LIFE-01", D(2025, 12, 31), "2025", member=member) == []


# --- set-wise evaluation ----------------------------------------------------------------------


def _busy_branch(root):
    branch = make_org(root, sector="rural")
    people = _committee(branch, 3)
    group = make_org(branch, kind="party_group")
    for month in (1, 4, 7):
        meeting = _meeting(branch, "general_meeting", D(2025, month, 10))
        _roster(meeting, people[:2])
        _roster(meeting, people[2:], "absent")
        _meeting(group, "party_group_meeting", D(2025, month, 12))
        _roster(_meeting(branch, "theme_day", D(2025, month, 5)), people, "absent")
    _meeting(branch, "party_lesson", D(2025, 3, 1), lecturer=people[1])
    return branch


def test_life_rules_query_count_does_not_grow_with_orgs():
    """LIFE-01 … 05 read set-wise: the same number of queries for 2 branches as for 6."""
    ids = ["LIFE-01", "LIFE-02", "LIFE-03", "LIFE-04", "LIFE-05"]

    def queries(branches: int) -> int:
        root = _root(policy=True)
        for _ in range(branches):
            _busy_branch(root)
        with CaptureQueriesContext(connection) as captured:
            evaluate(roots=[root], period=parse_period("2025"), as_of=D(2026, 3, 1), rule_ids=ids)
        return len(captured)

    assert queries(2) == queries(6)
