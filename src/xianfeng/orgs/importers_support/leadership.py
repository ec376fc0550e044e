"""Sheets of leadership seats and elections (ORG-04): 班子成员, 换届记录."""

from __future__ import annotations

from functools import partial
from typing import Any

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import choice_cleaner

from .. import domain
from ..models import LEADERSHIP_KINDS, Org, SeatRole
from .cells import ROLE_ALIASES, clean_term_years
from .sheet import (
    ID_ALIASES,
    NAME_NOTE,
    ChronologicalSheet,
    Sheet,
    SheetImporter,
    date_column,
    end_stored,
    member_column,
    org_column,
)

SEAT_COLUMNS = (
    org_column(),
    Column(
        "role",
        "职务",
        choice_cleaner(SeatRole.choices, aliases=ROLE_ALIASES),
        ("班子职务", "职位", "任职职务"),
        required=True,
        choices=[str(label) for label in SeatRole.labels],
    ),
    Column(
        "title",
        "分工",
        aliases=("职责分工", "委员分工"),
        note="委员的分工，如组织委员、宣传委员、纪检委员",
    ),
    member_column("member", "党员编号", ("任职党员", *ID_ALIASES)),
    Column("name", "姓名", aliases=("党员姓名", "任职人"), note=NAME_NOTE),
    date_column("started_on", "任职日期", ("任职时间", "任职开始日期"), required=True),
    date_column("ended_on", "离任日期", ("离任时间", "免职日期", "卸任日期"), note="在任的留空"),
)
TERM_COLUMNS = (
    org_column(),
    date_column("elected_on", "选举日期", ("换届日期", "换届选举日期", "选举时间"), required=True),
    Column(
        "years",
        "任期（年）",
        clean_term_years,
        ("任期", "任期年限", "届期"),
        note="本次选举确定的任期；留空或0表示按政策参数确定",
    ),
    date_column(
        "approved_extension_until",
        "经批准延期至",
        ("延期至", "批准延期至", "延期截止日期"),
        note="经上级党组织批准延期换届的，填延期截止日",
    ),
    Column("note", "备注", aliases=("届次", "说明")),
)

# --------------------------------------------------------------------------- 班子成员


class _Seats(Sheet):
    columns = SEAT_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        org, member = self.org(record), self.member(record, "member", "name")
        if org is None or member is None or not self.in_order(record, "started_on", "ended_on"):
            return "error"
        if org.kind not in LEADERSHIP_KINDS:
            return self.reject(record, "org", f"{org.get_kind_display()}不设班子")
        key = (org.pk, v["role"], member.pk, v["started_on"])
        if not self.unique(record, key, "member"):
            return "error"
        seats = self.stored(org, lambda o: {_seat_key(s): s for s in o.seats.all()})
        seat = seats.get(key)
        if seat is None:
            return self._appoint(record, org, member)
        if self.differs(record, "title", seat.title):
            return "error"
        return end_stored(self, record, seat.ended_on, partial(domain.end_seat, seat=seat), "on")

    def _appoint(self, record: Record, org: Org, member: Any) -> str:
        v = record.values
        seat = self.call(
            record,
            domain.appoint_to_seat,
            org=org,
            role=v["role"],
            member=member,
            started_on=v["started_on"],
            title=v.get("title", ""),
        )
        if seat is None:
            return "error"
        if v.get("ended_on") and not self.call(
            record, domain.end_seat, seat=seat, on=v["ended_on"]
        ):
            return "error"
        return "created"


def _seat_key(seat: Any) -> tuple[Any, ...]:
    return (seat.org_id, seat.role, seat.member_id, seat.started_on)


class SeatImporter(SheetImporter):
    kind = "seats"
    title = "班子成员"
    sheet_names = ("班子", "班子成员名单", "领导班子", "seats")
    columns = SEAT_COLUMNS
    order = 30
    sheet = _Seats


# --------------------------------------------------------------------------- 换届记录


class _Terms(ChronologicalSheet):
    columns = TERM_COLUMNS
    fields = {"until": "approved_extension_until"}

    def check(self, record: Record) -> Org | None:
        org = self.org(record)
        if org is None or not self.unique(
            record, (org.pk, record.values["elected_on"]), "elected_on"
        ):
            return None
        return org

    def when(self, org: Org, record: Record) -> Any:
        return (record.values["elected_on"], org.path)

    def write(self, org: Org, record: Record) -> str:
        v = record.values
        terms = self.stored(org, lambda o: {t.elected_on: t for t in o.terms.all()})
        term = terms.get(v["elected_on"])
        outcome = "unchanged"
        if term is None:
            term = self.call(
                record,
                domain.record_election,
                org=org,
                elected_on=v["elected_on"],
                years=v.get("years") or 0,
                note=v.get("note", ""),
            )
            if term is None:
                return "error"
            terms[term.elected_on] = term
            outcome = "created"
        elif self.differs(record, "years", term.years) or self.differs(record, "note", term.note):
            return "error"
        until = v.get("approved_extension_until")
        if until and until != term.approved_extension_until:
            if not self.call(record, domain.approve_term_extension, term=term, until=until):
                return "error"
            outcome = "updated" if outcome == "unchanged" else outcome
        return outcome


class TermImporter(SheetImporter):
    kind = "terms"
    title = "换届记录"
    sheet_names = ("换届", "换届选举", "换届选举记录", "terms")
    columns = TERM_COLUMNS
    order = 30
    sheet = _Terms
