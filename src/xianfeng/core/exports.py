"""Exports of orgs and members (PLAT-03), scoped to the user and recorded (PLAT-02)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError

from .history import current_via
from .models import ExportRecord
from .workbooks import write_rows

KINDS = {"orgs": "党组织", "members": "党员"}


def export(
    *, kind: str, target: Path | IO[bytes], user: Any, org: Any = None, unmasked: bool = False
) -> ExportRecord:
    """Write `kind` rows of the user's scope (or `org`'s subtree inside it) to `target`.

    `user` None is the command line (full rights). Unmasked ID numbers need the right to
    see personal identifiers.
    """
    from xianfeng.accounts.permissions import can_view_identifiers
    from xianfeng.members.exports import HEADERS as MEMBER_HEADERS
    from xianfeng.members.exports import TEXT_COLUMNS as MEMBER_TEXT
    from xianfeng.members.exports import member_rows
    from xianfeng.members.models import Member
    from xianfeng.members.queries import members_for_user
    from xianfeng.orgs.exports import HEADERS as ORG_HEADERS
    from xianfeng.orgs.exports import TEXT_COLUMNS as ORG_TEXT
    from xianfeng.orgs.exports import org_rows
    from xianfeng.orgs.models import Org
    from xianfeng.orgs.queries import orgs_for_user

    if kind not in KINDS:
        raise ValidationError({"kind": "导出内容应为 orgs（党组织）或 members（党员）"})
    if unmasked and user is not None and not can_view_identifiers(user):
        raise PermissionDenied("您没有查看完整身份证号的权限，只能导出脱敏数据")
    if kind == "orgs":
        orgs = Org.objects.all() if user is None else orgs_for_user(user)
        if org is not None:
            orgs = orgs.filter(path__startswith=org.path)
        rows = write_rows(target, KINDS[kind], ORG_HEADERS, org_rows(orgs), ORG_TEXT)
    else:
        members = Member.objects.all() if user is None else members_for_user(user)
        if org is not None:
            members = members.filter(org__path__startswith=org.path)
        rows = write_rows(
            target,
            KINDS[kind],
            MEMBER_HEADERS,
            member_rows(members, unmasked=unmasked),
            MEMBER_TEXT,
        )
    return ExportRecord.objects.create(
        kind=kind, org=org, user=user, via=current_via(), unmasked=unmasked, rows=rows
    )
