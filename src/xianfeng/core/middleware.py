from collections.abc import Callable

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
