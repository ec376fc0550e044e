"""HTML input of the three cultivations (DEV-03 … DEV-05); every write goes through
`recruitment.domain.cultivation`, which validates again and names the fields. Members are
entered by code, talents and training classes by number, so that the domain resolves
them within the user's scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.lib.dates import today
from xianfeng.orgs.forms import DATE_WIDGET

from ..models import CultivationStatus, EntryKind, Track

PAIR_HELP = _("结对领导的党员编号（可不填，以后再结对）")


class OpenForm(forms.Form):
    track = forms.ChoiceField(label=_("培养方向"), choices=Track.choices)
    member = forms.CharField(
        label=_("培养对象（党员编号）"),
        required=False,
        max_length=30,
        help_text=_("方向（一）（三）填写本组织党员的编号"),
    )
    talent = forms.CharField(
        label=_("培养对象（人才库编号）"),
        required=False,
        max_length=20,
        help_text=_("方向（二）填写人才库人员的编号"),
    )
    pair = forms.CharField(label=_("结对领导"), required=False, max_length=30, help_text=PAIR_HELP)
    goal = forms.CharField(label=_("培养目标"), required=False, max_length=200)
    started_on = forms.DateField(label=_("列入培养日期"), widget=DATE_WIDGET, initial=today)
    note = forms.CharField(label=_("备注"), required=False, max_length=500)


class EntryForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE_WIDGET, initial=today)
    kind = forms.ChoiceField(label=_("类别"), choices=EntryKind.choices)
    title = forms.CharField(label=_("内容"), max_length=200)
    hours = forms.DecimalField(
        label=_("学时"), required=False, min_value=0, max_digits=5, decimal_places=1
    )
    training_class = forms.CharField(
        label=_("培训班编号"),
        required=False,
        max_length=20,
        help_text=_("参加的培训班（学习教育中登记的培训班编号，可不填）"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)


ENDING_CHOICES = [
    (CultivationStatus.DONE, CultivationStatus.DONE.label),
    (CultivationStatus.STOPPED, CultivationStatus.STOPPED.label),
]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ENDING_CHOICES)
    on = forms.DateField(label=_("日期"), widget=DATE_WIDGET, initial=today)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class PairForm(forms.Form):
    pair = forms.CharField(
        label=_("结对领导"),
        required=False,
        max_length=30,
        help_text=_("党员编号；不填则取消结对"),
    )
    on = forms.DateField(label=_("结对日期"), widget=DATE_WIDGET, initial=today)


class FilterForm(forms.Form):
    track = forms.ChoiceField(
        label=_("培养方向"), required=False, choices=[("", _("全部方向")), *Track.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CultivationStatus.choices]
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
