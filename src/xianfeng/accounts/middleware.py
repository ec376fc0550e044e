"""Send a user who still has a one-time password to the password change page first."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """Redirect users with `must_change_password` to `accounts:password_change`.

    Static files, login, logout and the change page itself stay reachable. The API is
    left to its own authentication (`xianfeng.api`), which answers such a session or token
    with a 403 JSON error instead of a redirect. Goes after AuthenticationMiddleware (and after
    HtmxMiddleware, so that an HTMX request gets a full-page redirect, not a fragment).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._is_exempt(request.path)
        ):
            return self._redirect(request)
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        exempt = [
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            "/api/",
            settings.STATIC_URL or "/static/",
        ]
        return any(path.startswith(prefix) for prefix in exempt if prefix)

    def _redirect(self, request: HttpRequest) -> HttpResponse:
        url = reverse("accounts:password_change")
        if getattr(request, "htmx", False):  # a fragment request: send the whole page there
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
