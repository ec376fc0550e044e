"""Reads of the org tree reused by pages, API and rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q

from .models import Org


def orgs_for_user(user: Any) -> QuerySet[Org]:
    """Every org in the user's scope (PLAT-01)."""
    return Org.objects.filter(path_q(user))


def get_org_for_user(user: Any, code: str) -> Org:
    """The org with `code` if it lies in the user's scope, else 404."""
    org = orgs_for_user(user).filter(code=code).first()
    if org is None:
        raise Http404("没有找到该党组织，或不在您的管辖范围内")
    return org


def subtree(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=org.path)


def search_orgs(queryset: QuerySet[Org], text: str) -> QuerySet[Org]:
    """Search by name, code or pinyin initials (ORG-01 tree browser)."""
    text = text.strip()
    if not text:
        return queryset
    needle = text.lower()
    return queryset.filter(
        Q(name__icontains=text)
        | Q(code__iexact=text)
        | Q(code__istartswith=text)
        | Q(name_initials__contains=needle)
    )


def scope_roots(user: Any) -> QuerySet[Org]:
    """The topmost orgs of a user's scope (where the tree browser starts)."""
    from xianfeng.accounts.scope import scope_paths

    prefixes = scope_paths(user)
    if prefixes is None:
        return Org.objects.get_root_nodes()
    return Org.objects.filter(path__in=prefixes).order_by("path")


def children_with_counts(org: Org) -> list[Org]:
    """Direct children in tree order (`numchild` tells how many sub-orgs each has)."""
    return list(Org.objects.get_children(org).order_by("path"))


def ancestors(org: Org) -> QuerySet[Org]:
    return Org.objects.get_ancestors(org)


def directory(text: str, limit: int = 20) -> QuerySet[Org]:
    """Branch-level orgs anywhere (code and name only): where to send a transfer (MEM-05)."""
    from .models import MEMBER_KINDS

    base = Org.objects.filter(kind__in=MEMBER_KINDS, dissolved_on__isnull=True)
    return search_orgs(base, text).order_by("path")[:limit]


def active_on(queryset: QuerySet[Org], day: dt.date) -> QuerySet[Org]:
    return queryset.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    )


def kind_counts(org: Org) -> dict[str, int]:
    rows = subtree(org).exclude(pk=org.pk).values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}
