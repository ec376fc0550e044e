"""Pages of the supervision rhythm (TASK-04): the yearly calendar, quarterly progress
reports, half-year inspections with their targets and problems, and inspection notices
(督查通报) with their PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.lib.dates import today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views.common import breadcrumb, editable_org, redirect_after_post

from ..domain import inspections as inspecting
from ..domain import rhythm as domain
from ..forms.duty import YearForm
from ..forms.rhythm import (
    CalendarForm,
    InspectionForm,
    NoticeForm,
    ProblemForm,
    ProgressForm,
    TargetForm,
)
from ..models import Inspection, InspectionNotice
from ..notice_pdf import pdf_response
from ..queries import rhythm as queries


def _year(request: HttpRequest) -> int:
    return YearForm(request.GET).year_or(today().year)


def _base(request: HttpRequest, org: Org, **extra: Any) -> dict[str, Any]:
    return {
        "org": org,
        "breadcrumb": breadcrumb(request.user, org),
        "can_edit": can_edit_org(request.user, org),
        **extra,
    }


def _go(request: HttpRequest, url: str, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect_after_post(request, url)


# --- calendar ---------------------------------------------------------------------------


def _calendar_page(
    request: HttpRequest, org: Org, year: int, form: Any = None, status: int = 200
) -> HttpResponse:
    context = _base(
        request,
        org,
        year=year,
        rows=queries.calendar_of(org, year, today()),
        form=form or CalendarForm(initial={"year": year}),
    )
    return render(request, "supervision/calendar_page.html", context, status=status)


@login_required
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """The upper org's supervision calendar of a year, each entry done, due or pending."""
    org = get_org_for_user(request.user, code)
    return _calendar_page(request, org, _year(request))


@login_required
@require_POST
def calendar_generate(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = CalendarForm(request.POST)
    made = apply_form(
        form, lambda data: domain.generate_calendar(org, year=data["year"], by=request.user)
    )
    if made is None:
        return _calendar_page(request, org, _year(request), form, status=400)
    year = form.cleaned_data["year"]
    url = reverse("supervision:calendar", args=[org.code]) + f"?year={year}"
    return _go(request, url, f"已生成督查工作日历，新增 {len(made)} 项")


@login_required
@require_POST
def calendar_done(request: HttpRequest, pk: int) -> HttpResponse:
    entry = queries.get_entry_for_user(request.user, pk)
    editable_org(request, entry.org.code)
    url = reverse("supervision:calendar", args=[entry.org.code]) + f"?year={entry.year}"
    try:
        domain.mark_done(entry, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect_after_post(request, url)
    return _go(request, url, "已标记完成")


# --- quarterly progress reports ----------------------------------------------------------


def _progress_page(
    request: HttpRequest, org: Org, year: int, form: Any = None, status: int = 200
) -> HttpResponse:
    day = today()
    rows = queries.progress_overview(org, year, day)
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    form = form or ProgressForm(initial={"period": quarter})
    period = form["period"].value() or quarter
    try:
        closed = domain.items_closed_in(org, str(period))
    except ValidationError:
        closed = []
    context = _base(
        request,
        org,
        year=year,
        rows=rows,
        missing=queries.missing_counts(rows),
        quarters=queries.QUARTERS,
        owes=domain.owes_reports(org, day),
        form=form,
        closed=closed,
    )
    return render(request, "supervision/progress_page.html", context, status=status)


@login_required
def progress(request: HttpRequest, code: str) -> HttpResponse:
    """Who has and has not reported per quarter (the org's subtree), and the org's own
    report form prefilled with the items it closed in the quarter."""
    org = get_org_for_user(request.user, code)
    return _progress_page(request, org, _year(request))


@login_required
@require_POST
def progress_submit(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = ProgressForm(request.POST)
    report = apply_form(form, lambda data: domain.submit_progress(org, by=request.user, **data))
    if report is None:
        return _progress_page(request, org, _year(request), form, status=400)
    url = reverse("supervision:progress", args=[org.code]) + f"?year={report.period[:4]}"
    return _go(request, url, f"{report.period} 推进情况已报送")


# --- inspections ---------------------------------------------------------------------------


def _inspections_page(
    request: HttpRequest, org: Org, form: Any = None, status: int = 200
) -> HttpResponse:
    context = _base(
        request,
        org,
        inspections=Inspection.objects.filter(org=org).order_by("-date", "-pk"),
        form=form or InspectionForm(),
    )
    return render(request, "supervision/inspection_list.html", context, status=status)


@login_required
def inspections(request: HttpRequest, code: str) -> HttpResponse:
    return _inspections_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def inspection_create(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = InspectionForm(request.POST)
    inspection = apply_form(
        form, lambda data: inspecting.start_inspection(org, by=request.user, **data)
    )
    if inspection is None:
        return _inspections_page(request, org, form, status=400)
    url = reverse("supervision:inspection_detail", args=[inspection.pk])
    return _go(request, url, f"已随机抽取 {inspection.targets.count()} 个党组织")


def _inspection_page(
    request: HttpRequest, inspection: Inspection, status: int = 200, **forms: Any
) -> HttpResponse:
    problems = queries.target_problems(inspection)
    targets: list[dict[str, Any]] = [
        {
            "target": target,
            "problems": problems.get(target.org_id, []),
            "form": forms.get(f"target_{target.pk}")
            or TargetForm(
                initial={"looked_at": target.looked_at, "conclusion": target.conclusion},
                auto_id=f"id_t{target.pk}_%s",
            ),
            "problem_form": forms.get(f"problem_{target.pk}")
            or ProblemForm(auto_id=f"id_p{target.pk}_%s"),
        }
        for target in inspection.targets.select_related("org").order_by("org__path")
    ]
    context = _base(
        request,
        inspection.org,
        inspection=inspection,
        targets=targets,
        notices=inspection.notices.order_by("-date"),
        notice_form=NoticeForm(
            initial={
                "inspection": inspection.pk,
                "title": f"关于{inspection.title}情况的通报",
                "recipients": "、".join(t["target"].org.code for t in targets),
            }
        ),
    )
    return render(request, "supervision/inspection_detail.html", context, status=status)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_page(request, queries.get_inspection_for_user(request.user, pk))


@login_required
@require_POST
def inspection_target(request: HttpRequest, pk: int) -> HttpResponse:
    target = queries.get_target_for_user(request.user, pk)
    editable_org(request, target.inspection.org.code)
    form = TargetForm(request.POST)
    done = apply_form(form, lambda data: inspecting.record_target(target, by=request.user, **data))
    if done is None:
        return _inspection_page(request, target.inspection, 400, **{f"target_{pk}": form})
    url = reverse("supervision:inspection_detail", args=[target.inspection_id])
    return _go(request, url, f"已记录{target.org.name}的督查情况")


@login_required
@require_POST
def inspection_problem(request: HttpRequest, pk: int) -> HttpResponse:
    target = queries.get_target_for_user(request.user, pk)
    editable_org(request, target.inspection.org.code)
    form = ProblemForm(request.POST)
    item = apply_form(form, lambda data: inspecting.add_problem(target, by=request.user, **data))
    if item is None:
        return _inspection_page(request, target.inspection, 400, **{f"problem_{pk}": form})
    url = reverse("supervision:inspection_detail", args=[target.inspection_id])
    return _go(request, url, "问题已列入问题清单")


# --- notices (督查通报) ---------------------------------------------------------------------


def _notices_page(
    request: HttpRequest, org: Org, form: Any = None, status: int = 200
) -> HttpResponse:
    context = _base(
        request,
        org,
        notices=InspectionNotice.objects.filter(org=org).order_by("-date", "-pk"),
        form=form or NoticeForm(initial={"date": today()}),
    )
    return render(request, "supervision/notice_list.html", context, status=status)


@login_required
def notices(request: HttpRequest, code: str) -> HttpResponse:
    return _notices_page(request, get_org_for_user(request.user, code))


@login_required
@require_POST
def notice_create(request: HttpRequest, code: str) -> HttpResponse:
    org = editable_org(request, code)
    form = NoticeForm(request.POST)
    notice = apply_form(form, lambda data: inspecting.create_notice(org, by=request.user, **data))
    if notice is None:
        return _notices_page(request, org, form, status=400)
    url = reverse("supervision:notice_detail", args=[notice.pk])
    return _go(request, url, "督查通报已保存，核对无误后请发布")


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = queries.get_notice_for_user(request.user, pk)
    context = _base(
        request,
        notice.org,
        notice=notice,
        recipients=notice.recipients.order_by("path"),
    )
    return render(request, "supervision/notice_detail.html", context)


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return pdf_response(queries.get_notice_for_user(request.user, pk))


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = queries.get_notice_for_user(request.user, pk)
    editable_org(request, notice.org.code)
    url = reverse("supervision:notice_detail", args=[notice.pk])
    try:
        told = inspecting.publish_notice(notice, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect_after_post(request, url)
    return _go(request, url, f"督查通报已发布，已通知 {told} 个账号")
