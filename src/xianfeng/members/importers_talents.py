"""Import sheets of dual-lead members (“双带”型党员, MEM-03), skills and talent tags
(MEM-04) and party disciplinary penalties (党纪处分), keyed by member code (or ID number).

Like every sheet, the import is all or nothing: any row error fails the whole file with
the list of errors. A row equal to the stored record writes nothing, so re-importing an
export changes nothing. Matching: a recognition by member and year (type, evidence and
day are updated); a tag by member, tag and day (its end and note are updated); a penalty
by member, kind and decision day, the n-th row the n-th such record (its end, deciding
body and grounds are updated). Members resolve through the importing user's scope; rows
may only write for members the user may edit.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import choice_cleaner, clean_date
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    Sheet,
    SheetImporter,
    clean_long_text,
    clean_member_ref,
    clean_year,
)

from . import discipline as penalties
from . import talents
from .models import Discipline, DisciplineKind, DualLead, DualLeadType, Member, MemberTag, TagKind


def _member_column() -> Column:
    return Column(
        "member",
        "党员编号",
        clean_member_ref,
        ("党员", "身份证号", "党员编号或身份证号"),
        required=True,
        note=MEMBER_NOTE,
        text=True,
    )


def _name_column() -> Column:
    return Column("name", "姓名", aliases=("党员姓名",), note=NAME_NOTE)


DUAL_LEAD_COLUMNS = (
    _member_column(),
    _name_column(),
    Column("year", "年度", clean_year, ("认定年度",), required=True),
    Column(
        "type",
        "类型",
        choice_cleaner(DualLeadType.choices),
        ("“双带”类型", "双带类型"),
        required=True,
        choices=[str(x) for x in DualLeadType.labels],
    ),
    Column("evidence", "事迹和依据", clean_long_text, ("事迹", "依据"), required=True),
    Column("recognized_on", "认定日期", clean_date, ("认定时间",), required=True),
)
TAG_COLUMNS = (
    _member_column(),
    _name_column(),
    Column(
        "kind",
        "类别",
        choice_cleaner(TagKind.choices, aliases={"实用技术": "skill", "专长": "skill"}),
        ("标签类别",),
        required=True,
        choices=[str(x) for x in TagKind.labels],
    ),
    Column("tag", "标签", aliases=("技能", "人才标签", "实用技术"), required=True),
    Column("since", "认定日期", clean_date, ("起始日期",), required=True),
    Column("until", "失效日期", clean_date, ("截止日期",), note="仍有效的留空"),
    Column("note", "说明", aliases=("备注",)),
)
DISCIPLINE_COLUMNS = (
    _member_column(),
    _name_column(),
    Column(
        "kind",
        "处分种类",
        choice_cleaner(DisciplineKind.choices),
        ("处分",),
        required=True,
        choices=[str(x) for x in DisciplineKind.labels],
    ),
    Column("decided_on", "处分决定日期", clean_date, ("决定日期", "处分日期"), required=True),
    Column(
        "effective_until",
        "影响期截止日期",
        clean_date,
        ("影响期截止",),
        note="影响期最后一天的次日；开除党籍留空",
    ),
    Column("decided_by", "决定机关", aliases=("处分机关",)),
    Column("reason", "处分事由", clean_long_text, ("事由",)),
)


class _MemberRows(Sheet):
    member_keys = ("member",)

    def editable_member(self, record: Record) -> Member | None:
        member = self.member(record, "member", "name")
        if member is None:
            return None
        if not self.may_edit(member.org):
            return self.fail(record, "member", f"您对“{member.org.name}”只有查看权限")
        return member


# --------------------------------------------------------------------------- “双带”


class _DualLeads(_MemberRows):
    columns = DUAL_LEAD_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        member = self.editable_member(record)
        if member is None or not self.unique(record, (member.pk, v["year"]), "year"):
            return "error"
        stored = self.stored(member, lambda m: {d.year: d for d in m.dual_leads.all()})
        match: DualLead | None = stored.get(v["year"])
        fields = {k: v[k] for k in talents.DUAL_LEAD_FIELDS}
        if match is None:
            saved = self.call(
                record, talents.record_dual_lead, member=member, year=v["year"], **fields
            )
            return "created" if saved else "error"
        current = {
            "type": match.type,
            "evidence": clean_long_text(match.evidence),
            "recognized_on": match.recognized_on,
        }
        if current == fields:
            return "unchanged"
        saved = self.call(record, talents.update_dual_lead, dual_lead=match, **fields)
        return "updated" if saved else "error"


class DualLeadImporter(SheetImporter):
    kind = "dual_leads"
    title = "“双带”型党员"
    sheet_names = ("双带型党员", "“双带”党员", "dual_leads")
    columns = DUAL_LEAD_COLUMNS
    order = 23
    sheet = _DualLeads


# --------------------------------------------------------------------------- 标签


class _Tags(_MemberRows):
    columns = TAG_COLUMNS
    fields = {"until": "until", "since": "since", "tag": "tag", "kind": "kind"}

    def one(self, record: Record) -> str:
        v = record.values
        member = self.editable_member(record)
        if member is None or not self.in_order(record, "since", "until"):
            return "error"
        if not self.unique(record, (member.pk, v["tag"], v["since"]), "tag"):
            return "error"
        stored = self.stored(member, lambda m: {(t.tag, t.since): t for t in m.tags.all()})
        match: MemberTag | None = stored.get((v["tag"], v["since"]))
        until, note = v.get("until"), v.get("note") or ""
        if match is not None:
            if match.kind != v["kind"]:
                return self.reject(
                    record, "kind", f"与系统中已登记的“{match.get_kind_display()}”不一致"
                )
            if match.until == until and match.note == note:
                return "unchanged"
        saved = self.call(
            record,
            talents.restore_member_tag,
            member=member,
            kind=v["kind"],
            tag=v["tag"],
            since=v["since"],
            until=until,
            note=note,
            member_tag=match,
        )
        return ("created" if match is None else "updated") if saved else "error"


class MemberTagImporter(SheetImporter):
    kind = "member_tags"
    title = "党员技能和人才标签"
    sheet_names = ("党员标签", "实用技术和人才标签", "member_tags")
    columns = TAG_COLUMNS
    order = 23
    sheet = _Tags


# --------------------------------------------------------------------------- 处分


def _penalties(member: Member) -> dict[tuple[Any, ...], list[Discipline]]:
    found: dict[tuple[Any, ...], list[Discipline]] = defaultdict(list)
    for d in member.disciplines.order_by("pk"):
        found[(d.kind, d.decided_on)].append(d)
    return found


class _Disciplines(_MemberRows):
    columns = DISCIPLINE_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        member = self.editable_member(record)
        if member is None or not self.in_order(record, "decided_on", "effective_until"):
            return "error"
        pool = self.stored(member, _penalties)
        matches = pool.get((v["kind"], v["decided_on"])) or []
        match = matches.pop(0) if matches else None
        fields = {
            "effective_until": v.get("effective_until"),
            "decided_by": v.get("decided_by") or "",
            "reason": v.get("reason") or "",
        }
        if match is None:
            saved = self.call(
                record,
                penalties.record_discipline,
                member=member,
                kind=v["kind"],
                decided_on=v["decided_on"],
                **fields,
            )
            return "created" if saved else "error"
        current = {
            "effective_until": match.effective_until,
            "decided_by": match.decided_by,
            "reason": clean_long_text(match.reason),
        }
        if current == fields:
            return "unchanged"
        saved = self.call(record, penalties.correct_discipline, discipline=match, **fields)
        return "updated" if saved else "error"


class DisciplineImporter(SheetImporter):
    kind = "disciplines"
    title = "党纪处分"
    sheet_names = ("党纪处分记录", "处分", "disciplines")
    columns = DISCIPLINE_COLUMNS
    order = 23
    sheet = _Disciplines
