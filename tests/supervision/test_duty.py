"""Three-level duty lists (TASK-03): the template an upper org publishes becomes duty
items of the government orgs below it, per level, once; progress per org."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_member, make_org, make_user
from xianfeng.orgs.domain import add_staff_post, appoint_to_seat
from xianfeng.supervision.domain import duty
from xianfeng.supervision.domain import items as item_domain
from xianfeng.supervision.models import DutyTemplate, Item, Step
from xianfeng.supervision.queries import duty as duty_queries

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 2, 1)
BEFORE = dt.date(2025, 1, 1)


@pytest.fixture
def gov(tree):
    """Under county A: a government party committee (机关工委-like) with two branches; the
    first has a secretary with an account, a committee member and a staff post holder;
    the second has nobody (vacant secretary seat, no committee, no staff post). A rural
    branch (town A's) gets nothing."""
    committee = make_org(
        tree.county_a,
        kind="party_committee",
        code="CA-G",
        name="县直机关工委",
        level="county",
        sector="government",
    )
    first = make_org(
        committee, kind="branch", code="CA-G-B1", name="财政局党支部", sector="government"
    )
    second = make_org(
        committee, kind="branch", code="CA-G-B2", name="教育局党支部", sector="government"
    )
    group = make_org(first, kind="party_group", code="CA-G-B1-G1", sector="government")
    secretary = make_member(first, code="GS1", name="赵书记")
    deputy = make_member(first, code="GD1", name="钱委员")
    clerk = make_member(first, code="GC1", name="孙干事")
    appoint_to_seat(org=first, role="secretary", member=secretary, started_on=BEFORE)
    appoint_to_seat(org=first, role="committee_member", member=deputy, started_on=BEFORE)
    add_staff_post(org=first, member=clerk, started_on=BEFORE, full_time=False)
    accounts = {
        "gs": make_user("gs", member=secretary),
        "gov_officer": make_user("gov_officer", org=committee, role="officer"),
    }
    template = duty.save_template(committee, year=2026, title="", by=tree.users["county_officer"])
    for level, title in [
        ("secretary", "履行第一责任人职责"),
        ("committee", "落实“一岗双责”"),
        ("staff", "做好党务日常工作"),
    ]:
        duty.add_template_item(
            template,
            level=level,
            title=title,
            due=dt.date(2026, 12, 31),
            by=tree.users["county_officer"],
        )
    return {
        "committee": committee,
        "first": first,
        "second": second,
        "group": group,
        "secretary": secretary,
        "deputy": deputy,
        "clerk": clerk,
        "template": template,
        **accounts,
    }


def _items(gov):
    rows = Item.objects.filter(duty_template_item__template=gov["template"])
    return {
        (
            i.org.code,
            i.duty_level,
            i.responsible.code if i.responsible else None,
            i.responsible_user.username if i.responsible_user else None,
        )
        for i in rows
    }


def test_task_03_publish_makes_one_item_per_duty_level_and_holder(tree, gov):
    made = duty.publish_template(gov["template"], by=tree.users["county_officer"], day=DAY)
    assert _items(gov) == {
        ("CA-G-B1", "secretary", "GS1", "gs"),
        ("CA-G-B1", "committee", "GD1", "gov_officer"),
        ("CA-G-B1", "staff", "GC1", "gov_officer"),
        ("CA-G-B2", "secretary", None, "gov_officer"),
        ("CA-G-B2", "staff", None, "gov_officer"),
    }
    assert made == 5
    item = Item.objects.get(org=gov["first"], duty_level="secretary")
    assert (item.kind, item.origin, item.year, item.deadline) == (
        "duty",
        "manual",
        2026,
        dt.date(2026, 12, 31),
    )
    assert item.reviewer_org == gov["committee"] and item.status == "open"
    assert Step.objects.filter(item=item, action="created").count() == 1
    assert item.history.count() == 1
    assert DutyTemplate.objects.get().published_at is not None


def test_task_03_republishing_adds_only_missing_items(tree, gov):
    officer = tree.users["county_officer"]
    duty.publish_template(gov["template"], by=officer, day=DAY)
    assert duty.publish_template(gov["template"], by=officer, day=DAY) == 0
    third = make_org(gov["committee"], kind="branch", code="CA-G-B3", sector="government")
    duty.add_template_item(
        gov["template"], level="secretary", title="年度述职", due=dt.date(2026, 12, 1), by=officer
    )
    assert duty.publish_template(gov["template"], by=officer, day=DAY) == 2 + 2 + 1
    assert Item.objects.filter(org=third).count() == 3
    assert Item.objects.filter(duty_template_item__template=gov["template"]).count() == 10


# (case, field or refusal) — nothing written on error
BAD = [
    ("due before publishing", "due"),
    ("empty template", "items"),
    ("viewer publishes", PermissionDenied),
    ("branch admin publishes above", "org"),
    ("outsider publishes", "org"),
]


@pytest.mark.parametrize(("case", "expected"), BAD, ids=[c for c, _ in BAD])
def test_task_03_publishing_refuses_bad_input(tree, gov, case, expected):
    template, user = gov["template"], tree.users["county_officer"]
    day = DAY
    if case == "due before publishing":
        day = dt.date(2027, 1, 5)
    elif case == "empty template":
        template.items.all().delete()
    elif case == "viewer publishes":
        user = tree.users["county_viewer"]
    elif case == "branch admin publishes above":
        user = make_user("b1_admin", org=gov["first"], role="admin")
    else:
        user = tree.users["outsider"]
    with pytest.raises(ValidationError if isinstance(expected, str) else expected) as caught:
        duty.publish_template(template, by=user, day=day)
    if isinstance(expected, str):
        assert expected in caught.value.message_dict
    assert not Item.objects.exists()


# (level, title, due, field)
BAD_ITEMS = [
    ("chief", "x", dt.date(2026, 5, 1), "level"),
    ("secretary", " ", dt.date(2026, 5, 1), "title"),
    ("secretary", "x", None, "due"),
    ("secretary", "x", dt.date(2027, 1, 1), "due"),
]


@pytest.mark.parametrize(("level", "title", "due", "field"), BAD_ITEMS)
def test_task_03_template_item_field_errors(tree, gov, level, title, due, field):
    before = gov["template"].items.count()
    with pytest.raises(ValidationError) as caught:
        duty.add_template_item(
            gov["template"], level=level, title=title, due=due, by=tree.users["county_officer"]
        )
    assert field in caught.value.message_dict
    assert gov["template"].items.count() == before


def test_task_03_progress_counts_submitted_and_accepted_per_level(tree, gov):
    duty.publish_template(gov["template"], by=tree.users["county_officer"], day=DAY)
    item = Item.objects.get(org=gov["first"], duty_level="secretary")
    item_domain.submit_item(item, evidence="已落实", by=gov["gs"])
    rows = {row["code"]: row for row in duty_queries.progress(gov["template"])}
    assert rows["CA-G-B1"]["levels"] == {
        "secretary": (1, 1),
        "committee": (0, 1),
        "staff": (0, 1),
    }
    assert (rows["CA-G-B1"]["done"], rows["CA-G-B1"]["total"]) == (1, 3)
    assert (rows["CA-G-B2"]["done"], rows["CA-G-B2"]["total"]) == (0, 2)
    own = dict(duty_queries.duty_list(gov["first"], 2026))
    assert [i.title for i in own["书记"]] == ["履行第一责任人职责"]


def test_task_03_duty_pages(client_for, tree, gov):
    officer = client_for(tree.users["county_officer"])
    page = officer.get("/supervision/orgs/CA-G/duty/?year=2026")
    assert page.status_code == 200 and "履行第一责任人职责" in page.content.decode()
    response = officer.post("/supervision/orgs/CA-G/duty/publish/", {"year": "2026"})
    assert response.status_code == 302
    assert Item.objects.filter(org=gov["second"]).count() == 2
    body = officer.get("/supervision/orgs/CA-G/duty/?year=2026").content.decode()
    assert "财政局党支部" in body
    own = officer.get("/supervision/orgs/CA-G-B1/duty/list/?year=2026").content.decode()
    assert "落实“一岗双责”" in own
    bad = officer.post(
        "/supervision/orgs/CA-G/duty/items/",
        {"year": "2026", "level": "secretary", "title": "x", "due": "2027-02-01"},
    )
    assert bad.status_code == 400 and "完成时限应在 2026 年内" in bad.content.decode()
