"""Recruitment (DEV-01 … DEV-07): the full record of member development (发展党员全程记实),
mentors and introducers, the three cultivations (三培养) with their leadership pairs,
yearly targets decomposed down the tree, and the talent pool (人才库) of non-members.

A `Person` is someone in the pipeline who is not yet a member: applicant → activist →
admission candidate → probationary member → full member. Every step is a dated `Step`
(with its files and who decided); the dates of the stage-changing steps are copied onto
the person (`applied_on`, `activist_on`, …) so that rules read them set-wise. Admission
creates the `members.Member` (probationary) through `members.domain.register_member`, and
conversion moves it to full through `set_member_status` — never a second member record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked
from xianfeng.lib.uploads import RandomName
from xianfeng.members.codes import Education, Gender
from xianfeng.orgs.models import Sector

ACCOUNT = settings.AUTH_USER_MODEL


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    ADMISSION_CANDIDATE = "admission_candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    ENDED = "ended", _("已终止")


# Stages of people still moving through the pipeline (not yet full, not ended).
OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.ADMISSION_CANDIDATE, Stage.PROBATIONARY)


class Person(models.Model):
    """Someone in the recruitment pipeline (not yet a member when it starts)."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="recruitment_people",
        verbose_name=_("所在党组织"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("拼音首字母"), max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender)
    birth_date = models.DateField(_("出生日期"))
    id_number_cipher = models.TextField(_("身份证号（密文）"), editable=False)
    id_number_hmac = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    education = models.CharField(_("学历"), max_length=2, choices=Education, blank=True)
    occupation = models.CharField(_("职业（岗位）"), max_length=100, blank=True)
    sector = models.CharField(_("所在领域"), max_length=12, choices=Sector, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    stage = models.CharField(_("发展阶段"), max_length=20, choices=Stage, default=Stage.APPLICANT)
    stage_since = models.DateField(_("阶段起始日期"))
    # the dates of the stage-changing steps, copied from the steps for set-wise rules
    applied_on = models.DateField(_("递交申请日期"))
    activist_on = models.DateField(_("确定为积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    admitted_on = models.DateField(
        _("接收为预备党员日期"), null=True, blank=True, help_text=_("支部大会讨论通过的日期")
    )
    approved_on = models.DateField(_("党委审批日期"), null=True, blank=True)
    probation_ends_on = models.DateField(_("预备期满日期"), null=True, blank=True)
    full_on = models.DateField(_("转为正式党员日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    ended_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    volunteer_book_no = models.CharField(_("入党志愿书编号"), max_length=40, blank=True)
    member = models.OneToOneField(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruitment_person",
        verbose_name=_("党员"),
    )
    talent = models.ForeignKey(
        "TalentEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("人才库人员"),
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = tracked(excluded_fields=["id_number_cipher", "id_number_hmac", "updated_at"])

    class Meta:
        verbose_name = _("发展对象人员")
        verbose_name_plural = _("发展对象人员")
        ordering = ["org", "applied_on", "pk"]
        indexes = [
            models.Index(fields=["org", "stage"]),
            models.Index(fields=["stage", "applied_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_stage_display()}）"


class StepKind(models.TextChoices):
    APPLICATION = "application", _("递交入党申请书")
    TALK = "talk", _("派人谈话")
    ACTIVIST = "activist", _("确定为入党积极分子")
    ACTIVIST_FILED = "activist_filed", _("积极分子报上级党委备案")
    REVIEW = "review", _("培养考察")
    THOUGHT_REPORT = "thought_report", _("思想汇报")
    CANDIDATE = "candidate", _("确定为发展对象")
    CANDIDATE_AGREED = "candidate_agreed", _("上级党委同意")
    CANDIDATE_NOTICE = "candidate_notice", _("发展对象公示")
    INTRODUCERS = "introducers", _("确定入党介绍人")
    POLITICAL_REVIEW = "political_review", _("政治审查")
    SHORT_TRAINING = "short_training", _("短期集中培训")
    PRE_REVIEW = "pre_review", _("基层党委预审")
    VOLUNTEER_BOOK = "volunteer_book", _("填写入党志愿书")
    ADMISSION_MEETING = "admission_meeting", _("支部大会讨论接收")
    APPROVAL = "approval", _("党委审批接收")
    OATH = "oath", _("入党宣誓")
    EXTENSION = "extension", _("延长预备期")
    CONVERSION_APPLICATION = "conversion_application", _("提出转正申请")
    CONVERSION_NOTICE = "conversion_notice", _("转正公示")
    CONVERSION_MEETING = "conversion_meeting", _("支部大会讨论转正")
    CONVERSION_APPROVAL = "conversion_approval", _("党委审批转正")
    TRANSFER = "transfer", _("培养档案转接")
    END = "end", _("终止")


class Step(models.Model):
    """One dated step of a person's record. The fields after `conclusion` are used by the
    kinds that need them (a notice's end, a meeting's votes, a training's days and hours,
    an extension's months, an approval in a special case)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("环节"), max_length=25, choices=StepKind)
    on = models.DateField(_("日期"))
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="recruitment_steps",
        verbose_name=_("决定（办理）党组织"),
    )
    decided_by = models.CharField(_("决定人（谈话人、审查人）"), max_length=200, blank=True)
    conclusion = models.TextField(_("内容或结论"), blank=True)
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    voters = models.PositiveIntegerField(_("应到有表决权的正式党员"), null=True, blank=True)
    present = models.PositiveIntegerField(_("实到有表决权的正式党员"), null=True, blank=True)
    in_favour = models.PositiveIntegerField(_("赞成票"), null=True, blank=True)
    days = models.DecimalField(_("培训天数"), max_digits=4, decimal_places=1, null=True, blank=True)
    hours = models.DecimalField(
        _("培训学时"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    months = models.PositiveSmallIntegerField(_("延长月数"), null=True, blank=True)
    special = models.BooleanField(_("特殊情况"), default=False)
    training_class = models.ForeignKey(
        "study.TrainingClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruitment_steps",
        verbose_name=_("培训班"),
    )
    to_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruitment_steps_in",
        verbose_name=_("转入党组织"),
    )
    entered_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("发展环节")
        verbose_name_plural = _("发展环节")
        ordering = ["person", "on", "pk"]
        indexes = [
            models.Index(fields=["person", "kind", "on"]),
            # person last: the rules read a city's steps of some kinds from it alone
            models.Index(fields=["kind", "on", "person"]),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class StepFile(models.Model):
    """A document of a step (application letter, review form, notice, minutes …)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to=RandomName("recruitment"))
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["step", "pk"]


class Mentor(models.Model):
    """A full member assigned as mentor (培养联系人) of an activist or admission candidate
    from `started_on` until `ended_on` (exclusive; open if null) (DEV-02)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentors")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="mentoring",
        verbose_name=_("培养联系人"),
    )
    started_on = models.DateField(_("确定日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("培养联系人")
        verbose_name_plural = _("培养联系人")
        ordering = ["person", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "member", "started_on"], name="recruitment_mentor_once"
            )
        ]


class Introducer(models.Model):
    """One of the two full members introducing an admission candidate (入党介绍人)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="introducers")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="introducing",
        verbose_name=_("入党介绍人"),
    )
    chosen_on = models.DateField(_("确定日期"))

    history = tracked()

    class Meta:
        verbose_name = _("入党介绍人")
        verbose_name_plural = _("入党介绍人")
        ordering = ["person", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "member"], name="recruitment_introducer_once")
        ]


# --- the talent pool (DEV-07) ------------------------------------------------------------


class TalentKind(models.TextChoices):
    GROWER = "grower", _("种养大户")
    BROKER = "broker", _("农村经纪人")
    BUSINESS_OWNER = "business_owner", _("私营企业主")
    SKILLED = "skilled", _("高技能人才")
    MIGRANT = "migrant", _("外出务工经商人员")
    OTHER = "other", _("其他")


class TalentStatus(models.TextChoices):
    POOL = "pool", _("在库")
    CULTIVATING = "cultivating", _("培养中（把人才培养成党员）")
    PIPELINE = "pipeline", _("已递交入党申请")
    LEFT = "left", _("已出库")


class TalentEntry(models.Model):
    """A non-member found by the survey (调查摸底) of an org: the source of track (b)."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="talent_entries",
        verbose_name=_("所在党组织"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_cipher = models.TextField(_("身份证号（密文）"), blank=True, editable=False)
    id_number_hmac = models.CharField(max_length=64, null=True, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    kind = models.CharField(_("人才类别"), max_length=15, choices=TalentKind)
    tags = models.JSONField(_("人才标签"), default=list, blank=True)
    occupation = models.CharField(_("职业（经营项目）"), max_length=100, blank=True)
    sector = models.CharField(_("所在领域"), max_length=12, choices=Sector, blank=True)
    surveyed_on = models.DateField(_("摸底日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=TalentStatus, default=TalentStatus.POOL
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked(excluded_fields=["id_number_cipher", "id_number_hmac"])

    class Meta:
        verbose_name = _("人才库人员")
        verbose_name_plural = _("人才库人员")
        ordering = ["org", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hmac"],
                condition=Q(id_number_hmac__isnull=False),
                name="recruitment_talent_id_once",
            )
        ]
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return self.name


# --- the three cultivations (DEV-03, DEV-04, DEV-05) ---------------------------------------


class Track(models.TextChoices):
    MEMBER_TO_TALENT = "member_to_talent", _("把党员培养成人才")
    TALENT_TO_MEMBER = "talent_to_member", _("把人才培养成党员")
    TALENT_TO_CADRE = "talent_to_cadre", _("把党员人才培养成后备干部")


class CultivationStatus(models.TextChoices):
    ACTIVE = "active", _("培养中")
    DONE = "done", _("已成才（已达成）")
    STOPPED = "stopped", _("已终止")


class Cultivation(models.Model):
    """A candidate's cultivation file (培养档案) in one track. Tracks (a) and (c) cultivate
    a member (`member`); track (b) a talent of the pool (`talent`). `pair` is the leader
    paired with the candidate (结对, DEV-05)."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="cultivations",
        verbose_name=_("所在党组织"),
    )
    track = models.CharField(_("培养方向"), max_length=20, choices=Track)
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cultivations",
        verbose_name=_("培养对象（党员）"),
    )
    talent = models.ForeignKey(
        TalentEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cultivations",
        verbose_name=_("培养对象（人才）"),
    )
    pair = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="paired_cultivations",
        verbose_name=_("结对领导"),
    )
    goal = models.CharField(_("培养目标"), max_length=200, blank=True)
    started_on = models.DateField(_("列入培养日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CultivationStatus, default=CultivationStatus.ACTIVE
    )
    status_since = models.DateField(_("状态起始日期"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("培养档案")
        verbose_name_plural = _("培养档案")
        ordering = ["org", "track", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(track="talent_to_member", member__isnull=True, talent__isnull=False)
                    | (~Q(track="talent_to_member") & Q(member__isnull=False, talent__isnull=True))
                ),
                name="recruitment_cultivation_subject",
            )
        ]
        indexes = [models.Index(fields=["org", "track", "status"])]


class EntryKind(models.TextChoices):
    TRAINING = "training", _("培训")
    THEORY = "theory", _("理论学习")
    PRACTICE = "practice", _("实践锻炼")
    HELP = "help", _("结对帮带")
    REVIEW = "review", _("考察评价")
    OTHER = "other", _("其他")


class CultivationEntry(models.Model):
    """A dated entry of a cultivation file."""

    cultivation = models.ForeignKey(Cultivation, on_delete=models.CASCADE, related_name="entries")
    on = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=10, choices=EntryKind)
    title = models.CharField(_("内容"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, null=True, blank=True)
    training_class = models.ForeignKey(
        "study.TrainingClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cultivation_entries",
        verbose_name=_("培训班"),
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("培养记录")
        verbose_name_plural = _("培养记录")
        ordering = ["cultivation", "on", "pk"]
        indexes = [models.Index(fields=["kind", "on"])]


# --- yearly targets and plans (DEV-06) -----------------------------------------------------


class TargetKind(models.TextChoices):
    MEMBER_TO_TALENT = "member_to_talent", _("把党员培养成人才（人）")
    TALENT_ACTIVIST = "talent_activist", _("把人才培养成入党积极分子（人）")
    TALENT_MEMBER = "talent_member", _("把人才发展为党员（人）")
    PROMOTED = "promoted", _("把党员人才培养成后备干部（人）")
    ADMISSIONS = "admissions", _("发展党员计划（名额）")


class Target(models.Model):
    """An org's yearly target of one kind, set by the org above it (the root sets its
    own). `ADMISSIONS` is the yearly recruitment plan (发展党员计划): approvals under the
    org beyond it are refused."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.CASCADE, related_name="targets", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("指标"), max_length=20, choices=TargetKind)
    value = models.PositiveIntegerField(_("目标数"))
    set_by = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="targets_set",
        verbose_name=_("下达党组织"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["year", "org", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "kind"], name="recruitment_target_once")
        ]
