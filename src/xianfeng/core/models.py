"""Background jobs with progress, shown by pages as a progress bar."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=80)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While running under `xianfeng worker`: renewed by its heartbeat; once passed, the
    # worker is taken for dead and the job is failed (core.jobs.fail_lapsed_jobs).
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def status_label(self) -> str:
        return str(self.get_status_display())

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class ExportRecord(models.Model):
    """Every export (PLAT-02): who, what, which subtree, whether ID numbers were in clear."""

    kind = models.CharField(_("内容"), max_length=20)
    org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("范围")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("导出人"),
    )
    via = models.CharField(_("途径"), max_length=250)
    unmasked = models.BooleanField(_("含完整身份证号"), default=False)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
