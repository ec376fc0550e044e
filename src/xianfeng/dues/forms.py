"""HTML input of the dues pages; every write still goes through `dues.domain`, whose
refusals land on the fields they name (`orgs.forms.apply_form`). Money stays text here:
the domain parses it (two places at most, never negative) with its own Chinese errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xianfeng.lib.api import MAX_ID
from xianfeng.lib.dates import today

from .domain.common import month_label, parse_month
from .models import DuesKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class MonthField(forms.CharField):
    """A month written 2025-06 (a month picker where the browser has one)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-06"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def prepare_value(self, value: Any) -> Any:
        return month_label(value) if isinstance(value, dt.date) else value


class IdsField(forms.Field):
    """The ticked members of the treasurer's screen (ids; the domain checks each)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[int]:
        try:
            ids = sorted({int(v) for v in value or []})
        except (TypeError, ValueError):
            raise ValidationError(_("请勾选已交纳党费的党员")) from None
        if any(not 1 <= pk <= MAX_ID for pk in ids):
            raise ValidationError(_("请勾选已交纳党费的党员"))
        return ids


def money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=20, widget=MONEY, help_text=help_text
    )


NOTE = _("说明")


def note(label: Any = NOTE, *, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=200)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)

    def year_or(self, default: int) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or default


class PeriodForm(YearForm):
    month = MonthField(label=_("月份"), required=False)

    def month_or_none(self) -> dt.date | None:
        return self.cleaned_data.get("month") if self.is_valid() else None


class DeclareForm(forms.Form):
    period = forms.CharField(
        label=_("申报期间"),
        max_length=7,
        help_text=_(
            "全年写 2025；个体经营等按季申报写 2025-Q1；"
            "自某月起至年底（如退休后的离退休费）写 2025-07"
        ),
    )
    monthly_base = money(_("月缴费基数（元）"), help_text=_("税后月收入，最多两位小数"))
    declared_on = forms.DateField(label=_("申报日期"), required=False, widget=DATE)
    note = note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"period": str(today().year)})
        super().__init__(*args, **kwargs)


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=_("党费类别"), choices=DuesKind.choices)
    started_on = forms.DateField(label=_("起始日期"), widget=DATE)
    note = note(_("说明（如退休、下岗失业）"))


class PaymentForm(forms.Form):
    month = MonthField(label=_("所属月份"))
    through = MonthField(
        label=_("至"),
        required=False,
        help_text=_("预交或补交多个月时填写最后一个月，每月按应交金额登记"),
    )
    amount = money(
        _("交纳金额（元）"), required=False, help_text=_("留空按应交金额；未申报基数时必填")
    )
    paid_on = forms.DateField(label=_("交纳日期"), required=False, widget=DATE)
    note = note()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("month"), data.get("through")
        if first and last and last < first:
            self.add_error("through", _("截止月份不能早于所属月份"))
        if last and last != first and data.get("amount"):
            self.add_error("amount", _("多个月一并交纳时按每月应交金额登记，请留空"))
        return data


class ExtraForm(forms.Form):
    amount = money(_("自愿多交金额（元）"))
    paid_on = forms.DateField(label=_("交纳日期"), required=False, widget=DATE)
    note = note()


class ReverseForm(forms.Form):
    note = note(_("冲正原因"), required=True)


class ReductionForm(forms.Form):
    first_month = MonthField(label=_("起始月份"))
    last_month = MonthField(label=_("截止月份"))
    monthly_amount = money(_("减免后每月应交（元）"), help_text=_("免交填 0"))
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("1", _("批准")), ("0", _("不批准"))],
        coerce=lambda value: value == "1",
    )
    note = note(_("审批意见"))


class ArrangementForm(forms.Form):
    first_month = MonthField(label=_("起始月份"))
    last_month = MonthField(label=_("截止月份"), required=False, help_text=_("长期按季交纳可留空"))
    agreed_on = forms.DateField(label=_("支部同意日期"), widget=DATE)
    note = note()


class MonthForm(forms.Form):
    """The treasurer's one save: the ticked members paid what they owe."""

    members = IdsField(
        label=_("已交纳的党员"), error_messages={"required": _("请勾选已交纳党费的党员")}
    )
    paid_on = forms.DateField(label=_("交纳日期"), required=False, widget=DATE)
