"""The org tree (ORG-01, ORG-02): kinds, levels, sectors, units; leadership seats.

Stored as a materialized path (django-treebeard MP_Node) so that a subtree is one
`path LIKE 'prefix%'` range scan, which every scoped query and every rule relies on.
"""

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from xianfeng.core.history import tracked


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    PARTY_GROUP = "party_group", _("党小组")
    TEMPORARY_ORG = "temporary_org", _("临时党组织")
    INDUSTRY_JOINT_ORG = "industry_joint_org", _("行业联合党组织")


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWN = "town", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    UNIT = "unit", _("基层单位")


class Sector(models.TextChoices):
    RURAL = "rural", _("农村")
    COMMUNITY = "community", _("城市社区")
    GOVERNMENT = "government", _("机关")
    INSTITUTION = "institution", _("事业单位")
    SOE = "soe", _("国有企业")
    PRIVATE = "private", _("非公有制经济组织")
    SOCIAL = "social", _("社会组织")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院（卫生院）")


K = OrgKind
ROOT_KINDS = frozenset({K.PARTY_COMMITTEE, K.WORKING_COMMITTEE})
# Which kinds may sit directly under which (ORG-01). A party group only inside a branch;
# nothing under a party group; branches hold groups only.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    K.PARTY_COMMITTEE: frozenset(
        {
            K.PARTY_COMMITTEE,
            K.WORKING_COMMITTEE,
            K.GENERAL_BRANCH,
            K.BRANCH,
            K.JOINT_BRANCH,
            K.TEMPORARY_ORG,
            K.INDUSTRY_JOINT_ORG,
        }
    ),
    K.WORKING_COMMITTEE: frozenset(
        {
            K.PARTY_COMMITTEE,
            K.GENERAL_BRANCH,
            K.BRANCH,
            K.JOINT_BRANCH,
            K.TEMPORARY_ORG,
            K.INDUSTRY_JOINT_ORG,
        }
    ),
    K.INDUSTRY_JOINT_ORG: frozenset({K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH}),
    K.GENERAL_BRANCH: frozenset({K.BRANCH, K.JOINT_BRANCH, K.TEMPORARY_ORG}),
    K.BRANCH: frozenset({K.PARTY_GROUP}),
    K.JOINT_BRANCH: frozenset({K.PARTY_GROUP}),
    K.TEMPORARY_ORG: frozenset(),
    K.PARTY_GROUP: frozenset(),
}
# Branch-level kinds: the orgs that hold members (a party group is an attribute of the
# member inside the branch; a temporary org lists members who keep their home branch).
MEMBER_KINDS = frozenset({K.BRANCH, K.JOINT_BRANCH})
# Orgs with a leadership (班子: a secretary at least) (ORG-04): every kind but the party
# group and the temporary org. Elected ones hold 换届 elections with terms; a working
# committee (工委) is the party committee's appointed organ and has no term.
LEADERSHIP_KINDS = frozenset(set(OrgKind) - {K.PARTY_GROUP, K.TEMPORARY_ORG})
ELECTED_KINDS = LEADERSHIP_KINDS - {K.WORKING_COMMITTEE}

region_code_validator = RegexValidator(r"^\d{6}$", "行政区划代码应为6位数字（GB/T 2260）")
org_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "组织编码只能包含字母、数字、点、下划线和短横线"
)


class Org(MP_Node):
    steplen = 4

    code = models.CharField(
        _("组织编码"), max_length=40, unique=True, validators=[org_code_validator]
    )
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=OrgKind)
    level = models.CharField(_("层级"), max_length=10, choices=Level)
    sector = models.CharField(_("领域"), max_length=12, choices=Sector, blank=True)
    unit_name = models.CharField(_("所在单位"), max_length=200, blank=True)
    unit_headcount = models.PositiveIntegerField(_("单位职工（人口）数"), null=True, blank=True)
    region_code = models.CharField(
        _("行政区划代码"), max_length=6, blank=True, validators=[region_code_validator]
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=200, blank=True, db_index=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["path", "depth", "numchild", "updated_at"])

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_KINDS

    def is_active_on(self, day) -> bool:  # type: ignore[no-untyped-def]
        started = self.founded_on is None or self.founded_on <= day
        return started and (self.dissolved_on is None or day < self.dissolved_on)


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")


class Seat(models.Model):
    """One tenure in a seat of an org's leadership (班子) (ORG-04, ORG-05).

    A tenure ends with `ended_on`, the last day in office; the seat is vacant from the
    next day until a later tenure of the same role (and title, for committee members)
    starts or a new leadership is elected (see `queries.open_vacancies`).
    """

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="seats", verbose_name=_("党组织")
    )
    role = models.CharField(_("职务"), max_length=20, choices=SeatRole)
    title = models.CharField(
        _("分工"), max_length=50, blank=True, help_text=_("如：组织委员、宣传委员、纪检委员")
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
        verbose_name=_("任职党员"),
    )
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("班子职务")
        verbose_name_plural = _("班子职务")
        indexes = [models.Index(fields=["org", "role"])]

    def __str__(self) -> str:
        return f"{self.org} {self.get_role_display()}"


class Term(models.Model):
    """One election (换届) of an org's leadership and the term it opens (ORG-04).

    The current term is the latest election on or before the day looked at. It runs for
    `years` (0: the policy's length for the org, see `queries.term_years_key`) and may be
    extended once, with the higher org's approval, until `approved_extension_until`.
    """

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="terms", verbose_name=_("党组织")
    )
    elected_on = models.DateField(_("选举日期"))
    years = models.PositiveSmallIntegerField(
        _("任期（年）"),
        default=0,
        validators=[MaxValueValidator(10)],
        help_text=_("0 表示按政策参数确定任期"),
    )
    approved_extension_until = models.DateField(_("经批准延期至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("换届记录")
        verbose_name_plural = _("换届记录")
        ordering = ["org", "elected_on"]
        constraints = [
            models.UniqueConstraint(fields=["org", "elected_on"], name="orgs_term_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.elected_on:%Y-%m-%d}"


# --- ORG-07 contact points, ORG-08 venues and staff, ORG-09 budgets ------------------------


class ContactPoint(models.Model):
    """A leader's contact point (联系点): an org the leader personally follows (ORG-07).

    `org` is the leadership the leader sits in (whose admins keep the record); `target`
    is the org followed, usually a branch. `ended_on` is the last day of the pairing.
    """

    org = models.ForeignKey(
        Org,
        on_delete=models.CASCADE,
        related_name="leader_contact_points",
        verbose_name=_("班子所在党组织"),
    )
    leader = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="contact_points",
        verbose_name=_("联系领导"),
    )
    target = models.ForeignKey(
        Org,
        on_delete=models.PROTECT,
        related_name="contact_points",
        verbose_name=_("联系的党组织"),
    )
    started_on = models.DateField(_("建立日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("联系点")
        verbose_name_plural = _("联系点")
        indexes = [models.Index(fields=["org", "leader"])]

    def __str__(self) -> str:
        return f"{self.leader} → {self.target}"


class VisitKind(models.TextChoices):
    VISIT = "visit", _("走访调研")
    REPORT = "report", _("听取汇报")
    PROBLEM = "problem", _("解决问题")
    GUIDANCE = "guidance", _("指导活动")


class Visit(models.Model):
    """One recorded contact at a contact point: a visit, a report heard, a problem solved."""

    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.CASCADE, related_name="visits", verbose_name=_("联系点")
    )
    visited_on = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=10, choices=VisitKind, default=VisitKind.VISIT)
    summary = models.TextField(_("内容"), blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("联系点活动")
        verbose_name_plural = _("联系点活动")
        ordering = ["-visited_on"]
        indexes = [models.Index(fields=["contact_point", "visited_on"])]


# The "六有" standard of an activity venue (ORG-08), field name → label.
VENUE_ITEMS: dict[str, str] = {
    "has_room": "有固定场所",
    "has_sign": "有党组织标牌",
    "has_flag": "有党旗",
    "has_facilities": "有桌椅和电教设备",
    "has_rules": "有制度上墙",
    "has_reading": "有书报资料",
}


class Venue(models.Model):
    """An activity venue (阵地) and how it meets the "六有" standard (ORG-08).

    A venue marked `shared` also serves the orgs below its org (共建共用).
    """

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="venues", verbose_name=_("党组织")
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    area_m2 = models.DecimalField(
        _("面积（平方米）"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    has_room = models.BooleanField(_("有固定场所"), default=False)
    has_sign = models.BooleanField(_("有党组织标牌"), default=False)
    has_flag = models.BooleanField(_("有党旗"), default=False)
    has_facilities = models.BooleanField(_("有桌椅和电教设备"), default=False)
    has_rules = models.BooleanField(_("有制度上墙"), default=False)
    has_reading = models.BooleanField(_("有书报资料"), default=False)
    has_disclosure_board = models.BooleanField(_("有党务公开栏"), default=False)
    shared = models.BooleanField(_("供下属党组织共用"), default=False)
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    closed_on = models.DateField(_("停用日期"), null=True, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("活动阵地")
        verbose_name_plural = _("活动阵地")

    def __str__(self) -> str:
        return self.name

    def missing_items(self) -> list[str]:
        return [label for field, label in VENUE_ITEMS.items() if not getattr(self, field)]


class StaffPost(models.Model):
    """A party-affairs staff post (党务干部) of an org, full-time or part-time (ORG-08)."""

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="staff_posts", verbose_name=_("党组织")
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_posts",
        verbose_name=_("党员"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("岗位"), max_length=50, blank=True)
    full_time = models.BooleanField(_("专职"), default=True)
    started_on = models.DateField(_("到岗日期"))
    ended_on = models.DateField(_("离岗日期"), null=True, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("党务干部")
        verbose_name_plural = _("党务干部")
        indexes = [models.Index(fields=["org", "full_time"])]

    def __str__(self) -> str:
        return f"{self.org} {self.name}"


class Budget(models.Model):
    """An org's party-activity budget (党建活动经费) for one year (ORG-09)."""

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("党建活动经费预算")
        verbose_name_plural = _("党建活动经费预算")
        ordering = ["org", "year"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="orgs_budget_one_per_year")
        ]


class Spending(models.Model):
    """One payment out of an org's party-activity budget (ORG-09)."""

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="spendings", verbose_name=_("党组织")
    )
    spent_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("党建活动经费支出")
        verbose_name_plural = _("党建活动经费支出")
        ordering = ["org", "-spent_on"]
        indexes = [models.Index(fields=["org", "spent_on"])]


class OrgPreference(models.Model):
    """A decision the policies leave to the org itself (the theme-day weekday where a
    policy allows a choice, farmers' dues, the dues payment day): set by the org's own
    admins within the range the policy allows; keys in `orgs.preferences.PREFERENCES`."""

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("党组织")
    )
    key = models.CharField(_("事项"), max_length=60)
    value = models.JSONField(_("取值"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("本组织设置")
        verbose_name_plural = _("本组织设置")
        constraints = [
            models.UniqueConstraint(fields=["org", "key"], name="orgs_preference_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.key}"
