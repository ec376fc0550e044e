"""Compliance pages (PLAT-04): an org's findings, the subtree table, rule pages, the
findings export, what-if with changed parameters, and a jurisdiction's policy."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import can_edit_org, is_org_in_scope
from xianfeng.lib.dates import Period, parse_period, today
from xianfeng.members.models import Member
from xianfeng.members.queries import members_for_user
from xianfeng.orgs.forms import apply_form
from xianfeng.orgs.models import Org
from xianfeng.orgs.preferences import (
    can_set_preferences,
    clear_preference,
    preferences_of,
    set_preference,
)
from xianfeng.orgs.queries import ancestors, get_org_for_user, scope_roots

from .domain import (
    adopt_policy,
    can_change_policy,
    detach_policy,
    local_copy_text,
    save_policy,
)
from .engine import CALENDAR_RULE, run_check
from .evidence import evidence_sentence, names_for, render_evidence
from .exports import export_findings
from .forms import (
    AdoptForm,
    CheckForm,
    PolicyForm,
    PreferenceForm,
    WhatIfForm,
    default_period,
    new_policy_text,
    policy_code,
)
from .models import Finding, Policy, Severity
from .queries import (
    counts_by_child,
    effective_parameters,
    findings_for,
    latest_run_for,
    rule_counts,
    rules_by_id,
    scope_findings,
    severity_counts,
    what_if,
)
from .registry import Found, Rule

PER_PAGE = 50
HISTORY_LIMIT = 30


def _breadcrumb(user: Any, org: Org) -> list[tuple[Org, bool]]:
    return [(above, is_org_in_scope(user, above)) for above in ancestors(org)]


def _org_context(request: HttpRequest, org: Org) -> dict[str, Any]:
    return {"org": org, "breadcrumb": _breadcrumb(request.user, org)}


def _rule_or_404(rule_id: str) -> Rule:
    rule = rules_by_id().get(rule_id)
    if rule is None:
        raise Http404("没有这条规则")
    return rule


# --- evidence ----------------------------------------------------------------------------


def _member_links(user: Any, findings: list[Finding]) -> dict[str, str]:
    """Links to the members named by the findings that the user may open."""
    codes = {f.member.code for f in findings if f.member}
    if not codes:
        return {}
    members = members_for_user(user).filter(code__in=codes).values_list("code", flat=True)
    return {code: reverse("members:detail", args=[code]) for code in members}


def _with_evidence(user: Any, findings: list[Finding]) -> list[Finding]:
    """Each finding with its evidence in Chinese (rows read once for the whole list)."""
    links = _member_links(user, findings)
    names = names_for(f.evidence for f in findings)
    for finding in findings:
        finding.evidence_rows = render_evidence(finding.evidence, names)  # type: ignore[attr-defined]
        finding.member_url = links.get(finding.member.code) if finding.member else None  # type: ignore[attr-defined]
    return findings


def _grouped(findings: list[Finding]) -> list[dict[str, Any]]:
    rules = rules_by_id()
    return [
        {"rule_id": rule_id, "rule": rules.get(rule_id), "findings": list(rows)}
        for rule_id, rows in groupby(findings, key=lambda f: f.rule)
    ]


# --- an org's findings -------------------------------------------------------------------


@login_required
def org_findings(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    run = latest_run_for(org)
    subtree_findings = findings_for(request.user, org, run)
    own = subtree_findings.filter(org=org).select_related("member").order_by("rule", "period", "pk")
    context = {
        **_org_context(request, org),
        "run": run,
        "groups": _grouped(_with_evidence(request.user, list(own))),
        "subtree_counts": severity_counts(subtree_findings),
        "can_check": can_edit_org(request.user, org),
        "check_form": CheckForm(initial={"period": run.period if run else default_period()}),
    }
    return render(request, "compliance/org_findings.html", context)


@login_required
@require_POST
def check(request: HttpRequest, code: str) -> HttpResponse:
    """Re-evaluate the org's subtree now and store the run (officers and admins)."""
    org = get_org_for_user(request.user, code)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限，不能重新检查")
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form["period"].errors))
        return redirect("compliance:org_findings", code=org.code)
    period = form.cleaned_data["period"] or parse_period(default_period())
    result = run_check(roots=[org], period=period, as_of=today(), by=request.user)
    messages.success(
        request,
        gettext("已重新检查“%(org)s”（%(period)s），共 %(count)d 条发现")
        % {"org": org.name, "period": period.label, "count": len(result.findings)},
    )
    return redirect("compliance:org_findings", code=org.code)


# --- the subtree table -------------------------------------------------------------------


def _subtree_rows(org: Org, counts: dict[str, Counter[str]]) -> list[dict[str, Any]]:
    rows = []
    for child in Org.objects.get_children(org).order_by("path"):
        found = counts.get(child.path, Counter())
        if child.dissolved_on is None or found:
            rows.append({"org": child, "counts": found, "total": sum(found.values())})
    return rows


def _sorted(rows: list[dict[str, Any]], sort: str, rule_ids: list[str]) -> list[dict[str, Any]]:
    if sort == "total":
        return sorted(rows, key=lambda row: -row["total"])
    if sort in rule_ids:
        return sorted(rows, key=lambda row: -row["counts"][sort])
    return rows


@login_required
def subtree(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    run = latest_run_for(org)
    counts = counts_by_child(findings_for(request.user, org, run), org)
    found_rules = {rule_id for by_rule in counts.values() for rule_id in by_rule}
    rules = rules_by_id()
    rule_ids = sorted((set(rules) - {CALENDAR_RULE}) | found_rules)
    sort = request.GET.get("sort", "")
    rows = _sorted(_subtree_rows(org, counts), sort, rule_ids)
    for row in rows:
        row["cells"] = [(rule_id, row["counts"][rule_id]) for rule_id in rule_ids]
    own = counts.get(org.path, Counter())
    totals: Counter[str] = sum(counts.values(), Counter())
    context = {
        **_org_context(request, org),
        "run": run,
        "columns": [(rule_id, getattr(rules.get(rule_id), "title", "")) for rule_id in rule_ids],
        "rows": rows,
        "sort": sort,
        "own": [own[rule_id] for rule_id in rule_ids],
        "own_total": sum(own.values()),
        "totals": [totals[rule_id] for rule_id in rule_ids],
        "total": sum(totals.values()),
    }
    return render(request, "compliance/subtree.html", context)


# --- rules -------------------------------------------------------------------------------


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    counts = rule_counts(scope_findings(request.user))
    rows: list[dict[str, Any]] = [
        {"rule": rule, "counts": counts.get(rule.id, Counter())} for rule in rules_by_id().values()
    ]
    for row in rows:
        row["total"] = sum(row["counts"].values())
    context = {"rows": rows, "roots": scope_roots(request.user)}
    return render(request, "compliance/rules.html", context)


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def rule_detail(request: HttpRequest, rule_id: str) -> HttpResponse:
    rule = _rule_or_404(rule_id)
    code = request.GET.get("org", "").strip()
    org = get_org_for_user(request.user, code) if code else None
    findings = scope_findings(request.user, org).filter(rule=rule.id)
    findings = findings.select_related("org", "member", "run").order_by("org__path", "period", "pk")
    page = Paginator(findings, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _with_evidence(request.user, list(page.object_list))
    context = {
        "rule": rule,
        "org": org,
        "run": latest_run_for(org) if org else None,
        "breadcrumb": _breadcrumb(request.user, org) if org else [],
        "page_obj": page,
        "querystring": _querystring(request),
    }
    return render(request, "compliance/rule.html", context)


# --- export ------------------------------------------------------------------------------


@login_required
@require_POST
def export(request: HttpRequest, code: str) -> FileResponse:
    """The latest findings of the org's subtree as .xlsx (recorded as an export)."""
    org = get_org_for_user(request.user, code)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    export_findings(target=handle, user=request.user, org=org, run=latest_run_for(org))
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"合规检查-{org.code}.xlsx")


# --- what-if -----------------------------------------------------------------------------


def _day(period: Period) -> dt.date:
    """The date the engine reads the policy on (see engine.evaluate)."""
    return min(today(), period.end - dt.timedelta(days=1))


def _found_rows(pairs: list[tuple[Rule | None, Found]]) -> list[dict[str, Any]]:
    orgs = Org.objects.in_bulk({found.org_id for _rule, found in pairs})
    member_ids = {found.member_id for _rule, found in pairs if found.member_id}
    members = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "code"))
    names = names_for(found.evidence for _rule, found in pairs)
    rows = [
        {
            "rule_id": rule.id if rule else CALENDAR_RULE,
            "org": orgs[found.org_id],
            "member": members.get(found.member_id) if found.member_id else "",
            "period": found.period,
            "severity": found.severity,
            "severity_label": Severity(found.severity).label,
            "message": found.message,
            "evidence": evidence_sentence(found.evidence, names),
        }
        for rule, found in pairs
    ]
    return sorted(rows, key=lambda row: (row["org"].path, row["rule_id"]))


@login_required
def whatif(request: HttpRequest, code: str) -> HttpResponse:
    """Evaluate the subtree with changed parameters, saving nothing (viewers too)."""
    org = get_org_for_user(request.user, code)
    form = WhatIfForm(request.POST or None, initial={"period": default_period()})
    period = parse_period(default_period())
    result, appear, disappear = None, [], []
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        result = what_if(
            org=org, period=period, as_of=today(), overrides=form.cleaned_data["overrides"]
        )
        appear, disappear = _found_rows(result.appear), _found_rows(result.disappear)
    context = {
        **_org_context(request, org),
        "form": form,
        "result": result,
        "appear": appear,
        "disappear": disappear,
        "period": period,
        "parameters": effective_parameters(org, _day(period)),
    }
    return render(request, "compliance/whatif.html", context)


# --- policy ------------------------------------------------------------------------------


def _policy_form(request: HttpRequest, org: Org, own: Policy | None) -> PolicyForm:
    code = own.code if own else policy_code(org)
    if own is None:
        text = new_policy_text(org)
    elif own.follows is not None:  # editing a reference makes a local copy
        text = local_copy_text(own.follows, own.code)
    else:
        text = own.text
    data = request.POST if request.method == "POST" else None
    return PolicyForm(data, initial={"text": text}, org=org, code=code)


def _refuse_policy_change(request: HttpRequest, org: Org) -> None:
    if not can_change_policy(request.user, org):
        raise PermissionDenied("政策参数只能由上级党组织的管理员挂接、修改或解除")


@login_required
def policy(request: HttpRequest, code: str) -> HttpResponse:
    """The parameters in effect for an org; its own policy file, attached, edited and
    detached by admins of the orgs above it (the root's from the command line only);
    the org's own decisions (preferences), set by its own admins."""
    org = get_org_for_user(request.user, code)
    own = Policy.objects.filter(org=org).select_related("follows").first()
    may_edit = can_change_policy(request.user, org)
    if request.method == "POST":
        _refuse_policy_change(request, org)
    form = _policy_form(request, org, own) if may_edit else None
    if form is not None and request.method == "POST":
        saved = apply_form(
            form, lambda data: save_policy(text=data["text"], org=org, by=request.user)
        )
        if saved is not None:
            messages.success(request, gettext("已保存政策“%(title)s”") % {"title": saved.title})
            return redirect("compliance:policy", code=org.code)
    return render(request, "compliance/policy.html", _policy_context(request, org, own, form))


def _policy_context(
    request: HttpRequest, org: Org, own: Policy | None, form: PolicyForm | None
) -> dict[str, Any]:
    may_edit = form is not None
    history = own.history.select_related("history_user")[:HISTORY_LIMIT] if own else []  # type: ignore[attr-defined]
    return {
        **_org_context(request, org),
        "own": own,
        "form": form,
        "adopt_form": AdoptForm() if may_edit and own is None else None,
        "may_detach": may_edit and own is not None,
        "is_root": org.is_root(),
        "parameters": effective_parameters(org, today()),
        "history": history,
        "preferences": preferences_of(org),
        "may_set_preferences": can_set_preferences(request.user, org),
    }


@login_required
@require_POST
def policy_adopt(request: HttpRequest, code: str) -> HttpResponse:
    """Adopt a shipped policy for the org, by reference or as a local copy."""
    org = get_org_for_user(request.user, code)
    _refuse_policy_change(request, org)
    form = AdoptForm(request.POST)

    def adopt(data: dict[str, Any]) -> Policy:
        copy = data["mode"] == "copy"
        return adopt_policy(org=org, code=data["code"], copy=copy, by=request.user)

    adopted = apply_form(form, adopt)
    if adopted is None:
        messages.error(request, _form_errors(form))
    else:
        messages.success(request, gettext("已挂接政策“%(title)s”") % {"title": adopted.title})
    return redirect("compliance:policy", code=org.code)


@login_required
@require_POST
def policy_detach(request: HttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    _refuse_policy_change(request, org)
    try:
        detached = detach_policy(org=org, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("已解除政策“%(title)s”") % {"title": detached.title})
    return redirect("compliance:policy", code=org.code)


@login_required
@require_POST
def preference(request: HttpRequest, code: str) -> HttpResponse:
    """Set or clear one of the org's own decisions (its own admins and admins above)."""
    org = get_org_for_user(request.user, code)
    if not can_set_preferences(request.user, org):
        raise PermissionDenied("只有本组织（或上级组织）的管理员可以修改本组织设置")
    form = PreferenceForm(request.POST)

    def apply(data: dict[str, Any]) -> Any:
        if data["clear"]:
            clear_preference(org=org, key=data["key"], by=request.user)
            return True
        return set_preference(
            org=org, key=data["key"], value=form.chosen(), note=data["note"], by=request.user
        )

    if apply_form(form, apply) is None:
        messages.error(request, _form_errors(form))
    else:
        messages.success(request, gettext("已保存本组织设置"))
    return redirect("compliance:policy", code=org.code)


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
