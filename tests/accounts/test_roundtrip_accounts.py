"""Issue 13 §6: accounts with their posts export in the import sheets' columns and
re-import — into an empty table with every row equal (no passwords travel: a new account
has no usable password until an admin resets it), onto the same database writing nothing;
an import acts only inside the importer's rights (issue 12, no escalation)."""

from __future__ import annotations

from collections import Counter

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import make_user
from xianfeng.accounts.domain import end_post, grant_post, set_account_active
from xianfeng.accounts.models import Post, User
from xianfeng.core.exports import export
from xianfeng.core.importing import ImportFailed, run_import

pytestmark = pytest.mark.django_db

ACCOUNT_HEADER = ["用户名", "姓名", "邮箱", "党员编号", "有效", "可查看完整身份证号"]
POST_HEADER = ["用户名", "党组织", "岗位", "有效", "停用时间"]


def _accounts() -> dict[str, tuple]:
    return {
        u.username: (
            u.first_name,
            u.email,
            u.member.code if u.member else "",
            u.is_active,
            u.can_view_identifiers,
        )
        for u in User.objects.select_related("member")
    }


def _posts() -> Counter:
    rows = Post.objects.values_list("user__username", "org__code", "role", "is_active", "ended_at")
    return Counter(rows)


def _history() -> tuple[int, int]:
    return User.history.count(), Post.history.count()


def _export(tmp_path, user=None, name="accounts.xlsx"):
    path = tmp_path / name
    export(kind="accounts", target=path, user=user)
    return path


def _book(tmp_path, accounts=(), posts=(), extra_header=()):
    book = Workbook()
    sheet = book.active
    sheet.title = "账号"
    sheet.append([*ACCOUNT_HEADER, *extra_header])
    for row in accounts:
        sheet.append(list(row))
    if posts:
        post_sheet = book.create_sheet("账号岗位")
        post_sheet.append(POST_HEADER)
        for row in posts:
            post_sheet.append(list(row))
    path = tmp_path / "in.xlsx"
    book.save(path)
    return path


def _errors(path, user):
    with pytest.raises(ImportFailed) as failed:
        run_import(path, by=user)
    return [(e.sheet, e.column, e.message) for e in failed.value.errors]


@pytest.fixture
def richer(tree):
    """The tree's users, plus an ended and re-granted post, an e-mail, the ID-number
    right, a disabled account and an account with two posts."""
    admin = tree.users["city_admin"]
    post = Post.objects.get(user=tree.users["county_officer"])
    end_post(post=post)
    grant_post(user=tree.users["county_officer"], org=tree.county_a, role="officer")
    extra = make_user("two_posts", org=tree.branch_a2, role="viewer", can_view_identifiers=True)
    grant_post(user=extra, org=tree.branch_b, role="officer")
    extra.email = "two@example.cn"
    extra.save()
    set_account_active(user=tree.users["nobody"], active=False)
    return admin


def test_accounts_round_trip_into_an_empty_table_and_again(richer, tmp_path):
    accounts, posts = _accounts(), _posts()
    path = _export(tmp_path)
    names = load_workbook(path, read_only=True).sheetnames
    assert names == ["账号", "账号岗位"]
    User.objects.all().delete()
    assert not Post.objects.exists()

    result = run_import(path)
    assert _accounts() == accounts
    assert _posts() == posts
    for user in User.objects.all():  # no password travelled: an admin resets it
        assert not user.has_usable_password() and user.must_change_password

    before = _history(), User.objects.count(), Post.objects.count()
    again = run_import(path)
    assert {k: v["created"] + v["updated"] for k, v in again.counts.items()} == {
        "accounts": 0,
        "posts": 0,
    }
    assert (_history(), User.objects.count(), Post.objects.count()) == before
    assert result.counts["accounts"]["created"] == len(accounts)


def test_accounts_reimport_writes_nothing_for_an_admin_of_a_subtree(tree, tmp_path):
    secretary = tree.users["secretary"]
    path = _export(tmp_path, user=secretary)
    rows = load_workbook(path, read_only=True)["账号"].iter_rows(min_row=2, values_only=True)
    assert sorted(row[0] for row in rows) == ["member", "secretary"]
    before = _history(), _accounts(), _posts()
    counts = run_import(path, by=secretary).counts
    assert counts["accounts"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert (_history(), _accounts(), _posts()) == before


@pytest.mark.parametrize("who", ["county_officer", "county_viewer", "member"])
def test_accounts_export_is_for_admins_only(tree, tmp_path, who):
    path = _export(tmp_path, user=tree.users[who])
    book = load_workbook(path, read_only=True)
    assert [len(list(book[name].iter_rows(min_row=2))) for name in book.sheetnames] == [0, 0]


def test_accounts_import_creates_an_account_inside_the_importers_reach(tree, tmp_path):
    secretary = tree.users["secretary"]
    path = _book(
        tmp_path,
        [["zhao", "赵六", "zhao@example.cn", "", "是", "否"]],
        [["zhao", "CA-T1-B1", "党务工作者", "是"], ["zhao", "CA-T1-B1-G1", "查看者", "否"]],
    )
    run_import(path, by=secretary)
    zhao = User.objects.get(username="zhao")
    assert zhao.first_name == "赵六" and not zhao.has_usable_password()
    posts = {row[:4]: row[4] for row in _posts()}
    assert posts[("zhao", "CA-T1-B1", "officer", True)] is None
    assert posts[("zhao", "CA-T1-B1-G1", "viewer", False)] is not None


@pytest.mark.parametrize(
    ("accounts", "posts", "expected"),
    [
        pytest.param(  # an org out of scope reads like a missing one
            [["zhao", "赵六", "", "", "", ""]],
            [["zhao", "CB-T1-B1", "管理员", "是"]],
            [("账号岗位", "党组织", "找不到党组织“CB-T1-B1”（请填编码或完整名称路径）")],
            id="org-out-of-scope",
        ),
        pytest.param(
            [["zhao", "赵六", "", "", "", ""]],
            [["zhao", "NOPE", "管理员", "是"]],
            [("账号岗位", "党组织", "找不到党组织“NOPE”（请填编码或完整名称路径）")],
            id="org-missing",
        ),
        pytest.param(  # a member out of scope reads like a missing one
            [["zhao", "赵六", "", "MB1", "", ""]],
            [],
            [("账号", "党员编号", "找不到党员编号为“MB1”的党员")],
            id="member-out-of-scope",
        ),
        pytest.param(
            [["zhao", "赵六", "", "NOPE", "", ""]],
            [],
            [("账号", "党员编号", "找不到党员编号为“NOPE”的党员")],
            id="member-missing",
        ),
        pytest.param(  # placed nowhere: out of its creator's reach
            [["zhao", "赵六", "", "", "", ""]],
            [],
            [
                (
                    "账号",
                    "用户名",
                    "新账号须在您管理的党组织有有效岗位（见“账号岗位”表），"
                    "或对应您管理范围内的党员",
                )
            ],
            id="placed-nowhere",
        ),
        pytest.param(  # no right is granted by one who lacks it
            [["zhao", "赵六", "", "", "", "是"]],
            [["zhao", "CA-T1-B1", "查看者", "是"]],
            [
                (
                    "账号",
                    "可查看完整身份证号",
                    "只有本身有此权限的管理员才能授予或收回查看完整身份证号的权限",
                )
            ],
            id="identifier-right",
        ),
        pytest.param(  # an account out of sight answers like a taken username
            [["outsider", "改名", "", "", "", ""]],
            [],
            [("账号", "用户名", "用户名“outsider”已被使用")],
            id="account-out-of-sight",
        ),
        pytest.param(
            [],
            [["outsider", "CA-T1-B1", "查看者", "是"]],
            [("账号岗位", "用户名", "没有找到用户名为“outsider”的账号")],
            id="post-for-account-out-of-sight",
        ),
        pytest.param(  # the account is in sight but holds a post above the importer
            [],
            [["member", "CA-T1-B1", "管理员", "是"], ["member", "CA", "管理员", "是"]],
            [("账号岗位", "党组织", "找不到党组织“CA”（请填编码或完整名称路径）")],
            id="post-above",
        ),
        pytest.param(
            [["zhao", "赵六", "not-an-email", "", "也许", ""]],
            [["zhao", "CA-T1-B1", "管理员", "是"]],
            {"邮箱", "有效"},
            id="bad-account-cells",
        ),
        pytest.param(
            [],
            [["member", "CA-T1-B1", "老板", "是"], ["member", "CA-T1-B1", "查看者", "不"]],
            {"岗位", "有效"},
            id="bad-post-cells",
        ),
        pytest.param(
            [],
            [
                ["member", "CA-T1-B1", "查看者", "否", "昨天"],
                ["member", "CA-T1-B1", "管理员", "是", "2025-06-30 08:30:00"],
            ],
            [
                ("账号岗位", "停用时间", "时间应为“2025-06-30 08:30:00”格式，实际为“昨天”"),
                ("账号岗位", "停用时间", "有效的岗位不应填写停用时间"),
            ],
            id="bad-post-times",
        ),
    ],
)
def test_accounts_import_refusals(tree, tmp_path, accounts, posts, expected):
    before = _accounts(), _posts(), _history()
    path = _book(tmp_path, accounts, posts)
    errors = _errors(path, tree.users["secretary"])
    if isinstance(expected, set):
        assert {column for _sheet, column, _message in errors} == expected
    else:
        assert errors == expected
    assert (_accounts(), _posts(), _history()) == before


def test_accounts_import_never_sets_the_superuser_flag(tree, tmp_path):
    path = _book(
        tmp_path,
        [["zhao", "赵六", "", "", "", "", "是", "是"]],
        [["zhao", "CA-T1-B1", "查看者", "是"]],
        extra_header=("超级管理员", "is_superuser"),
    )
    run_import(path)
    zhao = User.objects.get(username="zhao")
    assert not zhao.is_superuser and not zhao.is_staff


def test_accounts_import_changes_an_account_through_the_domain(tree, tmp_path):
    secretary = tree.users["secretary"]
    path = _book(
        tmp_path,
        [["member", "张三（改）", "zs@example.cn", "MA1", "否", "否"]],
        [["member", "CA-T1-B1", "查看者", "是"]],
    )
    counts = run_import(path, by=secretary).counts
    assert counts["accounts"]["updated"] == 1 and counts["posts"]["created"] == 1
    member = User.objects.get(username="member")
    assert (member.first_name, member.email, member.is_active) == (
        "张三（改）",
        "zs@example.cn",
        False,
    )
    assert Post.objects.filter(user=member, org=tree.branch_a, role="viewer").exists()


def test_accounts_import_empty_cells_leave_an_account_as_it_is(richer, tmp_path):
    before = _accounts(), _history()
    path = _book(tmp_path, [["two_posts", "two_posts", "", "", "", ""]])
    assert run_import(path).counts["accounts"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert (_accounts(), _history()) == before
