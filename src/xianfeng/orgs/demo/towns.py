"""Towns of the demo tree: villages, communities, enterprises and the deliberately
irregular orgs (ORG-03) of each county (or of the town at town scale)."""

from __future__ import annotations

from xianfeng.orgs.models import Level, OrgKind, Sector

from .plan import (
    COMMUNITY_NAMES,
    ORDINALS,
    PLACE_FIRST,
    PLACE_SECOND,
    STREET_NAMES,
    VILLAGE_FIRST,
    VILLAGE_SECOND,
    OrgParts,
    OrgPlan,
)

K, L, S = OrgKind, Level, Sector


class TownPlanner(OrgParts):
    """Plans a town (or street) with its villages, communities and enterprises."""

    def _plan_town(
        self,
        parent: OrgPlan | None,
        code: str,
        county: str,
        region: str,
        *,
        street: bool,
        irregular: bool,
    ) -> OrgPlan:
        town, town_name = self._town(parent, code, county, region, street)
        self._town_units(town, code, town_name, street)
        places: set[str] = set()
        self._town_places(town, code, town_name, street, places)
        self._town_joint(town, code, town_name, street, irregular)
        if irregular:
            self._plan_irregular(town, code, town_name, places)
        if parent is None:  # town scale: the industry and project orgs sit in the town
            self._plan_joint_and_project(
                town, code, town_name, "商贸物流", "乡村振兴项目", L.TOWN, S.RURAL
            )
        return town

    def _town(
        self, parent: OrgPlan | None, code: str, county: str, region: str, street: bool
    ) -> tuple[OrgPlan, str]:
        """The town's (or street's) party committee and the town's name."""
        rng = self.rng
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
                self.year_day(1980, 2005),
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
                self.year_day(1950, 1958),
                region=region,
            )
        return town, town_name

    def _town_units(self, town: OrgPlan, code: str, town_name: str, street: bool) -> None:
        """The town government's branch; a town's school and hospital branches."""
        rng = self.rng
        self._branch(
            town,
            f"{code}-J01",
            f"{town_name}机关党支部",
            S.GOVERNMENT,
            "organ",
            rng.randint(14, 34),
            self.year_day(1978, 1990),
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
                self.year_day(1960, 1990),
            )
            self._branch(
                town,
                f"{code}-H01",
                f"{town_name}卫生院党支部",
                S.HOSPITAL,
                "hospital",
                rng.randint(4, 16),
                self.year_day(1960, 1990),
            )

    def _town_places(
        self, town: OrgPlan, code: str, town_name: str, street: bool, places: set[str]
    ) -> None:
        """Villages, communities and enterprises of a town."""
        p, rng = self.profile, self.rng
        villages = 0 if street else rng.randint(*p.villages)
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
                self.tri(3, 30, 8),
                self.year_day(2005, 2020),
                unit=company,
                headcount=rng.randint(20, 600),
            )

    def _town_joint(
        self, town: OrgPlan, code: str, town_name: str, street: bool, irregular: bool
    ) -> None:
        """Joint branches: of non-public enterprises (sometimes), of social organizations."""
        rng = self.rng
        if irregular or rng.random() < 0.3:
            units = [self._company(town_name) for _ in range(rng.randint(3, 5))]
            self._branch(
                town,
                f"{code}-L01",
                f"{town_name}非公企业联合党支部",
                S.PRIVATE,
                "enterprise",
                rng.randint(5, 14),
                self.year_day(2012, 2022),
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
                self.year_day(2012, 2022),
                kind=K.JOINT_BRANCH,
            )

    def _village_name(self, town_name: str, places: set[str], suffix: str) -> str:
        while True:
            place = self.rng.choice(VILLAGE_FIRST) + self.rng.choice(VILLAGE_SECOND)
            if place not in places:
                places.add(place)
                return f"{place}{suffix}"

    def _plan_village(self, town: OrgPlan, code: str, town_name: str, places: set[str]) -> None:
        rng = self.rng
        village = self._village_name(town_name, places, "村")
        founded = self.year_day(1950, 1985)
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
                self.tri(*self.profile.village_full),
                founded,
                level=L.VILLAGE,
                unit=village,
                headcount=headcount,
            )

    def _plan_community(self, town: OrgPlan, code: str, town_name: str, places: set[str]) -> None:
        rng = self.rng
        while (name := rng.choice(COMMUNITY_NAMES)) in places:
            pass
        places.add(name)
        community, founded = f"{name}社区", self.year_day(1995, 2012)
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
                self.tri(12, 50, 36),
                founded,
                level=L.VILLAGE,
                unit=community,
                headcount=headcount,
            )

    def _plan_irregular(self, town: OrgPlan, code: str, town_name: str, places: set[str]) -> None:
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
            self.year_day(2012, 2020),
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
            self.year_day(1995, 2010),
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
            self.year_day(1960, 1985),
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
            self.year_day(1960, 1985),
            level=L.VILLAGE,
            unit=village,
            headcount=1900,
            groups=False,
        )
        self.irregular.append((flat.code, "党支部有25名正式党员但未划分党小组"))
