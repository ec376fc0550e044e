"""Account management cannot escalate (issue 12, Deliver 2; PLAT-01).

Every pair of admin scope × target account is tried with every account write, through the
pages and the API: allowed only when every post (or, without posts, the member) of the
target lies in the admin's scope and the admin holds every right the target holds —
refused with 403 when the account is visible, 404 (like a missing account) when it is not,
and nothing changes when refused.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tests.factories import make_member, make_user
from xianfeng.accounts.domain import create_api_token, grant_post, reset_password
from xianfeng.accounts.models import Post, User

pytestmark = pytest.mark.django_db

TEST_PASSWORD = "Xianfeng-Test-2025"

# admin name → (the org of its admin post, holds the ID-number right)
ADMINS = {
    "branch": ("CA-T1-B1", False),
    "town": ("CA-T1", False),
    "county": ("CA", False),
    "county_ids": ("CA", True),
    "city": ("CITY", False),
}
# target name → the orgs it is placed at (posts; the member's org for member_only)
TARGETS = {
    "same_branch": ["CA-T1-B1"],
    "sibling_branch": ["CA-T1-B2"],
    "other_county": ["CB-T1-B1"],
    "ids_holder": ["CA-T1-B1"],
    "superuser": ["CA-T1-B1"],
    "member_only": ["CA-T1-B1"],
    "mixed": ["CA-T1-B1", "CB-T1-B1"],
}
ACTIONS = ["reset", "deactivate", "add_post", "end_post", "grant_ids", "revoke_ids"]
API_ACTIONS = ["reset", "deactivate", "add_post"]


def _in_scope(admin: str, org_code: str) -> bool:
    top = ADMINS[admin][0]
    return top == "CITY" or org_code == top or org_code.startswith(f"{top}-")


def expected(admin: str, target: str, action: str) -> str:
    """The rule, restated: "404", "403" or "ok"."""
    places = TARGETS[target]
    if not any(_in_scope(admin, org) for org in places):
        return "404"
    holds_ids = ADMINS[admin][1]
    manageable = (
        all(_in_scope(admin, org) for org in places)
        and target != "superuser"
        and (target != "ids_holder" or holds_ids)
    )
    if action in {"grant_ids", "revoke_ids"}:
        manageable = manageable and holds_ids
    return "ok" if manageable else "403"


@pytest.fixture
def people(tree):
    orgs = {
        org.code: org
        for org in [tree.city, tree.county_a, tree.town_a, tree.branch_a, tree.branch_a2]
        + [tree.county_b, tree.branch_b]
    }
    admins = {
        "branch": tree.users["secretary"],
        "town": make_user("town_admin", org=tree.town_a),
        "county": make_user("county_admin", org=tree.county_a),
        "county_ids": make_user("county_ids", org=tree.county_a, can_view_identifiers=True),
        "city": tree.users["city_admin"],
    }
    targets = {
        "same_branch": make_user("t_same", org=tree.branch_a, role="viewer"),
        "sibling_branch": make_user("t_sibling", org=tree.branch_a2, role="viewer"),
        "other_county": make_user("t_other", org=tree.branch_b, role="viewer"),
        "ids_holder": make_user(
            "t_ids", org=tree.branch_a, role="viewer", can_view_identifiers=True
        ),
        "superuser": make_user("t_super", org=tree.branch_a, role="viewer", superuser=True),
        "member_only": make_user("t_member", member=make_member(tree.branch_a, code="MA7")),
        "mixed": make_user("t_mixed", org=tree.branch_a, role="viewer"),
    }
    grant_post(user=targets["mixed"], org=tree.branch_b, role="viewer")
    return admins, targets, orgs


def snapshot(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    posts = sorted(Post.objects.filter(user=user).values_list("org__code", "role", "is_active"))
    return (
        user.password,
        user.is_active,
        user.can_view_identifiers,
        user.must_change_password,
        user.is_superuser,
        posts,
    )


def _web(client, action: str, username: str, admin_org: str, post_pk: int | None):
    base = f"/accounts/{username}"
    if action == "reset":
        return client.post(f"{base}/reset-password/")
    if action == "deactivate":
        return client.post(f"{base}/active/", {"active": "0"})
    if action == "add_post":
        return client.post(f"{base}/posts/", {"org": admin_org, "role": "officer"})
    if action == "end_post":
        return client.post(f"{base}/posts/{post_pk}/end/")
    return client.post(f"{base}/identifiers/", {"allowed": "1" if action == "grant_ids" else "0"})


def _api(client, action: str, username: str, admin_org: str):
    base = f"/api/accounts/{username}"
    if action == "reset":
        return client.post(f"{base}/reset-password")
    if action == "deactivate":
        return client.post(f"{base}/deactivate")
    body = json.dumps({"org": admin_org, "role": "officer"})
    return client.post(f"{base}/posts", body, content_type="application/json")


OK_WEB = {"reset": 200, "deactivate": 302, "add_post": 302, "end_post": 302}
OK_API = {"reset": 200, "deactivate": 200, "add_post": 201}


def _assert_outcome(outcome: str, response, ok_status: int, before, after, label) -> None:
    if outcome == "ok":
        assert response.status_code == ok_status, (label, response.status_code)
        assert after != before or label[-1] in {"grant_ids", "revoke_ids"}, label
    else:
        assert response.status_code == int(outcome), (label, response.status_code)
        assert after == before, label


def _target_post(target: User, admin: str) -> int | None:
    posts = Post.objects.filter(user=target, is_active=True).order_by("org__path")
    in_scope = [post for post in posts if _in_scope(admin, post.org.code)]
    chosen = in_scope or list(posts)
    return chosen[0].pk if chosen else None


@pytest.mark.parametrize("target_name", list(TARGETS))
@pytest.mark.parametrize("admin_name", list(ADMINS))
def test_account_write_matrix_web_and_api(client, people, admin_name, target_name):
    admins, targets, _orgs = people
    admin, target = admins[admin_name], targets[target_name]
    admin_org = ADMINS[admin_name][0]
    client.force_login(admin)
    for action in ACTIONS:
        post_pk = _target_post(target, admin_name)
        if action == "end_post" and post_pk is None:
            continue  # a member's own account has no post to end
        label = (admin_name, target_name, "web", action)
        with transaction.atomic():
            before = snapshot(target)
            response = _web(client, action, target.username, admin_org, post_pk)
            after = snapshot(target)
            outcome = expected(admin_name, target_name, action)
            _assert_outcome(outcome, response, OK_WEB.get(action, 302), before, after, label)
            if action == "grant_ids" and outcome == "ok":
                assert after[2] is True
            if action == "revoke_ids" and outcome == "ok":
                assert after[2] is False
            transaction.set_rollback(True)
    for action in API_ACTIONS:
        label = (admin_name, target_name, "api", action)
        with transaction.atomic():
            before = snapshot(target)
            response = _api(client, action, target.username, admin_org)
            after = snapshot(target)
            outcome = expected(admin_name, target_name, action)
            _assert_outcome(outcome, response, OK_API[action], before, after, label)
            transaction.set_rollback(True)


def test_matrix_covers_refusals_of_every_kind():
    outcomes = {
        expected(admin, target, action)
        for admin in ADMINS
        for target in TARGETS
        for action in ACTIONS
    }
    assert outcomes == {"ok", "403", "404"}


def test_out_of_scope_account_answers_like_a_missing_one(client_for, people):
    admins, _targets, _orgs = people
    client = client_for(admins["branch"])
    for path in ["t_other", "no_such_account"]:
        response = client.post(f"/api/accounts/{path}/reset-password")
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "没有找到该账号，或不在您的管理范围内"},
        )
        assert client.post(f"/accounts/{path}/reset-password/").status_code == 404


def test_link_member_needs_the_whole_account_in_scope(client_for, people, tree):
    admins, targets, _orgs = people
    client = client_for(admins["branch"])
    before = snapshot(targets["mixed"])
    assert client.post("/accounts/t_mixed/member/", {"member": "MA1"}).status_code == 403
    assert snapshot(targets["mixed"]) == before and targets["mixed"].member is None


def test_create_account_with_member_needs_the_members_org(client_for, people):
    admins, _targets, _orgs = people
    data = {"username": "new1", "display_name": "新", "org": "CA-T1-B1", "role": "viewer"}
    response = client_for(admins["branch"]).post("/accounts/", data | {"member": "MB1"})
    assert response.status_code == 404
    assert not User.objects.filter(username="new1").exists()


def test_admin_cannot_reset_own_password(client_for, people):
    admins, _targets, _orgs = people
    admin = admins["branch"]
    before = snapshot(admin)
    response = client_for(admin).post("/api/accounts/secretary/reset-password")
    assert response.status_code == 403
    assert snapshot(admin) == before


def test_account_without_post_or_member_only_for_superuser_and_cli(people, tree):
    nobody = tree.users["nobody"]
    admins, _targets, _orgs = people
    with pytest.raises(PermissionDenied):
        reset_password(user=nobody, by=admins["city"])
    boss = make_user("boss", superuser=True)
    assert reset_password(user=nobody, by=boss)
    assert reset_password(user=nobody)  # the command line


# --- problem 6 (second half): an account page lists a post in another town -------------


def test_account_page_and_api_show_no_post_outside_scope(client_for, people, tree):
    """Issue 12 problem 6: the town admin opens an account that also holds a post in
    another county — the page (posts, history), the list and the API name only its own."""
    admins, targets, _orgs = people
    client = client_for(admins["town"])
    for path in ["/accounts/t_mixed/", "/accounts/?q=t_mixed"]:
        body = client.get(path).content.decode()
        assert "青山村党支部" in body, path
        assert "白云村党支部" not in body and "CB-T1-B1" not in body, path
    [account] = [a for a in client.get("/api/accounts").json() if a["username"] == "t_mixed"]
    assert [post["org"] for post in account["posts"]] == ["CA-T1-B1"]


def test_account_page_hides_a_member_outside_scope(client_for, tree):
    shared = make_user("shared", org=tree.branch_a, role="viewer", member=tree.member_b)
    client = client_for(tree.users["secretary"])
    for path in [f"/accounts/{shared.username}/", "/accounts/"]:
        body = client.get(path).content.decode()
        assert "王五" not in body and "MB1" not in body, path
    [account] = [a for a in client.get("/api/accounts").json() if a["username"] == "shared"]
    assert account["member"] is None


# --- problem 4 -----------------------------------------------------------------------


def test_problem_4_admin_without_id_right_cannot_take_over_a_holder(client, tree):
    """Issue 12 problem 4: the branch admin (no ID-number right) reset the password of an
    account with the right, logged in as it and read full ID numbers through /api/."""
    holder = make_user("holder", org=tree.branch_a, role="viewer", can_view_identifiers=True)
    client.force_login(tree.users["secretary"])
    before = snapshot(holder)
    assert client.post("/accounts/holder/reset-password/").status_code == 403
    assert client.post("/api/accounts/holder/reset-password").status_code == 403
    assert snapshot(holder) == before
    # Even a legitimate reset leaves the account nothing but the change page, API included.
    password = reset_password(user=holder)
    client.logout()
    client.post("/accounts/login/", {"username": "holder", "password": password})
    response = client.get("/api/members/MA1/id-number")
    assert response.status_code == 403
    assert response.json() == {"detail": "请先登录网页修改密码，修改后才能使用接口"}
    assert client.get("/members/MA1/").status_code == 302


def test_reset_blocks_existing_tokens_until_password_changed(client, tree):
    holder = make_user("holder", org=tree.branch_a, role="viewer", can_view_identifiers=True)
    _token, key = create_api_token(user=holder, name="脚本")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/members/MA1/id-number", **auth).status_code == 200
    password = reset_password(user=holder)
    assert client.get("/api/members/MA1/id-number", **auth).status_code == 403
    assert client.get("/api/orgs", **auth).status_code == 403
    assert client.get("/api/accounts/me", **auth).json()["username"] == "holder"
    client.post("/accounts/login/", {"username": "holder", "password": password})
    new = "Qingshan-2025!x"
    data = {"old_password": password, "new_password1": new, "new_password2": new}
    assert client.post("/accounts/password/", data).status_code == 302
    assert client.get("/api/members/MA1/id-number", **auth).status_code == 200
