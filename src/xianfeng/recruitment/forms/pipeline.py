"""HTML input for the pipeline pages (DEV-01, DEV-02): the people filter, a new applicant,
the next step of a person's record (its fields shown per kind), mentors, introducers, a
transfer, the end of a record and a step's files. Every write goes through
`recruitment.domain`, whose refusals land on these forms' fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.orgs.forms import DATE_WIDGET, model_field

from ..domain.mentors import MENTORED
from ..domain.steps import ALLOWED, COMMITTEE_KINDS
from ..models import Person, Stage, Step, StepKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})
MEMBER_INPUT = forms.TextInput(attrs={"list": "xf-members", "autocomplete": "off"})

# Steps with forms of their own (APPLICATION makes a person), not on the step form.
OWN_FORMS = frozenset({StepKind.APPLICATION, StepKind.INTRODUCERS, StepKind.TRANSFER, StepKind.END})
# The fields each kind asks for beyond the date, who decided, the conclusion and files.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    StepKind.CANDIDATE_NOTICE: ("ends_on",),
    StepKind.CONVERSION_NOTICE: ("ends_on",),
    StepKind.ADMISSION_MEETING: ("voters", "present", "in_favour"),
    StepKind.CONVERSION_MEETING: ("voters", "present", "in_favour"),
    StepKind.SHORT_TRAINING: ("training_class", "days", "hours"),
    StepKind.EXTENSION: ("months",),
    StepKind.APPROVAL: ("special",),
}
OPTIONAL_FIELDS = (
    "ends_on",
    "voters",
    "present",
    "in_favour",
    "days",
    "hours",
    "months",
    "special",
)
MENTOR_STAGES = MENTORED
TRANSFER_STAGES = ALLOWED[StepKind.TRANSFER]
KIND_LABELS: dict[str, str] = {str(v): str(label) for v, label in StepKind.choices}


def next_steps(person: Person) -> list[tuple[str, str]]:
    """(kind, label) of the steps the person's stage allows on the step form, in the
    order of the pipeline."""
    return [
        (kind, KIND_LABELS[kind])
        for kind, stages in ALLOWED.items()
        if person.stage in stages and kind not in OWN_FORMS
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input (each checked by the domain: size and type)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("可选多个文件（申请书、考察表、公示、会议记录等）"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(FilesField, self).clean(file, initial) for file in files]


def _required(form: forms.Form, messages: dict[str, Any]) -> None:
    """Each field's own message for a missing value (lazy text, translated when shown)."""
    for name, message in messages.items():
        if name in form.fields:
            form.fields[name].error_messages["required"] = message


class PeopleFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("发展阶段"), choices=[("", _("全部阶段")), *Stage.choices], required=False
    )
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)


class ApplicantForm(forms.Form):
    """A new applicant (递交入党申请书): gender and birth date come from the ID number."""

    name = model_field(Person, "name")
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, help_text=_("18位公民身份号码，保存后只显示部分号码")
    )
    applied_on = model_field(Person, "applied_on")
    education = model_field(Person, "education")
    occupation = model_field(Person, "occupation")
    sector = model_field(Person, "sector")
    phone = model_field(Person, "phone")
    talent = forms.TypedChoiceField(
        label=_("人才库人员"), coerce=int, required=False, empty_value=None, choices=[]
    )

    def __init__(self, *args: Any, talents: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["talent"].choices = [("", _("（不从人才库选）")), *talents]  # type: ignore[attr-defined]
        _required(
            self,
            {
                "name": _("请填写姓名"),
                "id_number": _("请填写身份证号"),
                "applied_on": _("请填写递交申请日期"),
            },
        )


class KindForm(forms.Form):
    """Which step to record next (the page shows that step's fields)."""

    kind = forms.ChoiceField(label=_("环节"), choices=[])

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = next_steps(person)  # type: ignore[attr-defined]


class StepForm(forms.Form):
    """The next step of a person's record; only the fields its kind uses are kept."""

    kind = forms.ChoiceField(widget=forms.HiddenInput, choices=[])
    on = model_field(Step, "on")
    org = forms.ChoiceField(
        label=_("决定党组织（上级党委）"),
        choices=[],
        required=False,
        help_text=_("不选为最近的上级党委"),
    )
    decided_by = model_field(Step, "decided_by")
    conclusion = forms.CharField(label=_("内容或结论"), widget=TEXTAREA, required=False)
    ends_on = model_field(Step, "ends_on")
    voters = model_field(Step, "voters")
    present = model_field(Step, "present")
    in_favour = model_field(Step, "in_favour")
    training_class = forms.TypedChoiceField(
        label=_("培训班"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[],
        help_text=_("选择培训班时按培训班的天数和学时计"),
    )
    days = model_field(Step, "days")
    hours = model_field(Step, "hours")
    months = model_field(Step, "months")
    special = forms.BooleanField(label=_("特殊情况（延长审批时限）"), required=False)
    files = FilesField(label=_("附件"))  # type: ignore[assignment]  # named as the domain names it

    def __init__(
        self,
        *args: Any,
        person: Person,
        kind: str,
        committees: list[tuple[str, str]] = (),  # type: ignore[assignment]
        classes: list[tuple[int, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = next_steps(person)  # type: ignore[attr-defined]
        self.fields["kind"].initial = kind
        self.fields["org"].choices = [("", _("最近的上级党委")), *committees]  # type: ignore[attr-defined]
        self.fields["training_class"].choices = [("", _("（不选）")), *classes]  # type: ignore[attr-defined]
        if kind not in COMMITTEE_KINDS:
            del self.fields["org"]
        for name in set(OPTIONAL_FIELDS) - set(KIND_FIELDS.get(kind, ())):
            del self.fields[name]
        if kind == StepKind.VOLUNTEER_BOOK:
            self.fields["conclusion"] = forms.CharField(label=_("入党志愿书编号"), max_length=40)
        _required(self, {"on": _("请填写日期"), "conclusion": _("请填写入党志愿书编号")})


class MentorForm(forms.Form):
    """Assign a mentor (培养联系人): a full member by member code."""

    member = forms.CharField(label=_("培养联系人（党员编号）"), max_length=40, widget=MEMBER_INPUT)
    on = forms.DateField(label=_("确定日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, {"member": _("请填写培养联系人的党员编号"), "on": _("请填写确定日期")})


class EndMentorForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, {"ended_on": _("请填写结束日期")})


class IntroducersForm(forms.Form):
    """The two introducers (入党介绍人), full members by member code."""

    first = forms.CharField(label=_("第一介绍人（党员编号）"), max_length=40, widget=MEMBER_INPUT)
    second = forms.CharField(label=_("第二介绍人（党员编号）"), max_length=40, widget=MEMBER_INPUT)
    on = forms.DateField(label=_("确定日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(
            self,
            {
                "first": _("请填写第一介绍人的党员编号"),
                "second": _("请填写第二介绍人的党员编号"),
                "on": _("请填写确定日期"),
            },
        )


class TransferForm(forms.Form):
    """Move the file to another org (培养档案转接); activist time keeps counting."""

    to_org = forms.CharField(label=_("转入党组织（组织编码）"), max_length=40)
    on = forms.DateField(label=_("转接日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, {"to_org": _("请填写转入党组织的编码"), "on": _("请填写转接日期")})


class EndForm(forms.Form):
    on = forms.DateField(label=_("终止日期"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("终止原因"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, {"on": _("请填写终止日期"), "reason": _("请填写终止原因")})


class StepFilesForm(forms.Form):
    files = FilesField(label=_("上传文件"), required=True)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, {"files": _("请选择要上传的文件")})
