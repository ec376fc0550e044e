"""What `xianfeng demo` prints after a build: `DemoSummary`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from xianfeng.core.demo import SCALE_LABELS
from xianfeng.members.models import Member, Status, Transfer, TransferStatus
from xianfeng.orglife.demo import LifeBuilder
from xianfeng.orglife.models import Exemption, Meeting
from xianfeng.orgs.models import (
    Budget,
    ContactPoint,
    Org,
    OrgKind,
    Seat,
    Spending,
    StaffPost,
    Venue,
    Visit,
)

K = OrgKind


@dataclass
class DemoSummary:
    scale: str
    seed: int
    as_of: dt.date
    orgs: int  # all orgs except party groups
    party_groups: int
    members: int
    by_status: dict[str, int]
    transfers_in_transit: int
    transfers_received: int
    seats: int  # open seats
    seconds: float
    irregular_orgs: list[tuple[str, str]] = field(default_factory=list)
    contact_points: int = 0  # ORG-07
    visits: int = 0
    venues: int = 0  # ORG-08
    staff_posts: int = 0
    budgets: int = 0  # ORG-09
    spendings: int = 0
    support_gaps: list[tuple[str, str]] = field(default_factory=list)
    meetings: int = 0  # LIFE-01
    attendance: int = 0
    exemptions: int = 0
    life_gaps: list[tuple[str, str]] = field(default_factory=list)
    seat_gaps: list[tuple[str, str]] = field(default_factory=list)  # ORG-05
    dues: dict[str, int] = field(default_factory=dict)  # DUES-01, DUES-02
    dues_cases: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        status = "，".join(f"{Status(s).label} {self.by_status.get(s, 0):,}" for s in Status.values)
        return [
            f"示范数据（{SCALE_LABELS[self.scale]}级，种子 {self.seed}，截至 {self.as_of:%Y-%m-%d}）"
            f"已生成，用时 {self.seconds:.1f} 秒：",
            f"  党组织 {self.orgs:,} 个（另有党小组 {self.party_groups:,} 个）",
            f"  党员 {self.members:,} 名：{status}",
            f"  组织关系转接：转接中 {self.transfers_in_transit:,} 笔，近一年已接收 "
            f"{self.transfers_received:,} 笔",
            f"  在任班子成员 {self.seats:,} 人次；有意设置的逾期未补齐的班子职务空缺 "
            f"{len(self.seat_gaps)} 处：",
            *(f"    {code}  {note}" for code, note in self.seat_gaps[:4]),
            *(["    ……"] if len(self.seat_gaps) > 4 else []),
            f"  有意设置的不合规组织（供规则检查演示）{len(self.irregular_orgs)} 个：",
            *(f"    {code}  {note}" for code, note in self.irregular_orgs[:8]),
            *(["    ……"] if len(self.irregular_orgs) > 8 else []),
            f"  班子成员联系点 {self.contact_points:,} 个，联系点活动 {self.visits:,} 次；"
            f"党建活动阵地 {self.venues:,} 处",
            f"  党务干部岗位 {self.staff_posts:,} 个；党建活动经费预算 {self.budgets:,} 条，"
            f"支出 {self.spendings:,} 笔",
            f"  联系点、阵地、党务干部和经费方面有意设置的问题 {len(self.support_gaps)} 处：",
            *(f"    {code}  {note}" for code, note in self.support_gaps[:12]),
            *(["    ……"] if len(self.support_gaps) > 12 else []),
            f"  组织生活 {self.meetings:,} 次，出勤记录 {self.attendance:,} 条，"
            f"免于参加主题党日 {self.exemptions:,} 人",
            f"  组织生活方面有意设置的问题 {len(self.life_gaps)} 处：",
            *(f"    {code}  {note}" for code, note in self.life_gaps[:12]),
            *(["    ……"] if len(self.life_gaps) > 12 else []),
            *self._dues_lines(),
        ]

    def _dues_lines(self) -> list[str]:
        if not self.dues:
            return []
        dues = self.dues
        return [
            f"  党费：应交记录 {dues.get('lines', 0):,} 条，交纳 {dues.get('payments', 0):,} 笔"
            f"（冲正 {dues.get('reversals', 0):,} 笔，自愿多交 {dues.get('extra', 0):,} 笔），"
            f"基数申报 {dues.get('declarations', 0):,} 条，月度结账 {dues.get('closes', 0):,} 次，"
            f"上缴 {dues.get('remittances', 0):,} 笔",
            f"  党费方面有意设置的情形 {len(self.dues_cases)} 处：",
            *(f"    {code}  {note}" for code, note in self.dues_cases[:12]),
            *(["    ……"] if len(self.dues_cases) > 12 else []),
        ]


def summarize(
    scale: str,
    seed: int,
    as_of: dt.date,
    seconds: float,
    irregular: list[tuple[str, str]],
    support_gaps: list[tuple[str, str]],
    builder: LifeBuilder,
    seat_gaps: list[tuple[str, str]] | None = None,
    dues: dict[str, Any] | None = None,
) -> DemoSummary:
    by_status = Counter(dict(Member.objects.values_list("status").annotate(n=models.Count("pk"))))
    transfers = Counter(dict(Transfer.objects.values_list("status").annotate(n=models.Count("pk"))))
    return DemoSummary(
        scale=scale,
        seed=seed,
        as_of=as_of,
        orgs=Org.objects.exclude(kind=K.PARTY_GROUP).count(),
        party_groups=Org.objects.filter(kind=K.PARTY_GROUP).count(),
        members=sum(by_status.values()),
        by_status=dict(by_status),
        transfers_in_transit=transfers[TransferStatus.IN_TRANSIT],
        transfers_received=transfers[TransferStatus.RECEIVED],
        seats=Seat.objects.filter(ended_on__isnull=True).count(),
        seconds=seconds,
        irregular_orgs=irregular,
        contact_points=ContactPoint.objects.count(),
        visits=Visit.objects.count(),
        venues=Venue.objects.count(),
        staff_posts=StaffPost.objects.count(),
        budgets=Budget.objects.count(),
        spendings=Spending.objects.count(),
        support_gaps=support_gaps,
        meetings=Meeting.objects.count(),
        attendance=builder.attendance,
        exemptions=Exemption.objects.count(),
        life_gaps=builder.life_gaps,
        seat_gaps=seat_gaps or [],
        dues=(dues or {}).get("counts", {}),
        dues_cases=(dues or {}).get("cases", []),
    )
