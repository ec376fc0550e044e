"""Import sheets restoring supervision records from an export (issue 16, round trip): the
items' timelines (办理记录), extensions (延期申请) and file metadata (事项附件),
re-inspections (回头看), inspections (督查) with their targets (督查对象) and notices
(督查通报), the supervision calendar (督查日历), quarterly progress reports (季度推进),
secretary-led projects (书记领办项目), admonitions (约谈) and adjustment proposals
(调整建议), and the secretaries' duty reports (述职评议).

Every sheet is one `_Records` sheet: its columns are the model's fields (references by
natural keys: org code, member code, account username, an item's or inspection's number
from `restore`), a natural key finds the stored row — a row matching one writes nothing
when it agrees and is an error where it differs (changes are made on the pages) — and a
new row is written through `restore.save_past`. Orgs, members and accounts are resolved
through the importing user's scope (out of scope reads as missing), the org owning the
row must be one the user manages, and the file is all-or-nothing with every row's error.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from xianfeng.accounts.importers import clean_moment
from xianfeng.accounts.models import Post, User
from xianfeng.accounts.scope import is_on_line, is_within_scope, scope_paths
from xianfeng.core.importing import CellError, Column, Record
from xianfeng.lib.cells import (
    choice_cleaner,
    clean_bool,
    clean_date,
    clean_decimal,
    clean_int,
    clean_text,
)
from xianfeng.members.models import Member
from xianfeng.orgs.importers_support import Sheet, SheetImporter, clean_long_text, clean_year

from . import restore
from .models import (
    AdjustmentProposal,
    Admonition,
    CalendarEntry,
    DutyReport,
    Extension,
    Inspection,
    InspectionNotice,
    InspectionTarget,
    Item,
    ItemFile,
    ProgressReport,
    Project,
    Reinspection,
    Step,
)

LIST_SEPARATOR = "、"

# --------------------------------------------------------------------------- cells


def clean_count(value: Any) -> int | None:
    return clean_int(value, min=0, max=10**9)


def clean_seed(value: Any) -> int | None:
    return clean_int(value, min=-(2**63), max=2**63 - 1)


def clean_share(value: Any) -> Any:
    return clean_decimal(value, places=3)


def clean_json(value: Any) -> Any:
    """A JSON cell (节点安排, 评议结果) as an export writes it."""
    text = value if isinstance(value, str) else clean_text(value)
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise CellError("应为导出文件中的JSON格式") from None


def clean_list(value: Any) -> list[str]:
    """Codes or numbers separated by 、 (or commas)."""
    text = clean_text(value).replace(",", LIST_SEPARATOR).replace("，", LIST_SEPARATOR)
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def choices(model_choices: Any) -> Callable[[Any], Any]:
    return choice_cleaner(model_choices.choices)


def labels(model_choices: Any) -> list[str]:
    return [str(label) for label in model_choices.labels]


def org_ref(key: str, label: str) -> Column:
    return Column(key, label, required=key == "org", text=True)


def user_ref(key: str, label: str) -> Column:
    return Column(key, label, note="填用户名；可留空", text=True)


def moment_column(key: str, label: str) -> Column:
    return Column(key, label, clean_moment, note="北京时间，如“2025-06-30 08:30:00”")


# --------------------------------------------------------------------------- look-ups


class Lookups:
    """Look-ups every restore sheet shares (mixed into a `Sheet`): accounts by username,
    items and inspections by their numbers, each inside the importing user's scope."""

    by: Any
    cache: dict[Any, Any]

    fail: Callable[..., Any]  # from Sheet

    def user(self, record: Record, key: str) -> Any:
        """The account a cell names by username: the importing user or an account with a
        post in their scope (others read as missing)."""
        ref = record.values[key]
        if "users" not in self.cache:
            self.cache["users"] = {u.username: u for u in User.objects.all()}
            self.cache["user_paths"] = {}
        user = self.cache["users"].get(ref)
        if user is None or not self._user_in_scope(user):
            return self.fail(record, key, f"找不到用户名为“{ref}”的账号")
        return user

    def _user_in_scope(self, user: Any) -> bool:
        """An account with a post, or linked to a member, on the line of the user's scope
        (an officer above who accepted an item reads as in sight)."""
        prefixes = None if self.by is None else scope_paths(self.by)
        if prefixes is None or user.pk == self.by.pk:
            return True
        paths = self.cache["user_paths"]
        if user.pk not in paths:
            paths[user.pk] = list(
                Post.objects.filter(user=user).values_list("org__path", flat=True)
            )
            if user.member_id is not None:
                paths[user.pk] += Member.objects.filter(pk=user.member_id).values_list(
                    "org__path", flat=True
                )
        return any(is_on_line(path, prefix) for path in paths[user.pk] for prefix in prefixes)

    def item(self, record: Record, key: str) -> Item | None:
        found = self.item_by_number(record.values[key])
        if found is None:
            return self.fail(record, key, f"找不到事项编号为“{record.values[key]}”的清单事项")
        return found

    def item_by_number(self, ref: str) -> Item | None:
        if "items" not in self.cache:
            numbers = restore.item_numbers()
            items = Item.objects.select_related("org").in_bulk(list(numbers))
            self.cache["items"] = {numbers[pk]: item for pk, item in items.items()}
        found = self.cache["items"].get(ref)
        if found is None or not is_within_scope(self.by, found.org.path):
            return None
        return found

    def remember_item(self, item: Item, ref: str) -> None:
        self.item_by_number(ref)  # loads the map
        self.cache["items"][ref] = item

    def inspection(self, record: Record, key: str) -> Inspection | None:
        ref = record.values[key]
        if "inspections" not in self.cache:
            numbers = restore.inspection_numbers()
            found = Inspection.objects.select_related("org").in_bulk(list(numbers))
            self.cache["inspections"] = {numbers[pk]: i for pk, i in found.items()}
        inspection = self.cache["inspections"].get(ref)
        if inspection is None or not is_within_scope(self.by, inspection.org.path):
            return self.fail(record, key, f"找不到督查编号为“{ref}”的督查")
        return inspection


# --------------------------------------------------------------------------- the sheet


class _Records(Lookups, Sheet):
    """One restore sheet: `model`, its columns keyed by field name, `refs` (column key →
    "org" the owning org, "org_ro" an org read, "member", "user", "item", "inspection"),
    `key` (the natural key's fields) and `skip` (columns only read by a person)."""

    model: type[models.Model]
    refs: dict[str, str] = {}
    key: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    at: str = ""  # the recorded time set after creation (auto_now_add), when carried

    def one(self, record: Record) -> str:
        fields = self.resolve(record)
        if fields is None:
            return "error"
        extra = self.prepare(record, fields)
        if extra is None:
            return "error"
        at = fields.pop(self.at, None) if self.at else None
        instance = self.model(**fields)
        key = tuple(self.natural(instance, name) for name in self.key)
        if not self.unique(record, key, self.key[-1]):
            return "error"
        stored = self.stored_rows()
        found = stored.get(key)
        if found is not None:
            return self.compare(record, found, fields)
        owner = fields.get("org") or self.owner(fields)
        try:
            saved = restore.save_past(instance, by=self.by, owner=owner, at=at, **extra)
        except ValidationError as error:
            self.report(record, error)
            return "error"
        except PermissionDenied as error:
            return self.reject(record, "org", str(error))
        stored[key] = saved
        return "created"

    def owner(self, fields: dict[str, Any]) -> Any:
        """The org a row without an `org` column belongs to."""
        raise NotImplementedError

    def prepare(self, record: Record, fields: dict[str, Any]) -> dict[str, Any] | None:
        """Extra keywords for `save_past` (None: the row is refused)."""
        return {}

    def resolve(self, record: Record) -> dict[str, Any] | None:
        v = record.values
        fields: dict[str, Any] = {}
        ok = True
        for column in self.columns:
            name = column.key
            if name in self.skip:
                continue
            value = v.get(name)
            kind = self.refs.get(name)
            if kind and value not in (None, ""):
                value = self.look_up(record, kind, name)
                ok = ok and value is not None
            elif kind:
                value = None
            elif value is None:
                field: Any = self.model._meta.get_field(name)
                if field.null:
                    value = None
                elif field.has_default():
                    continue
                else:
                    value = ""
            fields[name] = value
        return fields if ok else None

    def look_up(self, record: Record, kind: str, name: str) -> Any:
        if kind == "org":
            return self.org(record, name)
        if kind == "org_ro":
            return self.org(record, name, scoped=False)
        if kind == "member":
            return self.member(record, name)
        if kind == "user":
            return self.user(record, name)
        if kind == "item":
            return self.item(record, name)
        return self.inspection(record, name)

    @staticmethod
    def natural(instance: models.Model, name: str) -> Any:
        field: Any = instance._meta.get_field(name)
        return getattr(instance, field.attname)

    def stored_rows(self) -> dict[tuple[Any, ...], Any]:
        if "rows" not in self.cache:
            rows = self.model._base_manager.order_by("pk")
            self.cache["rows"] = {
                tuple(self.natural(row, name) for name in self.key): row for row in rows
            }
        return self.cache["rows"]

    def compare(self, record: Record, found: Any, fields: dict[str, Any]) -> str:
        ok = True
        for name, value in fields.items():
            if name in self.key or value in (None, ""):
                continue
            stored = getattr(found, name)
            if isinstance(value, models.Model):
                same = stored is not None and stored.pk == value.pk
                shown = getattr(stored, "code", None) or getattr(stored, "username", stored)
            else:
                if isinstance(value, str):
                    stored = clean_long_text(stored) if "\n" in value else clean_text(stored)
                same, shown = stored == value, stored
            if not same:
                message = (
                    f"与系统中已登记的“{shown if shown not in (None, '') else '（空）'}”不一致"
                )
                ok = self.errors.add(
                    record, None, self.labels[name], message + "（修改请在页面上办理）"
                )
        return "unchanged" if ok else "error"


def _importer(sheet: type[_Records], kind: str, title: str, order: int, *names: str) -> Any:
    return type(
        f"{sheet.__name__.strip('_')}Importer",
        (SheetImporter,),
        {
            "kind": kind,
            "title": title,
            "sheet_names": (*names, kind),
            "columns": sheet.columns,
            "order": order,
            "sheet": sheet,
            "__module__": __name__,
        },
    )


ITEM_NUMBER = Column("item", "事项编号", required=True, text=True, note="导出文件中的事项编号")
INSPECTION_NUMBER = "督查编号"

# --------------------------------------------------------------------------- the items' records

STEP_COLUMNS = (
    ITEM_NUMBER,
    Column("action", "操作", choices(Step.Action), required=True, choices=labels(Step.Action)),
    Column("note", "说明", clean_long_text),
    user_ref("by", "操作人"),
    moment_column("at", "时间"),
)


class _Steps(_Records):
    """An item's timeline: steps are a multiset (the same step twice is two rows)."""

    model = Step
    columns = STEP_COLUMNS
    refs = {"item": "item", "by": "user"}
    key = ("item", "action", "note", "by", "at")
    at = "at"

    def one(self, record: Record) -> str:
        fields = self.resolve(record)
        if fields is None:
            return "error"
        item = fields["item"]
        pool = self.pool(item)
        key = (fields["action"], fields["note"], getattr(fields["by"], "pk", None), fields["at"])
        if pool[key] > 0:
            pool[key] -= 1
            return "unchanged"
        at = fields.pop("at")
        try:
            restore.save_past(Step(**fields), by=self.by, owner=item.org, at=at)
        except ValidationError as error:
            self.report(record, error)
            return "error"
        except PermissionDenied as error:
            return self.reject(record, "item", str(error))
        return "created"

    def pool(self, item: Item) -> Counter[tuple[Any, ...]]:
        """The stored steps of `item` not yet matched by a row (every item's, one query)."""
        if "pools" not in self.cache:
            pools: dict[int, Counter[tuple[Any, ...]]] = {}
            rows = Step.objects.values_list("item", "action", "note", "by", "at")
            for pk, *step in rows.iterator(chunk_size=5000):
                pools.setdefault(pk, Counter())[tuple(step)] += 1
            self.cache["pools"] = pools
        return self.cache["pools"].setdefault(item.pk, Counter())


EXTENSION_COLUMNS = (
    ITEM_NUMBER,
    Column("deadline", "申请延至", clean_date, required=True),
    Column("reason", "申请理由", clean_long_text, required=True),
    user_ref("asked_by", "申请人"),
    moment_column("asked_at", "申请时间"),
    Column(
        "decision",
        "审核结果",
        choices(Extension.Decision),
        required=True,
        choices=labels(Extension.Decision),
    ),
    user_ref("decided_by", "审核人"),
    moment_column("decided_at", "审核时间"),
    Column("decision_note", "审核意见", clean_long_text),
)


class _Extensions(_Records):
    model = Extension
    columns = EXTENSION_COLUMNS
    refs = {"item": "item", "asked_by": "user", "decided_by": "user"}
    key = ("item", "deadline", "reason")
    at = "asked_at"

    def owner(self, fields: dict[str, Any]) -> Any:
        return fields["item"].org


FILE_COLUMNS = (
    ITEM_NUMBER,
    Column("name", "文件名", required=True),
    Column("size", "大小", clean_count, note="字节"),
    Column("is_evidence", "整改材料", clean_bool, choices=["是", "否"]),
    user_ref("uploaded_by", "上传人"),
    moment_column("uploaded_at", "上传时间"),
)


class _Files(_Records):
    """A file's metadata (the file itself travels in backups)."""

    model = ItemFile
    columns = FILE_COLUMNS
    refs = {"item": "item", "uploaded_by": "user"}
    key = ("item", "name", "is_evidence", "size")
    at = "uploaded_at"

    def owner(self, fields: dict[str, Any]) -> Any:
        return fields["item"].org


REINSPECTION_COLUMNS = (
    org_ref("org", "组织"),
    Column("date", "日期", clean_date, required=True),
    Column("months", "回看月数", clean_count, required=True),
    Column("share", "抽样比例", clean_share, required=True),
    Column("seed", "抽样种子", clean_seed, required=True, text=True),
    Column("sample", "抽中事项", clean_list, note="事项编号，以“、”分隔"),
    Column("reopened", "重新打开事项", clean_list, note="事项编号，以“、”分隔"),
    user_ref("by", "操作人"),
)


class _Reinspections(_Records):
    model = Reinspection
    columns = REINSPECTION_COLUMNS
    refs = {"org": "org", "by": "user"}
    key = ("org", "date", "seed")

    def prepare(self, record: Record, fields: dict[str, Any]) -> dict[str, Any] | None:
        for name in ("sample", "reopened"):
            ids = []
            for ref in fields.get(name) or []:
                item = self.item_by_number(ref)
                if item is None:
                    return self.fail(record, name, f"找不到事项编号为“{ref}”的清单事项")
                ids.append(item.pk)
            fields[name] = ids
        return {}


# --------------------------------------------------------------------------- inspections

INSPECTION_COLUMNS = (
    Column("number", INSPECTION_NUMBER, required=True, text=True, note="督查组织编码-日期-序号"),
    org_ref("org", "督查组织"),
    Column(
        "kind",
        "督查类型",
        choices(Inspection.Kind),
        required=True,
        choices=labels(Inspection.Kind),
    ),
    Column("period", "期间", required=True, text=True),
    Column("title", "名称", required=True),
    Column("date", "督查日期", clean_date, required=True),
    Column("seed", "抽样种子", clean_seed, text=True),
    Column("sampling", "抽样规则", clean_long_text),
    user_ref("created_by", "创建人"),
)


class _Inspections(_Records):
    """Inspections by number: the row's number must be the next of its org and day."""

    model = Inspection
    columns = INSPECTION_COLUMNS
    refs = {"org": "org", "created_by": "user"}
    skip = ("number",)
    key = ("org", "date", "title")

    def one(self, record: Record) -> str:
        ref = record.values["number"]
        parts = restore.split_number(ref)
        org_code, day = record.values.get("org"), record.values.get("date")
        if parts is None or parts[:2] != (org_code, day):
            return self.reject(record, "number", "督查编号应为“督查组织编码-督查日期-序号”")
        if "numbers" not in self.cache:
            self.cache["numbers"] = {
                number: pk for pk, number in restore.inspection_numbers().items()
            }
        numbers = self.cache["numbers"]
        if ref in numbers:
            found = Inspection.objects.get(pk=numbers[ref])
            fields = self.resolve(record)
            if fields is None:
                return "error"
            if not is_within_scope(self.by, found.org.path):
                return self.reject(record, "number", f"找不到督查编号为“{ref}”的督查")
            return self.compare(record, found, fields)
        if parts[2] > 1 and restore.number(*parts[:2], parts[2] - 1) not in numbers:
            return self.reject(record, "number", "同一天的督查编号应从1起依次编号")
        outcome = super().one(record)
        if outcome == "created":
            numbers[ref] = self.stored_rows()[self._key(record)].pk
        return outcome

    def _key(self, record: Record) -> tuple[Any, ...]:
        org = self.org_by_code[record.values["org"]]
        return (org.pk, record.values["date"], record.values["title"])

    def stored_rows(self) -> dict[tuple[Any, ...], Any]:
        # new rows only: the numbers find stored ones (two inspections may share a title)
        return self.cache.setdefault("rows", {})


TARGET_COLUMNS = (
    Column("inspection", INSPECTION_NUMBER, required=True, text=True),
    org_ref("org", "被督查组织"),
    Column("stratum", "抽样层"),
    Column("looked_at", "督查内容", clean_long_text),
    Column("conclusion", "督查结论", clean_long_text),
)


class _Targets(_Records):
    model = InspectionTarget
    columns = TARGET_COLUMNS
    refs = {"inspection": "inspection", "org": "org_ro"}
    key = ("inspection", "org")

    def owner(self, fields: dict[str, Any]) -> Any:
        return fields["inspection"].org

    def one(self, record: Record) -> str:
        fields = self.resolve(record)
        if fields is None:
            return "error"
        owner = fields["inspection"].org
        instance = InspectionTarget(**fields)
        key = (instance.inspection_id, instance.org_id)
        if not self.unique(record, key, "org"):
            return "error"
        found = self.stored_rows().get(key)
        if found is not None:
            return self.compare(record, found, fields)
        try:
            restore.save_past(instance, by=self.by, owner=owner)
        except ValidationError as error:
            self.report(record, error)
            return "error"
        except PermissionDenied as error:
            return self.reject(record, "inspection", str(error))
        self.stored_rows()[key] = instance
        return "created"


NOTICE_COLUMNS = (
    org_ref("org", "发文组织"),
    Column("number", "文号", required=True),
    Column("date", "发文日期", clean_date, required=True),
    Column("title", "标题", required=True),
    Column("body", "正文", clean_long_text, required=True),
    Column("inspection", INSPECTION_NUMBER, text=True),
    Column("recipients", "通报范围", clean_list, note="组织编码，以“、”分隔"),
    moment_column("published_at", "发布时间"),
    user_ref("by", "发文人"),
)


class _Notices(_Records):
    model = InspectionNotice
    columns = NOTICE_COLUMNS
    refs = {"org": "org", "inspection": "inspection", "by": "user"}
    key = ("org", "number")
    skip = ("recipients",)

    def prepare(self, record: Record, fields: dict[str, Any]) -> dict[str, Any] | None:
        orgs = []
        for code in record.values.get("recipients") or []:
            org = self.org_by_code.get(code)
            if org is None or not is_within_scope(self.by, org.path):
                return self.fail(record, "recipients", f"找不到党组织“{code}”")
            orgs.append(org)
        return {"recipients": orgs}

    def compare(self, record: Record, found: Any, fields: dict[str, Any]) -> str:
        outcome = super().compare(record, found, fields)
        wanted = set(record.values.get("recipients") or [])
        if wanted and wanted != set(found.recipients.values_list("code", flat=True)):
            self.errors.add(
                record, None, self.labels["recipients"], "与系统中已登记的通报范围不一致"
            )
            return "error"
        return outcome


# --------------------------------------------------------------------------- rhythm

CALENDAR_COLUMNS = (
    org_ref("org", "组织"),
    Column("year", "年度", clean_year, required=True),
    Column(
        "kind",
        "环节",
        choices(CalendarEntry.Kind),
        required=True,
        choices=labels(CalendarEntry.Kind),
    ),
    Column("period", "期间", required=True, text=True),
    Column("date", "日期", clean_date, required=True),
    Column("title", "事项", required=True),
    Column("done_on", "完成日期", clean_date),
)


class _Calendar(_Records):
    model = CalendarEntry
    columns = CALENDAR_COLUMNS
    refs = {"org": "org"}
    key = ("org", "kind", "period")


PROGRESS_COLUMNS = (
    org_ref("org", "组织"),
    Column("period", "季度", required=True, text=True),
    Column("work_done", "工作进展", clean_long_text, required=True),
    Column("problems", "存在问题", clean_long_text),
    Column("next_steps", "下步打算", clean_long_text),
    Column("items_closed", "本季度销号事项", clean_count),
    Column("submitted_on", "报送日期", clean_date, required=True),
    user_ref("by", "报送人"),
)


class _Progress(_Records):
    model = ProgressReport
    columns = PROGRESS_COLUMNS
    refs = {"org": "org", "by": "user"}
    key = ("org", "period")


PROJECT_COLUMNS = (
    org_ref("org", "党组织"),
    Column("secretary", "书记党员编号", required=True, text=True),
    Column("year", "年度", clean_year, required=True),
    Column("title", "项目名称", required=True),
    Column("goal", "项目目标", clean_long_text, required=True),
    Column("milestones", "节点安排", clean_json, note="导出文件中的JSON"),
    Column("result", "完成成效", clean_long_text),
    Column("completed_on", "完成日期", clean_date),
    Column("registered_on", "立项日期", clean_date, required=True),
)


class _Projects(_Records):
    model = Project
    columns = PROJECT_COLUMNS
    member_keys = ("secretary",)
    refs = {"org": "org", "secretary": "member"}
    key = ("org", "secretary", "year")


ADMONITION_COLUMNS = (
    org_ref("org", "被约谈组织"),
    Column("member", "被约谈人党员编号", required=True, text=True),
    Column("date", "约谈日期", clean_date, required=True),
    org_ref("by_org", "约谈组织"),
    Column("talker", "约谈人", required=True),
    Column("reason", "约谈事由", clean_long_text, required=True),
    Column("outcome", "约谈结果", clean_long_text),
    user_ref("recorded_by", "登记人"),
)


class _Admonitions(_Records):
    model = Admonition
    columns = ADMONITION_COLUMNS
    member_keys = ("member",)
    refs = {"org": "org", "member": "member", "by_org": "org_ro", "recorded_by": "user"}
    key = ("org", "member", "date")


PROPOSAL_COLUMNS = (
    org_ref("org", "党组织"),
    Column("member", "书记党员编号", required=True, text=True),
    Column("admonition", "引起建议的约谈日期", clean_date, required=True),
    Column("raised_on", "提出日期", clean_date, required=True),
    Column(
        "decision",
        "决定",
        choices(AdjustmentProposal.Decision),
        choices=labels(AdjustmentProposal.Decision),
    ),
    Column("decided_on", "决定日期", clean_date),
    user_ref("decided_by", "决定人"),
    Column("note", "说明", clean_long_text),
)


class _Proposals(_Records):
    """Proposals name the admonition that raised them by its day (same org and member)."""

    model = AdjustmentProposal
    columns = PROPOSAL_COLUMNS
    member_keys = ("member",)
    refs = {"org": "org", "member": "member", "decided_by": "user"}
    key = ("admonition",)

    def resolve(self, record: Record) -> dict[str, Any] | None:
        day = record.values.pop("admonition", None)
        fields = super().resolve(record)
        record.values["admonition"] = day
        if fields is None:
            return None
        talk = Admonition.objects.filter(
            org=fields["org"], member=fields["member"], date=day
        ).first()
        if talk is None:
            return self.fail(record, "admonition", f"找不到{day}对该书记的约谈")
        fields["admonition"] = talk
        return fields


DUTY_REPORT_COLUMNS = (
    org_ref("org", "党组织"),
    Column("secretary", "述职人党员编号", required=True, text=True),
    Column("year", "述职年度", clean_year, required=True),
    Column("date", "述职日期", clean_date, required=True),
    Column("summary", "述职内容", clean_long_text, required=True),
    Column("ratings", "评议结果", clean_json, note="各评价等次的人数（导出文件中的JSON）"),
    Column("result", "综合评价"),
    user_ref("recorded_by", "登记人"),
)


class _DutyReports(_Records):
    model = DutyReport
    columns = DUTY_REPORT_COLUMNS
    member_keys = ("secretary",)
    refs = {"org": "org", "secretary": "member", "recorded_by": "user"}
    key = ("org", "secretary", "year")


# --------------------------------------------------------------------------- importers

# Orders: inspections before the items (an item names its inspection), the items at 93,
# what names items after them.
InspectionImporter = _importer(_Inspections, "inspections", "督查", 92, "督查记录")
TargetImporter = _importer(_Targets, "inspection_targets", "督查对象", 92)
NoticeImporter = _importer(_Notices, "inspection_notices", "督查通报", 92)
StepImporter = _importer(_Steps, "item_steps", "办理记录", 94, "事项办理记录")
ExtensionImporter = _importer(_Extensions, "item_extensions", "延期申请", 94)
FileImporter = _importer(_Files, "item_files", "事项附件", 94)
ReinspectionImporter = _importer(_Reinspections, "reinspections", "回头看", 95)
CalendarImporter = _importer(_Calendar, "supervision_calendar", "督查日历", 95)
ProgressImporter = _importer(_Progress, "progress_reports", "季度推进", 95, "季度推进报告")
ProjectImporter = _importer(_Projects, "secretary_projects", "书记领办项目", 95)
AdmonitionImporter = _importer(_Admonitions, "admonitions", "约谈", 95, "约谈记录")
ProposalImporter = _importer(_Proposals, "adjust_proposals", "调整建议", 96)
DutyReportImporter = _importer(_DutyReports, "duty_reports", "述职评议", 96)
