"""Findings as a workbook (PLAT-04), scoped to the user and recorded (PLAT-02); policy
attachments and the holiday calendar in their import sheets' columns (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.history import current_via
from xianfeng.core.models import ExportRecord
from xianfeng.core.workbooks import write_rows, write_sheets

from .evidence import evidence_sentence, names_for
from .importers import (
    ATTACHED,
    FOLLOWS,
    HOLIDAY_COLUMNS,
    MODE_LABELS,
    OWN,
    POLICY_COLUMNS,
    YEAR_COLUMNS,
    CalendarYearImporter,
    HolidayImporter,
    PolicyImporter,
    shipped_codes,
)
from .models import CalendarYear, Finding, HolidayOverride, Policy, Severity
from .queries import findings_for, rules_by_id

KIND = "findings"
# 依据 is the rule's source document; 证据 the finding's evidence in Chinese (the raw keys
# stay in the API and `xianfeng check --format json`; findings are not imported back).
HEADERS = [
    "规则",
    "规则名称",
    "组织编码",
    "组织名称",
    "党员编号",
    "期间",
    "等级",
    "说明",
    "依据",
    "证据",
]
TEXT_COLUMNS = [2, 4]
CHUNK = 2000


def _chunks(findings: QuerySet[Finding]) -> Iterator[list[Finding]]:
    chunk: list[Finding] = []
    for finding in findings.iterator(chunk_size=CHUNK):
        chunk.append(finding)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def finding_rows(findings: QuerySet[Finding]) -> Iterator[list[Any]]:
    """One row per finding, in tree order, then by rule and period; the rows the
    evidence names are read once per chunk."""
    rules = rules_by_id()
    rows = findings.select_related("org", "member").order_by("org__path", "rule", "period", "pk")
    for chunk in _chunks(rows):
        names = names_for(finding.evidence for finding in chunk)
        for finding in chunk:
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
                evidence_sentence(finding.evidence, names),
            ]


def export_findings(*, target: Path | IO[bytes], user: Any, org: Any, run: Any) -> ExportRecord:
    """Write the run's findings of `org`'s subtree inside the user's scope to `target`."""
    rows = write_rows(
        target, "合规检查", HEADERS, finding_rows(findings_for(user, org, run)), TEXT_COLUMNS
    )
    return ExportRecord.objects.create(kind=KIND, org=org, user=user, via=current_via(), rows=rows)


# --- policy attachments and the holiday calendar (round trip, issue 13) ---------------------


def _policy_row(policy: Policy) -> dict[str, Any]:
    if policy.follows is not None:
        mode, code, text = FOLLOWS, policy.follows.code, ""
    elif policy.code in shipped_codes():
        mode, code, text = ATTACHED, policy.code, ""
    else:
        mode, code, text = OWN, policy.code, policy.text
    assert policy.org is not None
    return {"org": policy.org.code, "mode": MODE_LABELS[mode], "code": code, "text": text}


def policy_rows(orgs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    """The policy of each org of `orgs` that has its own, in tree order."""
    policies = Policy.objects.filter(org__in=orgs).select_related("org", "follows")
    for policy in policies.order_by("org__path"):
        yield _policy_row(policy)


def _policies(target: Path | IO[bytes], scope: ExportScope) -> int:
    return write_sheets(
        target,
        [
            (PolicyImporter.title, POLICY_COLUMNS, policy_rows(scope.orgs())),
        ],
    )


def holiday_rows() -> Iterator[dict[str, Any]]:
    for entry in HolidayOverride.objects.order_by("date"):
        yield {
            "date": entry.date,
            "is_workday": "是" if entry.is_workday else "否",
            "note": entry.note,
        }


def year_rows() -> Iterator[dict[str, Any]]:
    for entry in CalendarYear.objects.filter(confirmed=True).order_by("year"):
        yield {"year": entry.year, "note": entry.note}


def _calendar(target: Path | IO[bytes], scope: ExportScope) -> int:
    """The calendar applies to every org alike: the same rows for every scope."""
    return write_sheets(
        target,
        [
            (HolidayImporter.title, HOLIDAY_COLUMNS, holiday_rows()),
            (CalendarYearImporter.title, YEAR_COLUMNS, year_rows()),
        ],
    )


EXPORTS = (
    Export("policies", "政策挂接", _policies),
    Export("holidays", "节假日调整（含已核对年份）", _calendar),
)
