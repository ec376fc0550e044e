"""Pages of the secretaries' duties: secretary-led projects (TASK-05), admonition talks
and the adjustment proposals they raise (TASK-06), two-way duty reports (TASK-07), and
the upper org's tables of which secretaries have a project or have reported.

Orgs come through `get_org_for_user` (404 outside the scope); writes are refused with 403
to whoever may not make them (the domain checks again). Admonitions and proposals are
listed only to admins and officers of the orgs above and to the talked-to member
(`queries.secretaries.admonitions_for_user`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.lib.dates import today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import redirect_after_post
from xianfeng.orgs.views.common import breadcrumb

from ..domain import secretaries as domain
from ..forms.secretaries import (
    AdmonitionForm,
    CompleteForm,
    DecideForm,
    DutyReportForm,
    MilestonesForm,
    ProjectForm,
    YearForm,
    milestones_text,
)
from ..models import AdjustmentProposal, DutyReport, Project
from ..permissions import may_manage
from ..queries.secretaries import (
    admonitions_for_user,
    get_project_for_user,
    get_proposal_for_user,
    is_writer_above,
    parent_path,
    project_coverage,
    proposals_for_user,
    report_coverage,
)


def _base(request: HttpRequest, org: Org, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "org": org,
        "tab": tab,
        "can_edit": may_manage(request.user, org),
        "is_above": is_writer_above(request.user, org),
        "breadcrumb": breadcrumb(request.user, org),
        **extra,
    }


def _managed(request: HttpRequest, code: str) -> Org:
    org = get_org_for_user(request.user, code)
    if not may_manage(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _year(request: HttpRequest, default: int) -> int:
    return YearForm(request.GET).year_or(default)


def _day_of(year: int) -> dt.date:
    """The day a year's table is read on: today, or the last day of a past year."""
    return min(today(), dt.date(year, 12, 31))


# --- secretary-led projects (TASK-05) ------------------------------------------------------


@login_required
def projects(request: HttpRequest, code: str) -> HttpResponse:
    """The org's own projects, newest year first."""
    org = get_org_for_user(request.user, code)
    rows = Project.objects.filter(org=org).select_related("secretary").order_by("-year", "pk")
    return render(
        request, "supervision/secretaries_projects.html", _base(request, org, "projects", rows=rows)
    )


@login_required
def project_create(request: HttpRequest, code: str) -> HttpResponse:
    org = _managed(request, code)
    form = ProjectForm(request.POST or None)
    if request.method == "POST":
        action = lambda data: domain.register_project(org, by=request.user, **data)  # noqa: E731
        created = apply_form(form, action)
        if created is not None:
            messages.success(request, "领办项目已登记")
            return redirect_after_post(request, reverse("supervision:project", args=[created.pk]))
    context = _base(request, org, "projects", form=form, title="登记书记领办项目")
    return render(
        request, "supervision/secretaries_form.html", context, status=400 if form.errors else 200
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    return _project_page(request, project)


def _project_page(
    request: HttpRequest, project: Project, status: int = 200, **forms: Any
) -> HttpResponse:
    initial = {"milestones": milestones_text(project.milestones)}
    context = _base(
        request,
        project.org,
        "projects",
        project=project,
        milestones_form=forms.get("milestones_form") or MilestonesForm(initial=initial),
        complete_form=forms.get("complete_form") or CompleteForm(),
    )
    return render(request, "supervision/secretaries_project.html", context, status=status)


def _managed_project(request: HttpRequest, pk: int) -> Project:
    project = get_project_for_user(request.user, pk)
    if not may_manage(request.user, project.org):
        raise PermissionDenied("您对该组织只有查看权限")
    return project


@login_required
@require_POST
def project_milestones(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = MilestonesForm(request.POST)
    action = lambda data: domain.update_milestones(project, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _project_page(request, project, 400, milestones_form=form)
    messages.success(request, "节点安排已保存")
    return redirect_after_post(request, reverse("supervision:project", args=[project.pk]))


@login_required
@require_POST
def project_complete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = CompleteForm(request.POST)
    action = lambda data: domain.complete_project(project, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _project_page(request, project, 400, complete_form=form)
    messages.success(request, "完成成效已登记")
    return redirect_after_post(request, reverse("supervision:project", args=[project.pk]))


@login_required
def project_coverage_page(request: HttpRequest, code: str) -> HttpResponse:
    """The orgs below whose secretary has or lacks a project for the year."""
    org = get_org_for_user(request.user, code)
    year = _year(request, today().year)
    rows = project_coverage(org, year, _day_of(year))
    lacking = sum(1 for row in rows if not row.has_record)
    context = _base(request, org, "project_coverage", year=year, rows=rows, lacking=lacking)
    return render(request, "supervision/secretaries_project_coverage.html", context)


# --- admonition talks and adjustment proposals (TASK-06) ---------------------------------


@login_required
def admonitions(request: HttpRequest, code: str) -> HttpResponse:
    """The admonitions of the org's subtree the user may read (see the module's note)."""
    org = get_org_for_user(request.user, code)
    rows = (
        admonitions_for_user(request.user)
        .filter(org__path__startswith=org.path)
        .select_related("org", "member", "by_org", "proposal")
        .order_by("-date", "-pk")[:500]
    )
    context = _base(request, org, "admonitions", rows=rows)
    return render(request, "supervision/secretaries_admonitions.html", context)


@login_required
def my_admonitions(request: HttpRequest) -> HttpResponse:
    """A member's own account: the talks held with them."""
    member_id: int = getattr(request.user, "member_id", None) or 0
    rows = (
        admonitions_for_user(request.user)
        .filter(member_id=member_id)
        .select_related("org", "by_org")
        .order_by("-date", "-pk")
    )
    context = {"rows": rows}
    return render(request, "supervision/secretaries_my_admonitions.html", context)


@login_required
def admonition_create(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    if not is_writer_above(request.user, org):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以登记约谈")
    above = Org.objects.filter(path=parent_path(org)).values_list("code", flat=True).first()
    form = AdmonitionForm(request.POST or None, initial={"by_org": above or ""})
    if request.method == "POST":
        action = lambda data: domain.record_admonition(org, by=request.user, **data)  # noqa: E731
        created = apply_form(form, action)
        if created is not None:
            raised = hasattr(created, "proposal")
            messages.success(request, "约谈已登记，已提出岗位调整建议" if raised else "约谈已登记")
            return redirect_after_post(request, reverse("supervision:admonitions", args=[org.code]))
    context = _base(request, org, "admonitions", form=form, title="登记约谈")
    return render(
        request, "supervision/secretaries_form.html", context, status=400 if form.errors else 200
    )


@login_required
def proposals(request: HttpRequest, code: str) -> HttpResponse:
    """The adjustment proposals of the org's subtree, pending first, with decide forms."""
    org = get_org_for_user(request.user, code)
    rows = list(
        proposals_for_user(request.user)
        .filter(org__path__startswith=org.path)
        .select_related("org", "member", "admonition", "decided_by")
        .order_by("decided_on", "-raised_on", "-pk")[:500]
    )
    pending = AdjustmentProposal.Decision.PENDING
    rows.sort(key=lambda p: p.decision != pending)
    for proposal in rows:  # one form per card, with ids of its own
        proposal.form = DecideForm(auto_id=f"id_p{proposal.pk}_%s")  # type: ignore[attr-defined]
    context = _base(request, org, "proposals", rows=rows)
    return render(request, "supervision/secretaries_proposals.html", context)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    if not is_writer_above(request.user, proposal.org):
        raise PermissionDenied("只有上级组织的管理员、党务工作者可以决定岗位调整建议")
    form = DecideForm(request.POST)
    action = lambda data: domain.decide_proposal(proposal, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _bad_decision(request, proposal, form)
    messages.success(request, "已作出决定")
    return redirect_after_post(request, reverse("supervision:proposals", args=[proposal.org.code]))


def _bad_decision(
    request: HttpRequest, proposal: AdjustmentProposal, form: DecideForm
) -> HttpResponse:
    proposal.form = form  # type: ignore[attr-defined]
    context = _base(request, proposal.org, "proposals", rows=[proposal])
    return render(request, "supervision/secretaries_proposals.html", context, status=400)


# --- two-way duty reports (TASK-07) ------------------------------------------------------


@login_required
def duty_reports(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    rows = DutyReport.objects.filter(org=org).select_related("secretary").order_by("-year", "pk")
    labels = domain.rating_labels(org, today())
    context = _base(request, org, "duty_reports", rows=rows, labels=labels)
    return render(request, "supervision/secretaries_duty_reports.html", context)


@login_required
def duty_report_create(request: HttpRequest, code: str) -> HttpResponse:
    org = _managed(request, code)
    form = DutyReportForm(request.POST or None, labels=domain.rating_labels(org, today()))
    if request.method == "POST":
        action = lambda _data: domain.record_duty_report(org, by=request.user, **form.report_data())  # noqa: E731
        if apply_form(form, action) is not None:
            messages.success(request, "述职已登记")
            return redirect_after_post(
                request, reverse("supervision:duty_reports", args=[org.code])
            )
    context = _base(request, org, "duty_reports", form=form, title="登记书记述职")
    return render(
        request, "supervision/secretaries_form.html", context, status=400 if form.errors else 200
    )


@login_required
def report_coverage_page(request: HttpRequest, code: str) -> HttpResponse:
    """Who of the secretaries below reported on the work year (default: last year)."""
    org = get_org_for_user(request.user, code)
    year = _year(request, today().year - 1)
    rows = report_coverage(org, year, _day_of(year))
    lacking = sum(1 for row in rows if not row.has_record)
    context = _base(request, org, "report_coverage", year=year, rows=rows, lacking=lacking)
    return render(request, "supervision/secretaries_report_coverage.html", context)
