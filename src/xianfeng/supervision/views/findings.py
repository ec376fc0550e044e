"""Pages: an org's current findings turned into problem items (从检查发现生成问题清单), and
its re-inspections (回头看)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xianfeng.accounts.permissions import is_org_in_scope
from xianfeng.compliance.evidence import evidence_sentence, names_for
from xianfeng.compliance.models import Finding
from xianfeng.compliance.queries import (
    finding_key,
    latest_run_for,
    rule_counts,
    rules_by_id,
    scope_findings,
)
from xianfeng.orgs.forms import add_domain_errors
from xianfeng.orgs.models import Org
from xianfeng.orgs.queries import ancestors, get_org_for_user

from .. import permissions
from ..domain.findings import FromFindings, items_from_findings
from ..domain.reinspection import reinspect
from ..forms.findings import FindingFilterForm, FindingsToItemsForm, ReinspectionForm
from ..models import Item, ItemStatus, Reinspection
from ..queries.findings import (
    current_findings,
    items_by_key,
    reinspection_items,
)

PER_PAGE = 50
REINSPECTIONS_PER_PAGE = 20


def _org_context(request: HttpRequest, org: Org) -> dict[str, Any]:
    crumbs = [(above, is_org_in_scope(request.user, above)) for above in ancestors(org)]
    return {"org": org, "breadcrumb": crumbs}


def _filters(data: Any) -> tuple[str, str]:
    """The rule and severity a request filters by (anything unknown filters nothing)."""
    form = FindingFilterForm(data)
    if not form.is_valid():
        return "", ""
    return form.cleaned_data["rule"].strip(), form.cleaned_data["severity"]


def _filtered(user: Any, org: Org, rule: str, severity: str) -> QuerySet[Finding]:
    return current_findings(user, org, rule=rule, severity=severity)


def _rule_choices(user: Any, org: Org) -> list[tuple[str, str]]:
    rules = rules_by_id()
    counts = rule_counts(scope_findings(user, org))
    return [
        (rule_id, f"{rule_id} {getattr(rules.get(rule_id), 'title', '')}（{sum(c.values())}）")
        for rule_id, c in sorted(counts.items())
    ]


def _rows(findings: list[Finding], items: dict[str, Item]) -> list[dict[str, Any]]:
    """Each finding of a page with its evidence in Chinese and its item, if any."""
    names = names_for(f.evidence for f in findings)
    rows = []
    for finding in findings:
        item = items.get(
            finding_key(finding.rule, finding.org.code, finding.member_id, finding.period)
        )
        rows.append(
            {
                "finding": finding,
                "evidence": evidence_sentence(finding.evidence, names) if finding.evidence else "",
                "item": item,
                "item_url": reverse("supervision:item", args=[item.pk]) if item else "",
                "item_open": item is not None and item.status != ItemStatus.ACCEPTED,
            }
        )
    return rows


def _from_findings_page(
    request: HttpRequest, org: Org, form: FindingsToItemsForm | None = None, status: int = 200
) -> HttpResponse:
    source = request.GET if request.method == "GET" else request.POST
    rule, severity = _filters(source)
    findings = _filtered(request.user, org, rule, severity).select_related("org", "member")
    page = Paginator(findings.order_by("org__path", "rule", "period", "pk"), PER_PAGE)
    page_obj = page.get_page(request.GET.get("page"))
    listed = list(page_obj.object_list)
    items = items_by_key(finding_key(f.rule, f.org.code, f.member_id, f.period) for f in listed)
    querystring = urlencode({k: v for k, v in (("rule", rule), ("severity", severity)) if v})
    context = {
        **_org_context(request, org),
        "run": latest_run_for(org),
        "filter_form": FindingFilterForm(
            {"rule": rule, "severity": severity}, rules=_rule_choices(request.user, org)
        ),
        "form": form,
        "rule": rule,
        "severity": severity,
        "page_obj": page_obj,
        "rows": _rows(listed, items),
        "querystring": querystring,
        "may_manage": permissions.may_manage(request.user, org),
    }
    return render(request, "supervision/findings_to_items.html", context, status=status)


@login_required
def from_findings(request: HttpRequest, code: str) -> HttpResponse:
    """The subtree's current findings, each with its item or a button to make one."""
    org = get_org_for_user(request.user, code)
    return _from_findings_page(request, org)


def _result_message(result: FromFindings) -> str:
    text = gettext("已生成问题清单事项 %(created)d 条") % {"created": len(result.created)}
    if result.skipped:
        text += gettext("；%(skipped)d 条检查发现已有未销号的事项，未重复生成") % {
            "skipped": len(result.skipped)
        }
    return text


@login_required
@require_POST
def findings_to_items(request: HttpRequest, code: str) -> HttpResponse:
    """Make items of the ticked findings, of every finding the filters keep, or of one."""
    org = get_org_for_user(request.user, code)
    if not permissions.may_manage(request.user, org):
        raise PermissionDenied("您对该组织只有查看权限，不能生成问题清单")
    form = FindingsToItemsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        chosen: Any = form.chosen_ids()
        if data["mode"] == "all":
            chosen = _filtered(request.user, org, data["rule"].strip(), data["severity"])
        try:
            result = items_from_findings(chosen, by=request.user, kind=data["kind"])
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _result_message(result))
            target = reverse("supervision:from_findings", args=[org.code])
            query = urlencode({k: data[k] for k in ("rule", "severity") if data.get(k)})
            return redirect(f"{target}?{query}" if query else target)
    return _from_findings_page(request, org, form, status=400)


# --- re-inspection (回头看) ---------------------------------------------------------------


@login_required
def reinspections(request: HttpRequest, code: str) -> HttpResponse:
    """An org's re-inspections (and its subtree's), and a button to start one."""
    org = get_org_for_user(request.user, code)
    may_manage = permissions.may_manage(request.user, org)
    form = ReinspectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("您对该组织只有查看权限，不能开展回头看")
        if form.is_valid():
            try:
                done = reinspect(org, by=request.user, seed=form.cleaned_data["seed"])
            except ValidationError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _reinspection_message(done))
                return redirect("supervision:reinspections", code=org.code)
    records = Reinspection.objects.filter(org__path__startswith=org.path).select_related(
        "org", "by"
    )
    page_obj = Paginator(records, REINSPECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page_obj.object_list)
    context = {
        **_org_context(request, org),
        "form": form,
        "may_manage": may_manage,
        "page_obj": page_obj,
        "records": _with_items(listed),
        "querystring": "",
    }
    return render(
        request,
        "supervision/reinspection_list.html",
        context,
        status=400 if form.errors else 200,
    )


def _reinspection_message(done: Reinspection) -> str:
    return gettext(
        "回头看已完成：抽取 %(sample)d 项，其中 %(reopened)d 项问题复现，已重新打开（抽样种子 %(seed)d）"
    ) % {"sample": len(done.sample), "reopened": len(done.reopened), "seed": done.seed}


def _with_items(records: list[Reinspection]) -> list[dict[str, Any]]:
    items = reinspection_items(records)
    rows = []
    for record in records:
        reopened = set(record.reopened)
        sample = [
            {
                "item": items[pk],
                "url": reverse("supervision:item", args=[pk]),
                "reopened": pk in reopened,
            }
            for pk in record.sample
            if pk in items
        ]
        rows.append({"record": record, "sample": sample, "share_percent": record.share * 100})
    return rows
