"""Findings endpoints (PLAT-04), read-only and scoped like the pages (PLAT-01): other
systems and the supervision items refer to a finding by its key.

The key is a finding's identity across runs — rule, org code, member id (`-` for none),
period — written `LIFE-04|CA-T1-B1|-|2025` (`queries.finding_key`); in a URL the `|` is
sent as `%7C`. Findings are the current ones as the pages read them: each from the latest
run covering it (`queries.scope_findings`).
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from xianfeng.lib.api import Code, Pagination, responses
from xianfeng.orgs.queries import get_org_for_user

from .models import Finding, Severity
from .queries import (
    filter_findings,
    finding_by_key,
    findings_period,
    key_of,
    parse_finding_key,
    rule_by_id,
    scope_findings,
)

router = Router(tags=["合规检查"])

NOT_FOUND = "没有找到该问题，或不在您的管辖范围内"


class FindingOut(Schema):
    key: str = Field(description="问题标识：规则|组织编码|党员ID（无则为 -）|期间")
    rule: str
    rule_title: str
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    member_id: int | None = None
    member_code: str | None = None
    member_name: str | None = None
    period: str
    severity: str
    severity_label: str = Field(alias="get_severity_display")
    message: str
    evidence: dict[str, Any] = Field(
        description="依据数据（原始键，与 xianfeng check --format json 相同）"
    )
    first_seen: dt.date
    run_id: int
    run_as_of: dt.date = Field(alias="run.as_of")

    @staticmethod
    def resolve_key(finding: Finding) -> str:
        return str(key_of(finding))

    @staticmethod
    def resolve_rule_title(finding: Finding) -> str:
        rule = rule_by_id(finding.rule)
        return rule.title if rule is not None else ""

    @staticmethod
    def resolve_member_code(finding: Finding) -> str | None:
        return finding.member.code if finding.member is not None else None

    @staticmethod
    def resolve_member_name(finding: Finding) -> str | None:
        return finding.member.name if finding.member is not None else None


def _checked(field: str, parse: Any, text: str) -> Any:
    """`parse(text)`, its ValueError as the field's Chinese error (422)."""
    try:
        return parse(text)
    except ValueError as error:
        raise ValidationError({field: str(error)}) from None


@router.get("", response=responses({200: list[FindingOut]}))
@paginate(Pagination)
def list_findings(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    org: str = "",
    rule: str = "",
    period: str = "",
    severity: Severity | Literal[""] = "",
):
    """Current findings of `org`'s subtree (default: every root of the caller's scope),
    each from the latest run covering it, in tree order, then by rule and period.

    `rule`: one rule (`LIFE-04`) or a rule group (`LIFE`); `period`: 2025, 2025-H1,
    2025-Q3 or 2025-06, with the periods within it (2025 also gives 2025-H1, 2025-Q3,
    2025-06 …); `severity`: error, warning or info.
    """
    base = get_org_for_user(request.user, org) if org else None
    wanted = _checked("period", findings_period, period) if period else None
    try:
        findings = filter_findings(
            scope_findings(request.user, base), rule=rule, period=wanted, severity=severity
        )
    except ValueError as error:  # the one filter read as text here: the rule
        raise ValidationError({"rule": str(error)}) from None
    return findings.select_related("org", "member", "run").order_by(
        "org__path", "rule", "period", "pk"
    )


@router.get("/{key}", response=responses({200: FindingOut}))
def get_finding(request: HttpRequest, key: Code):  # type: ignore[no-untyped-def]
    """One current finding by its key (`LIFE-04|CA-T1-B1|-|2025`, `|` sent as `%7C`);
    404 when there is none, or its org lies outside the caller's scope."""
    parts = _checked("key", parse_finding_key, key)
    finding = finding_by_key(request.user, parts.rule, parts.org, parts.member, parts.period)
    if finding is None:
        raise Http404(NOT_FOUND)
    return finding
