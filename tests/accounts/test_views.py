import pytest
from django.test import Client

from tests.accounts.test_domain import seat_holders
from tests.factories import make_user
from xianfeng.accounts.models import ApiToken, Post, User
from xianfeng.core.models import Job

pytestmark = pytest.mark.django_db

FORCE_CHANGE = "xianfeng.accounts.middleware.ForcePasswordChangeMiddleware"
TEST_PASSWORD = "Xianfeng-Test-2025"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    if FORCE_CHANGE not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("django_htmx.middleware.HtmxMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], FORCE_CHANGE, *settings.MIDDLEWARE[at:]]


def _create(client, **fields):
    data = {"username": "zhaoliu", "display_name": "赵六", "org": "CA-T1-B1", "role": "officer"}
    return client.post("/accounts/", data | fields)


def _usernames(response):
    return [account.username for account in response.context["page_obj"].object_list]


# 开通账号


def test_create_account_in_scope_shows_password_once(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = _create(client)
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="zhaoliu")
    assert user.check_password(password)
    assert user.must_change_password is True
    assert [(p.org.code, p.role) for p in user.posts.all()] == [("CA-T1-B1", "officer")]
    assert password not in client.get("/accounts/zhaoliu/").content.decode()


def test_create_account_with_member(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = _create(client, username="zhaoliu2", member="MA1")  # MA1 has "member"
    assert "已有账号" in str(response.context["form"].errors)
    seat_holders(tree)
    _create(client, member="MA3")
    assert User.objects.get(username="zhaoliu").member.code == "MA3"


def test_new_account_is_forced_to_change_password(client, tree):
    client.post("/accounts/login/", {"username": "secretary", "password": TEST_PASSWORD})
    password = _create(client).context["password"]
    client.logout()
    client.post("/accounts/login/", {"username": "zhaoliu", "password": password})
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/?next=%2Faccounts%2F"
    response = client.post(
        "/accounts/password/?next=/accounts/",
        {
            "old_password": password,
            "new_password1": "Qingshan-2025!",
            "new_password2": "Qingshan-2025!",
            "next": "/accounts/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert User.objects.get(username="zhaoliu").must_change_password is False
    assert client.get("/accounts/").status_code == 200  # still logged in


def test_forced_change_leaves_api_logout_and_static_alone(client, tree):
    user = tree.users["member"]
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    assert client.get("/").status_code == 302
    assert client.get("/api/accounts/me").status_code == 200
    assert client.get("/accounts/password/").status_code == 200
    response = client.get("/accounts/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/accounts/password/"
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_create_account_outside_scope_is_404(client_for, tree):
    response = _create(client_for(tree.users["secretary"]), org="CB-T1-B1")
    assert response.status_code == 404
    assert not User.objects.filter(username="zhaoliu").exists()


def test_create_account_member_outside_scope_is_404(client_for, tree):
    response = _create(client_for(tree.users["secretary"]), member="MB1")
    assert response.status_code == 404


@pytest.mark.parametrize("user", ["county_viewer", "county_officer", "member", "nobody"])
def test_create_account_needs_admin_post(client_for, tree, user):
    client = client_for(tree.users[user])
    assert _create(client).status_code == 403
    assert client.get("/accounts/").context["can_create"] is False
    assert not User.objects.filter(username="zhaoliu").exists()


def test_create_account_duplicate_username_is_field_error(client_for, tree):
    response = _create(client_for(tree.users["secretary"]), username="member")
    assert response.status_code == 200
    assert "已被使用" in response.context["form"].errors["username"][0]


# 账号列表


def test_secretary_sees_only_accounts_of_branch(client_for, tree):
    response = client_for(tree.users["secretary"]).get("/accounts/")
    assert response.context["can_create"] is True
    assert _usernames(response) == ["member", "secretary"]


def test_city_admin_sees_all_accounts_with_posts_or_members(client_for, tree):
    response = client_for(tree.users["city_admin"]).get("/accounts/")
    assert _usernames(response) == [
        "city_admin",
        "county_officer",
        "county_viewer",
        "member",
        "outsider",
        "secretary",
    ]


def test_list_search_by_name_and_htmx_fragment(client_for, tree):
    client = client_for(tree.users["city_admin"])
    assert _usernames(client.get("/accounts/?q=county")) == ["county_officer", "county_viewer"]
    response = client.get("/accounts/?q=outsider", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"account-results" in response.content
    assert _usernames(response) == ["outsider"]


def test_account_detail_outside_scope_is_404(client_for, tree):
    assert client_for(tree.users["secretary"]).get("/accounts/outsider/").status_code == 404


# 账号详情


def test_reset_password_shows_new_one_time_password(client_for, tree):
    response = client_for(tree.users["secretary"]).post("/accounts/member/reset-password/")
    assert response.status_code == 200
    member = User.objects.get(username="member")
    assert member.check_password(response.context["password"])
    assert member.must_change_password is True
    assert "no-store" in response["Cache-Control"]


def test_reset_password_outside_scope_is_404(client_for, tree):
    client = client_for(tree.users["outsider"])
    assert client.post("/accounts/member/reset-password/").status_code == 404


def test_reset_password_needs_admin(client_for, tree):
    client = client_for(tree.users["county_officer"])
    assert client.get("/accounts/member/").status_code == 200
    assert client.post("/accounts/member/reset-password/").status_code == 403


def test_deactivated_account_cannot_log_in(client_for, tree):
    other = Client()
    other.force_login(tree.users["member"])
    client = client_for(tree.users["secretary"])
    response = client.post("/accounts/member/active/", {"active": "0"})
    assert response.status_code == 302
    assert User.objects.get(username="member").is_active is False
    assert other.get("/").status_code == 302  # the open session ends too
    login = Client().post("/accounts/login/", {"username": "member", "password": TEST_PASSWORD})
    assert login.status_code == 200 and login.context["form"].errors
    client.post("/accounts/member/active/", {"active": "1"})
    login = Client().post("/accounts/login/", {"username": "member", "password": TEST_PASSWORD})
    assert login.status_code == 302


def test_cannot_deactivate_own_account(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post("/accounts/secretary/active/", {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(username="secretary").is_active is True


def test_add_and_end_post(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post("/accounts/member/posts/", {"org": "CA-T1-B1", "role": "viewer"})
    assert response.status_code == 302
    post = Post.objects.get(user__username="member", is_active=True)
    assert (post.org.code, post.role) == ("CA-T1-B1", "viewer")
    assert client.post(f"/accounts/member/posts/{post.pk}/end/").status_code == 302
    assert Post.objects.filter(user__username="member", is_active=True).count() == 0


def test_add_post_outside_scope_is_404_and_duplicate_is_field_error(client_for, tree):
    client = client_for(tree.users["secretary"])
    assert (
        client.post("/accounts/member/posts/", {"org": "CB", "role": "viewer"}).status_code == 404
    )
    client.post("/accounts/member/posts/", {"org": "CA-T1-B1", "role": "viewer"})
    response = client.post("/accounts/member/posts/", {"org": "CA-T1-B1", "role": "viewer"})
    assert response.status_code == 200
    assert "相同岗位" in response.context["post_form"].errors["role"][0]


def test_end_post_outside_own_scope_is_403(client_for, tree):
    city_post = Post.objects.get(user=tree.users["secretary"])
    client = client_for(tree.users["county_officer"])
    assert client.post(f"/accounts/secretary/posts/{city_post.pk}/end/").status_code == 403


def test_link_member(client_for, tree):
    client = client_for(tree.users["city_admin"])
    response = client.post("/accounts/county_officer/member/", {"member": "MA2"})
    assert response.status_code == 302
    assert User.objects.get(username="county_officer").member.code == "MA2"
    response = client.post("/accounts/county_viewer/member/", {"member": "MA2"})
    assert "已关联其他账号" in response.context["member_form"].errors["member"][0]


def test_identifier_right_grant_and_revoke(client_for, tree):
    holder = make_user("holder", org=tree.city, can_view_identifiers=True)
    client = client_for(holder)
    assert client.get("/accounts/member/").context["can_grant_identifiers"] is True
    client.post("/accounts/member/identifiers/", {"allowed": "1"})
    assert User.objects.get(username="member").can_view_identifiers is True
    client.post("/accounts/member/identifiers/", {"allowed": "0"})
    assert User.objects.get(username="member").can_view_identifiers is False


def test_identifier_right_not_granted_by_admin_without_it(client_for, tree):
    client = client_for(tree.users["secretary"])
    assert client.get("/accounts/member/").context["can_grant_identifiers"] is False
    assert client.post("/accounts/member/identifiers/", {"allowed": "1"}).status_code == 403


def test_history_shows_changes_but_never_password(client_for, tree):
    client = client_for(tree.users["secretary"])
    client.post("/accounts/member/reset-password/")
    client.post("/accounts/member/posts/", {"org": "CA-T1-B1", "role": "viewer"})
    response = client.get("/accounts/member/")
    history = response.context["history"]
    assert [(entry["subject"], entry["action"]) for entry in history[:2]] == [
        ("岗位：青山村党支部 查看者", "新建"),
        ("账号", "修改"),
    ]
    assert history[1]["changes"] == [("须修改密码", "否", "是")]
    assert history[1]["who"] == "secretary" and history[1]["via"] == "网页"
    content = response.content.decode()
    assert User.objects.get(username="member").password not in content
    assert "md5$" not in content


# 批量开通


def _bulk(client, code):
    return client.post(f"/accounts/bulk/?org={code}")


def test_bulk_job_creates_accounts_for_seat_holders(
    client_for, tree, django_capture_on_commit_callbacks
):
    seat_holders(tree)
    client = client_for(tree.users["city_admin"])
    preview = client.get("/accounts/bulk/?org=CA")
    assert (preview.context["member_count"], preview.context["seat_count"]) == (2, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk(client, "CA")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.progress, job.created_by, job.org) == (
        "done",
        100,
        tree.users["city_admin"],
        tree.county_a,
    )
    assert job.result["headers"][:5] == ["用户名", "姓名", "党组织", "岗位", "一次性密码"]
    assert [row[0] for row in job.result["rows"]] == ["MA4", "MA3"]
    assert User.objects.get(username="MA3").check_password(job.result["rows"][1][4])
    assert not User.objects.filter(username__in=["MA5", "MA6", "MB2"]).exists()
    page = client.get(f"/jobs/{job.pk}/")
    assert job.result["rows"][1][4] in page.content.decode()


def test_bulk_job_result_only_for_its_creator(client_for, tree, django_capture_on_commit_callbacks):
    seat_holders(tree)
    with django_capture_on_commit_callbacks(execute=True):
        _bulk(client_for(tree.users["city_admin"]), "CA")
    job = Job.objects.get()
    for name in ["secretary", "outsider", "county_officer"]:
        other = Client()
        other.force_login(tree.users[name])
        assert other.get(f"/jobs/{job.pk}/").status_code == 404


def test_bulk_job_records_creator_in_history(client_for, tree, django_capture_on_commit_callbacks):
    seat_holders(tree)
    with django_capture_on_commit_callbacks(execute=True):
        _bulk(client_for(tree.users["secretary"]), "CA-T1-B1")
    record = User.objects.get(username="MA3").history.earliest()
    assert record.history_user == tree.users["secretary"]
    assert record.history_change_reason == "worker: accounts.bulk_create"


def test_bulk_outside_scope_is_404_and_needs_admin(client_for, tree):
    seat_holders(tree)
    assert _bulk(client_for(tree.users["secretary"]), "CA").status_code == 404
    assert _bulk(client_for(tree.users["county_officer"]), "CA").status_code == 403
    assert not Job.objects.exists()


def test_bulk_without_org_asks_for_one(client_for, tree):
    response = client_for(tree.users["secretary"]).get("/accounts/bulk/")
    assert response.context["form"].initial == {"org": "CA-T1-B1"}


# API 令牌


def test_token_key_shown_once_works_and_stops_after_revoke(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post("/accounts/tokens/", {"name": "同步脚本", "password": TEST_PASSWORD})
    key = response.context["new_key"]
    assert key in response.content.decode() and "no-store" in response["Cache-Control"]
    assert key not in client.get("/accounts/tokens/").content.decode()
    script = Client()
    me = script.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200 and me.json()["username"] == "secretary"
    token = ApiToken.objects.get(user=tree.users["secretary"])
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert script.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_of_another_user_cannot_be_revoked(client_for, tree):
    other = Client()
    other.force_login(tree.users["secretary"])
    other.post("/accounts/tokens/", {"name": "脚本", "password": TEST_PASSWORD})
    token = ApiToken.objects.get()
    assert (
        client_for(tree.users["city_admin"])
        .post(f"/accounts/tokens/{token.pk}/revoke/")
        .status_code
        == 404
    )
    assert ApiToken.objects.get().revoked is False


# 修改密码


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old_password": "wrong"}, "old_password", "原密码不正确"),
        ({"new_password2": "Other-Pass-2025"}, "new_password2", "不一致"),
        ({"new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD}, "new_password1", "相同"),
        ({"new_password1": "12345678", "new_password2": "12345678"}, "new_password1", "常见"),
    ],
)
def test_password_change_errors(client_for, tree, data, field, message):
    good = {
        "old_password": TEST_PASSWORD,
        "new_password1": "Qingshan-2025!",
        "new_password2": "Qingshan-2025!",
    }
    response = client_for(tree.users["secretary"]).post("/accounts/password/", good | data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_password_change_ignores_foreign_next(client_for, tree):
    client = client_for(tree.users["secretary"])
    response = client.post(
        "/accounts/password/?next=https://evil.example/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Qingshan-2025!",
            "new_password2": "Qingshan-2025!",
        },
    )
    assert response["Location"] == "/"
    assert User.objects.get(username="secretary").check_password("Qingshan-2025!")
