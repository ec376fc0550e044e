"""The JSON API (django-ninja): scoped exactly like the pages (PLAT-01).

Browser: the session cookie (with CSRF). Scripts: `Authorization: Bearer <key>` with a key
from the account page. OpenAPI at /api/openapi.json, docs at /api/docs (served locally).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer

from xianfeng.accounts.domain import user_for_api_key
from xianfeng.core.actor import set_actor_user
from xianfeng.core.logs import note_denial

# What a session or token of an account that must change its password may still reach.
_BEFORE_PASSWORD_CHANGE = {"/api/accounts/me"}


def _require_password_changed(request: HttpRequest, user: Any) -> None:
    """An account with a one-time password (new or reset) reaches nothing through the API
    until its owner has changed it on the web: a reset locks out its tokens too."""
    if user.must_change_password and request.path not in _BEFORE_PASSWORD_CHANGE:
        raise PermissionDenied("请先登录网页修改密码，修改后才能使用接口")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`; marks the request `via_token` (no credential changes)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_api_key(token)
        if user is not None:
            _require_password_changed(request, user)
            request.user = user
            request.via_token = True  # type: ignore[attr-defined]
            set_actor_user(user, "api")
        return user


class KeyHeaderAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return TokenAuth().authenticate(request, key or "")


class SessionAuth(APIKeyCookie):
    """The browser's session (with CSRF), under the same forced password change."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        _require_password_changed(request, request.user)
        return request.user


api = NinjaAPI(
    title="先锋 Xianfeng API",
    version="1",
    description="党组织、党员、组织关系转接与账号。所有数据按账号岗位的组织范围过滤。",
    auth=[TokenAuth(), KeyHeaderAuth(), SessionAuth()],
    urls_namespace="api",
)


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"detail": "数据校验未通过", "errors": _messages(exc)}, status=422
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied):  # type: ignore[no-untyped-def]
    note_denial(request, exc)
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):  # type: ignore[no-untyped-def]
    note_denial(request, exc)
    return api.create_response(request, {"detail": str(exc) or "未找到"}, status=404)


def _register_routers() -> None:
    from xianfeng.accounts.api import router as accounts_router
    from xianfeng.members.api import router as members_router
    from xianfeng.members.api import transfers_router
    from xianfeng.notices.api import router as notices_router
    from xianfeng.orglife.api import router as orglife_router
    from xianfeng.orgs.api import router as orgs_router
    from xianfeng.study.api import router as study_router

    api.add_router("/orgs", orgs_router)
    api.add_router("/members", members_router)
    api.add_router("/transfers", transfers_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/notices", notices_router)
    api.add_router("/orglife", orglife_router)
    api.add_router("/study", study_router)


_register_routers()
