"""Pages of dual-lead members (MEM-03), skills and talent tags (MEM-04), discipline and
political birthdays (MEM-06).

An org's pages are open to everyone whose scope holds the org; a member's talents page to
everyone who may see the member; the discipline page to the admins and officers over the
member only. Writes need an admin or officer of the member's org (or above).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org
from xianfeng.core.history import current_via
from xianfeng.core.models import ExportRecord
from xianfeng.core.workbooks import write_rows
from xianfeng.lib.dates import Period, today
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import get_org_for_user
from xianfeng.orgs.views import breadcrumb

from . import discipline as penalties
from . import talents
from .birthdays import HEADERS, birthday_rows, parse_month, political_birthdays
from .forms_talents import DisciplineForm, DualLeadForm, EndTagForm, TagForm
from .models import Discipline, DisciplineKind, DualLead, Member, MemberTag
from .queries import get_member_for_user

# --- helpers -------------------------------------------------------------------------------


def _editable(request: HttpRequest, code: str) -> Member:
    member = get_member_for_user(request.user, code)
    if not can_edit_org(request.user, member.org):
        raise PermissionDenied(_("您对该党员只有查看权限"))
    return member


def _talents_url(member: Member) -> str:
    return reverse("members:talents", args=[member.code])


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return (
        int(text)
        if text.isascii()
        and text.isdigit()
        and len(text) == 4
        and 1921 <= int(text) <= today().year
        else today().year
    )


def _month(request: HttpRequest) -> Period:
    try:
        return parse_month(request.GET.get("month", ""))
    except ValueError:
        return parse_month(f"{today():%Y-%m}")


def _own(queryset: Any, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有找到该记录"))
    return found


# --- an org's dual-lead members (MEM-03) ---------------------------------------------------


@login_required
def dual_lead(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    year = _year(request)
    context = {
        "org": org,
        "year": year,
        "years": list(range(today().year, today().year - 6, -1)),
        "records": talents.dual_leads_in(org, year),
        "shares": talents.dual_lead_shares(org, year),
        "breadcrumb": breadcrumb(request.user, org),
    }
    return render(request, "members/talents_dual_lead.html", context)


# --- a member's tags and dual-lead years (MEM-03, MEM-04) ----------------------------------


def _talents_page(request: HttpRequest, member: Member, **forms: Any) -> HttpResponse:
    editable = can_edit_org(request.user, member.org) and not member.has_left
    day = today()
    context: dict[str, Any] = {
        "member": member,
        "tags": talents.tags_of(member),
        "dual_leads": talents.dual_leads_of(member),
        "can_edit": editable,
        "today": day,
        "current": _("技能和“双带”"),
    }
    if editable:
        context["dual_lead_form"] = forms.get("dual_lead_form") or DualLeadForm(
            initial={"year": day.year, "recognized_on": day}
        )
        context["tag_form"] = forms.get("tag_form") or TagForm(
            member=member, initial={"since": day}
        )
        context["end_form"] = EndTagForm(initial={"until": day})
    return render(request, "members/talents_member.html", context)


@login_required
def member_talents(request: HttpRequest, code: str) -> HttpResponse:
    return _talents_page(request, get_member_for_user(request.user, code))


@login_required
@require_POST
def dual_lead_add(request: HttpRequest, code: str) -> HttpResponse:
    member = _editable(request, code)
    form = DualLeadForm(request.POST)
    saved = apply_form(
        form, lambda data: talents.record_dual_lead(member=member, by=request.user, **data)
    )
    if saved is None:
        return _talents_page(request, member, dual_lead_form=form)
    messages.success(request, _("已认定为%(year)s年度“双带”型党员") % {"year": saved.year})
    return redirect(_talents_url(member))


@login_required
@require_POST
def dual_lead_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    member = _editable(request, code)
    record: DualLead = _own(member.dual_leads, pk)
    talents.withdraw_dual_lead(dual_lead=record, by=request.user)
    messages.success(request, _("已撤销%(year)s年度的认定") % {"year": record.year})
    return redirect(_talents_url(member))


@login_required
@require_POST
def tag_add(request: HttpRequest, code: str) -> HttpResponse:
    member = _editable(request, code)
    form = TagForm(request.POST, member=member)
    saved = apply_form(
        form, lambda data: talents.add_member_tag(member=member, by=request.user, **data)
    )
    if saved is None:
        return _talents_page(request, member, tag_form=form)
    messages.success(request, _("已添加“%(tag)s”") % {"tag": saved.tag})
    return redirect(_talents_url(member))


@login_required
@require_POST
def tag_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    member = _editable(request, code)
    record: MemberTag = _own(member.tags, pk)
    form = EndTagForm(request.POST)
    done = apply_form(
        form, lambda data: talents.end_member_tag(member_tag=record, by=request.user, **data)
    )
    if done is None:
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors or _("请填写失效日期"))
    else:
        messages.success(request, _("“%(tag)s”已失效") % {"tag": record.tag})
    return redirect(_talents_url(member))


# --- a member's discipline (officers only) -------------------------------------------------


def _discipline_page(
    request: HttpRequest, member: Member, form: DisciplineForm, editing: Discipline | None = None
) -> HttpResponse:
    day = today()
    rows = [(d, penalties.is_in_effect(d, day)) for d in penalties.disciplines_of(member)]
    context = {
        "member": member,
        "rows": rows,
        "form": form,
        "editing": editing,
        "expulsion": DisciplineKind.EXPULSION,
        "current": _("党纪处分"),
    }
    return render(request, "members/discipline_member.html", context)


@login_required
def member_discipline(request: HttpRequest, code: str) -> HttpResponse:
    """The member's penalties; POST records one."""
    member = _editable(request, code)
    form = DisciplineForm(request.POST or None)
    if request.method == "POST":
        saved = apply_form(
            form, lambda data: penalties.record_discipline(member=member, by=request.user, **data)
        )
        if saved is not None:
            messages.success(request, _("已记录%(kind)s") % {"kind": saved.get_kind_display()})
            return redirect(reverse("members:discipline", args=[member.code]))
    return _discipline_page(request, member, form)


def _discipline_initial(record: Discipline) -> dict[str, Any]:
    return {field: getattr(record, field) for field in penalties.FIELDS}


@login_required
def discipline_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Correct a recorded penalty."""
    member = _editable(request, code)
    record: Discipline = _own(member.disciplines, pk)
    form = DisciplineForm(request.POST or None, initial=_discipline_initial(record))
    if request.method == "POST":
        changed = lambda data: {f: data[f] for f in form.changed_data}  # noqa: E731
        saved = apply_form(
            form,
            lambda data: penalties.correct_discipline(
                discipline=record, by=request.user, **changed(data)
            ),
        )
        if saved is not None:
            messages.success(request, _("已更正"))
            return redirect(reverse("members:discipline", args=[member.code]))
        record.refresh_from_db()
    return _discipline_page(request, member, form, editing=record)


# --- political birthdays (MEM-06) ----------------------------------------------------------


@login_required
def birthdays(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    month = _month(request)
    context = {
        "org": org,
        "month": month,
        "rows": political_birthdays(org, month),
        "breadcrumb": breadcrumb(request.user, org),
    }
    return render(request, "members/birthdays.html", context)


@login_required
def birthdays_export(request: HttpRequest, code: str) -> FileResponse:
    """The month's list as .xlsx (recorded as an export)."""
    org: Org = get_org_for_user(request.user, code)
    month = _month(request)
    rows = birthday_rows(political_birthdays(org, month))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    count = write_rows(handle, f"政治生日{month.label}", HEADERS, rows, [0])
    user: Any = request.user
    ExportRecord.objects.create(
        kind="political_birthdays", org=org, user=user, via=current_via(), rows=count
    )
    handle.seek(0)
    name = f"政治生日-{org.code}-{month.label}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
