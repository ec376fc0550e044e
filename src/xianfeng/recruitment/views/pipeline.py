"""The pipeline pages (DEV-01, DEV-02): an org's people by stage, a new applicant, a
person's record (details, timeline with files, due dates, mentors and introducers, and
the forms to record what comes next) and the record as PDF (发展党员全程记实)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from xianfeng.accounts.scope import path_q, resolve_reference
from xianfeng.lib.dates import today
from xianfeng.members.models import Member, Status
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org, OrgKind
from xianfeng.orgs.queries import ancestors, get_org_for_user
from xianfeng.orgs.views import breadcrumb, redirect_after_post

from .. import permissions
from ..domain import people as people_domain
from ..domain.steps import COMMITTEE_KINDS
from ..forms.pipeline import (
    KIND_LABELS,
    MENTOR_STAGES,
    TRANSFER_STAGES,
    ApplicantForm,
    EndForm,
    EndMentorForm,
    IntroducersForm,
    KindForm,
    MentorForm,
    PeopleFilterForm,
    StepFilesForm,
    StepForm,
    TransferForm,
    next_steps,
)
from ..models import (
    OPEN_STAGES,
    Person,
    Stage,
    Step,
    StepFile,
    StepKind,
)
from ..queries.counts import (
    get_person_for_user,
    people_of,
    stage_counts,
    talent_pool,
    training_classes_for,
)
from ..queries.pipeline import due_dates

PAGE_SIZE = 30
PICKER_LIMIT = 300
STAGE_LABELS: dict[str, str] = {str(v): str(label) for v, label in Stage.choices}
CHIPS: dict[str, str] = {
    Stage.APPLICANT: "text-bg-secondary",
    Stage.ACTIVIST: "text-bg-info",
    Stage.ADMISSION_CANDIDATE: "text-bg-primary",
    Stage.PROBATIONARY: "text-bg-warning",
    Stage.FULL: "text-bg-success",
    Stage.ENDED: "text-bg-light",
}
COMMITTEE_ORGS = (OrgKind.PARTY_COMMITTEE, OrgKind.WORKING_COMMITTEE)


def label_rows(people: Iterable[Person]) -> list[Person]:
    """Each row's stage label, chip and link set once (no per-row lookups)."""
    base = reverse("recruitment:person", args=[0])[: -len("0/")]
    rows = list(people)
    for person in rows:
        person.stage_label = STAGE_LABELS.get(person.stage, person.stage)  # type: ignore[attr-defined]
        person.chip = CHIPS.get(person.stage, "text-bg-light")  # type: ignore[attr-defined]
        person.url = f"{base}{person.pk}/"  # type: ignore[attr-defined]
    return rows


def querystring(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def may_create(user: Any, org: Org) -> bool:
    return permissions.may_manage(user, org) and org.dissolved_on is None


# --- an org's people --------------------------------------------------------------------


@login_required
def people(request: HttpRequest, code: str) -> HttpResponse:
    """The people of an org's subtree by stage, filtered by stage and name, paged."""
    org = get_org_for_user(request.user, code)
    form = PeopleFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    stage = data.get("stage", "")
    found = people_of(org, name=data.get("q", ""))
    counts = stage_counts(found)
    shown = found.filter(stage=stage) if stage else found
    page = Paginator(shown.order_by("org__path", "applied_on", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = label_rows(page.object_list)
    context = {
        "org": org,
        "form": form,
        "stage": stage,
        "page_obj": page,
        "querystring": querystring(request),
        "stage_query": querystring(request, "stage"),
        "tabs": [(v, label, counts.get(v, 0)) for v, label in Stage.choices],
        "total": sum(counts.values()),
        "can_create": may_create(request.user, org),
        "breadcrumb": breadcrumb(request.user, org),
    }
    return render(request, "recruitment/people.html", context)


def talent_choices(org: Org) -> list[tuple[int, str]]:
    """(id, name) of the talent pool entries of `org`'s subtree not yet in the pipeline."""
    entries = talent_pool(org).order_by("name", "pk")
    return [
        (pk, f"{name}（{masked or '—'}）")
        for pk, name, masked in entries.values_list("pk", "name", "id_number_masked")[:PICKER_LIMIT]
    ]


def register(org: Org, user: Any, data: dict[str, Any]) -> Person:
    talent = data.pop("talent", None)
    entry = None
    if talent:
        pool = talent_pool(org)
        label = "人才库人员"
        entry = resolve_reference(pool, user, field="talent", label=label, value=talent, pk=talent)
    return people_domain.register_applicant(org=org, by=user, talent=entry, **data)


@login_required
def person_new(request: HttpRequest, code: str) -> HttpResponse:
    """A new applicant of the org (递交入党申请书), optionally from the talent pool."""
    org = get_org_for_user(request.user, code)
    if not may_create(request.user, org):
        raise PermissionDenied("只有本组织及上级组织的管理员、党务工作者可以登记入党申请人")
    data = request.POST if request.method == "POST" else None
    form = ApplicantForm(data, talents=talent_choices(org))
    if request.method == "POST":
        person = apply_form(form, lambda cleaned: register(org, request.user, dict(cleaned)))
        if person is not None:
            messages.success(request, "已登记入党申请人")
            return redirect_after_post(request, reverse("recruitment:person", args=[person.pk]))
    context = {"form": form, "org": org, "breadcrumb": breadcrumb(request.user, org)}
    status = 400 if form.errors else 200
    return render(request, "recruitment/person_new.html", context, status=status)


# --- a person's record ------------------------------------------------------------------


def timeline(person: Person) -> list[Step]:
    """The person's steps in order, with their orgs and files (two queries)."""
    steps = person.steps.select_related("org", "to_org").prefetch_related(
        Prefetch("files", queryset=StepFile.objects.order_by("pk"))
    )
    rows = list(steps.order_by("on", "pk"))
    for step in rows:
        step.kind_label = KIND_LABELS.get(step.kind, step.kind)  # type: ignore[attr-defined]
    return rows


def committees(user: Any, person: Person) -> list[tuple[str, str]]:
    """(code, name) of the party committees above the person's org in the user's scope,
    the nearest first: who may decide a committee step."""
    above = ancestors(person.org).filter(path_q(user), kind__in=COMMITTEE_ORGS)
    return [(org.code, org.name) for org in reversed(list(above))]


def members_for_picker(person: Person, user: Any) -> list[tuple[str, str]]:
    """(code, name) of the full members in the user's scope near the person: of the
    person's org and the orgs below the org above it."""
    parent = Org.objects.get_parent(person.org) or person.org
    members = (
        Member.objects.filter(status=Status.FULL, org__path__startswith=parent.path)
        .filter(path_q(user, "org__path"))
        .order_by("code")
    )
    return list(members.values_list("code", "name")[:PICKER_LIMIT])


def chosen_kind(request: HttpRequest, person: Person, failed: dict[str, Any]) -> str:
    if "step" in failed:
        return str(failed["step"].data.get("kind", ""))
    allowed = dict(next_steps(person))
    kind = request.GET.get("kind", "")
    return kind if kind in allowed else next(iter(allowed), "")


def class_choices(user: Any, person: Person) -> list[tuple[int, str]]:
    """(id, title) of the training classes a short training may name (the latest 50)."""
    classes = training_classes_for(user, person).values_list("pk", "title", "starts_on")[:50]
    return [(pk, f"{title}（{starts_on:%Y-%m-%d}）") for pk, title, starts_on in classes]


def step_choices(user: Any, person: Person, kind: str) -> dict[str, Any]:
    """The choices of the step form of `kind`: deciding committees, training classes."""
    return {
        "committees": committees(user, person) if kind in COMMITTEE_KINDS else [],
        "classes": class_choices(user, person) if kind == StepKind.SHORT_TRAINING else [],
    }


def step_form(request: HttpRequest, person: Person, kind: str) -> StepForm | None:
    if not kind:
        return None
    choices = step_choices(request.user, person, kind)
    return StepForm(initial={"kind": kind}, person=person, kind=kind, **choices)


def forms_of(request: HttpRequest, person: Person, failed: dict[str, Any]) -> dict[str, Any]:
    kind = chosen_kind(request, person, failed)
    return {
        "kind": kind,
        "kind_label": KIND_LABELS.get(kind, ""),
        "kind_form": KindForm(initial={"kind": kind}, person=person),
        "step_form": failed.get("step") or step_form(request, person, kind),
        "mentor_form": failed.get("mentor") or MentorForm(),
        "end_mentor_form": failed.get("end_mentor") or EndMentorForm(),
        "introducers_form": failed.get("introducers") or IntroducersForm(),
        "transfer_form": failed.get("transfer") or TransferForm(),
        "end_form": failed.get("end") or EndForm(),
        "files_form": failed.get("files") or StepFilesForm(),
        "members": members_for_picker(person, request.user),
    }


def due_rows(person: Person) -> list[dict[str, Any]]:
    """The coming dates of the record: the step, latest or earliest, overdue or not."""
    day = today()
    return [
        {
            "due": due.due,
            "kind_label": KIND_LABELS.get(due.kind, due.kind),
            "text": due.text,
            "deadline": due.deadline,
            "overdue": due.is_overdue(day),
        }
        for due in due_dates(person)
    ]


def record_context(request: HttpRequest, person: Person, **failed: Any) -> dict[str, Any]:
    [person] = label_rows([person])
    can_manage = permissions.may_manage(request.user, person.org)
    open_ = person.stage in OPEN_STAGES
    context = {
        "person": person,
        "org": person.org,
        "steps": timeline(person),
        "dues": due_rows(person) if open_ else [],
        "mentors": list(person.mentors.select_related("member").order_by("started_on", "pk")),
        "introducers": list(person.introducers.select_related("member").order_by("pk")),
        "can_manage": can_manage,
        "can_step": can_manage and bool(next_steps(person)),
        "can_mentor": can_manage and person.stage in MENTOR_STAGES,
        "can_introduce": can_manage and person.stage == Stage.ADMISSION_CANDIDATE,
        "can_transfer": can_manage and person.stage in TRANSFER_STAGES,
        "can_end": can_manage and open_,
        "breadcrumb": breadcrumb(request.user, person.org),
    }
    if can_manage:
        context.update(forms_of(request, person, failed))
    return context


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record: details, timeline, due dates, mentors, introducers, next step."""
    found = get_person_for_user(request.user, pk)
    return render(request, "recruitment/person.html", record_context(request, found))


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """发展党员全程记实 PDF of a person's whole record."""
    # imported here: the PDF library takes ≈0.8 s to load, paid by the first PDF request only
    from ..record_pdf import pdf_response

    return pdf_response(get_person_for_user(request.user, pk))


def refused(request: HttpRequest, person: Person, name: str, form: Any) -> HttpResponse:
    """The record page again with the refused form's errors (400)."""
    for message in form.errors.pop("__all__", []):  # the record's state, not a field
        messages.error(request, message)
    fresh = get_person_for_user(request.user, person.pk)
    context = record_context(request, fresh, **{name: form})
    return render(request, "recruitment/person.html", context, status=400)


def done(request: HttpRequest, person: Person, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect_after_post(request, reverse("recruitment:person", args=[person.pk]))
