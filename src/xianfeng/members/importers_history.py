"""Importing a member's recorded history (round trip, issue 13 §6): status history
(党籍状态历史), placement history (组织关系历史), transfers (组织关系转接) and temporary
memberships (临时党组织成员). Sheets come after the member sheet (which makes the current
state) and before anything that asks where a member was on a day (staff posts, seats).

A member's status history and placement history are each matched as a whole: the rows of
one member in the file are that member's complete history, which replaces the stored one
when it differs and writes nothing when it is equal; members absent from the sheet keep
theirs. Transfers match by member, both orgs and sending day (the n-th such row the n-th
such transfer); temporary memberships by temporary org, member and joining day. Members
and orgs resolve through the importing user's scope like every other sheet.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import choice_cleaner, clean_date
from xianfeng.orgs.importers_support import (
    MEMBER_NOTE,
    NAME_NOTE,
    ORG_ALIASES,
    ORG_NOTE,
    Sheet,
    SheetImporter,
    clean_member_ref,
)
from xianfeng.orgs.models import Org

from . import restore
from .importers import STATUS_ALIASES
from .models import (
    LeftReason,
    Member,
    Status,
    TemporaryMembership,
    Transfer,
    TransferStatus,
)


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


def _org_column(key: str, label: str, aliases: tuple[str, ...], note: str = ORG_NOTE) -> Column:
    return Column(key, label, aliases=aliases, required=True, note=note, text=True)


STATUS_COLUMNS = (
    _member_column(),
    _name_column(),
    Column(
        "status",
        "党籍状态",
        choice_cleaner(Status.choices, aliases=STATUS_ALIASES),
        ("状态", "党员状态"),
        required=True,
        choices=[str(x) for x in Status.labels],
    ),
    Column("started_on", "起始日期", clean_date, ("开始日期", "变更日期"), required=True),
    Column(
        "ended_on",
        "结束日期",
        clean_date,
        ("截止日期",),
        note="下一状态的起始日期（即状态变更之日，本状态不含该日）；当前状态留空",
    ),
    Column(
        "reason",
        "出党原因",
        choice_cleaner(LeftReason.choices),
        choices=[str(x) for x in LeftReason.labels],
    ),
    Column("note", "变更理由", aliases=("状态变更理由", "理由")),
)
PLACEMENT_COLUMNS = (
    _member_column(),
    _name_column(),
    _org_column("org", "党组织", ("所在党组织", "党支部", *ORG_ALIASES)),
    Column("started_on", "起始日期", clean_date, ("转入日期", "开始日期"), required=True),
    Column(
        "ended_on",
        "结束日期",
        clean_date,
        ("截止日期",),
        note="转入下一组织（或出党）之日，本组织不含该日；当前所在组织留空",
    ),
)
TRANSFER_COLUMNS = (
    _member_column(),
    _name_column(),
    _org_column("from_org", "转出党组织", ("原党组织", "转出组织")),
    _org_column("to_org", "接收党组织", ("转入党组织", "接收组织")),
    Column("sent_on", "转出日期", clean_date, ("开具日期", "转出时间"), required=True),
    Column(
        "status",
        "转接状态",
        choice_cleaner(TransferStatus.choices),
        ("状态",),
        required=True,
        choices=[str(x) for x in TransferStatus.labels],
    ),
    Column("received_on", "接收日期", clean_date, ("接收时间",), note="已接收的填写；其余留空"),
    Column("reason", "转接原因", aliases=("原因",)),
    Column("letter_no", "介绍信编号", aliases=("介绍信号",), text=True),
    Column("answer_note", "退回/撤回说明", aliases=("退回说明", "撤回说明")),
)
TEMPORARY_COLUMNS = (
    _org_column("org", "临时党组织", ("临时党组织编码", *ORG_ALIASES)),
    _member_column(),
    _name_column(),
    Column("started_on", "加入日期", clean_date, ("加入时间",), required=True),
    Column("ended_on", "退出日期", clean_date, ("退出时间",), note="最后一天（含）；仍在的留空"),
)


class _MemberSheet(Sheet):
    """Rows naming a member the user may edit (an org above reads as view-only)."""

    member_keys = ("member",)

    def editable_member(self, record: Record) -> Member | None:
        member = self.member(record, "member", "name")
        if member is None:
            return None
        if not self.may_edit(member.org):
            return self.fail(record, "member", f"您对“{member.org.name}”只有查看权限")
        return member

    def report_on(self, record: Record, error: ValidationError) -> None:
        messages = getattr(error, "message_dict", None) or {NON_FIELD_ERRORS: error.messages}
        for field, texts in messages.items():
            for text in texts:
                self.errors.add(record, None, self.labels.get(field, ""), text)


class _WholeHistory(_MemberSheet):
    """Rows grouped by member; each member's group replaces the stored history at the end."""

    def __init__(self, errors: Any, by: Any):
        super().__init__(errors, by)
        self.groups: dict[int, tuple[Member, list[Record], list[Any]]] = {}

    def one(self, record: Record) -> str:
        member = self.editable_member(record)
        if member is None:
            return "error"
        row = self.row(record)
        if row is None:
            return "error"
        group = self.groups.setdefault(member.pk, (member, [], []))
        group[1].append(record)
        group[2].append(row)
        return "pending"

    def finish(self) -> dict[str, int]:
        if not self.errors:
            stored = self.stored_rows(list(self.groups))
            for pk, (member, records, rows) in self.groups.items():
                if restore.in_order(rows) == stored[pk]:
                    self.outcomes["unchanged"] += len(rows)
                else:
                    self.write(member, records, rows, stored[pk])
        return super().finish()

    def write(
        self, member: Member, records: list[Record], rows: list[Any], before: list[Any]
    ) -> None:
        try:
            changed = self.replace(member, rows)
        except ValidationError as error:
            self.report_on(records[0], error)
            return
        if not changed:
            self.outcomes["unchanged"] += len(rows)
            return
        created = sum(1 for row in rows if row not in before)
        self.outcomes["created"] += created
        self.outcomes["unchanged"] += len(rows) - created
        if not created:
            self.outcomes["updated"] += 1  # only rows removed: one update of the member

    def row(self, record: Record) -> Any:
        raise NotImplementedError

    def stored_rows(self, member_ids: list[int]) -> dict[int, list[Any]]:
        raise NotImplementedError

    def replace(self, member: Member, rows: list[Any]) -> bool:
        raise NotImplementedError


class _StatusHistory(_WholeHistory):
    columns = STATUS_COLUMNS

    def row(self, record: Record) -> restore.Spell | None:
        v = record.values
        if not self.in_order(record, "started_on", "ended_on"):
            return None
        return restore.Spell(
            v["status"], v["started_on"], v.get("ended_on"), v.get("reason", ""), v.get("note", "")
        )

    def stored_rows(self, member_ids: list[int]) -> dict[int, list[Any]]:
        return restore.spells_by_member(member_ids)

    def replace(self, member: Member, rows: list[Any]) -> bool:
        return restore.replace_status_history(member=member, spells=rows, by=self.by)


class StatusHistoryImporter(SheetImporter):
    kind = "status_history"
    title = "党籍状态历史"
    sheet_names = ("党籍状态变更", "党籍状态变更记录", "status_history")
    columns = STATUS_COLUMNS
    order = 21  # after the members (whose current status it ends with)
    sheet = _StatusHistory


class _Placements(_WholeHistory):
    columns = PLACEMENT_COLUMNS

    def __init__(self, errors: Any, by: Any):
        super().__init__(errors, by)
        self.orgs: dict[int, Org] = {}

    def row(self, record: Record) -> restore.Place | None:
        v = record.values
        org = self.org(record, scoped=False)
        if org is None or not self.in_order(record, "started_on", "ended_on"):
            return None
        self.orgs[org.pk] = org
        return restore.Place(org.pk, v["started_on"], v.get("ended_on"))

    def stored_rows(self, member_ids: list[int]) -> dict[int, list[Any]]:
        return restore.places_by_member(member_ids)

    def replace(self, member: Member, rows: list[Any]) -> bool:
        return restore.replace_placements(member=member, places=rows, orgs=self.orgs, by=self.by)


class PlacementImporter(SheetImporter):
    kind = "placements"
    title = "组织关系历史"
    sheet_names = ("组织关系变动", "组织关系记录", "placements")
    columns = PLACEMENT_COLUMNS
    order = 21  # after the members, before anything asking where a member was on a day
    sheet = _Placements


# --------------------------------------------------------------------------- 转接


class _Transfers(_MemberSheet):
    """The n-th row of a member, both orgs and a sending day matches the n-th such stored
    transfer (in the order recorded); its state and notes are updated when they differ."""

    columns = TRANSFER_COLUMNS

    def __init__(self, errors: Any, by: Any):
        super().__init__(errors, by)
        self.rows: list[tuple[Record, Member, Org, Org]] = []

    def one(self, record: Record) -> str:
        member = self.editable_member(record)
        from_org = self.org(record, "from_org", scoped=False)
        to_org = self.org(record, "to_org", scoped=False)
        if member is None or from_org is None or to_org is None:
            return "error"
        v = record.values
        if v.get("received_on") and v["received_on"] < v["sent_on"]:
            return self.reject(record, "received_on", "接收日期不能早于转出日期")
        self.rows.append((record, member, from_org, to_org))
        return "pending"

    def finish(self) -> dict[str, int]:
        if self.errors:
            return super().finish()
        stored = self._stored()
        # closed transfers first: a member's in-transit one may follow a closed one
        rows = sorted(self.rows, key=lambda r: r[0].values["status"] == TransferStatus.IN_TRANSIT)
        for record, member, from_org, to_org in rows:
            key = (member.pk, from_org.pk, to_org.pk, record.values["sent_on"])
            match = stored[key].pop(0) if stored.get(key) else None
            self.outcomes[self.write(record, member, from_org, to_org, match)] += 1
        return super().finish()

    def _stored(self) -> dict[tuple[Any, ...], list[Transfer]]:
        members = sorted({member.pk for _r, member, _f, _t in self.rows})
        stored: dict[tuple[Any, ...], list[Transfer]] = defaultdict(list)
        for start in range(0, len(members), 900):
            query = Transfer.objects.filter(member_id__in=members[start : start + 900])
            for t in query.order_by("pk"):
                stored[(t.member_id, t.from_org_id, t.to_org_id, t.sent_on)].append(t)
        return stored

    def write(self, record: Record, member: Member, from_org: Org, to_org: Org, match: Any) -> str:
        v = record.values
        fields = {
            key: v.get(key) or (None if key == "received_on" else "")
            for key in restore.TRANSFER_FIELDS
        }
        if match is not None and all(getattr(match, k) == x for k, x in fields.items()):
            return "unchanged"
        try:
            restore.restore_transfer(
                member=member,
                from_org=from_org,
                to_org=to_org,
                sent_on=v["sent_on"],
                transfer=match,
                by=self.by,
                **fields,
            )
        except ValidationError as error:
            self.report_on(record, error)
            return "error"
        return "created" if match is None else "updated"


class TransferImporter(SheetImporter):
    kind = "transfers"
    title = "组织关系转接"
    sheet_names = ("转接记录", "组织关系转接记录", "transfers")
    columns = TRANSFER_COLUMNS
    order = 22
    sheet = _Transfers


# --------------------------------------------------------------------------- 临时党组织


class _Temporary(_MemberSheet):
    columns = TEMPORARY_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org, member = self.org(record), self.member(record, "member", "name")
        if org is None or member is None or not self.in_order(record, "started_on", "ended_on"):
            return "error"
        if not self.unique(record, (org.pk, member.pk, v["started_on"]), "started_on"):
            return "error"
        stored = self.stored(org, _memberships)
        match = stored.get((member.pk, v["started_on"]))
        if match is not None and match.ended_on == v.get("ended_on"):
            return "unchanged"
        saved = self.call(
            record,
            restore.restore_temporary_membership,
            org=org,
            member=member,
            started_on=v["started_on"],
            ended_on=v.get("ended_on"),
            membership=match,
        )
        if saved is None:
            return "error"
        stored[(member.pk, saved.started_on)] = saved
        return "created" if match is None else "updated"


def _memberships(org: Org) -> dict[tuple[int, Any], TemporaryMembership]:
    return {(m.member_id, m.started_on): m for m in org.temporary_members.all()}


class TemporaryMembershipImporter(SheetImporter):
    kind = "temporary_members"
    title = "临时党组织成员"
    sheet_names = ("临时党组织党员", "temporary_members")
    columns = TEMPORARY_COLUMNS
    order = 22
    sheet = _Temporary
