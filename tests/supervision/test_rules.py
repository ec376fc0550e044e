"""The supervision rules (TASK-01, TASK-02, TASK-04 … TASK-07), one row per case.

Readings under test (see the rule modules and national.toml [supervision.*]):
- TASK-01/02 judge the items as they stood on the day looked at (the period's last day, or
  as-of if earlier): an item counts from its creation until its acceptance; one finding
  per org.
- TASK-04 judges each quarter of the period once its last day plus due_days has passed by
  as-of, for owing orgs that existed from the quarter's first day.
- TASK-05/07: the secretary seated on the due day and still on the day looked at owes the
  year's project (and, seated on 1 January too, the report on the last year).
- TASK-06: the admonishing org owes a proposal after a second admonition within the
  window, and its decision within decision_days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_member, make_org
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.evidence import evidence_sentence, labels
from xianfeng.compliance.policy import parse_value
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.domain import appoint_to_seat, end_seat
from xianfeng.orgs.models import Org
from xianfeng.supervision.models import (
    AdjustmentProposal,
    Admonition,
    DutyReport,
    Item,
    ProgressReport,
    Project,
    Step,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _found(tree, rule: str, period: str, as_of: dt.date, overrides: dict | None = None) -> list:
    """(org code, member code or "", period, severity, message) of `rule` over the tree."""
    over = {key: parse_value(key, text) for key, text in (overrides or {}).items()}
    pairs, _orgs = evaluate(
        roots=[tree.city], period=parse_period(period), as_of=as_of, rule_ids=[rule], overrides=over
    )
    codes = dict(Org.objects.values_list("pk", "code"))
    rows = []
    for found_rule, f in pairs:
        if found_rule is None:
            continue
        member = tree.member_a.code if f.member_id == tree.member_a.pk else str(f.member_id or "")
        rows.append((codes[f.org_id], member, f.period, f.severity, f.message))
        assert not [key for key in f.evidence if key not in labels()], (rule, f.evidence)
    return sorted(rows)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- TASK-01: overdue items -----------------------------------------------------------


def _item(tree, **fields: Any) -> Item:
    values: dict[str, Any] = {
        "org": tree.branch_a,
        "kind": "problem",
        "title": "组织生活记录不全",
        "year": 2025,
        "reviewer_org": tree.town_a,
        "deadline": D(2025, 6, 30),
        "created_on": D(2025, 5, 1),
        "status": "open",
    }
    values.update(fields)
    return Item.objects.create(**values)


def _overdue(n: int, oldest: str) -> str:
    return f"{n}项清单事项超过整改时限未销号（最早的整改时限为{oldest}）"


TASK_01_CASES = [
    # (case, items' fields, period, as_of, overrides, expected messages at CA-T1-B1)
    ("open on its deadline day", [{}], "2025", D(2025, 6, 30), {}, []),
    (
        "open the day after its deadline",
        [{}],
        "2025",
        D(2025, 7, 1),
        {},
        [_overdue(1, "2025-06-30")],
    ),
    (
        "in progress",
        [{"status": "in_progress"}],
        "2025",
        D(2025, 8, 1),
        {},
        [_overdue(1, "2025-06-30")],
    ),
    (
        "submitted, not accepted",
        [{"status": "submitted"}],
        "2025",
        D(2025, 8, 1),
        {},
        [_overdue(1, "2025-06-30")],
    ),
    (
        "accepted before the day",
        [{"status": "accepted", "accepted_at": _at(D(2025, 7, 20))}],
        "2025",
        D(2025, 8, 1),
        {},
        [],
    ),
    (
        "accepted on the day itself",
        [{"status": "accepted", "accepted_at": _at(D(2025, 8, 1), 23)}],
        "2025",
        D(2025, 8, 1),
        {},
        [],
    ),
    (
        "accepted in 2026: overdue at the end of 2025",
        [{"status": "accepted", "accepted_at": _at(D(2026, 1, 10))}],
        "2025",
        D(2026, 2, 1),
        {},
        [_overdue(1, "2025-06-30")],
    ),
    (
        "accepted in 2026: not in the check of 2026",
        [{"status": "accepted", "accepted_at": _at(D(2026, 1, 10))}],
        "2026",
        D(2026, 2, 1),
        {},
        [],
    ),
    (
        "still open: overdue in 2026 too",
        [{}],
        "2026",
        D(2026, 2, 1),
        {},
        [_overdue(1, "2025-06-30")],
    ),
    (
        "created after the day looked at",
        [{"created_on": D(2026, 1, 5), "deadline": D(2026, 1, 20), "year": 2026}],
        "2025",
        D(2026, 2, 1),
        {},
        [],
    ),
    (
        "inside the grace days",
        [{}],
        "2025",
        D(2025, 7, 5),
        {"supervision.overdue.grace_days": "5"},
        [],
    ),
    (
        "past the grace days",
        [{}],
        "2025",
        D(2025, 7, 6),
        {"supervision.overdue.grace_days": "5"},
        [_overdue(1, "2025-06-30")],
    ),
    (
        "two overdue items: one finding, the oldest deadline",
        [{"deadline": D(2025, 7, 15)}, {"deadline": D(2025, 6, 1)}, {"deadline": D(2025, 9, 1)}],
        "2025",
        D(2025, 8, 1),
        {},
        [_overdue(2, "2025-06-01")],
    ),
]


@pytest.mark.parametrize(
    ("items", "period", "as_of", "overrides", "expected"),
    [case[1:] for case in TASK_01_CASES],
    ids=[case[0] for case in TASK_01_CASES],
)
def test_task_01_overdue_items(tree, items, period, as_of, overrides, expected):
    for fields in items:
        _item(tree, **fields)
    found = _found(tree, "TASK-01", period, as_of, overrides)
    assert [message for code, _m, _p, _s, message in found if code == "CA-T1-B1"] == expected
    assert {code for code, *_rest in found} <= {"CA-T1-B1"}
    assert {severity for *_rest, severity, _msg in found} <= {"error"}


def test_task_01_dissolved_org_owes_nothing(tree):
    org = make_org(tree.town_a, kind="branch")
    _item(tree, org=org)
    Org.objects.filter(pk=org.pk).update(dissolved_on=D(2025, 7, 20))
    assert _found(tree, "TASK-01", "2025", D(2025, 7, 15)) != []
    assert _found(tree, "TASK-01", "2025", D(2025, 8, 1)) == []


def test_task_01_evidence_lists_the_items_and_cites_the_policy(tree):
    item = _item(tree)
    pairs, _orgs = evaluate(
        roots=[tree.city], period=parse_period("2025"), as_of=D(2025, 8, 1), rule_ids=["TASK-01"]
    )
    [(_rule, found)] = pairs
    assert found.evidence["overdue_items"] == [item.pk]
    assert found.evidence["policy"] == "national"
    assert evidence_sentence(found.evidence).startswith(
        "逾期未销号的事项：组织生活记录不全（整改时限2025年6月30日）；逾期事项数：1 项；"
        "最早的整改时限：2025年6月30日；逾期宽限：0 天"
    )


# --- TASK-02: items returned more than the policy allows ------------------------------


def _returned(n: int, limit: int, most: int) -> str:
    return f"{n}项清单事项被退回超过{limit}次仍未销号（最多退回{most}次）"


TASK_02_CASES = [
    # (case, item fields, returns recorded after the day, period, as_of, overrides, expected)
    ("returned twice: within the limit", {"returned_count": 2}, [], "2025", D(2025, 8, 1), {}, []),
    (
        "returned three times, in progress",
        {"returned_count": 3, "status": "in_progress"},
        [],
        "2025",
        D(2025, 8, 1),
        {},
        [_returned(1, 2, 3)],
    ),
    (
        "returned three times, submitted again",
        {"returned_count": 3, "status": "submitted"},
        [],
        "2025",
        D(2025, 8, 1),
        {},
        [_returned(1, 2, 3)],
    ),
    (
        "returned three times, then accepted",
        {"returned_count": 3, "status": "accepted", "accepted_at": _at(D(2025, 7, 1))},
        [],
        "2025",
        D(2025, 8, 1),
        {},
        [],
    ),
    (
        "the third return came after the day looked at",
        {"returned_count": 3, "status": "in_progress"},
        [D(2026, 1, 10)],
        "2025",
        D(2026, 2, 1),
        {},
        [],
    ),
    (
        "the third return before the day, a fourth after it",
        {"returned_count": 4, "status": "in_progress"},
        [D(2026, 1, 10)],
        "2025",
        D(2026, 2, 1),
        {},
        [_returned(1, 2, 3)],
    ),
    (
        "a lower limit in the policy",
        {"returned_count": 2, "status": "in_progress"},
        [],
        "2025",
        D(2025, 8, 1),
        {"supervision.returns.max": "1"},
        [_returned(1, 1, 2)],
    ),
]


@pytest.mark.parametrize(
    ("fields", "later", "period", "as_of", "overrides", "expected"),
    [case[1:] for case in TASK_02_CASES],
    ids=[case[0] for case in TASK_02_CASES],
)
def test_task_02_items_returned_too_often(tree, fields, later, period, as_of, overrides, expected):
    item = _item(tree, deadline=D(2025, 12, 31), **fields)
    for day in later:
        step = Step.objects.create(item=item, action=Step.Action.RETURNED, note="材料不全")
        Step.objects.filter(pk=step.pk).update(at=_at(day))
    found = _found(tree, "TASK-02", period, as_of, overrides)
    assert [(code, severity, message) for code, _m, _p, severity, message in found] == [
        ("CA-T1-B1", "warning", message) for message in expected
    ]


# --- TASK-04: quarterly progress reports ----------------------------------------------


def _missing(quarter: str, due: str) -> str:
    year, q = quarter.split("-Q")
    return f"{year}年第{q}季度推进情况未报送（应于{due}前报送）"


Q1, Q2, Q3, Q4 = (
    ("2025-Q1", _missing("2025-Q1", "2025-04-10")),
    ("2025-Q2", _missing("2025-Q2", "2025-07-10")),
    ("2025-Q3", _missing("2025-Q3", "2025-10-10")),
    ("2025-Q4", _missing("2025-Q4", "2026-01-10")),
)

TASK_04_CASES = [
    # (case, (kind, sector), founded_on, reports (quarter, submitted on), period, as_of,
    #  overrides, expected (period, message))
    (
        "government branch, Q1 on its due day",
        ("branch", "government"),
        None,
        [],
        "2025",
        D(2025, 4, 10),
        {},
        [],
    ),
    (
        "government branch, Q1 the day after",
        ("branch", "government"),
        None,
        [],
        "2025",
        D(2025, 4, 11),
        {},
        [Q1],
    ),
    (
        "government branch, the whole of 2025 as of 2026",
        ("branch", "government"),
        None,
        [("2025-Q2", D(2025, 7, 8))],
        "2025",
        D(2026, 3, 1),
        {},
        [Q1, Q3, Q4],
    ),
    (
        "a late report counts",
        ("general_branch", "government"),
        None,
        [("2025-Q1", D(2025, 5, 20))],
        "2025",
        D(2025, 6, 1),
        {},
        [],
    ),
    (
        "a report recorded after as-of does not",
        ("branch", "government"),
        None,
        [("2025-Q1", D(2025, 5, 20))],
        "2025",
        D(2025, 5, 1),
        {},
        [Q1],
    ),
    ("rural branch owes nothing", ("branch", "rural"), None, [], "2025", D(2026, 3, 1), {}, []),
    (
        "rural party committee owes",
        ("party_committee", "rural"),
        None,
        [],
        "2025",
        D(2025, 8, 1),
        {},
        [Q1, Q2],
    ),
    (
        "government joint branch owes",
        ("joint_branch", "government"),
        None,
        [],
        "2025",
        D(2025, 5, 1),
        {},
        [Q1],
    ),
    (
        "working committee owes nothing",
        ("working_committee", "government"),
        None,
        [],
        "2025",
        D(2026, 3, 1),
        {},
        [],
    ),
    (
        "founded in the second quarter: owes from the third",
        ("branch", "government"),
        D(2025, 5, 1),
        [],
        "2025",
        D(2025, 11, 1),
        {},
        [Q3],
    ),
    (
        "the period is one quarter",
        ("branch", "government"),
        None,
        [],
        "2025-Q2",
        D(2026, 3, 1),
        {},
        [Q2],
    ),
    (
        "due days from the policy",
        ("branch", "government"),
        None,
        [],
        "2025",
        D(2025, 4, 21),
        {"supervision.progress.due_days": "20"},
        [("2025-Q1", _missing("2025-Q1", "2025-04-20"))],
    ),
    (
        "sectors from the policy",
        ("branch", "soe"),
        None,
        [],
        "2025",
        D(2025, 4, 11),
        {"supervision.progress.sectors": '["soe"]'},
        [Q1],
    ),
]


@pytest.mark.parametrize(
    ("what", "founded_on", "reports", "period", "as_of", "overrides", "expected"),
    [case[1:] for case in TASK_04_CASES],
    ids=[case[0] for case in TASK_04_CASES],
)
def test_task_04_progress_report_missing(
    tree, what, founded_on, reports, period, as_of, overrides, expected
):
    kind, sector = what
    org = make_org(tree.county_a, kind=kind, sector=sector, code="GOV", founded_on=founded_on)
    for quarter, submitted_on in reports:
        ProgressReport.objects.create(
            org=org, period=quarter, work_done="推进情况", submitted_on=submitted_on
        )
    found = _found(tree, "TASK-04", period, as_of, overrides)
    assert [(p, message) for code, _m, p, _s, message in found if code == "GOV"] == expected


def test_task_04_party_committees_owe_but_the_top_of_the_tree_does_not(tree):
    found = _found(tree, "TASK-04", "2025", D(2025, 4, 11))
    assert {code for code, *_rest in found} == {"CA", "CA-T1", "CB", "CB-T1"}


# --- TASK-05: secretary-led projects ---------------------------------------------------


def _secretary(tree, started_on: dt.date, ended_on: dt.date | None = None, org=None, member=None):
    org = org or tree.branch_a
    member = member or (tree.member_a if org == tree.branch_a else make_member(org))
    seat = appoint_to_seat(org=org, role="secretary", member=member, started_on=started_on)
    if ended_on:
        end_seat(seat=seat, on=ended_on)
    return org, member


NO_PROJECT_2025 = "书记未领办2025年度党建项目（应于2025-03-31前立项）"
NO_PROJECT_2026 = "书记未领办2026年度党建项目（应于2026-03-31前立项）"

TASK_05_CASES = [
    # (case, seat (started, ended), projects (year, registered on), period, as_of, overrides,
    #  expected messages for the secretary of CA-T1-B1)
    ("on the due day", (D(2020, 1, 1), None), [], "2025", D(2025, 3, 31), {}, []),
    (
        "the day after the due day",
        (D(2020, 1, 1), None),
        [],
        "2025",
        D(2025, 4, 1),
        {},
        [NO_PROJECT_2025],
    ),
    (
        "a project in time",
        (D(2020, 1, 1), None),
        [(2025, D(2025, 2, 1))],
        "2025",
        D(2026, 1, 5),
        {},
        [],
    ),
    (
        "a late project counts",
        (D(2020, 1, 1), None),
        [(2025, D(2025, 6, 1))],
        "2025",
        D(2026, 1, 5),
        {},
        [],
    ),
    (
        "a project registered after the day looked at",
        (D(2020, 1, 1), None),
        [(2025, D(2026, 1, 2))],
        "2025",
        D(2026, 1, 5),
        {},
        [NO_PROJECT_2025],
    ),
    (
        "last year's project is not this year's",
        (D(2020, 1, 1), None),
        [(2025, D(2025, 2, 1))],
        "2026",
        D(2026, 12, 7),
        {},
        [NO_PROJECT_2026],
    ),
    (
        "took office on the due day",
        (D(2025, 3, 31), None),
        [],
        "2025",
        D(2025, 6, 1),
        {},
        [NO_PROJECT_2025],
    ),
    ("took office after the due day", (D(2025, 4, 1), None), [], "2025", D(2026, 1, 5), {}, []),
    (
        "left before the day looked at",
        (D(2020, 1, 1), D(2025, 9, 30)),
        [],
        "2025",
        D(2026, 1, 5),
        {},
        [],
    ),
    (
        "a due day from the policy (31 February is the month's last day)",
        (D(2020, 1, 1), None),
        [],
        "2025",
        D(2025, 3, 1),
        {"supervision.project.due_month": "2"},
        ["书记未领办2025年度党建项目（应于2025-02-28前立项）"],
    ),
]


@pytest.mark.parametrize(
    ("seat", "projects", "period", "as_of", "overrides", "expected"),
    [case[1:] for case in TASK_05_CASES],
    ids=[case[0] for case in TASK_05_CASES],
)
def test_task_05_secretary_without_project(
    tree, seat, projects, period, as_of, overrides, expected
):
    org, member = _secretary(tree, *seat)
    for year, registered_on in projects:
        Project.objects.create(
            org=org,
            secretary=member,
            year=year,
            title="书记项目",
            goal="目标",
            registered_on=registered_on,
        )
    found = _found(tree, "TASK-05", period, as_of, overrides)
    assert [(code, m, message) for code, m, _p, _s, message in found] == [
        ("CA-T1-B1", member.code, message) for message in expected
    ]


def test_task_05_kinds_that_owe(tree):
    _secretary(tree, D(2020, 1, 1), org=tree.town_a, member=tree.member_a2)
    _secretary(tree, D(2020, 1, 1), org=tree.branch_a2, member=tree.member_a2)
    working = make_org(tree.county_a, kind="working_committee", sector="government", code="WC")
    organs = make_org(working, kind="branch", sector="government", code="WC-B1")
    _secretary(tree, D(2020, 1, 1), org=working, member=make_member(organs))
    found = _found(tree, "TASK-05", "2025", D(2025, 6, 1))
    assert [code for code, *_rest in found] == ["CA-T1", "CA-T1-B2"]


def test_task_05_dissolved_org_owes_nothing(tree):
    org = make_org(tree.town_a, kind="branch", code="GONE")
    _secretary(tree, D(2020, 1, 1), org=org)
    Org.objects.filter(pk=org.pk).update(dissolved_on=D(2025, 9, 1))
    assert [code for code, *_rest in _found(tree, "TASK-05", "2025", D(2025, 6, 1))] == ["GONE"]
    assert _found(tree, "TASK-05", "2025", D(2026, 1, 5)) == []


# --- TASK-06: admonitions and post-adjustment proposals --------------------------------


def _admonish(tree, day: dt.date) -> Admonition:
    return Admonition.objects.create(
        org=tree.branch_a,
        member=tree.member_a,
        date=day,
        by_org=tree.town_a,
        talker="镇党委书记",
        reason="组织生活不经常",
    )


def _second(first: str, second: str, months: int = 12) -> str:
    return f"书记{months}个月内第二次被约谈（{first}、{second}），未提出岗位调整建议"


def _undecided(raised: str, due: str, days: int = 30) -> str:
    return f"岗位调整建议于{raised}提出，超过{days}天未作出决定（应于{due}前决定）"


TASK_06_CASES = [
    # (case, admonition days, proposals (admonition index, raised, decision, decided on),
    #  period, as_of, overrides, expected messages at the admonishing org CA-T1)
    ("one admonition", [D(2025, 1, 10)], [], "2025", D(2025, 12, 1), {}, []),
    (
        "a second within 12 months, no proposal",
        [D(2025, 1, 10), D(2025, 6, 10)],
        [],
        "2025",
        D(2025, 6, 10),
        {},
        [_second("2025-01-10", "2025-06-10")],
    ),
    (
        "a second after 12 months",
        [D(2025, 1, 10), D(2026, 1, 11)],
        [],
        "2026",
        D(2026, 3, 1),
        {},
        [],
    ),
    (
        "a second on the window's last day",
        [D(2025, 1, 10), D(2026, 1, 10)],
        [],
        "2026",
        D(2026, 3, 1),
        {},
        [_second("2025-01-10", "2026-01-10")],
    ),
    (
        "a shorter window in the policy",
        [D(2025, 1, 10), D(2025, 6, 10)],
        [],
        "2025",
        D(2025, 7, 1),
        {"supervision.admonition.window_months": "3"},
        [],
    ),
    (
        "proposal pending, on its decision day",
        [D(2025, 1, 10), D(2025, 6, 10)],
        [(1, D(2025, 6, 10), "pending", None)],
        "2025",
        D(2025, 7, 10),
        {},
        [],
    ),
    (
        "proposal pending past its decision day",
        [D(2025, 1, 10), D(2025, 6, 10)],
        [(1, D(2025, 6, 10), "pending", None)],
        "2025",
        D(2025, 7, 11),
        {},
        [_undecided("2025-06-10", "2025-07-10")],
    ),
    (
        "proposal decided in time",
        [D(2025, 1, 10), D(2025, 6, 10)],
        [(1, D(2025, 6, 10), "adjusted", D(2025, 7, 1))],
        "2025",
        D(2025, 12, 1),
        {},
        [],
    ),
    (
        "decided in 2026: undecided at the end of 2025",
        [D(2025, 1, 10), D(2025, 11, 1)],
        [(1, D(2025, 11, 1), "kept", D(2026, 1, 20))],
        "2025",
        D(2026, 3, 1),
        {},
        [_undecided("2025-11-01", "2025-12-01")],
    ),
    (
        "kept, then a third admonition needs a new proposal",
        [D(2025, 1, 10), D(2025, 3, 10), D(2025, 9, 10)],
        [(1, D(2025, 3, 10), "kept", D(2025, 3, 30))],
        "2025",
        D(2025, 10, 1),
        {},
        [_second("2025-03-10", "2025-09-10")],
    ),
    (
        "still pending when the third came: it answers it",
        [D(2025, 1, 10), D(2025, 3, 10), D(2025, 3, 20)],
        [(1, D(2025, 3, 10), "pending", None)],
        "2025",
        D(2025, 3, 25),
        {},
        [],
    ),
]


@pytest.mark.parametrize(
    ("days", "proposals", "period", "as_of", "overrides", "expected"),
    [case[1:] for case in TASK_06_CASES],
    ids=[case[0] for case in TASK_06_CASES],
)
def test_task_06_second_admonition_without_decided_proposal(
    tree, days, proposals, period, as_of, overrides, expected
):
    talks = [_admonish(tree, day) for day in days]
    for index, raised_on, decision, decided_on in proposals:
        AdjustmentProposal.objects.create(
            org=tree.branch_a,
            member=tree.member_a,
            admonition=talks[index],
            raised_on=raised_on,
            decision=decision,
            decided_on=decided_on,
        )
    found = _found(tree, "TASK-06", period, as_of, overrides)
    assert [(code, m, message) for code, m, _p, _s, message in found] == [
        ("CA-T1", tree.member_a.code, message) for message in expected
    ]


# --- TASK-07: two-way duty reports ------------------------------------------------------

NO_REPORT_2025 = "书记未就2025年度抓党建工作述职（应于2026-03-31前完成）"
NO_REPORT_2024 = "书记未就2024年度抓党建工作述职（应于2025-03-31前完成）"

TASK_07_CASES = [
    # (case, seat (started, ended), reports (year, date), period, as_of, overrides, expected)
    ("on the due day", (D(2020, 1, 1), None), [], "2026", D(2026, 3, 31), {}, []),
    (
        "the day after the due day",
        (D(2020, 1, 1), None),
        [],
        "2026",
        D(2026, 4, 1),
        {},
        [NO_REPORT_2025],
    ),
    (
        "reported in time",
        (D(2020, 1, 1), None),
        [(2025, D(2026, 3, 20))],
        "2026",
        D(2026, 12, 7),
        {},
        [],
    ),
    (
        "reported late",
        (D(2020, 1, 1), None),
        [(2025, D(2026, 5, 20))],
        "2026",
        D(2026, 12, 7),
        {},
        [],
    ),
    (
        "a report on another year",
        (D(2020, 1, 1), None),
        [(2024, D(2025, 3, 1))],
        "2026",
        D(2026, 12, 7),
        {},
        [NO_REPORT_2025],
    ),
    (
        "the check of 2025 judges the report on 2024",
        (D(2020, 1, 1), None),
        [(2025, D(2026, 3, 20))],
        "2025",
        D(2026, 12, 7),
        {},
        [NO_REPORT_2024],
    ),
    (
        "reported after the day looked at",
        (D(2020, 1, 1), None),
        [(2024, D(2026, 1, 10))],
        "2025",
        D(2026, 12, 7),
        {},
        [NO_REPORT_2024],
    ),
    (
        "took office in the year, before the due day",
        (D(2026, 2, 1), None),
        [],
        "2026",
        D(2026, 12, 7),
        {},
        [],
    ),
    ("took office after the due day", (D(2026, 4, 15), None), [], "2026", D(2026, 12, 7), {}, []),
    (
        "left before the day looked at",
        (D(2020, 1, 1), D(2026, 6, 30)),
        [],
        "2026",
        D(2026, 12, 7),
        {},
        [],
    ),
    (
        "a due day from the policy",
        (D(2020, 1, 1), None),
        [],
        "2026",
        D(2026, 2, 1),
        {"supervision.duty_report.due_month": "1", "supervision.duty_report.due_day": "15"},
        ["书记未就2025年度抓党建工作述职（应于2026-01-15前完成）"],
    ),
]


@pytest.mark.parametrize(
    ("seat", "reports", "period", "as_of", "overrides", "expected"),
    [case[1:] for case in TASK_07_CASES],
    ids=[case[0] for case in TASK_07_CASES],
)
def test_task_07_secretary_has_not_reported(
    tree, seat, reports, period, as_of, overrides, expected
):
    org, member = _secretary(tree, *seat)
    for year, day in reports:
        DutyReport.objects.create(org=org, secretary=member, year=year, date=day, summary="述职")
    found = _found(tree, "TASK-07", period, as_of, overrides)
    assert [(code, m, message) for code, m, _p, _s, message in found] == [
        ("CA-T1-B1", member.code, message) for message in expected
    ]
