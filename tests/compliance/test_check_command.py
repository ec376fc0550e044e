"""`xianfeng check`: the CLI contract scripts rely on (PLAT-04)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_org
from xianfeng.compliance.models import Finding, Run

pytestmark = pytest.mark.django_db


def _check(*args: str) -> dict:
    out = io.StringIO()
    call_command("compliance_check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_plat_04_check_json_contract(tree):
    report = _check("--period", "2025", "--as-of", "2026-01-01", "--rule", "ORG-03")
    assert report["scope"] == ["CITY"] and report["period"] == "2025"
    assert report["as_of"] == "2026-01-01"
    branch_a = [f for f in report["findings"] if f["org"] == "CA-T1-B1"]
    assert branch_a[0]["rule"] == "ORG-03" and branch_a[0]["severity"] == "error"
    assert set(branch_a[0]) == {
        "rule",
        "org",
        "member",
        "period",
        "severity",
        "message",
        "source",
        "evidence",
    }
    assert report["summary"]["by_rule"]["ORG-03"] == len(report["findings"])
    assert report["summary"]["orgs_evaluated"] == 9
    assert Run.objects.count() == 1 and Finding.objects.count() == len(report["findings"])


def test_plat_04_check_scope_and_period_defaults(tree):
    report = _check("--org", "CB")
    assert report["scope"] == ["CB"]
    assert {f["org"] for f in report["findings"]} <= {"CB", "CB-T1", "CB-T1-B1"}
    assert report["period"] == str(int(report["as_of"][:4]) - 1)


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2025-13"],
        ["--as-of", "yesterday"],
        ["--rule", "ORG-99"],
        ["--org", "NOPE"],
        ["--policy-override", "org.setup.nope=1"],
        ["--policy-override", "org.setup.branch_min_full=x"],
        ["--policy-override", "novalue"],
    ],
)
def test_plat_04_check_bad_arguments_exit_2(tree, args):
    with pytest.raises(CommandError) as info:
        call_command("compliance_check", *args)
    assert info.value.returncode == 2


def test_plat_04_check_first_seen_carries_over(tree):
    _check("--as-of", "2026-01-01")
    report = _check("--as-of", "2026-02-01")
    first = Finding.objects.filter(run=Run.objects.order_by("started_at").last()).first()
    assert first.first_seen.isoformat() == "2026-01-01"
    assert report["findings"]


def test_plat_04_unconfirmed_year_gives_info_finding(tree):
    report = _check("--period", "2027", "--as-of", "2027-06-01", "--org", "CA")
    info = [f for f in report["findings"] if f["severity"] == "info"]
    assert info and info[0]["evidence"] == {"unconfirmed_years": [2027]}


def test_plat_04_override_changes_findings(tree):
    root = make_org(None, kind="party_committee", code="EMPTY")
    base = _check("--org", root.code, "--rule", "ORG-03")
    assert base["findings"] == []
