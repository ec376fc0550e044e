"""Org endpoints (ORG-01, ORG-02): list, directory, read, counts, create, update."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import paginate
from pydantic.json_schema import SkipJsonSchema

from xianfeng.accounts.permissions import can_admin_org, can_edit_org
from xianfeng.lib.api import Code, Count, Pagination, PatchSchema, responses
from xianfeng.lib.dates import today
from xianfeng.members.queries import counts_as_of

from .. import domain
from ..models import Level, Org, OrgKind, Sector
from ..queries import (
    directory,
    get_org_for_user,
    orgs_for_user,
    parent_code,
    search_orgs,
    with_parent_code,
)
from .common import router


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    level: str
    sector: str
    unit_name: str
    unit_headcount: int | None
    region_code: str
    founded_on: dt.date | None
    dissolved_on: dt.date | None
    depth: int
    parent: str | None = None

    @staticmethod
    def resolve_parent(org: Org) -> str | None:
        return parent_code(org)


class OrgIn(Schema):
    parent: str
    code: str
    name: str
    kind: OrgKind
    level: Level
    sector: Sector | Literal[""] = ""
    unit_name: str = ""
    unit_headcount: Count | None = None
    region_code: str = ""
    founded_on: dt.date | None = None


class OrgPatch(PatchSchema):
    nullable = frozenset({"unit_headcount", "founded_on"})

    name: str | SkipJsonSchema[None] = None
    kind: OrgKind | SkipJsonSchema[None] = None
    level: Level | SkipJsonSchema[None] = None
    sector: Sector | Literal[""] | SkipJsonSchema[None] = None
    unit_name: str | SkipJsonSchema[None] = None
    unit_headcount: Count | None = None
    region_code: str | SkipJsonSchema[None] = None
    founded_on: dt.date | None = None


class CountsOut(Schema):
    org: str
    as_of: dt.date
    by_status: dict[str, int]
    by_category: dict[str, int]
    total: int


class DirectoryEntry(Schema):
    code: str
    name: str


@router.get("", response=responses({200: list[OrgOut]}))
@paginate(Pagination)
def list_orgs(  # type: ignore[no-untyped-def]
    request: HttpRequest, q: str = "", kind: OrgKind | Literal[""] = "", parent: str = ""
):
    orgs = search_orgs(orgs_for_user(request.user), q)
    if kind:
        orgs = orgs.filter(kind=kind)
    if parent:
        base = get_org_for_user(request.user, parent)
        orgs = orgs.filter(path__startswith=base.path, depth=base.depth + 1)
    return with_parent_code(orgs).order_by("path")


@router.get("/directory", response=responses({200: list[DirectoryEntry]}))
def org_directory(request: HttpRequest, q: str):  # type: ignore[no-untyped-def]
    """Branch-level orgs anywhere (code and name only), to address a transfer (MEM-05)."""
    return list(directory(q))


@router.get("/{code}", response=responses({200: OrgOut}))
def get_org(request: HttpRequest, code: Code):  # type: ignore[no-untyped-def]
    return get_org_for_user(request.user, code)


@router.get("/{code}/counts", response=responses({200: CountsOut}))
def org_counts(request: HttpRequest, code: Code, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    day = as_of or today()
    counts = counts_as_of(org, day)
    return {
        "org": org.code,
        "as_of": day,
        "by_status": counts.by_status,
        "by_category": counts.by_category,
        "total": counts.total,
    }


@router.post("", response=responses({201: OrgOut}))
def create_org(request: HttpRequest, payload: OrgIn):  # type: ignore[no-untyped-def]
    parent = get_org_for_user(request.user, payload.parent)
    if not can_admin_org(request.user, parent):
        raise PermissionDenied("只有上级组织的管理员可以新建组织")
    data = payload.dict(exclude={"parent"})
    return Status(201, domain.create_org(parent=parent, by=request.user, **data))


@router.patch("/{code}", response=responses({200: OrgOut}))
def update_org(request: HttpRequest, code: Code, payload: OrgPatch):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return domain.update_org(org=org, by=request.user, **payload.dict(exclude_unset=True))
