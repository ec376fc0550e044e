"""Importing orgs from a workbook (PLAT-03, ORG-01, ORG-02).

The parent is named by code or by its full name path ("示范市委/东县县委/青山镇党委");
parents may come later in the file than their children. New orgs are added in bulk with
their materialized paths; changed orgs go through `update_org`; unchanged rows write
nothing, so re-importing the same file changes nothing.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from django.core.exceptions import ValidationError

from xianfeng.accounts.permissions import can_admin_org, can_edit_org
from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Column, Errors, Progress, Record
from xianfeng.lib.cells import choice_cleaner, clean_date, clean_int

from .domain import EDITABLE_FIELDS, bulk_add_orgs, update_org, validate_placement
from .models import Level, Org, OrgKind, Sector, org_code_validator, region_code_validator
from .naming import full_name_paths, name_path_key, orgs_by_name_path

KIND_ALIASES = {
    "基层党委": "party_committee",
    "党委会": "party_committee",
    "党工委": "working_committee",
    "机关工委": "working_committee",
    "总支": "general_branch",
    "党总支部": "general_branch",
    "支部": "branch",
    "联合支部": "joint_branch",
    "小组": "party_group",
    "临时党支部": "temporary_org",
    "临时党委": "temporary_org",
    "行业党委": "industry_joint_org",
}
SECTOR_ALIASES = {
    "城市社区": "community",
    "社区": "community",
    "国企": "soe",
    "国有企业": "soe",
    "非公企业": "private",
    "非公有制企业": "private",
    "民营企业": "private",
    "事业": "institution",
    "医院": "hospital",
    "卫生院": "hospital",
    "学校": "school",
    "高校": "school",
}
LEVEL_ALIASES = {
    "省": "province",
    "市": "city",
    "县": "county",
    "区": "county",
    "乡镇": "town",
    "街道": "town",
    "村": "village",
    "社区": "village",
}
NEXT_LEVEL = {
    "province": "city",
    "city": "county",
    "county": "town",
    "town": "village",
    "village": "village",
    "unit": "unit",
}


def _clean_code(value: Any) -> str:
    from xianfeng.lib.cells import CellError, clean_text

    code = clean_text(value)
    if code:
        try:
            org_code_validator(code)
        except ValidationError as error:
            raise CellError(str(error.messages[0])) from None
    return code


def _clean_region(value: Any) -> str:
    from xianfeng.lib.cells import CellError, clean_text

    code = clean_text(value)
    if code:
        try:
            region_code_validator(code)
        except ValidationError as error:
            raise CellError(str(error.messages[0])) from None
    return code


def _headcount(value: Any) -> int | None:
    return clean_int(value, min=0)


COLUMNS = (
    Column(
        "code",
        "组织编码",
        _clean_code,
        ("党组织编码", "组织代码", "编码", "代码"),
        required=True,
        note="本系统内唯一、稳定的编码，字母数字及 . _ -",
        text=True,
    ),
    Column(
        "name", "组织名称", aliases=("党组织名称", "党组织全称", "名称", "组织全称"), required=True
    ),
    Column(
        "parent",
        "上级组织",
        aliases=("上级党组织", "上级组织编码", "上级党组织编码", "上级党组织名称", "上级组织名称"),
        note="填上级组织编码，或完整名称路径如“示范市委/东县县委”；顶层组织留空",
    ),
    Column(
        "kind",
        "组织类别",
        choice_cleaner(OrgKind.choices, aliases=KIND_ALIASES),
        ("党组织类别", "类别", "组织类型", "党组织类型"),
        required=True,
        choices=[str(label) for label in OrgKind.labels],
    ),
    Column(
        "level",
        "层级",
        choice_cleaner(Level.choices, aliases=LEVEL_ALIASES),
        ("组织层级", "级别"),
        note="留空时按上级组织推定",
        choices=[str(label) for label in Level.labels],
    ),
    Column(
        "sector",
        "领域",
        choice_cleaner(Sector.choices, aliases=SECTOR_ALIASES),
        ("所属领域", "单位类别", "所在单位类别"),
        choices=[str(s) for s in Sector.labels],
    ),
    Column("unit_name", "所在单位", aliases=("单位名称", "所在单位名称")),
    Column("unit_headcount", "单位人数", _headcount, ("单位职工数", "职工人数", "单位人口数")),
    Column("region_code", "行政区划代码", _clean_region, ("区划代码", "行政区划"), text=True),
    Column("founded_on", "成立日期", clean_date, ("建立日期", "成立时间", "建立党组织日期")),
    Column("dissolved_on", "撤销日期", clean_date, ("撤销时间",)),
)
_MISSING = object()


class OrgImporter:
    kind = "orgs"
    title = "党组织"
    sheet_names = ("组织", "党组织信息", "orgs")
    columns = COLUMNS
    order = 10

    def apply(
        self, records: list[Record], *, by: Any, errors: Errors, progress: Progress | None
    ) -> dict[str, int]:
        return _Applier(records, errors, by).run()

    def begin(self, *, by: Any, errors: Errors, progress: Progress | None) -> _Applier:
        return _Applier([], errors, by)


class _Applier:
    def __init__(self, records: list[Record], errors: Errors, by: Any):
        self.records, self.errors, self.by = records, errors, by
        self.existing = {o.code: o for o in Org.objects.all()}
        self.by_path = {o.path: o for o in self.existing.values()}
        self.full_name = full_name_paths(self.by_path)
        self.by_name_path = orgs_by_name_path(self.existing.values(), self.full_name)
        self.new: dict[str, Org] = {}
        self.parent_of: dict[str, Org | None] = {}

    def feed(self, records: list[Record]) -> None:
        self.records.extend(records)  # parents may come later: resolved all at once

    def finish(self) -> dict[str, int]:
        return self.run()

    def run(self) -> dict[str, int]:
        if not self._unique_codes():
            return {}
        outcomes: list[str] = []
        pending = self.records
        while pending:  # a parent may come later in the file: one pass per tree level
            deferred = [r for r in pending if self._find_parent(r) is _MISSING]
            waiting = {id(r) for r in deferred}
            for record in pending:
                if id(record) not in waiting:
                    outcomes.append(self._one(record))
            if len(deferred) == len(pending):
                outcomes += [self._one(record) for record in deferred]  # reports them
                break
            pending = deferred
        if not self.errors and self.new:
            bulk_add_orgs(orgs=list(self.new.values()), parents=self.parent_of, by=self.by)
        return {
            "created": len(self.new),
            "updated": outcomes.count("updated"),
            "unchanged": outcomes.count("unchanged"),
        }

    def _unique_codes(self) -> bool:
        seen: dict[str, int] = {}
        for record in self.records:
            code = record.values["code"]
            if code in seen:
                self.errors.add(
                    record, None, "组织编码", f"组织编码 {code} 与第 {seen[code]} 行重复"
                )
            seen.setdefault(code, record.row)
        return not self.errors

    def _find_parent(self, record: Record) -> Any:
        ref = record.values.get("parent", "")
        if not ref:
            return None
        found = (
            self.new.get(ref) or self.existing.get(ref) or self.by_name_path.get(name_path_key(ref))
        )
        if found is not None and found.pk is not None and not is_within_scope(self.by, found.path):
            return _MISSING  # an org out of the user's scope reads like one that does not exist
        return _MISSING if found is None else found

    def _resolve_parent(self, record: Record) -> tuple[bool, Org | None]:
        found = self._find_parent(record)
        if found is _MISSING:
            ref = record.values["parent"]
            return self.errors.add(
                record, None, "上级组织", f"找不到上级组织“{ref}”（请填编码或完整名称路径）"
            ), None
        return True, found

    def _one(self, record: Record) -> str:
        ok, parent = self._resolve_parent(record)
        if not ok:
            return "error"
        values = dict(record.values)
        values.pop("parent", None)
        code = values.pop("code")
        if not values.get("level"):
            values["level"] = NEXT_LEVEL.get(parent.level, "unit") if parent else "county"
        current = self.existing.get(code)
        if current is None:
            if not self._may_add(record, parent):
                return "error"
            return self._new(record, code, parent, values)
        if not is_within_scope(self.by, current.path):
            self.errors.add(record, None, "组织编码", f"组织编码 {code} 已被使用，请换一个编码")
            return "error"
        if self.by is not None and not can_edit_org(self.by, current):
            self.errors.add(record, None, "组织编码", f"您对“{current.name}”只有查看权限")
            return "error"
        return self._update(record, current, parent, values)

    def _may_add(self, record: Record, parent: Org | None) -> bool:
        """A new org goes under a parent the user administers (a new root: command line)."""
        if self.by is None or self.by.is_superuser:
            return True
        if parent is None:
            return self.errors.add(record, None, "上级组织", "新建顶层组织只能通过命令行办理")
        if parent.pk is not None and not can_admin_org(self.by, parent):
            return self.errors.add(
                record,
                None,
                "上级组织",
                f"只有“{parent.name}”（或上级组织）的管理员可以新建下级组织",
            )
        return True

    def _new(self, record: Record, code: str, parent: Org | None, values: dict) -> str:
        try:
            _validate_place(values["kind"], parent, values.get("dissolved_on"))
        except ValidationError as error:
            return self._report(record, error)
        org = Org(code=code, **{k: v for k, v in values.items() if v not in (None, "")})
        try:
            org.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
        except ValidationError as error:
            return self._report(record, error)
        self.new[code] = org
        self.parent_of[code] = parent
        prefix = self.full_name[parent.code] + "/" if parent else ""
        self.full_name[code] = prefix + org.name
        self.by_name_path[name_path_key(self.full_name[code])] = org
        return "created"

    def _update(self, record: Record, org: Org, parent: Org | None, values: dict) -> str:
        current_parent = self.by_path.get(org.path[: -Org.steplen])
        if (parent.pk if parent else None) != (current_parent.pk if current_parent else None):
            self.errors.add(
                record, None, "上级组织", "上级组织与系统中不一致：调整隶属关系请在组织页面办理"
            )
            return "error"
        changes = {
            k: v
            for k, v in values.items()
            if k in EDITABLE_FIELDS and v not in (None, "") and getattr(org, k) != v
        }
        if values.get("dissolved_on") and org.dissolved_on != values["dissolved_on"]:
            self.errors.add(record, None, "撤销日期", "撤销组织请在组织页面办理")
            return "error"
        if not changes:
            return "unchanged"
        try:
            update_org(org=org, by=self.by, **changes)
        except ValidationError as error:
            return self._report(record, error)
        return "updated"

    def _report(self, record: Record, error: ValidationError) -> str:
        labels = {c.key: c.label for c in COLUMNS}
        for field, messages in getattr(error, "message_dict", {"": error.messages}).items():
            for message in messages:
                self.errors.add(record, None, labels.get(field, field), message)
        return "error"


def _validate_place(kind: str, parent: Org | None, dissolved_on: Any) -> None:
    """`validate_placement`, except that a dissolved parent takes back a child dissolved no
    later than itself (the history an export carries: children are dissolved first)."""
    closed_on = parent.dissolved_on if parent is not None else None
    if parent is not None and closed_on and dissolved_on and dissolved_on <= closed_on:
        parent = copy(parent)
        parent.dissolved_on = None
    validate_placement(kind=kind, parent=parent)
