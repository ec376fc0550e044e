"""The org-subtree scope of a user (PLAT-01).

The scope is the union of the subtrees of the orgs of the user's active posts,
expressed as materialized-path prefixes; superusers (and the command line) see all.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from .models import Post, Role

_ROLE_RANK: dict[str, int] = {Role.VIEWER: 1, Role.OFFICER: 2, Role.ADMIN: 3}


def _minimal_prefixes(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter prefix."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def _active_posts(user: Any) -> list[tuple[str, str]]:
    cached = getattr(user, "_xf_posts", None)
    if cached is None:
        cached = list(
            Post.objects.filter(user=user, is_active=True).values_list("org__path", "role")
        )
        user._xf_posts = cached
    return cached


def active_posts(user: Any) -> list[tuple[str, str]]:
    """(org path, role) of the user's active posts, read once per request and user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(_active_posts(user))


def scope_paths(user: Any) -> list[str] | None:
    """Path prefixes of the user's scope; None means everything."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return _minimal_prefixes([path for path, _role in _active_posts(user)])


def path_q(user: Any, field: str = "path") -> Q:
    """A Q that keeps rows whose org path (`field`) lies in the user's scope."""
    prefixes = scope_paths(user)
    if prefixes is None:
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    query = Q()
    for prefix in prefixes:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def has_any_post(user: Any) -> bool:
    return scope_paths(user) != []


def may_write_somewhere(user: Any) -> bool:
    """Whether the user is a superuser or holds an active admin or officer post anywhere
    (who may start an import)."""
    return (
        user.is_superuser
        or Post.objects.filter(
            user=user, is_active=True, role__in=[Role.ADMIN, Role.OFFICER]
        ).exists()
    )


def role_at(user: Any, org: Any) -> str | None:
    """The strongest role of the user's posts that cover `org` (None if none)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Role.ADMIN
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    best: str | None = None
    for path, role in _active_posts(user):
        if org.path.startswith(path) and (best is None or _ROLE_RANK[role] > _ROLE_RANK[best]):
            best = role
    return best


def forget_scope(user: Any) -> None:
    """Drop the cached posts (after posts change in the same request)."""
    if hasattr(user, "_xf_posts"):
        del user._xf_posts


# --- references inside writes (ids and codes in form fields, API bodies, import rows) -----


def reference_error(field: str, label: str, value: object) -> ValidationError:
    """The one answer for a reference that does not exist *or* lies outside the actor's
    reach: both read the same, so a write reveals nothing of what exists elsewhere."""
    return ValidationError({field: f"没有找到{label}“{value}”"})


def is_within_scope(user: Any, path: str) -> bool:
    """Whether an org path lies in the user's scope; `user` None is the command line."""
    if user is None:
        return True
    prefixes = scope_paths(user)
    return prefixes is None or any(path.startswith(prefix) for prefix in prefixes)


def is_on_line(path: str, org_path: str) -> bool:
    """Whether `path` is `org_path` itself, an org above it or an org below it."""
    return path.startswith(org_path) or org_path.startswith(path)


def require_reference(
    by: Any, path: str, *, field: str, label: str, value: object, allowed: bool = True
) -> None:
    """Refuse a reference (to an object at org `path`) that is outside `by`'s scope or
    breaks the domain's own invariant (`allowed` False) — with `reference_error`."""
    if not allowed or not is_within_scope(by, path):
        raise reference_error(field, label, value)


def resolve_reference(
    queryset: Any,
    by: Any,
    *,
    field: str,
    label: str,
    value: object,
    path_field: str = "org__path",
    **lookup: Any,
) -> Any:
    """The one object of `queryset` matching `lookup` inside `by`'s scope, else
    `reference_error` — a missing object and one out of reach answer alike."""
    if by is not None:
        queryset = queryset.filter(path_q(by, path_field))
    found = queryset.filter(**lookup).first()
    if found is None:
        raise reference_error(field, label, value)
    return found
