"""Policies, evaluation runs, findings and the holiday calendar (PLAT-04)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked


class Policy(models.Model):
    """A jurisdiction's parameters (TOML), applied to the subtree of `org`.

    The national policy has no org and applies everywhere; the nearest ancestor's policy
    wins key by key.
    """

    code = models.CharField(_("编码"), max_length=40, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    source = models.TextField(_("依据文件"), blank=True)
    org = models.OneToOneField(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy",
        verbose_name=_("适用组织"),
    )
    text = models.TextField(_("政策文件（TOML）"))
    values = models.JSONField(_("参数"), default=dict, blank=True)
    # Adopted by reference: the values are the shipped policy's, read at evaluation time,
    # so the org follows the shipped file's later updates (a local copy has none).
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adopters",
        verbose_name=_("引用的内置政策"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")

    def __str__(self) -> str:
        return self.title

    @property
    def effective_values(self) -> dict[str, dict]:
        """The parameters this policy sets: the followed shipped policy's, or its own."""
        return self.follows.values if self.follows is not None else self.values


class Severity(models.TextChoices):
    ERROR = "error", _("问题")
    WARNING = "warning", _("提醒")
    INFO = "info", _("提示")


class Run(models.Model):
    """One evaluation of a subtree for a period; its findings are stored with it."""

    scope = models.JSONField(_("范围"), default=list)
    period = models.CharField(_("期间"), max_length=10)
    as_of = models.DateField(_("截至日期"))
    rules = models.JSONField(_("规则"), default=list)
    overrides = models.JSONField(_("参数覆盖"), default=dict)
    orgs_evaluated = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    via = models.CharField(max_length=250, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    # Set when data its findings read changed after the run; cleared by the re-check.
    stale_since = models.DateTimeField(_("数据变更时间"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]


class Finding(models.Model):
    """One failed check: which rule, which org (and member), which period, why."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(_("规则"), max_length=20, db_index=True)
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="findings")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    period = models.CharField(_("期间"), max_length=10)
    severity = models.CharField(_("等级"), max_length=10, choices=Severity)
    message = models.TextField(_("说明"))
    evidence = models.JSONField(_("依据数据"), default=dict)
    first_seen = models.DateField(_("首次发现"))

    class Meta:
        indexes = [models.Index(fields=["run", "rule"]), models.Index(fields=["org", "period"])]


class CalendarYear(models.Model):
    """A year whose official holiday schedule (国务院办公厅通知) is confirmed."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed = models.BooleanField(_("已核对官方安排"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = tracked()

    class Meta:
        ordering = ["year"]


class HolidayOverride(models.Model):
    """A correction of the holiday package for one date."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = tracked()
