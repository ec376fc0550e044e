"""Reads of accounts for account administration (PLAT-01)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import User
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
