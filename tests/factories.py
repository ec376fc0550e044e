"""Factories for the test suite: every object is made through the domain functions."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, fields
from typing import Any

import factory
from faker import Faker

from xianfeng.accounts.domain import create_account, grant_post
from xianfeng.accounts.models import User
from xianfeng.lib.idcard import make_id_number
from xianfeng.members.domain import register_member
from xianfeng.members.models import Member
from xianfeng.orgs.domain import create_org
from xianfeng.orgs.models import Org

fake = Faker("zh_CN")
Faker.seed(20251)
_seq = itertools.count(1)

LEVEL_BY_KIND = {
    "party_committee": "county",
    "working_committee": "county",
    "general_branch": "village",
    "branch": "village",
    "joint_branch": "unit",
    "party_group": "village",
    "temporary_org": "unit",
    "industry_joint_org": "county",
}


def make_org(
    parent: Org | None = None,
    *,
    kind: str = "branch",
    code: str | None = None,
    name: str | None = None,
    level: str | None = None,
    sector: str = "rural",
    **fields: Any,
) -> Org:
    n = next(_seq)
    return create_org(
        parent=parent,
        code=code or f"T{n:05d}",
        name=name or f"测试组织{n}",
        kind=kind,
        level=level or LEVEL_BY_KIND[kind],
        sector=sector,
        **fields,
    )


def make_id(birth: dt.date | None = None, sequence: int | None = None) -> str:
    n = next(_seq)
    return make_id_number(
        "320602",
        birth or dt.date(1980, 1, 1) + dt.timedelta(days=n % 3000),
        sequence if sequence is not None else n % 1000,
    )


def make_member(
    org: Org,
    *,
    status: str = "full",
    joined_on: dt.date = dt.date(2010, 7, 1),
    full_on: dt.date | None = None,
    code: str | None = None,
    name: str | None = None,
    id_number: str | None = None,
    **fields: Any,
) -> Member:
    n = next(_seq)
    if status == "full" and full_on is None:
        full_on = joined_on + dt.timedelta(days=365)
    return register_member(
        org=org,
        code=code or f"M{n:06d}",
        name=name or fake.name(),
        id_number=id_number or make_id(),
        joined_on=joined_on,
        status=status,
        full_on=full_on if status == "full" else None,
        **fields,
    )


def make_user(
    username: str,
    *,
    org: Org | None = None,
    role: str = "admin",
    member: Member | None = None,
    superuser: bool = False,
    can_view_identifiers: bool = False,
) -> User:
    user, _password = create_account(
        username=username, display_name=username, password="Xianfeng-Test-2025", member=member
    )
    if org is not None:
        grant_post(user=user, org=org, role=role)
    if superuser or can_view_identifiers:
        user.is_superuser = superuser
        user.is_staff = superuser
        user.can_view_identifiers = can_view_identifiers
        user.save()
    return user


class OrgFactory(factory.Factory):
    """factory-boy front for tests that prefer it; builds through `make_org`."""

    class Meta:
        model = Org

    kind = "branch"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Org:
        return make_org(**kwargs)


@dataclass
class Tree:
    """A small jurisdiction: a city with two counties, towns, branches and named users."""

    city: Org
    county_a: Org
    town_a: Org
    branch_a: Org
    group_a: Org
    branch_a2: Org
    county_b: Org
    town_b: Org
    branch_b: Org
    member_a: Member
    member_a2: Member
    member_b: Member
    users: dict[str, User]


def reloaded(tree: Tree) -> Tree:
    """The same tree read back from the database as fresh objects (three queries): what a
    test gets of a tree built once for its module (conftest.shared_tree), so that a test
    changing an object in memory leaves the next test's alone."""
    orgs = Org.objects.in_bulk([getattr(tree, f.name).pk for f in fields(Tree) if f.type == "Org"])
    members = Member.objects.in_bulk(
        [getattr(tree, f.name).pk for f in fields(Tree) if f.type == "Member"]
    )
    users = User.objects.in_bulk([user.pk for user in tree.users.values()])
    found: dict[str, Any] = {}
    for f in fields(Tree):
        value = getattr(tree, f.name)
        if f.type == "Org":
            found[f.name] = orgs[value.pk]
        elif f.type == "Member":
            found[f.name] = members[value.pk]
        else:
            found[f.name] = {name: users[user.pk] for name, user in value.items()}
    return Tree(**found)


def build_tree() -> Tree:
    city = make_org(
        None, kind="party_committee", code="CITY", name="示范市委", level="city", sector=""
    )
    county_a = make_org(
        city, kind="party_committee", code="CA", name="东县县委", level="county", sector=""
    )
    town_a = make_org(
        county_a, kind="party_committee", code="CA-T1", name="青山镇党委", level="town"
    )
    branch_a = make_org(town_a, kind="branch", code="CA-T1-B1", name="青山村党支部")
    group_a = make_org(branch_a, kind="party_group", code="CA-T1-B1-G1", name="第一党小组")
    branch_a2 = make_org(town_a, kind="branch", code="CA-T1-B2", name="绿水村党支部")
    county_b = make_org(
        city, kind="party_committee", code="CB", name="西县县委", level="county", sector=""
    )
    town_b = make_org(
        county_b, kind="party_committee", code="CB-T1", name="白云镇党委", level="town"
    )
    branch_b = make_org(town_b, kind="branch", code="CB-T1-B1", name="白云村党支部")
    member_a = make_member(branch_a, code="MA1", name="张三")
    member_a2 = make_member(branch_a2, code="MA2", name="李四")
    member_b = make_member(branch_b, code="MB1", name="王五")
    users = {
        "city_admin": make_user("city_admin", org=city, role="admin"),
        "county_officer": make_user("county_officer", org=county_a, role="officer"),
        "county_viewer": make_user("county_viewer", org=county_a, role="viewer"),
        "secretary": make_user("secretary", org=branch_a, role="admin"),
        "outsider": make_user("outsider", org=county_b, role="admin"),
        "member": make_user("member", member=member_a),
        "nobody": make_user("nobody"),
    }
    return Tree(
        city,
        county_a,
        town_a,
        branch_a,
        group_a,
        branch_a2,
        county_b,
        town_b,
        branch_b,
        member_a,
        member_a2,
        member_b,
        users,
    )
