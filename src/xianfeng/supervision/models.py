"""Supervision (TASK-01 … TASK-07): the problem, task and duty lists and their
rectification to acceptance, re-inspection, the supervision rhythm (calendar, quarterly
progress reports, inspections and their notices), secretary-led projects, admonition talks
and the secretaries' yearly duty reports.

An item is one entry of an org's problem, task or duty list. Its life:
open → in progress → submitted (evidence) → accepted, or returned with a reason (back to
in progress). Only an officer or admin of an org above the item's org (for the root org:
another admin of the root) accepts or returns it, never the one who submitted it. An item
made from a finding keeps the finding's identity (rule, org, member, period), the key the
engine uses for first-seen dates; at most one item that is not accepted holds a key.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked
from xianfeng.lib.uploads import RandomName

ACCOUNT = settings.AUTH_USER_MODEL


class ItemKind(models.TextChoices):
    PROBLEM = "problem", _("问题清单")
    TASK = "task", _("任务清单")
    DUTY = "duty", _("责任清单")


class Origin(models.TextChoices):
    FINDING = "finding", _("检查发现")
    INSPECTION = "inspection", _("督查")
    SELF_CHECK = "self_check", _("自查")
    COMPLAINT = "complaint", _("群众反映")
    MANUAL = "manual", _("手工录入")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已销号")


# Statuses an item can still be worked on in (not yet accepted).
UNFINISHED = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED)


class DutyLevel(models.TextChoices):
    """The three levels of a government org's duty list (seed 003 att. 18)."""

    SECRETARY = "secretary", _("书记")
    COMMITTEE = "committee", _("班子成员")
    STAFF = "staff", _("专兼职党务干部")


class DutyTemplate(models.Model):
    """A year's duty-list template an upper org publishes to the government orgs below it
    (TASK-03); publishing makes one duty item per template item in each org."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="duty_templates",
        verbose_name=_("发布组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        verbose_name = _("责任清单模板")
        verbose_name_plural = _("责任清单模板")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="one_duty_template_a_year")
        ]

    def __str__(self) -> str:
        return self.title


class DutyTemplateItem(models.Model):
    template = models.ForeignKey(
        DutyTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("模板")
    )
    level = models.CharField(_("责任层级"), max_length=12, choices=DutyLevel)
    title = models.CharField(_("责任事项"), max_length=200)
    description = models.TextField(_("具体要求"), blank=True)
    due = models.DateField(_("完成时限"))
    order = models.PositiveSmallIntegerField(_("序号"), default=0)

    history = tracked()

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("责任事项")
        verbose_name_plural = _("责任事项")


class Inspection(models.Model):
    """A supervision inspection (督查) by an upper org: a half-year inspection of a random
    sample of orgs stratified by level and sector, a spot check or a special inspection.
    The seed, the sampling rule and the sample are stored, so the draw can be repeated."""

    class Kind(models.TextChoices):
        HALF_YEAR = "half_year", _("半年督查")
        SPOT = "spot", _("随机抽查")
        SPECIAL = "special", _("专项督查")

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("督查组织"),
    )
    kind = models.CharField(_("督查类型"), max_length=10, choices=Kind)
    period = models.CharField(_("期间"), max_length=10)
    title = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("督查日期"))
    seed = models.BigIntegerField(_("抽样种子"), null=True, blank=True)
    sampling = models.TextField(_("抽样规则"), blank=True)
    created_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("督查")
        verbose_name_plural = _("督查")

    def __str__(self) -> str:
        return self.title


class InspectionTarget(models.Model):
    """One org an inspection looked at: its stratum, what was looked at, the conclusion;
    its problems are items with origin `inspection`."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="targets", verbose_name=_("督查")
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("被督查组织")
    )
    stratum = models.CharField(_("抽样层"), max_length=100, blank=True)
    looked_at = models.TextField(_("督查内容"), blank=True)
    conclusion = models.TextField(_("督查结论"), blank=True)

    history = tracked()

    class Meta:
        ordering = ["inspection", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "org"], name="one_target_per_org")
        ]


class Item(models.Model):
    """One entry of an org's problem, task or duty list."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="supervision_items",
        verbose_name=_("责任组织"),
    )
    kind = models.CharField(_("清单类型"), max_length=10, choices=ItemKind)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("具体内容"), blank=True)
    origin = models.CharField(_("来源"), max_length=12, choices=Origin, default=Origin.MANUAL)
    # The finding's identity (origin `finding`): compliance.queries.finding_key,
    # "rule|org code|member id or -|period".
    finding_key = models.CharField(_("检查发现标识"), max_length=80, blank=True, default="")
    rule = models.CharField(_("规则"), max_length=20, blank=True, default="")
    finding_member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("涉及党员"),
    )
    finding_period = models.CharField(_("检查期间"), max_length=10, blank=True, default="")
    # The day a later check first no longer reported the finding (None: still reported).
    finding_cleared_on = models.DateField(_("规则不再报告自"), null=True, blank=True)
    inspection = models.ForeignKey(
        Inspection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("来源督查"),
    )
    duty_template_item = models.ForeignKey(
        DutyTemplateItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duty_items",
        verbose_name=_("责任事项"),
    )
    duty_level = models.CharField(
        _("责任层级"), max_length=12, choices=DutyLevel, blank=True, default=""
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    responsible = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    responsible_user = models.ForeignKey(
        ACCOUNT,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("办理账号"),
    )
    reviewer_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="reviewed_items",
        verbose_name=_("验收组织"),
    )
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ItemStatus, default=ItemStatus.OPEN, db_index=True
    )
    evidence = models.TextField(_("整改情况"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        ACCOUNT,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提交人"),
    )
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    reopened_count = models.PositiveSmallIntegerField(_("回头看重新打开次数"), default=0)
    accepted_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        ACCOUNT,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("验收人"),
    )
    accept_note = models.TextField(_("验收意见"), blank=True)
    created_by = models.ForeignKey(
        ACCOUNT,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_on = models.DateField(_("创建日期"))
    # Bumped by every transition: two reviewers acting on the same item, one wins.
    version = models.PositiveIntegerField(default=0)

    history = tracked()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        indexes = [
            models.Index(fields=["org", "status"]),
            models.Index(fields=["reviewer_org", "status"]),
            models.Index(fields=["responsible_user", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["finding_key"],
                condition=~Q(finding_key="") & ~Q(status="accepted"),
                name="one_unfinished_item_per_finding",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Step(models.Model):
    """One step of an item's life, shown as its timeline (the history keeps every field)."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        STARTED = "started", _("开始整改")
        SUBMITTED = "submitted", _("提交整改材料")
        ACCEPTED = "accepted", _("验收销号")
        RETURNED = "returned", _("退回")
        EXTENSION_ASKED = "extension_asked", _("申请延期")
        EXTENSION_GRANTED = "extension_granted", _("同意延期")
        EXTENSION_REFUSED = "extension_refused", _("不同意延期")
        REOPENED = "reopened", _("回头看重新打开")
        CLEARED = "cleared", _("规则不再报告")
        EDITED = "edited", _("修改")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=20, choices=Action)
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(
        ACCOUNT,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["item", "at", "pk"]


class ItemFile(models.Model):
    """An attachment of an item or a file of its evidence."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to=RandomName("supervision"))
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    is_evidence = models.BooleanField(_("整改材料"), default=False)
    uploaded_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["item", "pk"]


class Extension(models.Model):
    """A request to move an item's deadline (延期申请), granted or refused by a reviewer."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        GRANTED = "granted", _("同意")
        REFUSED = "refused", _("不同意")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extensions")
    deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("申请理由"))
    asked_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(
        _("审核结果"), max_length=8, choices=Decision, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    history = tracked()

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(decision="pending"), name="one_pending_extension"
            )
        ]


class Reinspection(models.Model):
    """A re-inspection (回头看): a reproducible random sample of the items accepted in the
    last months, their rules re-run, those whose problem is back reopened."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="reinspections",
        verbose_name=_("组织"),
    )
    date = models.DateField(_("日期"))
    months = models.PositiveSmallIntegerField(_("回看月数"))
    share = models.DecimalField(_("抽样比例"), max_digits=4, decimal_places=3)
    seed = models.BigIntegerField(_("抽样种子"))
    sample = models.JSONField(_("抽中事项"), default=list)
    reopened = models.JSONField(_("重新打开事项"), default=list)
    by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["-date", "-pk"]


class CalendarEntry(models.Model):
    """One step of an upper org's yearly supervision calendar (TASK-04)."""

    class Kind(models.TextChoices):
        MONTHLY_REMINDER = "monthly_reminder", _("月度提示")
        QUARTERLY_PROGRESS = "quarterly_progress", _("季度推进")
        HALF_YEAR_INSPECTION = "half_year_inspection", _("半年督查")
        ANNUAL_EVALUATION = "annual_evaluation", _("年度考评")

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="supervision_calendar",
        verbose_name=_("组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("环节"), max_length=24, choices=Kind)
    period = models.CharField(_("期间"), max_length=10)
    date = models.DateField(_("日期"))
    title = models.CharField(_("事项"), max_length=200)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    history = tracked()

    class Meta:
        ordering = ["org", "date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "period"], name="one_calendar_entry_per_period"
            )
        ]


class ProgressReport(models.Model):
    """A quarterly progress report (季度推进) of an org the policy names."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name=_("组织"),
    )
    period = models.CharField(_("季度"), max_length=10)
    work_done = models.TextField(_("工作进展"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    items_closed = models.PositiveIntegerField(_("本季度销号事项"), default=0)
    submitted_on = models.DateField(_("报送日期"))
    by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["org", "period"]
        constraints = [
            models.UniqueConstraint(fields=["org", "period"], name="one_progress_report")
        ]


class InspectionNotice(models.Model):
    """A supervision notice (督查通报) with its document number, published to the inboxes
    of the orgs it names; its PDF comes from the shared PDF module."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="inspection_notices",
        verbose_name=_("发文组织"),
    )
    inspection = models.ForeignKey(
        Inspection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("督查"),
    )
    number = models.CharField(_("文号"), max_length=60)
    date = models.DateField(_("发文日期"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    recipients = models.ManyToManyField(
        "orgs.Org", related_name="+", verbose_name=_("通报范围"), blank=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="one_notice_number")]


class Project(models.Model):
    """A secretary-led project (书记领办项目, TASK-05): one per secretary a year."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="secretary_projects",
        verbose_name=_("党组织"),
    )
    secretary = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("书记")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("项目名称"), max_length=200)
    goal = models.TextField(_("项目目标"))
    milestones = models.JSONField(_("节点安排"), default=list, blank=True)
    result = models.TextField(_("完成成效"), blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    registered_on = models.DateField(_("立项日期"))

    history = tracked()

    class Meta:
        ordering = ["org", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "secretary", "year"], name="one_project_per_secretary_year"
            )
        ]


class Admonition(models.Model):
    """An admonition talk (约谈, TASK-06) with a secretary who does not perform."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="admonitions",
        verbose_name=_("被约谈组织"),
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("被约谈人")
    )
    date = models.DateField(_("约谈日期"))
    by_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("约谈组织")
    )
    talker = models.CharField(_("约谈人"), max_length=100)
    reason = models.TextField(_("约谈事由"))
    outcome = models.TextField(_("约谈结果"), blank=True)
    recorded_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["org", "-date"]


class AdjustmentProposal(models.Model):
    """A proposal to adjust a secretary's post, raised by a second admonition within the
    policy's window and tracked to the upper org's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待决定")
        ADJUSTED = "adjusted", _("调整")
        KEPT = "kept", _("不调整")

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("书记")
    )
    admonition = models.OneToOneField(
        Admonition,
        on_delete=models.CASCADE,
        related_name="proposal",
        verbose_name=_("引起建议的约谈"),
    )
    raised_on = models.DateField(_("提出日期"))
    decision = models.CharField(
        _("决定"), max_length=10, choices=Decision, default=Decision.PENDING
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    history = tracked()

    class Meta:
        ordering = ["-raised_on", "-pk"]


class DutyReport(models.Model):
    """A secretary's yearly two-way duty report (双向述职, TASK-07) on the work of `year`
    and the audience's ratings (counts per rating of the policy's scale)."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="duty_reports",
        verbose_name=_("党组织"),
    )
    secretary = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("述职人")
    )
    year = models.PositiveSmallIntegerField(_("述职年度"))
    date = models.DateField(_("述职日期"))
    summary = models.TextField(_("述职内容"))
    ratings = models.JSONField(_("评议结果"), default=dict)
    result = models.CharField(_("综合评价"), max_length=10, blank=True)
    recorded_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["org", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "secretary", "year"], name="one_duty_report_a_year"
            )
        ]
