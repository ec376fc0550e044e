"""Forms of the supervision rhythm (TASK-04): calendar, quarterly progress reports,
inspections and their notices."""

from __future__ import annotations

from django import forms

from xianfeng.orgs.forms import model_field

from ..models import Inspection, InspectionNotice, InspectionTarget, Item, ProgressReport

YEAR = {"label": "年度", "min_value": 2000, "max_value": 2100}


class CalendarForm(forms.Form):
    year = forms.IntegerField(**YEAR)  # type: ignore[arg-type]


class ProgressForm(forms.Form):
    period = forms.RegexField(
        label="季度",
        regex=r"^\d{4}-Q[1-4]$",
        error_messages={"invalid": "季度格式应为 2026-Q1"},
        help_text="如 2026-Q1",
    )
    work_done = model_field(ProgressReport, "work_done")
    problems = model_field(ProgressReport, "problems", required=False)
    next_steps = model_field(ProgressReport, "next_steps", required=False)


class InspectionForm(forms.Form):
    period = forms.RegexField(
        label="期间",
        regex=r"^\d{4}-H[12]$",
        error_messages={"invalid": "期间格式应为 2026-H1 或 2026-H2"},
        help_text="如 2026-H1",
    )
    date = model_field(Inspection, "date")
    title = model_field(Inspection, "title", required=False)
    seed = forms.IntegerField(
        label="抽样种子",
        required=False,
        min_value=0,
        max_value=2**62,
        help_text="留空则随机生成；填写同一种子可重现同一样本",
    )


class TargetForm(forms.Form):
    looked_at = model_field(InspectionTarget, "looked_at")
    conclusion = model_field(InspectionTarget, "conclusion")


class ProblemForm(forms.Form):
    title = model_field(Item, "title", label="问题")
    description = model_field(Item, "description", required=False)
    deadline = model_field(Item, "deadline")


class NoticeForm(forms.Form):
    number = model_field(InspectionNotice, "number")
    date = model_field(InspectionNotice, "date")
    title = model_field(InspectionNotice, "title")
    body = model_field(InspectionNotice, "body")
    recipients = forms.CharField(
        label="通报范围",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="党组织编码，多个用逗号或顿号分隔",
    )
    inspection = forms.IntegerField(label="督查", required=False, widget=forms.HiddenInput)
