"""Forms of the pages that turn findings into problem items and start re-inspections."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.compliance.models import Severity

from ..models import ItemKind

MAX_SEED = 2**63 - 1


class FindingFilterForm(forms.Form):
    """Which of the subtree's current findings a page lists (and "全部生成" turns into items)."""

    rule = forms.CharField(label=_("规则"), required=False, max_length=20)
    severity = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部等级")), *Severity.choices]
    )

    def __init__(self, *args: Any, rules: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["rule"].widget = forms.Select(choices=[("", _("全部规则")), *rules])


class FindingsToItemsForm(forms.Form):
    """ "生成所选" (the ticked findings), "全部生成" (every finding the filters keep) or one
    finding's own button."""

    MODES = [("selected", _("生成所选")), ("all", _("全部生成")), ("one", _("生成"))]

    mode = forms.ChoiceField(
        choices=MODES,
        initial="selected",
        error_messages={"required": _("请选择生成方式"), "invalid_choice": _("请选择生成方式")},
    )
    kind = forms.ChoiceField(
        label=_("清单类型"), choices=ItemKind.choices, initial=ItemKind.PROBLEM, required=False
    )
    finding = forms.CharField(required=False, max_length=20)
    rule = forms.CharField(required=False, max_length=20)
    severity = forms.ChoiceField(required=False, choices=[("", ""), *Severity.choices])

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.selected: list[str] = [v for v in data.getlist("findings") if v] if data else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        if mode == "selected" and not self.selected:
            raise forms.ValidationError(_("请先勾选要生成问题清单的检查发现"))
        if mode == "one" and not data.get("finding"):
            raise forms.ValidationError({"finding": _("请选择检查发现")})
        data["kind"] = data.get("kind") or ItemKind.PROBLEM
        return data

    def chosen_ids(self) -> list[str]:
        if self.cleaned_data["mode"] == "one":
            return [self.cleaned_data["finding"]]
        return self.selected


class ReinspectionForm(forms.Form):
    seed = forms.IntegerField(
        label=_("抽样种子"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("留空则随机生成；填入以往的种子可重复同样的抽样"),
        error_messages={
            "invalid": _("抽样种子应为非负整数"),
            "min_value": _("抽样种子应为非负整数"),
            "max_value": _("抽样种子过大"),
        },
    )
