"""Shared pieces of the JSON API's schemas: the error body, bounded numbers and paging, and
PATCH bodies that refuse `null` for fields that cannot be empty (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Field, Path, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import AfterValidator, WithJsonSchema, field_validator

MAX_ID = 2**63 - 1  # BigAutoField
FIRST_YEAR, LAST_YEAR = 1900, 2100


class Error(Schema):
    """Every error the API answers: a message, and per field its messages (422)."""

    detail: str
    errors: dict[str, list[str]] | None = None


# The errors every authenticated operation may answer; `ok` adds the success codes.
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERRORS}


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A code or username in the path: PostgreSQL refuses NUL characters in any string.
Code = Annotated[str, Path(pattern=r"^[^\x00]+$")]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, description="年度（1900–2100）")]
Month = Annotated[int, Field(ge=1, le=12)]
YearQuery = Annotated[
    int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="年度（1900–2100）")
]
MonthQuery = Annotated[int | None, Query(ge=1, le=12, description="月份（1–12）")]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
# Finite and below the column's limit (max_digits - decimal_places whole digits); signs and
# decimal places are the domain's checks, with its messages.
Money = Annotated[Decimal, Field(lt=10**10, gt=-(10**10), allow_inf_nan=False)]
Hours = Annotated[Decimal, Field(lt=10**4, gt=-(10**4), allow_inf_nan=False)]
Days = Annotated[Decimal, Field(lt=10**3, gt=-(10**3), allow_inf_nan=False)]
Area = Annotated[Decimal, Field(lt=10**7, gt=-(10**7), allow_inf_nan=False)]


def _local_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("时间不带时区，如 09:00")
    return value


# A wall-clock time "09:00" / "09:00:00": OpenAPI's `format: time` demands an offset
# (RFC 3339), which a meeting's start time has not.
ClockTime = Annotated[
    dt.time,
    AfterValidator(_local_time),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"}),
]


NUL_MESSAGE = "请求中含有不允许的控制字符（\\u0000）"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class StrictParser(Parser):
    """JSON bodies and query strings without NUL characters (which PostgreSQL cannot store
    or compare): refused with 400 instead of failing in the database."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if _has_nul(data):
            raise ValueError(NUL_MESSAGE)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        if _has_nul(result):
            raise HttpError(400, NUL_MESSAGE)
        return result


class Pagination(LimitOffsetPagination):
    """Limit/offset paging with an offset the database can hold."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=2**31 - 1)


class PatchSchema(Schema):
    """A PATCH body: fields left out stay as they are; `null` only for the fields in
    `nullable` (the others are typed `X | SkipJsonSchema[None]` so OpenAPI shows `X`)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("不能为空")
        return value
