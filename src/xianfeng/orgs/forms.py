"""HTML input for the org pages; every write still goes through `orgs.domain`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from .domain import EDITABLE_FIELDS
from .models import ALLOWED_CHILDREN, ROOT_KINDS, Org, OrgKind, Seat, Term

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def model_field(model: Any, name: str, **kwargs: Any) -> forms.Field:
    """The model field's form field (Chinese label, choices and validators included)."""
    field = model._meta.get_field(name).formfield(**kwargs)
    if isinstance(field, forms.DateField):
        field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


def add_domain_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a domain ValidationError on the form: by field where it has one, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def apply_form(form: forms.Form, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Run `action(cleaned_data)` for a valid form; its ValidationError lands on the form.

    Returns the action's result, or None when the form is invalid or the action refused.
    """
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        add_domain_errors(form, error)
        return None


def _kind_choices(kinds: frozenset[str]) -> list[tuple[str, Any]]:
    return [(value, label) for value, label in OrgKind.choices if value in kinds]


class OrgForm(forms.Form):
    """The editable fields of an org (ORG-01, ORG-02)."""

    name = model_field(Org, "name")
    kind = model_field(Org, "kind")
    level = model_field(Org, "level")
    sector = model_field(Org, "sector")
    unit_name = model_field(Org, "unit_name")
    unit_headcount = model_field(Org, "unit_headcount")
    region_code = model_field(Org, "region_code")
    founded_on = model_field(Org, "founded_on")

    def __init__(self, *args: Any, kinds: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = _kind_choices(kinds)


class OrgCreateForm(OrgForm):
    code = model_field(Org, "code")
    field_order = ["code", "name", "kind", "level", "sector"]


def child_kinds(parent: Org) -> frozenset[str]:
    return ALLOWED_CHILDREN[parent.kind]


def sibling_kinds(org: Org) -> frozenset[str]:
    """Kinds the org may take where it sits (its own kind always included)."""
    parent = Org.objects.get_parent(org)
    allowed = ROOT_KINDS if parent is None else ALLOWED_CHILDREN[parent.kind]
    return allowed | {org.kind}


def org_initial(org: Org) -> dict[str, Any]:
    return {field: getattr(org, field) for field in EDITABLE_FIELDS}


def changed_values(form: forms.Form) -> dict[str, Any]:
    return {field: form.cleaned_data[field] for field in form.changed_data}


class OrgSearchForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    dissolved = forms.BooleanField(label="含已撤销组织", required=False)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label="统计日期", required=False, widget=DATE_WIDGET)


class SeatForm(forms.Form):
    """Appoint a member to a leadership seat (ORG-04)."""

    role = model_field(Seat, "role")
    title = model_field(Seat, "title")
    member = forms.CharField(
        label="党员编号",
        max_length=40,
        help_text="本组织或下级组织在册党员的编号",
        widget=forms.TextInput(attrs={"list": "seat-holders", "autocomplete": "off"}),
    )
    started_on = model_field(Seat, "started_on", required=True)


class SeatEndForm(forms.Form):
    ended_on = forms.DateField(
        label="离任日期", widget=DATE_WIDGET, help_text="最后一个在任日，空缺自次日起算"
    )


class ElectionForm(forms.Form):
    """Record a 换届 election (ORG-04)."""

    elected_on = model_field(Term, "elected_on")
    years = model_field(Term, "years")
    note = model_field(Term, "note")
