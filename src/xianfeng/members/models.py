"""The member registry (MEM-01, MEM-02) and transfers (MEM-05).

`Member.status` and `Member.org` are the current state; `StatusSpell` and `Placement`
keep every state with its dates (half-open [started_on, ended_on)), so that counts
"as of" any date and "exactly one org at any date" are plain range queries.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked

from .codes import ETHNICITY_CHOICES, Education, Gender


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    SUSPENDED = "suspended", _("停止党籍")
    LOST_CONTACT = "lost_contact", _("失联")
    LEFT = "left", _("出党")


class LeftReason(models.TextChoices):
    TRANSFERRED_OUT = "transferred_out", _("转出本系统")
    REMOVED = "removed", _("除名")
    EXPELLED = "expelled", _("开除党籍")
    DECEASED = "deceased", _("死亡")


class Category(models.TextChoices):
    """Primary category for differentiated management (MEM-02, 分类管理)."""

    IN_SERVICE = "in_service", _("在职党员")
    RURAL = "rural", _("农村党员")
    RETIRED = "retired", _("离退休党员")
    FRAIL = "frail", _("年老体弱党员")
    MOBILE = "mobile", _("流动党员")
    STUDENT = "student", _("学生党员")


class Flag(models.TextChoices):
    """Additional category flags (MEM-02); a member has any number of them."""

    YOUTH = "youth", _("青年党员")
    HARDSHIP = "hardship", _("困难党员")
    VETERAN = "veteran", _("退役军人")
    MIGRANT_WORKER = "migrant_worker", _("农民工党员")


class Member(models.Model):
    code = models.CharField(_("党员编号"), max_length=40, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("拼音首字母"), max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("出生日期"))
    id_number_cipher = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_hmac = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    education = models.CharField(_("学历"), max_length=2, choices=Education, blank=True)
    occupation = models.CharField(_("职业（岗位）"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    joined_on = models.DateField(_("入党日期"))
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("党籍状态"), max_length=15, choices=Status)
    status_since = models.DateField(_("状态起始日期"))
    left_reason = models.CharField(_("出党原因"), max_length=20, choices=LeftReason, blank=True)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    party_group = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
        verbose_name=_("所在党小组"),
    )
    category = models.CharField(
        _("党员类别"), max_length=12, choices=Category, default=Category.IN_SERVICE
    )
    flags = models.JSONField(_("其他标识"), default=list, blank=True)
    leading_cadre = models.BooleanField(_("党员领导干部"), default=False)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["id_number_cipher", "id_number_hmac", "updated_at"])

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def has_left(self) -> bool:
        return self.status == Status.LEFT


class StatusSpell(models.Model):
    """One status held from `started_on` until `ended_on` (exclusive; open if null)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_spells")
    status = models.CharField(max_length=15, choices=Status)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=LeftReason, blank=True)
    note = models.CharField(_("变更理由"), max_length=500, blank=True, default="", db_default="")

    class Meta:
        ordering = ["member", "started_on"]
        # member last: the statuses of a day are read from the index alone (SQLite walks
        # it status by status and otherwise looks up every row: 0.8 s instead of 0.35 s
        # for a city's 300,000 members)
        indexes = [models.Index(fields=["status", "started_on", "ended_on", "member"])]


class Placement(models.Model):
    """The org a member belongs to from `started_on` until `ended_on` (exclusive)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="placements")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="placements")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["member", "started_on"]
        # member last: a subtree's placements of a day are read from the index alone
        # (a city's: 0.55 s → 0.27 s on SQLite)
        indexes = [models.Index(fields=["org", "started_on", "ended_on", "member"])]


class TemporaryMembership(models.Model):
    """A member listed in a temporary org while keeping the home branch (ORG-01)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="temporary_members")
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="temporary_memberships"
    )
    started_on = models.DateField(_("加入日期"))
    ended_on = models.DateField(_("退出日期"), null=True, blank=True)

    history = tracked()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "member", "started_on"], name="uniq_temporary_membership"
            )
        ]


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("转接中")
    RECEIVED = "received", _("已接收")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤回")


class Transfer(models.Model):
    """A two-sided transfer of organizational relation (MEM-05): out → in transit → received."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("党员")
    )
    from_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("转出党组织"),
    )
    to_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("接收党组织"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=TransferStatus, default=TransferStatus.IN_TRANSIT
    )
    sent_on = models.DateField(_("转出日期"))
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    letter_no = models.CharField(_("介绍信编号"), max_length=50, blank=True)
    answer_note = models.CharField(_("退回/撤回说明"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="in_transit"),
                name="one_transfer_in_transit_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name}：{self.from_org} → {self.to_org}"


class IdNumberView(models.Model):
    """Every view of a full ID-card number (MEM-01: shown masked unless entitled; logged)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="id_views")
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)
    via = models.CharField(max_length=250)
    purpose = models.CharField(max_length=100, blank=True)
    viewed_at = models.DateTimeField(auto_now_add=True)


class IdNumberProbe(models.Model):
    """An answer that an ID number is already on file elsewhere (its holder out of the
    actor's scope), or a refusal once an account has had too many such answers in a day.

    The answer reveals that the number belongs to some member, so each one is kept (who,
    when, for which org, through which channel) and counted per account and day. Only the
    number's lookup HMAC is stored, never the number.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="id_number_probes"
    )
    org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    id_number_hmac = models.CharField(max_length=64, blank=True)
    refused = models.BooleanField(_("已拒绝"), default=False)
    via = models.CharField(max_length=250)
    answered_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("身份证号查重记录")
        verbose_name_plural = _("身份证号查重记录")
        indexes = [models.Index(fields=["user", "answered_at"])]


# --- dual-lead members, skills and talent tags, discipline (MEM-03, MEM-04, issue 17) ------


class DualLeadType(models.TextChoices):
    """The three kinds of “双带”型党员 (seed 000 §2)."""

    ENTREPRENEURSHIP = "entrepreneurship", _("创业致富型")
    INNOVATION = "innovation", _("创新转型型")
    EXCELLENCE = "excellence", _("创优提质型")


class DualLead(models.Model):
    """A member recognized as a dual-lead member (“双带”型党员) for a year, with evidence
    (MEM-03); the share per org per year must rise (seed 000)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dual_leads")
    year = models.PositiveSmallIntegerField(_("年度"))
    type = models.CharField(_("类型"), max_length=16, choices=DualLeadType)
    evidence = models.TextField(_("事迹和依据"))
    recognized_on = models.DateField(_("认定日期"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("“双带”型党员")
        verbose_name_plural = _("“双带”型党员")
        ordering = ["-year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="members_dual_lead_once")
        ]
        indexes = [models.Index(fields=["year", "member"])]


class TagKind(models.TextChoices):
    SKILL = "skill", _("实用技术（专长）")
    TALENT = "talent", _("人才标签")


class MemberTag(models.Model):
    """A skill (实用技术) or talent tag (致富能手 …) a member holds from `since` until
    `until` (exclusive; open if null) (MEM-04); tags come from the policy's catalogue."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(_("类别"), max_length=6, choices=TagKind)
    tag = models.CharField(_("标签"), max_length=40)
    since = models.DateField(_("认定日期"))
    until = models.DateField(_("失效日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("党员技能和人才标签")
        verbose_name_plural = _("党员技能和人才标签")
        ordering = ["member", "kind", "since"]
        constraints = [
            models.UniqueConstraint(fields=["member", "tag", "since"], name="members_tag_once")
        ]
        indexes = [models.Index(fields=["kind", "since", "until"])]


class DisciplineKind(models.TextChoices):
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    REMOVAL = "removal", _("撤销党内职务")
    PROBATION = "probation", _("留党察看")
    EXPULSION = "expulsion", _("开除党籍")


class Discipline(models.Model):
    """A party disciplinary penalty (党纪处分) decided on a member, in effect from
    `decided_on` until `effective_until` (exclusive; open if null). An introducer may not
    be under one in effect (national rule on member development)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="disciplines")
    kind = models.CharField(_("处分种类"), max_length=16, choices=DisciplineKind)
    decided_on = models.DateField(_("处分决定日期"))
    effective_until = models.DateField(_("影响期截止日期"), null=True, blank=True)
    decided_by = models.CharField(_("决定机关"), max_length=200, blank=True)
    reason = models.TextField(_("处分事由"), blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("党纪处分")
        verbose_name_plural = _("党纪处分")
        ordering = ["member", "-decided_on"]
        indexes = [models.Index(fields=["member", "decided_on"])]
