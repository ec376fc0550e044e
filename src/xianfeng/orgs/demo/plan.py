"""The org tree of the demo: names, the `OrgPlan` of an org, the primitives that add
branches, general branches, party groups, joint branches and enterprises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xianfeng.core.demo import DemoContext, DemoError, DemoPart, words
from xianfeng.orgs.models import MEMBER_KINDS, Level, Org, OrgKind, Sector

K, L, S = OrgKind, Level, Sector


CITY_NAME, CITY_REGION = "示范市", "320600"
COUNTY_NAMES = words(
    "东山县 西河县 南湖区 北岭县 清溪县 云台县 金水区 柳林县 石门县 桃源县 凤鸣县 龙泉县"
)
PLACE_FIRST = "青白红黄金银石柳桃杏松竹梅兰龙凤马鹤云星月长永新太平安丰福双三五七九大小高东西南北"
PLACE_SECOND = "山河湖桥林泉岭溪庄集店坪塘口坝湾沟峰岗滩田园台阳川"
VILLAGE_FIRST = (
    "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许"
    "东西南北前后上下大小新老古石沙柳杏桃梨枣松竹梅兰青红白金龙凤"
)
VILLAGE_SECOND = "庄集寨屯营店桥湾沟坡岭河湖塘圩岗坊园堡楼"
STREET_NAMES = words("城关 城东 城西 城南 城北 滨江 新城 文昌 朝阳 人民")
COMMUNITY_NAMES = words(
    "幸福 和平 光明 阳光 锦绣 翠苑 花园 文昌 春晖 东湖 滨河 新城 丽景 悦来 金桥 银杏 桂花 紫荆 "
    "育才 振兴 康乐 长青 明珠 富康"
)
COMPANY_WORDS = words(
    "瑞丰 恒信 华盛 金源 鑫泰 永昌 嘉禾 博远 宏达 润禾 天成 汇通 兴业 德润 锦程 安泰 远航 信诚 "
    "联创 丰源"
)
INDUSTRIES = words(
    "农业科技 食品 纺织 机械制造 建材 电子科技 物流 商贸 生物医药 新能源 包装材料 家居"
)
# County (city) departments: the prefix is the place name, e.g. 东山县 + 委组织部.
DEPARTMENTS = words(
    "委办公室 政府办公室 纪委监委 委组织部 委宣传部 委统战部 委政法委 发展和改革局 教育局 公安局 "
    "财政局 人力资源和社会保障局 自然资源和规划局 住房和城乡建设局 交通运输局 农业农村局 "
    "卫生健康委员会 民政局 司法局 生态环境局 水利局 商务局 文化广电和旅游局 退役军人事务局 "
    "应急管理局 审计局 市场监督管理局 统计局 医疗保障局 科技局 工业和信息化局 信访局 人民法院 "
    "人民检察院 总工会 团委 妇联 科协 税务局 林业局"
)
INSTITUTIONS = words(
    "疾病预防控制中心 融媒体中心 档案馆 图书馆 农业技术推广中心 公共资源交易中心 不动产登记中心 "
    "住房公积金管理中心 社会保险服务中心 政务服务中心 城市管理综合执法大队 水利工程管理处 文化馆 "
    "妇幼保健院 急救中心"
)
ORDINALS = "一二三四五六七八九十"


def base_name(name: str) -> str:
    """An org's name without the kind: 青山镇张庄村党支部 → 青山镇张庄村."""
    for suffix in ("党工委", "党总支", "党支部", "党委", "工委"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(eq=False, slots=True)
class OrgPlan:
    code: str
    name: str
    kind: str
    level: str
    sector: str
    founded_on: dt.date
    parent: OrgPlan | None
    block: int
    region_code: str
    profile: str = ""  # what its members are like: village, community, organ, …
    full: int = 0  # full members to place (branch-level orgs)
    unit_name: str = ""
    unit_headcount: int | None = None
    children: list[OrgPlan] = field(default_factory=list)
    groups: list[OrgPlan] = field(default_factory=list)
    path: str = ""
    obj: Org | None = None  # once saved
    elected: dt.date | None = None  # the current term's election (ORG-04)
    previous: dt.date | None = None  # the election before it, when the org existed then
    term_years: int = 0

    @property
    def pk(self) -> int:
        assert self.obj is not None, "orgs are saved before members are planned"
        return self.obj.pk


class OrgParts(DemoPart):
    """Primitives of the tree plan; `orgs` collects every planned org."""

    def __init__(self, ctx: DemoContext):
        super().__init__(ctx)
        self.orgs: list[OrgPlan] = []
        self.block = 0
        self.irregular: list[tuple[str, str]] = []
        self.used_places: set[str] = set()
        # ORG-07 … ORG-09 records draw from a stream of their own (members stay as they were)
        self.support = ctx.stream("support")

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
        parent: OrgPlan | None,
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
    ) -> OrgPlan:
        if parent is not None:
            founded = max(founded, parent.founded_on)
        cap = self.as_of - dt.timedelta(days=1100 if kind != K.TEMPORARY_ORG else 30)
        plan = OrgPlan(
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

    def _add_groups(self, branch: OrgPlan) -> None:
        count = 2 if branch.full < 35 else 3 if branch.full < 48 else 4
        for i in range(count):
            group = self._add(
                branch,
                f"{branch.code}-P{i + 1}",
                f"第{ORDINALS[i]}党小组",
                K.PARTY_GROUP,
                branch.level,
                branch.sector,
                self.year_day(2012, 2022),
                groups=False,
            )
            branch.groups.append(group)

    def _branch(
        self,
        parent: OrgPlan,
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
    ) -> OrgPlan:
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
        parent: OrgPlan,
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
    ) -> OrgPlan:
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
                self.year_day(1990, 2015),
                level=level,
            )
        return org

    def _split(self, total_low: int, total_high: int, parts: int, low: int, high: int) -> list[int]:
        """`parts` sizes in [low, high] whose sum lies in [total_low, total_high]."""
        while True:
            sizes = [self.rng.randint(low, high) for _ in range(parts)]
            if total_low <= sum(sizes) <= total_high:
                return sizes

    def _plan_joint_and_project(
        self,
        parent: OrgPlan,
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
            self.year_day(2015, 2021),
        )
        self._plan_industry(industry, f"{code}-HY", name)
        self._add(
            parent,
            f"{code}-LS",
            f"{name}{project}临时党支部",
            K.TEMPORARY_ORG,
            L.UNIT,
            project_sector,
            self.ago(90, 330),
        )

    def _company(self, place: str) -> str:
        rng = self.rng
        return f"{place}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"

    def _plan_industry(self, industry: OrgPlan, code: str, place: str) -> None:
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
                self.year_day(2012, 2021),
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
            self.year_day(2016, 2022),
            kind=K.JOINT_BRANCH,
            unit="、".join(units),
        )
