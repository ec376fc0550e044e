"""Importing the lists (PLAT-03 with TASK-01, TASK-03): items typed by hand in Excel
(sheet 清单事项) and the rows of a year's duty-list template (sheet 责任清单模板).

清单事项: one row per item — org code (or full name path), kind in Chinese (问题清单、
任务清单、责任清单), title, description, deadline, the responsible member's code (or ID
number; empty: the org's secretary). New rows are created through
`supervision.domain.items.create_item`, as open items made by hand (or of the origin the
row names; an item from a finding is made from the findings, never typed). The natural key
is org + kind + title + 创建日期: a row with 创建日期 (every export has it) matches the item
of that org, kind and title created that day; a row without it (typed by hand) matches
that org's unfinished item of the same kind and title, else it is created today. So
re-importing an export, or the same hand-typed file, creates nothing. A matched row writes
nothing: where it disagrees on description, deadline or responsible person it is an error
(changes are made on the item's page: a deadline moves only by an extension). The other
columns of an export (origin, rule, period, status, counts, dates) are for reading and are
not compared: an item's status moves only through its life, never by import.

Restoring an export (issue 16, round trip): an exported row carries 事项编号 (org code,
创建日期 and the item's position among the org's items of that day, `restore.item_numbers`),
which a typed row leaves empty. Such a row matches the item of that number (then as above);
a missing one is written as it was — any status with its counts, times, accounts (by
username), finding identity, inspection (督查编号) and duty-list row — through
`restore.save_past`, which checks the state against its dates, the reviewing org and the
model's constraints. Numbers of one org and day are restored from 1 in order. Hand-typed
rows keep the rules above: they only create open items.

责任清单模板: one row per duty item of an org's template for a year — publishing org,
year, template name (optional), level (书记、班子成员、专兼职党务干部), title,
requirement, due date, 序号. The template (org, year) is created when missing; a row is
matched by org + year + level + title and writes nothing when it agrees; a new row for a
template already published is refused (publishing made the orgs' items from it).

Every org and member is resolved through the importing user's scope (`orgs`'s `Sheet`:
out of scope reads as missing); the file is all-or-nothing with every row's error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xianfeng.accounts.importers import clean_moment
from xianfeng.accounts.scope import is_within_scope
from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import choice_cleaner, clean_date, clean_int, clean_text, text_key
from xianfeng.lib.dates import today
from xianfeng.orgs.importers_support import (
    NAME_NOTE,
    Sheet,
    SheetImporter,
    clean_long_text,
    clean_year,
    member_column,
    org_column,
)

from . import permissions, restore
from .domain import items as domain
from .importers_records import Lookups
from .models import (
    UNFINISHED,
    DutyLevel,
    DutyTemplate,
    DutyTemplateItem,
    Item,
    ItemKind,
    ItemStatus,
    Origin,
)

READ_ONLY = "导出时附带，导入时不读取"

# --------------------------------------------------------------------------- 清单事项

RESTORED = "导出时附带；带事项编号的行（导出文件）按此恢复"


def clean_count(value: Any) -> int | None:
    return clean_int(value, min=0, max=9999)


ITEM_COLUMNS = (
    org_column(label="责任组织", aliases=("党组织", "党组织编码", "组织编码", "责任组织编码")),
    Column("org_name", "责任组织名称", note=READ_ONLY),
    Column(
        "kind",
        "清单类型",
        choice_cleaner(
            ItemKind.choices, aliases={"问题": "problem", "任务": "task", "责任": "duty"}
        ),
        ("类型", "清单"),
        required=True,
        choices=[str(label) for label in ItemKind.labels],
    ),
    Column("title", "标题", aliases=("事项", "问题", "事项名称"), required=True),
    Column("description", "具体内容", clean_long_text, ("内容", "问题描述", "整改要求")),
    Column(
        "origin",
        "来源",
        choice_cleaner(Origin.choices),
        ("事项来源",),
        note="留空为手工录入；检查发现的事项请从检查结果生成",
        choices=[str(label) for label in Origin.labels],
    ),
    Column("rule", "规则", aliases=("规则编号",), note=RESTORED),
    Column("finding_period", "检查期间", note=RESTORED, text=True),
    Column("finding_key", "检查发现标识", note=RESTORED, text=True),
    Column("finding_member", "涉及党员编号", note=RESTORED, text=True),
    Column("finding_cleared_on", "规则不再报告自", clean_date, note=RESTORED),
    Column("inspection", "来源督查编号", note=RESTORED, text=True),
    Column("duty_org", "责任清单发布组织", note=RESTORED, text=True),
    Column("duty_year", "责任清单年度", clean_year, note=RESTORED),
    Column("duty_title", "责任清单事项", note=RESTORED),
    Column(
        "duty_level",
        "责任层级",
        choice_cleaner(DutyLevel.choices),
        note=RESTORED,
        choices=[str(label) for label in DutyLevel.labels],
    ),
    Column("year", "年度", clean_year, note="留空为创建日期所在年度"),
    member_column("responsible", "责任人党员编号", ("责任人编号", "责任人身份证号"), False),
    Column("responsible_name", "责任人", aliases=("责任人姓名",), note=NAME_NOTE),
    Column("responsible_user", "办理账号", note=RESTORED, text=True),
    Column("reviewer_org", "验收组织", note=RESTORED, text=True),
    Column("deadline", "整改时限", clean_date, ("完成时限", "截止日期"), required=True),
    Column(
        "status",
        "状态",
        choice_cleaner(ItemStatus.choices),
        ("办理状态",),
        note="新建的事项只能是待整改；已有事项的状态不随导入改变",
        choices=[str(label) for label in ItemStatus.labels],
    ),
    Column("evidence", "整改情况", clean_long_text, note=RESTORED),
    Column("submitted_at", "提交时间", clean_moment, note=RESTORED),
    Column("submitted_by", "提交人", note=RESTORED, text=True),
    Column("returned_count", "退回次数", clean_count, note=RESTORED),
    Column("reopened_count", "回头看重新打开次数", clean_count, note=RESTORED),
    Column(
        "created_on",
        "创建日期",
        clean_date,
        ("创建时间",),
        note="导出文件带有此列，与组织、类型、标题一起识别同一事项；手工填写时可留空",
    ),
    Column("created_by", "创建人", note=RESTORED, text=True),
    Column("accepted_at", "销号时间", clean_moment, note=RESTORED),
    Column("accepted_by", "验收人", note=RESTORED, text=True),
    Column("accept_note", "验收意见", clean_long_text, note=RESTORED),
    Column(
        "number",
        "事项编号",
        aliases=("编号",),
        text=True,
        note="导出文件带有此列（责任组织编码-创建日期-序号），按此恢复事项；手工填写时留空",
    ),
)
# The restored columns of an exported row: column → look-up ("" a plain value).
RESTORED_REFS = {
    "finding_member": "member",
    "inspection": "inspection",
    "responsible_user": "user",
    "reviewer_org": "org_ro",
    "submitted_by": "user",
    "created_by": "user",
    "accepted_by": "user",
}
RESTORED_VALUES = (
    "rule",
    "finding_period",
    "finding_key",
    "finding_cleared_on",
    "duty_level",
    "evidence",
    "submitted_at",
    "returned_count",
    "reopened_count",
    "accepted_at",
    "accept_note",
)


@dataclass
class _Stored:
    """An org's items: by (kind, title key, created on), and its unfinished ones by (kind,
    title key), oldest first."""

    by_day: dict[tuple[Any, ...], Item] = field(default_factory=dict)
    unfinished: dict[tuple[Any, ...], list[Item]] = field(default_factory=lambda: defaultdict(list))

    def add(self, item: Item) -> None:
        key = (item.kind, text_key(item.title))
        self.by_day.setdefault((*key, item.created_on), item)
        if item.status in UNFINISHED:
            self.unfinished[key].append(item)


def _items_of(org: Any) -> _Stored:
    stored = _Stored()
    for item in Item.objects.filter(org=org).select_related("responsible").order_by("pk"):
        stored.add(item)
    return stored


class _Items(Lookups, Sheet):
    columns = ITEM_COLUMNS
    member_keys = ("responsible", "finding_member")
    fields = {"kind": "kind", "title": "title", "deadline": "deadline", "__all__": "title"}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        if v.get("number"):
            return self._restore(record, org)
        created_on = v.get("created_on")
        if created_on and created_on > today():
            return self.reject(record, "created_on", "创建日期不能晚于今天")
        key = (v["kind"], text_key(v["title"]))
        if not self.unique(record, (org.pk, *key, created_on), "title"):
            return "error"
        member = None
        if v.get("responsible"):
            member = self.member(record, "responsible", "responsible_name")
            if member is None:
                return "error"
        stored = self.stored(org, _items_of)
        if created_on:
            found = stored.by_day.get((*key, created_on))
        else:
            found = next(iter(stored.unfinished.get(key, [])), None)
        if found is not None:
            return self._compare(record, found, member)
        return self._create(record, org, member, stored)

    def _create(self, record: Record, org: Any, member: Any, stored: _Stored) -> str:
        v = record.values
        if v.get("status") and v["status"] != ItemStatus.OPEN:
            return self.reject(record, "status", "导入只能新建待整改的事项，其他状态须在系统中办理")
        origin = v.get("origin") or Origin.MANUAL
        if origin == Origin.FINDING:
            return self.reject(record, "origin", "检查发现的事项请在检查结果中生成，不能导入")
        try:
            with transaction.atomic():
                created = domain.create_item(
                    org,
                    kind=v["kind"],
                    title=v["title"],
                    description=v.get("description", ""),
                    deadline=v["deadline"],
                    origin=origin,
                    responsible=member.code if member is not None else "",
                    created_on=v.get("created_on"),
                    by=self.by,
                )
        except ValidationError as error:
            self.report(record, error)
            return "error"
        except PermissionDenied as error:
            return self.reject(record, "org", str(error))
        stored.add(created)
        return "created"

    # restoring an exported row ------------------------------------------------------------

    def _restore(self, record: Record, org: Any) -> str:
        """An exported row (it has 事项编号): the item as it was, whatever its state."""
        v = record.values
        ref = v["number"]
        parts = restore.split_number(ref)
        if parts is None or parts[0] != org.code or parts[1] != v.get("created_on"):
            message = "事项编号应为“责任组织编码-创建日期-序号”，与责任组织、创建日期一致"
            return self.reject(record, "number", message)
        if not self.unique(record, ("number", ref), "number"):
            return "error"
        found = self.item_by_number(ref)
        if found is not None:
            member = self.member(record, "responsible") if v.get("responsible") else None
            if v.get("responsible") and member is None:
                return "error"
            return self._compare(record, found, member)
        fields = self._restored_fields(record, org)
        if fields is None:
            return "error"
        previous = restore.number(org.code, parts[1], parts[2] - 1)
        if parts[2] > 1 and self.item_by_number(previous) is None:
            return self.reject(record, "number", "同一天的事项编号应从1起依次编号")
        item = Item(**fields)
        try:
            restore.save_past(item, by=self.by, owner=org)
        except ValidationError as error:
            self.report(record, error)
            return "error"
        except PermissionDenied as error:
            return self.reject(record, "org", str(error))
        self.remember_item(item, ref)
        return "created"

    def _restored_fields(self, record: Record, org: Any) -> dict[str, Any] | None:
        v = record.values
        fields: dict[str, Any] = {
            "org": org,
            "kind": v["kind"],
            "title": v["title"],
            "description": v.get("description") or "",
            "origin": v.get("origin") or Origin.MANUAL,
            "deadline": v["deadline"],
            "status": v.get("status") or ItemStatus.OPEN,
            "created_on": v.get("created_on"),
            "year": v.get("year") or v["created_on"].year,
        }
        for name in RESTORED_VALUES:
            value = v.get(name)
            if value not in (None, ""):
                fields[name] = value
        ok = True
        for name, kind in {"responsible": "member", **RESTORED_REFS}.items():
            fields[name] = None
            if v.get(name):
                fields[name] = self._look_up(record, kind, name)
                ok = ok and fields[name] is not None
        if v.get("duty_title"):
            fields["duty_template_item"] = self._duty_item(record)
            ok = ok and fields["duty_template_item"] is not None
        if not ok:
            return None
        fields["reviewer_org"] = fields["reviewer_org"] or domain.reviewer_of(org)
        return fields

    def _look_up(self, record: Record, kind: str, name: str) -> Any:
        if kind == "member":
            return self.member(record, name)
        if kind == "user":
            return self.user(record, name)
        if kind == "inspection":
            return self.inspection(record, name)
        return self.org(record, name, scoped=False)

    def _duty_item(self, record: Record) -> DutyTemplateItem | None:
        v = record.values
        org = self.org_by_code.get(v.get("duty_org") or "")
        rows = DutyTemplateItem.objects.filter(
            template__org=org, template__year=v.get("duty_year") or 0, title=v["duty_title"]
        )
        if v.get("duty_level"):
            rows = rows.filter(level=v["duty_level"])
        found = rows.order_by("pk").first() if org is not None else None
        if found is None or not is_within_scope(self.by, org.path):  # type: ignore[union-attr]
            return self.fail(record, "duty_title", f"找不到责任清单事项“{v['duty_title']}”")
        return found

    def _compare(self, record: Record, item: Item, member: Any) -> str:
        v = record.values
        ok = True
        if v.get("description") and clean_long_text(item.description) != v["description"]:
            ok = self.errors.add(
                record, None, self.labels["description"], _differs(item.description)
            )
        if v["deadline"] != item.deadline:
            message = f"与系统中已登记的整改时限“{item.deadline}”不一致（延期请在系统中申请）"
            ok = self.errors.add(record, None, self.labels["deadline"], message)
        if member is not None and item.responsible_id != member.pk:
            shown = item.responsible.code if item.responsible else "（空）"
            ok = self.errors.add(record, None, self.labels["responsible"], _differs(shown))
        return "unchanged" if ok else "error"


def _differs(stored: Any) -> str:
    shown = clean_text(stored) or "（空）"
    return f"与系统中已登记的“{shown}”不一致（修改请在页面上办理）"


class ItemImporter(SheetImporter):
    kind = "supervision_items"
    title = "清单事项"
    sheet_names = ("问题清单", "任务清单", "supervision_items")
    columns = ITEM_COLUMNS
    order = 93  # after members and accounts (the responsible person's account)
    sheet = _Items


# --------------------------------------------------------------------------- 责任清单模板


def clean_order(value: Any) -> int | None:
    return clean_int(value, min=0, max=9999)


DUTY_COLUMNS = (
    org_column(label="发布组织", aliases=("发布党组织", "党组织", "组织编码")),
    Column("year", "年度", clean_year, ("责任清单年度",), required=True),
    Column(
        "template_title", "模板名称", aliases=("清单名称",), note="留空为“某年度党建工作责任清单”"
    ),
    Column(
        "level",
        "责任层级",
        choice_cleaner(DutyLevel.choices, aliases={"党组织书记": "secretary", "党务干部": "staff"}),
        ("层级", "责任主体"),
        required=True,
        choices=[str(label) for label in DutyLevel.labels],
    ),
    Column("title", "责任事项", aliases=("事项",), required=True),
    Column("description", "具体要求", clean_long_text, ("要求", "内容")),
    Column("due", "完成时限", clean_date, ("截止日期",), required=True),
    Column("order", "序号", clean_order, ("排序",)),
    Column("published_at", "发布时间", clean_moment, note=RESTORED),
    Column("created_by", "创建人", note=RESTORED, text=True),
)


def default_template_title(year: int) -> str:
    return f"{year}年度党建工作责任清单"


class _Duties(Lookups, Sheet):
    columns = DUTY_COLUMNS
    fields = {"title": "title", "due": "due", "level": "level", "description": "description"}

    def __init__(self, errors: Any, by: Any):
        super().__init__(errors, by)
        self.templates: dict[tuple[int, int], DutyTemplate | None] = {}
        self.template_items: dict[int, dict[tuple[str, str], DutyTemplateItem]] = {}

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        year = v["year"]
        if v["due"].year != year:
            return self.reject(record, "due", f"完成时限应在{year}年内")
        key = (v["level"], text_key(v["title"]))
        if not self.unique(record, (org.pk, year, *key), "title"):
            return "error"
        template = self._template(org, year)
        wanted = v.get("template_title") or ""
        if template is not None and wanted and text_key(wanted) != text_key(template.title):
            return self.reject(record, "template_title", _differs(template.title))
        found = self._items(template).get(key) if template is not None else None
        if found is not None:
            return self._compare(record, found)
        restoring = template is not None and v.get("published_at") == template.published_at
        if template is not None and template.published_at is not None and not restoring:
            message = "该年度责任清单已发布，不能再导入新的责任事项"
            return self.reject(record, "title", message)
        if template is None:
            template = self._create_template(record, org, year, wanted)
            if template is None:
                return "error"
        created = self._create_item(record, template)
        if created is None:
            return "error"
        self._items(template)[key] = created
        return "created"

    def _template(self, org: Any, year: int) -> DutyTemplate | None:
        if (org.pk, year) not in self.templates:
            found = DutyTemplate.objects.filter(org=org, year=year).first()
            self.templates[(org.pk, year)] = found
        return self.templates[(org.pk, year)]

    def _items(self, template: DutyTemplate) -> dict[tuple[str, str], DutyTemplateItem]:
        if template.pk not in self.template_items:
            rows = DutyTemplateItem.objects.filter(template=template).order_by("pk")
            self.template_items[template.pk] = {(i.level, text_key(i.title)): i for i in rows}
        return self.template_items[template.pk]

    def _create_template(self, record: Record, org: Any, year: int, title: str) -> Any:
        if not permissions.may_manage(self.by, org):
            return self.fail(record, "org", f"您对“{org.name}”只有查看权限")
        v = record.values
        creator = self.by
        if v.get("created_by"):
            creator = self.user(record, "created_by")
            if creator is None:
                return None
        elif v.get("published_at"):  # an exported row: its creator was not recorded
            creator = None
        template = DutyTemplate(
            org=org,
            year=year,
            title=title or default_template_title(year),
            published_at=v.get("published_at"),
            created_by=creator,
        )
        if not self._saved(record, template):
            return None
        self.templates[(org.pk, year)] = template
        return template

    def _create_item(self, record: Record, template: DutyTemplate) -> Any:
        v = record.values
        item = DutyTemplateItem(
            template=template,
            level=v["level"],
            title=v["title"],
            description=v.get("description", ""),
            due=v["due"],
            order=v.get("order") or 0,
        )
        return item if self._saved(record, item) else None

    def _saved(self, record: Record, instance: Any) -> bool:
        try:
            instance.full_clean()
        except ValidationError as error:
            self.report(record, error)
            return False
        domain.save(instance, self.by)
        return True

    def _compare(self, record: Record, item: DutyTemplateItem) -> str:
        v = record.values
        ok = True
        if v.get("description") and clean_long_text(item.description) != v["description"]:
            ok = self.errors.add(
                record, None, self.labels["description"], _differs(item.description)
            )
        if v["due"] != item.due:
            ok = self.errors.add(record, None, self.labels["due"], _differs(item.due))
        if v.get("order") not in (None, item.order):
            ok = self.errors.add(record, None, self.labels["order"], _differs(item.order))
        return "unchanged" if ok else "error"


class DutyTemplateImporter(SheetImporter):
    kind = "duty_templates"
    title = "责任清单模板"
    sheet_names = ("责任清单", "三级责任清单", "duty_templates")
    columns = DUTY_COLUMNS
    order = 92  # before the items (duty items made from a template refer to its rows)
    sheet = _Duties
