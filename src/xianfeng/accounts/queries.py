"""Reads of accounts for account administration (PLAT-01)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Post, Role, User
from .scope import path_q


def users_for_user(user: Any) -> QuerySet[User]:
    """Accounts with an active post or a linked member inside the user's scope."""
    query = Q(posts__is_active=True) & path_q(user, "posts__org__path")
    query |= Q(member__isnull=False) & path_q(user, "member__org__path")
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(query).distinct()


def get_account_for_user(user: Any, username: str) -> User:
    account = users_for_user(user).filter(username=username).first()
    if account is None:
        raise Http404("没有找到该账号，或不在您的管理范围内")
    return account


def officers_in_charge(paths: Iterable[str]) -> dict[str, list[int]]:
    """Who looks after each org (by materialized path): the active users holding an active
    admin or officer post at the org itself; where it has none (a party group, a branch
    without accounts), those of the nearest org above it that has some. One query.

    Returns sorted user ids per path; an org with nobody in charge above it maps to [].
    """
    org_model: Any = Post._meta.get_field("org").related_model  # orgs.Org, not imported here
    step = org_model.steplen
    chains = {path: [path[:end] for end in range(step, len(path) + 1, step)] for path in paths}
    if not chains:
        return {}
    posts = Post.objects.filter(
        org__path__in={p for chain in chains.values() for p in chain},
        is_active=True,
        user__is_active=True,
        role__in=[Role.ADMIN, Role.OFFICER],
    ).values_list("org__path", "user_id")
    users: dict[str, set[int]] = defaultdict(set)
    for path, user_id in posts:
        users[path].add(user_id)
    found: dict[str, list[int]] = {}
    for path, chain in chains.items():
        nearest = next((p for p in reversed(chain) if users.get(p)), None)
        found[path] = sorted(users[nearest]) if nearest else []
    return found
