"""Accounts and their posts in the import sheets' columns (round trip, issue 13).

Never passwords, tokens or the superuser flag. From the command line (no user, no org)
every account and post; otherwise (admins only, like the account pages) the accounts
with a post or a linked member at the orgs the user administers among the orgs of the export's scope (an active post or a linked member there, as the account
list shows them), and their posts, active or ended, at those orgs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Q, QuerySet

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets

from .importers import (
    ACCOUNT_COLUMNS,
    POST_COLUMNS,
    AccountImporter,
    PostImporter,
    moment_text,
)
from .models import Post, Role, User


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def managed_orgs(scope: ExportScope) -> Any:
    """The orgs of the scope whose accounts the user administers (the account pages are
    for admins only): under the user's active admin posts; all for a superuser."""
    orgs, user = scope.orgs(), scope.user
    if user is None or user.is_superuser:
        return orgs
    paths = Post.objects.filter(user=user, is_active=True, role=Role.ADMIN)
    under = Q(pk__in=[])
    for path in paths.values_list("org__path", flat=True):
        under |= Q(path__startswith=path)
    return orgs.filter(under)


def accounts_in(scope: ExportScope) -> QuerySet[User]:
    if scope.user is None and scope.org is None:
        return User.objects.all()
    orgs = managed_orgs(scope)
    # as `users_for_user`: an active post or a linked member there (what re-imports)
    placed = Q(posts__org__in=orgs, posts__is_active=True) | Q(member__org__in=orgs)
    return User.objects.filter(pk__in=User.objects.filter(placed).values("pk"))


def posts_in(scope: ExportScope) -> QuerySet[Post]:
    posts = Post.objects.filter(user__in=accounts_in(scope))
    if scope.user is not None or scope.org is not None:
        posts = posts.filter(org__in=managed_orgs(scope))
    return posts


def account_rows(accounts: QuerySet[User]) -> Iterator[dict[str, Any]]:
    rows = accounts.select_related("member").order_by("username")
    for account in rows.iterator(chunk_size=2000):
        yield {
            "username": account.username,
            "name": account.first_name,
            "email": account.email,
            "member": account.member.code if account.member else "",
            "active": _yes_no(account.is_active),
            "identifiers": _yes_no(account.can_view_identifiers),
        }


def post_rows(posts: QuerySet[Post]) -> Iterator[dict[str, Any]]:
    rows = posts.select_related("user", "org").order_by("user__username", "org__path", "pk")
    for post in rows.iterator(chunk_size=2000):
        yield {
            "username": post.user.username,
            "org": post.org.code,
            "role": post.get_role_display(),
            "active": _yes_no(post.is_active),
            "ended_at": moment_text(post.ended_at),
        }


def write_accounts(target: Path | IO[bytes], scope: ExportScope) -> int:
    """The accounts of the scope and their posts, two sheets; returns the rows."""
    return write_sheets(
        target,
        [
            (AccountImporter.title, ACCOUNT_COLUMNS, account_rows(accounts_in(scope))),
            (PostImporter.title, POST_COLUMNS, post_rows(posts_in(scope))),
        ],
    )


EXPORTS = (Export("accounts", "账号（含岗位，不含密码）", write_accounts),)
