"""Writes to accounts, posts and tokens (PLAT-01); every change is in the history."""

from __future__ import annotations

import hashlib
import secrets
import string
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xianfeng.lib.cipher import new_api_key

from .models import ApiToken, Post, Role, User
from .permissions import can_admin_org
from .scope import forget_scope

_ALPHABET = string.ascii_letters + string.digits


def temporary_password() -> str:
    """A readable one-time password (no 0/O/l/1 confusion) for a new or reset account."""
    alphabet = [c for c in _ALPHABET if c not in "0O1lI"]
    return "".join(secrets.choice(alphabet) for _ in range(10))


def _require_admin(by: Any, org: Any) -> None:
    if by is not None and not can_admin_org(by, org):
        raise PermissionDenied("只有该组织（或上级组织）的管理员可以管理账号")


@transaction.atomic
def create_account(
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    member: Any = None,
    by: Any = None,
) -> tuple[User, str]:
    """Create a user (returns the user and the one-time password to hand over)."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用"})
    if member is not None and User.objects.filter(member=member).exists():
        raise ValidationError({"member": f"党员{member.name}已有账号"})
    if member is not None and by is not None:
        _require_admin(by, member.org)
    password = password or temporary_password()
    user = User(
        username=username, first_name=display_name.strip(), member=member, must_change_password=True
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


@transaction.atomic
def grant_post(*, user: User, org: Any, role: str, by: Any = None) -> Post:
    """Give a user a post at `org`; the post covers the org's subtree."""
    _require_admin(by, org)
    if role not in Role.values:
        raise ValidationError({"role": "岗位应为管理员、党务工作者或查看者"})
    if Post.objects.filter(user=user, org=org, role=role, is_active=True).exists():
        raise ValidationError({"role": "该用户在此组织已有相同岗位"})
    post = Post.objects.create(user=user, org=org, role=role)
    forget_scope(user)
    return post


@transaction.atomic
def end_post(*, post: Post, by: Any = None) -> Post:
    _require_admin(by, post.org)
    post.is_active, post.ended_at = False, timezone.now()
    post.save(update_fields=["is_active", "ended_at"])
    forget_scope(post.user)
    return post


def end_posts_of_user(*, user: User, under: Any = None) -> int:
    """End a user's active posts (all, or those at orgs under `under`): a transfer out."""
    posts = Post.objects.filter(user=user, is_active=True)
    if under is not None:
        posts = posts.filter(org__path__startswith=under.path)
    ended = 0
    for post in posts:  # few rows; one history row each
        post.is_active, post.ended_at = False, timezone.now()
        post.save(update_fields=["is_active", "ended_at"])
        ended += 1
    forget_scope(user)
    return ended


def _require_account_admin(by: Any, user: User) -> None:
    """An admin may manage an account whose posts and member all lie in their scope."""
    if by is None or by.is_superuser:
        return
    orgs = [post.org for post in user.posts.filter(is_active=True).select_related("org")]
    if user.member_id:
        orgs.append(user.member.org)
    if not orgs or not all(can_admin_org(by, org) for org in orgs):
        raise PermissionDenied("该账号不在您的管理范围内")


@transaction.atomic
def reset_password(*, user: User, by: Any = None) -> str:
    """Set a new one-time password (no e-mail needed) that must be changed at next login."""
    _require_account_admin(by, user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


@transaction.atomic
def change_own_password(*, user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


@transaction.atomic
def set_account_active(*, user: User, active: bool, by: Any = None) -> User:
    _require_account_admin(by, user)
    if by is not None and by.pk == user.pk and not active:
        raise ValidationError("不能停用自己的账号")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def link_member(*, user: User, member: Any, by: Any = None) -> User:
    """Link an account to a member record (the member's own pages)."""
    if by is not None:
        _require_admin(by, member.org)
    if User.objects.filter(member=member).exclude(pk=user.pk).exists():
        raise ValidationError({"member": f"党员{member.name}已关联其他账号"})
    user.member = member
    user.save(update_fields=["member"])
    return user


@transaction.atomic
def set_identifier_right(*, user: User, allowed: bool, by: Any = None) -> User:
    _require_account_admin(by, user)
    user.can_view_identifiers = allowed
    user.save(update_fields=["can_view_identifiers"])
    return user


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A token for scripts; the key is returned once and only its hash is stored."""
    key = new_api_key()
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "脚本", prefix=key[:8], key_hash=_hash(key)
    )
    return token, key


def user_for_api_key(key: str) -> User | None:
    token = (
        ApiToken.objects.filter(key_hash=_hash(key), revoked=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> None:
    token.revoked = True
    token.save(update_fields=["revoked"])
