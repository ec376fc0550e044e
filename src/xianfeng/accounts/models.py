"""Users, their posts at orgs and API tokens (PLAT-01).

A user's scope is the union of the subtrees of the orgs of their active posts; a user
linked to a member (and holding no post) sees only that member's own records.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked


class User(AbstractUser):
    member = models.OneToOneField(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("对应党员"),
    )
    can_view_identifiers = models.BooleanField(
        _("可查看完整身份证号"),
        default=False,
        help_text=_("有此权限的用户可查看完整身份证号，每次查看都会记录"),
    )
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    history = tracked(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def display_name(self) -> str:
        return self.first_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    OFFICER = "officer", _("党务工作者")
    VIEWER = "viewer", _("查看者")


class Post(models.Model):
    """A user's role at an org; it covers the org's whole subtree."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="posts", verbose_name=_("用户")
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.CASCADE, related_name="posts", verbose_name=_("党组织")
    )
    role = models.CharField(_("岗位"), max_length=10, choices=Role)
    is_active = models.BooleanField(_("有效"), default=True)
    started_at = models.DateTimeField(_("开通时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("账号岗位")
        verbose_name_plural = _("账号岗位")
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org}：{self.get_role_display()}"


class ApiToken(models.Model):
    """A token for scripts; only its SHA-256 is stored, the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    history = tracked()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")


class FailedLogins(models.Model):
    """Wrong passwords given for one username from any address (PLAT-01, the per-account
    delay of `accounts.throttle`); the username is stored lower-cased, known or not."""

    username = models.CharField(max_length=150, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
