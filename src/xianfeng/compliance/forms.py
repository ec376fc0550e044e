"""HTML input of the compliance pages: what-if overrides and a jurisdiction's policy."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xianfeng.lib.dates import parse_period, today
from xianfeng.orgs.models import Org

from .models import Policy
from .policy import PolicyError, parse_policy, parse_value

MONOSPACE = {"class": "font-monospace", "spellcheck": "false", "autocomplete": "off"}


def default_period() -> str:
    """The last full year, as `xianfeng check` takes it."""
    return str(today().year - 1)


class PeriodField(forms.CharField):
    """A period label (2025, 2025-H1, 2025-Q3, 2025-06) cleaned to a `Period`."""

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_period(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class CheckForm(forms.Form):
    period = PeriodField(label=_("期间"), max_length=10, required=False)


class WhatIfForm(forms.Form):
    overrides = forms.CharField(
        label=_("参数调整"),
        required=False,
        widget=forms.Textarea(attrs={**MONOSPACE, "rows": 6}),
        help_text=_("每行一项：参数 = 值（TOML 写法），如 org.setup.branch_min_full = 1"),
    )
    period = PeriodField(
        label=_("期间"),
        max_length=10,
        help_text=_("2025、2025-H1、2025-Q3 或 2025-06"),
    )

    def clean_overrides(self) -> dict[str, Any]:
        overrides, errors = {}, []
        for number, line in enumerate(self.cleaned_data["overrides"].splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                errors.append(
                    gettext("第 %(number)d 行应写成“参数 = 值”：%(line)s")
                    % {"number": number, "line": line}
                )
                continue
            key, text = (part.strip() for part in line.split("=", 1))
            try:
                overrides[key] = parse_value(key, text)
            except PolicyError as error:
                errors.append(str(error))
        if errors:
            raise ValidationError(errors)
        return overrides


class PolicyForm(forms.Form):
    """A policy file of exactly one org; its code is fixed (the page's org owns it)."""

    text = forms.CharField(
        label=_("政策文件（TOML）"),
        strip=False,
        widget=forms.Textarea(attrs={**MONOSPACE, "rows": 24}),
    )

    def __init__(self, *args: Any, org: Org, code: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.org, self.code = org, code

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        try:
            parsed = parse_policy(text)
        except PolicyError as error:
            raise ValidationError(str(error)) from None
        if parsed.code != self.code:
            raise ValidationError(
                gettext("政策编码不能修改：应为 %(code)s，文件中为 %(found)s")
                % {"code": self.code, "found": parsed.code}
            )
        if Policy.objects.filter(code=self.code).exclude(org=self.org).exists():
            raise ValidationError(gettext("编码 %(code)s 已被另一份政策使用") % {"code": self.code})
        return text


def new_policy_text(org: Org) -> str:
    """A starting file for an org without its own policy: header filled in, examples
    commented out."""
    title = json.dumps(f"{org.name}政策参数", ensure_ascii=False)
    return (
        f"# {org.name}的政策参数（PLAT-04）：只写与上级政策不同的参数，每个值都要注明出处。\n"
        "# 可以设置的参数和当前生效的值见本页的参数表。\n"
        "\n"
        "[policy]\n"
        f'code = "{policy_code(org)}"\n'
        f"title = {title}\n"
        'source = ""\n'
        "\n"
        "# 示例（去掉行首的 # 即生效）：\n"
        "# [org.setup]\n"
        '# branch_min_full = { value = 3, unit = "人", source = "文件名称 第几条", note = "" }\n'
    )


def policy_code(org: Org) -> str:
    return f"org-{org.code}"


def shipped_choices() -> list[tuple[str, str]]:
    """The shipped policies an org may adopt (not the national one, which applies anyway)."""
    from .policy import shipped_files

    parsed = [parse_policy(path.read_text(encoding="utf-8")) for path in shipped_files()]
    return [(p.code, f"{p.code} {p.title}") for p in parsed if p.code != "national"]


class AdoptForm(forms.Form):
    """Adopt a shipped policy for an org: by reference or as a local copy."""

    code = forms.ChoiceField(label=_("内置政策"), choices=())
    mode = forms.ChoiceField(
        label=_("方式"),
        choices=[
            ("reference", _("引用（随内置政策文件更新）")),
            ("copy", _("本地副本（此后可单独修改，不随文件更新）")),
        ],
        initial="reference",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = shipped_choices()  # type: ignore[attr-defined]


class PreferenceForm(forms.Form):
    """One of the org's own decisions: weekdays for a bound choice, else a number."""

    key = forms.CharField(widget=forms.HiddenInput)
    weekdays = forms.MultipleChoiceField(
        label=_("星期"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    value = forms.CharField(label=_("取值"), required=False, max_length=20)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    clear = forms.BooleanField(label=_("恢复为政策默认"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        from xianfeng.orgs.preferences import WEEKDAY_LABELS

        super().__init__(*args, **kwargs)
        self.fields["weekdays"].choices = list(WEEKDAY_LABELS.items())  # type: ignore[attr-defined]

    def chosen(self) -> Any:
        """The submitted value in the shape `orgs.preferences.set_preference` takes."""
        from xianfeng.orgs.preferences import PREFERENCES

        pref = PREFERENCES.get(self.cleaned_data["key"])
        if pref is not None and pref.bound:
            return self.cleaned_data["weekdays"]
        return self.cleaned_data["value"]
