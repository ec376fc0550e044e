"""Exports of orgs, members and the records kept about orgs (PLAT-03), scoped to the user
and recorded (PLAT-02). Every export uses its import sheet's columns, so it re-imports."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError

from .history import current_via
from .models import ExportRecord
from .workbooks import write_rows

KINDS = {
    "orgs": "党组织",
    "members": "党员",
    "seats": "班子成员",
    "terms": "换届记录",
    "contact_points": "联系点",
    "visits": "联系点活动",
    "venues": "活动阵地",
    "staff": "党务干部",
    "budgets": "党建活动经费预算",
    "spending": "党建活动经费支出",
    "meetings": "组织生活（含出勤）",
    "study_records": "学习记录",
    "affairs": "党务公开",
}


def export(
    *, kind: str, target: Path | IO[bytes], user: Any, org: Any = None, unmasked: bool = False
) -> ExportRecord:
    """Write `kind` rows of the user's scope (or `org`'s subtree inside it) to `target`.

    `user` None is the command line (full rights). Unmasked ID numbers need the right to
    see personal identifiers.
    """
    from xianfeng.accounts.permissions import can_view_identifiers

    if kind not in KINDS:
        choices = "、".join(f"{name}（{title}）" for name, title in KINDS.items())
        raise ValidationError({"kind": f"导出内容应为 {choices}"})
    if unmasked and user is not None and not can_view_identifiers(user):
        raise PermissionDenied("您没有查看完整身份证号的权限，只能导出脱敏数据")
    if kind == "members":
        rows = _write_members(target, user, org, unmasked)
    elif kind == "meetings":
        rows = _write_meetings(target, user, org)
    elif kind == "study_records":
        from xianfeng.study.exports import write_study_records

        rows = write_study_records(target, _scoped_orgs(user, org))
    elif kind == "affairs":
        from xianfeng.orglife.exports import write_affairs

        rows = write_affairs(target, _scoped_orgs(user, org))
    else:
        rows = _write_org_records(kind, target, user, org)
    return ExportRecord.objects.create(
        kind=kind, org=org, user=user, via=current_via(), unmasked=unmasked, rows=rows
    )


def _write_members(target: Path | IO[bytes], user: Any, org: Any, unmasked: bool) -> int:
    from xianfeng.members.exports import HEADERS, TEXT_COLUMNS, member_rows
    from xianfeng.members.models import Member
    from xianfeng.members.queries import members_for_user

    members = Member.objects.all() if user is None else members_for_user(user)
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    rows = member_rows(members, unmasked=unmasked)
    return write_rows(target, KINDS["members"], HEADERS, rows, TEXT_COLUMNS)


def _scoped_orgs(user: Any, org: Any) -> Any:
    from xianfeng.orgs.models import Org
    from xianfeng.orgs.queries import orgs_for_user

    orgs = Org.objects.all() if user is None else orgs_for_user(user)
    return orgs if org is None else orgs.filter(path__startswith=org.path)


def _write_meetings(target: Path | IO[bytes], user: Any, org: Any) -> int:
    """Held meetings of the scope with their attendance: two sheets, re-importable."""
    from xianfeng.orglife.exports import write_meetings

    return write_meetings(target, _scoped_orgs(user, org))


def _write_org_records(kind: str, target: Path | IO[bytes], user: Any, org: Any) -> int:
    """Orgs, or one kind of record kept about them (seats, budgets …), of the scope."""
    from xianfeng.orgs.exports import HEADERS, RECORD_EXPORTS, TEXT_COLUMNS, org_rows
    from xianfeng.orgs.models import Org
    from xianfeng.orgs.queries import orgs_for_user

    orgs = Org.objects.all() if user is None else orgs_for_user(user)
    if org is not None:
        orgs = orgs.filter(path__startswith=org.path)
    if kind == "orgs":
        return write_rows(target, KINDS[kind], HEADERS, org_rows(orgs), TEXT_COLUMNS)
    sheet = RECORD_EXPORTS[kind]
    return write_rows(target, sheet.title, sheet.headers, sheet.rows(orgs), sheet.text_columns)
