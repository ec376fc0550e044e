"""Each user's in-app inbox (e-mailed as well when a mail server is configured).

A notice is written by `domain.send_notice` (or `notify_run` for compliance runs) and read
only by its recipient.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked


class Kind(models.TextChoices):
    NEW_FINDINGS = "new_findings", _("新发现问题")
    REMINDER = "reminder", _("提醒")
    SYSTEM = "system", _("系统通知")
    DIGEST = "digest", _("每日提醒")


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("党组织"),
    )
    # What the notice is about, e.g. "run:42": one notice per (user, kind, key) at most.
    key = models.CharField(_("来源"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["key"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"],
                condition=~Q(key=""),
                name="notices_notice_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Reminded(models.Model):
    """A reminder item put into a user's daily digest: `key` is the item's stable key from
    its source, `what` "due" or "overdue"; each (user, key, what) is told once only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminded",
        verbose_name=_("接收人"),
    )
    key = models.CharField(_("事项"), max_length=100)
    what = models.CharField(_("提醒类别"), max_length=10)
    day = models.DateField(_("提醒日期"))

    class Meta:
        verbose_name = _("已发送提醒")
        verbose_name_plural = _("已发送提醒")
        indexes = [models.Index(fields=["key"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "what"], name="notices_reminded_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.what}"
