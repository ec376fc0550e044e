"""ORG-07 (contact points), ORG-08 (venue and staff), ORG-09 (budget), one row per case.

Readings under test (see national.toml and 003): a leader holds any seat in an org of
org.contact.leader_kinds; a quarter (or year) is judged only once it has ended by as_of and
only for leaders in office for all of it (the year: from Oct 1 to Dec 31); a unit top is an
org whose unit_name its parent does not share; a shared venue serves the orgs below it and
a closed venue serves nobody from its closing day; money is compared to the cent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import make_member, make_org
from xianfeng.compliance import parameters
from xianfeng.compliance.domain import attach_policy, save_policy
from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.policy import SHIPPED, parse_value
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.domain import appoint_to_seat, end_seat
from xianfeng.orgs.models import (
    VENUE_ITEMS,
    Budget,
    ContactPoint,
    Org,
    OrgKind,
    Spending,
    StaffPost,
    Venue,
    Visit,
)

pytestmark = pytest.mark.django_db
D = dt.date
SINCE = D(2024, 1, 1)  # seats, contact points and staff posts of the tests start here


def _found(root, rule: str, as_of: dt.date, period: str = "", overrides=None) -> list:
    pairs, _ = evaluate(
        roots=[root],
        period=parse_period(period or str(as_of.year)),
        as_of=as_of,
        rule_ids=[rule],
        overrides=overrides,
    )
    return [found for _rule, found in pairs]


def _findings(org, rule: str, as_of: dt.date, *, root=None, period: str = "", overrides=None):
    """(severity, message) of `rule` for `org` (its root's subtree evaluated)."""
    found = _found(root or Org.objects.get_root(org), rule, as_of, period, overrides)
    return [(f.severity, f.message) for f in found if f.org_id == org.pk]


def _attach(org, filename: str) -> None:
    text = (SHIPPED / filename).read_text(encoding="utf-8")
    attach_policy(policy=save_policy(text=text), org=org)


def _attach_003(org) -> None:
    _attach(org, "003_haimen_government.toml")


def _root(policy: str = "", **fields):
    root = make_org(None, kind="party_committee", level="county", sector="government", **fields)
    if policy:
        _attach(root, policy)
    return root


def _over(**values: str) -> dict:
    """Overrides: contact__min_points_per_leader="2" sets org.contact.min_points_per_leader."""
    keys = {f"org.{name.replace('__', '.')}": value for name, value in values.items()}
    return {key: parse_value(key, value) for key, value in keys.items()}


def test_org_07_08_list_parameters_offer_the_model_values():
    assert tuple(OrgKind.values) == parameters.ORG_KINDS
    assert (*VENUE_ITEMS, "has_disclosure_board") == parameters.VENUE_ITEMS


# --- ORG-07 contact points -----------------------------------------------------------


def _leader(org, *, started=SINCE, ended=None, role="secretary"):
    """A member of a new branch under `org` holding a seat of `org`; returns (member, branch)."""
    branch = make_org(org, kind="branch")
    member = make_member(branch)
    seat = appoint_to_seat(org=org, role=role, member=member, started_on=started)
    if ended:
        end_seat(seat=seat, on=ended)
    return member, branch


def _point(org, member, target, started=SINCE, ended=None) -> ContactPoint:
    return ContactPoint.objects.create(
        org=org, leader=member, target=target, started_on=started, ended_on=ended
    )


def _visits(point, visits) -> None:
    for day, kind in visits:
        Visit.objects.create(contact_point=point, visited_on=day, kind=kind)


NO_POINT = ("error", "班子成员（书记）未建立联系点")

POINT_CASES = [
    # (case, seat's last day, contact points (started, last day), expected on 2025-06-30)
    ("one active contact point", None, [(D(2024, 1, 1), None)], []),
    ("no contact point", None, [], [NO_POINT]),
    ("contact point ended the day before", None, [(D(2024, 1, 1), D(2025, 6, 29))], [NO_POINT]),
    ("contact point's last day is the day", None, [(D(2024, 1, 1), D(2025, 6, 30))], []),
    ("contact point starts the day after", None, [(D(2025, 7, 1), None)], [NO_POINT]),
    ("contact point starts on the day", None, [(D(2025, 6, 30), None)], []),
    ("seat ended before the day: no longer a leader", D(2025, 6, 29), [], []),
    ("seat's last day is the day", D(2025, 6, 30), [], [NO_POINT]),
]


@pytest.mark.parametrize(
    ("case", "seat_ended", "points", "expected"), POINT_CASES, ids=[c[0] for c in POINT_CASES]
)
def test_org_07_contact_points(case, seat_ended, points, expected):
    root = _root()
    member, branch = _leader(root, ended=seat_ended)
    for started, ended in points:
        _point(root, member, branch, started, ended)
    assert _findings(root, "ORG-07", D(2025, 6, 30)) == expected


MIN_POINT_CASES = [
    # (case, points held, required by the policy, expected)
    ("exactly the required 2", 2, "2", []),
    ("one less than the required 2", 1, "2", [("error", "班子成员（书记）联系点1个，少于2个")]),
    ("0 required checks nothing", 0, "0", []),
]


@pytest.mark.parametrize(
    ("case", "held", "need", "expected"), MIN_POINT_CASES, ids=[c[0] for c in MIN_POINT_CASES]
)
def test_org_07_min_points_per_leader_from_the_policy(case, held, need, expected):
    root = _root()
    member, branch = _leader(root)
    for _ in range(held):
        _point(root, member, branch)
    over = _over(contact__min_points_per_leader=need)
    assert _findings(root, "ORG-07", D(2025, 6, 30), overrides=over) == expected


KIND_CASES = [
    # (case, kind of the leadership org, judged?)
    ("party committee", "party_committee", True),
    ("working committee", "working_committee", True),
    ("general branch: not a leader kind", "general_branch", False),
    ("branch: not a leader kind", "branch", False),
]


@pytest.mark.parametrize(("case", "kind", "judged"), KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_org_07_leader_kinds(case, kind, judged):
    root = _root()
    org = make_org(root, kind=kind, level="unit") if kind != "party_committee" else root
    holder = org if kind == "branch" else make_org(org, kind="branch")
    appoint_to_seat(
        org=org, role="committee_member", member=make_member(holder), started_on=D(2024, 1, 1)
    )
    expected = [("error", "班子成员（委员）未建立联系点")] if judged else []
    assert _findings(org, "ORG-07", D(2025, 6, 30)) == expected


def test_org_07_only_points_of_that_leadership_count_and_evidence():
    root = _root()
    town = make_org(root, kind="party_committee", level="town")
    member, branch = _leader(town)
    seat = appoint_to_seat(
        org=root, role="deputy_secretary", member=member, started_on=D(2024, 1, 1)
    )
    _point(town, member, branch)
    found = _found(root, "ORG-07", D(2025, 6, 30))
    assert [(f.org_id, f.member_id, f.period, f.severity, f.message) for f in found] == [
        (root.pk, member.pk, "2025", "error", "班子成员（副书记）未建立联系点")
    ]
    assert found[0].evidence == {
        "seats": [seat.pk],
        "roles": ["deputy_secretary"],
        "contact_points": 0,
        "threshold": 1,
        "as_of": "2025-06-30",
        "policy": "national",
        "source": "seed 000 §4.4、seed 002 §4.2：每名班子成员至少联系1个支部",
    }


YEAR = ("warning", "2025年走访指导联系点0次，少于1次")
AFTER_2025 = D(2026, 1, 1)

YEAR_CASES = [
    # (case, policy, seat (started, last day), visits (day, kind), as_of, expected)
    (
        "one visit in the year",
        "004",
        (D(2024, 1, 1), None),
        [(D(2025, 3, 1), "visit")],
        AFTER_2025,
        [],
    ),
    ("no visit", "004", (D(2024, 1, 1), None), [], AFTER_2025, [YEAR]),
    (
        "guidance counts as a visit",
        "004",
        (D(2024, 1, 1), None),
        [(D(2025, 12, 31), "guidance")],
        AFTER_2025,
        [],
    ),
    (
        "a report heard is not a visit",
        "004",
        (D(2024, 1, 1), None),
        [(D(2025, 3, 1), "report")],
        AFTER_2025,
        [YEAR],
    ),
    (
        "a problem solved is not a visit",
        "004",
        (D(2024, 1, 1), None),
        [(D(2025, 3, 1), "problem")],
        AFTER_2025,
        [YEAR],
    ),
    (
        "a visit of the year before",
        "004",
        (D(2024, 1, 1), None),
        [(D(2024, 12, 31), "visit")],
        AFTER_2025,
        [YEAR],
    ),
    ("year in progress is not judged", "004", (D(2024, 1, 1), None), [], D(2025, 12, 31), []),
    ("in office from Oct 1: judged", "004", (D(2025, 10, 1), None), [], AFTER_2025, [YEAR]),
    (
        "in office from Oct 2: less than a quarter",
        "004",
        (D(2025, 10, 2), None),
        [],
        AFTER_2025,
        [],
    ),
    ("left before the year's end", "004", (D(2024, 1, 1), D(2025, 12, 30)), [], AFTER_2025, []),
    ("national policy: no visit count", "", (D(2024, 1, 1), None), [], AFTER_2025, []),
]


@pytest.mark.parametrize(
    ("case", "policy", "seat", "visits", "as_of", "expected"),
    YEAR_CASES,
    ids=[c[0] for c in YEAR_CASES],
)
def test_org_07_annual_visits(case, policy, seat, visits, as_of, expected):
    root = _root("004_gaibei_town.toml" if policy else "")
    member, branch = _leader(root, started=seat[0], ended=seat[1])
    _visits(_point(root, member, branch, started=D(2024, 1, 1)), visits)
    assert _findings(root, "ORG-07", as_of, period="2025") == expected


def test_org_07_annual_visits_at_any_point_and_policy_override():
    root = _root("004_gaibei_town.toml")
    member, branch = _leader(root)
    _point(root, member, branch)
    other = _point(root, member, make_org(root, kind="branch"))
    _visits(other, [(D(2025, 5, 1), "visit")])
    assert _findings(root, "ORG-07", AFTER_2025, period="2025") == []
    over = _over(contact__min_visits_per_year="2")
    found = _found(root, "ORG-07", AFTER_2025, "2025", over)
    assert [(f.period, f.message) for f in found] == [("2025", "2025年走访指导联系点1次，少于2次")]


def _quarter(label: str, *missing: str) -> tuple[str, str, str]:
    return (label, "warning", f"{label}联系点工作未达要求：" + "、".join(missing))


REPORT, VISIT, PROBLEM = (
    "听取党建工作汇报0次（应1次）",
    "走访调研0次（应1次）",
    "解决实际问题0个（应1个）",
)
Q1_DONE = [(D(2025, 1, 5), "report"), (D(2025, 2, 5), "visit"), (D(2025, 3, 31), "problem")]
Q2_DONE = [(D(2025, 4, 1), "report"), (D(2025, 5, 5), "guidance"), (D(2025, 6, 30), "problem")]

QUARTER_CASES = [
    # (case, seat (started, last day), visits, period, as_of, expected (period, severity, message))
    (
        "all duties done in Q1 and Q2",
        (D(2024, 1, 1), None),
        Q1_DONE + Q2_DONE,
        "2025",
        D(2025, 7, 1),
        [],
    ),
    (
        "Q2 without a problem solved",
        (D(2024, 1, 1), None),
        Q1_DONE + Q2_DONE[:2],
        "2025",
        D(2025, 7, 1),
        [_quarter("2025-Q2", PROBLEM)],
    ),
    (
        "nothing in Q1",
        (D(2024, 1, 1), None),
        [],
        "2025",
        D(2025, 4, 1),
        [_quarter("2025-Q1", REPORT, VISIT, PROBLEM)],
    ),
    (
        "a quarter not yet ended is not judged",
        (D(2024, 1, 1), None),
        [],
        "2025",
        D(2025, 3, 31),
        [],
    ),
    (
        "two reports do not make up for the visit",
        (D(2024, 1, 1), None),
        [(D(2025, 1, 5), "report"), (D(2025, 1, 6), "report"), (D(2025, 1, 7), "problem")],
        "2025",
        D(2025, 4, 1),
        [_quarter("2025-Q1", VISIT)],
    ),
    (
        "a Q1 visit does not count for Q2",
        (D(2024, 1, 1), None),
        Q1_DONE + [(D(2025, 3, 30), "visit")] + [Q2_DONE[0], Q2_DONE[2]],
        "2025",
        D(2025, 7, 1),
        [_quarter("2025-Q2", VISIT)],
    ),
    ("appointed during Q1: Q1 not judged", (D(2025, 1, 2), None), [], "2025", D(2025, 4, 1), []),
    (
        "appointed on Q2's first day: Q2 judged",
        (D(2025, 4, 1), None),
        [],
        "2025",
        D(2025, 7, 1),
        [_quarter("2025-Q2", REPORT, VISIT, PROBLEM)],
    ),
    (
        "left on Q2's last day: Q2 judged",
        (D(2024, 1, 1), D(2025, 6, 30)),
        Q1_DONE,
        "2025",
        D(2025, 7, 1),
        [_quarter("2025-Q2", REPORT, VISIT, PROBLEM)],
    ),
    (
        "left before Q2's end: Q2 not judged",
        (D(2024, 1, 1), D(2025, 6, 29)),
        Q1_DONE,
        "2025",
        D(2025, 7, 1),
        [],
    ),
    (
        "a quarter period judges only itself",
        (D(2024, 1, 1), None),
        [],
        "2025-Q2",
        D(2025, 7, 1),
        [_quarter("2025-Q2", REPORT, VISIT, PROBLEM)],
    ),
]


@pytest.mark.parametrize(
    ("case", "seat", "visits", "period", "as_of", "expected"),
    QUARTER_CASES,
    ids=[c[0] for c in QUARTER_CASES],
)
def test_org_07_quarterly_duties(case, seat, visits, period, as_of, expected):
    root = _root()
    _attach_003(root)
    member, branch = _leader(root, started=seat[0], ended=seat[1])
    _visits(_point(root, member, branch, started=D(2024, 1, 1)), visits)
    found = _found(root, "ORG-07", as_of, period)
    assert [(f.period, f.severity, f.message) for f in found] == expected
    assert {f.member_id for f in found} <= {member.pk}


def test_org_07_quarterly_duties_not_required_by_the_national_policy():
    root = _root()
    member, branch = _leader(root)
    _point(root, member, branch)
    assert _found(root, "ORG-07", D(2026, 1, 1), "2025") == []


def test_org_07_quarterly_evidence():
    root = _root()
    _attach_003(root)
    member, branch = _leader(root)
    _visits(_point(root, member, branch), Q1_DONE[:2])
    [found] = _found(root, "ORG-07", D(2025, 4, 1), "2025-Q1")
    assert found.evidence == {
        "seats": [member.seats.get().pk],
        "reports": {"count": 1, "threshold": 1},
        "visits": {"count": 1, "threshold": 1},
        "problems": {"count": 0, "threshold": 1},
        "policy": "003-haimen",
        "source": "seed 003 §4.2：每季度……解决1个实际问题",
    }


# --- ORG-08 staff ---------------------------------------------------------------------

AS_OF = D(2025, 6, 30)
NO_STAFF_MINIMUM = _over(staff__min_full_time_committee="0", staff__min_full_time_branch="0")
VENUE_NAMES = {
    "self": "党员活动室",
    "parent": "总支活动室",
    "root": "党建活动中心",
    "sibling": "二支部活动室",
}


def _root_003(**fields):
    """A root under 003 with a complete shared venue, so only what a test adds is found."""
    root = _root("003_haimen_government.toml", **fields)
    _venue(root, shared=True)
    return root


def _venue(org, *, name="党员活动室", missing=(), **fields) -> Venue:
    items = {item: item not in missing for item in parameters.VENUE_ITEMS}
    return Venue.objects.create(org=org, name=name, **items, **fields)


def _staff(org, count: int, *, full_time=True, started=SINCE, ended=None) -> None:
    for index in range(count):
        StaffPost.objects.create(
            org=org,
            name=f"干部{index}",
            full_time=full_time,
            started_on=started,
            ended_on=ended,
        )


STAFF_CASES = [
    # (case, kind, full-time posts (started, last day), part-time posts, expected)
    ("committee with 2 full-time", "party_committee", [(D(2024, 1, 1), None)] * 2, 0, []),
    (
        "committee with 1 full-time and 1 part-time",
        "party_committee",
        [(D(2024, 1, 1), None)],
        1,
        [("error", "党委专职党务干部1人，少于2人")],
    ),
    ("general branch with 2", "general_branch", [(D(2024, 1, 1), None)] * 2, 0, []),
    (
        "general branch with 1",
        "general_branch",
        [(D(2024, 1, 1), None)],
        0,
        [("error", "党总支专职党务干部1人，少于2人")],
    ),
    ("branch with 1", "branch", [(D(2024, 1, 1), None)], 0, []),
    ("branch with none", "branch", [], 2, [("error", "党支部专职党务干部0人，少于1人")]),
    (
        "joint branch with none",
        "joint_branch",
        [],
        0,
        [("error", "联合党支部专职党务干部0人，少于1人")],
    ),
    ("post's last day is the day", "branch", [(D(2024, 1, 1), AS_OF)], 0, []),
    (
        "post ended the day before",
        "branch",
        [(D(2024, 1, 1), D(2025, 6, 29))],
        0,
        [("error", "党支部专职党务干部0人，少于1人")],
    ),
    (
        "post starts the day after",
        "branch",
        [(D(2025, 7, 1), None)],
        0,
        [("error", "党支部专职党务干部0人，少于1人")],
    ),
]


@pytest.mark.parametrize(
    ("case", "kind", "posts", "part_time", "expected"),
    STAFF_CASES,
    ids=[c[0] for c in STAFF_CASES],
)
def test_org_08_staff(case, kind, posts, part_time, expected):
    org = make_org(_root_003(), kind=kind, level="unit", sector="government")
    for started, ended in posts:
        _staff(org, 1, started=started, ended=ended)
    _staff(org, part_time, full_time=False)
    assert _findings(org, "ORG-08", AS_OF) == expected


def test_org_08_staff_of_a_branch_does_not_count_for_its_committee():
    committee = make_org(_root_003(), kind="party_committee", level="unit")
    branch = make_org(committee, kind="branch")
    _staff(branch, 2)
    assert _findings(committee, "ORG-08", AS_OF) == [("error", "党委专职党务干部0人，少于2人")]
    assert _findings(branch, "ORG-08", AS_OF) == []


LOW = "专职党务干部{n}人，占单位职工100人的{pct}，低于1%"
HIGH = "专职党务干部{n}人，占单位职工100人的{pct}，高于2%（工作人员较少的单位可适当增加比例）"

RATIO_CASES = [
    # (case, full-time at the unit top, in its branch, part-time, ended, expected for the top)
    ("exactly 1%", 1, 0, 0, 0, []),
    ("below 1%", 0, 0, 1, 1, [("warning", LOW.format(n=0, pct="0.00%"))]),
    ("exactly 2%", 1, 1, 0, 0, []),
    ("above 2%: only a note", 2, 1, 0, 0, [("info", HIGH.format(n=3, pct="3.00%"))]),
    ("staff of the unit's branches count", 0, 1, 0, 0, []),
]


@pytest.mark.parametrize(
    ("case", "top", "below", "part_time", "ended", "expected"),
    RATIO_CASES,
    ids=[c[0] for c in RATIO_CASES],
)
def test_org_08_staff_ratio(case, top, below, part_time, ended, expected):
    unit = make_org(
        _root_003(), kind="party_committee", level="unit", unit_name="某局", unit_headcount=100
    )
    branch = make_org(unit, kind="branch", unit_name="某局", unit_headcount=100)
    _staff(unit, top)
    _staff(branch, below)
    _staff(unit, part_time, full_time=False)
    _staff(unit, ended, ended=D(2025, 6, 29))
    assert _findings(unit, "ORG-08", AS_OF, overrides=NO_STAFF_MINIMUM) == expected
    assert _findings(branch, "ORG-08", AS_OF, overrides=NO_STAFF_MINIMUM) == []


def test_org_08_ratio_compared_exactly():
    """7 of 100 is exactly 7% although 0.07 * 100 is 7.000000000000001 in floating point."""
    unit = make_org(
        _root_003(), kind="party_committee", level="unit", unit_name="某局", unit_headcount=100
    )
    _staff(unit, 7)
    over = _over(staff__min_ratio="0.07", staff__max_ratio="0.07")
    assert _findings(unit, "ORG-08", AS_OF, overrides=over) == []


def test_org_08_ratio_evidence_names_the_policy():
    unit = make_org(
        _root_003(), kind="party_committee", level="unit", unit_name="某局", unit_headcount=250
    )
    _staff(unit, 2)
    [found] = [
        f for f in _found(Org.objects.get_root(unit), "ORG-08", AS_OF) if f.org_id == unit.pk
    ]
    assert found.evidence == {
        "full_time_staff": 2,
        "unit_headcount": 250,
        "ratio": "0.0080",
        "threshold": 0.01,
        "as_of": "2025-06-30",
        "policy": "003-haimen",
        "source": "seed 003 附件第16条：专职党务干部一般占机关工作人员总数的1-2%",
    }


UNIT_CASES = [
    # (case, unit_name of the root, of the committee, headcount, evaluated from, expected)
    ("no unit name: not a unit", "", "", 100, "root", []),
    ("no headcount: not judged", "", "某局", 0, "root", []),
    ("its own unit", "", "某局", 100, "root", [("warning", LOW.format(n=0, pct="0.00%"))]),
    (
        "another unit than its parent",
        "工委",
        "某局",
        100,
        "root",
        [("warning", LOW.format(n=0, pct="0.00%"))],
    ),
    ("same unit as its parent: judged with the parent", "某局", "某局", 100, "root", []),
    ("same unit as its parent above the evaluated subtree", "某局", "某局", 100, "self", []),
]


@pytest.mark.parametrize(
    ("case", "root_unit", "unit_name", "headcount", "scope", "expected"),
    UNIT_CASES,
    ids=[c[0] for c in UNIT_CASES],
)
def test_org_08_ratio_per_unit_top(case, root_unit, unit_name, headcount, scope, expected):
    root = _root_003(unit_name=root_unit)
    unit = make_org(
        root, kind="party_committee", level="unit", unit_name=unit_name, unit_headcount=headcount
    )
    over = _over(staff__min_full_time_committee="0")
    scope_root = root if scope == "root" else unit
    assert _findings(unit, "ORG-08", AS_OF, root=scope_root, overrides=over) == expected


# --- ORG-08 venue ---------------------------------------------------------------------

NO_VENUE = ("error", "未建立党建活动阵地")

VENUE_CASES = [
    # (case, venues as (where, shared, missing items, closed_on), expected for the branch)
    ("own venue with every item", [("self", False, (), None)], []),
    ("no venue", [], [NO_VENUE]),
    (
        "own venue without the disclosure board",
        [("self", False, ("has_disclosure_board",), None)],
        [("warning", "党建活动阵地“党员活动室”未达到标准，缺：有党务公开栏")],
    ),
    (
        "own venue missing one of the six",
        [("self", False, ("has_flag",), None)],
        [("warning", "党建活动阵地“党员活动室”未达到标准，缺：有党旗")],
    ),
    ("shared venue of the parent", [("parent", True, (), None)], []),
    ("unshared venue of the parent", [("parent", False, (), None)], [NO_VENUE]),
    ("shared venue of the grandparent", [("root", True, (), None)], []),
    ("shared venue of a sibling", [("sibling", True, (), None)], [NO_VENUE]),
    ("venue closed on the day", [("self", False, (), AS_OF)], [NO_VENUE]),
    ("venue closing the day after", [("self", False, (), D(2025, 7, 1))], []),
    (
        "the venue missing fewest items is judged",
        [
            ("self", False, ("has_flag", "has_rules"), None),
            ("parent", True, ("has_reading",), None),
        ],
        [("warning", "党建活动阵地“总支活动室”未达到标准，缺：有书报资料")],
    ),
]


@pytest.mark.parametrize(
    ("case", "venues", "expected"), VENUE_CASES, ids=[c[0] for c in VENUE_CASES]
)
def test_org_08_venue(case, venues, expected):
    root = _root("003_haimen_government.toml")
    parent = make_org(root, kind="general_branch", level="unit")
    branch = make_org(parent, kind="branch", level="unit")
    orgs = {
        "self": branch,
        "parent": parent,
        "root": root,
        "sibling": make_org(parent, kind="branch"),
    }
    for where, shared, missing, closed_on in venues:
        venue = {"shared": shared, "missing": missing, "closed_on": closed_on}
        _venue(orgs[where], name=VENUE_NAMES[where], **venue)
    assert _findings(branch, "ORG-08", AS_OF, overrides=NO_STAFF_MINIMUM) == expected


def test_org_08_shared_venue_above_the_evaluated_subtree_counts():
    root = _root("003_haimen_government.toml")
    _venue(root, shared=True)
    parent = make_org(root, kind="general_branch", level="unit")
    branch = make_org(parent, kind="branch", level="unit")
    assert _findings(branch, "ORG-08", AS_OF, root=parent, overrides=NO_STAFF_MINIMUM) == []


def test_org_08_venue_items_from_the_national_policy():
    root = _root()
    branch = make_org(root, kind="branch")
    _venue(branch, missing=("has_disclosure_board",))
    over = _over(venue__required_kinds='["branch"]')
    assert _findings(branch, "ORG-08", AS_OF, overrides=over) == []


def test_org_08_09_national_policy_yields_nothing():
    root = _root()
    unit = make_org(
        root, kind="party_committee", level="unit", unit_name="某局", unit_headcount=100
    )
    branch = make_org(unit, kind="branch", unit_name="某局")
    make_member(branch)
    _venue(branch, missing=("has_flag",))
    assert _found(root, "ORG-08", AS_OF) == []
    assert _found(root, "ORG-09", AS_OF) == []


# --- ORG-09 budget ---------------------------------------------------------------------


def _unit_with_members(root, full: int = 11, probationary: int = 1):
    """A unit committee with a branch holding members since before 2025."""
    unit = make_org(root, kind="party_committee", level="unit", unit_name="某局")
    branch = make_org(unit, kind="branch", unit_name="某局")
    for _ in range(full):
        make_member(branch)
    for _ in range(probationary):
        make_member(branch, status="probationary", joined_on=D(2024, 6, 1))
    return unit, branch


NO_BUDGET = ("error", "未列入2025年度党建活动经费预算")


def _short(budget: str, gap: str) -> tuple[str, str]:
    return (
        "error",
        f"2025年度党建活动经费预算{budget}元，低于按党员12人×600元计算的7200.00元，差{gap}元",
    )


def _overspent(spent: str, budget: str, over: str) -> tuple[str, str]:
    return ("warning", f"2025年党建活动经费已支出{spent}元，超出预算{budget}元（超支{over}元）")


BUDGET_CASES = [
    # (case, budgets (where, year, amount), spending (where, day, amount), expected for the unit)
    ("exactly 600 × 12 members", [("unit", 2025, "7200.00")], [], []),
    ("one cent short", [("unit", 2025, "7199.99")], [], [_short("7199.99", "0.01")]),
    ("no budget row", [], [], [NO_BUDGET]),
    ("only last year's budget", [("unit", 2024, "7200.00")], [], [NO_BUDGET]),
    (
        "budget split over the unit's orgs",
        [("unit", 2025, "5000"), ("branch", 2025, "2200")],
        [],
        [],
    ),
    (
        "spent exactly the budget",
        [("unit", 2025, "7200")],
        [("branch", D(2025, 6, 30), "7200")],
        [],
    ),
    (
        "overspent by a cent",
        [("unit", 2025, "7200")],
        [("unit", D(2025, 1, 1), "7000"), ("branch", D(2025, 6, 30), "200.01")],
        [_overspent("7200.01", "7200.00", "0.01")],
    ),
    (
        "spending after the day or the year before not counted",
        [("unit", 2025, "7200")],
        [("unit", D(2025, 7, 1), "9000"), ("unit", D(2024, 12, 31), "9000")],
        [],
    ),
    (
        "short and overspent",
        [("unit", 2025, "6000")],
        [("unit", D(2025, 3, 1), "6500")],
        [_short("6000.00", "1200.00"), _overspent("6500.00", "6000.00", "500.00")],
    ),
]


@pytest.mark.parametrize(
    ("case", "budgets", "spending", "expected"), BUDGET_CASES, ids=[c[0] for c in BUDGET_CASES]
)
def test_org_09_budget(case, budgets, spending, expected):
    unit, branch = _unit_with_members(_root_003())
    orgs = {"unit": unit, "branch": branch}
    for where, year, amount in budgets:
        Budget.objects.create(org=orgs[where], year=year, amount=Decimal(amount))
    for where, day, amount in spending:
        Spending.objects.create(
            org=orgs[where], spent_on=day, amount=Decimal(amount), purpose="活动"
        )
    assert _findings(unit, "ORG-09", AS_OF) == expected
    assert _findings(branch, "ORG-09", AS_OF) == []


def test_org_09_members_on_the_first_day_of_the_period():
    unit, branch = _unit_with_members(_root_003(), full=12, probationary=0)
    make_member(branch, status="probationary", joined_on=D(2025, 1, 2))
    Budget.objects.create(org=unit, year=2025, amount=Decimal("7200"))
    assert _findings(unit, "ORG-09", AS_OF) == []
    assert _findings(unit, "ORG-09", D(2025, 12, 31), period="2025-H2") == [
        (
            "error",
            "2025年度党建活动经费预算7200.00元，低于按党员13人×600元计算的7800.00元，差600.00元",
        )
    ]


UNIT_COUNT_CASES = [
    # (case, most orgs counted by their ids, budget of the unit, expected for the unit)
    ("enough, counted by the units' orgs", 900, "7200", []),
    ("short, counted by the units' orgs", 900, "7199.99", [_short("7199.99", "0.01")]),
    ("enough, counted with every org", 0, "7200", []),
    ("short, counted with every org", 0, "7199.99", [_short("7199.99", "0.01")]),
]


@pytest.mark.parametrize(
    ("case", "many_orgs", "budget", "expected"),
    UNIT_COUNT_CASES,
    ids=[c[0] for c in UNIT_COUNT_CASES],
)
def test_org_09_counts_every_member_under_the_unit_and_none_outside(
    monkeypatch, case, many_orgs, budget, expected
):
    monkeypatch.setattr("xianfeng.orgs.rules._reads.MANY_ORGS", many_orgs)
    root = _root_003()
    unit, _branch = _unit_with_members(root, full=5, probationary=1)  # 6
    second = make_org(unit, kind="branch", unit_name="某局")
    for _ in range(6):
        make_member(second)  # 12 under the unit
    outside = make_org(root, kind="branch")
    for _ in range(4):
        make_member(outside)
    Budget.objects.create(org=unit, year=2025, amount=Decimal(budget))
    assert _findings(unit, "ORG-09", AS_OF) == expected


def test_org_09_evidence_money_as_strings():
    unit, _branch = _unit_with_members(_root_003())
    Budget.objects.create(org=unit, year=2025, amount=Decimal("7000"))
    [found] = _found(Org.objects.get_root(unit), "ORG-09", AS_OF)
    assert found.evidence == {
        "year": 2025,
        "members": 12,
        "per_member_yuan": 600,
        "threshold": "7200.00",
        "budget": "7000.00",
        "spent": "0.00",
        "as_of": "2025-06-30",
        "policy": "003-haimen",
        "source": "seed 003 附件第17条：按每名党员600元标准统筹使用",
    }


# --- set-wise ----------------------------------------------------------------------------


def _unit_with_everything(root, index: int) -> None:
    unit = make_org(root, kind="party_committee", level="unit", unit_name=f"局{index}")
    branch = make_org(unit, kind="branch", unit_name=f"局{index}")
    member, _branch = _leader(unit)
    _visits(_point(unit, member, branch), [(D(2025, 5, 1), "visit")])
    _venue(branch, missing=("has_flag",))
    _staff(branch, 1)
    Budget.objects.create(org=unit, year=2025, amount=Decimal("100"))
    Spending.objects.create(
        org=branch, spent_on=D(2025, 3, 1), amount=Decimal("200"), purpose="活动"
    )


def test_org_07_08_09_queries_do_not_grow_with_the_orgs():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(units: int) -> int:
        root = _root_003()
        for index in range(units):
            _unit_with_everything(root, index)
        with CaptureQueriesContext(connection) as captured:
            pairs, _ = evaluate(
                roots=[root],
                period=parse_period("2025"),
                as_of=D(2026, 1, 10),
                rule_ids=["ORG-07", "ORG-08", "ORG-09"],
            )
        assert len(pairs) > units * 4
        return len(captured)

    assert queries(1) == queries(4)
