"""Registering an ID number that is already on file (issue 12, problem 3).

Party membership is personal data: the answer to a duplicate number never names a member
the actor cannot see. A holder inside the actor's scope is named (the actor can open that
record anyway); any other holder gets one fixed answer without code, name or number.

That answer still reveals that the number belongs to some member, so each one is kept
(`IdNumberProbe`: account, time, org, channel, the number's HMAC) even when the refused
write rolls back, and counted: after `XIANFENG_ID_DUPLICATE_LIMIT` answers (default 10) in
a day an account may check no more ID numbers that day, and the officers and admins of the
org above the account's org are notified.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from xianfeng.accounts.scope import is_within_scope, scope_paths
from xianfeng.core.audit import held, keep
from xianfeng.core.history import current_via
from xianfeng.orgs.models import Org

from .models import IdNumberProbe

ELSEWHERE = "该身份证号已在其他党组织登记，请联系上级组织部门办理组织关系转接"
DEFAULT_LIMIT = 10


def duplicate_limit() -> int:
    return int(getattr(settings, "XIANFENG_ID_DUPLICATE_LIMIT", DEFAULT_LIMIT))


def limit_message() -> str:
    return (
        f"本账号今日已有{duplicate_limit()}次登记的身份证号已在其他党组织登记。"
        "为保护党员信息，本账号今日不能再登记身份证号，已通知上级党组织；"
        "如需继续办理，请联系上级组织部门"
    )


def in_scope_message(code: str, name: str) -> str:
    return f"该身份证号已登记为党员{name}（党员编号 {code}）"


def _counted(by: Any) -> bool:
    """Only accounts with a limited scope get answers about members they cannot see."""
    return getattr(by, "pk", None) is not None and scope_paths(by) is not None


def _since_midnight() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))


def answers_today(user: Any) -> int:
    """Duplicate answers given to `user` today, those still waiting to be saved included."""
    stored = IdNumberProbe.objects.filter(
        user=user, refused=False, answered_at__gte=_since_midnight()
    ).count()
    waiting = [p for p in held(IdNumberProbe) if p.user_id == user.pk and not p.refused]
    return stored + len(waiting)


def remaining_answers(by: Any) -> int:
    """How many more duplicate answers `by` may get today (unlimited: a large number)."""
    if not _counted(by):
        return sys.maxsize
    return duplicate_limit() - answers_today(by)


def _log(by: Any, org: Org | None, digest: str, *, refused: bool = False) -> None:
    keep(
        IdNumberProbe(
            user=by, org=org, id_number_hmac=digest, refused=refused, via=current_via()[:250]
        )
    )


def refuse_over_limit(*, by: Any, org: Org | None, digest: str, field: str = "id_number") -> None:
    """Refuse every ID-number check of an account that had the day's limit of answers
    (whether or not this number is on file, so the refusal itself reveals nothing).

    Side effects: a refused `IdNumberProbe` row (one per request or import), and once a
    day a notice to the officers and admins of the org above the account's org.
    """
    if not _counted(by) or answers_today(by) < duplicate_limit():
        return
    if not any(p.user_id == by.pk and p.refused for p in held(IdNumberProbe)):
        _log(by, org, digest, refused=True)
        keep(lambda: notify_above(by))
    raise ValidationError({field: limit_message()})


def answer_elsewhere(*, by: Any, org: Org | None, digest: str) -> str:
    """The answer for a number held by a member out of `by`'s sight; logged and counted."""
    if _counted(by):
        _log(by, org, digest)
    return ELSEWHERE


def duplicate_message(other: Any, *, by: Any, org: Org | None, digest: str) -> str:
    """What to say when `other` (a Member) already holds the number being registered."""
    if by is None or is_within_scope(by, other.org.path):
        return in_scope_message(other.code, other.name)
    return answer_elsewhere(by=by, org=org, digest=digest)


def officers_above(user: Any) -> list[Any]:
    """Active officers and admins of the nearest org above each of `user`'s posts that has
    any (the account itself excluded); one query for every level above."""
    from xianfeng.accounts.models import Post, Role

    own = list(Post.objects.filter(user=user, is_active=True).values_list("org__path", flat=True))
    above = {p[:n] for p in own for n in range(Org.steplen, len(p), Org.steplen)}
    by_path: dict[str, dict[int, Any]] = {}
    posts = Post.objects.filter(
        org__path__in=above,
        is_active=True,
        role__in=[Role.OFFICER, Role.ADMIN],
        user__is_active=True,
    ).exclude(user=user)
    for post in posts.select_related("user", "org"):
        by_path.setdefault(post.org.path, {})[post.user.pk] = post.user
    found: dict[int, Any] = {}
    for path in own:
        levels = range(len(path) - Org.steplen, 0, -Org.steplen)
        nearest = next((by_path[path[:n]] for n in levels if path[:n] in by_path), {})
        found |= nearest
    return list(found.values())


def notify_above(user: Any) -> None:
    """Tell the officers above that `user` reached the day's limit (once a day)."""
    from xianfeng.notices.domain import send_notice
    from xianfeng.notices.models import Kind

    day = timezone.localdate()
    name = getattr(user, "display_name", "") or user.username
    send_notice(
        users=officers_above(user),
        kind=Kind.SYSTEM,
        title="账号多次登记已在其他党组织登记的身份证号",
        body=(
            f"账号“{name}”（{user.username}）在 {day} 已有{duplicate_limit()}次登记的身份证号"
            "已在其他党组织登记，系统已暂停该账号当日登记身份证号。"
            "请核实是否有人借登记试探党员身份。"
        ),
        key=f"id-duplicates:{user.pk}:{day}",
    )
