"""Findings as a workbook (PLAT-04), scoped to the user and recorded (PLAT-02)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.core.history import current_via
from xianfeng.core.models import ExportRecord
from xianfeng.core.workbooks import write_rows

from .models import Finding, Severity
from .queries import findings_for, rules_by_id

KIND = "findings"
HEADERS = ["规则", "规则名称", "组织编码", "组织名称", "党员编号", "期间", "等级", "说明", "依据"]
TEXT_COLUMNS = [2, 4]


def finding_rows(findings: QuerySet[Finding]) -> Iterator[list[Any]]:
    """One row per finding, in tree order, then by rule and period."""
    rules = rules_by_id()
    rows = findings.select_related("org", "member").order_by("org__path", "rule", "period", "pk")
    for finding in rows.iterator(chunk_size=2000):
        rule = rules.get(finding.rule)
        yield [
            finding.rule,
            rule.title if rule else "",
            finding.org.code,
            finding.org.name,
            finding.member.code if finding.member else "",
            finding.period,
            str(Severity(finding.severity).label),
            finding.message,
            rule.source if rule else "",
        ]


def export_findings(*, target: Path | IO[bytes], user: Any, org: Any, run: Any) -> ExportRecord:
    """Write the run's findings of `org`'s subtree inside the user's scope to `target`."""
    rows = write_rows(
        target, "合规检查", HEADERS, finding_rows(findings_for(user, org, run)), TEXT_COLUMNS
    )
    return ExportRecord.objects.create(kind=KIND, org=org, user=user, via=current_via(), rows=rows)
