"""ORG-03: org size against kind, one row per case (boundaries included)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tests.factories import make_id, make_org
from xianfeng.compliance.engine import evaluate
from xianfeng.lib.dates import parse_period

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 1, 10)
_numbers = itertools.count(1)


def _members(org, full: int, probationary: int = 0) -> None:
    """Many members at once, through the bulk registration the import uses."""
    from xianfeng.lib.cipher import lookup_hash
    from xianfeng.lib.idcard import parse_id_number
    from xianfeng.members.domain import NewMember, bulk_register_members

    rows = []
    for index in range(full + probationary):
        parsed = parse_id_number(make_id())
        is_full = index < full
        rows.append(
            NewMember(
                org=org,
                code="",
                name=f"党员{index}",
                number=parsed.number,
                digest=lookup_hash(parsed.number),
                gender=parsed.gender,
                birth_date=parsed.birth_date,
                joined_on=dt.date(2010, 1, 1) if is_full else dt.date(2025, 6, 1),
                full_on=dt.date(2011, 1, 1) if is_full else None,
                status="full" if is_full else "probationary",
                status_since=None,
                left_reason="",
                party_group=None,
                fields={},
            )
        )
    codes = (f"R{next(_numbers):07d}" for _ in iter(int, 1))
    bulk_register_members(new=rows, next_code=lambda: next(codes))


def _findings(root, rule="ORG-03", period="2025", overrides=None):
    pairs, _ = evaluate(
        roots=[root], period=parse_period(period), as_of=AS_OF, rule_ids=[rule], overrides=overrides
    )
    return [(f.org_id, f.severity, f.message) for _rule, f in pairs]


def _branch(root, full: int, probationary: int = 0, groups: int = 0, kind: str = "branch"):
    branch = make_org(root, kind=kind)
    _members(branch, full, probationary)
    for _ in range(groups):
        make_org(branch, kind="party_group")
    return branch


CASES = [
    # (case, kind, full, probationary, groups, expected message fragments)
    ("branch with 2 full members", "branch", 2, 0, 0, ["不足3人"]),
    ("branch with 3 full members", "branch", 3, 0, 0, []),
    ("2 full + 5 probationary still too few", "branch", 2, 5, 0, ["不足3人"]),
    ("branch with 50 full members and groups", "branch", 50, 0, 2, []),
    ("branch with 51 full members", "branch", 51, 0, 2, ["超过50人"]),
    ("branch with 19 members, no groups", "branch", 19, 0, 0, []),
    ("branch with 20 members, no groups", "branch", 20, 0, 0, ["未划分党小组"]),
    ("18 full + 2 probationary count as 20", "branch", 18, 2, 0, ["未划分党小组"]),
    ("branch with 20 members and a group", "branch", 20, 0, 1, []),
    ("joint branch with 2 full members", "joint_branch", 2, 0, 0, ["不足3人"]),
]


@pytest.mark.parametrize(
    ("case", "kind", "full", "prob", "groups", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_org_03_branch_size(case, kind, full, prob, groups, expected):
    root = make_org(None, kind="party_committee", level="county")
    branch = _branch(root, full, prob, groups, kind=kind)
    messages = [m for org_id, _s, m in _findings(root) if org_id == branch.pk]
    assert len(messages) == len(expected), messages
    for fragment, message in zip(expected, messages, strict=True):
        assert fragment in message


@pytest.mark.parametrize(
    ("full", "expected"), [(50, ["不超过50人"]), (51, []), (99, []), (100, ["达到100人"])]
)
def test_org_03_general_branch_between_51_and_99(full, expected):
    root = make_org(None, kind="party_committee", level="county")
    general = make_org(root, kind="general_branch")
    first = _branch(general, full // 2, groups=2)
    _branch(general, full - full // 2, groups=2)
    messages = [m for org_id, _s, m in _findings(root) if org_id == general.pk]
    assert len(messages) == len(expected) and all(
        e in m for e, m in zip(expected, messages, strict=True)
    )
    assert first.pk


@pytest.mark.parametrize(
    ("full", "level", "flagged"), [(99, "unit", True), (100, "unit", False), (99, "town", False)]
)
def test_org_03_unit_party_committee_needs_100(full, level, flagged):
    root = make_org(None, kind="party_committee", level="county")
    committee = make_org(root, kind="party_committee", level=level)
    _branch(committee, 45, groups=2)
    _branch(committee, full - 45, groups=2)
    messages = [m for org_id, _s, m in _findings(root) if org_id == committee.pk]
    assert bool(messages) is flagged
    if flagged:
        assert "不足100人" in messages[0]


def test_org_03_members_who_left_are_not_counted():
    from xianfeng.members.domain import set_member_status

    root = make_org(None, kind="party_committee", level="county")
    branch = _branch(root, 3)
    set_member_status(
        member=branch.members.first(), status="left", on=dt.date(2025, 6, 1), reason="deceased"
    )
    assert [m for o, _s, m in _findings(root) if o == branch.pk][0].startswith("党支部正式党员2人")
    assert _findings(root, period="2025-Q1") == []  # on 2025-03-31 all 3 were members


def test_org_03_policy_override_and_evidence():
    root = make_org(None, kind="party_committee", level="county")
    branch = _branch(root, 25)
    assert _findings(root, overrides=None)
    from xianfeng.compliance.policy import parse_value

    over = {
        "org.setup.party_group_from_members": parse_value(
            "org.setup.party_group_from_members", "30"
        )
    }
    assert [f for f in _findings(root, overrides=over) if f[0] == branch.pk] == []


def test_org_03_dissolved_orgs_are_not_checked():
    from xianfeng.orgs.domain import dissolve_org

    root = make_org(None, kind="party_committee", level="county")
    branch = make_org(root, kind="branch")
    dissolve_org(org=branch, on=dt.date(2024, 12, 31))
    assert _findings(root) == []
