"""The hot pages under load (issue 15 item 6) read in a bounded number of queries: the
same page with many rows costs exactly the queries it costs with few (no per-row reads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import Tree, make_id, make_member, make_org, make_user
from tests.notices.helpers import found, make_run
from xianfeng.accounts.domain import grant_post
from xianfeng.notices.domain import send_notice
from xianfeng.orgs.domain import appoint_to_seat

FEW, MANY = 2, 12


def _members(tree: Tree, n: int) -> None:
    for _ in range(n):
        make_member(tree.branch_a, name=f"张{_ + 1}号")


def _seated_members(tree: Tree, n: int) -> None:
    for index in range(n):
        member = make_member(tree.branch_a, name=f"张{index + 1}号")
        appoint_to_seat(
            org=tree.branch_a,
            role="committee_member",
            member=member,
            started_on=dt.date(2024, 1, 1),
        )


def _children(tree: Tree, n: int) -> None:
    for _ in range(n):
        make_member(make_org(tree.town_a, kind="branch"))


def _findings(tree: Tree, n: int) -> None:
    members = [make_member(tree.branch_a) for _ in range(n)]
    rows = [found("LIFE-09", tree.branch_a, member=member) for member in members]
    run = make_run(tree.county_a, findings=rows)
    for finding, member in zip(run.findings.order_by("pk"), members, strict=True):
        finding.evidence = {"pairs": [member.pk]}
        finding.save(update_fields=["evidence"])


def _notices(tree: Tree, n: int) -> None:
    for index in range(n):
        send_notice(users=[tree.users["secretary"]], kind="system", title=f"通知{index}", body="")


def _roots(tree: Tree, n: int) -> None:
    user = tree.users["secretary"]
    for _ in range(n):
        grant_post(user=user, org=make_org(tree.town_b, kind="branch"), role="viewer")


def _items(tree: Tree, n: int) -> None:
    """Submitted items of the branch, acted for by its member's account."""
    from xianfeng.lib.dates import today
    from xianfeng.supervision.domain import items as supervision

    for index in range(n):
        item = supervision.create_item(
            tree.branch_a,
            kind="problem",
            title=f"事项{index}",
            deadline=today() + dt.timedelta(days=index),
            responsible="MA1",
            by=None,
        )
        supervision.submit_item(item, evidence="已整改", by=None)


def _dues_years() -> list[int]:
    from xianfeng.lib.dates import today

    return [today().year - 1, today().year]


def _dues_members(tree: Tree, n: int) -> None:
    """Members of the branch with their ledgers (nobody paid: all in arrears)."""
    from xianfeng.dues import ledger

    members = [make_member(tree.branch_a, name=f"张{index + 1}号").pk for index in range(n)]
    for year in _dues_years():
        ledger.refresh(year, members)


def _dues_children(tree: Tree, n: int) -> None:
    from xianfeng.dues import ledger

    members = [make_member(make_org(tree.town_a, kind="branch")).pk for _ in range(n)]
    for year in _dues_years():
        ledger.refresh(year, members)


def _dues_payments(tree: Tree, n: int) -> None:
    """MA1's month paid and reversed again and again (payments with their reversals)."""
    from xianfeng.dues.domain.declarations import declare_base
    from xianfeng.dues.domain.payments import record_payment, reverse_payment
    from xianfeng.lib.dates import today

    declare_base(member=tree.member_a, period=str(today().year), monthly_base="3000")
    for _ in range(n):
        paid = record_payment(member=tree.member_a, month=today().replace(day=1))
        reverse_payment(payment=paid, note="录错")


def _dues_reductions(tree: Tree, n: int) -> None:
    from xianfeng.dues.domain.reductions import propose_reduction
    from xianfeng.lib.dates import today

    month = today().replace(day=1)
    for _ in range(n):
        member = make_member(tree.branch_a)
        propose_reduction(
            member=member, first_month=month, last_month=month, monthly_amount="0", reason="困难"
        )


def _this_month() -> str:
    from xianfeng.lib.dates import today

    return f"{today():%Y-%m}"


@dataclass(frozen=True)
class Page:
    name: str
    user: str
    path: str
    grow: Callable[[Tree, int], None]


PAGES = [
    Page("home", "secretary", "/", _roots),
    Page("member_list", "secretary", "/members/?org=CA-T1-B1", _members),
    Page("member_list_town", "county_officer", "/members/?org=CA-T1", _members),
    Page("member_search", "county_officer", "/members/?q=%E5%BC%A0", _members),
    Page("org_page", "county_officer", "/orgs/CA-T1/", _children),
    Page("org_page_seats", "secretary", "/orgs/CA-T1-B1/", _seated_members),
    Page("findings", "county_officer", "/compliance/orgs/CA-T1-B1/", _findings),
    Page("notices", "secretary", "/notices/", _notices),
    Page("api_orgs", "county_officer", "/api/orgs?limit=50", _children),
    Page("api_members", "county_officer", "/api/members?org=CA-T1&limit=50", _members),
    Page("api_notices", "secretary", "/api/notices", _notices),
    Page("api_findings", "county_officer", "/api/findings?org=CA-T1&limit=50", _findings),
    Page("api_findings_scope", "county_officer", "/api/findings?rule=LIFE", _findings),
    Page("supervision_queue", "county_officer", "/supervision/queue/", _items),
    Page("supervision_list", "county_officer", "/supervision/orgs/CA-T1-B1/items/", _items),
    Page("supervision_mine", "member", "/supervision/mine/", _items),
    Page("supervision_overview", "county_officer", "/supervision/orgs/CA-T1/overview/", _children),
    Page("dues_month", "secretary", f"/dues/orgs/CA-T1-B1/month/{_this_month()}/", _dues_members),
    Page("dues_totals", "county_officer", "/dues/orgs/CA-T1/", _dues_children),
    Page("dues_arrears", "county_officer", "/dues/orgs/CA-T1/arrears/", _dues_members),
    Page("dues_member", "secretary", "/dues/members/MA1/", _dues_payments),
    Page("dues_reductions", "county_officer", "/dues/reductions/", _dues_reductions),
    Page(
        "api_dues_month",
        "secretary",
        f"/api/dues/orgs/CA-T1-B1/months/{_this_month()}",
        _dues_members,
    ),
    Page("api_dues_member", "secretary", "/api/dues/members/MA1", _dues_payments),
    Page("api_dues_arrears", "county_officer", "/api/dues/orgs/CA-T1/arrears", _dues_members),
]


def _queries(client: Any, path: str) -> int:
    assert client.get(path).status_code == 200  # warm: per-process caches filled
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_queries_do_not_grow_with_rows(page, tree, client_for):
    client = client_for(tree.users[page.user])
    page.grow(tree, FEW)
    few = _queries(client, page.path)

    page.grow(tree, MANY - FEW)
    client = client_for(tree.users[page.user])  # a new request sees the new posts
    many = _queries(client, page.path)

    assert many == few, f"{page.path}: {few} queries with {FEW} rows, {many} with {MANY}"


def test_member_list_shows_choice_labels(tree, client_for):
    make_member(tree.branch_a, name="赵六", id_number=make_id(sequence=2))  # even: a woman

    page = client_for(tree.users["secretary"]).get("/members/?org=CA-T1-B1").content.decode()

    assert "女" in page and "正式党员" in page


def test_home_of_each_role_is_bounded(tree, client_for):
    """Every role's home page, with one post or several, costs the same queries."""
    for role in ("admin", "officer", "viewer"):
        user = make_user(f"home_{role}", org=tree.town_a, role=role)
        few = _queries(client_for(user), "/")
        for _ in range(3):
            grant_post(user=user, org=make_org(tree.town_b, kind="branch"), role=role)
        assert _queries(client_for(user), "/") == few, role
