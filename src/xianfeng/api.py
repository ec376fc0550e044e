"""The JSON API (django-ninja): scoped exactly like the pages (PLAT-01).

Browser: the session cookie (with CSRF). Scripts: `Authorization: Bearer <key>` with a key
from the account page. OpenAPI at /api/openapi.json, docs at /api/docs (served locally).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.operation import PathView
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer

from xianfeng.accounts.domain import user_for_api_key
from xianfeng.core.actor import set_actor_user
from xianfeng.core.logs import note_denial
from xianfeng.lib.api import NUL_MESSAGE, StrictParser
from xianfeng.lib.cipher import IdKeyMismatch

logger = logging.getLogger(__name__)

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
    parser=StrictParser(),
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


# Pydantic error types → a short Chinese message (the rest keep pydantic's English text).
_SCHEMA_MESSAGES = {
    "missing": "必填",
    "enum": "取值无效，可选：{expected}",
    "literal_error": "取值无效，可选：{expected}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为字符串",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "decimal_whole_digits": "整数部分位数过多",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "time_parsing": "应为时间（HH:MM）",
    "time_type": "应为时间（HH:MM）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "string_too_long": "不能超过 {max_length} 个字符",
    "value_error": "{error}",
}


def _schema_message(error: dict[str, Any]) -> str:
    template = _SCHEMA_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", "取值无效"))
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context).removeprefix("Value error, ")
    except (KeyError, IndexError):
        return str(error.get("msg", "取值无效"))


def _schema_field(loc: Any) -> str:
    """("body", "payload", "status", 0) → "status"; ("query", "year") → "year"."""
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in {"body", "query", "path"} else []
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # the view's argument name
    return parts[0] if parts else "__all__"


@api.exception_handler(SchemaError)
def on_schema_error(request: HttpRequest, exc: SchemaError):  # type: ignore[no-untyped-def]
    """Ninja's own 422 (types, enums, bounds) in the same shape as the domain's."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_schema_field(error.get("loc", ())), []).append(_schema_message(error))
    return api.create_response(request, {"detail": "数据校验未通过", "errors": errors}, status=422)


def _http_detail(exc: HttpError) -> str:
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        return NUL_MESSAGE if str(exc.__cause__) == NUL_MESSAGE else "请求体不是有效的 JSON"
    if exc.status_code == 401:
        return "未登录或令牌无效"
    return message


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):  # type: ignore[no-untyped-def]
    """Ninja's own errors (unparsable body, 401, ...) in the API's shape and language."""
    return api.create_response(request, {"detail": _http_detail(exc)}, status=exc.status_code)


@api.exception_handler(IdKeyMismatch)
def on_key_mismatch(request: HttpRequest, exc: IdKeyMismatch):  # type: ignore[no-untyped-def]
    """The keys do not fit the database (restored without them): say so, one log line."""
    logger.error("ID keys do not fit the database: %s %s", request.method, request.path)
    return api.create_response(request, {"detail": str(exc)}, status=503)


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception):  # type: ignore[no-untyped-def]
    """Anything unexpected: logged with its traceback, answered as JSON (never HTML)."""
    logger.error("API error: %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "服务器内部错误"}, status=500)


def _not_allowed(self: PathView) -> HttpResponse:
    """A method the path does not take: 405 in the API's error shape (JSON, Chinese), with
    the Allow header (django-ninja answers plain text)."""
    allowed = sorted({method for operation in self.operations for method in operation.methods})
    body = {"detail": f"该接口不支持此请求方法，可用的方法：{'、'.join(allowed)}"}
    response = JsonResponse(body, status=405, json_dumps_params={"ensure_ascii": False})
    response["Allow"] = ", ".join(allowed)
    return response


PathView._not_allowed = _not_allowed  # type: ignore[method-assign]

# Last in the URL list: any other path under /api/ answers a JSON 404.
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, path: str):  # type: ignore[no-untyped-def]
    raise Http404("没有这个接口")


def _register_routers() -> None:
    from xianfeng.accounts.api import router as accounts_router
    from xianfeng.compliance.api import router as compliance_router
    from xianfeng.dues.api import router as dues_router
    from xianfeng.members.api import router as members_router
    from xianfeng.members.api import transfers_router
    from xianfeng.notices.api import router as notices_router
    from xianfeng.orglife.api import router as orglife_router
    from xianfeng.orgs.api import router as orgs_router
    from xianfeng.recruitment.api import router as recruitment_router
    from xianfeng.study.api import router as study_router
    from xianfeng.supervision.api import router as supervision_router

    api.add_router("/orgs", orgs_router)
    api.add_router("/members", members_router)
    api.add_router("/transfers", transfers_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/notices", notices_router)
    api.add_router("/orglife", orglife_router)
    api.add_router("/study", study_router)
    api.add_router("/findings", compliance_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/recruitment", recruitment_router)
    api.add_router("/dues", dues_router)
    api.add_router("", _fallback)


_register_routers()
