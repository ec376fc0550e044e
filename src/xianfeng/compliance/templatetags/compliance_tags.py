"""Compliance pieces shown on other apps' pages (PLAT-04).

{% load compliance_tags %}{% org_findings_card org %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from .. import evidence
from ..models import Severity
from ..queries import findings_for, latest_run_for, severity_counts

register = template.Library()

PERIOD_KINDS = {
    "state": _("按检查日的状态"),
    "year": _("每年"),
    "half": _("每半年"),
    "quarter": _("每季度"),
    "month": _("每月"),
}


@register.filter
def period_kind(rule: Any) -> str:
    """How often a rule is checked, in words."""
    return str(PERIOD_KINDS.get(getattr(rule, "period", ""), ""))


@register.filter
def param_value(value: Any) -> str:
    """A parameter's value as written in a policy file, lists joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(str(item) for item in value) or "[]"
    return str(value)


@register.inclusion_tag("compliance/_org_card.html", takes_context=True)
def org_findings_card(context: template.Context, org: Any) -> dict[str, Any]:
    """Findings of the org's subtree in the latest run, counted by severity."""
    user = context["request"].user
    run = latest_run_for(org)
    counts = severity_counts(findings_for(user, org, run))
    return {
        "org": org,
        "run": run,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Severity.choices],
        "total": sum(counts.values()),
    }


@register.filter
def weekday_names(value: Any) -> str:
    """Weekday keys of a policy or preference (`["monday", "saturday"]`) in Chinese."""
    from xianfeng.orgs.preferences import WEEKDAY_LABELS

    items = value if isinstance(value, list) else [value]
    return "、".join(WEEKDAY_LABELS.get(str(item), str(item)) for item in items)


@register.inclusion_tag("compliance/_evidence.html")
def evidence_table(finding: Any) -> dict[str, Any]:
    """A finding's evidence as a Chinese label/value table (the rows the view rendered
    for the whole page, else rendered here)."""
    rows = getattr(finding, "evidence_rows", None)
    return {"rows": rows if rows is not None else evidence.render_evidence(finding.evidence)}


@register.filter
def evidence_sentence(value: Any) -> str:
    """A finding's (or an evidence dict's) evidence on one line, in Chinese."""
    found = getattr(value, "evidence", value)
    return evidence.evidence_sentence(found) if isinstance(found, dict) else ""


@register.filter
def period_name(value: Any) -> str:
    """A period label in Chinese: 2025-H1 → 2025年上半年."""
    return evidence.period(value)
