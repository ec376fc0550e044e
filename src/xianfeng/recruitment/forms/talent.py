"""HTML input of the talent pool (DEV-07); every write goes through
`recruitment.domain.talent`, which validates again and names the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.lib.dates import today
from xianfeng.members.codes import Education, Gender
from xianfeng.orgs.forms import DATE_WIDGET
from xianfeng.orgs.models import Sector

from ..models import TalentKind, TalentStatus


class TalentForm(forms.Form):
    """A survey entry; the tags offered are the policy's catalogue (`tags`)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("人才类别"), choices=TalentKind.choices)
    tags = forms.MultipleChoiceField(
        label=_("人才标签"), required=False, widget=forms.CheckboxSelectMultiple
    )
    occupation = forms.CharField(label=_("职业（经营项目）"), required=False, max_length=100)
    sector = forms.ChoiceField(
        label=_("所在领域"), required=False, choices=[("", _("同所在党组织")), *Sector.choices]
    )
    id_number = forms.CharField(
        label=_("身份证号"), required=False, max_length=18, help_text=_("可不填；加密保存")
    )
    gender = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", "—"), *Gender.choices]
    )
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    surveyed_on = forms.DateField(label=_("摸底日期"), widget=DATE_WIDGET, initial=today)
    note = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args: Any, tags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tags"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(tag, tag) for tag in tags]


class EditForm(TalentForm):
    """The editable survey fields (not the ID number or the survey date)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("id_number", "gender", "surveyed_on"):
            del self.fields[name]


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("人才类别"), required=False, choices=[("", _("全部类别")), *TalentKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *TalentStatus.choices]
    )
    tag = forms.CharField(label=_("人才标签"), required=False, max_length=40)
    sector = forms.ChoiceField(
        label=_("所在领域"), required=False, choices=[("", _("全部领域")), *Sector.choices]
    )
    q = forms.CharField(label=_("姓名或职业"), required=False, max_length=50)


class CultivateForm(forms.Form):
    started_on = forms.DateField(label=_("列入培养日期"), widget=DATE_WIDGET, initial=today)
    pair = forms.CharField(
        label=_("结对领导"),
        required=False,
        max_length=30,
        help_text=_("党支部班子成员的党员编号（可不填）"),
    )
    goal = forms.CharField(label=_("培养目标"), required=False, max_length=200)


class PipelineForm(forms.Form):
    applied_on = forms.DateField(label=_("递交申请日期"), widget=DATE_WIDGET, initial=today)
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=18,
        help_text=_("不填则用人才库中登记的身份证号"),
    )
    education = forms.ChoiceField(
        label=_("学历"), required=False, choices=[("", "—"), *Education.choices]
    )

    def applicant_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("education"):
            data.pop("education", None)
        return data


class LeftForm(forms.Form):
    on = forms.DateField(label=_("出库日期"), widget=DATE_WIDGET, initial=today)
    reason = forms.CharField(label=_("出库原因"), max_length=200)
