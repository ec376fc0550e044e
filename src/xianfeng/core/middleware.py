from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .actor import acting_as


class ActorMiddleware:
    """Records the request's user as the actor of every write (PLAT-02)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, via):
            return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer to a logged-in user (pages, API,
    downloads): they carry personal data, which no browser or proxy cache may keep.
    Static files (served by WhiteNoise before this) keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        static = request.path.startswith(settings.STATIC_URL or "/static/")
        kept = "no-store" in response.get("Cache-Control", "")  # e.g. never_cache's
        if user is not None and user.is_authenticated and not static and not kept:
            response["Cache-Control"] = "no-store"
        return response
