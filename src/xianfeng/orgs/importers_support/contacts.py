"""Sheets of leaders' contact points and their visits (ORG-07): 联系点, 联系点活动."""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import choice_cleaner

from .. import domain
from ..models import ContactPoint, Org, VisitKind
from .cells import VISIT_ALIASES, clean_long_text
from .sheet import (
    ID_ALIASES,
    NAME_NOTE,
    ORG_NOTE,
    ChronologicalSheet,
    Sheet,
    SheetImporter,
    date_column,
    end_stored,
    member_column,
    org_column,
)

_LEADER = ("联系领导编号", "联系领导党员编号", "领导党员编号", "党员编号", *ID_ALIASES)
_TARGET = ("联系党组织", "联系点党组织", "联系点", "联系的党组织编码")
_LEADERSHIP_ORG = ("班子党组织", "领导班子所在党组织", "所在班子", "党组织")
CONTACT_POINT_COLUMNS = (
    org_column(
        "org", "班子所在党组织", _LEADERSHIP_ORG, note="联系领导所在班子的党组织；" + ORG_NOTE
    ),
    member_column("leader", "联系领导", _LEADER),
    Column("leader_name", "联系领导姓名", aliases=("领导姓名", "姓名"), note=NAME_NOTE),
    org_column(
        "target", "联系的党组织", _TARGET, note="本组织下级的党组织（通常为党支部）；" + ORG_NOTE
    ),
    date_column("started_on", "建立日期", ("开始日期", "建立时间"), required=True),
    date_column("ended_on", "结束日期", ("终止日期", "结束时间"), note="仍在联系的留空"),
    Column("note", "备注", aliases=("说明",)),
)
VISIT_COLUMNS = (
    member_column("leader", "联系领导", _LEADER),
    Column("leader_name", "联系领导姓名", aliases=("领导姓名", "姓名"), note=NAME_NOTE),
    org_column("target", "联系的党组织", _TARGET),
    org_column(
        "org",
        "班子所在党组织",
        _LEADERSHIP_ORG,
        required=False,
        note="可留空；同一领导与同一组织有多个联系点时用于区分",
    ),
    date_column("visited_on", "日期", ("活动日期", "走访日期", "时间"), required=True),
    Column(
        "kind",
        "方式",
        choice_cleaner(VisitKind.choices, aliases=VISIT_ALIASES),
        ("活动方式", "形式", "类型"),
        note="留空为走访调研",
        choices=[str(label) for label in VisitKind.labels],
    ),
    Column("summary", "内容", clean_long_text, ("活动内容", "内容摘要", "情况")),
)

# --------------------------------------------------------------------------- 联系点


class _ContactPoints(ChronologicalSheet):
    columns = CONTACT_POINT_COLUMNS
    member_keys = ("leader",)

    def check(self, record: Record) -> tuple[Org, Any, Org] | None:
        org, target = self.org(record), self.org(record, "target", scoped=False)
        leader = self.member(record, "leader", "leader_name")
        if org is None or target is None or leader is None:
            return None
        key = (org.pk, leader.pk, target.pk, record.values["started_on"])
        if not self.in_order(record, "started_on", "ended_on"):
            return None
        return (org, leader, target) if self.unique(record, key, "target") else None

    def when(self, found: tuple[Org, Any, Org], record: Record) -> Any:
        return record.values["started_on"]

    def write(self, found: tuple[Org, Any, Org], record: Record) -> str:
        org, leader, target = found
        key = (org.pk, leader.pk, target.pk, record.values["started_on"])
        points = self.stored(org, _points_by_key)
        point = points.get(key)
        if point is None:
            return self._add(record, org, leader, target)
        if self.differs(record, "note", point.note):
            return "error"
        action = partial(domain.end_contact_point, point)
        return end_stored(self, record, point.ended_on, action, "ended_on")

    def _add(self, record: Record, org: Org, leader: Any, target: Org) -> str:
        v = record.values
        point = self.call(
            record,
            domain.add_contact_point,
            org=org,
            leader=leader,
            target=target,
            started_on=v["started_on"],
            note=v.get("note", ""),
        )
        if point is None:
            return "error"
        ended = v.get("ended_on")
        if ended and not self.call(
            record, partial(domain.end_contact_point, point), ended_on=ended
        ):
            return "error"
        return "created"


def _points_by_key(org: Org) -> dict[tuple[Any, ...], ContactPoint]:
    points = org.leader_contact_points.all()
    return {(p.org_id, p.leader_id, p.target_id, p.started_on): p for p in points}


class ContactPointImporter(SheetImporter):
    kind = "contact_points"
    title = "联系点"
    sheet_names = ("领导联系点", "党建联系点", "contact_points")
    columns = CONTACT_POINT_COLUMNS
    order = 40  # the leader's seat first
    sheet = _ContactPoints


# --------------------------------------------------------------------------- 联系点活动


class _Visits(Sheet):
    """A visit matches the contact point of its leader and target active that day; a row
    equal to a stored visit (date, kind, summary) is that visit, one row per stored visit."""

    columns = VISIT_COLUMNS
    member_keys = ("leader",)

    def one(self, record: Record) -> str:
        v = record.values
        leader = self.member(record, "leader", "leader_name")
        target = self.org(record, "target", scoped=False)
        org = self.org(record, scoped=False) if v.get("org") else None
        if leader is None or target is None or (v.get("org") and org is None):
            return "error"
        point = self._point(record, leader, target, org)
        if point is None:
            return "error"
        kind = v.get("kind") or VisitKind.VISIT
        key = (v["visited_on"], kind, v.get("summary", ""))
        pool = self.stored(point, _visit_pool)
        if pool[key] > 0:
            pool[key] -= 1
            return "unchanged"
        visit = self.call(
            record,
            domain.record_visit,
            contact_point=point,
            visited_on=v["visited_on"],
            kind=kind,
            summary=v.get("summary", ""),
        )
        return "created" if visit else "error"

    def _point(self, record: Record, leader: Any, target: Org, org: Org | None) -> Any:
        day = record.values["visited_on"]
        pair = (leader.pk, target.pk)
        if pair not in self.cache:
            query = ContactPoint.objects.select_related("org").filter(leader=leader, target=target)
            self.cache[pair] = list(query)
        points = [
            p
            for p in self.cache[pair]
            if p.started_on <= day
            and (p.ended_on is None or day <= p.ended_on)
            and (org is None or p.org_id == org.pk)
            and self.may_edit(p.org)  # a point kept above reads as no point at all
        ]
        if not points:
            return self.fail(
                record,
                "target",
                f"{leader.name}在 {day} 没有以“{target.name}”为联系点"
                "（请先在“联系点”工作表或联系点页面登记）",
            )
        if len(points) > 1:
            return self.fail(record, "org", "该领导与该组织有多个联系点，请填写班子所在党组织")
        return points[0]


def _visit_pool(point: ContactPoint) -> Counter[tuple[Any, ...]]:
    return Counter(
        (visit.visited_on, visit.kind, clean_long_text(visit.summary))
        for visit in point.visits.all()
    )


class VisitImporter(SheetImporter):
    kind = "visits"
    title = "联系点活动"
    sheet_names = ("联系点活动记录", "走访记录", "visits")
    columns = VISIT_COLUMNS
    order = 50  # the contact point first
    sheet = _Visits
