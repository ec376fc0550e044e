"""HTML input of the yearly targets (DEV-06); writes go through
`recruitment.domain.targets`, which resolves the org within the user's scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TargetKind


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)

    def year_or(self, default: int) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or default


class TargetForm(forms.Form):
    org = forms.CharField(
        label=_("党组织"),
        max_length=40,
        help_text=_("下级党组织的组织编码（市委等根组织可填本组织）"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("指标"), choices=TargetKind.choices)
    value = forms.IntegerField(label=_("目标数"), min_value=0, max_value=10_000_000)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
