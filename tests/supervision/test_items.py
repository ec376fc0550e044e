"""The item state machine (TASK-01, TASK-02): every allowed and refused transition."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.supervision.domain import items as domain
from xianfeng.supervision.models import Item, ItemStatus, Origin, Step

DAY = dt.date(2026, 3, 1)


def new_item(tree, **extra):
    fields = dict(kind="problem", title="组织生活记录不全", deadline=DAY + dt.timedelta(30))
    fields.update(extra)
    return domain.create_item(tree.branch_a, by=tree.users["secretary"], created_on=DAY, **fields)


def to_state(tree, state):
    item = new_item(tree)
    secretary, officer = tree.users["secretary"], tree.users["county_officer"]
    if state in ("in_progress", "submitted", "accepted"):
        domain.start_item(item, by=secretary)
    if state in ("submitted", "accepted"):
        domain.submit_item(item, evidence="已补齐记录", by=secretary)
    if state == "accepted":
        domain.accept_item(item, by=officer)
    return item


def act(tree, item, action, who):
    user = tree.users[who]
    return {
        "start": lambda: domain.start_item(item, by=user),
        "submit": lambda: domain.submit_item(item, evidence="已整改", by=user),
        "accept": lambda: domain.accept_item(item, by=user, note="同意"),
        "return": lambda: domain.return_item(item, reason="材料不全", by=user),
        "reopen": lambda: domain.reopen_item(item, reason="回头看发现问题反弹", by=user),
    }[action]()


# (state, action, account, resulting state or the refusal)
CASES = [
    ("open", "start", "secretary", "in_progress"),
    ("open", "submit", "secretary", "submitted"),
    ("open", "accept", "county_officer", ValidationError),
    ("open", "return", "county_officer", ValidationError),
    ("open", "start", "outsider", PermissionDenied),
    ("open", "start", "county_viewer", PermissionDenied),
    ("in_progress", "start", "secretary", ValidationError),
    ("in_progress", "submit", "secretary", "submitted"),
    ("in_progress", "submit", "member", PermissionDenied),
    ("submitted", "accept", "county_officer", "accepted"),
    ("submitted", "return", "county_officer", "in_progress"),
    ("submitted", "accept", "secretary", PermissionDenied),
    ("submitted", "return", "secretary", PermissionDenied),
    ("submitted", "accept", "outsider", PermissionDenied),
    ("submitted", "accept", "county_viewer", PermissionDenied),
    ("submitted", "submit", "secretary", ValidationError),
    ("accepted", "return", "county_officer", ValidationError),
    ("accepted", "start", "secretary", ValidationError),
    ("accepted", "reopen", "county_officer", "open"),
    ("in_progress", "reopen", "county_officer", ValidationError),
]


@pytest.mark.parametrize(("state", "action", "who", "expected"), CASES)
def test_task_02_transition(tree, state, action, who, expected):
    item = to_state(tree, state)
    if isinstance(expected, str):
        act(tree, item, action, who)
        item.refresh_from_db()
        assert item.status == expected
        assert item.steps.last().by == tree.users[who]
    else:
        with pytest.raises(expected):
            act(tree, item, action, who)
        item.refresh_from_db()
        assert item.status == state


def test_task_02_submitter_never_accepts_even_as_reviewer(tree):
    item = to_state(tree, "in_progress")
    officer = tree.users["county_officer"]
    domain.submit_item(item, evidence="上级代为提交", by=officer)
    with pytest.raises(PermissionDenied, match="提交人"):
        domain.accept_item(item, by=officer)
    domain.accept_item(item, by=tree.users["city_admin"])


def test_task_02_return_counts_and_needs_reason(tree):
    item = to_state(tree, "submitted")
    with pytest.raises(ValidationError) as error:
        domain.return_item(item, reason=" ", by=tree.users["county_officer"])
    assert "reason" in error.value.message_dict
    domain.return_item(item, reason="材料不全", by=tree.users["county_officer"])
    item.refresh_from_db()
    assert (item.status, item.returned_count) == (ItemStatus.IN_PROGRESS, 1)


def test_task_02_stale_copy_conflicts(tree):
    item = to_state(tree, "submitted")
    other = Item.objects.get(pk=item.pk)
    domain.accept_item(item, by=tree.users["county_officer"])
    with pytest.raises(domain.Conflict):
        domain.return_item(other, reason="材料不全", by=tree.users["city_admin"])
    other.refresh_from_db()
    assert other.status == ItemStatus.ACCEPTED


def test_task_02_finding_still_reported_needs_a_reason(tree):
    item = new_item(tree, origin=Origin.FINDING, rule="LIFE-01", finding_key="LIFE-01|1|-|2026")
    domain.submit_item(item, evidence="已整改", by=tree.users["secretary"])
    with pytest.raises(ValidationError) as error:
        domain.accept_item(item, by=tree.users["county_officer"])
    assert "note" in error.value.message_dict
    domain.accept_item(item, by=tree.users["county_officer"], note="已现场核实")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"deadline": DAY - dt.timedelta(1)}, "deadline"),
        ({"deadline": None}, "deadline"),
        ({"responsible": "MB1"}, "responsible"),  # a member of another county
        ({"responsible": "NOPE"}, "responsible"),
        ({"title": ""}, "title"),
    ],
)
def test_task_01_bad_input_writes_nothing(tree, fields, field):
    with pytest.raises(ValidationError) as error:
        new_item(tree, **fields)
    assert field in error.value.message_dict
    assert not Item.objects.exists()


def test_task_01_defaults_and_history(tree):
    item = new_item(tree, responsible="MA1")
    assert item.reviewer_org == tree.town_a
    assert item.responsible == tree.member_a
    assert item.responsible_user == tree.users["member"]
    assert item.history.first().history_user == tree.users["secretary"]
    assert item.steps.get().action == Step.Action.CREATED


def test_task_01_outsider_cannot_create(tree):
    with pytest.raises(ValidationError):
        domain.create_item(
            tree.branch_a,
            kind="problem",
            title="x",
            deadline=DAY,
            by=tree.users["outsider"],
            created_on=DAY,
        )


def test_task_02_extension(tree):
    item = to_state(tree, "in_progress")
    later = item.deadline + dt.timedelta(15)
    with pytest.raises(ValidationError):
        domain.ask_extension(item, deadline=item.deadline, reason="x", by=tree.users["secretary"])
    extension = domain.ask_extension(
        item, deadline=later, reason="等待设备", by=tree.users["secretary"]
    )
    with pytest.raises(PermissionDenied):
        domain.decide_extension(extension, grant=True, by=tree.users["secretary"])
    domain.decide_extension(extension, grant=True, by=tree.users["county_officer"])
    item.refresh_from_db()
    assert item.deadline == later
    with pytest.raises(domain.Conflict):
        domain.decide_extension(extension, grant=False, by=tree.users["county_officer"])
