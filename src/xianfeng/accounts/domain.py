"""Writes to accounts, posts and tokens (PLAT-01); every change is in the history."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from xianfeng.lib.cipher import new_api_key
from xianfeng.members.models import Status
from xianfeng.orgs.models import Seat, SeatRole

from .models import ApiToken, Post, Role, User
from .permissions import can_admin_org
from .scope import forget_scope

log = logging.getLogger(__name__)

_ALPHABET = string.ascii_letters + string.digits
# Path segments under /accounts/ that a username would shadow.
RESERVED_USERNAMES = frozenset({"login", "logout", "password", "bulk", "tokens"})


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
    """Create a user (returns the user and the password to hand over).

    Without `password` a one-time password is generated and must be changed at the first
    login; a password chosen by the caller (command line, demo, tests) need not be.
    """
    username = username.strip()
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": f"“{username}”是系统保留的名称，不能用作用户名"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用"})
    if member is not None and User.objects.filter(member=member).exists():
        raise ValidationError({"member": f"党员{member.name}已有账号"})
    if member is not None and by is not None:
        _require_admin(by, member.org)
    must_change = not password
    password = password or temporary_password()
    user = User(
        username=username,
        first_name=display_name.strip(),
        member=member,
        must_change_password=must_change,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


@transaction.atomic
def create_account_with_post(
    *,
    username: str,
    display_name: str,
    org: Any,
    role: str,
    member: Any = None,
    by: Any = None,
) -> tuple[User, str]:
    """Open an account with one post at `org` (all or nothing); returns the one-time password.

    `by` must be an admin of `org`, and of the member's org when a member is linked.
    """
    _require_admin(by, org)
    user, password = create_account(
        username=username, display_name=display_name, member=member, by=by
    )
    _add_post(user=user, org=org, role=role)
    return user, password


@transaction.atomic
def grant_post(*, user: User, org: Any, role: str, by: Any = None) -> Post:
    """Give a user a post at `org`; the post covers the org's subtree.

    `by` must administer `org` and be allowed to manage the account as it is
    (`require_account_admin`): no post is added to an account placed outside `by`'s reach.
    """
    _require_admin(by, org)
    require_account_admin(by, user)
    return _add_post(user=user, org=org, role=role)


def _add_post(*, user: User, org: Any, role: str) -> Post:
    if role not in Role.values:
        raise ValidationError({"role": "岗位应为管理员、党务工作者或查看者"})
    if Post.objects.filter(user=user, org=org, role=role, is_active=True).exists():
        raise ValidationError({"role": "该用户在此组织已有相同岗位"})
    post = Post.objects.create(user=user, org=org, role=role)
    forget_scope(user)
    return post


@transaction.atomic
def end_post(*, post: Post, by: Any = None) -> Post:
    """End one post; `by` must be allowed to manage the whole account."""
    _require_admin(by, post.org)
    require_account_admin(by, post.user)
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


def placement_orgs(user: User) -> list[Any]:
    """Where an account is placed: the orgs of its active posts and its member's org."""
    orgs = [post.org for post in user.posts.filter(is_active=True).select_related("org")]
    if user.member is not None:
        orgs.append(user.member.org)
    return orgs


def can_manage_account(by: Any, user: User) -> bool:
    """Whether `by` may write to the account `user` (PLAT-01, no escalation).

    The command line (`by` None) may; otherwise `by` must hold every right the account
    holds — superuser accounts only by superusers, an account with the ID-number right only
    by a holder of that right — and administer every org the account is placed at (its
    posts and its member's org). An account placed nowhere (no post, no member) is left to
    superusers and the command line.
    """
    if by is None:
        return True
    if not by.is_active:
        return False
    if by.is_superuser:
        return True
    if user.is_superuser or (user.can_view_identifiers and not by.can_view_identifiers):
        return False
    orgs = placement_orgs(user)
    return bool(orgs) and all(can_admin_org(by, org) for org in orgs)


def require_account_admin(by: Any, user: User) -> None:
    if not can_manage_account(by, user):
        raise PermissionDenied("该账号不在您的管理范围内，或持有您没有的权限")


@transaction.atomic
def reset_password(*, user: User, by: Any = None) -> str:
    """Set a new one-time password (no e-mail needed) that must be changed at next login.

    Until it is changed the account reaches nothing but the change page, on the web and
    through the API (its tokens included). One's own password is changed, not reset.
    """
    require_account_admin(by, user)
    if by is not None and by.pk == user.pk:
        raise PermissionDenied("不能重置自己的密码，请在“修改密码”页面修改")
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
    require_account_admin(by, user)
    if by is not None and by.pk == user.pk and not active:
        raise ValidationError("不能停用自己的账号")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def link_member(*, user: User, member: Any, by: Any = None) -> User:
    """Link an account to a member record (the member's own pages).

    `by` must administer the member's org and be allowed to manage the account
    (`can_manage_account`; an account placed nowhere only from the command line or by a
    superuser).
    """
    _require_admin(by, member.org)
    require_account_admin(by, user)
    if User.objects.filter(member=member).exclude(pk=user.pk).exists():
        raise ValidationError({"member": f"党员{member.name}已关联其他账号"})
    user.member = member
    user.save(update_fields=["member"])
    return user


@transaction.atomic
def set_identifier_right(*, user: User, allowed: bool, by: Any = None) -> User:
    """Grant or revoke the right to see full ID numbers (MEM-01).

    Only an admin of the account who holds the right may grant or revoke it, and never
    grant it to themselves.
    """
    require_account_admin(by, user)
    if by is not None and not by.is_superuser:
        if not by.can_view_identifiers:
            raise PermissionDenied("只有本身有此权限的管理员才能授予或收回查看完整身份证号的权限")
        if allowed and by.pk == user.pk:
            raise PermissionDenied("不能给自己授予查看完整身份证号的权限")
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
    _note_use(token)
    return token.user


TOKEN_USE_GRAIN = dt.timedelta(minutes=1)  # `last_used_at` is written at most this often
BOOKKEEPING_WAIT_MS = 1000


def _note_use(token: ApiToken) -> None:
    """Best-effort bookkeeping of a token's last use (issue 13 §2): written at most once a
    minute and waiting at most a second for the database; a busy database is logged in one
    line and the request goes on."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_GRAIN:
        return
    try:
        with _short_wait(), transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError as error:
        log.warning("未记录 API 令牌 %s… 的使用时间（数据库忙）：%s", token.prefix, error)


@contextmanager
def _short_wait() -> Iterator[None]:
    """On SQLite outside a transaction, a busy timeout of BOOKKEEPING_WAIT_MS meanwhile."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {BOOKKEEPING_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {before}")


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> None:
    token.revoked = True
    token.save(update_fields=["revoked"])


PROGRESS_EVERY = 20
BULK_HEADERS = ["用户名", "姓名", "党组织", "岗位", "一次性密码", "备注"]


def seats_needing_accounts(org: Any) -> Any:
    """Open seats in `org`'s subtree whose holder is a current member without an account."""
    return (
        Seat.objects.filter(
            org__path__startswith=org.path,
            ended_on__isnull=True,
            member__isnull=False,
            member__user__isnull=True,
        )
        .exclude(member__status=Status.LEFT)
        .select_related("org", "member")
        .order_by("org__path", "role", "pk")
    )


def _posts_for_seats(seats: list[Seat]) -> list[tuple[Any, str]]:
    """One post per org: admin if any seat there is the secretary's, else officer."""
    posts: dict[int, tuple[Any, str]] = {}
    for seat in seats:
        role = Role.ADMIN if seat.role == SeatRole.SECRETARY else Role.OFFICER
        if posts.get(seat.org_id, (None, Role.OFFICER))[1] != Role.ADMIN:
            posts[seat.org_id] = (seat.org, role)
    return list(posts.values())


def _open_seat_holder_account(member: Any, seats: list[Seat], by: Any) -> dict[str, str]:
    posts = _posts_for_seats(seats)
    row = {
        "username": member.code,
        "name": member.name,
        "org": "、".join(org.name for org, _role in posts),
        "role": "、".join(str(Role(role).label) for _org, role in posts),
        "password": "",
        "note": "",
    }
    try:
        with transaction.atomic():
            user, row["password"] = create_account(
                username=member.code, display_name=member.name, member=member, by=by
            )
            for org, role in posts:
                _require_admin(by, org)
                _add_post(user=user, org=org, role=role)
    except ValidationError as error:
        row["password"], row["note"] = "", "；".join(error.messages)
    except PermissionDenied as error:  # the member has since moved out of `by`'s scope
        row["password"], row["note"] = "", str(error)
    return row


def create_accounts_for_seat_holders(
    *, org: Any, by: Any, progress: Callable[[int, int], None] | None = None
) -> list[dict[str, str]]:
    """Open an account for every leadership member of `org`'s subtree who has none.

    For each open seat (no `ended_on`) whose holder has not left and has no account:
    an account named by the member code, with the member's name and a one-time password,
    linked to the member, with a post at the seat's org — secretary → admin, deputy
    secretary and committee member → officer. A member holding several seats gets one
    account with one post per org. Each account is its own transaction, so a re-run after
    an interruption continues where it stopped; a member whose code is already a username
    (or who has moved out of `by`'s scope) is skipped with a note. `progress(done, total)`
    is called every PROGRESS_EVERY members and at the end. Returns one row per member.
    """
    _require_admin(by, org)
    by_member: dict[int, list[Seat]] = {}
    for seat in seats_needing_accounts(org):
        by_member.setdefault(seat.member_id, []).append(seat)
    total, rows = len(by_member), []
    for done, seats in enumerate(by_member.values(), start=1):
        rows.append(_open_seat_holder_account(seats[0].member, seats, by))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return rows
