"""Quiet logs (issue 12, problem 10): an expected denial is one line, not a traceback.

Django logs every 4xx answer on ``django.request`` at WARNING, and a PermissionDenied with
its traceback. A 403 or 404 is the scope doing its job, so the record becomes one line
with the user, the path and the reason; real errors (5xx) keep their traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

REASON_ATTRIBUTE = "_xianfeng_denial_reason"


def note_denial(request: HttpRequest, exc: BaseException) -> None:
    """Remember why a request was denied, for the one log line about it."""
    setattr(request, REASON_ATTRIBUTE, str(exc) or type(exc).__name__)


def _user(request: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return user.get_username()


def _reason(record: logging.LogRecord, request: Any) -> str:
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        return str(exc) or type(exc).__name__
    return getattr(request, REASON_ATTRIBUTE, "") or "-"


class DenialFilter(logging.Filter):
    """On ``django.request``: a 4xx record loses its traceback and names user and reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        request = getattr(record, "request", None)
        path = getattr(request, "path", "-").encode("unicode_escape").decode("ascii")
        reason = " ".join(_reason(record, request).split())
        record.msg = "%s %s user=%s reason=%s"
        record.args = (status, path, _user(request), reason)
        record.exc_info = None
        record.exc_text = None
        return True


class DenialReasonMiddleware:
    """Keeps the message of a view's PermissionDenied or Http404 for the log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if isinstance(exception, PermissionDenied | Http404):
            note_denial(request, exception)
