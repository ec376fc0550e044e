"""Reads of supervision items reused by pages, the API, exports and rules (TASK-01)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xianfeng.accounts.scope import path_q

from ..models import Item


def items_for_user(user: Any) -> QuerySet[Item]:
    """The items of the orgs in the user's scope, and the items the user acts for as the
    responsible person (a member's own account holds no post)."""
    visible = path_q(user, "org__path")
    if getattr(user, "is_authenticated", False):
        visible |= Q(responsible_user=user)
    return Item.objects.filter(visible)


def get_item_for_user(user: Any, pk: Any) -> Item:
    """One item the user may see, else 404 (missing and out of scope answer alike)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    item = (
        items_for_user(user)
        .select_related("org", "reviewer_org", "responsible", "responsible_user")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("没有找到该事项，或不在您的管理范围内")
    return item
