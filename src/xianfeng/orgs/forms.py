"""HTML input for the org pages; every write still goes through `orgs.domain`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from .domain import EDITABLE_FIELDS
from .models import (
    ALLOWED_CHILDREN,
    ROOT_KINDS,
    VENUE_ITEMS,
    Budget,
    ContactPoint,
    Org,
    OrgKind,
    Seat,
    Spending,
    StaffPost,
    Term,
    Venue,
    Visit,
)

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


class ExtensionForm(forms.Form):
    """The higher org's approval to hold the 换届 election late (ORG-04)."""

    until = forms.DateField(
        label="批准延期至", widget=DATE_WIDGET, help_text="延期后应完成换届选举的最后一天"
    )


# --- ORG-07 contact points ---------------------------------------------------------------


class EndDateForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE_WIDGET, help_text="最后一天")


class ContactPointForm(forms.Form):
    """Pair a current leader with an org below (ORG-07)."""

    leader = forms.ChoiceField(label="联系领导")
    target = forms.CharField(
        label="联系的党组织（编码）",
        max_length=40,
        help_text="本组织下级党组织的编码，可输入名称选择",
        widget=forms.TextInput(attrs={"list": "contact-targets", "autocomplete": "off"}),
    )
    started_on = model_field(ContactPoint, "started_on")
    note = model_field(ContactPoint, "note")

    def __init__(self, *args: Any, leaders: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["leader"]).choices = leaders


class VisitForm(forms.Form):
    """A visit, a report heard, a problem solved or guidance at a contact point (ORG-07)."""

    contact_point = forms.TypedChoiceField(label="联系点", coerce=int)
    visited_on = model_field(Visit, "visited_on")
    kind = model_field(Visit, "kind")
    summary = forms.CharField(
        label="内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, points: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["contact_point"]).choices = points


# --- ORG-08 venues and staff ---------------------------------------------------------------

VENUE_FORM_FIELDS = (
    "name",
    "address",
    "area_m2",
    *VENUE_ITEMS,
    "has_disclosure_board",
    "shared",
    "checked_on",
)


class VenueForm(forms.Form):
    """An activity venue and its "六有" items (ORG-08)."""

    name = model_field(Venue, "name")
    address = model_field(Venue, "address")
    area_m2 = model_field(Venue, "area_m2")
    has_room = model_field(Venue, "has_room")
    has_sign = model_field(Venue, "has_sign")
    has_flag = model_field(Venue, "has_flag")
    has_facilities = model_field(Venue, "has_facilities")
    has_rules = model_field(Venue, "has_rules")
    has_reading = model_field(Venue, "has_reading")
    has_disclosure_board = model_field(Venue, "has_disclosure_board")
    shared = model_field(Venue, "shared", help_text="勾选后，下级党组织也可使用该阵地")
    checked_on = model_field(Venue, "checked_on")


def venue_initial(venue: Venue) -> dict[str, Any]:
    return {field: getattr(venue, field) for field in VENUE_FORM_FIELDS}


class VenueCloseForm(forms.Form):
    closed_on = forms.DateField(label="停用日期", widget=DATE_WIDGET, help_text="自该日起不再使用")


class StaffPostForm(forms.Form):
    """A party-affairs staff post, full- or part-time (ORG-08)."""

    member = forms.CharField(
        label="党员编号",
        max_length=40,
        required=False,
        help_text="本组织或下级组织的党员可填编号，姓名自动带出",
        widget=forms.TextInput(attrs={"list": "staff-members", "autocomplete": "off"}),
    )
    name = model_field(StaffPost, "name", required=False)
    position = model_field(StaffPost, "position")
    full_time = forms.TypedChoiceField(
        label="类别",
        choices=[("1", "专职"), ("0", "兼职")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    started_on = model_field(StaffPost, "started_on")


# --- ORG-09 budget -------------------------------------------------------------------------


class BudgetForm(forms.Form):
    """Set a year's party-activity budget (ORG-09)."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = model_field(Budget, "amount")
    note = model_field(Budget, "note")


class SpendingForm(forms.Form):
    """A payment out of the party-activity budget (ORG-09)."""

    spent_on = model_field(Spending, "spent_on")
    amount = model_field(Spending, "amount")
    purpose = model_field(Spending, "purpose")


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
