"""Runs and findings made directly, so that each test states exactly what a run found."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xianfeng.compliance.models import Finding, Run

AS_OF = dt.date(2026, 1, 10)


def found(rule: str, org: Any, severity: str = "error", member: Any = None, message: str = ""):
    return {"rule": rule, "org": org, "severity": severity, "member": member, "message": message}


def make_run(*roots: Any, findings=(), period="2025", via="web", overrides=None) -> Run:
    run = Run.objects.create(
        scope=[root.code for root in roots],
        period=period,
        as_of=AS_OF,
        overrides=overrides or {},
        via=via,
    )
    Finding.objects.bulk_create(
        Finding(
            run=run,
            rule=f["rule"],
            org=f["org"],
            member=f["member"],
            period=period,
            severity=f["severity"],
            message=f["message"] or f"{f['org'].name}{f['rule']}",
            first_seen=AS_OF,
        )
        for f in findings
    )
    return run
