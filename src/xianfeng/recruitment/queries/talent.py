"""Reads of the talent pool (DEV-07): an entry by id within the user's scope and the
pool of an org's subtree with filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q

from ..models import TalentEntry


def get_talent_for_user(user: Any, pk: Any) -> TalentEntry:
    """An entry of an org in the user's scope, else 404."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = 0
    found = TalentEntry.objects.filter(path_q(user, "org__path"), pk=key).select_related("org")
    entry = found.first()
    if entry is None:
        raise Http404("没有找到该人才库人员，或不在您的管理范围内")
    return entry


def talent_pool(
    org: Any,
    *,
    kind: str = "",
    status: str = "",
    tag: str = "",
    sector: str = "",
    text: str = "",
) -> QuerySet[TalentEntry]:
    """The entries of `org`'s subtree, filtered by kind, status, one tag, sector and a
    name or occupation containing `text`."""
    found = TalentEntry.objects.filter(org__path__startswith=org.path)
    if kind:
        found = found.filter(kind=kind)
    if status:
        found = found.filter(status=status)
    if sector:
        found = found.filter(sector=sector)
    if text:
        found = found.filter(Q(name__contains=text) | Q(occupation__contains=text))
    if tag:
        # JSON containment is not portable to SQLite; the tags are short lists
        ids = [pk for pk, tags in found.values_list("pk", "tags") if tag in (tags or [])]
        found = found.filter(pk__in=ids)
    return found.select_related("org").order_by("org__path", "name", "pk")
