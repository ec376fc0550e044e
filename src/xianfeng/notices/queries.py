"""Reads of notices: a user only ever sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from .models import Notice


def notices_for(user: Any) -> QuerySet[Notice]:
    """The user's notices, unread first, newest first within each."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notice.objects.filter(user_id=user.pk)
        .select_related("org")
        .order_by(unread.desc(), "-created_at", "-pk")
    )


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def get_notice_for_user(user: Any, pk: int) -> Notice:
    notice = Notice.objects.filter(user_id=user.pk, pk=pk).select_related("org").first()
    if notice is None:
        raise Http404("没有找到该通知")
    return notice
