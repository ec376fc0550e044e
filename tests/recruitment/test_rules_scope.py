"""The recruitment rules read the same in a large scope (by path and the shared facts of
every member) as in a small one (by org ids), and `xianfeng bench recruitment` reports
its timings."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.factories import make_member
from tests.recruitment.rules_support import D, found, person, step
from xianfeng.compliance import registry
from xianfeng.recruitment.models import Mentor

pytestmark = pytest.mark.django_db


def _world(tree):
    late = person(tree.branch_a, applied=D(2025, 1, 1))
    step(late, "talk", D(2025, 3, 1))
    activist = person(tree.branch_b, applied=D(2024, 1, 1), activist=D(2024, 3, 1))
    probationer = make_member(tree.branch_b, status="probationary", joined_on=D(2024, 6, 1))
    Mentor.objects.create(person=activist, member=probationer, started_on=D(2024, 3, 1))


@pytest.mark.parametrize(
    "small", [True, False], ids=["dev_01_02_small_scope", "dev_01_02_large_scope"]
)
def test_dev_01_and_02_in_either_scope(tree, monkeypatch, small):
    _world(tree)
    if not small:
        monkeypatch.setattr(registry, "SMALL_SCOPE", 0)
    assert [code for code, _f in found("DEV-01", "2025", D(2025, 3, 10))] == [
        "CA-T1-B1",
        "CB-T1-B1",
    ]
    [(code, f)] = found("DEV-02", "2025", D(2025, 3, 10))
    assert code == "CB-T1-B1" and f.evidence["mentors_not_full"]


def test_bench_recruitment_reports_rules_and_table(tree, capsys):
    _world(tree)
    call_command("bench", "recruitment")
    report = json.loads(capsys.readouterr().out)
    assert report["cores"] and report["people"] == 2
    assert report["rules_current_year"]["rules"] == [
        "DEV-01",
        "DEV-02",
        "DEV-03",
        "DEV-05",
        "DEV-06",
        "MEM-03",
    ]
    assert report["progress_table"]["rows"] == 2  # the city's two counties
