"""Study pages (STUDY-01 … STUDY-04): the course catalogue, must-learn lists, study plans,
training classes with the one-hand attendance screen, a member's and an org's study
hours, and the subtree's study compliance with its Excel export.

Every object is fetched through a `get_*_for_user` read (404 outside the scope);
viewers read, officers and admins write (403), a member account sees its own page."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org, is_org_in_scope
from xianfeng.core.downloads import file_response
from xianfeng.lib.dates import today
from xianfeng.members.models import Member
from xianfeng.members.queries import get_member_for_user
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import MEMBER_KINDS, Org
from xianfeng.orgs.queries import ancestors, get_org_for_user
from xianfeng.orgs.views import page_or_fragment, redirect_after_post

from . import domain
from .access import (
    courses_for_org,
    get_class_for_user,
    get_course_for_user,
    get_plan_for_user,
    get_plan_item_for_user,
    get_record_for_user,
)
from .forms import (
    CourseFilterForm,
    CourseForm,
    DecideForm,
    EnrollForm,
    MustLearnForm,
    PlanDoneForm,
    PlanForm,
    PlanItemForm,
    RecordForm,
    TrainingAttendanceForm,
    TrainingClassForm,
    YearForm,
    course_initial,
    members_of,
)
from .models import (
    Enrollment,
    EnrollmentStatus,
    MustLearnList,
    PlanKind,
    RecordStatus,
    StudyPlan,
    StudyRecord,
    TrainingClass,
    TrainingStatus,
)
from .queries import must_learn_completion, plan_progress
from .standing import (
    SOURCE_LABELS,
    child_summary,
    explained_rows,
    member_standing,
    span_of,
    standings,
)
from .workbook import write_compliance

TOGGLES = [
    (EnrollmentStatus.ATTENDED, "参训", "success"),
    (EnrollmentStatus.ABSENT, "未参训", "danger"),
]
SORTS = {
    "name": lambda r: r["org"].path,
    "behind": lambda r: (-r["behind"], r["org"].path),
    "shortfall": lambda r: (-r["shortfall"], r["org"].path),
    "share": lambda r: (r["share"] if r["share"] is not None else 101, r["org"].path),
}


def _breadcrumb(user: Any, org: Org) -> list[tuple[Org, bool]]:
    return [(above, is_org_in_scope(user, above)) for above in ancestors(org)]


def _editable(request: HttpRequest, org: Org) -> Org:
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限")
    return org


def _year(request: HttpRequest) -> int:
    return YearForm(request.GET).year_or(today().year)


def _base(request: HttpRequest, org: Org, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "org": org,
        "tab": tab,
        "can_edit": can_edit_org(request.user, org),
        "breadcrumb": _breadcrumb(request.user, org),
        **extra,
    }


# --- the org's study page (STUDY-01, STUDY-03) ------------------------------------------


@login_required
def org_study(request: HttpRequest, code: str) -> HttpResponse:
    """Members behind on their hours and by how much; the annual plan's progress."""
    org = get_org_for_user(request.user, code)
    year = _year(request)
    span = span_of(year, today())
    found = standings(Q(org__path__startswith=org.path), span)
    people = {
        pk: (name, member_code)
        for pk, name, member_code in Member.objects.filter(
            pk__in=[s.member_id for s in found]
        ).values_list("pk", "name", "code")
    }
    behind = sorted((s for s in found if s.behind > 0), key=lambda s: -s.behind)
    untrained = [s for s in found if s.short_of_training]
    plan = StudyPlan.objects.filter(kind=PlanKind.ORG, org=org, year=year).first()
    context = _base(
        request,
        org,
        "org",
        year=year,
        span=span,
        members=len(found),
        behind=[_person(s, people) for s in behind],
        untrained=[_person(s, people) for s in untrained],
        plan=plan,
        progress=plan_progress(plan) if plan else None,
        pending=StudyRecord.objects.filter(
            org__path__startswith=org.path, status=RecordStatus.PENDING
        ).select_related("member")[:100],
    )
    return render(request, "study/org.html", context)


def _person(standing: Any, people: dict[int, tuple[str, str]]) -> dict[str, Any]:
    name, code = people[standing.member_id]
    return {"s": standing, "name": name, "code": code}


# --- the subtree's compliance and its export ----------------------------------------------


def _summary_rows(request: HttpRequest, org: Org, year: int) -> tuple[list[dict], str]:
    rows = child_summary(org, span_of(year, today()))
    sort = request.GET.get("sort", "behind")
    sort = sort if sort in SORTS else "behind"
    return sorted(rows, key=SORTS[sort]), sort


@login_required
def compliance(request: HttpRequest, code: str) -> HttpResponse:
    """Children of the org × members behind on their hours, sortable (STUDY-01)."""
    org = get_org_for_user(request.user, code)
    year = _year(request)
    rows, sort = _summary_rows(request, org, year)
    context = _base(request, org, "compliance", year=year, rows=rows, sort=sort)
    return render(request, page_or_fragment(request, "study/compliance.html", "table"), context)


@login_required
def compliance_export(request: HttpRequest, code: str) -> FileResponse:
    org = get_org_for_user(request.user, code)
    year = _year(request)
    rows, _sort = _summary_rows(request, org, year)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    write_compliance(handle, org, year, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"学习达标情况-{org.code}-{year}.xlsx")


# --- a member's study page (STUDY-01) -----------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """学习教育 in the navigation: the study page of the user's topmost org."""
    from xianfeng.orgs.queries import scope_roots

    root = scope_roots(request.user).first()
    if root is None:
        return my_study(request)
    return redirect("study:org", root.code)


@login_required
def my_study(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404("您的账号没有关联党员信息")
    return redirect("study:member", member.code)


def _member_page(
    request: HttpRequest, member: Member, form: Any = None, status: int = 200
) -> HttpResponse:
    year = _year(request)
    span = span_of(year, today())
    standing = member_standing(member, span)
    rows = explained_rows(member, span, standing)
    own = getattr(request.user, "member_id", None) == member.pk
    can_edit = can_edit_org(request.user, member.org)
    context = {
        "member": member,
        "org": member.org,
        "year": year,
        "span": span,
        "standing": standing,
        "sources": [
            (SOURCE_LABELS[k], v, standing.counted.get(k)) for k, v in standing.by_source.items()
        ]
        if standing
        else [],
        "rows": rows,
        "counted_total": sum((r["counted"] for r in rows), Decimal("0")),
        "can_edit": can_edit,
        "can_record": can_edit or own,
        "form": form or RecordForm(org=member.org, own=own and not can_edit),
        "plan": StudyPlan.objects.filter(kind=PlanKind.PERSONAL, member=member, year=year).first(),
        "breadcrumb": _breadcrumb(request.user, member.org),
    }
    return render(request, "study/member.html", context, status=status)


@login_required
def member_study(request: HttpRequest, code: str) -> HttpResponse:
    """Hours against the year's requirement, what counted and what did not and why."""
    return _member_page(request, get_member_for_user(request.user, code))


@login_required
@require_POST
def record_add(request: HttpRequest, code: str) -> HttpResponse:
    """An officer records an online course or self-study; a member their own self-study."""
    member = get_member_for_user(request.user, code)
    own = getattr(request.user, "member_id", None) == member.pk
    if not (own or can_edit_org(request.user, member.org)):
        raise PermissionDenied("您对该组织只有查看权限")
    form = RecordForm(
        request.POST, org=member.org, own=own and not can_edit_org(request.user, member.org)
    )
    action = lambda data: domain.record_study(member=member, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _member_page(request, member, form, status=400)
    messages.success(request, "学习记录已登记")
    return redirect_after_post(request, reverse("study:member", args=[member.code]))


@login_required
@require_POST
def record_decide(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    _editable(request, record.org)
    form = DecideForm(request.POST)
    action = lambda data: domain.decide_self_study(record, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        messages.error(request, "；".join(str(e) for e in form.errors.values()) or "未能审核")
    else:
        messages.success(request, "已认定" if form.cleaned_data["approve"] else "已不予认定")
    return redirect_after_post(request, reverse("study:org", args=[record.org.code]))


# --- course catalogue (STUDY-02) ----------------------------------------------------------


@login_required
def courses(request: HttpRequest, code: str) -> HttpResponse:
    """The courses the org may use (its own and its ancestors') and those of its subtree,
    filtered by type, tag or name."""
    org = get_org_for_user(request.user, code)
    form = CourseFilterForm(request.GET)
    found = courses_for_org(org)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            found = found.filter(kind=data["kind"])
        if data["q"]:
            found = found.filter(title__contains=data["q"])
        if data["tag"]:
            found = [c for c in found if data["tag"] in (c.tags or [])]  # type: ignore[assignment]
    context = _base(request, org, "courses", form=form, courses=list(found[:300]))
    return render(request, page_or_fragment(request, "study/courses.html", "list"), context)


@login_required
def course_create(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable(request, get_org_for_user(request.user, code))
    form = CourseForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = lambda data: domain.create_course(org=org, by=request.user, **form.course_data())  # noqa: E731
        course = apply_form(form, action)
        if course is not None:
            messages.success(request, "课程已发布")
            return redirect_after_post(request, reverse("study:course_detail", args=[course.pk]))
    context = _base(request, org, "courses", form=form)
    return render(request, "study/course_form.html", context)


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_course_for_user(request.user, pk)
    context = {
        "course": course,
        "org": course.org,
        "can_edit": can_edit_org(request.user, course.org),
        "breadcrumb": _breadcrumb(request.user, course.org),
    }
    return render(request, "study/course_detail.html", context)


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_course_for_user(request.user, pk)
    _editable(request, course.org)
    form = CourseForm(
        request.POST or None, request.FILES or None, editing=True, initial=course_initial(course)
    )
    if request.method == "POST":
        action = lambda _data: domain.update_course(  # noqa: E731
            course,
            by=request.user,
            **{k: v for k, v in form.course_data().items() if k in form.changed_data},
        )
        if apply_form(form, action) is not None:
            messages.success(request, "已保存")
            return redirect_after_post(request, reverse("study:course_detail", args=[course.pk]))
        course.refresh_from_db()
    context = _base(request, course.org, "courses", form=form, course=course)
    return render(request, "study/course_form.html", context)


@login_required
def course_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The course's file from local storage: PDF, pictures and video shown (a video can be
    sought with HTTP Range), anything else downloaded under its original name."""
    course = get_course_for_user(request.user, pk)
    if not course.file:
        raise Http404("该课程没有文件")
    name = course.file_name or course.file.name.rsplit("/", 1)[-1]
    return file_response(request, course.file, filename=name)


# --- must-learn lists (STUDY-02) ----------------------------------------------------------


def _lists_for(org: Org, year: int) -> list[MustLearnList]:
    paths = [org.path[:n] for n in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    lists = MustLearnList.objects.filter(year=year).filter(
        Q(org__path__in=paths) | Q(org__path__startswith=org.path)
    )
    return list(lists.select_related("org").prefetch_related("items__course").order_by("org__path"))


def _completion(org: Org, must_learn: MustLearnList) -> dict[str, Any]:
    """Members of the org's subtree (current) who completed every course, per child org."""
    members = list(members_of(org).values_list("pk", "org__path"))
    done = must_learn_completion(must_learn, [pk for pk, _path in members])
    total = must_learn.items.count()
    children = list(Org.objects.get_children(org).exclude(kind="party_group").order_by("path"))
    rows: dict[int, dict[str, Any]] = {c.pk: {"org": c, "members": 0, "done": 0} for c in children}
    own: dict[str, Any] = {"org": org, "members": 0, "done": 0}
    for pk, path in members:
        child = next((c for c in children if path.startswith(c.path)), None)
        row = rows[child.pk] if child else own
        row["members"] += 1
        row["done"] += len(done.get(pk, ())) >= total
    listed = [own] if own["members"] else []
    for row in [own, *rows.values()]:
        row["missing"] = row["members"] - row["done"]
    return {
        "list": must_learn,
        "total": total,
        "members": len(members),
        "complete": sum(1 for pk, _p in members if len(done.get(pk, ())) >= total),
        "rows": listed + list(rows.values()),
    }


def _must_learn_page(
    request: HttpRequest, org: Org, form: Any = None, status: int = 200
) -> HttpResponse:
    year = _year(request)
    can_publish = can_edit_org(request.user, org) and org.kind not in MEMBER_KINDS
    context = _base(
        request,
        org,
        "must_learn",
        year=year,
        lists=[_completion(org, item) for item in _lists_for(org, year)],
        can_publish=can_publish,
        form=form or (MustLearnForm(org=org, initial={"year": year}) if can_publish else None),
    )
    return render(request, "study/must_learn.html", context, status=status)


@login_required
def must_learn(request: HttpRequest, code: str) -> HttpResponse:
    """The year's must-learn lists published above or in the subtree, with completion
    per member counted per child org; upper orgs publish here."""
    org = get_org_for_user(request.user, code)
    if request.method != "POST":
        return _must_learn_page(request, org)
    _editable(request, org)
    form = MustLearnForm(request.POST, org=org)
    action = lambda data: domain.publish_must_learn_list(org=org, by=request.user, **data)  # noqa: E731
    published = apply_form(form, action)
    if published is None:
        return _must_learn_page(request, org, form, status=400)
    messages.success(request, "必学清单已发布")
    url = reverse("study:must_learn", args=[org.code]) + f"?year={published.year}"
    return redirect_after_post(request, url)


# --- study plans (STUDY-03) ---------------------------------------------------------------


def _plan_context(request: HttpRequest, plan: StudyPlan | None, **forms: Any) -> dict[str, Any]:
    progress = plan_progress(plan) if plan else None
    quarters: dict[str, list[Any]] = {}
    months: dict[str, list[Any]] = {}
    for item in progress["items"] if progress else []:
        (quarters if item.is_quarterly else months).setdefault(item.period, []).append(item)
    return {
        "plan": plan,
        "progress": progress,
        "quarters": sorted(quarters.items()),
        "months": sorted(months.items()),
        "item_form": forms.get("item_form"),
        "done_form": PlanDoneForm(),
        **forms,
    }


@login_required
def org_plan(request: HttpRequest, code: str) -> HttpResponse:
    """The org's annual plan, quarterly arrangements, monthly tasks and plan vs. done."""
    org = get_org_for_user(request.user, code)
    year = _year(request)
    plan = StudyPlan.objects.filter(kind=PlanKind.ORG, org=org, year=year).first()
    return _plan_page(request, org, plan, year)


def _plan_page(
    request: HttpRequest,
    org: Org,
    plan: StudyPlan | None,
    year: int,
    member: Member | None = None,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    can_edit = can_edit_org(request.user, org)
    forms.setdefault("plan_form", PlanForm(initial={"year": year}) if can_edit else None)
    if plan is not None and can_edit:
        forms.setdefault("item_form", PlanItemForm(org=org))
    context = _base(
        request, org, "plan", year=year, member=member, **_plan_context(request, plan, **forms)
    )
    return render(request, "study/plan.html", context, status=status)


@login_required
@require_POST
def org_plan_create(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable(request, get_org_for_user(request.user, code))
    form = PlanForm(request.POST)
    action = lambda data: domain.create_study_plan(  # noqa: E731
        kind=PlanKind.ORG, org=org, by=request.user, **data
    )
    plan = apply_form(form, action)
    if plan is None:
        year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") else None
        return _plan_page(request, org, None, year or today().year, status=400, plan_form=form)
    messages.success(request, "学习计划已制定，请添加季度安排和月度任务")
    return redirect_after_post(request, _plan_url(plan))


def _plan_url(plan: StudyPlan) -> str:
    if plan.kind == PlanKind.PERSONAL and plan.member is not None:
        return reverse("study:personal_plan", args=[plan.member.code]) + f"?year={plan.year}"
    return reverse("study:org_plan", args=[plan.org.code]) + f"?year={plan.year}"


@login_required
def personal_plan(request: HttpRequest, code: str) -> HttpResponse:
    """A leading cadre's personal annual self-study plan with monthly arrangements."""
    member = get_member_for_user(request.user, code)
    year = _year(request)
    plan = StudyPlan.objects.filter(kind=PlanKind.PERSONAL, member=member, year=year).first()
    return _plan_page(request, member.org, plan, year, member=member)


@login_required
@require_POST
def personal_plan_create(request: HttpRequest, code: str) -> HttpResponse:
    member = get_member_for_user(request.user, code)
    _editable(request, member.org)
    form = PlanForm(request.POST)
    action = lambda data: domain.create_study_plan(  # noqa: E731
        kind=PlanKind.PERSONAL, member=member, by=request.user, **data
    )
    plan = apply_form(form, action)
    if plan is None:
        return _plan_page(
            request, member.org, None, today().year, member=member, status=400, plan_form=form
        )
    messages.success(request, "个人自学计划已制定，请按月作出安排")
    return redirect_after_post(request, _plan_url(plan))


@login_required
@require_POST
def plan_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    _editable(request, plan.org)
    form = PlanItemForm(request.POST, org=plan.org)
    action = lambda data: domain.add_plan_item(plan, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        return _plan_page(
            request, plan.org, plan, plan.year, member=plan.member, status=400, item_form=form
        )
    messages.success(request, "已添加")
    return redirect_after_post(request, _plan_url(plan))


@login_required
@require_POST
def plan_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item_for_user(request.user, pk)
    _editable(request, item.plan.org)
    form = PlanDoneForm(request.POST)
    action = lambda data: domain.mark_plan_item_done(item, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        messages.error(request, "；".join(str(e) for e in form.errors.values()) or "未能保存")
    else:
        messages.success(request, "已登记完成")
    return redirect_after_post(request, _plan_url(item.plan))


# --- training classes (STUDY-04) ----------------------------------------------------------


@login_required
def classes(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    year = _year(request)
    found = TrainingClass.objects.filter(
        org__path__startswith=org.path, starts_on__year=year
    ).select_related("org")
    context = _base(request, org, "classes", year=year, classes=list(found[:300]))
    return render(request, "study/classes.html", context)


@login_required
def class_create(request: HttpRequest, code: str) -> HttpResponse:
    org = _editable(request, get_org_for_user(request.user, code))
    form = TrainingClassForm(request.POST or None)
    if request.method == "POST":
        action = lambda data: domain.create_training_class(org=org, by=request.user, **data)  # noqa: E731
        created = apply_form(form, action)
        if created is not None:
            messages.success(request, "培训班已登记，请报名参训党员")
            return redirect_after_post(request, reverse("study:class_detail", args=[created.pk]))
    context = _base(request, org, "classes", form=form)
    return render(request, "study/class_form.html", context)


def _class_context(request: HttpRequest, training: TrainingClass, **forms: Any) -> dict:
    rows = list(
        training.enrollments.select_related("member", "member__org").order_by("member__name")
    )
    counts = {s: sum(1 for r in rows if r.status == s) for s in EnrollmentStatus.values}
    can_edit = can_edit_org(request.user, training.org)
    return _base(
        request,
        training.org,
        "classes",
        training=training,
        rows=rows,
        counts=counts,
        enroll_form=forms.get("enroll_form")
        or (EnrollForm(org=training.org, user=request.user) if can_edit else None),
        held=training.status == TrainingStatus.HELD,
    )


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_class_for_user(request.user, pk)
    return render(request, "study/class_detail.html", _class_context(request, training))


@login_required
@require_POST
def class_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_class_for_user(request.user, pk)
    _editable(request, training.org)
    form = EnrollForm(request.POST, org=training.org, user=request.user)
    action = lambda data: domain.enroll_members(training, by=request.user, **data)  # noqa: E731
    if apply_form(form, action) is None:
        context = _class_context(request, training, enroll_form=form)
        return render(request, "study/class_detail.html", context, status=400)
    messages.success(request, "已报名")
    return redirect_after_post(request, reverse("study:class_detail", args=[training.pk]))


def _attendance_context(training: TrainingClass) -> dict[str, Any]:
    rows = list(training.enrollments.select_related("member").order_by("member__name"))
    return {
        "training": training,
        "org": training.org,
        "rows": rows,
        "toggles": TOGGLES,
        "attended": sum(1 for r in rows if r.status == EnrollmentStatus.ATTENDED),
    }


@login_required
def class_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Big toggle buttons per enrolled member (phone-sized); each tap saves one row
    through the domain, which credits the class's hours (htmx: the sheet comes back)."""
    training = get_class_for_user(request.user, pk)
    _editable(request, training.org)
    if request.method != "POST":
        return render(request, "study/class_attendance.html", _attendance_context(training))
    form = TrainingAttendanceForm(request.POST)
    error = ""
    row = None
    if form.is_valid():
        row = (
            Enrollment.objects.filter(
                training_class=training, member_id=form.cleaned_data["member"]
            )
            .select_related("member")
            .first()
        )
    if row is None:
        error = "请选择已报名的党员和参训情况"
    else:
        chosen = form.cleaned_data["status"]
        came, missed = (
            ([row.member], []) if chosen == EnrollmentStatus.ATTENDED else ([], [row.member])
        )
        try:
            domain.record_training_attendance(
                training, attended=came, absent=missed, by=request.user
            )
        except ValidationError as refused:
            error = "；".join(refused.messages)
    context = {**_attendance_context(training), "error": error}
    status = 400 if error else 200
    if getattr(request, "htmx", False):
        return render(request, "study/class_attendance.html#sheet", context, status=status)
    return render(request, "study/class_attendance.html", context, status=status)
