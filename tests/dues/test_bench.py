"""`xianfeng bench dues` and the DUES bench floor on a branch of a few members (the
module asks for `db` itself: a module whose tests all share the tree would be built
before pytest-django sets up the test database when it runs alone)."""

from __future__ import annotations

import json

from django.core.management import call_command
from django.db import connection

from tests.factories import make_member, make_org
from xianfeng.bench.check import floor_queries
from xianfeng.dues import ledger
from xianfeng.dues.bench import DUES_SQL
from xianfeng.dues.models import Due
from xianfeng.lib.dates import today

Y = today().year


def branch_with_members():
    branch = make_org(make_org(kind="party_committee", level="town"), kind="branch")
    for category in ("in_service", "rural", "retired", "student"):
        make_member(branch, category=category)
    ledger.refresh(Y)


def test_bench_dues_reports_the_computation_and_keeps_the_lines(db, capsys):
    branch_with_members()
    lines = sorted(Due.objects.values_list("member_id", "month", "amount"))
    call_command("bench", "dues")
    report = json.loads(capsys.readouterr().out)
    assert report["cores"] and report["lines"] == len(lines) == 4 * 12
    assert report["compute"]["rows"] == len(lines) and report["compute"]["met"]
    assert report["refresh_from_empty"]["emptied"] == len(lines)
    assert report["refresh_from_empty"]["rows"] == len(lines)
    assert sorted(Due.objects.values_list("member_id", "month", "amount")) == lines
    assert report["totals"]["lines"] == len(lines) and report["totals"]["children"] == 1


def test_dues_bench_floor_runs_for_dues_rules(db):
    branch_with_members()
    assert set(DUES_SQL) <= set(floor_queries(["DUES-02"]))
    with connection.cursor() as cursor:
        for sql in DUES_SQL:
            cursor.execute(sql, {"day": today()})
            cursor.fetchall()
