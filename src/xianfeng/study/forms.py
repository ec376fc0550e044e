"""HTML input for the study pages; every write goes through study.domain."""

from __future__ import annotations

from typing import Any

from django import forms

from xianfeng.accounts.scope import path_q
from xianfeng.lib.dates import today
from xianfeng.members.models import Member, Status
from xianfeng.orgs.forms import DATE_WIDGET, model_field
from xianfeng.orgs.models import Org

from .domain import FILE_TYPES
from .models import (
    Course,
    CourseKind,
    EnrollmentStatus,
    PlanItem,
    RecordSource,
    StudyPlan,
    StudyRecord,
    TrainingClass,
)

MAX_COURSE_FILE_BYTES: dict[str, int] = {
    CourseKind.VIDEO: 500 * 1024 * 1024
}  # videos; others below
MAX_FILE_BYTES = 50 * 1024 * 1024
ALL_TYPES = sorted({suffix for kinds in FILE_TYPES.values() for suffix in kinds})


def visible_courses(org: Org) -> Any:
    """Active courses published by the org or one of its ancestors (what it may use)."""
    paths = [org.path[:n] for n in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    return Course.objects.filter(org__path__in=paths, active=True).order_by("-published_on")


def members_of(org: Org, user: Any = None) -> Any:
    """Current members of the org's subtree (inside `user`'s scope when given), by name."""
    members = Member.objects.filter(org__path__startswith=org.path)
    if user is not None:
        members = members.filter(path_q(user, "org__path"))
    return members.exclude(status=Status.LEFT).order_by("name", "code")


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def year_or(self, default: int) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or default


class CourseFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="课程类型", required=False, choices=[("", "全部类型"), *CourseKind.choices]
    )
    tag = forms.CharField(label="标签", required=False, max_length=20)
    q = forms.CharField(label="课程名称", required=False, max_length=50)


class CourseForm(forms.Form):
    """A course of the catalogue (STUDY-02); a file or video course carries a local file."""

    title = model_field(Course, "title")
    kind = model_field(Course, "kind")
    hours = model_field(Course, "hours")
    tags = forms.CharField(
        label="标签", required=False, help_text="用逗号分隔，如 党章,准则,条例", max_length=200
    )
    published_on = model_field(Course, "published_on", initial=today)
    summary = model_field(Course, "summary")
    body = model_field(Course, "body")
    file = forms.FileField(
        label="课件文件",
        required=False,
        help_text=f"保存在本系统中：{'、'.join(ALL_TYPES)}；视频不超过 500 MB，其他不超过 50 MB",
    )
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("summary", "body"):
            self.fields[name].widget.attrs["rows"] = 3
        if not editing:
            del self.fields["active"]

    def clean_file(self) -> Any:
        file = self.cleaned_data.get("file")
        if file:
            limit = MAX_COURSE_FILE_BYTES.get(str(self.data.get("kind")), MAX_FILE_BYTES)
            if file.size > limit:
                raise forms.ValidationError(f"文件不能超过 {limit // 1024 // 1024} MB")
            # The type is decided by the domain from the file's bytes, not from its name.
        return file

    def course_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("file"):
            data.pop("file", None)
        return data


def course_initial(course: Course) -> dict[str, Any]:
    fields = ("title", "kind", "hours", "published_on", "summary", "body", "active")
    return {**{f: getattr(course, f) for f in fields}, "tags": ",".join(course.tags or [])}


class MustLearnForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", required=False, max_length=200)
    courses = forms.ModelMultipleChoiceField(
        label="必学课程", queryset=Course.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    published_on = forms.DateField(label="发布日期", widget=DATE_WIDGET, initial=today)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = visible_courses(org)  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    """An org's annual study plan, or a leading cadre's personal plan (STUDY-03)."""

    year = model_field(StudyPlan, "year")
    title = model_field(StudyPlan, "title")
    adopted_on = model_field(StudyPlan, "adopted_on", initial=today)
    content = model_field(StudyPlan, "content")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content"].widget.attrs["rows"] = 3


class PlanItemForm(forms.Form):
    period = model_field(PlanItem, "period")
    title = model_field(PlanItem, "title")
    content = model_field(PlanItem, "content")
    course = forms.ModelChoiceField(label="课程", queryset=Course.objects.none(), required=False)
    planned_hours = model_field(PlanItem, "planned_hours")

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].help_text = "季度安排填 2025-Q3，月度任务填 2025-06"
        self.fields["content"].widget.attrs["rows"] = 2
        self.fields["course"].queryset = visible_courses(org)  # type: ignore[attr-defined]


class PlanDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DATE_WIDGET, initial=today)
    done_note = forms.CharField(label="完成情况", required=False, max_length=200)


class TrainingClassForm(forms.Form):
    kind = model_field(TrainingClass, "kind")
    title = model_field(TrainingClass, "title")
    organizer = model_field(TrainingClass, "organizer")
    status = model_field(TrainingClass, "status")
    starts_on = model_field(TrainingClass, "starts_on")
    ends_on = model_field(TrainingClass, "ends_on")
    days = model_field(TrainingClass, "days")
    hours = model_field(TrainingClass, "hours")
    place = model_field(TrainingClass, "place")
    content = model_field(TrainingClass, "content")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content"].widget.attrs["rows"] = 3


class EnrollForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label="报名党员", queryset=Member.objects.none(), widget=forms.SelectMultiple({"size": 8})
    )

    def __init__(self, *args: Any, org: Org, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members_of(org, user)  # type: ignore[attr-defined]


class TrainingAttendanceForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[(EnrollmentStatus.ATTENDED, "参训"), (EnrollmentStatus.ABSENT, "未参训")]
    )


class RecordForm(forms.Form):
    """An online course or self-study entry of a member (STUDY-01)."""

    source = forms.ChoiceField(
        label="来源",
        choices=[
            (s, RecordSource(s).label) for s in (RecordSource.ONLINE, RecordSource.SELF_STUDY)
        ],
    )
    studied_on = model_field(StudyRecord, "studied_on", initial=today)
    course = forms.ModelChoiceField(label="课程", queryset=Course.objects.none(), required=False)
    title = forms.CharField(label="学习内容", required=False, max_length=200)
    hours = forms.DecimalField(
        label="学时", required=False, max_digits=5, decimal_places=1, help_text="选了课程可不填"
    )
    note = forms.CharField(label="备注", required=False, max_length=200)

    def __init__(self, *args: Any, org: Org, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = visible_courses(org)  # type: ignore[attr-defined]
        if own:  # a member's own entry is self-study, counted once approved
            self.fields["source"].choices = [(RecordSource.SELF_STUDY, "个人自学")]  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审核", choices=[("1", "认定"), ("0", "不予认定")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="说明", required=False, max_length=200)
