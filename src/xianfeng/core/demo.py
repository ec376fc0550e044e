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

Everything is bulk-loaded: the org tree with its materialized paths computed here, then
one block (a county) of members with their status spells, placements, transfers, seats
and temporary memberships at a time, each tracked row with one "+" history row recorded
as made by the command line. The city scale (≈300,000 members) loads in minutes, not hours.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, cast

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker

from xianfeng.accounts.domain import create_account, grant_post, set_identifier_right
from xianfeng.accounts.models import Post, Role, User
from xianfeng.core.history import current_via, history_user
from xianfeng.lib.bulk import large_page_cache
from xianfeng.lib.cipher import get_cipher, lookup_hash
from xianfeng.lib.dates import today
from xianfeng.lib.idcard import make_id_number, mask_id_number
from xianfeng.lib.pinyin import initials, person_initials
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
from xianfeng.orgs.models import MEMBER_KINDS, Level, Org, OrgKind, Seat, SeatRole, Sector, Term

K, L, S, C = OrgKind, Level, Sector, Category

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

        def adapted() -> Iterator[list[Any]]:
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
        self._execute(model, given + rest, [row + defaults for row in rows])

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
            if rng.random() < p.general_share:
                parts = self._split(55, 95, 3, 14, 40)
                names = [f"{prefix}{dept}机关第{ORDINALS[k]}党支部" for k in range(3)]
                self._general(
                    organs,
                    f"{code}-Z{i:02d}",
                    f"{prefix}{dept}机关党总支",
                    S.GOVERNMENT,
                    "organ",
                    founded,
                    parts,
                    names,
                )
            else:
                self._branch(
                    organs,
                    f"{code}-B{i:02d}",
                    f"{prefix}{dept}机关党支部",
                    S.GOVERNMENT,
                    "organ",
                    self._tri(6, 42, 18),
                    founded,
                )
        for i, inst in enumerate(INSTITUTIONS[: p.institutions], start=1):
            self._branch(
                organs,
                f"{code}-S{i:02d}",
                f"{prefix}{inst}党支部",
                S.INSTITUTION,
                "institution",
                self._tri(4, 34, 12),
                self._year_day(1985, 2005),
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

    def run(self) -> _OrgPlan:
        root = self.plan()
        blocks = sorted({plan.block for plan in self.orgs})
        self.total = total = len(blocks) + 2
        self.save_orgs(root)
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
    own = (Org, Member, StatusSpell, Placement, Seat, Transfer, TemporaryMembership, Post)
    for model in (Org, Member, Seat, Transfer, TemporaryMembership):
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
    plain = (Transfer, TemporaryMembership, Seat, Placement, StatusSpell, Post, Member, Org)
    history = [m.history.model for m in (Transfer, TemporaryMembership, Seat, Member, Org)]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in [*plain, *history]:
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
    scale: str, seed: int, as_of: dt.date, seconds: float, irregular: list[tuple[str, str]]
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
    return _summary(scale, seed, as_of, time.perf_counter() - started, builder.irregular)
