"""Organizational-life pages (LIFE-01, LIFE-03, LIFE-04, LIFE-06): meeting list, form and
detail, the one-hand attendance screen, the month calendar, leave, exemptions and
lesson materials."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org, is_org_in_scope
from xianfeng.lib.dates import today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import ancestors, get_org_for_user
from xianfeng.orgs.views import page_or_fragment, redirect_after_post

from . import domain
from .forms import (
    AffairsForm,
    AttachmentForm,
    AttendanceForm,
    DecideForm,
    ExemptionForm,
    HoldForm,
    LeaveForm,
    MaterialForm,
    MeetingFilterForm,
    MeetingForm,
    MonthForm,
    YearForm,
    meeting_initial,
)
from .models import AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from .queries import (
    affairs_overview,
    attendance_sheet,
    exemptions_of,
    filter_meetings,
    get_affairs_for_user,
    get_exemption_for_user,
    get_leave_for_user,
    get_material_for_user,
    get_meeting_for_user,
    leave_requests_of,
    material_usage,
    materials_for,
    meetings_of,
    quorum,
    upcoming_for_member,
)

NO_QUORUM = "会议未达到法定人数，不计入党员大会次数"
TOGGLES = [
    (AttendanceStatus.PRESENT, "出席", "success"),
    (AttendanceStatus.LEAVE, "请假", "warning"),
    (AttendanceStatus.ABSENT, "缺席", "danger"),
    (AttendanceStatus.EXEMPTED, "免于参加", "secondary"),
]


def _breadcrumb(user: Any, org: Org) -> list[tuple[Org, bool]]:
    return [(above, is_org_in_scope(user, above)) for above in ancestors(org)]


def _editable(request: HttpRequest, org: Org) -> Org:
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _editable_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_meeting_for_user(request.user, pk)
    _editable(request, meeting.org)
    return meeting


def _meeting_url(meeting: Meeting) -> str:
    return reverse("orglife:meeting_detail", args=[meeting.pk])


# --- meetings (LIFE-01) ------------------------------------------------------------------


@login_required
def meetings(request: HttpRequest, code: str) -> HttpResponse:
    """A branch's meetings, filtered by kind, year/month and status."""
    org = get_org_for_user(request.user, code)
    form = MeetingFilterForm(request.GET)
    found = meetings_of(org)
    if form.is_valid():
        found = filter_meetings(found, **{k: v for k, v in form.cleaned_data.items() if v})
    context = {
        "org": org,
        "form": form,
        "meetings": list(found[:300]),
        "can_edit": can_edit_org(request.user, org) and org.dissolved_on is None,
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, page_or_fragment(request, "orglife/meetings.html", "list"), context)


def _save_attachment(request: HttpRequest, meeting: Meeting, form: Any) -> None:
    file = form.cleaned_data.get("attachment")
    if file:
        domain.validate_upload(file, "attachment")  # the error lands on the form's field
        domain.add_attachment(meeting, file=file, by=request.user)


@transaction.atomic
def _create(request: HttpRequest, org: Org, form: MeetingForm) -> Meeting:
    data = form.meeting_data()
    held = data.get("status") == MeetingStatus.HELD
    meeting = domain.record_meeting(
        org=org, by=request.user, attendance={} if held else None, **data
    )
    _save_attachment(request, meeting, form)
    return meeting


@login_required
def meeting_create(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable(request, get_org_for_user(request.user, code))
    initial = {"kind": request.GET.get("kind", ""), "planned_on": request.GET.get("day")}
    if initial["planned_on"]:
        initial["status"] = MeetingStatus.PLANNED
    form = MeetingForm(
        request.POST or None, request.FILES or None, org=org, user=request.user, initial=initial
    )
    if request.method == "POST":
        meeting = apply_form(form, lambda _data: _create(request, org, form))
        if meeting is not None:
            messages.success(request, "已保存；请登记出勤" if meeting.held_on else "已保存")
            return redirect_after_post(request, _meeting_url(meeting))
    context = {"form": form, "org": org, "breadcrumb": _breadcrumb(request.user, org)}
    return render(request, page_or_fragment(request, "orglife/meeting_form.html", "form"), context)


@transaction.atomic
def _update(request: HttpRequest, meeting: Meeting, form: MeetingForm) -> Meeting:
    changed = {f: v for f, v in form.meeting_data().items() if f in form.changed_data}
    if changed:
        domain.update_meeting(meeting, by=request.user, **changed)
    _save_attachment(request, meeting, form)
    return meeting


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        org=meeting.org,
        user=request.user,
        editing=True,
        initial=meeting_initial(meeting),
    )
    if request.method == "POST":
        if apply_form(form, lambda _data: _update(request, meeting, form)) is not None:
            messages.success(request, "已保存")
            return redirect_after_post(request, _meeting_url(meeting))
        meeting.refresh_from_db()
    context = {
        "form": form,
        "org": meeting.org,
        "meeting": meeting,
        "breadcrumb": _breadcrumb(request.user, meeting.org),
    }
    return render(request, page_or_fragment(request, "orglife/meeting_form.html", "form"), context)


def _detail_context(request: HttpRequest, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    rows = attendance_sheet(meeting)
    counts = {value: sum(1 for r in rows if r["status"] == value) for value, *_ in TOGGLES}
    general = meeting.kind == MeetingKind.GENERAL_MEETING and meeting.status == "held"
    return {
        "meeting": meeting,
        "org": meeting.org,
        "rows": rows,
        "counts": [(label, counts[value], css) for value, label, css in TOGGLES],
        "quorum": quorum(meeting) if general else None,
        "no_quorum": NO_QUORUM,
        "attachments": list(meeting.attachments.order_by("entered_at")),
        "leave_requests": list(meeting.leave_requests.select_related("member", "decided_by")),
        "can_edit": can_edit_org(request.user, meeting.org),
        "hold_form": forms.get("hold_form") or HoldForm(initial={"held_on": meeting.planned_on}),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "breadcrumb": _breadcrumb(request.user, meeting.org),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    return render(request, "orglife/meeting_detail.html", _detail_context(request, meeting))


def _refused(request: HttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    context = _detail_context(request, meeting, **forms)
    return render(request, "orglife/meeting_detail.html", context, status=400)


@login_required
@require_POST
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """A planned meeting took place: the roster is written, everyone absent but those on
    approved leave or exempted, ready for the attendance screen."""
    meeting = _editable_meeting(request, pk)
    form = HoldForm(request.POST)
    action = lambda data: domain.hold_meeting(  # noqa: E731
        meeting,
        held_on=data["held_on"],
        period_reason=data.get("period_reason", ""),
        attendance={},
        by=request.user,
    )
    if apply_form(form, action) is None:
        meeting.refresh_from_db()
        return _refused(request, meeting, hold_form=form)
    messages.success(request, "已登记召开，请登记出勤")
    return redirect_after_post(request, reverse("orglife:attendance", args=[meeting.pk]))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    try:
        domain.cancel_meeting(meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "会议已取消")
    return redirect_after_post(request, _meeting_url(meeting))


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    action = lambda data: domain.add_attachment(  # noqa: E731
        meeting, file=data["file"], by=request.user
    )
    if apply_form(form, action) is None:
        return _refused(request, meeting, attachment_form=form)
    messages.success(request, "附件已上传")
    return redirect_after_post(request, _meeting_url(meeting))


# --- the one-hand attendance screen ------------------------------------------------------


def _attendance_context(meeting: Meeting) -> dict[str, Any]:
    rows = attendance_sheet(meeting)
    return {
        "meeting": meeting,
        "org": meeting.org,
        "rows": rows,
        "toggles": TOGGLES,
        "present": sum(1 for r in rows if r["status"] == AttendanceStatus.PRESENT),
        "quorum": quorum(meeting) if meeting.kind == MeetingKind.GENERAL_MEETING else None,
        "no_quorum": NO_QUORUM,
    }


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Big toggle buttons per member; each tap saves one row (htmx: the row comes back)."""
    meeting = _editable_meeting(request, pk)
    if request.method != "POST":
        return render(request, "orglife/attendance.html", _attendance_context(meeting))
    form = AttendanceForm(request.POST)
    error = ""
    if form.is_valid():
        statuses = {form.cleaned_data["member"]: form.cleaned_data["status"]}
        try:
            domain.set_attendance(meeting, statuses, by=request.user)
        except ValidationError as refused:
            error = "；".join(refused.messages)
    else:
        error = "请选择党员和出勤情况"
    context = {**_attendance_context(meeting), "error": error}
    status = 400 if error else 200
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "orglife/attendance.html#sheet", context, status=status)
    return render(request, "orglife/attendance.html", context, status=status)


# --- the month calendar (LIFE-03) --------------------------------------------------------


def _month(request: HttpRequest) -> dt.date:
    form = MonthForm(request.GET)
    text = form.cleaned_data["month"] if form.is_valid() else ""
    if not text:
        return today().replace(day=1)
    year, month = map(int, text.split("-"))
    return dt.date(year, month, 1)


def theme_day_due(org: Org, first: dt.date) -> dict[str, Any] | None:
    """The month's theme-day due date where the policy fixes a day for the org's sector,
    moved to a workday within the shift window when it falls on a non-workday (LIFE-03)."""
    from xianfeng.compliance.calendar import Calendar
    from xianfeng.compliance.policy import resolver

    policy = resolver(day=first)
    fixed = policy.value("life.theme_day.fixed_day_of_month", org.path)
    sectors = policy.value("life.theme_day.fixed_day_sectors", org.path)
    if not fixed or (sectors and org.sector not in sectors):
        return None
    from .planning import moved_to_workday  # the yearly plan's reading (LIFE-03)

    last = month_calendar.monthrange(first.year, first.month)[1]
    day = first.replace(day=min(fixed, last))
    window = policy.value("life.theme_day.shift_window_days", org.path)
    due = moved_to_workday(Calendar(), day, window)
    return {"fixed": day, "due": due, "moved": due != day}


def _weeks(first: dt.date, by_day: dict[dt.date, list[Meeting]]) -> list[list[dict]]:
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [
        [
            {"day": d, "in_month": d.month == first.month, "meetings": by_day.get(d, [])}
            for d in week
        ]
        for week in weeks
    ]


@login_required
def month_view(request: HttpRequest, code: str) -> HttpResponse:
    """A branch's month: held and planned meetings per day, and the theme day's due date."""
    org = get_org_for_user(request.user, code)
    first = _month(request)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    found = filter_meetings(meetings_of(org), year=first.year, month=first.month)
    by_day: dict[dt.date, list[Meeting]] = {}
    for meeting in found.exclude(status=MeetingStatus.CANCELLED).order_by("starts_at"):
        by_day.setdefault(meeting.day, []).append(meeting)
    due = theme_day_due(org, first)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    context = {
        "org": org,
        "first": first,
        "weeks": _weeks(first, by_day),
        "due": due,
        "has_theme_day": any(m.kind == MeetingKind.THEME_DAY for ms in by_day.values() for m in ms),
        "prev": prev_month.strftime("%Y-%m"),
        "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
        "today": today(),
        "can_edit": can_edit_org(request.user, org),
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/calendar.html", context)


# --- a member's own page and leave (LIFE-04) ---------------------------------------------


def _own_member(request: HttpRequest) -> Any:
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404("您的账号没有关联党员信息")
    return member


@login_required
def my_life(request: HttpRequest) -> HttpResponse:
    """我的组织生活: the member's upcoming planned meetings and their leave requests."""
    member = _own_member(request)
    context = {
        "member": member,
        "meetings": upcoming_for_member(member, today()),
        "form": LeaveForm(),
    }
    return render(request, "orglife/my.html", context)


@login_required
@require_POST
def leave_ask(request: HttpRequest, pk: int) -> HttpResponse:
    member = _own_member(request)
    meeting = next((m for m in upcoming_for_member(member, today()) if m.pk == pk), None)
    if meeting is None:
        raise Http404("没有找到该会议")
    form = LeaveForm(request.POST)
    action = lambda data: domain.ask_leave(  # noqa: E731
        meeting=meeting, member=member, reason=data["reason"], by=request.user
    )
    if apply_form(form, action) is None:
        context = {
            "member": member,
            "meetings": upcoming_for_member(member, today()),
            "form": LeaveForm(),
            "failed": pk,
            "failed_form": form,
        }
        return render(request, "orglife/my.html", context, status=400)
    messages.success(request, "请假申请已提交，等待支部审批")
    return redirect_after_post(request, reverse("orglife:my"))


@login_required
def leave_list(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    context = {
        "org": org,
        "requests": list(leave_requests_of(org)[:200]),
        "can_edit": can_edit_org(request.user, org),
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/leave.html", context)


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_leave_for_user(request.user, pk)
    org = _editable(request, leave.meeting.org)
    form = DecideForm(request.POST)
    action = lambda data: domain.decide_leave(  # noqa: E731
        leave, approve=data["approve"], by=request.user
    )
    if apply_form(form, action) is None:
        messages.error(request, "；".join(str(e) for e in form.errors.values()) or "未能审批")
    else:
        messages.success(request, "已批准" if form.cleaned_data["approve"] else "已不予批准")
    base = org if org.kind != "party_group" else Org.objects.get_parent(org)
    return redirect_after_post(request, reverse("orglife:leave_list", args=[base.code]))


# --- exemptions (LIFE-04) ----------------------------------------------------------------


def _exemptions_page(request: HttpRequest, org: Org, form: Any, status: int = 200) -> HttpResponse:
    context = {
        "org": org,
        "exemptions": list(exemptions_of(org)[:200]),
        "form": form,
        "can_edit": can_edit_org(request.user, org),
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/exemptions.html", context, status=status)


@login_required
def exemptions(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    if request.method != "POST":
        return _exemptions_page(request, org, ExemptionForm(org=org, user=request.user))
    _editable(request, org)
    form = ExemptionForm(request.POST, org=org, user=request.user)
    action = lambda data: domain.ask_exemption(org=org, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _exemptions_page(request, org, form, status=400)
    messages.success(request, "已登记免于参加申请，请审批")
    return redirect_after_post(request, reverse("orglife:exemptions", args=[org.code]))


@login_required
@require_POST
def exemption_decide(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = get_exemption_for_user(request.user, pk)
    org = _editable(request, exemption.member.org)
    form = DecideForm(request.POST)
    action = lambda data: domain.decide_exemption(  # noqa: E731
        exemption, approve=data["approve"], by=request.user
    )
    if apply_form(form, action) is None:
        messages.error(request, "；".join(str(e) for e in form.errors.values()) or "未能审批")
    else:
        messages.success(request, "已批准" if form.cleaned_data["approve"] else "已不予批准")
    return redirect_after_post(request, reverse("orglife:exemptions", args=[org.code]))


# --- lesson materials (LIFE-06) ----------------------------------------------------------


def _materials_page(request: HttpRequest, org: Org, form: Any, status: int = 200) -> HttpResponse:
    can_publish = can_edit_org(request.user, org) and org.kind in domain.PUBLISHER_KINDS
    context = {
        "org": org,
        "materials": list(materials_for(org).order_by("-month", "title")[:200]),
        "form": form,
        "can_publish": can_publish,
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/materials.html", context, status=status)


@login_required
def materials(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    if request.method != "POST":
        return _materials_page(request, org, MaterialForm())
    _editable(request, org)
    form = MaterialForm(request.POST, request.FILES)
    action = lambda data: domain.publish_material(org=org, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _materials_page(request, org, form, status=400)
    messages.success(request, "党课教材已发布")
    return redirect_after_post(request, reverse("orglife:materials", args=[org.code]))


@login_required
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A material and the orgs whose lessons used it (LIFE-06)."""
    material = get_material_for_user(request.user, pk)
    context = {
        "material": material,
        "org": material.org,
        "usage": material_usage(material, request.user),
        "breadcrumb": _breadcrumb(request.user, material.org),
    }
    return render(request, "orglife/material_detail.html", context)


# --- party-affairs records (LIFE-07 党务公开, LIFE-08 思想状况分析) -----------------------------


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET)
    year = form.cleaned_data["year"] if form.is_valid() else None
    return year or today().year


def _affairs_page(
    request: HttpRequest, org: Org, year: int, form: Any, status: int = 200
) -> HttpResponse:
    context = {
        "org": org,
        "year": year,
        "slots": affairs_overview(org, year),
        "form": form,
        "can_edit": can_edit_org(request.user, org) and org.dissolved_on is None,
        "breadcrumb": _breadcrumb(request.user, org),
    }
    return render(request, "orglife/affairs.html", context, status=status)


@login_required
def affairs(request: HttpRequest, code: str) -> HttpResponse:
    """An org's party-affairs records of a year, slot by slot, and the form to add one."""
    org = get_org_for_user(request.user, code)
    year = _year(request)
    if request.method != "POST":
        initial = {"kind": request.GET.get("kind", ""), "period": request.GET.get("period", "")}
        return _affairs_page(request, org, year, AffairsForm(initial=initial))
    _editable(request, org)
    form = AffairsForm(request.POST, request.FILES)
    action = lambda data: domain.record_affairs(org=org, by=request.user, **data)  # noqa: E731
    record = apply_form(form, action)
    if record is None:
        return _affairs_page(request, org, year, form, status=400)
    messages.success(request, f"已登记{record.period}的{record.get_kind_display()}")
    url = reverse("orglife:affairs", args=[org.code]) + f"?year={record.period[:4]}"
    return redirect_after_post(request, url)


@login_required
@require_POST
def affairs_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_affairs_for_user(request.user, pk)
    org = _editable(request, record.org)
    year = record.period[:4]
    domain.delete_affairs(record, by=request.user)
    messages.success(request, "已删除该记录")
    return redirect_after_post(
        request, reverse("orglife:affairs", args=[org.code]) + f"?year={year}"
    )
