"""Account administration endpoints (PLAT-01): admins manage accounts in their scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from xianfeng.lib.api import Code, responses
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.queries import get_org_for_user

from . import domain
from .models import Post, Role, User
from .permissions import can_admin_org
from .queries import get_account_for_user, users_for_user
from .scope import is_within_scope, path_q

router = Router(tags=["账号"])


def _viewer(context: Any) -> Any:
    return context["request"].user


class PostOut(Schema):
    id: int
    org: str
    org_name: str
    role: str
    is_active: bool

    @staticmethod
    def resolve_org(post: Post) -> str:
        return post.org.code

    @staticmethod
    def resolve_org_name(post: Post) -> str:
        return post.org.name


class AccountOut(Schema):
    username: str
    display_name: str
    is_active: bool
    member: str | None = None
    can_view_identifiers: bool
    posts: list[PostOut]

    @staticmethod
    def resolve_member(user: User, context: Any) -> str | None:
        """The member's code, only if the member lies in the viewer's scope."""
        member, viewer = user.member, _viewer(context)
        if member is None:
            return None
        if viewer.pk != user.pk and not is_within_scope(viewer, member.org.path):
            return None
        return member.code

    @staticmethod
    def resolve_posts(user: User, context: Any) -> list[Post]:
        """Active posts at orgs inside the viewer's scope (never another town's)."""
        posts, viewer = user.posts.filter(is_active=True), _viewer(context)
        if viewer.pk != user.pk:
            posts = posts.filter(path_q(viewer, "org__path"))
        return list(posts.select_related("org").order_by("org__path"))


class AccountIn(Schema):
    username: str
    display_name: str
    org: str
    role: Role
    member: str | None = None


class CreatedOut(Schema):
    account: AccountOut
    password: str


class PostIn(Schema):
    org: str
    role: Role


class PasswordOut(Schema):
    username: str
    password: str


@router.get("/me", response=responses({200: AccountOut}))
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    return request.user


@router.get("", response=responses({200: list[AccountOut]}))
def list_accounts(request: HttpRequest):  # type: ignore[no-untyped-def]
    return users_for_user(request.user).order_by("username")[:500]


@router.post("", response=responses({201: CreatedOut}))
def create_account(request: HttpRequest, payload: AccountIn):  # type: ignore[no-untyped-def]
    """Create an account with one post; the one-time password is returned once."""
    org = get_org_for_user(request.user, payload.org)
    if not can_admin_org(request.user, org):
        raise PermissionDenied("只有该组织（或上级组织）的管理员可以开通账号")
    member = get_member_for_user(request.user, payload.member) if payload.member else None
    user, password = domain.create_account_with_post(
        username=payload.username,
        display_name=payload.display_name,
        org=org,
        role=payload.role,
        member=member,
        by=request.user,
    )
    return Status(201, {"account": user, "password": password})


@router.post("/{username}/posts", response=responses({201: PostOut}))
def add_post(request: HttpRequest, username: Code, payload: PostIn):  # type: ignore[no-untyped-def]
    account = get_account_for_user(request.user, username)
    org = get_org_for_user(request.user, payload.org)
    return Status(201, domain.grant_post(user=account, org=org, role=payload.role, by=request.user))


def _require_session(request: HttpRequest) -> None:
    """Credentials change only in a logged-in browser session, never through a token:
    a leaked token must not become a takeover of its own or another account."""
    if getattr(request, "via_token", False):
        raise PermissionDenied("重置密码须登录网页操作，不能使用 API 令牌")


@router.post("/{username}/reset-password", response=responses({200: PasswordOut}))
def reset_password(request: HttpRequest, username: Code):  # type: ignore[no-untyped-def]
    """Reset another account's password (session only); one's own is changed on the web."""
    _require_session(request)
    account = get_account_for_user(request.user, username)
    return {
        "username": account.username,
        "password": domain.reset_password(user=account, by=request.user),
    }


@router.post("/{username}/deactivate", response=responses({200: AccountOut}))
def deactivate(request: HttpRequest, username: Code):  # type: ignore[no-untyped-def]
    account = get_account_for_user(request.user, username)
    return domain.set_account_active(user=account, active=False, by=request.user)
