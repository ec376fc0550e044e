"""Writes of the yearly targets (DEV-06, seed 001 §2): an upper org sets each child's
target of a kind for a year (目标分解); the root of the tree sets its own. Only an admin or
officer of the setting org (or above) may. Setting a kind again changes its value; the
history keeps each change with its actor.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xianfeng.accounts.scope import require_reference, resolve_reference
from xianfeng.lib.dates import today
from xianfeng.orgs.models import Org, OrgKind

from ..models import Target, TargetKind
from ..permissions import may_manage
from .common import save
from .cultivation import checked_text

FIRST_YEAR = 2000
MAX_VALUE = 10_000_000


def setter_of(org: Org) -> Org:
    """The org that sets `org`'s targets: its parent; the root sets its own."""
    return Org.objects.get_parent(org) or org


def _year(value: Any) -> int:
    last = today().year + 1
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= last:
        raise ValidationError({"year": f"年度应为{FIRST_YEAR}至{last}之间的年份"})
    return value


def _value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VALUE:
        raise ValidationError({"value": f"目标数应为0至{MAX_VALUE}之间的整数"})
    return value


def target_orgs(setter: Org) -> Any:
    """The orgs whose targets `setter` sets: its children (not party groups, not
    dissolved) and, for the root, itself."""
    children = Org.objects.filter(
        path__startswith=setter.path, depth=setter.depth + 1, dissolved_on__isnull=True
    ).exclude(kind=OrgKind.PARTY_GROUP)
    if setter.is_root():
        children = children | Org.objects.filter(pk=setter.pk)
    return children.order_by("path")


def _target_org(by: Any, setter: Org, value: Any) -> Org:
    if isinstance(value, Org):
        value = value.code
    text = str(value or "").strip()
    if not text:
        raise ValidationError({"org": "请选择下级党组织"})
    return resolve_reference(
        target_orgs(setter),
        by,
        field="org",
        label="下级党组织",
        value=text,
        path_field="path",
        code=text,
    )


@transaction.atomic
def set_target(
    *, setter: Org, org: Any, year: int, kind: str, value: int, by: Any, note: str = ""
) -> Target:
    """Set the target of `kind` for `year` of `org` (a child of `setter`, or the root
    itself, by code or as an Org), creating or changing it; `by` must be an admin or
    officer of `setter` (or above)."""
    require_reference(by, setter.path, field="setter", label="党组织", value=setter.code)
    if not may_manage(by, setter):
        raise PermissionDenied("年度目标由上级党组织的管理员、党务工作者下达")
    org = _target_org(by, setter, org)
    if kind not in TargetKind.values:
        raise ValidationError({"kind": "请选择指标"})
    year, value = _year(year), _value(value)
    target = Target.objects.filter(org=org, year=year, kind=kind).first() or Target(
        org=org, year=year, kind=kind
    )
    target.value = value
    target.set_by = setter
    target.note = checked_text("note", note, "备注", limit=200, required=False)
    save(target, by)
    return target
