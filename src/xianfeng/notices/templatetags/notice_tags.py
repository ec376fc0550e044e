"""The unread-notice badge of the navigation bar (one COUNT query per page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from xianfeng.notices.queries import unread_count

register = template.Library()


@register.inclusion_tag("notices/_nav.html", takes_context=True)
def notice_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = context.get("user")
    url = reverse("notices:inbox")
    active = request is not None and request.path.startswith(url)
    return {"unread": unread_count(user), "url": url, "active": active}
