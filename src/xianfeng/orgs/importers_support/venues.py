"""Sheets of activity venues and party-affairs staff (ORG-08): 活动阵地, 党务干部."""

from __future__ import annotations

from functools import partial
from typing import Any

from xianfeng.core.importing import Column, Record
from xianfeng.lib.cells import clean_bool, text_key

from .. import domain
from ..models import VENUE_ITEMS, Org
from .cells import clean_area, clean_full_time
from .sheet import (
    ID_ALIASES,
    Sheet,
    SheetImporter,
    comparable,
    date_column,
    end_stored,
    member_column,
    org_column,
)

_YES_NO = ["是", "否"]
VENUE_FLAGS = {**VENUE_ITEMS, "has_disclosure_board": "有党务公开栏", "shared": "供下属党组织共用"}
_FLAG_ALIASES = {"has_disclosure_board": ("党务公开栏",), "shared": ("共建共用", "共用")}
VENUE_COLUMNS = (
    org_column(),
    Column("name", "阵地名称", aliases=("名称", "场所名称", "活动阵地名称"), required=True),
    Column("address", "地址", aliases=("详细地址", "所在地址")),
    Column("area_m2", "面积（平方米）", clean_area, ("面积", "使用面积", "面积（㎡）")),
    *(
        Column(
            key,
            label,
            clean_bool,
            _FLAG_ALIASES.get(key, (label.removeprefix("有"),)),
            choices=_YES_NO,
        )
        for key, label in VENUE_FLAGS.items()
    ),
    date_column("checked_on", "核查日期", ("核查时间",)),
    date_column("closed_on", "停用日期", ("停用时间",), note="仍在使用的留空"),
)
STAFF_COLUMNS = (
    org_column(),
    Column("name", "姓名", aliases=("干部姓名",), note="填了党员编号的可留空"),
    member_column("member", "党员编号", ID_ALIASES, required=False),
    Column("position", "岗位", aliases=("岗位名称", "党务岗位")),
    Column(
        "full_time",
        "专职或兼职",
        clean_full_time,
        ("专兼职", "专职/兼职", "专职兼职", "性质"),
        required=True,
        choices=["专职", "兼职"],
    ),
    date_column("started_on", "到岗日期", ("上岗日期", "开始日期", "到岗时间"), required=True),
    date_column("ended_on", "离岗日期", ("离岗时间", "结束日期"), note="在岗的留空"),
)

# --------------------------------------------------------------------------- 活动阵地

VENUE_KEYS = ("address", "area_m2", *VENUE_FLAGS, "checked_on", "closed_on")


class _Venues(Sheet):
    columns = VENUE_COLUMNS

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        if org is None or not self.unique(record, (org.pk, text_key(v["name"])), "name"):
            return "error"
        fields = {k: v[k] for k in VENUE_KEYS if v.get(k) not in (None, "")}
        venues = self.stored(org, _venues_by_name)
        venue = venues.get(text_key(v["name"]))
        if venue is None:
            saved = self.call(record, domain.save_venue, org=org, name=v["name"], **fields)
            return "created" if saved else "error"
        changes = {k: x for k, x in fields.items() if comparable(getattr(venue, k)) != x}
        if not changes:
            return "unchanged"
        saved = self.call(record, domain.save_venue, org=org, venue=venue, **changes)
        return "updated" if saved else "error"


def _venues_by_name(org: Org) -> dict[str, Any]:
    venues: dict[str, Any] = {}
    for venue in org.venues.order_by("pk"):
        venues.setdefault(text_key(venue.name), venue)
    return venues


class VenueImporter(SheetImporter):
    kind = "venues"
    title = "活动阵地"
    sheet_names = ("阵地", "党员活动阵地", "活动场所", "venues")
    columns = VENUE_COLUMNS
    order = 30
    sheet = _Venues


# --------------------------------------------------------------------------- 党务干部


class _Staff(Sheet):
    """A post is matched by org, holder's name and start date."""

    columns = STAFF_COLUMNS
    member_keys = ("member",)

    def one(self, record: Record) -> str:
        v = record.values
        org = self.org(record)
        member = self.member(record, "member", "name") if v.get("member") else None
        if org is None or (v.get("member") and member is None):
            return "error"
        name = v.get("name") or (member.name if member else "")
        if not name:
            return self.reject(record, "name", "请填写姓名或党员编号")
        key = (text_key(name), v["started_on"])
        if not self.in_order(record, "started_on", "ended_on") or not self.unique(
            record, (org.pk, *key), "name"
        ):
            return "error"
        posts = self.stored(org, _posts_by_holder)
        post = posts.get(key)
        if post is None:
            return self._add(record, org, member, name)
        if member is not None and post.member_id != member.pk:
            holder = f"编号 {post.member.code}" if post.member else "未关联党员"
            message = f"与系统中已登记的党务干部（{holder}）不一致（修改请在页面上办理）"
            return self.reject(record, "member", message)
        if self.differs(record, "position", post.position) or self.differs(
            record, "full_time", post.full_time, "专职" if post.full_time else "兼职"
        ):
            return "error"
        action = partial(domain.end_staff_post, post)
        return end_stored(self, record, post.ended_on, action, "ended_on")

    def _add(self, record: Record, org: Org, member: Any, name: str) -> str:
        v = record.values
        post = self.call(
            record,
            domain.add_staff_post,
            org=org,
            name=name,
            member=member,
            position=v.get("position", ""),
            full_time=v["full_time"],
            started_on=v["started_on"],
        )
        if post is None:
            return "error"
        ended = v.get("ended_on")
        if ended and not self.call(record, partial(domain.end_staff_post, post), ended_on=ended):
            return "error"
        return "created"


def _posts_by_holder(org: Org) -> dict[tuple[str, Any], Any]:
    posts = org.staff_posts.select_related("member")
    return {(text_key(post.name), post.started_on): post for post in posts}


class StaffImporter(SheetImporter):
    kind = "staff"
    title = "党务干部"
    sheet_names = ("党务工作者", "党务干部名单", "党务工作人员", "staff")
    columns = STAFF_COLUMNS
    order = 30
    sheet = _Staff
