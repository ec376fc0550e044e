"""HTML input for the item pages (TASK-01, TASK-02); every write goes through
`supervision.domain.items`, whose refusals land on these forms' fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from xianfeng.orgs.forms import DATE_WIDGET

from ..domain import items as domain
from ..models import ItemKind, ItemStatus, Origin

TEXTAREA = forms.Textarea(attrs={"rows": 3})
SORT_KEYS = ("name", *ItemStatus.values, "unfinished", "overdue", "total")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each checked by `domain.items.validate_file` (size and
    type by the bytes), so a refused file names this field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"可选多个文件；{domain.FILE_LABEL}，每个不超过 20 MB")
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(FilesField, self).clean(file, initial) for file in files]
        for file in cleaned:
            try:
                domain.validate_file(file, field="file")
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from error
        return cleaned


class ItemFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="清单类型", choices=[("", "全部清单")] + list(ItemKind.choices), required=False
    )
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态")] + list(ItemStatus.choices), required=False
    )
    overdue = forms.BooleanField(label="只看逾期", required=False)


MANUAL_ORIGINS = [(v, label) for v, label in Origin.choices if v != Origin.FINDING]


class ItemForm(forms.Form):
    """A new item of an org's list; the responsible person by member code (empty: the
    org's secretary, or the nearest officer account where the seat is vacant)."""

    kind = forms.ChoiceField(label="清单类型", choices=ItemKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    description = forms.CharField(label="具体内容", widget=TEXTAREA, required=False)
    origin = forms.ChoiceField(label="来源", choices=MANUAL_ORIGINS, initial=Origin.MANUAL)
    responsible = forms.CharField(
        label="责任人（党员编号）",
        max_length=40,
        required=False,
        help_text="本组织及下级组织的在册党员；不填则为本组织书记（书记空缺时为党务工作者）",
        widget=forms.TextInput(attrs={"list": "xf-members", "autocomplete": "off"}),
    )
    deadline = forms.DateField(label="整改时限", widget=DATE_WIDGET)
    attachments = FilesField(label="附件")


class VersionForm(forms.Form):
    """The version of the item the user saw: acting on an item someone else changed in
    the meantime is a conflict, not a silent overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class StartForm(VersionForm):
    pass


class SubmitForm(VersionForm):
    evidence = forms.CharField(label="整改情况", widget=TEXTAREA)
    attachments = FilesField(label="整改材料")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].error_messages["required"] = "请填写整改情况"


class AcceptForm(VersionForm):
    note = forms.CharField(
        label="验收意见",
        widget=TEXTAREA,
        required=False,
        help_text="检查规则仍报告此问题时必须写明理由",
    )


class ReturnForm(VersionForm):
    reason = forms.CharField(label="退回理由", widget=TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "请填写退回理由"


class ExtensionForm(forms.Form):
    deadline = forms.DateField(label="申请延至", widget=DATE_WIDGET)
    reason = forms.CharField(label="申请理由", widget=TEXTAREA)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].error_messages["required"] = "请填写申请延至的日期"
        self.fields["reason"].error_messages["required"] = "请填写申请理由"


class DecideExtensionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "同意"), ("0", "不同意")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="审核意见", widget=TEXTAREA, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grant"].error_messages["required"] = "请选择同意或不同意"


class OverviewForm(forms.Form):
    sort = forms.ChoiceField(
        choices=[(key, key) for name in SORT_KEYS for key in (name, f"-{name}")], required=False
    )
