"""Forms of the three-level duty lists (TASK-03)."""

from __future__ import annotations

from django import forms

from xianfeng.orgs.forms import model_field

from ..models import DutyLevel, DutyTemplate, DutyTemplateItem

YEAR = {"label": "年度", "min_value": 2000, "max_value": 2100}


class YearForm(forms.Form):
    year = forms.IntegerField(required=False, **YEAR)  # type: ignore[arg-type]

    def year_or(self, default: int) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or default


class TemplateForm(forms.Form):
    year = forms.IntegerField(**YEAR)  # type: ignore[arg-type]
    title = model_field(DutyTemplate, "title", required=False)


class TemplateItemForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, **YEAR)  # type: ignore[arg-type]
    level = forms.ChoiceField(label="责任层级", choices=DutyLevel.choices)
    title = model_field(DutyTemplateItem, "title")
    description = model_field(DutyTemplateItem, "description", required=False)
    due = model_field(DutyTemplateItem, "due")


class PublishForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, **YEAR)  # type: ignore[arg-type]
