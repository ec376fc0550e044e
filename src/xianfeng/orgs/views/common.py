"""What every org page shares, and other apps' pages use: htmx-aware rendering and
redirects, the breadcrumb, the editable org of a URL and the message-and-redirect after a
successful post."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from xianfeng.accounts.permissions import can_edit_org, is_org_in_scope

from ..models import Org
from ..queries import ancestors, get_org_for_user


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def page_or_fragment(request: HttpRequest, template: str, fragment: str) -> str:
    """The whole page, or only its named partial for an htmx request."""
    return f"{template}#{fragment}" if is_htmx(request) else template


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)


def breadcrumb(user: Any, org: Org) -> list[tuple[Org, bool]]:
    """The orgs above `org`, each with whether the user may open it."""
    return [(above, is_org_in_scope(user, above)) for above in ancestors(org)]


def editable_org(request: HttpRequest, code: str) -> Org:
    """The org a URL names, refused unless the user may edit it."""
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def back_to(request: HttpRequest, page: str, org: Org, text: str, query: str = "") -> HttpResponse:
    """Confirm a successful post with `text` and go back to the org's `page` (a URL name)."""
    messages.success(request, text)
    return redirect_after_post(request, reverse(page, args=[org.code]) + query)
