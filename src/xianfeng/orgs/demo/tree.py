"""The whole demo tree: city, counties, their organs, units and non-public orgs, the
towns (`towns.py`); then the bulk save with materialized paths computed here."""

from __future__ import annotations

import datetime as dt

from xianfeng.orgs.models import Level, Org, OrgKind, Sector

from .plan import CITY_NAME, CITY_REGION, COUNTY_NAMES, DEPARTMENTS, INSTITUTIONS, ORDINALS, OrgPlan
from .towns import TownPlanner

K, L, S = OrgKind, Level, Sector


def _step(position: int) -> str:
    """The treebeard path step of the child at `position` (from 1): base 36, 4 characters."""
    digits = ""
    while position:
        position, rest = divmod(position, len(Org.alphabet))
        digits = Org.alphabet[rest] + digits
    return digits.rjust(Org.steplen, Org.alphabet[0])


class OrgTree(TownPlanner):
    """Plans the org tree (`plan`) and bulk-loads it (`save_orgs`)."""

    def plan(self) -> OrgPlan:
        if self.scale == "city":
            return self._plan_city()
        if self.scale == "county":
            return self._plan_county(None, "C01", COUNTY_NAMES[0], "320611")
        return self._plan_town(None, "C01-T01", "", "320611", street=False, irregular=True)

    def _plan_city(self) -> OrgPlan:
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

    def _plan_county(self, parent: OrgPlan | None, code: str, name: str, region: str) -> OrgPlan:
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

    def _plan_organs(self, parent: OrgPlan, code: str, prefix: str, level: str) -> None:
        """The 直属机关工委 with department and institution branches (sector government)."""
        organs = self._add(
            parent,
            code,
            f"{prefix}直属机关工委",
            K.WORKING_COMMITTEE,
            level,
            S.GOVERNMENT,
            self.year_day(1984, 1992),
        )
        self._plan_departments(organs, code, prefix)
        self._plan_institutions(organs, code, prefix)
        self._branch(
            organs,
            f"{code}-R01",
            f"{prefix}直属机关离退休干部党支部",
            S.GOVERNMENT,
            "retired",
            self.rng.randint(22, 46),
            self.year_day(1990, 2000),
        )

    def _plan_departments(self, organs: OrgPlan, code: str, prefix: str) -> None:
        """Department branches, a share of them general branches of three branches."""
        p, rng = self.profile, self.rng
        for i, dept in enumerate(DEPARTMENTS[: p.departments], start=1):
            founded = self.year_day(1978, 1995)
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
                full = self.tri(6, 42, 18)
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

    def _plan_institutions(self, organs: OrgPlan, code: str, prefix: str) -> None:
        """Branches of the public institutions."""
        p = self.profile
        for i, inst in enumerate(INSTITUTIONS[: p.institutions], start=1):
            full, founded = self.tri(4, 34, 12), self.year_day(1985, 2005)
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

    def _organ_headcount(self, staff: int, members: int) -> int:
        """Staff of an office whose `staff` full-time party-affairs posts make 1.1–1.9% of
        it (seed 003: 1–2%), and more than its party members."""
        ratio = self.support.uniform(0.011, 0.019)
        return max(round(staff / ratio), round(members * self.support.uniform(1.3, 1.6)))

    def _plan_county_units(self, county: OrgPlan, code: str, name: str) -> None:
        """County-level SOE, hospital, schools, the non-public sector, industry and project orgs."""
        rng = self.rng
        parts = ["综合管理", "工程建设", "资产运营", "物业服务"]
        self._general(
            county,
            f"{code}-GQ",
            f"{name}城市建设投资集团有限公司党委",
            S.SOE,
            "enterprise",
            self.year_day(2003, 2012),
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
            self.year_day(1958, 1985),
            self._split(105, 160, 5, 16, 40),
            [f"{name}人民医院{p}党支部" for p in parts],
            kind=K.PARTY_COMMITTEE,
            unit=f"{name}人民医院",
            headcount=rng.randint(600, 1500),
        )
        self._plan_county_schools(county, code, name)
        self._plan_non_public(county, code, name)
        self._plan_joint_and_project(
            county, code, name, "物流", "重点项目建设", L.COUNTY, S.GOVERNMENT
        )

    def _plan_county_schools(self, county: OrgPlan, code: str, name: str) -> None:
        """The county's first middle school and vocational education centre."""
        rng = self.rng
        self._general(
            county,
            f"{code}-ZX",
            f"{name}第一中学党总支",
            S.SCHOOL,
            "school",
            self.year_day(1958, 1990),
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
            self.year_day(1985, 2000),
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
            self.year_day(1990, 2005),
        )
        self._branch(
            vocational,
            f"{code}-ZJ-B02",
            f"{name}职业教育中心学生党支部",
            S.SCHOOL,
            "student",
            rng.randint(18, 30),
            self.year_day(2005, 2015),
        )

    def _plan_non_public(self, county: OrgPlan, code: str, name: str) -> None:
        rng = self.rng
        wc = self._add(
            county,
            f"{code}-FG",
            f"{name}非公有制经济组织和社会组织党工委",
            K.WORKING_COMMITTEE,
            L.COUNTY,
            S.PRIVATE,
            self.year_day(2008, 2014),
        )
        for i in range(1, rng.randint(*self.profile.county_enterprises) + 1):
            company = self._company(name)
            self._branch(
                wc,
                f"{code}-FG-E{i:02d}",
                f"{company}党支部",
                S.PRIVATE,
                "enterprise",
                self.tri(3, 40, 10),
                self.year_day(2005, 2020),
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
                self.year_day(2008, 2020),
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
            self.year_day(2012, 2022),
            kind=K.JOINT_BRANCH,
            unit="、".join(units),
        )

    def _assign_paths(self, root: OrgPlan) -> None:
        root.path = _step(Org.objects.filter(depth=1).count() + 1)
        stack = [root]
        while stack:
            plan = stack.pop()
            for position, child in enumerate(plan.children, start=1):
                child.path = plan.path + _step(position)
                stack.append(child)

    def save_orgs(self, root: OrgPlan) -> None:
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
                name_initials=self.initials_of(p.name)[:200],
                path=p.path,
                depth=len(p.path) // Org.steplen,
                numchild=len(p.children),
            )
            for p in self.orgs
        ]
        self.insert.objects(Org, objs)
        for plan, obj in zip(self.orgs, objs, strict=True):
            plan.obj = obj
