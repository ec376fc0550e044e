"""Study and training (STUDY-01 … STUDY-04): the course catalogue and the yearly
must-learn lists, study plans with their quarterly and monthly items, study records,
training classes with their enrolment, and the hours credited to a study meeting.

Study hours come from several sources, each kept where it happens: attended training
classes (`Enrollment`), meetings that count as study (orglife `Meeting` of kind
party_lesson or study_session with the member present; hours from `MeetingCredit` or the
policy), and `StudyRecord` rows (online courses, approved self-study, imported rows).
Which sources count as concentrated study and the caps per source are policy parameters.
Hours are Decimals with one decimal place (31.5).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked
from xianfeng.lib.uploads import RandomName

plan_part_validator = RegexValidator(
    r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$", "安排期间应为季度（如 2025-Q3）或月份（如 2025-06）"
)


def hours_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    """Study hours: a Decimal with one decimal place (31.5), not negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        **options,
    )


class CourseKind(models.TextChoices):
    TEXT = "text", _("图文")
    FILE = "file", _("文件")
    VIDEO = "video", _("视频")
    LECTURE = "lecture", _("讲座")
    PRACTICAL = "practical", _("实用技术")


class Course(models.Model):
    """One course of the catalogue (课程菜单, STUDY-02), published by an org to its subtree."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="courses", verbose_name=_("发布组织")
    )
    title = models.CharField(_("课程名称"), max_length=200)
    kind = models.CharField(_("课程类型"), max_length=12, choices=CourseKind)
    hours = hours_field(_("认定学时"))
    tags = models.JSONField(_("标签"), default=list, blank=True)
    summary = models.TextField(_("内容简介"), blank=True)
    body = models.TextField(_("正文"), blank=True, help_text=_("图文课程的正文"))
    file = models.FileField(_("课件文件"), upload_to=RandomName("courses"), blank=True)
    file_name = models.CharField(
        _("原文件名"), max_length=200, blank=True, default="", db_default=""
    )
    published_on = models.DateField(_("发布日期"))
    active = models.BooleanField(_("在用"), default=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["-published_on", "title"]
        indexes = [models.Index(fields=["org", "kind"])]

    def __str__(self) -> str:
        return self.title


class MustLearnList(models.Model):
    """A year's must-learn list (必学必知必会, STUDY-02) an org publishes to its subtree."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="must_learn_lists",
        verbose_name=_("发布组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    published_on = models.DateField(_("发布日期"))
    note = models.TextField(_("说明"), blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("必学清单")
        verbose_name_plural = _("必学清单")
        ordering = ["-year", "org"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="study_one_must_learn_list")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class MustLearnItem(models.Model):
    """One course on a must-learn list; a member completes it with a study record of it."""

    must_learn = models.ForeignKey(
        MustLearnList, on_delete=models.CASCADE, related_name="items", verbose_name=_("必学清单")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="must_learn_items", verbose_name=_("课程")
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("必学内容")
        verbose_name_plural = _("必学内容")
        ordering = ["must_learn", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["must_learn", "course"], name="study_item_once")
        ]


class PlanKind(models.TextChoices):
    ORG = "org", _("组织年度学习计划")
    PERSONAL = "personal", _("领导干部个人自学计划")


class StudyPlan(models.Model):
    """An org's annual study plan, or a leading cadre's personal annual self-study plan
    (STUDY-03); its items are the quarterly arrangements and monthly tasks."""

    kind = models.CharField(_("计划类型"), max_length=10, choices=PlanKind, default=PlanKind.ORG)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="study_plans", verbose_name=_("党组织")
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="study_plans",
        verbose_name=_("制定人"),
        help_text=_("个人自学计划的领导干部"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    content = models.TextField(_("计划内容"), blank=True)
    adopted_on = models.DateField(_("制定日期"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("学习计划")
        verbose_name_plural = _("学习计划")
        ordering = ["-year", "kind", "org"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year"],
                condition=models.Q(kind="org"),
                name="study_one_org_plan_a_year",
            ),
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=models.Q(kind="personal"),
                name="study_one_personal_plan_a_year",
            ),
        ]
        indexes = [models.Index(fields=["year", "kind"])]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class PlanItem(models.Model):
    """A quarterly arrangement (period 2025-Q3) or a monthly task (period 2025-06) of a
    plan; done when `done_on` is set (plan vs. done, STUDY-03)."""

    plan = models.ForeignKey(
        StudyPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("学习计划")
    )
    period = models.CharField(_("安排期间"), max_length=7, validators=[plan_part_validator])
    title = models.CharField(_("学习内容"), max_length=200)
    content = models.TextField(_("具体安排"), blank=True)
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
        verbose_name=_("课程"),
    )
    planned_hours = hours_field(_("计划学时"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        "orglife.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
        verbose_name=_("落实该任务的会议"),
    )

    history = tracked()

    class Meta:
        verbose_name = _("学习安排")
        verbose_name_plural = _("学习安排")
        ordering = ["plan", "period", "pk"]

    def __str__(self) -> str:
        return f"{self.period} {self.title}"

    @property
    def is_quarterly(self) -> bool:
        return "Q" in self.period


class RecordSource(models.TextChoices):
    """Where study hours come from. TRAINING and MEETING are read from enrolments and
    meeting attendance; StudyRecord rows carry ONLINE, SELF_STUDY or IMPORTED."""

    TRAINING = "training", _("培训班")
    MEETING = "meeting", _("党课和专题学习")
    ONLINE = "online", _("网络学习")
    SELF_STUDY = "self_study", _("个人自学")
    IMPORTED = "imported", _("平台外学习（导入）")


RECORD_SOURCES = (RecordSource.ONLINE, RecordSource.SELF_STUDY, RecordSource.IMPORTED)


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未认定")


class StudyRecord(models.Model):
    """Hours a member studied outside training classes and meetings (STUDY-01): an online
    course, a self-study entry (counted once approved) or a row imported from outside the
    platform. `org` is the member's org on `studied_on`."""

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="study_records",
        verbose_name=_("党员"),
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="study_records", verbose_name=_("党组织")
    )
    source = models.CharField(_("来源"), max_length=12, choices=RecordSource)
    studied_on = models.DateField(_("学习日期"))
    hours = hours_field(_("学时"))
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("课程"),
    )
    title = models.CharField(_("学习内容"), max_length=200)
    status = models.CharField(
        _("认定状态"), max_length=10, choices=RecordStatus, default=RecordStatus.APPROVED
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    batch = models.CharField(_("导入批次"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        ordering = ["-studied_on", "-pk"]
        indexes = [
            models.Index(fields=["member", "studied_on"]),
            models.Index(fields=["org", "studied_on"]),
            # Covers STUDY-01's read of a year's hours per member and source (no table
            # lookups): 12 s → 3.2 s for a city's year on SQLite.
            models.Index(
                fields=["studied_on", "status", "member", "source", "hours"],
                name="study_record_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studied_on} {self.title}（{self.hours}学时）"


class TrainingKind(models.TextChoices):
    ROTATION = "rotation", _("党员集中轮训")
    PRACTICAL = "practical", _("实用技术培训")
    DUAL_LEAD = "dual_lead", _("“双带”型党员骨干示范培训班")
    LEADERSHIP = "leadership", _("书记和班子成员培训")
    PARTY_AFFAIRS = "party_affairs", _("党务干部培训")
    OTHER = "other", _("其他培训")


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class TrainingClass(models.Model):
    """A training class (培训班, STUDY-04) organized by an org; attendance credits `hours`."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="training_classes",
        verbose_name=_("主办党组织"),
    )
    kind = models.CharField(_("培训类型"), max_length=15, choices=TrainingKind)
    title = models.CharField(_("培训班名称"), max_length=200)
    organizer = models.CharField(
        _("承办单位"), max_length=200, blank=True, help_text=_("如党校、农业技术推广中心")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=TrainingStatus, default=TrainingStatus.HELD
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    days = models.DecimalField(
        _("培训天数"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    hours = hours_field(_("认定学时"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    content = models.TextField(_("培训内容"), blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-starts_on", "title"]
        indexes = [
            models.Index(fields=["org", "kind", "starts_on"]),
            models.Index(fields=["kind", "ends_on"]),
        ]

    def __str__(self) -> str:
        return self.title


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    ATTENDED = "attended", _("已参训")
    ABSENT = "absent", _("未参训")


class Enrollment(models.Model):
    """A member enrolled in a training class; attending credits `hours` (the class's
    hours when empty)."""

    training_class = models.ForeignKey(
        TrainingClass,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("培训班"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("党员"),
    )
    status = models.CharField(
        _("参训情况"), max_length=10, choices=EnrollmentStatus, default=EnrollmentStatus.ENROLLED
    )
    hours = hours_field(
        _("认定学时"), null=True, blank=True, help_text=_("不填则按培训班的认定学时")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("培训报名")
        verbose_name_plural = _("培训报名")
        constraints = [
            models.UniqueConstraint(fields=["training_class", "member"], name="study_enrol_once")
        ]
        indexes = [models.Index(fields=["member", "status"])]


class MeetingCredit(models.Model):
    """Study hours credited to each member present at a party lesson or study session,
    where they differ from the policy's default for the meeting kind (STUDY-01)."""

    meeting = models.OneToOneField(
        "orglife.Meeting",
        on_delete=models.CASCADE,
        related_name="study_credit",
        verbose_name=_("会议"),
    )
    hours = hours_field(_("认定学时"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("会议学时认定")
        verbose_name_plural = _("会议学时认定")
