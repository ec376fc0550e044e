"""Organizational life (LIFE-01 … LIFE-08): meetings of every type with their attendance,
leave requests, exemptions from theme days, monthly lesson materials, and the records of
party-affairs work (党务公开, reports, ideological analysis).

A meeting belongs to the org that holds it (a branch; its party group for a party-group
meeting; a committee for its leadership life meeting). Its attendance roster lists the
members expected, each present, on approved leave, absent or exempted.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked
from xianfeng.lib.uploads import RandomName

period_validator = RegexValidator(
    r"^\d{4}(-(H[12]|Q[1-4]|(0[1-9]|1[0-2])))?$", "期间格式应为 2025、2025-H1、2025-Q3 或 2025-06"
)
month_validator = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "月份格式应为 2025-06")


class MeetingKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    PARTY_GROUP_MEETING = "party_group_meeting", _("党小组会")
    PARTY_LESSON = "party_lesson", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    LEADERSHIP_LIFE_MEETING = "leadership_life_meeting", _("民主生活会")
    HEART_TALK = "heart_talk", _("谈心谈话")
    STUDY_SESSION = "study_session", _("专题学习研讨")


# Kinds held once a year "for" a year: a life meeting in January may be for the last year.
YEARLY_KINDS = frozenset({MeetingKind.LIFE_MEETING, MeetingKind.LEADERSHIP_LIFE_MEETING})


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class LessonMaterial(models.Model):
    """Monthly lesson material an upper org publishes to its subtree (月送党课, LIFE-06)."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.CASCADE,
        related_name="lesson_materials",
        verbose_name=_("发布组织"),
    )
    month = models.CharField(_("月份"), max_length=7, validators=[month_validator])
    title = models.CharField(_("题目"), max_length=200)
    summary = models.TextField(_("内容摘要"), blank=True)
    file = models.FileField(_("课件"), upload_to=RandomName("lessons"), blank=True)
    file_name = models.CharField(
        _("原文件名"), max_length=200, blank=True, default="", db_default=""
    )
    published_on = models.DateField(_("发布日期"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("党课教材")
        verbose_name_plural = _("党课教材")
        ordering = ["-month", "title"]

    def __str__(self) -> str:
        return f"{self.month} {self.title}"


class Meeting(models.Model):
    """One meeting or activity of organizational life (LIFE-01)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("党组织")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=MeetingKind)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus, default=MeetingStatus.HELD
    )
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    for_period = models.CharField(
        _("所属期间"),
        max_length=7,
        blank=True,
        validators=[period_validator],
        help_text=_("年度会议所属年度，如1月召开的上年度组织生活会填上一年"),
    )
    period_reason = models.CharField(
        _("跨期登记原因"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("所属期间既不是召开日期所在期间，也不是补开期限内的上一期间时，须说明原因"),
    )
    topic = models.CharField(_("主题"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    host = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_meetings",
        verbose_name=_("主持人"),
    )
    recorder = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_meetings",
        verbose_name=_("记录人"),
    )
    lecturer = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons_given",
        verbose_name=_("授课人"),
        help_text=_("党课的主讲人"),
    )
    lecturer_name = models.CharField(
        _("授课人姓名"),
        max_length=50,
        blank=True,
        default="",
        db_default="",
        help_text=_("本组织和上级组织以外的授课人（如党校教师），填写姓名"),
    )
    material = models.ForeignKey(
        LessonMaterial,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name=_("使用的党课教材"),
    )
    off_day_reason = models.CharField(_("未在固定日开展的原因"), max_length=200, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-held_on", "-planned_on"]
        indexes = [
            models.Index(fields=["org", "kind", "held_on"]),
            models.Index(fields=["kind", "held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on or self.planned_on} {self.topic}"

    @property
    def day(self):  # type: ignore[no-untyped-def]
        return self.held_on or self.planned_on


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")
    EXEMPTED = "exempted", _("免于参加")


class Attendance(models.Model):
    """One member on a meeting's roster and whether they came (LIFE-01, LIFE-04).

    `voting` is whether the member had a vote on the meeting day (a full member);
    the quorum of a general meeting counts voters present against voters on the roster.
    """

    meeting = models.ForeignKey(  # indexed by ("meeting", "status", "member") below
        Meeting,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("会议"),
        db_index=False,
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("党员"),
    )
    status = models.CharField(
        _("出勤"), max_length=10, choices=AttendanceStatus, default=AttendanceStatus.PRESENT
    )
    voting = models.BooleanField(_("有表决权"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="orglife_one_row_each")
        ]
        # (meeting, status, member) answers the rules' reads of a span's meetings from the
        # index alone: 8.9 s → 5.6 s for a year of a city's attendance on SQLite.
        indexes = [
            models.Index(fields=["member", "meeting"]),
            models.Index(fields=["meeting", "status", "member"], name="orglife_att_by_meeting"),
        ]


class Attachment(models.Model):
    """A file kept with a meeting (photos, sign-in sheet, minutes scan)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("会议")
    )
    file = models.FileField(_("文件"), upload_to=RandomName("meetings"))
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class LeaveRequest(models.Model):
    """A member's request for leave from a planned meeting (请假, LIFE-04)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="leave_requests", verbose_name=_("会议")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="leave_requests",
        verbose_name=_("党员"),
    )
    reason = models.CharField(_("请假事由"), max_length=200)
    status = models.CharField(
        _("审批状态"), max_length=10, choices=RequestStatus, default=RequestStatus.PENDING
    )
    asked_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="orglife_one_leave_each")
        ]


class Exemption(models.Model):
    """An approved exemption of a frail or sick member from a kind of meeting for a period
    (LIFE-04, MEM-02 关爱管理). `ends_on` is the last day covered."""

    member = models.ForeignKey(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="exemptions",
        verbose_name=_("党员"),
    )
    kind = models.CharField(
        _("免于参加的活动"), max_length=30, choices=MeetingKind, default=MeetingKind.THEME_DAY
    )
    reason = models.CharField(_("原因"), max_length=200)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    status = models.CharField(
        _("审批状态"), max_length=10, choices=RequestStatus, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("免于参加组织生活")
        verbose_name_plural = _("免于参加组织生活")


class AffairsKind(models.TextChoices):
    """Kinds of party-affairs records (LIFE-07, LIFE-08), each for a month, half or year."""

    DISCLOSURE = "affairs_disclosure", _("党务公开")
    REPORT_TO_MEMBERS = "report_to_members", _("向全体党员通报党建工作")
    REPORT_UPWARD = "report_upward", _("向上级党组织书面报告")
    IDEOLOGICAL_ANALYSIS = "ideological_analysis", _("思想状况分析")


# The shape of the period each kind is recorded for: month 2025-06, half 2025-H1, year 2025.
AFFAIRS_PERIOD_SHAPES = {
    AffairsKind.DISCLOSURE: "month",
    AffairsKind.REPORT_TO_MEMBERS: "half",
    AffairsKind.REPORT_UPWARD: "year",
    AffairsKind.IDEOLOGICAL_ANALYSIS: "year",
}


class AffairsRecord(models.Model):
    """One piece of party-affairs work done by an org for a period: the month's
    publication (党务公开), the half-year report to all members, the annual written report
    upward (LIFE-07), or the annual ideological-status analysis (LIFE-08)."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="affairs_records",
        verbose_name=_("党组织"),
    )
    kind = models.CharField(_("类型"), max_length=30, choices=AffairsKind)
    period = models.CharField(
        _("所属期间"),
        max_length=7,
        validators=[period_validator],
        help_text=_("党务公开填月份（2025-06），通报填半年（2025-H1），报告和分析填年度（2025）"),
    )
    done_on = models.DateField(_("完成日期"))
    summary = models.TextField(_("内容摘要"))
    file = models.FileField(_("附件"), upload_to=RandomName("affairs"), blank=True)
    file_name = models.CharField(
        _("原文件名"), max_length=200, blank=True, default="", db_default=""
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党务工作记录")
        verbose_name_plural = _("党务工作记录")
        ordering = ["-period", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "period"], name="orglife_one_affairs_record_each"
            )
        ]
        indexes = [models.Index(fields=["kind", "period"])]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()}"
