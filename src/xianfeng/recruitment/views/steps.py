"""The writes of a person's record (DEV-01, DEV-02): the next step, mentors, introducers,
a transfer, the end of the record and a step's files. Each posts a form of the record
page; a refusal shows the page again with the form's errors (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_POST

from xianfeng.accounts.scope import resolve_reference
from xianfeng.core.downloads import file_response
from xianfeng.members.models import Member
from xianfeng.orgs.forms import add_domain_errors
from xianfeng.orgs.models import Org
from xianfeng.study.models import TrainingClass

from .. import permissions
from ..domain import mentors as mentors_domain
from ..domain import people as people_domain
from ..domain import steps as steps_domain
from ..forms.pipeline import (
    EndForm,
    EndMentorForm,
    IntroducersForm,
    MentorForm,
    StepFilesForm,
    StepForm,
    TransferForm,
)
from ..models import Person, Step, StepFile
from ..queries.counts import get_person_for_user, people_for_user, training_classes_for
from .pipeline import done, refused, step_choices

MEMBER_LABEL = "党员"
STEP_FIELDS = ("decided_by", "conclusion", "ends_on", "voters", "present", "in_favour")
MORE_FIELDS = ("training_class", "days", "hours", "months", "special")
NO_STEP = "没有找到该环节，或不在您的管辖范围内"


def managed(request: HttpRequest, pk: int) -> Person:
    """The person `pk` in the user's scope (else 404) whose org the user manages (else 403)."""
    person = get_person_for_user(request.user, pk)
    if not permissions.may_manage(request.user, person.org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以办理发展党员")
    return person


def act(
    request: HttpRequest,
    person: Person,
    name: str,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    text: str,
) -> HttpResponse:
    """Run a domain write from a posted form: success → back to the record; refused →
    the record page with the form's errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            return done(request, person, text)
    return refused(request, person, name, form)


def find_member(user: Any, code: str, field: str) -> Member:
    """A member by code in the user's scope; missing and out of scope answer alike."""
    return resolve_reference(
        Member.objects.all(), user, field=field, label=MEMBER_LABEL, value=code, code=code
    )


def find_org(user: Any, code: str, field: str) -> Org:
    return resolve_reference(
        Org.objects.all(),
        user,
        field=field,
        label="党组织",
        value=code,
        path_field="path",
        code=code,
    )


def find_class(classes: Any, pk: int) -> TrainingClass:
    """A training class among `classes` (of an org on the person's line or in scope)."""
    return resolve_reference(classes, None, field="training_class", label="培训班", value=pk, pk=pk)


# --- the next step ------------------------------------------------------------------------


def step_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The kind's own fields of a cleaned step form (those it kept)."""
    return {name: data[name] for name in (*STEP_FIELDS, *MORE_FIELDS) if name in data}


def record(request: HttpRequest, person: Person, data: dict[str, Any]) -> Step:
    user = request.user
    org = find_org(user, data["org"], "org") if data.get("org") else None
    if data.get("training_class"):
        classes = training_classes_for(user, person)
        data["training_class"] = find_class(classes, data["training_class"])
    return steps_domain.record_step(
        person=person,
        kind=data["kind"],
        on=data["on"],
        org=org,
        files=data.get("files", []),
        by=user,
        **step_fields(data),
    )


@login_required
@require_POST
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the next step (its kind limited to what the stage allows)."""
    person = managed(request, pk)
    kind = request.POST.get("kind", "")
    choices = step_choices(request.user, person, kind)
    form = StepForm(request.POST, request.FILES, person=person, kind=kind, **choices)
    return act(request, person, "step", form, lambda data: record(request, person, data), "已记录")


# --- mentors and introducers ----------------------------------------------------------------


def assign(request: HttpRequest, person: Person, data: dict[str, Any]) -> Any:
    member = find_member(request.user, data["member"], "member")
    return mentors_domain.assign_mentor(
        person=person, member=member, on=data["on"], by=request.user
    )


def end_mentor(request: HttpRequest, person: Person, data: dict[str, Any]) -> Any:
    mentor = person.mentors.filter(pk=data["mentor"]).first()
    if mentor is None:
        raise ValidationError({"mentor": "没有找到该培养联系人"})
    return mentors_domain.end_mentor(mentor=mentor, on=data["ended_on"], by=request.user)


@login_required
@require_POST
def mentors(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a mentor (member code), or end one (`mentor` id with `ended_on`)."""
    person = managed(request, pk)
    if "mentor" in request.POST:
        form: Any = EndMentorForm(request.POST)
        return act(
            request, person, "end_mentor", form,
            lambda data: end_mentor(request, person, data), "已结束培养联系人",
        )  # fmt: skip
    form = MentorForm(request.POST)
    action = lambda data: assign(request, person, data)  # noqa: E731
    return act(request, person, "mentor", form, action, "已确定培养联系人")


def introduce(request: HttpRequest, person: Person, data: dict[str, Any]) -> Any:
    members = [find_member(request.user, data[name], name) for name in ("first", "second")]
    return mentors_domain.choose_introducers(
        person=person, members=members, on=data["on"], by=request.user
    )


@login_required
@require_POST
def introducers(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the two introducers (入党介绍人) by member code."""
    person = managed(request, pk)
    form = IntroducersForm(request.POST)
    action = lambda data: introduce(request, person, data)  # noqa: E731
    return act(request, person, "introducers", form, action, "已确定入党介绍人")


# --- transfer and end -------------------------------------------------------------------


def move(request: HttpRequest, person: Person, data: dict[str, Any]) -> Any:
    to_org = find_org(request.user, data["to_org"], "to_org")
    return people_domain.transfer_person(
        person=person, to_org=to_org, on=data["on"], by=request.user
    )


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the person's file to another org of the user's scope."""
    person = managed(request, pk)
    form = TransferForm(request.POST)
    action = lambda data: move(request, person, data)  # noqa: E731
    return act(request, person, "transfer", form, action, "培养档案已转接")


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    """End the person's record (stage ended) with a reason."""
    person = managed(request, pk)
    form = EndForm(request.POST)
    action = lambda data: people_domain.end_person(  # noqa: E731
        person=person, on=data["on"], reason=data["reason"], by=request.user
    )
    return act(request, person, "end", form, action, "已终止发展")


# --- a step's files -------------------------------------------------------------------------


def get_step_for_user(user: Any, pk: int) -> Step:
    """The step `pk` of a person in the user's scope, else 404."""
    step = Step.objects.filter(pk=pk, person__in=people_for_user(user)).first()
    if step is None:
        raise Http404(NO_STEP)
    return step


def upload(request: HttpRequest, step: Step, data: dict[str, Any]) -> list[StepFile]:
    return [
        steps_domain.add_step_file(step=step, upload=file, by=request.user)
        for file in data["files"]
    ]


@login_required
@require_POST
def step_files(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload files to a step (application letter, review form, notice, minutes …)."""
    step = get_step_for_user(request.user, pk)
    person = managed(request, step.person_id)
    form = StepFilesForm(request.POST, request.FILES)
    action = lambda data: upload(request, step, data)  # noqa: E731
    return act(request, person, "files", form, action, "文件已上传")


@login_required
def step_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A step's file, for those who may see the person."""
    record = StepFile.objects.filter(pk=pk, step__person__in=people_for_user(request.user)).first()
    if record is None:
        raise Http404("没有找到该文件，或不在您的管辖范围内")
    return file_response(request, record.file, filename=record.name)
