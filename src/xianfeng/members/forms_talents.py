"""Forms of the dual-lead, tag and discipline pages (MEM-03, MEM-04) and the birthday
month (MEM-06)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.lib.dates import today
from xianfeng.orgs.forms import DATE_WIDGET

from .models import DisciplineKind, DualLeadType, Member, TagKind
from .talents import tag_catalogue

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DualLeadForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1921)
    type = forms.ChoiceField(label=_("类型"), choices=DualLeadType.choices)
    evidence = forms.CharField(label=_("事迹和依据"), widget=TEXTAREA, max_length=4000)
    recognized_on = forms.DateField(label=_("认定日期"), widget=DATE_WIDGET)


class TagForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=TagKind.choices)
    tag = forms.ChoiceField(label=_("标签"))
    since = forms.DateField(label=_("认定日期"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = today()
        choices = [
            (str(label), [(t, t) for t in tag_catalogue(member.org, kind, day)])
            for kind, label in TagKind.choices
        ]
        cast(forms.ChoiceField, self.fields["tag"]).choices = choices


class EndTagForm(forms.Form):
    until = forms.DateField(label=_("失效日期"), widget=DATE_WIDGET)


class DisciplineForm(forms.Form):
    kind = forms.ChoiceField(label=_("处分种类"), choices=DisciplineKind.choices)
    decided_on = forms.DateField(label=_("处分决定日期"), widget=DATE_WIDGET)
    effective_until = forms.DateField(
        label=_("影响期截止日期"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("影响期最后一天的次日；开除党籍留空"),
    )
    decided_by = forms.CharField(label=_("决定机关"), required=False, max_length=200)
    reason = forms.CharField(label=_("处分事由"), required=False, widget=TEXTAREA)
