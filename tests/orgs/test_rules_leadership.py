"""ORG-04 (leadership and terms) and ORG-05 (vacancies), one row per case.

Readings under test (see national.toml): a term expires `years` calendar years after the
election day and an election on that day is on time; a tenure's `ended_on` is its last
day in office, the vacancy starts the next day and is a finding only after the vacancy
start plus max_months calendar months.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_member, make_org
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.policy import SHIPPED, parse_value
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.domain import appoint_to_seat, end_seat, record_election
from xianfeng.orgs.models import Org, Term

pytestmark = pytest.mark.django_db
D = dt.date


def _findings(org, rule: str, day: dt.date, overrides=None) -> list[tuple[str, str]]:
    """(severity, message) of `rule` for `org` on `day` (the org's own subtree evaluated)."""
    root = Org.objects.get_root(org)
    pairs, _ = evaluate(
        roots=[root],
        period=parse_period(str(day.year)),
        as_of=day,
        rule_ids=[rule],
        overrides=overrides,
    )
    return [(f.severity, f.message) for _rule, f in pairs if f.org_id == org.pk]


def _root(**fields):
    return make_org(None, kind="party_committee", level="county", sector="", **fields)


def _branch(parent, *, sector: str = "soe", members: int = 1, kind: str = "branch"):
    """A branch with `members` full members, the first of them its secretary since 2020."""
    branch = make_org(parent, kind=kind, sector=sector)
    people = [make_member(branch) for _ in range(members)]
    if people:
        appoint_to_seat(org=branch, role="secretary", member=people[0], started_on=D(2020, 1, 1))
    return branch


def _attach_003(org) -> None:
    text = (SHIPPED / "003_haimen_government.toml").read_text(encoding="utf-8")
    attach_policy(policy=save_policy(text=text), org=org)


# --- ORG-04: terms -------------------------------------------------------------------

OVERDUE = "第1届任期已于2025-03-10届满，逾期未换届"
EXTENDED = "第1届任期已于2025-03-10届满，经批准延期至2025-09-10，逾期未换届"


def _soon(months: int, extended: str = "") -> str:
    return f"第1届任期将于2025-03-10届满{extended}，距换届期限不足{months}个月，请做好换届准备"


TERM_CASES = [
    # (case, extension, day, expected) — elected 2022-03-10 for 3 years (sector soe)
    ("one day before the 6-month window", None, D(2024, 9, 9), []),
    ("6 months before the end", None, D(2024, 9, 10), [("info", _soon(6))]),
    ("between 6 and 3 months", None, D(2024, 12, 9), [("info", _soon(6))]),
    ("3 months before: only the nearest lead", None, D(2024, 12, 10), [("info", _soon(3))]),
    ("on the expiry day it is still on time", None, D(2025, 3, 10), [("info", _soon(3))]),
    ("the day after the expiry", None, D(2025, 3, 11), [("error", OVERDUE)]),
    ("long overdue", None, D(2026, 6, 1), [("error", OVERDUE)]),
    (
        "extended: inside the extension",
        D(2025, 9, 10),
        D(2025, 3, 11),
        [("info", _soon(6, "，经批准延期至2025-09-10"))],
    ),
    (
        "extended: last day of the extension",
        D(2025, 9, 10),
        D(2025, 9, 10),
        [("info", _soon(3, "，经批准延期至2025-09-10"))],
    ),
    ("extended: the day after it", D(2025, 9, 10), D(2025, 9, 11), [("error", EXTENDED)]),
    (
        "stored extension beyond 1 year is capped at 1 year",
        D(2026, 9, 1),
        D(2026, 3, 11),
        [("error", "第1届任期已于2025-03-10届满，经批准延期至2026-03-10，逾期未换届")],
    ),
]


@pytest.mark.parametrize(
    ("case", "extension", "day", "expected"), TERM_CASES, ids=[c[0] for c in TERM_CASES]
)
def test_org_04_term_expiry_and_reminders(case, extension, day, expected):
    branch = _branch(_root())
    term = record_election(org=branch, elected_on=D(2022, 3, 10))
    Term.objects.filter(pk=term.pk).update(approved_extension_until=extension)
    assert _findings(branch, "ORG-04", day) == expected


def test_org_04_a_new_election_opens_the_next_term():
    branch = _branch(_root())
    record_election(org=branch, elected_on=D(2022, 3, 10))
    record_election(org=branch, elected_on=D(2025, 3, 1))
    assert _findings(branch, "ORG-04", D(2025, 3, 11)) == []
    assert _findings(branch, "ORG-04", D(2028, 3, 2)) == [
        ("error", "第2届任期已于2028-03-01届满，逾期未换届")
    ]


def test_org_04_years_voted_at_the_election_win_over_the_policy():
    branch = _branch(_root())
    record_election(org=branch, elected_on=D(2022, 3, 10), years=5)
    assert _findings(branch, "ORG-04", D(2025, 3, 11)) == []


SECTOR_CASES = [
    # (case, sector, kind, level, with 003 on the root, overdue on 2024-06-01?)
    ("rural branch: 5 years", "rural", "branch", "village", False, False),
    ("community branch: 5 years", "community", "branch", "village", False, False),
    ("enterprise branch: default 3 years", "soe", "branch", "unit", False, True),
    ("government branch, national: 5 years", "government", "branch", "unit", False, False),
    ("government branch under 003: 3 years", "government", "branch", "unit", True, True),
    ("institution branch under 003: 3 years", "institution", "branch", "unit", True, True),
    ("rural branch under 003 keeps 5 years", "rural", "branch", "village", True, False),
    ("town committee: local committee 5 years", "", "party_committee", "town", False, False),
    ("unit committee, no sector: 3 years", "", "party_committee", "unit", False, True),
]


@pytest.mark.parametrize(
    ("case", "sector", "kind", "level", "with_003", "overdue"),
    SECTOR_CASES,
    ids=[c[0] for c in SECTOR_CASES],
)
def test_org_04_term_length_by_sector_and_policy(case, sector, kind, level, with_003, overdue):
    root = _root()
    if with_003:
        _attach_003(root)
    org = make_org(root, kind=kind, level=level, sector=sector)
    holder = make_member(_branch(org) if kind != "branch" else org)
    appoint_to_seat(org=org, role="secretary", member=holder, started_on=D(2020, 1, 1))
    record_election(org=org, elected_on=D(2021, 1, 10))
    expected = [("error", "第1届任期已于2024-01-10届满，逾期未换届")] if overdue else []
    assert _findings(org, "ORG-04", D(2024, 6, 1)) == expected


def test_org_04_evidence_names_the_policy_and_source():
    root = _root()
    _attach_003(root)
    branch = _branch(root, sector="government")
    term = record_election(org=branch, elected_on=D(2021, 1, 10))
    pairs, _ = evaluate(
        roots=[root], period=parse_period("2024"), as_of=D(2024, 6, 1), rule_ids=["ORG-04"]
    )
    found = next(f for _r, f in pairs if f.org_id == branch.pk)
    assert found.evidence == {
        "term": term.pk,
        "number": 1,
        "elected_on": "2021-01-10",
        "years": 3,
        "expires_on": "2024-01-10",
        "extended_until": None,
        "as_of": "2024-06-01",
        "policy": "003-haimen",
        "source": "seed 003 附件第4条：机关党组织每届任期3年，按期换届",
    }


def test_org_04_reminder_lead_times_come_from_the_policy():
    branch = _branch(_root())
    record_election(org=branch, elected_on=D(2022, 3, 10))
    over = {"org.term.reminder_months": parse_value("org.term.reminder_months", "[1]")}
    assert _findings(branch, "ORG-04", D(2024, 12, 10), overrides=over) == []
    assert _findings(branch, "ORG-04", D(2025, 2, 10), overrides=over) == [("info", _soon(1))]


# --- ORG-04: secretary, committee, unrecorded terms ---------------------------------

NO_TERM = ("warning", "未录入换届信息")
NO_SECRETARY = ("error", "未配备书记（也无副书记主持工作）")


def _committee(full: int, extra_seats: int) -> str:
    return (
        f"正式党员{full}人（7人以上），应设立支部委员会，现有班子成员{1 + extra_seats}人（少于3人）"
    )


COMMITTEE_CASES = [
    # (case, full members, committee members besides the secretary, expected)
    ("6 full members and only a secretary", 6, 0, []),
    ("7 full members and only a secretary", 7, 0, [("warning", _committee(7, 0))]),
    ("7 full members, secretary and 1 member", 7, 1, [("warning", _committee(7, 1))]),
    ("7 full members, secretary and 2 members", 7, 2, []),
]


@pytest.mark.parametrize(
    ("case", "full", "extra", "expected"), COMMITTEE_CASES, ids=[c[0] for c in COMMITTEE_CASES]
)
def test_org_04_committee_required_from_7_full_members(case, full, extra, expected):
    branch = _branch(_root(), members=full)
    record_election(org=branch, elected_on=D(2024, 1, 10))
    others = list(branch.members.order_by("pk"))[1 : 1 + extra]
    for index, member in enumerate(others):
        title = ["组织委员", "宣传委员"][index]
        appoint_to_seat(
            org=branch,
            role="committee_member",
            title=title,
            member=member,
            started_on=D(2024, 1, 10),
        )
    assert _findings(branch, "ORG-04", D(2025, 6, 1)) == expected


def test_org_04_committee_counts_probationary_members_out():
    branch = _branch(_root(), members=6)
    make_member(branch, status="probationary", joined_on=D(2025, 1, 1))
    record_election(org=branch, elected_on=D(2024, 1, 10))
    assert _findings(branch, "ORG-04", D(2025, 6, 1)) == []


SECRETARY_CASES = [
    # (case, seats as (role, started, ended), expected)
    ("no seat at all", [], [NO_SECRETARY]),
    ("a secretary", [("secretary", D(2020, 1, 1), None)], []),
    (
        "only a deputy acting",
        [("deputy_secretary", D(2020, 1, 1), None)],
        [("warning", "未配备书记，由副书记主持工作")],
    ),
    ("the secretary left", [("secretary", D(2020, 1, 1), D(2025, 5, 31))], [NO_SECRETARY]),
    ("the secretary's last day", [("secretary", D(2020, 1, 1), D(2025, 6, 1))], []),
    ("appointed after the day", [("secretary", D(2025, 6, 2), None)], [NO_SECRETARY]),
    ("only committee members", [("committee_member", D(2020, 1, 1), None)], [NO_SECRETARY]),
]


@pytest.mark.parametrize(
    ("case", "seats", "expected"), SECRETARY_CASES, ids=[c[0] for c in SECRETARY_CASES]
)
def test_org_04_every_org_needs_a_secretary(case, seats, expected):
    branch = _branch(_root(), members=0)
    holder = make_member(branch)
    record_election(org=branch, elected_on=D(2024, 1, 10))
    for role, started, ended in seats:
        seat = appoint_to_seat(org=branch, role=role, member=holder, started_on=started)
        if ended:
            end_seat(seat=seat, on=ended)
    assert _findings(branch, "ORG-04", D(2025, 6, 1)) == expected


KIND_CASES = [
    # (case, kind, expected for an org without seats and terms)
    ("general branch", "general_branch", [NO_SECRETARY, NO_TERM]),
    ("joint branch", "joint_branch", [NO_SECRETARY, NO_TERM]),
    ("working committee: appointed, no term", "working_committee", [NO_SECRETARY]),
    ("temporary org: no leadership", "temporary_org", []),
]


@pytest.mark.parametrize(("case", "kind", "expected"), KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_org_04_which_kinds_are_checked(case, kind, expected):
    root = _root()
    org = make_org(root, kind=kind, level="unit")
    assert _findings(org, "ORG-04", D(2025, 6, 1)) == expected


def test_org_04_party_group_and_dissolved_orgs_are_not_checked():
    from xianfeng.orgs.domain import dissolve_org

    root = _root()
    branch = _branch(root)
    record_election(org=branch, elected_on=D(2024, 1, 10))
    group = make_org(branch, kind="party_group")
    gone = make_org(root, kind="branch")
    dissolve_org(org=gone, on=D(2025, 1, 1))
    assert _findings(group, "ORG-04", D(2025, 6, 1)) == []
    assert _findings(gone, "ORG-04", D(2025, 6, 1)) == []
    assert _findings(branch, "ORG-04", D(2025, 6, 1)) == []


def test_org_04_no_term_recorded_and_a_term_after_the_day():
    branch = _branch(_root())
    assert _findings(branch, "ORG-04", D(2025, 6, 1)) == [NO_TERM]
    record_election(org=branch, elected_on=D(2025, 7, 1))
    assert _findings(branch, "ORG-04", D(2025, 6, 1)) == [NO_TERM]
    assert _findings(branch, "ORG-04", D(2025, 7, 1)) == []


# --- ORG-05: vacancies ---------------------------------------------------------------

SECRETARY_VACANT = ("error", "书记自2025-01-15起空缺，超过6个月未补齐（应于2025-07-15前补齐）")
ORGANIZER_VACANT = (
    "error",
    "委员（组织委员）自2025-01-15起空缺，超过6个月未补齐（应于2025-07-15前补齐）",
)

VACANCY_CASES = [
    # (case, role, title of the leaver, later tenures (title, started), elections, day, expected)
    ("exactly 6 months: not yet", "secretary", "", [], [], D(2025, 7, 15), []),
    ("6 months and one day", "secretary", "", [], [], D(2025, 7, 16), [SECRETARY_VACANT]),
    ("refilled within 6 months", "secretary", "", [("", D(2025, 5, 1))], [], D(2025, 8, 1), []),
    (
        "refilled after 6 months: no longer vacant",
        "secretary",
        "",
        [("", D(2025, 8, 1))],
        [],
        D(2025, 8, 2),
        [],
    ),
    (
        "refilled after the day looked at",
        "secretary",
        "",
        [("", D(2025, 8, 1))],
        [],
        D(2025, 7, 20),
        [SECRETARY_VACANT],
    ),
    (
        "successor appointed before the leaver's last day",
        "secretary",
        "",
        [("", D(2025, 1, 10))],
        [],
        D(2025, 8, 1),
        [],
    ),
    (
        "a new election closes the vacancy",
        "secretary",
        "",
        [],
        [D(2025, 3, 1)],
        D(2025, 8, 1),
        [],
    ),
    (
        "an election before the leaver left does not",
        "secretary",
        "",
        [],
        [D(2024, 3, 1)],
        D(2025, 8, 1),
        [SECRETARY_VACANT],
    ),
    (
        "committee seat refilled with the same title",
        "committee_member",
        "组织委员",
        [("组织委员", D(2025, 3, 1))],
        [],
        D(2025, 8, 1),
        [],
    ),
    (
        "another title does not fill it",
        "committee_member",
        "组织委员",
        [("宣传委员", D(2025, 3, 1))],
        [],
        D(2025, 8, 1),
        [ORGANIZER_VACANT],
    ),
]


@pytest.mark.parametrize(
    ("case", "role", "title", "later", "elections", "day", "expected"),
    VACANCY_CASES,
    ids=[c[0] for c in VACANCY_CASES],
)
def test_org_05_vacancy_filled_within_6_months(case, role, title, later, elections, day, expected):
    branch = _branch(_root(), members=0)
    leaver, successor = make_member(branch), make_member(branch)
    seat = appoint_to_seat(
        org=branch, role=role, title=title, member=leaver, started_on=D(2022, 1, 1)
    )
    end_seat(seat=seat, on=D(2025, 1, 14))
    for new_title, started in later:
        appoint_to_seat(
            org=branch, role=role, title=new_title, member=successor, started_on=started
        )
    for elected_on in elections:
        record_election(org=branch, elected_on=elected_on)
    assert _findings(branch, "ORG-05", day) == expected


def test_org_05_each_vacancy_is_matched_to_one_successor():
    """Two deputies leave, one successor comes: one deputy seat stays vacant."""
    branch = _branch(_root(), members=0)
    first, second, third = (make_member(branch) for _ in range(3))
    for member, last_day in [(first, D(2025, 1, 14)), (second, D(2025, 2, 14))]:
        seat = appoint_to_seat(
            org=branch, role="deputy_secretary", member=member, started_on=D(2022, 1, 1)
        )
        end_seat(seat=seat, on=last_day)
    appoint_to_seat(org=branch, role="deputy_secretary", member=third, started_on=D(2025, 3, 1))
    assert _findings(branch, "ORG-05", D(2025, 9, 1)) == [
        ("error", "副书记自2025-02-15起空缺，超过6个月未补齐（应于2025-08-15前补齐）")
    ]


def test_org_05_evidence_and_policy_override():
    root = _root()
    branch = _branch(root, members=0)
    seat = appoint_to_seat(
        org=branch, role="secretary", member=make_member(branch), started_on=D(2022, 1, 1)
    )
    end_seat(seat=seat, on=D(2025, 1, 14))
    pairs, _ = evaluate(
        roots=[root], period=parse_period("2025"), as_of=D(2025, 7, 16), rule_ids=["ORG-05"]
    )
    assert [f.evidence for _r, f in pairs] == [
        {
            "role": "secretary",
            "title": "",
            "vacant_since": "2025-01-15",
            "due": "2025-07-15",
            "max_months": 6,
            "seats": [seat.pk],
            "as_of": "2025-07-16",
            "policy": "national",
            "source": "本系统默认（seed 003 §4.5：空缺6个月内配齐）",
        }
    ]
    over = {"org.vacancy.max_months": parse_value("org.vacancy.max_months", "3")}
    assert _findings(branch, "ORG-05", D(2025, 4, 15), overrides=over) == []
    assert _findings(branch, "ORG-05", D(2025, 4, 16), overrides=over) == [
        ("error", "书记自2025-01-15起空缺，超过3个月未补齐（应于2025-04-15前补齐）")
    ]


def test_org_05_month_end_vacancy_is_due_at_the_end_of_the_shorter_month():
    branch = _branch(_root(), members=0)
    seat = appoint_to_seat(
        org=branch, role="secretary", member=make_member(branch), started_on=D(2022, 1, 1)
    )
    end_seat(seat=seat, on=D(2024, 8, 30))  # vacant from 2024-08-31
    assert _findings(branch, "ORG-05", D(2025, 2, 28)) == []
    assert _findings(branch, "ORG-05", D(2025, 3, 1)) == [
        ("error", "书记自2024-08-31起空缺，超过6个月未补齐（应于2025-02-28前补齐）")
    ]
