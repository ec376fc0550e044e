"""Endpoints of the yearly targets (DEV-06), scoped like the pages: an org's targets of a
year with their decomposition over its children, setting a child's target (the root its
own), and the targets-vs-progress table of the org's subtree."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from xianfeng.lib.api import Code, Count, Year, YearQuery, responses
from xianfeng.lib.dates import today
from xianfeng.orgs.queries import get_org_for_user

from ..domain import targets as domain
from ..models import Target
from ..permissions import may_manage
from ..queries.progress import progress_table
from ..queries.targets import decomposition

router = Router(tags=["年度目标"])
KindName = Literal["member_to_talent", "talent_activist", "talent_member", "promoted", "admissions"]


class ChildTargets(Schema):
    org: str
    name: str
    targets: dict[str, int]


class TargetsOut(Schema):
    org: str
    year: int
    targets: dict[str, int] = Field(description="本级目标")
    children: list[ChildTargets] = Field(description="下达给各下级党组织的目标")
    children_sum: dict[str, int]
    short: dict[str, int] = Field(description="下级目标之和低于本级目标的差额")


class TargetIn(Schema):
    org: str = Field(description="下级党组织的组织编码（根组织可填本组织）")
    year: Year
    kind: KindName
    value: Count
    note: str = Field("", max_length=200)


class TargetOut(Schema):
    org: str = Field(alias="org.code")
    year: int
    kind: str
    value: int
    set_by: str = Field(alias="set_by.code")
    note: str


class ProgressRowOut(Schema):
    org: str = Field(alias="code")
    name: str
    targets: dict[str, int]
    progress: dict[str, int]
    members: int
    talented: int
    talent_ratio: float | None


class ProgressOut(Schema):
    year: int
    day: str
    total: ProgressRowOut
    rows: list[ProgressRowOut]
    talent_ratio_target: float


@router.get("/orgs/{code}/targets", response=responses({200: TargetsOut}))
def list_targets(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    org = get_org_for_user(request.user, code)
    year = year or today().year
    table = decomposition(org, year)
    children = [
        {"org": row.org.code, "name": row.org.name, "targets": dict(row.values)}
        for row in table.rows
    ]
    return {
        "org": org.code,
        "year": year,
        "targets": table.own,
        "children": children,
        "children_sum": table.sums,
        "short": table.short,
    }


@router.post("/orgs/{code}/targets", response=responses({200: TargetOut}))
def set_target(request: HttpRequest, code: Code, payload: TargetIn) -> Target:
    """Set a child's target of a kind for a year (the root: its own); only an admin or
    officer of the org `code` (the org above) may."""
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied("年度目标由上级党组织的管理员、党务工作者下达")
    return domain.set_target(setter=org, by=request.user, **payload.dict())


@router.get("/orgs/{code}/progress", response=responses({200: ProgressOut}))
def target_progress(request: HttpRequest, code: Code, year: YearQuery = None):  # type: ignore[no-untyped-def]
    """Targets against progress per child org and for the org's subtree, with the talent
    ratio (DEV-06)."""
    org = get_org_for_user(request.user, code)
    table = progress_table(org, year or today().year)
    return {**table.__dict__, "day": table.day.isoformat()}
