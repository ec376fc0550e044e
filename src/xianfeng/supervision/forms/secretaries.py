"""HTML input for the secretaries' duties (TASK-05 … TASK-07); every write goes through
`supervision.domain.secretaries`, which validates again and names the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from xianfeng.lib.dates import today
from xianfeng.orgs.forms import DATE_WIDGET

from ..models import AdjustmentProposal

SECRETARY_HELP = "党员编号；不填则为当日在任的书记"
MILESTONE_HELP = (
    "每行一个节点：节点名称 | 完成时限（YYYY-MM-DD） | 已完成（可不填），如：走访调研 | 2026-04-30"
)
DONE_WORDS = {"已完成", "完成", "是", "√", "✓", "done", "yes"}
OPEN_WORDS = {"", "未完成", "否", "no"}


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def year_or(self, default: int) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or default


def parse_milestones(text: str) -> list[dict[str, Any]]:
    """Lines "名称 | 2026-04-30 | 已完成" → the domain's milestone dicts."""
    found: list[dict[str, Any]] = []
    for n, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        parts = [part.strip() for part in line.replace("｜", "|").split("|")]
        if len(parts) not in (2, 3):
            raise ValidationError(f"第{n}行应为“节点名称 | 完成时限 | 已完成”")
        state = parts[2] if len(parts) == 3 else ""
        if state not in DONE_WORDS | OPEN_WORDS:
            raise ValidationError(f"第{n}行：完成情况应为“已完成”或不填")
        found.append({"title": parts[0], "due": parts[1], "done": state in DONE_WORDS})
    return found


def milestones_text(milestones: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{m['title']} | {m['due']}" + (" | 已完成" if m.get("done") else "") for m in milestones
    )


class MilestonesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> Any:
        return parse_milestones(super().to_python(value) or "")


class ProjectForm(forms.Form):
    secretary = forms.CharField(
        label="书记", required=False, max_length=30, help_text=SECRETARY_HELP
    )
    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, help_text="不填则为立项年度"
    )
    title = forms.CharField(label="项目名称", max_length=200)
    goal = forms.CharField(label="项目目标", widget=forms.Textarea(attrs={"rows": 3}))
    milestones = MilestonesField(label="节点安排", required=False, help_text=MILESTONE_HELP)
    registered_on = forms.DateField(label="立项日期", widget=DATE_WIDGET, initial=today)


class MilestonesForm(forms.Form):
    milestones = MilestonesField(label="节点安排", required=False, help_text=MILESTONE_HELP)


class CompleteForm(forms.Form):
    result = forms.CharField(label="完成成效", widget=forms.Textarea(attrs={"rows": 3}))
    completed_on = forms.DateField(label="完成日期", widget=DATE_WIDGET, initial=today)


class AdmonitionForm(forms.Form):
    member = forms.CharField(
        label="被约谈人", required=False, max_length=30, help_text=SECRETARY_HELP
    )
    date = forms.DateField(label="约谈日期", widget=DATE_WIDGET, initial=today)
    by_org = forms.CharField(label="约谈组织", max_length=30, help_text="上级党组织的组织编码")
    talker = forms.CharField(label="约谈人", max_length=100)
    reason = forms.CharField(label="约谈事由", widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(
        label="约谈结果", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[
            (AdjustmentProposal.Decision.ADJUSTED, "调整"),
            (AdjustmentProposal.Decision.KEPT, "不调整"),
        ],
    )
    note = forms.CharField(label="决定说明", widget=forms.Textarea(attrs={"rows": 2}))
    decided_on = forms.DateField(label="决定日期", widget=DATE_WIDGET, initial=today)


class DutyReportForm(forms.Form):
    """A duty report with one vote count per rating of the policy's scale."""

    secretary = forms.CharField(
        label="述职人",
        required=False,
        max_length=30,
        help_text="党员编号；不填则为该年度末在任的书记",
    )
    year = forms.IntegerField(label="述职年度", min_value=2000, max_value=2100)
    date = forms.DateField(label="述职日期", widget=DATE_WIDGET, initial=today)
    summary = forms.CharField(label="述职内容", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, labels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels
        self.fields["year"].initial = today().year - 1
        for n, label in enumerate(labels):
            self.fields[f"rating_{n}"] = forms.IntegerField(
                label=f"评议“{label}”票数",
                min_value=0,
                max_value=100_000,
                initial=0,
                error_messages={"invalid": "请填写不小于0的整数"},
            )

    def report_data(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in ("secretary", "year", "date", "summary")}
        data["ratings"] = {
            label: self.cleaned_data[f"rating_{n}"] for n, label in enumerate(self.labels)
        }
        return data
