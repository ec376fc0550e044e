"""Importing the records that go with organizational life (PLAT-03, LIFE-04, LIFE-06):
exemptions of frail or sick members (sheet 免于参加) and the metadata of monthly lesson
materials (sheet 党课教材; the file itself travels with backups, not in spreadsheets).

Each row is matched to a stored record by its natural key and writes nothing when it
changes nothing: an exemption by member, activity, first day and 序号 (among equal ones,
in the order recorded), a material by publishing org, month, title and 序号. Members and
orgs resolve through the importing user's scope as in `orgs.importers_support`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import choice_cleaner, clean_date, clean_text, text_key
from xianfeng.orgs.importers_support import (
    NAME_NOTE,
    Sheet,
    SheetImporter,
    clean_long_text,
    member_column,
    org_column,
)

from .importers import (
    KIND_ALIASES,
    clean_month,
    clean_number,
    request_status_column,
)
from .models import Exemption, LessonMaterial, MeetingKind, RequestStatus


def _restore() -> Any:
    from . import restore  # on first use, as in `importers`

    return restore


def _number() -> Column:
    return Column(
        "number",
        "序号",
        clean_number,
        ("同日序号",),
        note="其他各列都相同的几条记录依次填1、2…；留空为1",
    )


def numbered(items: Iterable[Any], base: Callable[[Any], tuple[Any, ...]]) -> dict[tuple, Any]:
    """Items by (*base(item), n): n counts the items with an equal base in id order."""
    seen: Counter[tuple[Any, ...]] = Counter()
    found: dict[tuple[Any, ...], Any] = {}
    for item in sorted(items, key=lambda item: item.pk):
        key = base(item)
        seen[key] += 1
        found[(*key, seen[key])] = item
    return found


class _Numbered(Sheet):
    """A sheet whose rows match stored records by a natural key ending in a 序号."""

    def in_sequence(self, record: Record, key: tuple[Any, ...], stored: set) -> bool:
        if key[-1] > 1 and (*key[:-1], key[-1] - 1) not in stored:
            message = f"序号应从1起依次填写（缺少序号 {key[-1] - 1} 的相同记录）"
            return self.errors.add(record, None, self.labels["number"], message)
        return self.unique(record, key, "number")

    def write(self, record: Record, found: Any, create: Callable, change: Callable) -> Any:
        """Create the record (None) or change the fields that differ; the outcome."""
        if found is None:
            created = self.call(record, create)
            return ("error", None) if created is None else ("created", created)
        changes = self.changes(record, found)
        if not changes:
            return "unchanged", found
        changed = self.call(record, change, **changes)
        return ("error", None) if changed is None else ("updated", changed)

    def changes(self, record: Record, found: Any) -> dict[str, Any]:
        raise NotImplementedError


# --------------------------------------------------------------------------- 免于参加

EXEMPTION_COLUMNS = (
    member_column("member", "党员编号", ("身份证号", "公民身份号码", "党员编号或身份证号"), True),
    Column("name", "姓名", aliases=("党员姓名",), note=NAME_NOTE),
    Column(
        "kind",
        "免于参加的活动",
        choice_cleaner(MeetingKind.choices, aliases=KIND_ALIASES),
        ("活动类型", "免于参加"),
        note="留空为主题党日",
        choices=[str(label) for label in MeetingKind.labels],
    ),
    Column("reason", "原因", aliases=("免于参加原因", "事由"), required=True),
    Column("starts_on", "起始日期", clean_date, ("开始日期",), required=True),
    Column("ends_on", "截止日期", clean_date, ("结束日期",), note="最后一天（含）；长期的留空"),
    request_status_column(),
    _number(),
)


def _exemptions_of(member: Any) -> dict[tuple, Exemption]:
    return numbered(Exemption.objects.filter(member=member), lambda e: (e.kind, e.starts_on))


class _Exemptions(_Numbered):
    columns = EXEMPTION_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        member = self.member(record, "member", "name")
        if member is None:
            return "error"
        if not self.may_edit(member.org):
            return self.reject(record, "member", f"您对“{member.org.name}”只有查看权限")
        v["kind"] = v.get("kind") or MeetingKind.THEME_DAY
        key = (v["kind"], v["starts_on"], v.get("number") or 1)
        stored = self.stored(member, _exemptions_of)
        if not self.in_sequence(record, (member.pk, *key), {(member.pk, *k) for k in stored}):
            return "error"
        if not self.in_order(record, "starts_on", "ends_on"):
            return "error"

        def create(by: Any) -> Any:
            return _restore().restore_exemption(
                member=member,
                kind=v["kind"],
                reason=v["reason"],
                starts_on=v["starts_on"],
                ends_on=v.get("ends_on"),
                status=v.get("status") or RequestStatus.PENDING,
                by=by,
            )

        def change(by: Any, **fields: Any) -> Any:
            return _restore().change_exemption(stored[key], by=by, **fields)

        outcome, written = self.write(record, stored.get(key), create, change)
        if written is not None:
            stored[key] = written
        return outcome

    def changes(self, record: Record, found: Exemption) -> dict[str, Any]:
        v, changes = record.values, {}
        if clean_text(found.reason) != v["reason"]:
            changes["reason"] = v["reason"]
        if v.get("ends_on") and v["ends_on"] != found.ends_on:
            changes["ends_on"] = v["ends_on"]
        if v.get("status") and v["status"] != found.status:
            changes["status"] = v["status"]
        return changes


class ExemptionImporter(SheetImporter):
    kind = "exemptions"
    title = "免于参加"
    sheet_names = ("免于参加组织生活", "免参人员", "exemptions")
    columns = EXEMPTION_COLUMNS
    order = 58  # after members, before the meetings whose rosters they mark
    sheet = _Exemptions


# --------------------------------------------------------------------------- 党课教材

MATERIAL_COLUMNS = (
    org_column(label="发布组织", aliases=("发布党组织", "党组织", "组织编码")),
    Column("month", "月份", clean_month, ("教材月份", "所属月份"), required=True, text=True),
    Column("title", "题目", aliases=("教材题目", "党课教材", "标题"), required=True),
    Column("summary", "内容摘要", clean_long_text, ("摘要", "内容")),
    Column("published_on", "发布日期", clean_date, ("发布时间",), required=True),
    Column(
        "file_name",
        "原文件名",
        aliases=("课件文件名",),
        note="仅作记录：课件文件不随表格导入（随备份恢复）",
    ),
    _number(),
)


def _materials_of(org: Any) -> dict[tuple, LessonMaterial]:
    return numbered(LessonMaterial.objects.filter(org=org), lambda m: (m.month, text_key(m.title)))


class _Materials(_Numbered):
    columns = MATERIAL_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None:
            return "error"
        key = (v["month"], text_key(v["title"]), v.get("number") or 1)
        stored = self.stored(org, _materials_of)
        if not self.in_sequence(record, (org.pk, *key), {(org.pk, *k) for k in stored}):
            return "error"

        def create(by: Any) -> Any:
            from .domain import publish_material

            fields = {k: v.get(k) or "" for k in ("month", "title", "summary")}
            material = publish_material(org=org, published_on=v["published_on"], by=by, **fields)
            if v.get("file_name"):  # a record of the file backups carry
                _restore().change_material(material, by=by, file_name=v["file_name"])
            return material

        def change(by: Any, **fields: Any) -> Any:
            return _restore().change_material(stored[key], by=by, **fields)

        outcome, written = self.write(record, stored.get(key), create, change)
        if written is not None:
            stored[key] = written
        return outcome

    def changes(self, record: Record, found: LessonMaterial) -> dict[str, Any]:
        v, changes = record.values, {}
        if v.get("summary") and clean_long_text(found.summary) != v["summary"]:
            changes["summary"] = v["summary"]
        if v["published_on"] != found.published_on:
            changes["published_on"] = v["published_on"]
        if v.get("file_name") and clean_text(found.file_name) != v["file_name"]:
            changes["file_name"] = v["file_name"]
        return changes


class MaterialImporter(SheetImporter):
    kind = "materials"
    title = "党课教材"
    sheet_names = ("月送党课", "党课教材目录", "materials")
    columns = MATERIAL_COLUMNS
    order = 55  # before the meetings that use them
    sheet = _Materials
