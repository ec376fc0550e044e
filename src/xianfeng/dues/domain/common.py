"""What the dues writes share: money and month parsing with field errors, the member
resolved in the actor's scope, the policy values, saving with the history's actor."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.accounts.scope import resolve_reference
from xianfeng.compliance.policy import Resolver, resolver
from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.orgs.models import Org

from .. import permissions

REGULATION = "中组部《关于中国共产党党费收缴、使用和管理的规定》（2008）"
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_MONEY = re.compile(r"^[+-]?(\d+)(\.(\d*))?$")


def parse_money(value: Any, field: str, label: str, *, allow_zero: bool = True) -> Decimal:
    """Yuan as a Decimal with at most two places; refuses text, negatives and more places."""
    text = str(value).strip().replace(",", "") if value is not None else ""
    if isinstance(value, float):
        text = repr(value)
    match = _MONEY.match(text)
    if not match:
        raise ValidationError({field: f"“{label}”应填金额数字（元），收到“{value}”"})
    if match[3] and len(match[3]) > 2:
        raise ValidationError({field: f"“{label}”最多保留两位小数（到分），收到“{value}”"})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: f"“{label}”应填金额数字（元），收到“{value}”"}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: f"“{label}”应大于{'或等于' if allow_zero else ''}0"})
    if amount >= Decimal("1e9"):
        raise ValidationError({field: f"“{label}”数额过大，请核对"})
    return amount.quantize(Decimal("0.01"))


def parse_month(value: Any, field: str = "month") -> dt.date:
    """A month written `2025-06` (or a date: its month) as its first day."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value or ""))
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationError({field: f"月份应写作 2025-06，收到“{value}”"})
    return dt.date(int(match[1]), int(match[2]), 1)


def month_label(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def chinese_month(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier`'s month to `later`'s month."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


_RESOLVERS: ContextVar[dict[Any, Any] | None] = ContextVar("dues_resolvers", default=None)


def policy_value(key: str, org: Org, day: dt.date | None = None) -> Any:
    day = day or today()
    kept = _RESOLVERS.get()
    if kept is None:
        return resolver(day=day).value(key, org.path)
    found = kept.get((day, key, org.path), kept)
    if found is kept:
        if day not in kept:
            kept[day] = _resolver_on(kept, day)
        found = kept[(day, key, org.path)] = kept[day].value(key, org.path)
    return found


def _resolver_on(kept: dict[Any, Any], day: dt.date) -> Resolver:
    """The policies on `day`: read once per block, then the same layers on each day."""
    read = kept.get("read")
    if read is None:
        read = kept["read"] = resolver(day=day)
        return read
    return Resolver(
        layers=read.layers, day=day, overrides=read.overrides, preferences=read.preferences
    )


@contextmanager
def policy_kept(kept: dict[Any, Any] | None = None) -> Iterator[None]:
    """Within the block the policies are read once and each value once per day and org,
    not once per write (an import's rows; the policies do not change meanwhile); `kept`
    carries what was read from one block to the next (an import's chunks)."""
    token = _RESOLVERS.set({} if kept is None else kept)
    try:
        yield
    finally:
        _RESOLVERS.reset(token)


def member_in_scope(by: Any, code: str, field: str = "member") -> Member:
    """The member with党员编号 `code` inside `by`'s scope, else the not-found answer."""
    return resolve_reference(
        Member.objects.select_related("org"),
        by,
        field=field,
        label="党员",
        value=code,
        code=str(code).strip(),
    )


def require_keep(by: Any, org: Org | None) -> None:
    if org is None or not permissions.may_keep(by, org):
        raise PermissionDenied("只有本组织或上级党组织的管理员、党务干部可以办理党费收缴")


def actor(by: Any) -> Any:
    return by if getattr(by, "pk", None) is not None else None


def save(record: Any, by: Any) -> Any:
    """Validate and save with the history's actor."""
    if actor(by) is not None:
        record._history_user = by
    record.full_clean()
    record.save()
    return record


class Refused(Exception):
    """A batch's rows refused (nothing written): (position in the batch, the error) each."""

    def __init__(self, errors: list[tuple[int, ValidationError | PermissionDenied]]):
        super().__init__(errors)
        self.errors = errors
