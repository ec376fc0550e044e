"""HTML input for the member pages; every write still goes through `members.domain`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from xianfeng.orgs.forms import DATE_WIDGET, model_field
from xianfeng.orgs.models import Org, OrgKind

from .codes import Gender
from .domain import EDITABLE_FIELDS, TRANSITIONS
from .models import Category, Flag, LeftReason, Member, Status, Transfer, TransferStatus
from .queries import transfer_destination


def party_groups_of(org: Org) -> Any:
    """The party groups directly under a branch (the only ones its members may join)."""
    return Org.objects.get_children(org).filter(kind=OrgKind.PARTY_GROUP, dissolved_on__isnull=True)


def _party_group_field(org: Org) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="所在党小组",
        queryset=party_groups_of(org),
        to_field_name="code",
        required=False,
        empty_label="（不编入党小组）",
    )


class MemberFieldsForm(forms.Form):
    """Registry fields shared by the create and edit forms (MEM-01, MEM-02)."""

    name = model_field(Member, "name")
    ethnicity = model_field(Member, "ethnicity")
    education = model_field(Member, "education")
    occupation = model_field(Member, "occupation")
    phone = model_field(Member, "phone")
    joined_on = model_field(Member, "joined_on")
    full_on = model_field(Member, "full_on")
    category = model_field(Member, "category")
    flags = forms.MultipleChoiceField(
        label="其他标识", choices=Flag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    leading_cadre = model_field(Member, "leading_cadre")

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_group"] = _party_group_field(org)


class MemberCreateForm(MemberFieldsForm):
    code = model_field(Member, "code")
    id_number = forms.CharField(
        label="身份证号", max_length=30, help_text="18位公民身份号码，保存后只显示部分号码"
    )
    gender = forms.ChoiceField(
        label="性别",
        required=False,
        choices=[("", "（按身份证号）"), *Gender.choices],
        help_text="留空时按身份证号第17位确定",
    )
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=DATE_WIDGET, help_text="可不填，按身份证号确定"
    )
    status = forms.ChoiceField(
        label="党籍状态", choices=[(s.value, s.label) for s in (Status.PROBATIONARY, Status.FULL)]
    )
    field_order = [
        "name",
        "code",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "education",
        "occupation",
        "phone",
        "joined_on",
        "status",
        "full_on",
        "category",
        "flags",
        "leading_cadre",
        "party_group",
    ]

    def clean_gender(self) -> str | None:
        return self.cleaned_data["gender"] or None


class MemberEditForm(MemberFieldsForm):
    field_order = list(EDITABLE_FIELDS)


def member_initial(member: Member) -> dict[str, Any]:
    initial = {field: getattr(member, field) for field in EDITABLE_FIELDS}
    initial["party_group"] = member.party_group.code if member.party_group else None
    return initial


# Changes that take a membership away: the form asks for grounds and a confirmation.
GRAVE_STATUSES = frozenset({Status.SUSPENDED, Status.LEFT})


class StatusForm(forms.Form):
    """A status change on purpose: nothing is preselected, and suspending or ending a
    membership needs its grounds and a ticked confirmation (MEM-01)."""

    status = forms.ChoiceField(label="新状态")
    on = forms.DateField(label="变更日期", widget=DATE_WIDGET)
    reason = forms.ChoiceField(
        label="出党原因", required=False, choices=[("", "（出党时必填）"), *LeftReason.choices]
    )
    note = forms.CharField(
        label="变更理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="停止党籍、出党时必填：写明依据（如支部大会决议、上级批复）",
    )
    confirm = forms.BooleanField(
        label="我已确认该党员的党籍状态变更，并已履行相应的组织程序", required=False
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[member.status]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", "（请选择）"),
            *[(v, label) for v, label in Status.choices if v in allowed],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in GRAVE_STATUSES:
            label = Status(data["status"]).label
            if data["status"] == Status.LEFT and not data.get("reason"):
                self.add_error("reason", "出党须选择原因：转出本系统、除名、开除党籍或死亡")
            if not (data.get("note") or "").strip():
                self.add_error("note", f"{label}须填写理由")
            if not data.get("confirm"):
                self.add_error("confirm", f"请勾选确认后再办理{label}")
        return data

    def status_data(self) -> dict[str, Any]:
        """The arguments of `set_member_status` (without the confirmation)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm"}


class SendTransferForm(forms.Form):
    to_org = forms.CharField(
        label="接收党组织",
        max_length=40,
        help_text="输入名称、编码或拼音首字母，从建议中选择（填入组织编码）；可转往其他县（市、区）",
        widget=forms.TextInput(
            attrs={
                "list": "to-org-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("orgs:directory"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#to-org-options",
                "hx-swap": "innerHTML",
                "hx-vals": "js:{q: event.target.value}",
            }
        ),
    )
    sent_on = forms.DateField(label="转出日期", widget=DATE_WIDGET)
    reason = model_field(Transfer, "reason")
    letter_no = model_field(Transfer, "letter_no")

    def clean_to_org(self) -> Org:
        try:
            return transfer_destination(self.cleaned_data["to_org"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["to_org"]) from None


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label="接收日期", widget=DATE_WIDGET)


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)


class MemberFilterForm(forms.Form):
    org = forms.CharField(label="党组织编码", required=False, max_length=40)
    q = forms.CharField(label="姓名、编号或拼音首字母", required=False, max_length=50)
    status = forms.ChoiceField(
        label="党籍状态", required=False, choices=[("", "全部状态"), *Status.choices]
    )
    category = forms.ChoiceField(
        label="党员类别", required=False, choices=[("", "全部类别"), *Category.choices]
    )
    include_left = forms.BooleanField(label="含已出党", required=False)


class TransferFilterForm(forms.Form):
    box = forms.ChoiceField(required=False, choices=[("in", "待接收"), ("out", "已转出")])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *TransferStatus.choices]
    )
