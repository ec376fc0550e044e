"""The demo jurisdiction: `xianfeng demo --scale town|county|city --seed N [--as-of DATE]`.

Builds a fictional jurisdiction (示范市 → 东山县 … → 青山镇 … → villages, communities,
offices, schools, hospitals, enterprises) with Faker zh_CN names and valid GB 11643 ID
numbers. The same seed and as-of date give the same codes, names, dates and ID numbers;
the current time is used only as the default as-of date. Events (joining, transfers,
leaving) fall in the last full calendar year and the current year to date, or shortly
before.

Sizes mostly fit ORG-03; each county (or the town at town scale) also has a branch with 2
full members, a branch with 55+, a general branch with only 40 and a branch of 25 without
party groups (listed in `DemoSummary.irregular_orgs`), and a few vacant seats and overdue
terms for ORG-04/ORG-05.

The records ORG-07 to ORG-09 read come with it: contact points of the leaders of every
party committee and working committee, with their visits in the last full year and this
year (quarterly reports, visits and problems solved in the 003 subtree, the first
government working committee); activity venues of that subtree's orgs and of villages,
communities and towns; and, in the 003 subtree only, party-affairs staff posts, unit
headcounts, and budgets and spending of each unit. A few gaps are deliberate (listed in
`DemoSummary.support_gaps`): leaders without a contact point or without a visit last
year, a missed quarter, an org without a venue and venues lacking an item, orgs short of
full-time staff, a budget missing, one short and one unit overspending. They are drawn
from a random stream of their own, so they leave the members and seats of a seed as
they were.

Everything is bulk-loaded: the org tree with its materialized paths computed here, then
one block (a county) of members with their status spells, placements, transfers, seats,
temporary memberships and the records above at a time, each tracked row with one "+"
history row recorded as made by the command line. The city scale (≈300,000 members)
loads in minutes, not hours.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any, cast

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker

from xianfeng.accounts.domain import create_account, grant_post, set_identifier_right
from xianfeng.accounts.models import Post, Role, User
from xianfeng.compliance.calendar import Calendar
from xianfeng.core.demo_affairs import save_affairs
from xianfeng.core.history import current_via, history_user
from xianfeng.lib.cipher import get_cipher, lookup_hash
from xianfeng.lib.dates import today
from xianfeng.lib.idcard import make_id_number, mask_id_number
from xianfeng.lib.pinyin import initials, person_initials
from xianfeng.lib.sql import large_page_cache, refresh_statistics
from xianfeng.members.models import (
    Category,
    Flag,
    LeftReason,
    Member,
    Placement,
    Status,
    StatusSpell,
    TemporaryMembership,
    Transfer,
    TransferStatus,
)
from xianfeng.orglife.models import (
    Attachment,
    Attendance,
    AttendanceStatus,
    Exemption,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
)
from xianfeng.orgs.models import (
    MEMBER_KINDS,
    VENUE_ITEMS,
    Budget,
    ContactPoint,
    Level,
    Org,
    OrgKind,
    Seat,
    SeatRole,
    Sector,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
    VisitKind,
)
from xianfeng.study.demo import delete_study_demo, save_study

K, L, S, C, M = OrgKind, Level, Sector, Category, MeetingKind

SCALES = ("town", "county", "city")
SCALE_LABELS = {"town": "乡镇", "county": "县", "city": "市"}
# Demo only: printed with the demo accounts; never use it on a real installation.
DEMO_PASSWORD = "xianfeng-demo"
DEMO_ROOT_CODES = frozenset({"CITY", "C01", "C01-T01"})
EARLIEST_AS_OF = dt.date(2010, 1, 1)
COMMITTEE_KINDS = frozenset({K.PARTY_COMMITTEE, K.WORKING_COMMITTEE, K.INDUSTRY_JOINT_ORG})

Progress = Callable[[int, int, str], None]


class DemoError(Exception):
    """A demo that cannot be built; the message is Chinese, for the command line."""


# --- demo accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    label: str
    role: str  # post role, "" for an account without a post
    place: str  # root, county, town, branch (the secretary's branch) or member
    identifiers: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_admin", "组织部管理员（全辖区）", Role.ADMIN, "root"),
    DemoAccount("demo_county_officer", "县级党务工作者", Role.OFFICER, "county"),
    DemoAccount("demo_viewer", "查看者（全辖区只读）", Role.VIEWER, "root"),
    DemoAccount("demo_town_admin", "乡镇管理员", Role.ADMIN, "town"),
    DemoAccount("demo_secretary", "村党支部书记（只看本支部）", Role.ADMIN, "branch"),
    DemoAccount("demo_member", "普通党员（只看本人档案）", "", "member"),
    DemoAccount("demo_identifiers", "可查看完整身份证号的党务工作者", Role.OFFICER, "root", True),
)
DEMO_USERNAMES = tuple(account.username for account in DEMO_ACCOUNTS)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def demo_accounts_table() -> str:
    """The demo accounts with their password and where their post is, as a text table."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("member")
    }
    if not users:
        return "数据库中没有演示账号（用 xianfeng demo 生成示范数据时创建）。"
    posts = {
        p.user_id: p
        for p in Post.objects.filter(user__in=users.values(), is_active=True).select_related("org")
    }
    rows = [("用户名", "身份", "岗位所在组织 / 对应党员")]
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        post = posts.get(user.pk)
        where = f"{post.org.name}（{post.get_role_display()}）" if post else ""
        if user.member is not None:
            where = f"{where}；党员 {user.member.name}" if where else f"党员 {user.member.name}"
        rows.append((account.username, account.label, where))
    widths = [max(_width(row[i]) for row in rows) for i in range(2)]
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}，仅供演示，切勿用于正式环境）："]
    lines += [
        "  " + "  ".join(_pad(c, w) for c, w in zip(row[:2], widths, strict=True)) + "  " + row[2]
        for row in rows
    ]
    return "\n".join(lines)


# --- summary ----------------------------------------------------------------------------


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

    def lines(self) -> list[str]:
        status = "，".join(f"{Status(s).label} {self.by_status.get(s, 0):,}" for s in Status.values)
        return [
            f"示范数据（{SCALE_LABELS[self.scale]}级，种子 {self.seed}，截至 {self.as_of:%Y-%m-%d}）"
            f"已生成，用时 {self.seconds:.1f} 秒：",
            f"  党组织 {self.orgs:,} 个（另有党小组 {self.party_groups:,} 个）",
            f"  党员 {self.members:,} 名：{status}",
            f"  组织关系转接：转接中 {self.transfers_in_transit:,} 笔，近一年已接收 "
            f"{self.transfers_received:,} 笔",
            f"  在任班子成员 {self.seats:,} 人次",
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
        ]


# --- fictional names and code tables ------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CITY_NAME, CITY_REGION = "示范市", "320600"
COUNTY_NAMES = _words(
    "东山县 西河县 南湖区 北岭县 清溪县 云台县 金水区 柳林县 石门县 桃源县 凤鸣县 龙泉县"
)
PLACE_FIRST = "青白红黄金银石柳桃杏松竹梅兰龙凤马鹤云星月长永新太平安丰福双三五七九大小高东西南北"
PLACE_SECOND = "山河湖桥林泉岭溪庄集店坪塘口坝湾沟峰岗滩田园台阳川"
VILLAGE_FIRST = (
    "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许"
    "东西南北前后上下大小新老古石沙柳杏桃梨枣松竹梅兰青红白金龙凤"
)
VILLAGE_SECOND = "庄集寨屯营店桥湾沟坡岭河湖塘圩岗坊园堡楼"
STREET_NAMES = _words("城关 城东 城西 城南 城北 滨江 新城 文昌 朝阳 人民")
COMMUNITY_NAMES = _words(
    "幸福 和平 光明 阳光 锦绣 翠苑 花园 文昌 春晖 东湖 滨河 新城 丽景 悦来 金桥 银杏 桂花 紫荆 "
    "育才 振兴 康乐 长青 明珠 富康"
)
COMPANY_WORDS = _words(
    "瑞丰 恒信 华盛 金源 鑫泰 永昌 嘉禾 博远 宏达 润禾 天成 汇通 兴业 德润 锦程 安泰 远航 信诚 "
    "联创 丰源"
)
INDUSTRIES = _words(
    "农业科技 食品 纺织 机械制造 建材 电子科技 物流 商贸 生物医药 新能源 包装材料 家居"
)
# County (city) departments: the prefix is the place name, e.g. 东山县 + 委组织部.
DEPARTMENTS = _words(
    "委办公室 政府办公室 纪委监委 委组织部 委宣传部 委统战部 委政法委 发展和改革局 教育局 公安局 "
    "财政局 人力资源和社会保障局 自然资源和规划局 住房和城乡建设局 交通运输局 农业农村局 "
    "卫生健康委员会 民政局 司法局 生态环境局 水利局 商务局 文化广电和旅游局 退役军人事务局 "
    "应急管理局 审计局 市场监督管理局 统计局 医疗保障局 科技局 工业和信息化局 信访局 人民法院 "
    "人民检察院 总工会 团委 妇联 科协 税务局 林业局"
)
INSTITUTIONS = _words(
    "疾病预防控制中心 融媒体中心 档案馆 图书馆 农业技术推广中心 公共资源交易中心 不动产登记中心 "
    "住房公积金管理中心 社会保险服务中心 政务服务中心 城市管理综合执法大队 水利工程管理处 文化馆 "
    "妇幼保健院 急救中心"
)
ORDINALS = "一二三四五六七八九十"
# Members born elsewhere: region codes of other places (first two digits are real provinces).
OTHER_REGIONS = _words(
    "320102 320583 321002 340104 370102 410105 420106 430102 510107 330106 130102 110105 "
    "360102 440305"
)
MINORITIES = _words("02 03 04 05 06 08 09 10 11 12 15 16")
TRANSFER_REASONS = ("工作调动", "居住地变更", "外出务工", "毕业分配", "退休后回原籍", "随迁")

# ORG-07 … ORG-09: who keeps contact points (the national org.contact.leader_kinds), what a
# visit is about, what the activity money buys.
LEADER_KINDS = frozenset({K.PARTY_COMMITTEE, K.WORKING_COMMITTEE})
BUDGET_PER_MEMBER = 600  # yuan a member a year: seed 003's org.budget.per_member_yuan
GROUP_KINDS = frozenset({K.PARTY_GROUP, K.TEMPORARY_ORG})  # no venue, staff or budget
VENUE_VILLAGE_KINDS = frozenset({K.BRANCH, K.GENERAL_BRANCH, K.JOINT_BRANCH})
VENUE_ITEM_FIELDS = tuple(VENUE_ITEMS)
BUDGET_KINDS = frozenset({K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH})
VISIT_KINDS = (VisitKind.VISIT, VisitKind.GUIDANCE, VisitKind.REPORT, VisitKind.PROBLEM)
VISIT_WEIGHTS = (45, 20, 20, 15)
VISIT_TOPICS = _words(
    "党员教育管理 发展党员工作 “三会一课”落实 基层组织建设 党员先锋作用发挥 为民办实事 "
    "党务公开 主题党日活动 党风廉政建设 乡村振兴 基层治理"
)
VISIT_PROBLEMS = _words(
    "党员活动室漏雨维修 党建工作经费保障 流动党员联系管理 远程教育设备老化 困难党员帮扶 "
    "党员组织关系转接遗留 党建阵地标识更新 年轻党员发展断档"
)
VISIT_TEXTS: dict[str, tuple[str, ...]] = {
    VisitKind.VISIT: (
        "到{org}走访调研，了解{topic}情况",
        "走访{org}老党员和困难党员，听取意见建议",
        "到{org}调研{topic}，与支部班子成员座谈",
    ),
    VisitKind.GUIDANCE: (
        "指导{org}开展主题党日活动",
        "参加{org}组织生活会并作点评",
        "指导{org}做好{topic}",
        "到{org}讲专题党课",
    ),
    VisitKind.REPORT: (
        "听取{org}党建工作汇报，研究{topic}",
        "听取{org}书记抓基层党建工作情况汇报",
    ),
    VisitKind.PROBLEM: (
        "协调解决{org}{problem}问题",
        "帮助{org}解决{problem}问题",
    ),
}
# Monthly-ish spending of the activity budget: every month a 主题党日, seasonal items,
# now and then something else (purpose, relative size).
SPENDING_MONTHLY = ("主题党日活动", 10)
SPENDING_SEASONAL = {
    1: ("春节走访慰问困难党员", 30),
    3: ("党课教材和学习资料", 14),
    6: ("“七一”表彰和慰问老党员", 30),
    9: ("党建阵地维护", 20),
    11: ("订阅下一年度党报党刊", 22),
}
SPENDING_OTHER = (
    ("党员教育培训", 16),
    ("党课教材和学习资料", 8),
    ("党建阵地维护", 12),
    ("党务公开栏更新", 6),
    ("党员志愿服务活动", 8),
    ("慰问困难党员", 12),
)

# LIFE records (LIFE-01 … LIFE-05)
LIFE_TOPICS: dict[str, tuple[str, ...]] = {
    M.THEME_DAY: _words("主题党日：学习党的创新理论 主题党日：志愿服务 主题党日：重温入党誓词"),
    M.GENERAL_MEETING: _words("通报支部工作 讨论发展党员 民主评议党员 传达上级会议精神"),
    M.COMMITTEE_MEETING: _words("研究本月工作 研究发展党员 研究党费收缴 研究主题党日安排"),
    M.PARTY_GROUP_MEETING: _words("学习党章 交流思想 学习上级文件"),
    M.PARTY_LESSON: _words("学习党的二十大精神 加强党性修养 严守纪律规矩 弘扬优良作风"),
    M.LIFE_MEETING: _words("年度组织生活会 专题组织生活会"),
    M.LEADERSHIP_LIFE_MEETING: _words("年度民主生活会 专题民主生活会"),
}
LIFE_PLACES: dict[str, str] = {M.THEME_DAY: "党群服务中心", M.LEADERSHIP_LIFE_MEETING: "会议室"}
OFF_DAY_REASONS = ("农忙时节，经支委会研究调整", "上级集中培训，调整时间", "防汛值守，顺延开展")

# Per profile (what an org's members are like): primary categories with weights,
# share of men, education codes (GB/T 4658) with weights, occupations.
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "village": ((C.RURAL, C.MOBILE, C.FRAIL, C.RETIRED, C.IN_SERVICE), (72, 12, 9, 4, 3)),
    "community": ((C.RETIRED, C.IN_SERVICE, C.FRAIL, C.MOBILE, C.RURAL), (45, 30, 10, 12, 3)),
    "retired": ((C.RETIRED, C.FRAIL), (80, 20)),
    "enterprise": ((C.IN_SERVICE, C.MOBILE), (92, 8)),
    "student": ((C.STUDENT,), (1,)),
}
MALE_SHARE = {
    "village": 0.75,
    "community": 0.55,
    "organ": 0.7,
    "institution": 0.55,
    "retired": 0.65,
    "enterprise": 0.7,
    "social": 0.6,
    "school": 0.45,
    "hospital": 0.4,
    "student": 0.45,
}
EDUCATION: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "village": (("80", "70", "60", "40", "30", "20"), (15, 45, 20, 10, 7, 3)),
    "community": (("70", "60", "40", "30", "20", "10"), (20, 25, 15, 20, 17, 3)),
    "organ": (("10", "20", "30", "60"), (20, 60, 18, 2)),
    "professional": (("10", "20", "30"), (20, 55, 25)),
    "enterprise": (("10", "20", "30", "40", "60"), (5, 35, 35, 15, 10)),
    "student": (("60", "40"), (70, 30)),
}
OCCUPATIONS = {
    "village": ("农民", "村干部", "种养殖户", "农村个体工商户"),
    "community": ("社区工作者", "个体工商户", "企业职工", "自由职业者"),
    "organ": ("公务员", "参照公务员法管理人员", "机关工勤人员"),
    "institution": ("专业技术人员", "事业单位管理人员"),
    "enterprise": ("企业管理人员", "专业技术人员", "企业职工"),
    "social": ("社会组织从业人员", "律师", "会计师"),
    "school": ("教师", "学校管理人员"),
    "hospital": ("医生", "护士", "医院管理人员", "药剂师"),
}
AGES: dict[str, tuple[int, int, int]] = {  # (low, high, mode) age on the as-of date
    C.RURAL: (22, 86, 56),
    C.IN_SERVICE: (23, 60, 42),
    C.RETIRED: (58, 92, 70),
    C.FRAIL: (72, 96, 82),
    C.MOBILE: (21, 55, 35),
    C.STUDENT: (20, 24, 21),
}


@dataclass(frozen=True)
class _Profile:
    """How big a scale is: counts per county and town, sizes in full members."""

    counties: int
    towns: tuple[int, int]
    streets: int
    villages: tuple[int, int]
    communities: tuple[int, int]
    street_communities: tuple[int, int]
    enterprises: tuple[int, int]
    village_full: tuple[int, int, int]  # low, high, mode
    departments: int
    institutions: int
    general_share: float  # share of departments with a general branch
    county_enterprises: tuple[int, int]


PROFILES = {
    "town": _Profile(
        counties=0, towns=(1, 1), streets=0, villages=(10, 11), communities=(2, 2),
        street_communities=(0, 0), enterprises=(2, 2), village_full=(6, 36, 22),
        departments=0, institutions=0, general_share=0, county_enterprises=(0, 0),
    ),
    "county": _Profile(
        counties=0, towns=(15, 15), streets=2, villages=(7, 8), communities=(1, 2),
        street_communities=(4, 5), enterprises=(1, 2), village_full=(10, 46, 32),
        departments=16, institutions=4, general_share=0.1, county_enterprises=(3, 4),
    ),
    "city": _Profile(
        counties=10, towns=(14, 16), streets=3, villages=(37, 43), communities=(3, 4),
        street_communities=(6, 9), enterprises=(4, 6), village_full=(18, 50, 42),
        departments=38, institutions=14, general_share=0.25, county_enterprises=(18, 24),
    ),
}  # fmt: skip


@functools.cache
def _cumulative(weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(itertools.accumulate(weights))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + dt.timedelta(days=1)


def _month_end(day: dt.date) -> dt.date:
    following = day.replace(day=28) + dt.timedelta(days=4)
    return following - dt.timedelta(days=following.day)


def _yuan(value: float) -> Decimal:
    """An amount of money rounded to half a yuan, with two decimal places."""
    return (Decimal(round(value * 2)) / 2).quantize(Decimal("0.01"))


def _base_name(name: str) -> str:
    """An org's name without the kind: 青山镇张庄村党支部 → 青山镇张庄村."""
    for suffix in ("党工委", "党总支", "党支部", "党委", "工委"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _step(position: int) -> str:
    """The treebeard path step of the child at `position` (from 1): base 36, 4 characters."""
    digits = ""
    while position:
        position, rest = divmod(position, len(Org.alphabet))
        digits = Org.alphabet[rest] + digits
    return digits.rjust(Org.steplen, Org.alphabet[0])


# --- loading ----------------------------------------------------------------------------


class _Inserter:
    """Fast inserts for the bulk load: COPY on PostgreSQL, executemany on SQLite.

    `bulk_create` spends most of a city load compiling values one by one; here a row is
    read from an instance with one attrgetter and only dates and JSON are adapted. The
    columns still come from the model, so a field added later gets its default. Tracked
    models get their ids here (dependants and history rows need them) and one "+" history
    row each, like `bulk_create_with_history`.
    """

    def __init__(self, via: str, now: dt.datetime):
        self.via, self.now = via, now
        self.next_ids: dict[type[models.Model], int] = {}
        user = history_user()
        self.user_id = user.pk if user is not None else None

    def _adapter(self, field: models.Field) -> Callable[[Any], Any] | None:  # type: ignore[type-arg]
        kind = field.get_internal_type()
        if kind == "DateField":
            return connection.ops.adapt_datefield_value
        if kind == "DateTimeField":  # nearly always self.now: adapt each value once
            adapted: dict[Any, Any] = {}

            def adapt(value: Any) -> Any:
                if value not in adapted:
                    adapted[value] = field.get_db_prep_save(value, connection)
                return adapted[value]

            return adapt
        if kind == "JSONField":  # member flags: a few distinct lists
            encoded: dict[Any, Any] = {}

            def encode(value: Any) -> Any:
                key = tuple(value) if isinstance(value, list) else repr(value)
                if key not in encoded:
                    encoded[key] = field.get_db_prep_save(value, connection)
                return encoded[key]

            return encode
        if kind in {"DecimalField", "TimeField", "UUIDField"}:
            return lambda value: field.get_db_prep_save(value, connection)
        return None

    def _execute(self, model: type[models.Model], fields: list[Any], rows: list[Any]) -> None:
        """Write `rows` (tuples in the order of `fields`): COPY on PostgreSQL, else executemany."""
        adapters = [(i, a) for i, f in enumerate(fields) if (a := self._adapter(f))]

        def adapted() -> Iterator[Any]:
            if not adapters:  # attendance: millions of rows of plain values
                yield from rows
                return
            for row in rows:
                values = list(row)
                for i, adapt in adapters:
                    values[i] = adapt(values[i])
                yield values

        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in adapted():
                        copy.write_row(values)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
                cursor.executemany(sql, adapted())  # type: ignore[arg-type]  # any iterable

    def rows(
        self, model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Insert plain tuples (values of `names`); the other fields get their defaults."""
        given = [model._meta.get_field(name) for name in names]
        rest = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
        defaults = tuple(self.now if _is_auto_time(f) else f.get_default() for f in rest)
        self._execute(model, given + rest, rows if not rest else [row + defaults for row in rows])

    def objects(self, model: type[models.Model], objs: list[Any]) -> None:
        """Insert unsaved instances with ids assigned here, and their history rows."""
        if not objs:
            return
        if model not in self.next_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) "
                    f"FROM {connection.ops.quote_name(model._meta.db_table)}"
                )
                self.next_ids[model] = (cursor.fetchone()[0] or 0) + 1
        auto = [f.attname for f in model._meta.concrete_fields if _is_auto_time(f)]
        for number, obj in enumerate(objs, start=self.next_ids[model]):
            obj.pk = number
            for name in auto:
                setattr(obj, name, self.now)
        self.next_ids[model] += len(objs)
        fields = list(model._meta.concrete_fields)
        read = attrgetter(*(f.attname for f in fields))
        self._execute(model, fields, [read(obj) for obj in objs])
        if hasattr(model, "history"):
            self._history(model, objs)

    def _history(self, model: type[models.Model], objs: list[Any]) -> None:
        history = model.history.model  # type: ignore[attr-defined]
        constants = {
            "history_date": self.now,
            "history_change_reason": self.via,
            "history_type": "+",
            "history_user_id": self.user_id,
        }
        fields = [f for f in history._meta.concrete_fields if not f.primary_key]
        copied = [f for f in fields if f.attname not in constants]
        tail = tuple(constants[f.attname] for f in fields if f.attname in constants)
        read = attrgetter(*(f.attname for f in copied))
        self._execute(
            history,
            copied + [f for f in fields if f.attname in constants],
            [read(obj) + tail for obj in objs],
        )

    def reset_sequences(self) -> None:
        """Let the database's own id sequences continue after the ids assigned here."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.next_ids)):
                cursor.execute(sql)


def _is_auto_time(field: Any) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


# --- the plan ---------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _OrgPlan:
    code: str
    name: str
    kind: str
    level: str
    sector: str
    founded_on: dt.date
    parent: _OrgPlan | None
    block: int
    region_code: str
    profile: str = ""  # what its members are like: village, community, organ, …
    full: int = 0  # full members to place (branch-level orgs)
    unit_name: str = ""
    unit_headcount: int | None = None
    children: list[_OrgPlan] = field(default_factory=list)
    groups: list[_OrgPlan] = field(default_factory=list)
    path: str = ""
    obj: Org | None = None  # once saved
    elected: dt.date | None = None  # the current term's election (ORG-04)
    previous: dt.date | None = None  # the election before it, when the org existed then
    term_years: int = 0

    @property
    def pk(self) -> int:
        assert self.obj is not None, "orgs are saved before members are planned"
        return self.obj.pk


@dataclass(eq=False, slots=True)
class _Person:
    member: Member
    org: _OrgPlan
    start: dt.date  # start of the current placement
    spells: list[tuple[str, dt.date, dt.date | None, str]]
    prior: _OrgPlan | None = None  # org before a transfer received in the last year
    prior_start: dt.date | None = None
    in_transit: bool = False
    seated: bool = False


@dataclass(eq=False, slots=True)
class _Stay:
    """A member in an org as a full or probationary member, [start, end)."""

    person: _Person
    start: dt.date
    end: dt.date | None
    full_on: dt.date | None


_TransferRow = tuple[_Person, _OrgPlan, _OrgPlan, str, dt.date, dt.date | None]
_TemporaryRow = tuple[_OrgPlan, _Person, dt.date, dt.date | None]


@dataclass(eq=False, slots=True)
class _SeatPlan:
    org: _OrgPlan
    role: str
    title: str
    person: _Person
    started_on: dt.date
    ended_on: dt.date | None = None


class _Builder:
    """Plans and bulk-loads one demo jurisdiction.

    All randomness comes from `rng` and the Faker instance, both seeded with the seed and
    drawn in a fixed order, so the same seed and as-of date give the same data.
    """

    def __init__(self, scale: str, seed: int, as_of: dt.date, progress: Progress | None):
        self.scale, self.as_of = scale, as_of
        self.profile = PROFILES[scale]
        self.seed = seed
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.progress = progress or (lambda done, total, message: None)
        self.orgs: list[_OrgPlan] = []
        self.block = 0
        self.irregular: list[tuple[str, str]] = []
        self.used_ids: set[str] = set()
        self.used_places: set[str] = set()
        self.member_seq = 0
        self.letter_seq = 0
        self.initials: dict[str, str] = {}
        self.cipher = get_cipher()
        self.via = current_via()[:100]
        self.now = timezone.now()
        self.insert = _Inserter(self.via, self.now)
        self.total = 0
        # ORG-07 … ORG-09 records draw from a stream of their own (members stay as they were)
        self.support = random.Random(f"{seed}:support")
        self.office: _OrgPlan | None = None  # the root of seed 003's subtree
        self.office_orgs: set[int] = set()  # id() of the plans in it
        self.support_gaps: list[tuple[str, str]] = []
        self.targets: dict[_OrgPlan, list[_OrgPlan]] = {}
        # LIFE records too have a stream of their own
        self.life = random.Random(f"{seed}:life")
        self.affairs = random.Random(f"{seed}:affairs")  # LIFE-07/08: core.demo_affairs
        self.life_gaps: list[tuple[str, str]] = []
        self.meetings: list[tuple[Meeting, list[tuple[Any, bool]], str]] = []
        self.attendance = 0
        self.gaibei: str | None = None  # the path of the subtree seed 004 goes on
        self.calendar: Any = None

    # random helpers
    def _day(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def _ago(self, low_days: int, high_days: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.rng.randint(low_days, high_days))

    def _year_day(self, first: int, last: int) -> dt.date:
        return self._day(dt.date(first, 1, 1), dt.date(last, 12, 31))

    def _tri(self, low: int, high: int, mode: int) -> int:
        return round(self.rng.triangular(low, high, mode))

    def _unique_place(self, first: str, second: str, suffix: str = "") -> str:
        for _ in range(1000):
            name = self.rng.choice(first) + self.rng.choice(second) + suffix
            if name not in self.used_places:
                self.used_places.add(name)
                return name
        raise DemoError("虚构地名已用尽")  # pragma: no cover

    # --- org tree ---------------------------------------------------------------------
    def _add(
        self,
        parent: _OrgPlan | None,
        code: str,
        name: str,
        kind: str,
        level: str,
        sector: str,
        founded: dt.date,
        *,
        profile: str = "",
        full: int = 0,
        region: str = "",
        unit: str = "",
        headcount: int | None = None,
        groups: bool = True,
    ) -> _OrgPlan:
        if parent is not None:
            founded = max(founded, parent.founded_on)
        cap = self.as_of - dt.timedelta(days=1100 if kind != K.TEMPORARY_ORG else 30)
        plan = _OrgPlan(
            code=code,
            name=name,
            kind=kind,
            level=level,
            sector=sector,
            founded_on=min(founded, cap),
            parent=parent,
            block=self.block,
            region_code=region or (parent.region_code if parent else ""),
            profile=profile,
            full=full,
            unit_name=unit,
            unit_headcount=headcount,
        )
        self.orgs.append(plan)
        if parent is not None:
            parent.children.append(plan)
        if kind in MEMBER_KINDS and groups and full >= 18 and self.rng.random() > 0.02:
            self._add_groups(plan)
        return plan

    def _add_groups(self, branch: _OrgPlan) -> None:
        count = 2 if branch.full < 35 else 3 if branch.full < 48 else 4
        for i in range(count):
            group = self._add(
                branch,
                f"{branch.code}-P{i + 1}",
                f"第{ORDINALS[i]}党小组",
                K.PARTY_GROUP,
                branch.level,
                branch.sector,
                self._year_day(2012, 2022),
                groups=False,
            )
            branch.groups.append(group)

    def _branch(
        self,
        parent: _OrgPlan,
        code: str,
        name: str,
        sector: str,
        profile: str,
        full: int,
        founded: dt.date,
        *,
        level: str = L.UNIT,
        kind: str = K.BRANCH,
        groups: bool = True,
        **fields: Any,
    ) -> _OrgPlan:
        return self._add(
            parent,
            code,
            name,
            kind,
            level,
            sector,
            founded,
            profile=profile,
            full=full,
            groups=groups,
            **fields,
        )

    def _general(
        self,
        parent: _OrgPlan,
        code: str,
        name: str,
        sector: str,
        profile: str,
        founded: dt.date,
        parts: list[int],
        part_names: list[str],
        *,
        level: str = L.UNIT,
        kind: str = K.GENERAL_BRANCH,
        **fields: Any,
    ) -> _OrgPlan:
        """A general branch (or committee) with one branch per entry of `parts`."""
        org = self._add(parent, code, name, kind, level, sector, founded, **fields)
        for i, (size, part) in enumerate(zip(parts, part_names, strict=True), start=1):
            self._branch(
                org,
                f"{code}-B{i:02d}",
                part,
                sector,
                profile,
                size,
                self._year_day(1990, 2015),
                level=level,
            )
        return org

    def _split(self, total_low: int, total_high: int, parts: int, low: int, high: int) -> list[int]:
        """`parts` sizes in [low, high] whose sum lies in [total_low, total_high]."""
        while True:
            sizes = [self.rng.randint(low, high) for _ in range(parts)]
            if total_low <= sum(sizes) <= total_high:
                return sizes

    def plan(self) -> _OrgPlan:
        if self.scale == "city":
            return self._plan_city()
        if self.scale == "county":
            return self._plan_county(None, "C01", COUNTY_NAMES[0], "320611")
        return self._plan_town(None, "C01-T01", "", "320611", street=False, irregular=True)

    def _plan_city(self) -> _OrgPlan:
        root = self._add(
            None,
            "CITY",
            f"中共{CITY_NAME}委员会",
            K.PARTY_COMMITTEE,
            L.CITY,
            "",
            dt.date(1949, 5, 1),
            region=CITY_REGION,
        )
        self._plan_organs(root, "CITY-JG", CITY_NAME, L.CITY)
        for i in range(1, self.profile.counties + 1):
            self.block = i
            self._plan_county(root, f"C{i:02d}", COUNTY_NAMES[i - 1], f"3206{10 + i:02d}")
        return root

    def _plan_county(self, parent: _OrgPlan | None, code: str, name: str, region: str) -> _OrgPlan:
        county = self._add(
            parent,
            code,
            f"中共{name}委员会",
            K.PARTY_COMMITTEE,
            L.COUNTY,
            "",
            dt.date(1949, self.rng.randint(5, 12), 1),
            region=region,
        )
        self._plan_organs(county, f"{code}-JG", name, L.COUNTY)
        self._plan_county_units(county, code, name)
        towns = self.rng.randint(*self.profile.towns)
        for j in range(1, towns + 1):
            street = j > towns - self.profile.streets
            self._plan_town(
                county, f"{code}-T{j:02d}", name, region, street=street, irregular=j == 1
            )
        return county

    def _plan_organs(self, parent: _OrgPlan, code: str, prefix: str, level: str) -> None:
        """The 直属机关工委 with department and institution branches (sector government)."""
        p, rng = self.profile, self.rng
        organs = self._add(
            parent,
            code,
            f"{prefix}直属机关工委",
            K.WORKING_COMMITTEE,
            level,
            S.GOVERNMENT,
            self._year_day(1984, 1992),
        )
        for i, dept in enumerate(DEPARTMENTS[: p.departments], start=1):
            founded = self._year_day(1978, 1995)
            unit = f"{prefix}{dept}"
            if rng.random() < p.general_share:
                parts = self._split(55, 95, 3, 14, 40)
                names = [f"{prefix}{dept}机关第{ORDINALS[k]}党支部" for k in range(3)]
                general = self._general(
                    organs,
                    f"{code}-Z{i:02d}",
                    f"{prefix}{dept}机关党总支",
                    S.GOVERNMENT,
                    "organ",
                    founded,
                    parts,
                    names,
                    unit=unit,
                    headcount=self._organ_headcount(2 + len(parts), sum(parts)),
                )
                for branch in general.children:  # same unit: the general branch is its top
                    branch.unit_name = unit
            else:
                full = self._tri(6, 42, 18)
                self._branch(
                    organs,
                    f"{code}-B{i:02d}",
                    f"{prefix}{dept}机关党支部",
                    S.GOVERNMENT,
                    "organ",
                    full,
                    founded,
                    unit=unit,
                    headcount=self._organ_headcount(1, full),
                )
        for i, inst in enumerate(INSTITUTIONS[: p.institutions], start=1):
            full, founded = self._tri(4, 34, 12), self._year_day(1985, 2005)
            if i == 3:  # 档案馆 is small: its one full-time staff member is above 2%
                headcount = self.support.randint(max(full + 6, 28), max(full + 6, 45))
            else:
                headcount = self._organ_headcount(1, full)
            self._branch(
                organs,
                f"{code}-S{i:02d}",
                f"{prefix}{inst}党支部",
                S.INSTITUTION,
                "institution",
                full,
                founded,
                unit=f"{prefix}{inst}",
                headcount=headcount,
            )
        self._branch(
            organs,
            f"{code}-R01",
            f"{prefix}直属机关离退休干部党支部",
            S.GOVERNMENT,
            "retired",
            rng.randint(22, 46),
            self._year_day(1990, 2000),
        )

    def _organ_headcount(self, staff: int, members: int) -> int:
        """Staff of an office whose `staff` full-time party-affairs posts make 1.1–1.9% of
        it (seed 003: 1–2%), and more than its party members."""
        ratio = self.support.uniform(0.011, 0.019)
        return max(round(staff / ratio), round(members * self.support.uniform(1.3, 1.6)))

    def _plan_county_units(self, county: _OrgPlan, code: str, name: str) -> None:
        """County-level SOE, hospital, schools, the non-public sector, industry and project orgs."""
        rng = self.rng
        parts = ["综合管理", "工程建设", "资产运营", "物业服务"]
        self._general(
            county,
            f"{code}-GQ",
            f"{name}城市建设投资集团有限公司党委",
            S.SOE,
            "enterprise",
            self._year_day(2003, 2012),
            self._split(105, 150, 4, 22, 44),
            [f"{name}城投集团{p}党支部" for p in parts],
            kind=K.PARTY_COMMITTEE,
            unit=f"{name}城市建设投资集团有限公司",
            headcount=rng.randint(400, 900),
        )
        parts = ["行政后勤", "内科", "外科", "医技", "护理"]
        self._general(
            county,
            f"{code}-YY",
            f"{name}人民医院党委",
            S.HOSPITAL,
            "hospital",
            self._year_day(1958, 1985),
            self._split(105, 160, 5, 16, 40),
            [f"{name}人民医院{p}党支部" for p in parts],
            kind=K.PARTY_COMMITTEE,
            unit=f"{name}人民医院",
            headcount=rng.randint(600, 1500),
        )
        self._general(
            county,
            f"{code}-ZX",
            f"{name}第一中学党总支",
            S.SCHOOL,
            "school",
            self._year_day(1958, 1990),
            self._split(55, 95, 3, 16, 36),
            [f"{name}第一中学{p}党支部" for p in ("高一", "高二", "高三")],
            unit=f"{name}第一中学",
            headcount=rng.randint(180, 320),
        )
        vocational = self._add(
            county,
            f"{code}-ZJ",
            f"{name}职业教育中心党总支",
            K.GENERAL_BRANCH,
            L.UNIT,
            S.SCHOOL,
            self._year_day(1985, 2000),
            unit=f"{name}职业教育中心",
            headcount=rng.randint(150, 260),
        )
        self._branch(
            vocational,
            f"{code}-ZJ-B01",
            f"{name}职业教育中心教职工党支部",
            S.SCHOOL,
            "school",
            rng.randint(33, 45),
            self._year_day(1990, 2005),
        )
        self._branch(
            vocational,
            f"{code}-ZJ-B02",
            f"{name}职业教育中心学生党支部",
            S.SCHOOL,
            "student",
            rng.randint(18, 30),
            self._year_day(2005, 2015),
        )
        self._plan_non_public(county, code, name)
        self._plan_joint_and_project(
            county, code, name, "物流", "重点项目建设", L.COUNTY, S.GOVERNMENT
        )

    def _plan_joint_and_project(
        self,
        parent: _OrgPlan,
        code: str,
        name: str,
        trade: str,
        project: str,
        level: str,
        project_sector: str,
    ) -> None:
        """An industry joint org (ORG-01) and a project's temporary branch under `parent`."""
        industry = self._add(
            parent,
            f"{code}-HY",
            f"{name}{trade}行业联合党委",
            K.INDUSTRY_JOINT_ORG,
            level,
            S.PRIVATE,
            self._year_day(2015, 2021),
        )
        self._plan_industry(industry, f"{code}-HY", name)
        self._add(
            parent,
            f"{code}-LS",
            f"{name}{project}临时党支部",
            K.TEMPORARY_ORG,
            L.UNIT,
            project_sector,
            self._ago(90, 330),
        )

    def _company(self, place: str) -> str:
        rng = self.rng
        return f"{place}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"

    def _plan_non_public(self, county: _OrgPlan, code: str, name: str) -> None:
        rng = self.rng
        wc = self._add(
            county,
            f"{code}-FG",
            f"{name}非公有制经济组织和社会组织党工委",
            K.WORKING_COMMITTEE,
            L.COUNTY,
            S.PRIVATE,
            self._year_day(2008, 2014),
        )
        for i in range(1, rng.randint(*self.profile.county_enterprises) + 1):
            company = self._company(name)
            self._branch(
                wc,
                f"{code}-FG-E{i:02d}",
                f"{company}党支部",
                S.PRIVATE,
                "enterprise",
                self._tri(3, 40, 10),
                self._year_day(2005, 2020),
                unit=company,
                headcount=rng.randint(30, 1500),
            )
        for i, assoc in enumerate(("律师协会", "个体劳动者协会"), start=1):
            self._branch(
                wc,
                f"{code}-FG-O{i:02d}",
                f"{name}{assoc}党支部",
                S.SOCIAL,
                "social",
                rng.randint(5, 18),
                self._year_day(2008, 2020),
                unit=f"{name}{assoc}",
            )
        units = [self._company(name) for _ in range(rng.randint(3, 5))]
        self._branch(
            wc,
            f"{code}-FG-L01",
            f"{name}小微企业联合党支部",
            S.PRIVATE,
            "enterprise",
            rng.randint(6, 15),
            self._year_day(2012, 2022),
            kind=K.JOINT_BRANCH,
            unit="、".join(units),
        )

    def _plan_industry(self, industry: _OrgPlan, code: str, place: str) -> None:
        rng = self.rng
        for i in range(1, rng.randint(2, 3) + 1):
            company = f"{place}{rng.choice(COMPANY_WORDS)}物流有限公司"
            self._branch(
                industry,
                f"{code}-B{i:02d}",
                f"{company}党支部",
                S.PRIVATE,
                "enterprise",
                rng.randint(4, 16),
                self._year_day(2012, 2021),
                unit=company,
            )
        units = [f"{place}{w}快递服务部" for w in rng.sample(COMPANY_WORDS, 3)]
        self._branch(
            industry,
            f"{code}-L01",
            f"{place}快递企业联合党支部",
            S.PRIVATE,
            "enterprise",
            rng.randint(5, 12),
            self._year_day(2016, 2022),
            kind=K.JOINT_BRANCH,
            unit="、".join(units),
        )

    def _plan_town(
        self,
        parent: _OrgPlan | None,
        code: str,
        county: str,
        region: str,
        *,
        street: bool,
        irregular: bool,
    ) -> _OrgPlan:
        p, rng = self.profile, self.rng
        if street:
            town_name = f"{county}{rng.choice(STREET_NAMES)}街道"
            while town_name in self.used_places:
                town_name = f"{county}{rng.choice(STREET_NAMES)}街道"
            self.used_places.add(town_name)
            town = self._add(
                parent,
                code,
                f"{town_name}党工委",
                K.PARTY_COMMITTEE,
                L.TOWN,
                S.COMMUNITY,
                self._year_day(1980, 2005),
                region=region,
            )
        else:
            town_name = self._unique_place(PLACE_FIRST, PLACE_SECOND, rng.choice("镇镇镇镇乡"))
            town = self._add(
                parent,
                code,
                f"{town_name}党委",
                K.PARTY_COMMITTEE,
                L.TOWN,
                S.RURAL,
                self._year_day(1950, 1958),
                region=region,
            )
        self._branch(
            town,
            f"{code}-J01",
            f"{town_name}机关党支部",
            S.GOVERNMENT,
            "organ",
            rng.randint(14, 34),
            self._year_day(1978, 1990),
            unit=f"{town_name}人民政府",
        )
        if not street:
            self._branch(
                town,
                f"{code}-X01",
                f"{town_name}中心小学党支部",
                S.SCHOOL,
                "school",
                rng.randint(5, 19),
                self._year_day(1960, 1990),
            )
            self._branch(
                town,
                f"{code}-H01",
                f"{town_name}卫生院党支部",
                S.HOSPITAL,
                "hospital",
                rng.randint(4, 16),
                self._year_day(1960, 1990),
            )
        villages = 0 if street else rng.randint(*p.villages)
        places: set[str] = set()
        for v in range(1, villages + 1):
            self._plan_village(town, f"{code}-V{v:02d}", town_name, places)
        communities = rng.randint(*(p.street_communities if street else p.communities))
        for c in range(1, communities + 1):
            self._plan_community(town, f"{code}-S{c:02d}", town_name, places)
        for e in range(1, rng.randint(*p.enterprises) + 1):
            company = self._company(town_name)
            self._branch(
                town,
                f"{code}-E{e:02d}",
                f"{company}党支部",
                S.PRIVATE,
                "enterprise",
                self._tri(3, 30, 8),
                self._year_day(2005, 2020),
                unit=company,
                headcount=rng.randint(20, 600),
            )
        if irregular or rng.random() < 0.3:
            units = [self._company(town_name) for _ in range(rng.randint(3, 5))]
            self._branch(
                town,
                f"{code}-L01",
                f"{town_name}非公企业联合党支部",
                S.PRIVATE,
                "enterprise",
                rng.randint(5, 14),
                self._year_day(2012, 2022),
                kind=K.JOINT_BRANCH,
                unit="、".join(units),
            )
        if street:
            self._branch(
                town,
                f"{code}-O01",
                f"{town_name}社会组织联合党支部",
                S.SOCIAL,
                "social",
                rng.randint(4, 12),
                self._year_day(2012, 2022),
                kind=K.JOINT_BRANCH,
            )
        if irregular:
            self._plan_irregular(town, code, town_name, places)
        if parent is None:  # town scale: the industry and project orgs sit in the town
            self._plan_joint_and_project(
                town, code, town_name, "商贸物流", "乡村振兴项目", L.TOWN, S.RURAL
            )
        return town

    def _village_name(self, town_name: str, places: set[str], suffix: str) -> str:
        while True:
            place = self.rng.choice(VILLAGE_FIRST) + self.rng.choice(VILLAGE_SECOND)
            if place not in places:
                places.add(place)
                return f"{place}{suffix}"

    def _plan_village(self, town: _OrgPlan, code: str, town_name: str, places: set[str]) -> None:
        rng = self.rng
        village = self._village_name(town_name, places, "村")
        founded = self._year_day(1950, 1985)
        headcount = rng.randint(800, 4500)
        if rng.random() < 0.1:  # a big village: general branch with 2-4 branches
            count = rng.randint(2, 4)
            parts = self._split(55, 95, count, 14, 45)
            names = [f"{town_name}{village}第{ORDINALS[k]}党支部" for k in range(count)]
            self._general(
                town,
                code,
                f"{town_name}{village}党总支",
                S.RURAL,
                "village",
                founded,
                parts,
                names,
                level=L.VILLAGE,
                unit=village,
                headcount=headcount,
            )
        else:
            self._branch(
                town,
                code,
                f"{town_name}{village}党支部",
                S.RURAL,
                "village",
                self._tri(*self.profile.village_full),
                founded,
                level=L.VILLAGE,
                unit=village,
                headcount=headcount,
            )

    def _plan_community(self, town: _OrgPlan, code: str, town_name: str, places: set[str]) -> None:
        rng = self.rng
        while (name := rng.choice(COMMUNITY_NAMES)) in places:
            pass
        places.add(name)
        community, founded = f"{name}社区", self._year_day(1995, 2012)
        headcount = rng.randint(3000, 15000)
        if rng.random() < 0.2:
            parts = self._split(55, 95, 3, 15, 40)
            names = [f"{town_name}{community}{p}党支部" for p in ("第一", "第二", "离退休")]
            self._general(
                town,
                code,
                f"{town_name}{community}党总支",
                S.COMMUNITY,
                "community",
                founded,
                parts,
                names,
                level=L.VILLAGE,
                unit=community,
                headcount=headcount,
            )
        else:
            self._branch(
                town,
                code,
                f"{town_name}{community}党支部",
                S.COMMUNITY,
                "community",
                self._tri(12, 50, 36),
                founded,
                level=L.VILLAGE,
                unit=community,
                headcount=headcount,
            )

    def _plan_irregular(self, town: _OrgPlan, code: str, town_name: str, places: set[str]) -> None:
        """Orgs whose size does not fit their kind (ORG-03), one of each per county."""
        rng = self.rng
        company = self._company(town_name)
        small = self._branch(
            town,
            f"{code}-E09",
            f"{company}党支部",
            S.PRIVATE,
            "enterprise",
            2,
            self._year_day(2012, 2020),
            unit=company,
            headcount=35,
        )
        self.irregular.append((small.code, "党支部只有2名正式党员（不足3人，应建联合党支部）"))
        community = self._village_name(town_name, places, "社区")
        big = self._branch(
            town,
            f"{code}-S09",
            f"{town_name}{community}党支部",
            S.COMMUNITY,
            "community",
            rng.randint(55, 62),
            self._year_day(1995, 2010),
            level=L.VILLAGE,
            unit=community,
            headcount=12000,
        )
        self.irregular.append((big.code, f"党支部有{big.full}名正式党员（超过50人，应建党总支）"))
        village = self._village_name(town_name, places, "村")
        general = self._general(
            town,
            f"{code}-V98",
            f"{town_name}{village}党总支",
            S.RURAL,
            "village",
            self._year_day(1960, 1985),
            [22, 18],
            [f"{town_name}{village}第一党支部", f"{town_name}{village}第二党支部"],
            level=L.VILLAGE,
            unit=village,
            headcount=2600,
        )
        self.irregular.append((general.code, "党总支只有40名正式党员（不足51人）"))
        village = self._village_name(town_name, places, "村")
        flat = self._branch(
            town,
            f"{code}-V99",
            f"{town_name}{village}党支部",
            S.RURAL,
            "village",
            25,
            self._year_day(1960, 1985),
            level=L.VILLAGE,
            unit=village,
            headcount=1900,
            groups=False,
        )
        self.irregular.append((flat.code, "党支部有25名正式党员但未划分党小组"))

    def _assign_paths(self, root: _OrgPlan) -> None:
        root.path = _step(Org.objects.filter(depth=1).count() + 1)
        stack = [root]
        while stack:
            plan = stack.pop()
            for position, child in enumerate(plan.children, start=1):
                child.path = plan.path + _step(position)
                stack.append(child)

    def _initials(self, name: str, person: bool = False) -> str:
        key = ("p" if person else "o") + name
        if key not in self.initials:
            self.initials[key] = person_initials(name) if person else initials(name)
        return self.initials[key]

    def save_orgs(self, root: _OrgPlan) -> None:
        self._assign_paths(root)
        self.orgs.sort(key=lambda plan: plan.path)
        objs = [
            Org(
                code=p.code,
                name=p.name,
                kind=p.kind,
                level=p.level,
                sector=p.sector,
                unit_name=p.unit_name,
                unit_headcount=p.unit_headcount,
                region_code=p.region_code,
                founded_on=p.founded_on,
                name_initials=self._initials(p.name)[:200],
                path=p.path,
                depth=len(p.path) // Org.steplen,
                numchild=len(p.children),
            )
            for p in self.orgs
        ]
        self.insert.objects(Org, objs)
        for plan, obj in zip(self.orgs, objs, strict=True):
            plan.obj = obj

    # --- members ----------------------------------------------------------------------
    def _statuses(self, full: int) -> list[str]:
        """`full` full members plus ≈5% probationary, a few suspended or lost, ≈2% left."""
        statuses: list[str] = [Status.FULL] * full
        for _ in range(full):
            r = self.rng.random()
            if r < 0.055:
                statuses.append(Status.PROBATIONARY)
            elif r < 0.058:
                statuses.append(Status.SUSPENDED)
            elif r < 0.063:
                statuses.append(Status.LOST_CONTACT)
            elif r < 0.085:
                statuses.append(Status.LEFT)
        self.rng.shuffle(statuses)
        return statuses

    def people(self, branch: _OrgPlan) -> list[_Person]:
        persons = [self._person(branch, status) for status in self._statuses(branch.full)]
        if branch.groups:
            current = [p for p in persons if p.member.status != Status.LEFT]
            for i, person in enumerate(current):
                person.member.party_group_id = branch.groups[i % len(branch.groups)].pk
        return persons

    def _category(self, org: _OrgPlan, status: str) -> str:
        rng = self.rng
        if org.profile in CATEGORIES:
            values, weights = CATEGORIES[org.profile]
            category = rng.choices(values, cum_weights=_cumulative(weights))[0]
        else:
            category = C.IN_SERVICE
        if status == Status.PROBATIONARY and category in (C.RETIRED, C.FRAIL):
            category = C.RURAL if org.profile == "village" else C.IN_SERVICE
        if (
            status in (Status.SUSPENDED, Status.LOST_CONTACT)
            and category != C.STUDENT
            and rng.random() < 0.6
        ):
            category = C.MOBILE
        return category

    def _age(self, category: str, status: str) -> int:
        if status == Status.PROBATIONARY:
            return self._tri(19, 22, 20) if category == C.STUDENT else self._tri(19, 45, 27)
        low, high, mode = AGES[category]
        return max(self._tri(low, high, mode), 21)

    def _joining(self, birth: dt.date, status: str) -> tuple[dt.date, dt.date | None]:
        """Joining date (aged 18 or more) and 转正 date (one year later, a few extended)."""
        earliest = _add_years(birth, 18) + dt.timedelta(days=1)
        if status == Status.PROBATIONARY:
            return max(earliest, self._ago(7, 355)), None
        slack = 400 if status == Status.FULL else 1000
        latest = max(earliest, min(self.as_of - dt.timedelta(days=slack), _add_years(birth, 58)))
        span = (latest - earliest).days
        joined = earliest + dt.timedelta(days=round(self.rng.triangular(0, span, min(span, 2200))))
        full_on = _add_years(joined, 1)
        if status == Status.FULL and self.rng.random() < 0.03 and (self.as_of - full_on).days > 400:
            full_on += dt.timedelta(days=self.rng.choice((183, 365)))  # probation extended
        return joined, full_on

    def _spells(
        self, status: str, joined: dt.date, full_on: dt.date | None, age: int, start: dt.date
    ) -> tuple[list[tuple[str, dt.date, dt.date | None, str]], str]:
        """Status spells from joining to the as-of date, and the reason for leaving."""
        P, F = Status.PROBATIONARY, Status.FULL  # noqa: N806
        if full_on is None:
            return [(P, joined, None, "")], ""
        spells: list[tuple[str, dt.date, dt.date | None, str]] = [(P, joined, full_on, "")]
        after = max(full_on, start) + dt.timedelta(days=1)
        if status == F:
            return [*spells, (F, full_on, None, "")], ""
        if status == Status.LOST_CONTACT:
            lost = self._day(max(after, self._ago(700, 700)), self._ago(30, 30))
            return [*spells, (F, full_on, lost, ""), (Status.LOST_CONTACT, lost, None, "")], ""
        if status == Status.SUSPENDED:
            lost = self._day(max(after, self._ago(700, 700)), self._ago(220, 220))
            suspended = lost + dt.timedelta(days=self.rng.randint(183, 200))
            return [
                *spells,
                (F, full_on, lost, ""),
                (Status.LOST_CONTACT, lost, suspended, ""),
                (Status.SUSPENDED, suspended, None, ""),
            ], ""
        left = self._day(max(after, self._ago(730, 730)), self._ago(1, 1))
        reason = self._left_reason(age)
        return [*spells, (F, full_on, left, ""), (Status.LEFT, left, None, reason)], reason

    def _left_reason(self, age: int) -> str:
        R = LeftReason  # noqa: N806
        if age >= 70:
            return self.rng.choices((R.DECEASED, R.TRANSFERRED_OUT, R.REMOVED), (70, 25, 5))[0]
        return self.rng.choices(
            (R.TRANSFERRED_OUT, R.REMOVED, R.EXPELLED, R.DECEASED), (60, 25, 10, 5)
        )[0]

    def _id_number(self, region: str, birth: dt.date, male: bool) -> str:
        rng = self.rng
        while True:
            place = region if rng.random() < 0.88 else rng.choice(OTHER_REGIONS)
            sequence = rng.randrange(0, 500) * 2 + 1 if male else rng.randrange(1, 500) * 2
            number = make_id_number(place, birth, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _person(self, org: _OrgPlan, status: str) -> _Person:
        rng, fake = self.rng, self.fake
        category = self._category(org, status)
        age = self._age(category, status)
        birth = _add_years(self.as_of, -age) - dt.timedelta(days=rng.randrange(1, 365))
        male = rng.random() < MALE_SHARE.get(org.profile, 0.6)
        name = fake.last_name() + (fake.first_name_male() if male else fake.first_name_female())
        joined, full_on = self._joining(birth, status)
        start = max(joined, org.founded_on)
        spells, reason = self._spells(status, joined, full_on, age, start)
        number = self._id_number(org.region_code, birth, male)
        self.member_seq += 1
        member = Member(
            code=f"P{self.member_seq:08d}",
            name=name,
            name_initials=self._initials(name, True),
            gender="1" if male else "2",
            birth_date=birth,
            ethnicity="01" if rng.random() < 0.96 else rng.choice(MINORITIES),
            id_number_cipher=self.cipher.encrypt(number),
            id_number_hmac=lookup_hash(number),
            id_number_masked=mask_id_number(number),
            education=self._education(org, category),
            occupation=self._occupation(org, category),
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            joined_on=joined,
            full_on=full_on,
            status=status,
            status_since=spells[-1][1],
            left_reason=reason,
            org_id=org.pk,
            category=category,
            flags=self._flags(org, category, age, male),
            leading_cadre=self._leading_cadre(org, category, age),
        )
        return _Person(member=member, org=org, start=start, spells=spells)

    def _education(self, org: _OrgPlan, category: str) -> str:
        key = "student" if category == C.STUDENT else org.profile
        key = {
            "institution": "professional",
            "school": "professional",
            "hospital": "professional",
            "retired": "community",
            "social": "enterprise",
        }.get(key, key)
        values, weights = EDUCATION.get(key, EDUCATION["enterprise"])
        return self.rng.choices(values, cum_weights=_cumulative(weights))[0]

    def _occupation(self, org: _OrgPlan, category: str) -> str:
        if category in (C.RETIRED, C.FRAIL):
            return "农民" if org.profile == "village" else "离退休人员"
        if category == C.STUDENT:
            return "学生"
        if category == C.MOBILE and org.profile == "village":
            return "外出务工人员"
        return self.rng.choice(OCCUPATIONS.get(org.profile, OCCUPATIONS["community"]))

    def _flags(self, org: _OrgPlan, category: str, age: int, male: bool) -> list[str]:
        rng, flags = self.rng, []
        if age <= 35:
            flags.append(Flag.YOUTH.value)
        if male and rng.random() < 0.05:
            flags.append(Flag.VETERAN.value)
        if category in (C.RURAL, C.FRAIL) and rng.random() < 0.04:
            flags.append(Flag.HARDSHIP.value)
        if category == C.MOBILE and org.profile == "village":
            flags.append(Flag.MIGRANT_WORKER.value)
        return flags

    def _leading_cadre(self, org: _OrgPlan, category: str, age: int) -> bool:
        share = {"organ": 0.15, "institution": 0.05}.get(org.profile, 0.0)
        return category == C.IN_SERVICE and age >= 35 and self.rng.random() < share

    # --- transfers, seats, temporary orgs ------------------------------------------------
    def _other_branch(
        self, plan: _OrgPlan, branches: list[_OrgPlan], local: list[_OrgPlan]
    ) -> _OrgPlan:
        pool = branches if self.rng.random() < 0.25 else local
        while (other := self.rng.choice(pool)) is plan:
            pass
        return other

    def plan_transfers(
        self, persons: list[_Person], branches: list[_OrgPlan], local: list[_OrgPlan]
    ) -> list[_TransferRow]:
        """≈0.5% received in the last year (placements split) and ≈0.3% still in transit."""
        rng = self.rng
        eligible = [p for p in persons if p.member.status in (Status.FULL, Status.PROBATIONARY)]
        received, transit = (
            max(2, round(len(eligible) * 0.005)),
            max(2, round(len(eligible) * 0.003)),
        )
        picks = rng.sample(eligible, min(len(eligible), received + transit))
        transfers: list[_TransferRow] = []
        for i, person in enumerate(picks):
            other = self._other_branch(person.org, branches, local)
            if i < received:
                prior_start = max(person.member.joined_on, other.founded_on)
                low = max(self.as_of - dt.timedelta(days=365), prior_start + dt.timedelta(days=30))
                if low >= self.as_of:
                    continue
                on = self._day(low, self.as_of - dt.timedelta(days=1))
                sent = max(
                    prior_start + dt.timedelta(days=1), on - dt.timedelta(days=rng.randint(0, 14))
                )
                person.prior, person.prior_start, person.start = other, prior_start, on
                transfers.append((person, other, person.org, TransferStatus.RECEIVED, sent, on))
            else:
                sent = self._ago(1, 60)
                if sent <= person.start:
                    continue
                person.in_transit = True
                transfers.append((person, person.org, other, TransferStatus.IN_TRANSIT, sent, None))
        return transfers

    def _seat_roles(self, plan: _OrgPlan) -> list[tuple[str, str]]:
        R = SeatRole  # noqa: N806
        committee = [(R.COMMITTEE_MEMBER, t) for t in ("组织委员", "宣传委员", "纪检委员")]
        if plan.kind in MEMBER_KINDS:
            if plan.full < 7:
                return [(R.SECRETARY, "")]
            if plan.full < 20:
                return [(R.SECRETARY, ""), *committee[:2]]
            return [(R.SECRETARY, ""), (R.DEPUTY_SECRETARY, ""), *committee]
        if plan.kind == K.GENERAL_BRANCH:
            return [(R.SECRETARY, ""), (R.DEPUTY_SECRETARY, ""), *committee]
        return [
            (R.SECRETARY, ""),
            (R.DEPUTY_SECRETARY, ""),
            (R.DEPUTY_SECRETARY, ""),
            *committee,
            (R.COMMITTEE_MEMBER, "统战委员"),
        ]

    def _pool(
        self, plan: _OrgPlan, by_org: dict[_OrgPlan, list[_Person]], persons: list[_Person]
    ) -> list[_Person]:
        if plan.kind in MEMBER_KINDS:
            return by_org.get(plan, [])
        if plan.kind == K.GENERAL_BRANCH:
            return [p for child in plan.children for p in by_org.get(child, [])]
        inside = [p for p in persons if p.org.path.startswith(plan.path)]
        organs = [p for p in inside if p.org.profile == "organ"]
        return organs or inside

    def _holder(self, pool: list[_Person], elected: dt.date, taken: set[int]) -> _Person | None:
        """A full member for a seat: preferably one in the org since the election and not
        seated elsewhere; failing that anyone eligible (a town committee member may also
        lead a branch), never twice in the same body."""

        def fits(p: _Person, level: int) -> bool:
            full_on = p.member.full_on
            if full_on is None or p.member.status != Status.FULL or p.in_transit:
                return False
            if id(p) in taken or (level < 2 and p.seated):
                return False
            return level > 0 or (p.start <= elected and full_on <= elected)

        for level in (0, 1, 2):
            for _ in range(40 if pool else 0):
                person = self.rng.choice(pool)
                if fits(person, level):
                    return person
            for person in pool:
                if fits(person, level):
                    return person
        return None

    def plan_seats(self, orgs: Iterable[_OrgPlan], persons: list[_Person]) -> list[_SeatPlan]:
        """Leadership seats of most orgs; a few overdue terms and vacancies (ORG-04, ORG-05)."""
        rng, seats = self.rng, []
        by_org: dict[_OrgPlan, list[_Person]] = {}
        for person in persons:
            by_org.setdefault(person.org, []).append(person)
        for plan in orgs:
            if plan.kind in (K.PARTY_GROUP, K.TEMPORARY_ORG) or rng.random() < 0.02:
                continue
            five = plan.kind in COMMITTEE_KINDS or plan.sector in (S.RURAL, S.COMMUNITY)
            term = 365 * (5 if five else 3)
            elected = (
                self._ago(term + 30, term + 400)
                if rng.random() < 0.03
                else self._ago(45, term - 45)
            )
            elected = max(elected, plan.founded_on + dt.timedelta(days=30))
            previous: dt.date | None = elected - dt.timedelta(days=term)
            if previous is not None and previous < plan.founded_on:
                previous = None
            if plan.kind != K.WORKING_COMMITTEE and rng.random() > 0.02:
                plan.elected, plan.previous = elected, previous
                plan.term_years = 5 if five else 3
            pool = self._pool(plan, by_org, persons)
            org_seats: list[_SeatPlan] = []
            taken: set[int] = set()
            for role, title in self._seat_roles(plan):
                holder = self._holder(pool, elected, taken)
                if holder is None:
                    continue
                taken.add(id(holder))
                # holders were re-elected: their tenure began a term earlier
                since = previous or elected
                started = max(since, holder.start, holder.member.full_on or since)
                org_seats.append(_SeatPlan(plan, role, title, holder, started))
                holder.seated = True
                if plan.kind in COMMITTEE_KINDS:
                    holder.member.leading_cadre = True
            self._vacate(org_seats)
            seats += org_seats
        return seats

    def _vacate(self, org_seats: list[_SeatPlan]) -> None:
        """End a seat in ≈5% of bodies (the last committee member, rarely the secretary)."""
        r = self.rng.random()
        if not org_seats or r >= 0.05 or (len(org_seats) < 3 and r >= 0.01):
            return
        seat = org_seats[0] if r < 0.01 else org_seats[-1]
        ended = self._ago(20, 330)
        if ended > seat.started_on:
            seat.ended_on = ended

    def plan_temporary(
        self, orgs: Iterable[_OrgPlan], persons: list[_Person]
    ) -> list[_TemporaryRow]:
        rng, rows = self.rng, []
        pool = [p for p in persons if p.member.status == Status.FULL and not p.in_transit]
        for plan in orgs:
            if plan.kind != K.TEMPORARY_ORG or not pool:
                continue
            for person in rng.sample(pool, min(len(pool), rng.randint(6, 12))):
                started = max(plan.founded_on, person.start) + dt.timedelta(days=rng.randint(0, 20))
                if started >= self.as_of:
                    continue
                ended = started + dt.timedelta(days=rng.randint(20, 90))
                rows.append(
                    (
                        plan,
                        person,
                        started,
                        ended if rng.random() < 0.15 and ended < self.as_of else None,
                    )
                )
        return rows

    # --- saving -----------------------------------------------------------------------
    def save_block(
        self,
        persons: list[_Person],
        transfers: list[_TransferRow],
        seats: list[_SeatPlan],
        temporary: list[_TemporaryRow],
    ) -> None:
        insert = self.insert
        insert.objects(Member, [p.member for p in persons])
        spells = [(p.member.pk, *spell) for p in persons for spell in p.spells]
        insert.rows(StatusSpell, ["member", "status", "started_on", "ended_on", "reason"], spells)
        placements: list[tuple[int, int, dt.date | None, dt.date | None]] = []
        for p in persons:
            if p.prior is not None:
                placements.append((p.member.pk, p.prior.pk, p.prior_start, p.start))
            left = p.spells[-1][1] if p.member.status == Status.LEFT else None
            placements.append((p.member.pk, p.org.pk, p.start, left))
        insert.rows(Placement, ["member", "org", "started_on", "ended_on"], placements)
        insert.objects(Transfer, [self._transfer(*row) for row in transfers])
        elected = {s.org for s in seats if s.org.elected is not None}
        insert.objects(
            Term,
            [
                Term(org_id=o.pk, elected_on=day, years=o.term_years)
                for o in elected
                for day in (o.previous, o.elected)
                if day is not None
            ],
        )
        insert.objects(
            Seat,
            [
                Seat(
                    org_id=s.org.pk,
                    role=s.role,
                    title=s.title,
                    member_id=s.person.member.pk,
                    started_on=s.started_on,
                    ended_on=s.ended_on,
                )
                for s in seats
            ],
        )
        insert.objects(
            TemporaryMembership,
            [
                TemporaryMembership(org_id=plan.pk, member_id=p.member.pk, started_on=a, ended_on=b)
                for plan, p, a, b in temporary
            ],
        )

    def _transfer(
        self,
        person: _Person,
        source: _OrgPlan,
        target: _OrgPlan,
        status: str,
        sent: dt.date,
        received: dt.date | None,
    ) -> Transfer:
        self.letter_seq += 1
        return Transfer(
            member_id=person.member.pk,
            from_org_id=source.pk,
            to_org_id=target.pk,
            status=status,
            sent_on=sent,
            received_on=received,
            reason=self.rng.choice(TRANSFER_REASONS),
            letter_no=f"组转〔{sent.year}〕{self.letter_seq:05d}号",
        )

    # --- ORG-07 … ORG-09 records ------------------------------------------------------
    def _find_office(self) -> None:
        """The subtree seed 003 goes on (`_attach_policies`): the first government working
        committee in path order (none at town scale)."""
        self.office = next(
            (p for p in self.orgs if p.kind == K.WORKING_COMMITTEE and p.sector == S.GOVERNMENT),
            None,
        )
        stack = [self.office] if self.office is not None else []
        while stack:
            plan = stack.pop()
            self.office_orgs.add(id(plan))
            stack += plan.children

    def _sday(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.support.randint(0, max(0, (high - low).days)))

    def _gap(self, plan: _OrgPlan, note: str) -> None:
        self.support_gaps.append((plan.code, note))

    def _targets(self, plan: _OrgPlan) -> list[_OrgPlan]:
        """The branches (and joint branches) below a leadership org: its contact points."""
        if plan not in self.targets:
            found, stack = [], list(reversed(plan.children))
            while stack:
                child = stack.pop()
                if child.kind in MEMBER_KINDS:
                    found.append(child)
                elif child.kind != K.TEMPORARY_ORG:
                    stack += reversed(child.children)
            self.targets[plan] = found
        return self.targets[plan]

    def _target(self, targets: list[_OrgPlan], taken: set[int], own: list[Any]) -> _OrgPlan:
        """A target no other leader of the body follows yet, if any is left."""
        free = [t for t in targets if id(t) not in taken] or [
            t for t in targets if all(t is not row[1] for row in own)
        ]
        chosen = self.support.choice(free or targets)
        taken.add(id(chosen))
        return chosen

    def plan_contacts(
        self, seats: list[_SeatPlan]
    ) -> tuple[list[ContactPoint], list[tuple[ContactPoint, dt.date, str, str]]]:
        """Contact points of the leaders of party committees and working committees since
        their seat began, and their visits in the last full year and this year (ORG-07)."""
        rng, last = self.support, self.as_of.year - 1
        jan1 = dt.date(last, 1, 1)
        leaders = [s for s in seats if s.org.kind in LEADER_KINDS]
        steady = [s for s in leaders if s.started_on <= jan1 and s.ended_on is None]
        without = {id(s) for s in rng.sample(steady, min(len(steady), rng.randint(2, 3)))}
        idle = {id(s) for s in steady if rng.random() < 0.015}
        towns = [s for s in steady if s.org.level == L.TOWN and id(s) not in without]
        if towns:  # one in the block's first town (seed 004 goes on the demo's first town)
            first = min(s.org.path for s in towns)
            idle.add(id(rng.choice([s for s in towns if s.org.path == first])))
        office = [s for s in steady if id(s.org) in self.office_orgs and id(s) not in without]
        lapse = {id(rng.choice(office)): rng.randint(1, 4)} if office else {}
        points: list[ContactPoint] = []
        visits: list[tuple[ContactPoint, dt.date, str, str]] = []
        taken: dict[_OrgPlan, set[int]] = {}
        for seat in leaders:
            name = f"{seat.org.name}班子成员{seat.person.member.name}"
            if id(seat) in without:
                self._gap(seat.org, f"{name}未建立联系点")
                continue
            targets = self._targets(seat.org)
            if not targets:
                continue
            used = taken.setdefault(seat.org, set())
            end = seat.ended_on
            start = min(seat.started_on + dt.timedelta(days=rng.randint(0, 10)), self.as_of)
            start = min(start, end) if end is not None else start
            spans: list[list[Any]] = []
            spans.append([None, self._target(targets, used, spans), start, end])
            r = rng.random()
            if r < 0.2 and len(targets) > 1:
                spans.append([None, self._target(targets, used, spans), start, end])
            elif r < 0.26 and end is None and start < jan1:  # the point moved to another branch
                moved = self._sday(jan1 + dt.timedelta(days=60), self.as_of - dt.timedelta(days=30))
                spans[0][3] = moved - dt.timedelta(days=1)
                spans.append([None, self._target(targets, used, spans), moved, None])
            for span in spans:  # not before the target exists (founded later: from then)
                span[2] = max(span[2], span[1].founded_on)
            spans = [span for span in spans if span[3] is None or span[2] <= span[3]]
            for span in spans:
                span[0] = ContactPoint(
                    org_id=seat.org.pk,
                    leader_id=seat.person.member.pk,
                    target_id=span[1].pk,
                    started_on=span[2],
                    ended_on=span[3],
                )
                points.append(span[0])
            if id(seat) in idle:
                self._gap(seat.org, f"{name}{last}年未到联系点走访")
            if id(seat) in lapse:
                self._gap(seat.org, f"{name}{last}年第{lapse[id(seat)]}季度未履行联系点职责")
            for year in (last, last + 1):
                low = max(dt.date(year, 1, 1), start)
                high = min(dt.date(year, 12, 31), self.as_of, end or self.as_of)
                if low > high or (year == last and id(seat) in idle):
                    continue
                if id(seat.org) in self.office_orgs:
                    plan = self._quarterly(low, high, lapse.get(id(seat), 0) if year == last else 0)
                else:
                    plan = self._yearly(low, high)
                for day, kind in plan:
                    active = [s for s in spans if s[2] <= day and (s[3] is None or s[3] >= day)]
                    if active:
                        point, target = rng.choice(active)[:2]
                        visits.append((point, day, kind, self._visit_text(kind, target)))
        return points, visits

    def _quarterly(self, low: dt.date, high: dt.date, skip: int) -> list[tuple[dt.date, str]]:
        """Seed 003: each quarter a report heard, a visit and a problem solved (a few missed)."""
        rng = self.support
        rows: list[tuple[dt.date, str]] = []
        for quarter in range(1, 5):
            start = dt.date(low.year, quarter * 3 - 2, 1)
            end = (
                dt.date(low.year, quarter * 3 + 1, 1) - dt.timedelta(days=1)
                if quarter < 4
                else dt.date(low.year, 12, 31)
            )
            a, b = max(start, low), min(end, high)
            r = rng.random()
            if a > b or quarter == skip or r < 0.03:
                continue
            kinds = [VisitKind.REPORT, VisitKind.VISIT, VisitKind.PROBLEM]
            if r < 0.09:
                kinds.remove(rng.choice(kinds))
            if rng.random() < 0.25:
                kinds.append(VisitKind.GUIDANCE)
            rows += [(self._sday(a, b), kind) for kind in kinds]
        return rows

    def _yearly(self, low: dt.date, high: dt.date) -> list[tuple[dt.date, str]]:
        """2–6 contacts a year (fewer for part of a year), the first a visit."""
        rng = self.support
        share = ((high - low).days + 1) / 365
        count = max(1 if share >= 0.25 else 0, round(rng.randint(2, 6) * share))
        kinds = [VisitKind.VISIT, *rng.choices(VISIT_KINDS, VISIT_WEIGHTS, k=max(0, count - 1))]
        return [(self._sday(low, high), kind) for kind in kinds[:count]]

    def _visit_text(self, kind: str, target: _OrgPlan) -> str:
        rng = self.support
        return rng.choice(VISIT_TEXTS[kind]).format(
            org=target.name, topic=rng.choice(VISIT_TOPICS), problem=rng.choice(VISIT_PROBLEMS)
        )

    def _venue(
        self,
        plan: _OrgPlan,
        name: str,
        address: str,
        *,
        shared: bool = False,
        lacking: Iterable[str] = (),
        closed: dt.date | None = None,
    ) -> Venue:
        rng, missing = self.support, set(lacking)
        items = {item: item not in missing for item in (*VENUE_ITEM_FIELDS, "has_disclosure_board")}
        return Venue(
            org_id=plan.pk,
            name=name,
            address=address,
            area_m2=Decimal(f"{rng.uniform(30, 240):.1f}"),
            shared=shared,
            checked_on=self._sday(dt.date(self.as_of.year - 1, 3, 1), self.as_of),
            closed_on=closed,
            **items,
        )

    def _random_lacking(self) -> list[str]:
        rng = self.support
        lacking = [item for item in VENUE_ITEM_FIELDS if rng.random() < 0.03]
        return lacking + (["has_disclosure_board"] if rng.random() < 0.08 else [])

    def plan_venues(self, orgs: list[_OrgPlan]) -> list[Venue]:
        """Venues of the 003 subtree's orgs (a few gaps), of villages, communities and towns."""
        rng, venues = self.support, []
        office = [o for o in orgs if id(o) in self.office_orgs and o.kind not in GROUP_KINDS]
        direct = [o for o in office if o.parent is self.office and o.kind in MEMBER_KINDS]
        picks = rng.sample(direct, min(len(direct), 4))
        bare, no_board, no_reading, moved = (picks + [None] * 4)[:4]
        for plan in office:
            base = _base_name(plan.name)
            where = f"{plan.unit_name or base}办公楼{rng.randint(1, 6)}楼"
            if plan is self.office:
                venues.append(self._venue(plan, f"{base}党员活动中心", where))
            elif plan.kind not in MEMBER_KINDS:  # a general branch: shared with its branches
                venues.append(self._venue(plan, f"{plan.unit_name}党员活动室", where, shared=True))
            elif plan is bare:
                self._gap(plan, "未建立党建活动阵地")
            elif plan.parent is self.office or rng.random() < 0.3:  # else the shared room
                room = f"{base}党员活动室" if plan.parent is self.office else f"{plan.name}活动室"
                lacking = []
                if plan is no_board:
                    lacking = ["has_disclosure_board"]
                    self._gap(plan, "活动阵地未设党务公开栏")
                elif plan is no_reading:
                    lacking = ["has_reading"]
                    self._gap(plan, "活动阵地缺少书报资料")
                elif plan is moved:  # the old room closed since last year, a new one in use
                    closed = self._sday(dt.date(self.as_of.year - 1, 2, 1), self.as_of)
                    old = ["has_facilities", "has_disclosure_board"]
                    venues.append(
                        self._venue(plan, f"{room}（旧址）", where, lacking=old, closed=closed)
                    )
                venues.append(self._venue(plan, room, where, lacking=lacking))
        for plan in orgs:
            if id(plan) in self.office_orgs:
                continue
            base = _base_name(plan.name)
            if plan.level == L.TOWN and plan.kind == K.PARTY_COMMITTEE:
                office_name = "办事处" if base.endswith("街道") else "人民政府"
                venues.append(
                    self._venue(
                        plan,
                        f"{base}党群服务中心",
                        f"{base}{office_name}院内",
                        shared=True,
                        lacking=self._random_lacking(),
                    )
                )
            elif (
                plan.level == L.VILLAGE
                and plan.kind in VENUE_VILLAGE_KINDS
                and (plan.parent is None or plan.parent.level != L.VILLAGE)
            ):
                committee = "村民委员会" if base.endswith("村") else "居民委员会"
                venues.append(
                    self._venue(
                        plan,
                        f"{base}党群服务中心",
                        f"{base}{committee}",
                        shared=plan.kind == K.GENERAL_BRANCH,
                        lacking=self._random_lacking(),
                    )
                )
        return venues

    def _staff_pool(self, plan: _OrgPlan, by_org: dict[_OrgPlan, list[_Person]]) -> list[_Person]:
        """Full members in the org (a committee: in its branches), there since before last year."""
        found, stack = [], [plan]
        while stack:
            org = stack.pop()
            found += by_org.get(org, [])
            stack += [c for c in org.children if c.kind != K.PARTY_GROUP]
        fit = [p for p in found if p.member.status == Status.FULL and not p.in_transit]
        jan1 = dt.date(self.as_of.year - 1, 1, 1)
        return [p for p in fit if p.start < jan1] or fit

    def plan_staff(self, orgs: list[_OrgPlan], persons: list[_Person]) -> list[StaffPost]:
        """Party-affairs staff of the 003 subtree: 2 full-time at a general branch, 1 at a
        branch; a few short, a branch with only a part-time post, the retirees' branch
        without (ORG-08)."""
        rng = self.support
        office = [o for o in orgs if id(o) in self.office_orgs and o.kind not in GROUP_KINDS]
        if not office:
            return []
        by_org: dict[_OrgPlan, list[_Person]] = {}
        for person in persons:
            by_org.setdefault(person.org, []).append(person)
        branches = [o for o in office if o.kind in MEMBER_KINDS]
        committees = [o for o in office if o.kind in (K.GENERAL_BRANCH, K.PARTY_COMMITTEE)]
        few = max(1, round(len(branches) * 0.03))
        # the retirees' branch has no staff post, `few` - 1 others neither, `few` only a
        # part-time one (not the small 档案馆, whose ratio is above 2%)
        units = [o for o in branches if o.unit_name and not o.code.endswith("-S03")]
        picks = rng.sample(units, min(len(units), 2 * few - 1))
        vacant = [o for o in branches if o.code.endswith("-R01")] + picks[: few - 1]
        part_only = picks[few - 1 :]
        short = rng.sample(committees, min(len(committees), max(1, round(len(committees) * 0.2))))
        posts: list[StaffPost] = []
        jan1 = dt.date(self.as_of.year - 1, 1, 1)
        for plan in office:
            pool = self._staff_pool(plan, by_org)
            if plan is self.office:
                wanted = [("专职副书记", True), ("组织科科长", True), ("宣传科科长", True)]
            elif plan in committees:
                wanted = [("专职副书记", True), ("专职组织员", True)][: 1 if plan in short else 2]
                if plan in short:
                    self._gap(plan, "只配备1名专职党务干部（应为2名）")
            elif plan in vacant:
                wanted = []
                self._gap(plan, "未配备专职党务干部")
            elif plan in part_only:
                wanted = [("兼职组织员", False)]
                self._gap(plan, "只有兼职党务干部，未配备专职党务干部")
            else:
                wanted = [("党务专干", True)]
                if rng.random() < 0.25:
                    wanted.append(("兼职党务工作者", False))
            holders = rng.sample(pool, min(len(pool), len(wanted) + 1))
            handed = len(holders) <= len(wanted)  # no one left to have been the predecessor
            for (position, full_time), person in zip(wanted, holders, strict=False):
                low = max(person.start, dt.date(self.as_of.year - 9, 1, 1))
                started = self._sday(low, jan1 - dt.timedelta(days=1)) if low < jan1 else low
                if full_time and not handed and rng.random() < 0.12:
                    # handed over since last year: the predecessor left the day before
                    handed, before, started_before = True, holders[-1], started
                    started = self._sday(jan1, self.as_of - dt.timedelta(days=20))
                    posts.append(self._post(plan, before, position, True, started_before, started))
                posts.append(self._post(plan, person, position, full_time, started, None))
        for plan in office:
            if plan.code.endswith("-S03") and plan.unit_headcount:
                self._gap(plan, f"职工{plan.unit_headcount}人，专职党务干部比例高于2%（提示）")
        return posts

    def _post(
        self,
        plan: _OrgPlan,
        person: _Person,
        position: str,
        full_time: bool,
        started: dt.date,
        successor_started: dt.date | None,
    ) -> StaffPost:
        return StaffPost(
            org_id=plan.pk,
            member_id=person.member.pk,
            name=person.member.name,
            position=position,
            full_time=full_time,
            started_on=started,
            ended_on=successor_started - dt.timedelta(days=1) if successor_started else None,
        )

    def _members_on(self, persons: list[_Person], day: dt.date) -> Counter[_OrgPlan]:
        """Full and probationary members of the 003 subtree's branches on `day` (as
        `counts_by_org_on` counts them: placements and spells with exclusive ends)."""
        counts: Counter[_OrgPlan] = Counter()
        for p in persons:
            status = next((s for s, a, b, _ in p.spells if a <= day and (b is None or b > day)), "")
            if status not in (Status.FULL, Status.PROBATIONARY):
                continue
            if p.prior is not None and p.prior_start is not None and p.prior_start <= day < p.start:
                counts[p.prior] += 1
            elif p.start <= day and (p.member.status != Status.LEFT or p.spells[-1][1] > day):
                counts[p.org] += 1
        return counts

    def plan_budgets(
        self, orgs: list[_OrgPlan], persons: list[_Person]
    ) -> tuple[list[Budget], list[Spending]]:
        """Budgets (≥ 600 yuan a member, one short, one missing last year) and spending
        through the year (one unit over its budget last year) of the 003 subtree's units."""
        rng, last = self.support, self.as_of.year - 1
        tops = [
            o
            for o in orgs
            if id(o) in self.office_orgs
            and o.kind in BUDGET_KINDS
            and o.unit_name
            and (o.parent is None or o.parent.unit_name != o.unit_name)
        ]
        if not tops:
            return [], []
        missing, short, over = (rng.sample(tops, min(len(tops), 3)) + [None] * 3)[:3]
        office = self.office_orgs
        persons = [
            p
            for p in persons
            if id(p.org) in office or (p.prior is not None and id(p.prior) in office)
        ]
        budgets: list[Budget] = []
        spendings: list[Spending] = []
        for year in (last, last + 1):
            counts = self._members_on(persons, dt.date(year, 1, 1))
            end = min(dt.date(year, 12, 31), self.as_of)
            elapsed = ((end - dt.date(year, 1, 1)).days + 1) / 365
            for top in tops:
                members = counts[top] + sum(counts[c] for c in top.children)
                required = BUDGET_PER_MEMBER * members
                if top is missing and year == last:
                    amount = 0
                    self._gap(top, f"未列入{year}年度党建活动经费预算")
                elif top is short:
                    amount = max(100, int(required * rng.uniform(0.55, 0.8)) // 100 * 100)
                    self._gap(
                        top,
                        f"{year}年度预算{amount}元，"
                        f"不足{members}名党员×{BUDGET_PER_MEMBER}元={required}元",
                    )
                else:  # a little above the standard (and a member more), in 500 yuan steps
                    ample = BUDGET_PER_MEMBER * (members + 1) * rng.uniform(1, 1.2)
                    amount = math.ceil(ample / 500) * 500
                if amount:
                    budgets.append(Budget(org_id=top.pk, year=year, amount=_yuan(amount)))
                if top is over and year == last:
                    spent = amount * rng.uniform(1.08, 1.2)
                    self._gap(top, f"{year}年度党建活动经费超支")
                elif amount:
                    spent = amount * rng.uniform(0.72, 0.95) * elapsed
                else:
                    spent = required * rng.uniform(0.4, 0.6) * elapsed
                spendings += self._spendings(top, year, end, spent)
        return budgets, spendings

    def _spendings(self, top: _OrgPlan, year: int, end: dt.date, total: float) -> list[Spending]:
        """`total` yuan spent in rows through the year up to `end`: a 主题党日 most months,
        seasonal items (春节 visits, 七一, newspapers…), now and then something else."""
        rng, rows = self.support, []
        for month in range(1, end.month + 1):
            first = dt.date(year, month, 1)
            last = min(end, _month_end(first))
            if rng.random() < 0.9:
                day = self._sday(first, min(last, first + dt.timedelta(days=9)))
                rows.append((day, f"{month}月{SPENDING_MONTHLY[0]}", SPENDING_MONTHLY[1]))
            if month in SPENDING_SEASONAL:
                rows.append((self._sday(first, last), *SPENDING_SEASONAL[month]))
            if rng.random() < 0.3:
                rows.append((self._sday(first, last), *rng.choice(SPENDING_OTHER)))
        weights = [weight * rng.uniform(0.7, 1.3) for _, _, weight in rows]
        scale = total / sum(weights) if weights else 0
        orgs = [top, *(c for c in top.children if c.kind in MEMBER_KINDS)]
        spendings = []
        for (day, purpose, _), weight in zip(rows, weights, strict=True):
            amount = _yuan(weight * scale)
            if amount > 0:
                org = top if rng.random() < 0.6 else rng.choice(orgs)
                spendings.append(
                    Spending(org_id=org.pk, spent_on=day, amount=amount, purpose=purpose)
                )
        return spendings

    def save_support(
        self, orgs: list[_OrgPlan], persons: list[_Person], seats: list[_SeatPlan]
    ) -> None:
        insert = self.insert
        points, visits = self.plan_contacts(seats)
        insert.objects(ContactPoint, points)
        insert.objects(
            Visit,
            [
                Visit(contact_point_id=point.pk, visited_on=day, kind=kind, summary=text)
                for point, day, kind, text in visits
            ],
        )
        insert.objects(Venue, self.plan_venues(orgs))
        insert.objects(StaffPost, self.plan_staff(orgs, persons))
        budgets, spendings = self.plan_budgets(orgs, persons)
        insert.objects(Budget, budgets)
        insert.objects(Spending, spendings)

    # --- LIFE records: meetings, attendance, exemptions -------------------------------
    def _lday(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.life.randint(0, max(0, (high - low).days)))

    def _life_gap(self, plan: _OrgPlan, note: str) -> None:
        self.life_gaps.append((plan.code, note))

    def _find_gaibei(self) -> None:
        """The subtree seed 004 goes on (`_attach_policies`): the root at town scale, else
        the first town's party committee in path order."""
        if self.scale == "town":
            self.gaibei = self.orgs[0].path
            return
        towns = [p for p in self.orgs if p.level == L.TOWN and p.kind == K.PARTY_COMMITTEE]
        self.gaibei = towns[0].path if towns else None

    def _months(self) -> list[tuple[int, int]]:
        first = self.as_of.year - 1
        return [
            (year, month)
            for year in (first, first + 1)
            for month in range(1, 13)
            if dt.date(year, month, 1) <= self.as_of
        ]

    def _stays(self, persons: list[_Person]) -> dict[_OrgPlan, list[_Stay]]:
        """Per org, its members with the days they were placed there as full or
        probationary members ([start, end) like placements and spells)."""
        stays: dict[_OrgPlan, list[_Stay]] = {}
        active = (Status.FULL, Status.PROBATIONARY)
        for p in persons:
            joined = p.spells[0][1]
            ended = next((s[1] for s in p.spells if s[0] not in active), None)
            left = p.spells[-1][1] if p.member.status == Status.LEFT else None
            places = [(p.org, p.start, left)]
            if p.prior is not None and p.prior_start is not None:
                places.insert(0, (p.prior, p.prior_start, p.start))
            for org, start, end in places:
                start = max(start, joined)
                end = min(d for d in (end, ended) if d is not None) if (end or ended) else None
                if end is None or start < end:
                    stays.setdefault(org, []).append(_Stay(p, start, end, p.member.full_on))
        return stays

    def _roster(self, stays: list[_Stay], day: dt.date, group: int = 0) -> list[tuple[Any, bool]]:
        return [
            (s.person, s.full_on is not None and s.full_on <= day)
            for s in stays
            if s.start <= day
            and (s.end is None or day < s.end)
            and (not group or s.person.member.party_group_id == group)
        ]

    def _holders(self, seats: list[_SeatPlan], day: dt.date) -> list[tuple[Any, bool]]:
        """Seat holders on `day` (a seat ends after its last day), each once."""
        found: dict[int, tuple[Any, bool]] = {}
        for s in seats:
            if s.started_on <= day and (s.ended_on is None or s.ended_on >= day):
                full = s.person.member.full_on
                found[id(s.person)] = (s.person, full is not None and full <= day)
        return list(found.values())

    def _meeting(
        self,
        org: _OrgPlan,
        kind: str,
        day: dt.date,
        roster: list[tuple[Any, bool]],
        *,
        host: _Person | None = None,
        mode: str = "",
        **fields: Any,
    ) -> None:
        topic = self.life.choice(LIFE_TOPICS[kind])
        meeting = Meeting(
            org_id=org.pk,
            kind=kind,
            status=MeetingStatus.HELD,
            held_on=day,
            starts_at=fields.pop("starts_at", dt.time(9, 0) if kind != M.THEME_DAY else None),
            topic=f"{day.month}月{topic}" if kind == M.THEME_DAY else topic,
            place=LIFE_PLACES.get(kind, "党员活动室"),
            host_id=host.member.pk if host else None,
            **fields,
        )
        self.meetings.append((meeting, roster, mode))

    def _secretary(self, seats: list[_SeatPlan], day: dt.date) -> _Person | None:
        return next(
            (
                s.person
                for s in seats
                if s.role == SeatRole.SECRETARY
                and s.started_on <= day
                and (s.ended_on is None or s.ended_on >= day)
            ),
            None,
        )

    def plan_life(self, orgs: list[_OrgPlan], persons: list[_Person], seats: list[_SeatPlan]):  # type: ignore[no-untyped-def]
        """Meetings of the last full year and this year to date (LIFE-01 … LIFE-05) with
        their rosters; the deliberate gaps go to `life_gaps`."""
        self.meetings = []
        stays = self._stays(persons)
        by_org: dict[_OrgPlan, list[_SeatPlan]] = {}
        for seat in seats:
            by_org.setdefault(seat.org, []).append(seat)
        branches = [o for o in orgs if o.kind in MEMBER_KINDS]
        wrong = self.life.choice(branches) if branches else None  # lesson by a non-secretary
        missing = self.life.choice(branches) if branches else None  # no life meeting
        for org in orgs:
            own, members = by_org.get(org, []), stays.get(org, [])
            if org.kind in MEMBER_KINDS:
                self._theme_days(org, members)
                self._general_meetings(org, members, own)
                self._life_meeting(org, members, own, org is missing)
            if org.kind == K.PARTY_GROUP and org.parent is not None:
                self._group_meetings(org, stays.get(org.parent, []))
            if org.kind in MEMBER_KINDS or org.kind == K.GENERAL_BRANCH:
                self._committee_meetings(org, own)
                self._lesson(org, members, own, org is wrong)
            if org.kind in (K.PARTY_COMMITTEE, K.GENERAL_BRANCH):
                self._leadership_life_meeting(org, own)
        self._cadre_lessons(persons, stays)
        no_quorum = [m for m in self.meetings if m[0].kind == M.GENERAL_MEETING and len(m[1]) >= 6]
        if no_quorum:
            index = self.meetings.index(self.life.choice(no_quorum))
            meeting, roster, _mode = self.meetings[index]
            self.meetings[index] = (meeting, roster, "no_quorum")
            org = next(o for o in orgs if o.obj is not None and o.pk == meeting.org_id)
            self._life_gap(org, f"{meeting.held_on}党员大会未达到法定人数（会议无效）")
        return stays

    def _theme_days(self, org: _OrgPlan, members: list[_Stay]) -> None:
        """Monthly; in seed 004's subtree a rural branch meets on the 5th (the next workday
        when that is a holiday), an organ or institution on a Saturday or Monday evening."""
        rng = self.life
        fixed = self.gaibei is not None and org.path.startswith(self.gaibei)
        for year, month in self._months():
            first = dt.date(year, month, 1)
            if rng.random() < 0.012:
                self._life_gap(org, f"{year}年{month}月未开展主题党日")
                continue
            fields: dict[str, Any] = {}
            if fixed and org.sector == S.RURAL:
                due = dt.date(year, month, 5)
                day = self.calendar.shift(due, 1)
                if (day - due).days > 7:
                    fields["off_day_reason"] = "节假日顺延"
                r = rng.random()
                if r < 0.03:
                    day = dt.date(year, month, rng.randint(15, 25))
                    if day <= self.as_of:
                        self._life_gap(org, f"{year}年{month}月主题党日未在5日开展且未说明原因")
                elif r < 0.06:
                    day = dt.date(year, month, rng.randint(10, 20))
                    fields["off_day_reason"] = rng.choice(OFF_DAY_REASONS)
            elif fixed and org.sector in (S.GOVERNMENT, S.INSTITUTION):
                days = [first + dt.timedelta(days=i) for i in range(28)]
                day = rng.choice([d for d in days if d.weekday() in (0, 5)])
                if day.weekday() == 0:
                    fields["starts_at"] = dt.time(19, 0)
            else:
                day = self._lday(first, first + dt.timedelta(days=19))
            if day <= self.as_of:
                self._meeting(org, M.THEME_DAY, day, self._roster(members, day), **fields)

    def _general_meetings(self, org: _OrgPlan, members: list[_Stay], own: list[_SeatPlan]) -> None:
        for year, month in self._months():
            if month % 3:
                continue
            low = dt.date(year, month - 2, 1)
            day = self._lday(low, _month_end(dt.date(year, month, 1)))
            if self.life.random() < 0.015:
                self._life_gap(org, f"{year}年第{month // 3}季度未召开党员大会")
            elif day <= self.as_of:
                roster = self._roster(members, day)
                host = self._secretary(own, day)
                self._meeting(org, M.GENERAL_MEETING, day, roster, host=host)

    def _committee_meetings(self, org: _OrgPlan, own: list[_SeatPlan]) -> None:
        """Monthly where at least three people hold seats on the month's last day."""
        for year, month in self._months():
            last = _month_end(dt.date(year, month, 1))
            if len(self._holders(own, min(last, self.as_of))) < 3:
                continue
            day = self._lday(dt.date(year, month, 1), last)
            if self.life.random() < 0.015:
                self._life_gap(org, f"{year}年{month}月未召开支委会")
            elif day <= self.as_of:
                roster = self._holders(own, day)
                self._meeting(org, M.COMMITTEE_MEETING, day, roster, host=self._secretary(own, day))

    def _group_meetings(self, group: _OrgPlan, members: list[_Stay]) -> None:
        for year, month in self._months():
            first = dt.date(year, month, 1)
            day = self._lday(first, _month_end(first))
            if self.life.random() < 0.02:
                self._life_gap(group, f"{year}年{month}月未召开党小组会")
            elif day <= self.as_of:
                roster = self._roster(members, day, group.pk)
                self._meeting(group, M.PARTY_GROUP_MEETING, day, roster)

    def _lesson(
        self, org: _OrgPlan, members: list[_Stay], own: list[_SeatPlan], wrong: bool
    ) -> None:
        """The secretary's lesson, once a year (one branch of the block: someone else's)."""
        for year in (self.as_of.year - 1, self.as_of.year):
            day = self._lday(dt.date(year, 6, 1), dt.date(year, 7, 15))
            if day > self.as_of:
                continue
            roster = self._roster(members, day) if members else self._holders(own, day)
            lecturer = self._secretary(own, day)
            if wrong and year < self.as_of.year:
                others = [p for p, _v in roster if p is not lecturer]
                lecturer = self.life.choice(others) if others else None
                self._life_gap(org, f"{year}年党课由非书记党员讲授，书记未讲党课")
            elif lecturer is None and year < self.as_of.year:
                self._life_gap(org, f"{year}年无在任书记，书记讲党课缺")
            self._meeting(
                org,
                M.PARTY_LESSON,
                day,
                roster,
                lecturer_id=lecturer.member.pk if lecturer else None,
                starts_at=dt.time(15, 0),
            )

    def _cadre_lessons(self, persons: list[_Person], stays: dict[_OrgPlan, list[_Stay]]) -> None:
        """Leading cadres lecture once a year in their own branch (a few do not)."""
        for p in persons:
            if not p.member.leading_cadre or p.member.status not in (Status.FULL,):
                continue
            for year in (self.as_of.year - 1, self.as_of.year):
                day = self._lday(dt.date(year, 3, 1), dt.date(year, 11, 30))
                if self.life.random() < 0.05 or day > self.as_of or day < p.start:
                    continue
                roster = self._roster(stays.get(p.org, []), day)
                self._meeting(
                    p.org,
                    M.PARTY_LESSON,
                    day,
                    roster,
                    lecturer_id=p.member.pk,
                    starts_at=dt.time(15, 0),
                )

    def _life_meeting(
        self, org: _OrgPlan, members: list[_Stay], own: list[_SeatPlan], missing: bool
    ) -> None:
        """The last full year's, in December or January (for_period that year); one branch
        of the block holds none; a few hold this year's around 1 July."""
        last = self.as_of.year - 1
        if missing:
            self._life_gap(org, f"{last}年度未召开组织生活会")
        else:
            day = min(self._lday(dt.date(last, 12, 1), dt.date(last + 1, 1, 31)), self.as_of)
            roster = self._roster(members, day)
            host = self._secretary(own, day)
            self._meeting(org, M.LIFE_MEETING, day, roster, host=host, for_period=str(last))
        day = self._lday(dt.date(last + 1, 6, 20), dt.date(last + 1, 7, 10))
        if self.life.random() < 0.15 and day <= self.as_of:
            roster = self._roster(members, day)
            self._meeting(org, M.LIFE_MEETING, day, roster, for_period=str(last + 1))

    def _leadership_life_meeting(self, org: _OrgPlan, own: list[_SeatPlan]) -> None:
        last = self.as_of.year - 1
        day = min(self._lday(dt.date(last, 12, 10), dt.date(last + 1, 2, 10)), self.as_of)
        roster = self._holders(own, day)
        host = self._secretary(own, day)
        self._meeting(org, M.LEADERSHIP_LIFE_MEETING, day, roster, host=host, for_period=str(last))

    def _patterns(self, persons: list[_Person], stays: dict[_OrgPlan, list[_Stay]]):  # type: ignore[no-untyped-def]
        """A few members absent for a while (3+ meetings in a row), a few with no
        organizational life for 6+ months, a few frail ones exempted from theme days."""
        rng, jan1 = self.life, dt.date(self.as_of.year - 1, 1, 1)
        steady = [
            s.person
            for org, rows in stays.items()
            if org.kind in MEMBER_KINDS and len(rows) >= 10
            for s in rows
            if s.start <= jan1
            and s.end is None
            and not s.person.seated
            and s.person.member.status == Status.FULL
        ]
        picks = rng.sample(steady, min(len(steady), 9))
        absent: dict[int, tuple[dt.date, dt.date]] = {}
        for i, p in enumerate(picks[:6]):
            if i < 3:  # no organizational life since some day 7–10 months ago
                since = self.as_of - dt.timedelta(days=rng.randint(215, 300))
                absent[id(p)] = (since, self.as_of)
                self._life_gap(p.org, f"党员{p.member.name}自{since}起未参加组织生活")
            else:  # absent for about three months
                end = self._lday(jan1 + dt.timedelta(days=120), self.as_of - dt.timedelta(days=10))
                absent[id(p)] = (end - dt.timedelta(days=95), end)
                self._life_gap(p.org, f"党员{p.member.name}{end}前连续缺席组织生活")
        frail = [
            p for p in persons if p.member.category == C.FRAIL and p.member.status == Status.FULL
        ]
        exempted = {id(p): p for p in rng.sample(frail, min(len(frail), 3))}
        exemptions = [
            Exemption(
                member_id=p.member.pk,
                kind=M.THEME_DAY,
                reason=rng.choice(("年老体弱，行动不便", "长期患病卧床", "高龄独居，行动不便")),
                starts_on=jan1 - dt.timedelta(days=rng.randint(30, 400)),
                status=RequestStatus.APPROVED,
                decided_at=self.now,
            )
            for p in exempted.values()
        ]
        return absent, set(exempted), exemptions

    def save_life(
        self, orgs: list[_OrgPlan], persons: list[_Person], seats: list[_SeatPlan]
    ) -> None:
        stays = self.plan_life(orgs, persons, seats)
        absent, exempted, exemptions = self._patterns(persons, stays)
        self.absent = absent  # core.demo_affairs keeps their talks out of these windows
        self.insert.objects(Exemption, exemptions)
        self.insert.objects(Meeting, [m for m, _r, _mode in self.meetings])
        rows: list[tuple[int, int, str, bool, str]] = []
        for meeting, roster, mode in self.meetings:
            rows += self._attendance(meeting, roster, mode, absent, exempted)
            if len(rows) >= 100_000:
                self._save_attendance(rows)
                rows = []
        self._save_attendance(rows)
        self.meetings = []

    def _save_attendance(self, rows: list[tuple[int, int, str, bool, str]]) -> None:
        """Plain rows without history: a city holds millions (the demo's history of them
        would double the load time and tells nothing)."""
        self.insert.rows(Attendance, ["meeting", "member", "status", "voting", "note"], rows)
        self.attendance += len(rows)

    def _attendance(
        self,
        meeting: Meeting,
        roster: list[tuple[Any, bool]],
        mode: str,
        absent: dict[int, tuple[dt.date, dt.date]],
        exempted: set[int],
    ) -> list[tuple[int, int, str, bool, str]]:
        rng, day = self.life.random, cast(dt.date, meeting.held_on)
        A = AttendanceStatus  # noqa: N806
        statuses: list[str] = []
        for person, _voting in roster:
            window = absent.get(id(person))
            if window is not None and window[0] <= day <= window[1]:
                statuses.append(A.ABSENT)
            elif meeting.kind == M.THEME_DAY and id(person) in exempted:
                statuses.append(A.EXEMPTED)
            elif mode == "no_quorum":
                statuses.append(A.PRESENT if rng() < 0.35 else A.ABSENT)
            else:
                r = rng()
                statuses.append(A.LEAVE if r < 0.05 else A.ABSENT if r < 0.08 else A.PRESENT)
        voters = [i for i, (_p, voting) in enumerate(roster) if voting]
        present = sum(statuses[i] == A.PRESENT for i in voters)
        if meeting.kind == M.GENERAL_MEETING:
            flips = [i for i in voters if statuses[i] != A.PRESENT]
            if mode == "no_quorum":
                while present * 2 > len(voters):  # under half: the meeting does not count
                    i = next(i for i in voters if statuses[i] == A.PRESENT)
                    statuses[i], present = A.ABSENT, present - 1
            else:  # every other general meeting reaches its quorum
                flips.sort(key=lambda i: id(roster[i][0]) in absent)
                while present * 2 <= len(voters) and flips:
                    statuses[flips.pop(0)] = A.PRESENT
                    present += 1
        return [
            (meeting.pk, person.member.pk, status, voting, "")
            for (person, voting), status in zip(roster, statuses, strict=True)
        ]

    def run(self) -> _OrgPlan:
        root = self.plan()
        blocks = sorted({plan.block for plan in self.orgs})
        self.total = total = len(blocks) + 2
        self.save_orgs(root)
        self._find_office()
        self._find_gaibei()
        self.calendar = Calendar()
        self.progress(1, total, f"党组织 {len(self.orgs):,} 个")
        branches = [p for p in self.orgs if p.kind in MEMBER_KINDS]
        members = 0
        for step, block in enumerate(blocks, start=2):
            orgs = [p for p in self.orgs if p.block == block]
            local = [p for p in orgs if p.kind in MEMBER_KINDS]
            persons = [person for branch in local for person in self.people(branch)]
            transfers = self.plan_transfers(persons, branches, local)
            seats = self.plan_seats(orgs, persons)
            temporary = self.plan_temporary(orgs, persons)
            self.save_block(persons, transfers, seats, temporary)
            self.save_support(orgs, persons, seats)
            self.save_life(orgs, persons, seats)
            save_study(self, orgs, persons, seats)
            save_affairs(self, orgs, persons, seats)
            members += len(persons)
            head = orgs[0].name
            self.progress(step, total, f"{head}：党员 {len(persons):,} 名（累计 {members:,}）")
        self.insert.reset_sequences()
        return root


# --- entry point ------------------------------------------------------------------------


def _check_arguments(scale: str, as_of: dt.date) -> None:
    if scale not in SCALES:
        raise DemoError(f"规模应为 town（乡镇）、county（县）或 city（市），收到：{scale}")
    if as_of > today():
        raise DemoError(f"截至日期 {as_of:%Y-%m-%d} 晚于今天；示范数据只能截至今天或过去的日期")
    if as_of < EARLIEST_AS_OF:
        raise DemoError(f"截至日期不能早于 {EARLIEST_AS_OF:%Y-%m-%d}")


def _delete_previous_demo() -> None:
    """Delete the previous demo: everything attached to the org tree and the demo accounts.

    Refused when the tree holds a root that the demo does not make (real data). Rows of
    other apps that point at orgs or members are deleted (or unlinked where the relation
    allows it); the big demo tables are emptied with plain DELETEs, without a history row
    per deleted row.
    """
    foreign = sorted(
        set(Org.objects.filter(depth=1).values_list("code", flat=True)) - DEMO_ROOT_CODES
    )
    if foreign:
        raise DemoError(
            f"数据库中有不是示范数据的顶层党组织（编码 {'、'.join(foreign[:5])}），"
            "--replace 只替换示范数据，已停止"
        )
    delete_study_demo()
    _delete_life()
    support = (Visit, ContactPoint, Venue, StaffPost, Budget, Spending)
    own = (
        *LIFE_MODELS,
        Org,
        Member,
        StatusSpell,
        Placement,
        Seat,
        Transfer,
        TemporaryMembership,
        Post,
        *support,
    )
    for model in (Org, Member, Seat, Transfer, TemporaryMembership, *support):
        for relation in model._meta.related_objects:
            other = cast(type[models.Model], relation.related_model)
            name = relation.field.name
            if other in own or relation.on_delete is models.DO_NOTHING:
                continue
            rows = other._base_manager.filter(**{f"{name}__isnull": False})
            if relation.on_delete is models.SET_NULL:
                rows.update(**{name: None})
            else:
                rows.delete()
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    with_history = (*support, Transfer, TemporaryMembership, Seat, Member, Org)
    plain = (
        *support,
        Transfer,
        TemporaryMembership,
        Seat,
        Placement,
        StatusSpell,
        Post,
        Member,
        Org,
    )
    history = [m.history.model for m in with_history]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in [*plain, *history]:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table._meta.db_table)}")


LIFE_MODELS = (Attendance, LeaveRequest, Attachment, Exemption, Meeting)


def _delete_life() -> None:
    """Organizational life of the previous demo, with plain DELETEs (millions of
    attendance rows at city scale; the ORM would collect them one by one)."""
    tables = [*LIFE_MODELS, *(m.history.model for m in LIFE_MODELS)]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table._meta.db_table)}")


def _first(root: Org, kind: str, level: str) -> Org:
    if root.level == level:
        return root
    return (
        Org.objects.filter(path__startswith=root.path, kind=kind, level=level)
        .order_by("path")
        .first()
    )


def _create_accounts(root: Org) -> None:
    """One account per kind of user (DEMO_ACCOUNTS), through the accounts domain."""
    county = _first(root, K.PARTY_COMMITTEE, L.COUNTY) if root.level == L.CITY else root
    town = _first(root, K.PARTY_COMMITTEE, L.TOWN)
    secretaries = Seat.objects.filter(
        org__path__startswith=town.path,
        org__kind=K.BRANCH,
        role=SeatRole.SECRETARY,
        ended_on__isnull=True,
        member__status=Status.FULL,
    ).exclude(member__transfers__status=TransferStatus.IN_TRANSIT)
    seat = (
        secretaries.filter(org__sector=S.RURAL).order_by("org__path").first()
        or secretaries.order_by("org__path").first()
    )
    if seat is None:  # pragma: no cover - every seed so far has village secretaries
        raise DemoError("示范数据中没有可用的村党支部书记，无法创建演示账号")
    ordinary = (
        Member.objects.filter(org=seat.org, status=Status.FULL, seats__isnull=True)
        .exclude(transfers__status=TransferStatus.IN_TRANSIT)
        .order_by("code")
        .first()
    )
    places = {"root": root, "county": county, "town": town, "branch": seat.org}
    linked = {"branch": seat.member, "member": ordinary}
    for account in DEMO_ACCOUNTS:
        user, _password = create_account(
            username=account.username,
            display_name=account.label,
            password=DEMO_PASSWORD,
            member=linked.get(account.place),
        )
        if account.role:
            grant_post(user=user, org=places[account.place], role=account.role)
        if account.identifiers:
            set_identifier_right(user=user, allowed=True)
        if user.must_change_password:
            User.objects.filter(pk=user.pk).update(must_change_password=False)


def _summary(
    scale: str,
    seed: int,
    as_of: dt.date,
    seconds: float,
    irregular: list[tuple[str, str]],
    support_gaps: list[tuple[str, str]],
    builder: _Builder,
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
    )


def _attach_policies(root: Org) -> None:
    """Apply the seed documents the way they apply (issue 4 §7): a city-level document at
    the root, the government-office document (003) on a working committee's subtree, the
    town document (004) on a town (at town scale: on the root)."""
    from xianfeng.compliance.domain import attach_policy, load_shipped_policies
    from xianfeng.compliance.models import Policy

    if not Policy.objects.filter(code="004-gaibei").exists():
        load_shipped_policies()
    Policy.objects.filter(org__isnull=False).update(org=None)
    subtree = Org.objects.filter(path__startswith=root.path)
    if root.level == "town":
        attach_policy(policy=Policy.objects.get(code="004-gaibei"), org=root)
        return
    attach_policy(policy=Policy.objects.get(code="000-nantong"), org=root)
    office = subtree.filter(kind=OrgKind.WORKING_COMMITTEE, sector="government").order_by("path")
    if office.exists():
        attach_policy(policy=Policy.objects.get(code="003-haimen"), org=office.first())
    town = subtree.filter(level="town", kind=OrgKind.PARTY_COMMITTEE).order_by("path").first()
    if town is not None:
        attach_policy(policy=Policy.objects.get(code="004-gaibei"), org=town)


def build_demo(
    *,
    scale: str,
    seed: int,
    as_of: dt.date,
    replace: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build the demo jurisdiction of `scale` for `seed` as of `as_of` (one transaction).

    Refused (DemoError) when the database already holds orgs, unless `replace`, which first
    deletes the previous demo. Side effects: the demo accounts (DEMO_ACCOUNTS, password
    DEMO_PASSWORD) are created; `progress(done, total, message)` is called per block.
    """
    _check_arguments(scale, as_of)
    started = time.perf_counter()
    with transaction.atomic(), large_page_cache():
        existing = Org.objects.count()
        if existing and not replace:
            raise DemoError(
                f"数据库中已有 {existing:,} 个党组织，示范数据只能载入空库；"
                "如需替换之前载入的示范数据，请加 --replace"
            )
        if existing or User.objects.filter(username__in=DEMO_USERNAMES).exists():
            _delete_previous_demo()
        builder = _Builder(scale, seed, as_of, progress)
        root = builder.run()
        assert root.obj is not None
        _create_accounts(root.obj)
        _attach_policies(root.obj)
        builder.progress(builder.total, builder.total, "演示账号")
    refresh_statistics()
    seconds = time.perf_counter() - started
    return _summary(scale, seed, as_of, seconds, builder.irregular, builder.support_gaps, builder)
