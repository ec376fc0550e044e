"""HTML input for the organizational-life pages; every write goes through orglife.domain."""

from __future__ import annotations

from typing import Any

from django import forms

from xianfeng.accounts.scope import path_q
from xianfeng.members.models import Member, Status
from xianfeng.orgs.forms import DATE_WIDGET, model_field
from xianfeng.orgs.models import Org, OrgKind

from .domain import allowed_kinds
from .models import (
    AffairsRecord,
    AttendanceStatus,
    Exemption,
    LessonMaterial,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from .queries import materials_for, people_on_line

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MEETING_FIELDS = (
    "kind",
    "status",
    "planned_on",
    "held_on",
    "starts_at",
    "for_period",
    "period_reason",
    "topic",
    "place",
    "host",
    "recorder",
    "lecturer",
    "lecturer_name",
    "material",
    "off_day_reason",
    "minutes",
)


def people_of(org: Org, user: Any = None) -> Any:
    """Members a meeting of `org` may name as host, recorder or lecturer (the domain's
    `people_on_line`) inside `user`'s scope, current members only: a choice outside them
    is refused like one that does not exist."""
    members = people_on_line(org).exclude(status=Status.LEFT)
    if user is not None:
        members = members.filter(path_q(user, "org__path"))
    return members.order_by("name", "code")


def members_of(org: Org, user: Any = None) -> Any:
    """Current members of `org`'s subtree (its branch's, for a party group) inside
    `user`'s scope."""
    base = Org.objects.get_parent(org) if org.kind == OrgKind.PARTY_GROUP else org
    members = Member.objects.filter(org__path__startswith=base.path)
    if user is not None:
        members = members.filter(path_q(user, "org__path"))
    return members.exclude(status=Status.LEFT).order_by("name", "code")


def _kind_choices(org: Org) -> list[tuple[str, Any]]:
    kinds = allowed_kinds(org)
    return [(value, label) for value, label in MeetingKind.choices if value in kinds]


class MeetingForm(forms.Form):
    """A meeting of one org (LIFE-01); host, recorder and lecturer from its members."""

    kind = forms.ChoiceField(label="类型")
    status = forms.ChoiceField(
        label="状态",
        choices=[(MeetingStatus.HELD, "已召开"), (MeetingStatus.PLANNED, "计划召开")],
        initial=MeetingStatus.HELD,
    )
    planned_on = model_field(Meeting, "planned_on")
    held_on = model_field(Meeting, "held_on")
    starts_at = forms.TimeField(label="开始时间", required=False, widget=TIME_WIDGET)
    for_period = model_field(Meeting, "for_period")
    period_reason = model_field(Meeting, "period_reason")
    topic = model_field(Meeting, "topic")
    place = model_field(Meeting, "place")
    host = forms.ModelChoiceField(label="主持人", queryset=Member.objects.none(), required=False)
    recorder = forms.ModelChoiceField(
        label="记录人", queryset=Member.objects.none(), required=False
    )
    lecturer = forms.ModelChoiceField(
        label="授课人", queryset=Member.objects.none(), required=False, help_text="党课的主讲人"
    )
    lecturer_name = model_field(Meeting, "lecturer_name")
    material = forms.ModelChoiceField(
        label="使用的党课教材", queryset=LessonMaterial.objects.none(), required=False
    )
    off_day_reason = model_field(Meeting, "off_day_reason")
    minutes = model_field(Meeting, "minutes")
    attachment = forms.FileField(
        label="附件",
        required=False,
        help_text="照片、签到表或记录扫描件：jpg、png、pdf、docx、xlsx，不超过 20 MB",
    )

    def __init__(
        self, *args: Any, org: Org, user: Any = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(org)  # type: ignore[attr-defined]
        people = people_of(org, user)
        for name in ("host", "recorder", "lecturer"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]
        self.fields["material"].queryset = materials_for(org)  # type: ignore[attr-defined]
        self.fields["minutes"].widget.attrs["rows"] = 5
        if editing:  # planned → held goes through "登记召开"; status is not edited here
            del self.fields["status"]

    def meeting_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in MEETING_FIELDS if f in self.cleaned_data}


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    return {f: getattr(meeting, f) for f in MEETING_FIELDS}


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部类型"), *MeetingKind.choices]
    )
    year = forms.IntegerField(label="年份", required=False, min_value=1921, max_value=2100)
    month = forms.IntegerField(label="月份", required=False, min_value=1, max_value=12)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *MeetingStatus.choices]
    )


class HoldForm(forms.Form):
    held_on = forms.DateField(label="召开日期", widget=DATE_WIDGET)
    period_reason = model_field(Meeting, "period_reason")


class AttendanceForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AttendanceStatus.choices)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件")


class LeaveForm(forms.Form):
    reason = forms.CharField(label="请假事由", max_length=200)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批", choices=[("1", "批准"), ("0", "不批准")], coerce=lambda v: v == "1"
    )


class ExemptionForm(forms.Form):
    """Record a frail or sick member's application to be exempted (LIFE-04)."""

    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())
    kind = model_field(Exemption, "kind")
    reason = model_field(Exemption, "reason")
    starts_on = model_field(Exemption, "starts_on")
    ends_on = model_field(Exemption, "ends_on")

    def __init__(self, *args: Any, org: Org, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members_of(org, user)  # type: ignore[attr-defined]


class MaterialForm(forms.Form):
    month = model_field(LessonMaterial, "month")
    title = model_field(LessonMaterial, "title")
    summary = model_field(LessonMaterial, "summary")
    file = forms.FileField(label="课件", required=False, help_text="pdf、docx 等，不超过 20 MB")


class MonthForm(forms.Form):
    month = forms.RegexField(label="月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)


class AffairsForm(forms.Form):
    """A party-affairs record of one org (LIFE-07, LIFE-08)."""

    kind = model_field(AffairsRecord, "kind")
    period = model_field(AffairsRecord, "period")
    done_on = model_field(AffairsRecord, "done_on")
    summary = model_field(AffairsRecord, "summary")
    file = forms.FileField(
        label="附件", required=False, help_text="jpg、png、pdf、docx、xlsx，不超过 20 MB"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["summary"].widget.attrs["rows"] = 3


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=1921, max_value=2100)
